"""What every test shares: the screens of the CLI are read as a pipe or a file shows them; the slow end-to-end runs
start ahead of their tests (tests/runs_ahead.py)."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.runs_ahead import RunsAhead


def pytest_configure(config) -> None:
    # pytest-xdist's workers announce an 80-column terminal (COLUMNS, LINES) that is not there: a screen printed for
    # a pipe would take it for a window's width and wrap its tables, in-process and in the CLI processes a test starts.
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
    config.addinivalue_line("markers", "runs_ahead(run, seconds): the test's slow run starts ahead of it, in a "
                                       "process of its own, beside the rest of the suite (tests/runs_ahead.py)")
    config.addinivalue_line("markers", "undisturbed: runs last, once the runs ahead have ended (its figures need the "
                                       "machine's spare CPU or wall-clock pace)")


def pytest_collection_modifyitems(session, config, items: list[pytest.Item]) -> None:
    # Stable: the order within each group is the usual one (the tests of a module that run in order still do).
    def group(item: pytest.Item) -> int:
        if item.get_closest_marker("undisturbed"):
            return 2  # after the tests of the runs ahead, which wait for every run to end
        return 1 if item.get_closest_marker("runs_ahead") else 0

    items.sort(key=group)


@pytest.fixture(scope="session")
def runs_ahead(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunsAhead]:
    runs = RunsAhead()
    for item in request.session.items:
        marker = item.get_closest_marker("runs_ahead")
        if marker is not None:
            runs.add(item.nodeid, marker.kwargs["run"], tmp_path_factory.mktemp(item.name[:40]),
                     marker.kwargs["seconds"])
    yield runs
    runs.close()


@pytest.fixture(autouse=True)
def _start_the_runs_ahead(request: pytest.FixtureRequest, runs_ahead: RunsAhead) -> None:
    if request.node.get_closest_marker("undisturbed"):
        runs_ahead.close()  # every run gone first, those whose test never asked for them included
    else:
        runs_ahead.start()


@pytest.fixture
def ran_ahead(request: pytest.FixtureRequest, runs_ahead: RunsAhead) -> Callable[[], Any]:
    """What this test's run ahead returned (waiting for it to end)."""
    return lambda: runs_ahead.result(request.node.nodeid)
