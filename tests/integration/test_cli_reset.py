"""After the game is reset, the CLI tells the user so in one line and how to go on, with its own exit code: an
agent registered through the real CLI, the embedded server reset, then `spacetraders agent show`."""
from __future__ import annotations

from pathlib import Path

from adapters.cli.errors import ExitCode
from adapters.game_server.clock import ManualClock
from adapters.game_server.world import World, WorldSettings
from tests.cli_support import cli_environment, run_cli


def test_agent_show_after_a_reset_says_to_register_again(tmp_path: Path) -> None:
    clock = ManualClock()   # 2025-06-01
    world = World.open(None, clock=clock, settings=WorldSettings(seed=1, other_systems=3))
    data_dir = tmp_path / "data"
    try:
        env = cli_environment(data_dir, world)
        assert run_cli(env, "agent", "register", "--symbol", "alpha").exit_code == 0
        assert run_cli(env, "agent", "show").exit_code == 0
        clock.advance(7 * 86_400)
        world.reset()

        result = run_cli(env, "agent", "show")
    finally:
        world.close()

    assert result.exit_code == ExitCode.GAME_RESET, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line == ("error: the game server at http://game-server.local/v2 refused the token: the game was reset on "
                    "2025-06-08 since it was issued; register again with `spacetraders agent register`")


def test_a_token_the_server_never_issued_is_not_called_a_reset(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = World.open(None, seed=1)
    other = World.open(None, seed=2)   # another server: it never issued ALPHA's token
    try:
        assert run_cli(cli_environment(data_dir, first), "agent", "register", "--symbol", "alpha").exit_code == 0
        result = run_cli(cli_environment(data_dir, other), "agent", "show")
    finally:
        first.close()
        other.close()

    assert result.exit_code == ExitCode.AUTH, result.output
    assert "the game was reset" not in result.stderr and "spacetraders agent register" in result.stderr
