"""`spacetraders agent register | show` through the real click CLI against the embedded game server, in process
(the server's WSGI app behind an httpx transport), plus the one-line errors of these commands."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import Result

from adapters.cli.agent_command import CliEnvironment
from adapters.cli.errors import ExitCode
from adapters.cli.token_store import TokenStore
from adapters.game_server.serve import find_free_port
from adapters.game_server.world import World
from tests.cli_support import cli_environment
from tests.cli_support import run_cli as run


@pytest.fixture
def world():
    opened = World.open(None, seed=1)
    yield opened
    opened.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def environment(world: World | None, data_dir: Path, **env: str) -> CliEnvironment:
    return cli_environment(data_dir, world, **env)






def assert_error(result: Result, code: ExitCode) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_register_stores_the_token_privately_and_never_prints_it(world: World, data_dir: Path) -> None:
    result = run(environment(world, data_dir), "agent", "register", "--symbol", "alpha", "--faction", "cosmic")

    assert result.exit_code == 0, result.output
    stored = TokenStore(data_dir).load("ALPHA")
    assert stored is not None
    assert world.agent_for_token(stored.token) == "ALPHA"
    assert stored.token not in result.output
    assert "Registered agent ALPHA" in result.stdout
    assert "175,000" in result.stdout
    headquarters = world.agent("ALPHA").headquarters
    assert f"Headquarters: {headquarters}" in result.stdout
    token_file = TokenStore(data_dir).path_for("ALPHA")
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert str(token_file) in result.stdout


def test_show_prints_the_agent_from_the_game(world: World, data_dir: Path) -> None:
    env = environment(world, data_dir)
    run(env, "agent", "register", "--symbol", "alpha")
    world_agent = world.agent("ALPHA")

    result = run(env, "agent", "show")

    assert result.exit_code == 0, result.output
    assert "Agent:        ALPHA" in result.stdout
    assert f"Headquarters: {world_agent.headquarters}" in result.stdout
    assert f"Credits:      {world_agent.credits:,}" in result.stdout
    assert f"Ships:        {world_agent.ship_count}" in result.stdout
    assert TokenStore(data_dir).require("ALPHA").token not in result.output


def test_show_json_for_scripts(world: World, data_dir: Path) -> None:
    env = environment(world, data_dir)
    run(env, "agent", "register", "--symbol", "alpha")

    result = run(env, "agent", "show", "--player", "alpha", "--json")

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    agent = world.agent("ALPHA")
    assert shown == {"symbol": "ALPHA", "headquarters": agent.headquarters, "credits": agent.credits,
                     "ships": agent.ship_count, "faction": agent.starting_faction}


def test_show_uses_the_server_the_token_was_registered_with(world: World, data_dir: Path) -> None:
    run(environment(world, data_dir), "agent", "register", "--symbol", "alpha")
    env = environment(world, data_dir)
    env.env = {k: v for k, v in env.env.items() if k != "ST_API_BASE_URL"}

    result = run(env, "agent", "show")

    assert result.exit_code == 0, result.output
    assert "ALPHA" in result.stdout


def test_show_without_an_agent(world: World, data_dir: Path) -> None:
    line = assert_error(run(environment(world, data_dir), "agent", "show"), ExitCode.NO_AGENT)
    assert "agent register" in line


def test_a_token_from_before_a_reset_is_refused_with_what_to_do(world: World, data_dir: Path) -> None:
    run(environment(world, data_dir), "agent", "register", "--symbol", "alpha")
    reset = World.open(None, seed=2)  # a new game: it has never heard of ALPHA's token
    try:
        line = assert_error(run(environment(reset, data_dir), "agent", "show"), ExitCode.AUTH)
    finally:
        reset.close()
    assert "spacetraders agent register" in line


def test_register_a_taken_symbol(world: World, data_dir: Path) -> None:
    env = environment(world, data_dir)
    run(env, "agent", "register", "--symbol", "alpha")

    line = assert_error(run(env, "agent", "register", "--symbol", "alpha"), ExitCode.BAD_INPUT)

    assert "--symbol" in line


def test_unreachable_server(data_dir: Path) -> None:
    url = f"http://127.0.0.1:{find_free_port()}/v2"  # nothing listens there
    env = environment(None, data_dir, ST_API_BASE_URL=url, ST_API_MAX_ATTEMPTS="1")

    line = assert_error(run(env, "agent", "register", "--symbol", "alpha"), ExitCode.UNAVAILABLE)

    assert f"cannot reach the game server at {url}" in line


def test_register_without_a_server_configured(data_dir: Path) -> None:
    line = assert_error(run(environment(None, data_dir), "agent", "register"), ExitCode.CONFIG)
    assert "ST_API_BASE_URL" in line


def test_a_bad_setting_is_named(world: World, data_dir: Path) -> None:
    env = environment(world, data_dir, ST_MANUFACTURING_MAX_WORKERS="abc")

    line = assert_error(run(env, "agent", "show"), ExitCode.CONFIG)

    assert "ST_MANUFACTURING_MAX_WORKERS=abc" in line
