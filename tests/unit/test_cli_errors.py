"""Every known error becomes one line on stderr and its own exit code; nothing prints a traceback."""
from __future__ import annotations

from pathlib import Path

import importlib

import click
import peewee
import pytest
from click.testing import CliRunner, Result

from adapters.cli.errors import (
    META_BASE_URL,
    META_LOG_PATH,
    ExitCode,
    FriendlyGroup,
    error_table,
    friendly_errors,
)
from adapters.cli.token_store import NoAgent, TokenStoreError
from adapters.config.loader import ConfigError
from adapters.daemon.process import AlreadyRunning, DaemonStartFailed, NotRunning
from adapters.game_api import errors as api
from adapters.game_api.gateway import translate as gateway
from adapters.storage.database import DatabaseUnreachable, StorageError
from application import game_errors as app_game
from domain.errors import InvalidSymbol

BASE_URL = "http://127.0.0.1:9/v2"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJBTFBIQSJ9.c2VjcmV0LXNpZ25hdHVyZQ"


def run_raising(error: BaseException, tmp_path: Path, *, grouped: bool = True) -> Result:
    """Invoke a command that raises `error`, through FriendlyGroup or through the decorator."""

    def body() -> None:
        ctx = click.get_current_context()
        ctx.meta[META_BASE_URL] = BASE_URL
        ctx.meta[META_LOG_PATH] = str(tmp_path / "cli.log")
        raise error

    if grouped:
        @click.group(cls=FriendlyGroup)
        def root() -> None:
            pass

        root.command("go")(body)
        return CliRunner().invoke(root, ["go"])
    return CliRunner().invoke(click.command("go")(friendly_errors(body)), [])


def assert_one_line(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)  # handled, not escaped
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


CASES = [
    pytest.param(ConfigError("ST_MANUFACTURING_MAX_WORKERS=abc: expected a whole number"), ExitCode.CONFIG,
                 ["ST_MANUFACTURING_MAX_WORKERS=abc", "whole number"], id="config"),
    pytest.param(gateway(api.TransportFailure("[Errno 111] Connection refused", request_sent=False)),
                 ExitCode.UNAVAILABLE, ["cannot reach the game server at " + BASE_URL, "Connection refused"],
                 id="unreachable"),
    pytest.param(gateway(api.ServerUnavailable("maintenance", code=3100, status=503)), ExitCode.UNAVAILABLE,
                 ["unavailable", "maintenance"], id="server-unavailable"),
    pytest.param(gateway(api.TokenReset("Failed to parse token. Token reset_date does not match the server.",
                                        code=4113, status=401, data={"expected": "2025-06-08", "actual": "2025-06-01"})),
                 ExitCode.GAME_RESET, ["game was reset on 2025-06-08", "spacetraders agent register"],
                 id="token-reset"),
    pytest.param(gateway(api.Unauthorized("Invalid token", code=4104, status=401)), ExitCode.AUTH,
                 ["refused the token", "spacetraders agent register"], id="token-rejected"),
    pytest.param(gateway(api.Unauthorized("Missing account token", code=4116, status=401)), ExitCode.AUTH,
                 ["account token", "--account-token-file"], id="no-account-token"),
    pytest.param(gateway(api.NotFound("System X1-NOPE not found.", code=404, status=404, path="/systems/X1-NOPE")),
                 ExitCode.BAD_INPUT, ["unknown system X1-NOPE"], id="unknown-system"),
    pytest.param(InvalidSymbol("system", "x1", "expected SECTOR-SYSTEM such as X1-DF55"), ExitCode.BAD_INPUT,
                 ["invalid system 'x1'"], id="malformed-system"),
    pytest.param(gateway(api.AgentSymbolTaken("Agent symbol ALPHA has already been claimed.", code=4111, status=409)),
                 ExitCode.BAD_INPUT, ["already been claimed", "--symbol"], id="symbol-taken"),
    pytest.param(gateway(api.InsufficientCredits("Not enough credits", code=4600, status=400)), ExitCode.FAILURE,
                 ["the game refused", "4600"], id="game-rule"),
    pytest.param(NotRunning("daemon", "ALPHA"), ExitCode.NOT_RUNNING,
                 ["not running", "manufacturing start"], id="daemon-not-running"),
    pytest.param(AlreadyRunning("daemon", "ALPHA", 4242), ExitCode.ALREADY_RUNNING,
                 ["already running", "4242", "manufacturing stop"], id="daemon-already-running"),
    pytest.param(DaemonStartFailed("the daemon of ALPHA exited during start-up"), ExitCode.FAILURE,
                 ["exited during start-up"], id="daemon-start-failed"),
    pytest.param(NoAgent("no agent registered yet; register one with `spacetraders agent register`"),
                 ExitCode.NO_AGENT, ["no agent", "agent register"], id="no-agent"),
    pytest.param(TokenStoreError("cannot write the token file /x/token.json: Permission denied"),
                 ExitCode.STORAGE, ["token file"], id="token-file"),
    pytest.param(peewee.OperationalError("database is locked"), ExitCode.STORAGE,
                 ["storage error", "database is locked"], id="storage"),
    pytest.param(peewee.OperationalError('connection to server at "127.0.0.1", port 1 failed: Connection refused\n'
                                         '\tIs the server running on that host and accepting TCP/IP connections?\n'),
                 ExitCode.STORAGE, ["storage error: connection to server", "Connection refused"], id="storage-driver"),
    pytest.param(DatabaseUnreachable("cannot open the database postgresql://u:***@127.0.0.1:1/db: refused"),
                 ExitCode.STORAGE, ["storage error", "cannot open the database", "refused"], id="storage-own"),
    pytest.param(PermissionError(13, "Permission denied", "/data/x.db"), ExitCode.STORAGE,
                 ["/data/x.db", "Permission denied"], id="file"),
    pytest.param(app_game.GameAuthError("token rejected", code=4113), ExitCode.GAME_RESET,
                 ["game was reset", "agent register"], id="port-token-reset"),
    pytest.param(app_game.GameUnavailable("server kept failing"), ExitCode.UNAVAILABLE,
                 ["unavailable"], id="port-unavailable"),
]


@pytest.mark.parametrize("error, code, fragments", CASES)
def test_a_known_error_is_one_line_and_its_exit_code(error: BaseException, code: ExitCode, fragments: list[str],
                                                     tmp_path: Path) -> None:
    line = assert_one_line(run_raising(error, tmp_path), code)

    for fragment in fragments:
        assert fragment in line
    assert not (tmp_path / "cli.log").exists()  # known errors are not internal errors


def test_the_decorator_reports_like_the_group(tmp_path: Path) -> None:
    line = assert_one_line(run_raising(NotRunning("daemon", "ALPHA"), tmp_path, grouped=False),
                           ExitCode.NOT_RUNNING)
    assert "not running" in line


def test_exit_codes_are_distinct_and_non_zero() -> None:
    codes = [code.value for code in ExitCode]
    assert len(set(codes)) == len(codes)
    assert 0 not in codes


def test_a_multi_line_message_is_folded_into_one(tmp_path: Path) -> None:
    line = assert_one_line(run_raising(ConfigError("first part\nsecond part"), tmp_path), ExitCode.CONFIG)
    assert "first part second part" in line


def test_a_token_in_a_message_is_redacted(tmp_path: Path) -> None:
    error = gateway(api.Unauthorized(f"bad header Bearer {JWT} for {JWT}", code=4104, status=401))

    result = run_raising(error, tmp_path)

    assert JWT not in result.output
    assert "[redacted]" in assert_one_line(result, ExitCode.AUTH)


def test_an_unexpected_error_is_one_line_naming_the_log_with_the_traceback(tmp_path: Path) -> None:
    line = assert_one_line(run_raising(RuntimeError(f"boom with {JWT}"), tmp_path), ExitCode.INTERNAL)

    log = tmp_path / "cli.log"
    assert "internal error (RuntimeError: boom" in line
    assert str(log) in line
    assert "Traceback" in log.read_text()
    assert JWT not in log.read_text() + line


def test_click_usage_errors_keep_their_own_handling(tmp_path: Path) -> None:
    result = run_raising(click.BadParameter("nope", param_hint="--symbol"), tmp_path)

    assert result.exit_code == ExitCode.USAGE
    assert "Traceback" not in result.output


def test_the_api_clients_own_errors_are_not_in_the_table() -> None:
    # They stop at the gateway: the CLI sees application errors only.
    assert not [cls for cls, _, _ in error_table() if issubclass(cls, api.GameApiError)]


def test_every_entry_of_the_error_table_is_a_class_its_module_really_holds() -> None:
    for cls, code, describe in error_table():
        assert isinstance(cls, type) and issubclass(cls, BaseException), cls
        assert getattr(importlib.import_module(cls.__module__), cls.__qualname__) is cls
        assert isinstance(code, ExitCode) and callable(describe)


def test_the_storage_adapters_own_errors_have_the_storage_exit_code() -> None:
    assert StorageError in {cls for cls, _, _ in error_table()}
    assert dict((cls, code) for cls, code, _ in error_table())[StorageError] is ExitCode.STORAGE


def test_a_database_drivers_explanation_lines_are_left_out(tmp_path: Path) -> None:
    error = peewee.OperationalError('connection to server at "127.0.0.1", port 1 failed: Connection refused\n'
                                    "\tIs the server running on that host and accepting TCP/IP connections?\n")

    line = assert_one_line(run_raising(error, tmp_path), ExitCode.STORAGE)

    assert line == 'error: storage error: connection to server at "127.0.0.1", port 1 failed: Connection refused'
