"""Errors at the CLI's edge: one line on stderr and a distinct exit code, never a traceback.

Use `@friendly_errors` on a command's callback, or `FriendlyGroup` as the click group class to cover every
sub-command at once. Known errors are described by `ERROR_TABLE` (first matching class wins); anything else is
an internal error: one line naming the log file, where the traceback is appended, and exit 70.

Exit codes (`ExitCode`):

    1   FAILURE          the game refused an action, or another known failure
    2   USAGE            bad command line (click's own)
    3   NOT_RUNNING      the daemon is not running
    4   ALREADY_RUNNING  the daemon is already running
    5   NO_AGENT         no agent registered / no token
    6   GAME_RESET       the game was reset since the token was issued (4113): register again
    65  BAD_INPUT        a malformed or unknown symbol, a refused request
    69  UNAVAILABLE      the game server cannot be reached or keeps failing
    70  INTERNAL         a bug: see the log
    74  STORAGE          the database or a file cannot be read or written
    77  AUTH             the token was refused (invalid, or for another server)
    78  CONFIG           a configuration key or value is wrong
"""
from __future__ import annotations

import enum
import functools
import os
import re
import sqlite3
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from adapters.config.loader import ConfigError
from adapters.daemon.paths import InvalidPlayerName, default_data_dir
from adapters.daemon.process import AlreadyRunning, DaemonError, NotRunning
from adapters.cli.token_store import NoAgent, TokenStoreError
from application.errors import ApplicationError
from application import game_errors as app_game
from domain.errors import DomainError, InvalidSymbol

F = TypeVar("F", bound=Callable[..., Any])

# ctx.meta keys commands fill in so that messages can say more (shared by every context of one invocation).
META_BASE_URL = "spacetraders.base_url"
META_LOG_PATH = "spacetraders.log_path"

REGISTER_AGAIN = "register again with `spacetraders agent register`"
_MAX_LINE = 400
# Bearer tokens are JWTs: three base64url parts. Messages must never carry one, whatever raised them.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
_BEARER = re.compile(r"(?i)(bearer\s+)\S+")


class ExitCode(enum.IntEnum):
    FAILURE = 1
    USAGE = 2
    NOT_RUNNING = 3
    ALREADY_RUNNING = 4
    NO_AGENT = 5
    GAME_RESET = 6
    BAD_INPUT = 65
    UNAVAILABLE = 69
    INTERNAL = 70
    STORAGE = 74
    AUTH = 77
    CONFIG = 78


Describe = Callable[[BaseException, dict[str, Any]], str]


def _message(exc: BaseException, meta: dict[str, Any]) -> str:
    return str(exc) or type(exc).__name__


def _server(meta: dict[str, Any]) -> str:
    url = meta.get(META_BASE_URL)
    return f"the game server at {url}" if url else "the game server"


def _unreachable(exc: BaseException, meta: dict[str, Any]) -> str:
    return f"cannot reach {_server(meta)}: {_message(exc, meta)}"


def _unavailable(exc: BaseException, meta: dict[str, Any]) -> str:
    return f"{_server(meta)} is unavailable: {_message(exc, meta)}"


TOKEN_RESET_CODE = 4113


def _is_token_reset(exc: BaseException) -> bool:
    """A token from before a reset, as the GamePort reports it (with the game's code)."""
    return isinstance(exc, app_game.GameAuthError) and exc.code == TOKEN_RESET_CODE


def _token_reset(exc: BaseException, meta: dict[str, Any]) -> str:
    data = getattr(exc, "data", None) or {}
    when = f" on {data['expected']}" if isinstance(data.get("expected"), str) else ""
    return f"{_server(meta)} refused the token: the game was reset{when} since it was issued; {REGISTER_AGAIN}"


def _unauthorized(exc: BaseException, meta: dict[str, Any]) -> str:
    code = getattr(exc, "code", None)
    if code == TOKEN_RESET_CODE:
        return _token_reset(exc, meta)
    if code == 4116:
        return ("registering needs an account token (from my.spacetraders.io): "
                "pass it with --account-token-file")
    return f"{_server(meta)} refused the token ({_message(exc, meta)}); {REGISTER_AGAIN} or set ST_API_TOKEN"


def _symbol_taken(exc: BaseException, meta: dict[str, Any]) -> str:
    return f"{_message(exc, meta).rstrip('.')}; choose another symbol with --symbol"


def _game_refused(exc: BaseException, meta: dict[str, Any]) -> str:
    code = getattr(exc, "code", None)
    return f"the game refused: {_message(exc, meta)}" + (f" (code {code})" if code else "")


def _storage(exc: BaseException, meta: dict[str, Any]) -> str:
    # Database drivers explain on further lines (psycopg2: "Is the server running on that host..."): the first
    # line says what failed.
    first = next((line.strip() for line in _message(exc, meta).splitlines() if line.strip()), type(exc).__name__)
    return f"storage error: {first}"


def _os_error(exc: BaseException, meta: dict[str, Any]) -> str:
    assert isinstance(exc, OSError)
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or _message(exc, meta)}"


def _prefixed(prefix: str) -> Describe:
    return lambda exc, meta: f"{prefix}: {_message(exc, meta)}"


def _table() -> list[tuple[type[BaseException], ExitCode, Describe]]:
    import httpx  # imported when the first error is reported, so that the CLI starts fast
    import peewee

    from adapters.storage.database import StorageError

    # Every class is imported here, by name: an entry cannot quietly stand for nothing. The embedded server's own
    # start errors never get here (`spacetraders server` turns them into a click error).
    return [
        (ConfigError, ExitCode.CONFIG, _prefixed("configuration")),
        # the daemon
        (AlreadyRunning, ExitCode.ALREADY_RUNNING, _message),
        (NotRunning, ExitCode.NOT_RUNNING, _message),
        (DaemonError, ExitCode.FAILURE, _message),
        # the agent and its token
        (NoAgent, ExitCode.NO_AGENT, _message),
        (InvalidPlayerName, ExitCode.BAD_INPUT, _message),
        (TokenStoreError, ExitCode.STORAGE, _message),
        # the game, as the gateway reports it (the API client's own errors stop there)
        (app_game.GameAuthError, ExitCode.AUTH, _unauthorized),
        (app_game.GameUnreachable, ExitCode.UNAVAILABLE, _unreachable),
        (app_game.GameUnavailable, ExitCode.UNAVAILABLE, _unavailable),
        (app_game.NotFound, ExitCode.BAD_INPUT, _message),
        (app_game.SymbolTaken, ExitCode.BAD_INPUT, _symbol_taken),
        (app_game.InvalidRequest, ExitCode.BAD_INPUT, _game_refused),
        (app_game.GameError, ExitCode.FAILURE, _game_refused),
        # values and use cases
        (InvalidSymbol, ExitCode.BAD_INPUT, _message),
        (DomainError, ExitCode.BAD_INPUT, _message),
        (ApplicationError, ExitCode.FAILURE, _message),
        # storage
        (StorageError, ExitCode.STORAGE, _storage),
        (peewee.PeeweeException, ExitCode.STORAGE, _storage),
        (sqlite3.Error, ExitCode.STORAGE, _storage),
        # an httpx error that escaped the client
        (httpx.TransportError, ExitCode.UNAVAILABLE, _unreachable),
        (OSError, ExitCode.STORAGE, _os_error),
    ]


@functools.cache
def error_table() -> tuple[tuple[type[BaseException], ExitCode, Describe], ...]:
    """The known errors, most specific first (built once, on first use, so the CLI starts fast)."""
    return tuple(_EXTRA) + tuple(_table())


_EXTRA: list[tuple[type[BaseException], ExitCode, Describe]] = []


def register_error(cls: type[BaseException], code: ExitCode, describe: Describe | None = None) -> None:
    """Teach the handler another error class (checked before the built-in table)."""
    _EXTRA.insert(0, (cls, code, describe or _message))
    error_table.cache_clear()


def one_line(text: str) -> str:
    """`text` on one line, without anything that looks like a token, shortened if very long."""
    text = _BEARER.sub(r"\1[redacted]", _JWT.sub("[redacted]", text))
    text = " ".join(text.split())
    return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 3] + "..."


def describe(exc: BaseException, meta: dict[str, Any] | None = None) -> tuple[ExitCode, str] | None:
    """(exit code, one line) for a known error, None for an unexpected one."""
    meta = meta or {}
    if _is_token_reset(exc):
        return ExitCode.GAME_RESET, one_line(_token_reset(exc, meta))
    for cls, code, describe_one in error_table():
        if isinstance(exc, cls):
            return code, one_line(describe_one(exc, meta))
    return None


def log_path(meta: dict[str, Any]) -> Path:
    """Where internal errors are written: what the command set, else `cli.log` in the user's data directory."""
    return Path(meta.get(META_LOG_PATH) or default_data_dir() / "cli.log")


def report(exc: BaseException, ctx: click.Context | None = None) -> ExitCode:
    """Print the one-line message of `exc` on stderr and return its exit code; an unexpected error's
    traceback goes to the log file."""
    meta = ctx.meta if ctx is not None else {}
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`status | head`): nothing to tell it. Further writes to stdout must not fail
        # again at exit, so it is pointed at /dev/null.
        _silence_stdout()
        return ExitCode.FAILURE
    known = describe(exc, meta)
    if known is not None:
        code, line = known
    else:
        code = ExitCode.INTERNAL
        line = one_line(f"internal error ({type(exc).__name__}: {exc})") + "; " + _log_traceback(exc, log_path(meta))
    click.echo(f"error: {line}", err=True)
    return code


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # no real stdout (a test runner's): nothing will be written to a closed pipe


def _log_traceback(exc: BaseException, path: Path) -> str:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')} internal error\n")
            handle.write(_BEARER.sub(r"\1[redacted]", _JWT.sub("[redacted]", "".join(
                traceback.format_exception(exc)))))
    except OSError as write_error:
        return f"the details could not be written to {path} ({write_error.strerror})"
    return f"details in {path}"


# Click's own exceptions carry their exit code and message already.
_CLICK_OWN = (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit)


def friendly_errors(func: F) -> F:
    """Decorate a click callback: known errors become one line and their exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _CLICK_OWN:
            raise
        except Exception as exc:  # the edge: every error ends here as one line
            raise click.exceptions.Exit(report(exc, click.get_current_context(silent=True))) from None

    return wrapper  # type: ignore[return-value]


class FriendlyGroup(click.Group):
    """A click group whose sub-commands' errors are reported as by `friendly_errors`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _CLICK_OWN:
            raise
        except Exception as exc:  # the edge: every error ends here as one line
            raise click.exceptions.Exit(report(exc, ctx)) from None
