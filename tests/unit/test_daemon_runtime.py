"""The daemon's Runtime: its intervals' floors shrink with the game's speed only when the embedded server it plays
on scales its rate limit with that speed (as bench/run.py's runs do), never against the real API."""
from __future__ import annotations

from pathlib import Path

import pytest

from adapters.config.loader import load_settings
from adapters.daemon.paths import RunPaths
from adapters.daemon.runner import DaemonRequest, daemon_runtime


def request(tmp_path: Path, *, embedded: bool, scaled: bool, time_scale: float = 60.0) -> DaemonRequest:
    return DaemonRequest(settings=load_settings({}), paths=RunPaths.for_player(tmp_path, "ALPHA"), player="ALPHA",
                         system="X1-A", base_url="http://127.0.0.1:1/v2", token="t", embedded=embedded,
                         time_scale=time_scale, database_url="sqlite://", rate_limit_scaled=scaled)


@pytest.mark.parametrize(("embedded", "scaled", "expected"), [
    (True, True, True), (True, False, False),
    (False, True, False),  # an external server or the real API: its limit is not known to grow with any speed
    (False, False, False),
])
def test_the_runtime_flag_follows_the_embedded_servers_limit(tmp_path: Path, embedded: bool, scaled: bool,
                                                            expected: bool) -> None:
    runtime = daemon_runtime(request(tmp_path, embedded=embedded, scaled=scaled))
    assert runtime.rate_limit_scaled is expected
    assert runtime.time_scale == 60.0
    # The assignment interval (30 s of game time) at speed 60: the floor of 10 wall seconds holds unless scaled.
    assert runtime.scaled(30.0, 10.0) == (0.5 if expected else 10.0)


def test_a_request_says_unscaled_unless_told(tmp_path: Path) -> None:
    plain = DaemonRequest(settings=load_settings({}), paths=RunPaths.for_player(tmp_path, "ALPHA"), player="ALPHA",
                          system="X1-A", base_url="https://api.spacetraders.io/v2", token="t", embedded=False,
                          time_scale=1.0, database_url="sqlite://")
    assert daemon_runtime(plain).rate_limit_scaled is False
    assert daemon_runtime(request(tmp_path, embedded=True, scaled=True, time_scale=0.5)).time_scale == 1.0
