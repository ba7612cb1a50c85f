"""The rough edges a new user met, through the real click CLI: `status` and `analyze` find the daemon's database
without DATABASE_URL in the shell, an unknown player is an error, the status screen adds up (ship purchases
included) and shows cargo no run owns, and `--json` gives structured values."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import bootstrap
from adapters.cli.agent_command import CliEnvironment
from adapters.cli.errors import ExitCode
from adapters.cli.token_store import TokenStore
from adapters.daemon.paths import RunPaths
from adapters.game_server.app import GameApp
from adapters.game_server.faults import Fault, FaultInjector, FaultKind
from adapters.game_server.inprocess import BASE_URL, InProcessTransport
from adapters.game_server.rate_limit import RateLimiter, RateLimitSettings
from adapters.game_server.world import World
from application.repositories import RunInfo
from application.worker_jobs import WorkerResult
from domain.goods import TradeSymbol as T
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from tests.cli_support import cli_environment as environment
from tests.cli_support import run_cli as run
from tests.screen_text import table_rows

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def row(kind: TransactionType, category: TransactionCategory, amount: int, minutes_ago: float, operation: str,
        good: T, units: int, ship: str) -> LedgerTransaction:
    return LedgerTransaction(kind, category, amount, NOW - timedelta(minutes=minutes_ago), operation, good, units,
                             ship, "X1-T1-A1")


def seed(database_url: str) -> None:
    """A stopped run of ALPHA: a completed MACHINERY run, a ship bought, and a ship left holding IRON."""
    storage = bootstrap.open_storage(database_url)
    try:
        storage.runs.start_run(RunInfo("run-1", "ALPHA", "X1-T1", "STOPPED", NOW - timedelta(minutes=30), pid=1,
                                       strategies="ranking=default_ranking, ship=default_ship_selection"))
        storage.runs.record_result("run-1", WorkerResult(
            "mfg-1", "ALPHA-1", T.MACHINERY, NOW - timedelta(minutes=20), NOW - timedelta(minutes=10), 40, 9000,
            4000, True))
        storage.runs.record_result("run-1", WorkerResult(
            "mfg-2", "ALPHA-2", T.ELECTRONICS, NOW - timedelta(minutes=9), NOW - timedelta(minutes=5), 0, 0, 2400,
            False, True))
        for entry in (
                row(TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, 4000, 19, "mfg-1", T.IRON, 40, "ALPHA-1"),
                row(TransactionType.CREDIT, TransactionCategory.CARGO_TRADE, 9000, 11, "mfg-1", T.MACHINERY, 40,
                    "ALPHA-1"),
                row(TransactionType.DEBIT, TransactionCategory.SHIP_PURCHASE, 25_000, 15, "fleet-1", T.SHIP_PROBE, 1,
                    "ALPHA-3"),
                row(TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, 2400, 8, "mfg-2", T.COPPER, 30,
                    "ALPHA-2")):
            storage.ledger.record(entry)
    finally:
        storage.close()


def test_status_finds_the_daemons_database_without_database_url(data_dir: Path, tmp_path: Path) -> None:
    TokenStore(data_dir).save("ALPHA", "token-alpha")
    elsewhere = f"sqlite:///{tmp_path / 'shared.sqlite3'}"  # as if DATABASE_URL was set when the daemon started
    seed(elsewhere)
    paths = RunPaths.for_player(data_dir, "ALPHA").create()
    paths.database_record.write_text(elsewhere + "\n")

    out = run(environment(data_dir), "manufacturing", "status").stdout

    assert "No manufacturing run yet" not in out
    assert "Status: STOPPED" in out
    assert f"Database: {tmp_path / 'shared.sqlite3'}" in out


def test_the_status_screen_adds_up_and_shows_cargo_no_run_owns(data_dir: Path) -> None:
    TokenStore(data_dir).save("ALPHA", "token-alpha")
    seed(f"sqlite:///{RunPaths.for_player(data_dir, 'ALPHA').create().database_file}")

    result = run(environment(data_dir), "manufacturing", "status")

    assert result.exit_code == 0, result.output
    out = result.stdout
    money = table_rows(out, "Profit (this run)")
    assert [line[:3] for line in money] == [
        ["MACHINERY", "+5,000", "1 run, 1 completed"],
        ["ELECTRONICS", "-2,400", "1 run, 0 completed"],
        ["Ship purchases", "-25,000", "1 ship"],
        ["Total Profit (session)", "-22,400", money[-1][2]],  # 5,000 - 2,400 - 25,000: the lines above
    ]
    assert table_rows(out, "Cargo No Run Owns (bought and not sold, by the ledger)") == [
        ["ALPHA-2", "COPPER", "30", "2,400"]]
    stranded = out.split("Cargo No Run Owns (bought and not sold, by the ledger)\n")[1].split("\n\n")[0].splitlines()
    assert "once the daemon runs: the stranded-cargo pass sells it" in stranded[0]
    assert stranded[0].endswith("unless a run on that ship uses it first.")  # one line, whole (no terminal)


def test_status_json_has_structured_values(data_dir: Path) -> None:
    TokenStore(data_dir).save("ALPHA", "token-alpha")
    seed(f"sqlite:///{RunPaths.for_player(data_dir, 'ALPHA').create().database_file}")

    shown = json.loads(run(environment(data_dir), "manufacturing", "status", "--json").stdout)

    assert shown["strategies"] == {"ranking": "default_ranking", "ship": "default_ship_selection"}
    assert shown["ship_purchases"] == {"credits": -25_000, "ships": 1}
    assert shown["session_profit"] == sum(g["profit"] for g in shown["profit_by_good"].values()) + (
        shown["ship_purchases"]["credits"] + shown["other_money"])
    assert shown["stranded_cargo"] == [{"ship": "ALPHA-2", "good": "COPPER", "units": 30, "cost": 2400}]


def test_status_of_an_unknown_player_is_an_error(data_dir: Path) -> None:
    TokenStore(data_dir).save("ALPHA", "token-alpha")

    result = run(environment(data_dir), "manufacturing", "status", "--player", "NOBODY")

    assert result.exit_code == ExitCode.NO_AGENT, result.output
    assert "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("error: no player NOBODY here") and "known players: ALPHA" in line


# --- retries and lost answers, as the operator reads them -----------------------------------------------------------

class FailFirst(FaultInjector):
    """The first `count` requests get a 502 page or a 429 (the game's own bodies), then the game behaves."""

    def __init__(self, faults: list[Fault]) -> None:
        super().__init__()
        self._queue = list(faults)

    @property
    def active(self) -> bool:
        return True

    def before_call(self) -> Fault | None:
        return self._queue.pop(0) if self._queue else None

    def after_apply(self) -> Fault | None:
        return None


def faulty_environment(data_dir: Path, world: World, faults: list[Fault]) -> CliEnvironment:
    variables = {"ST_DATA_DIR": str(data_dir), "ST_METRICS_PORT": "0", "ST_API_BASE_URL": BASE_URL}
    app = GameApp(world, rate_limiter=RateLimiter(RateLimitSettings.disabled()), faults=FailFirst(faults))
    return CliEnvironment(env=variables, config_file=data_dir.parent / "absent.toml",
                          transport=InProcessTransport(app))


@pytest.fixture
def world():
    opened = World.open(None, seed=1)
    yield opened
    opened.close()


def test_a_command_that_succeeds_after_retries_prints_nothing_of_them(data_dir: Path, world, caplog) -> None:
    assert run(environment(data_dir, world), "agent", "register", "--symbol", "alpha").exit_code == 0
    env = faulty_environment(data_dir, world, [Fault(FaultKind.SERVER_ERROR, 502), Fault(FaultKind.RATE_LIMIT)])

    with caplog.at_level(logging.INFO, logger="adapters.game_api.client"):
        result = run(env, "agent", "show")

    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no raw retry warning in the terminal
    retries = [r.getMessage() for r in caplog.records if "trying again" in r.getMessage()]
    assert len(retries) == 2 and all(r.levelno == logging.INFO for r in caplog.records if "trying again" in
                                     r.getMessage())
    assert "/my/agent: the game answered 502; trying again in" in retries[0]
    assert "was refused for the rate limit (429)" in retries[1]
    assert not any(token in text for text in retries for token in ("Error(", "<html", "code=", "status="))
