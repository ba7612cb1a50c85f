"""The embedded game server `manufacturing start` launches: started as a real background process with the rate
limit `server.rate_limit` chooses, recorded in its `server.json`, and what the daemon is then told about it."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from adapters.cli.embedded_server import EmbeddedServers
from adapters.cli.manufacturing_command import daemon_argv
from adapters.config.loader import load_settings
from adapters.daemon.paths import RunPaths
from adapters.daemon.state_file import ServerInfo, read_server_info
from domain.symbols import SystemSymbol
from tests.cli_support import cli_environment, run_cli


def started(data_dir: Path, **env: str) -> tuple[EmbeddedServers, ServerInfo]:
    environment = cli_environment(data_dir, **env)
    settings = load_settings(environment.env, environment.config_file)
    servers = EmbeddedServers(data_dir, settings.server, environment.child_env())
    return servers, servers.start("ALPHA")


@pytest.mark.parametrize(("env", "regime", "per_second", "burst"), [
    ({}, "scaled", "120", "1800"),  # the default: the real 2/s and 30/min, times speed 60
    ({"ST_SERVER_RATE_LIMIT": "on"}, "on", "2", "30"),
])
def test_the_server_is_started_with_the_configured_rate_limit(tmp_path: Path, env: dict[str, str], regime: str,
                                                              per_second: str, burst: str) -> None:
    data_dir = tmp_path / "data"
    servers, info = started(data_dir, **env)
    try:
        headers = httpx.get(info.base_url + "/", timeout=10.0).headers
        assert (headers["x-ratelimit-limit-per-second"], headers["x-ratelimit-limit-burst"]) == (per_second, burst)
        assert info.rate_limit == regime and info.speed == 60
        # What a later start (or `analyze`) reads back: the record of the running server.
        assert servers.running() == info == read_server_info(RunPaths.for_player(data_dir, "ALPHA"))
        assert ("--rate-limit-scaled" in daemon_argv("ALPHA", SystemSymbol("X1-A"), info.base_url, info)) \
            is (regime == "scaled")
    finally:
        servers.stop(info, timeout=10.0)


def test_the_daemon_hears_of_a_scaled_limit_only_from_an_embedded_server_that_scales() -> None:
    def server(rate_limit: str | None) -> ServerInfo:
        extra = {} if rate_limit is None else {"rate_limit": rate_limit}
        return ServerInfo(pid=1, owner="ALPHA", base_url="http://127.0.0.1:1/v2", data_dir="w", speed=20.0, seed=1,
                          started_at="", log_file="", **extra)

    system = SystemSymbol("X1-A")
    scaled = daemon_argv("ALPHA", system, "http://127.0.0.1:1/v2", server("scaled"))
    assert scaled[-4:] == ["--time-scale", "20", "--embedded", "--rate-limit-scaled"]
    for unscaled in ("on", "off", None):  # None: a record of a server from before the option, which ran "on"
        assert "--rate-limit-scaled" not in daemon_argv("ALPHA", system, "http://127.0.0.1:1/v2", server(unscaled))
    real = daemon_argv("ALPHA", system, "https://api.spacetraders.io/v2", None)
    assert real[-2:] == ["--time-scale", "1"] and "--embedded" not in real and "--rate-limit-scaled" not in real


@pytest.mark.parametrize("flags", [["--embedded", "--rate-limit-scaled"], ["--embedded"], []])
def test_the_daemon_command_hands_the_flag_to_the_daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        flags: list[str]) -> None:
    import adapters.daemon.runner as runner

    requests: list[runner.DaemonRequest] = []
    monkeypatch.setattr(runner, "run_daemon", requests.append)
    environment = cli_environment(tmp_path / "data", ST_API_TOKEN="t", ST_METRICS_ENABLED="false")
    result = run_cli(environment, "manufacturing", "run", "--player", "alpha", "--system", "X1-A", "--base-url",
                     "http://127.0.0.1:1/v2", "--time-scale", "60", *flags)

    assert result.exit_code == 0, result.output
    (sent,) = requests
    assert (sent.embedded, sent.rate_limit_scaled) == ("--embedded" in flags, "--rate-limit-scaled" in flags)
    assert runner.daemon_runtime(sent).rate_limit_scaled is ("--rate-limit-scaled" in flags)
