"""The daemon's Runtime: its intervals' floors shrink with the game's speed only when the embedded server it plays
on scales its rate limit with that speed (as bench/run.py's runs do), never against the real API. And what its
record says of its two kinds of work, which `status` reads back (with defaults for an older daemon's record)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from adapters.config.loader import load_settings
from adapters.daemon.paths import RunPaths
from adapters.daemon.runner import DaemonRequest, daemon_runtime, kinds_of_work
from adapters.daemon.state_file import DaemonInfo, read_daemon_info, write_info
from application.coordinator import CoordinatorConfig
from application.loss_pauses import LossPause


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


def coordinator(**config: object) -> SimpleNamespace:
    made = CoordinatorConfig(**config)  # type: ignore[arg-type]
    return SimpleNamespace(config=made, arbitrage_enabled=made.arbitrage_max_workers > 0)


def info(**fields: object) -> DaemonInfo:
    return DaemonInfo(pid=1, player="ALPHA", system="X1-A", base_url="http://127.0.0.1:1/v2", embedded=True,
                      time_scale=60.0, run_id="run-1", started_at="2025-01-01T12:00:00+00:00", log_file="log",
                      database="db", **fields)  # type: ignore[arg-type]


def test_the_record_says_each_kind_s_worker_cap_and_loss_pause_and_reads_them_back(tmp_path: Path) -> None:
    paths = RunPaths.for_player(tmp_path, "ALPHA")
    written = info(**kinds_of_work(coordinator(max_workers=4, arbitrage_max_workers=2, pause_after_losses_for=60,
                                               arbitrage_pause_after_losses=3, arbitrage_pause_after_loss_over=900)))
    write_info(paths, written)

    read = read_daemon_info(paths)

    assert read == written
    assert (read.max_workers, read.arbitrage_max_workers) == (4, 2)
    assert read.loss_pause("manufacturing") == LossPause(2, 60.0, 20_000)
    assert read.loss_pause("arbitrage") == LossPause(3, 3600.0, 900)


def test_a_kind_that_is_off_has_no_workers_in_the_record() -> None:
    assert kinds_of_work(coordinator(arbitrage_max_workers=0))["arbitrage_max_workers"] == 0
    assert kinds_of_work(coordinator(manufacturing_enabled=False, arbitrage_max_workers=3))["max_workers"] == 0


def test_a_record_of_an_older_daemon_reads_back_without_what_it_did_not_say(tmp_path: Path) -> None:
    paths = RunPaths.for_player(tmp_path, "ALPHA").create()
    older = {key: value for key, value in dataclasses.asdict(info(max_workers=5)).items()
             if key not in {"arbitrage_max_workers", "loss_pauses"}}
    paths.info_file("daemon").write_text(json.dumps(older))

    read = read_daemon_info(paths)

    assert read is not None and read.max_workers == 5
    assert read.arbitrage_max_workers is None and read.loss_pause("manufacturing") is None
    assert info(loss_pauses={"manufacturing": {"losses": "two"}}).loss_pause("manufacturing") is None
