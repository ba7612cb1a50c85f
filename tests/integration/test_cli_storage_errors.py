"""A configured database that cannot be opened stops `manufacturing start` before anything starts, in one line with
the storage exit code (no embedded server, no agent registered, no daemon)."""
from __future__ import annotations

from pathlib import Path

from adapters.cli.errors import ExitCode
from adapters.cli.token_store import TokenStore
from adapters.daemon.paths import players_in
from adapters.game_server.serve import find_free_port
from tests.cli_support import cli_environment, run_cli


def test_start_with_the_database_server_down_fails_first_in_one_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    url = f"postgresql://bot:hunter2@127.0.0.1:{find_free_port()}/spacetraders"  # nothing listens there
    env = cli_environment(data_dir, DATABASE_URL=url)  # no API URL: the embedded server would be started

    result = run_cli(env, "manufacturing", "start", "--player", "alpha")

    assert result.exit_code == ExitCode.STORAGE, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: storage error: cannot open the database postgresql://bot:***@127.0.0.1:")
    assert "hunter2" not in result.output
    assert result.stdout == ""
    assert not (data_dir / "game-server").exists()  # the embedded server was never started
    assert TokenStore(data_dir).players() == []  # and no agent registered
    assert players_in(data_dir) == [] or all(
        not (data_dir / "players" / p / "daemon.pid").exists() for p in players_in(data_dir))
