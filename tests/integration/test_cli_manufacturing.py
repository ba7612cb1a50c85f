"""`spacetraders manufacturing start | status | stop` through the real click CLI, without starting the bot:
the status screen from a real database and daemon record, every one-line error of these commands (the game is the
embedded server's app in process), and the daemon's recovery and activity log on real storage."""
from __future__ import annotations

import io
import json
import logging
import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

import bootstrap
from adapters.cli.agent_command import CliEnvironment
from adapters.cli.errors import ExitCode
from adapters.cli.progress import Progress
from adapters.cli.token_store import TokenStore
from adapters.config.loader import ConfigError, load_settings
from adapters.daemon.activity_log import ActivityLog
from adapters.daemon.paths import RunPaths
from adapters.daemon.process import DetachedProcess
from adapters.daemon.recovery import recover
from adapters.daemon.state_file import DaemonInfo, write_info
from adapters.game_server.inprocess import BASE_URL
from adapters.game_server.serve import find_free_port
from adapters.game_server.storage import Store, outdated_world
from adapters.game_server.world import World
from tests.cli_support import cli_environment as environment
from tests.cli_support import run_cli as run
from application.repositories import LedgerIntent, RunInfo
from application.worker_jobs import WorkerResult
from application.work_allocation import lane_signal_per_hour
from domain.goods import SupplyLevel
from domain.goods import TradeSymbol as T
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.trade_route import TradeRoute
from plugins.manager import strategy_plugins
from tests.fake_game import FakeGame
from tests.fakes import FakeClock, make_market
from tests.screen_text import table_rows

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def world() -> Iterator[World]:
    opened = World.open(None, seed=1)
    yield opened
    opened.close()






def error_line(result: Result, code: ExitCode) -> str:
    """The one line a failed command printed on stderr (nothing else there, no traceback anywhere)."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def sleeper(data_dir: Path) -> Iterator[DetachedProcess]:
    """A live detached process recorded as ALPHA's daemon (stands in for a running bot)."""
    process = DetachedProcess(RunPaths.for_player(data_dir, "ALPHA"))
    process.start(SLEEPER)
    yield process
    process.stop(timeout=5.0)


# --- status -----------------------------------------------------------------------------------------------------

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def now() -> datetime:
    """Ages on the screen ("30 min ago") count from when each test seeds its data, not from the import."""
    global NOW
    NOW = datetime.now(UTC).replace(microsecond=0)
    return NOW


def opportunity(good: T, market: str, bid: int, inputs: tuple[T, ...]) -> ManufacturingOpportunity:
    children = tuple(SupplyChainNode(i, AcquisitionMethod.BUY, "X1-T1-S1") for i in inputs)
    tree = SupplyChainNode(good, AcquisitionMethod.FABRICATE, "X1-T1-F1", children=children)
    return ManufacturingOpportunity(good, market, bid, tree, NOW - timedelta(minutes=1))


def result(operation: str, good: T, minutes_ago: float, revenue: int, cost: int, success: bool = True,
           error: str | None = None) -> WorkerResult:
    finished = NOW - timedelta(minutes=minutes_ago)
    return WorkerResult(operation_id=operation, ship="ALPHA-1", good=good, started_at=finished - timedelta(minutes=5),
                        finished_at=finished, quantity_sold=40 if success else 0, revenue=revenue, cost=cost,
                        success=success, error=error)


def debit(amount: int, minutes_ago: float, operation: str = "mfg-2") -> LedgerTransaction:
    return LedgerTransaction(TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, amount,
                             NOW - timedelta(minutes=minutes_ago), operation, T.IRON, 10, "ALPHA-1", "X1-T1-S1")


def credit(amount: int, minutes_ago: float, operation: str = "mfg-2") -> LedgerTransaction:
    return LedgerTransaction(TransactionType.CREDIT, TransactionCategory.CARGO_TRADE, amount,
                             NOW - timedelta(minutes=minutes_ago), operation, T.MACHINERY, 40, "ALPHA-1", "X1-T1-A2")


def seed_run(data_dir: Path, state: str = "RUNNING") -> None:
    """ALPHA's token and a run in its database: opportunities, two results, a held ship, ledger rows, a market."""
    TokenStore(data_dir).save("ALPHA", "token-alpha", base_url=BASE_URL)
    paths = RunPaths.for_player(data_dir, "ALPHA")
    storage = bootstrap.open_storage(f"sqlite:///{paths.database_file}")
    try:
        storage.runs.start_run(RunInfo("run-1", "ALPHA", "X1-T1", state, NOW - timedelta(minutes=30), pid=1,
                                       strategies="ranking=default_ranking, ship=default_ship_selection"))
        storage.runs.save_opportunities("run-1", [
            opportunity(T.ADVANCED_CIRCUITRY, "X1-T1-A3", 8500, (T.ELECTRONICS, T.MICROPROCESSORS)),
            opportunity(T.MACHINERY, "X1-T1-A2", 2100, (T.IRON,)),
        ])
        storage.runs.record_result("run-1", result("mfg-1", T.PLASTICS, 8, 3000, 1110))
        storage.runs.record_result("run-1", result("mfg-2", T.MACHINERY, 2, 9000, 4770))
        storage.runs.record_result("run-1", result("mfg-3", T.MACHINERY, 1, 0, 300, success=False,
                                                   error="ProductionTimeout: no output"))
        storage.assignments.try_assign("ALPHA-1", "mfg-4", "run-1", NOW + timedelta(minutes=5), NOW)
        storage.assignments.set_activity("ALPHA-1", "flying to X1-T1-A3", NOW + timedelta(seconds=100))
        storage.assignments.try_assign("OTHER-1", "mfg-9", "run-x", NOW + timedelta(minutes=5), NOW)
        storage.ledger.record(debit(4770, 10))
        storage.ledger.record(credit(9000, 3))
        storage.ledger.record(debit(999, 40, "mfg-0"))  # before the run: not part of the session
        storage.markets.record(make_market("X1-T1-A3", imports={"ADVANCED_CIRCUITRY": 8500}, observed_at=NOW))
    finally:
        storage.close()


def test_status_screen_from_live_data(data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)
    record = sleeper.read_record()
    assert record is not None
    write_info(sleeper.paths, DaemonInfo(
        pid=record.pid, player="ALPHA", system="X1-T1", base_url="http://127.0.0.1:1/v2", embedded=True,
        time_scale=60.0, run_id="run-1", started_at=NOW.isoformat(), log_file=str(sleeper.log_file),
        database="db", metrics_url="http://127.0.0.1:9999/metrics", max_workers=5,
        strategies="ranking=default_ranking, ship=default_ship_selection"))

    result_ = run(environment(data_dir), "manufacturing", "status")

    assert result_.exit_code == 0, result_.output
    out = result_.stdout
    assert "Manufacturing Arbitrage Status" in out
    assert f"Status: RUNNING (pid {record.pid}, since 30 min ago)" in out
    assert "System: X1-T1" in out
    assert "Game: http://127.0.0.1:1/v2 (embedded, speed 60)" in out
    assert "Strategies: ranking=default_ranking, ship=default_ship_selection" in out
    # The record of an older daemon does not say trading's maximum: the settings' (3) stands in.
    assert "Active Workers: manufacturing 1/5, arbitrage 0/10" in out
    assert table_rows(out, "Ships Assigned (1)") == [  # OTHER-1 belongs to another player
        ["ALPHA-1", "mfg-4", "flying to X1-T1-A3", "in 1 min"]]
    assert table_rows(out, "Discovered Opportunities") == [
        ["1", "ADVANCED_CIRCUITRY", "X1-T1-A3", "8,500", "1", "ELECTRONICS, MICROPROCESSORS"],
        ["2", "MACHINERY", "X1-T1-A2", "2,100", "1", "IRON"]]
    assert table_rows(out, "Recent Completions") == [
        ["MACHINERY", "manufacturing", "-300", "failed: ProductionTimeout: no output", "1 min ago", "ALPHA-1", "0"],
        ["MACHINERY", "manufacturing", "+4,230", "completed", "2 min ago", "ALPHA-1", "40"],
        ["PLASTICS", "manufacturing", "+1,890", "completed", "8 min ago", "ALPHA-1", "40"]]
    money = table_rows(out, "Profit (this run)")
    assert money[:3] == [
        ["MACHINERY", "+3,930", "2 runs, 1 completed"],
        ["PLASTICS", "+1,890", "1 run, 1 completed"],
        ["Runs in progress, other fuel", "-1,590", "-"]]  # (the seeded ledger lacks the older runs' rows)
    assert money[3][:2] == ["Total Profit (session)", "+4,230"]  # the lines above added up
    assert money[3][2].startswith("ledger since ")
    assert "\x1b" not in out  # not a terminal: plain text
    assert "Market Coverage: 1 markets priced, 1 fresh" in out
    assert "Metrics: http://127.0.0.1:9999/metrics" in out


def test_status_json_for_scripts(data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)

    shown = json.loads(run(environment(data_dir), "manufacturing", "status", "--player", "alpha", "--json").stdout)

    assert shown["state"] == "RUNNING" and shown["run"]["id"] == "run-1"
    assert shown["workers"] == {"manufacturing": {"active": 1, "max": 5}, "arbitrage": {"active": 0, "max": 10},
                                "clearances": 0}
    assert [s["ship"] for s in shown["ships"]] == ["ALPHA-1"]
    assert shown["ships"][0]["until"] == (NOW + timedelta(seconds=100)).isoformat()
    assert [(o["good"], o["price"], o["depth"]) for o in shown["opportunities"]] == [
        ("ADVANCED_CIRCUITRY", 8500, 1), ("MACHINERY", 2100, 1)]
    assert shown["profit_by_good"]["MACHINERY"] == {"profit": 3930, "runs": 2, "completed": 1}
    assert shown["session_profit"] == 4230
    assert shown["recent_completions"][0]["outcome"] == "failed"
    assert shown["paused_goods"] is None  # not known without the daemon's record


def test_status_shows_manufacturing_and_trade_arbitrage_side_by_side(data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)
    storage = bootstrap.open_storage(f"sqlite:///{RunPaths.for_player(data_dir, 'ALPHA').database_file}")
    try:
        storage.runs.record_result("run-1", result("arb-1", T.IRON, 3, 5000, 2000))
        storage.assignments.try_assign("ALPHA-2", "arb-2", "run-1", NOW + timedelta(minutes=5), NOW)
    finally:
        storage.close()

    shown = json.loads(run(environment(data_dir), "manufacturing", "status", "--json").stdout)
    text = run(environment(data_dir), "manufacturing", "status").stdout

    assert shown["profit_by_kind"] == {"manufacturing": {"profit": 5820, "runs": 3, "working": 1},
                                       "arbitrage": {"profit": 3000, "runs": 1, "working": 1}}
    assert shown["workers"]["manufacturing"]["active"] == shown["workers"]["arbitrage"]["active"] == 1
    assert table_rows(text, "Kind of Work (this run)") == [["manufacturing", "+5,820", "3", "1"],
                                                           ["arbitrage", "+3,000", "1", "1"]]
    assert ["IRON", "arbitrage", "+3,000"] in [row[:3] for row in table_rows(text, "Recent Completions")]
    assert {(c["good"], c["kind"]) for c in shown["recent_completions"]} >= {("IRON", "arbitrage"),
                                                                             ("MACHINERY", "manufacturing")}
    assert table_rows(text, "Ships Assigned (2)")[1][:2] == ["ALPHA-2", "arb-2"]


def write_record(sleeper: DetachedProcess, **fields: Any) -> None:
    """The record of the daemon `sleeper` stands in for, as the daemon writes it."""
    record = sleeper.read_record()
    assert record is not None
    write_info(sleeper.paths, DaemonInfo(
        pid=record.pid, player="ALPHA", system="X1-T1", base_url="http://127.0.0.1:1/v2", embedded=True,
        run_id="run-1", started_at=NOW.isoformat(), log_file=str(sleeper.log_file), database="db",
        **{"time_scale": 1.0, **fields}))


def test_status_counts_each_kind_s_workers_against_its_own_maximum_and_the_clearances(
        data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)  # ALPHA-1 makes goods under mfg-4
    storage = bootstrap.open_storage(f"sqlite:///{RunPaths.for_player(data_dir, 'ALPHA').database_file}")
    try:
        for ship, operation in (("ALPHA-2", "arb-2"), ("ALPHA-3", "arb-3"), ("ALPHA-4", "clear-5"),
                                ("ALPHA-5", "scout-1")):  # the scout's probe is no worker
            storage.assignments.try_assign(ship, operation, "run-1", NOW + timedelta(minutes=5), NOW)
    finally:
        storage.close()
    write_record(sleeper, max_workers=4, arbitrage_max_workers=2)

    text = run(environment(data_dir), "manufacturing", "status").stdout
    shown = json.loads(run(environment(data_dir), "manufacturing", "status", "--json").stdout)

    assert "Active Workers: manufacturing 1/4, arbitrage 2/2, clearing stranded cargo 1" in text
    assert shown["workers"] == {"manufacturing": {"active": 1, "max": 4}, "arbitrage": {"active": 2, "max": 2},
                                "clearances": 1}


def test_status_says_a_kind_of_work_is_off(data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)
    write_record(sleeper, max_workers=5, arbitrage_max_workers=0)

    text = run(environment(data_dir), "manufacturing", "status").stdout

    assert "Active Workers: manufacturing 1/5, arbitrage off" in text


def record_results(data_dir: Path, *results: tuple[str, WorkerResult]) -> None:
    storage = bootstrap.open_storage(f"sqlite:///{RunPaths.for_player(data_dir, 'ALPHA').database_file}")
    try:
        for run_id, item in results:
            storage.runs.record_result(run_id, item)
    finally:
        storage.close()


def test_status_shows_the_goods_each_kind_paused_after_losing_runs_when_they_end_and_why(
        data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)  # run-1 started 30 min ago; its MACHINERY runs earned, then one failed
    record_results(
        data_dir,
        # An earlier run's two losing trades of IRON, replayed at the start: paused until 34.5 + 60 min.
        ("run-0", result("arb-8", T.IRON, 35.5, 1000, 1500)), ("run-0", result("arb-9", T.IRON, 34.5, 1000, 1500)),
        ("run-1", result("mfg-7", T.COPPER, 4.5, 5000, 30_000)),  # one big loss
        ("run-1", result("clear-1", T.FUEL, 3.5, 0, 90_000)))  # a clearance is no kind of work's run: no pause
    rule = {"losses": 2, "seconds": 3600.0, "loss_over": 20_000}
    write_record(sleeper, max_workers=5, arbitrage_max_workers=3,
                 loss_pauses={"manufacturing": rule, "arbitrage": rule})

    text = run(environment(data_dir), "manufacturing", "status").stdout
    shown = json.loads(run(environment(data_dir), "manufacturing", "status", "--json").stdout)

    assert table_rows(text, "Paused Goods (after losing runs)") == [
        ["IRON", "arbitrage", "in 25 min", "2 losing runs in a row"],
        ["COPPER", "manufacturing", "in 55 min", "a run lost 25,000 credits"]]
    assert [(p["good"], p["kind"], p["reason"], p["pauses_in_a_row"]) for p in shown["paused_goods"]] == [
        ("IRON", "arbitrage", "2 losing runs in a row", 1),
        ("COPPER", "manufacturing", "a run lost 25,000 credits", 1)]
    assert shown["paused_goods"][1]["until"] == (NOW + timedelta(minutes=55.5)).isoformat()


def test_status_rebuilds_the_pauses_of_an_older_daemon_with_the_settings_at_its_game_s_speed(
        data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)
    record_results(data_dir, ("run-1", result("arb-1", T.IRON, 0.5, 1000, 1500)))
    write_record(sleeper, max_workers=5, time_scale=60.0)  # no loss pause rules in its record
    env = {"ST_ARBITRAGE_PAUSE_AFTER_LOSS_OVER": "100", "ST_ARBITRAGE_PAUSE_AFTER_LOSSES_FOR": "10h"}

    text = run(environment(data_dir, **env), "manufacturing", "status").stdout

    # 10 game hours at speed 60 are 10 minutes; the trade lost 500 credits, over the 100 that pause at once.
    assert table_rows(text, "Paused Goods") == [["IRON", "arbitrage", "in 9 min", "a run lost 500 credits"]]


def test_status_says_when_no_good_is_paused(data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)  # one failed MACHINERY run after one that earned: a streak of one
    write_record(sleeper, max_workers=5)

    text = run(environment(data_dir), "manufacturing", "status").stdout

    assert "Paused Goods (after losing runs)\n  none" in text
    assert json.loads(run(environment(data_dir), "manufacturing", "status", "--json").stdout)["paused_goods"] == []


def test_status_keeps_clearances_of_stranded_cargo_apart_from_both_kinds_of_work(
        data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)
    record_results(data_dir, ("run-1", result("clear-1", T.FUEL, 0.5, 700, 1000)))

    text = run(environment(data_dir), "manufacturing", "status").stdout
    shown = json.loads(run(environment(data_dir), "manufacturing", "status", "--json").stdout)

    assert table_rows(text, "Recent Completions")[0][:3] == ["FUEL", "clearance", "-300"]
    assert table_rows(text, "Kind of Work (this run)") == [["manufacturing", "+5,820", "3", "1"],
                                                           ["arbitrage", "+0", "0", "0"],
                                                           ["clearance", "-300", "1", "0"]]
    assert shown["profit_by_kind"]["clearance"] == {"profit": -300, "runs": 1, "working": 0}
    assert shown["recent_completions"][0]["kind"] == "clearance"


def trade_route(good: T, buy: str, sell: str, ask: int, bid: int, seen_minutes_ago: float,
                distance: float = 30.0) -> TradeRoute:
    return TradeRoute(good, f"X1-T1-{buy}", f"X1-T1-{sell}", ask, bid, trade_volume=6, buy_supply=SupplyLevel.HIGH,
                      observed_at=NOW - timedelta(minutes=seen_minutes_ago), discovered_at=NOW, distance=distance)


def test_status_shows_the_ranked_trade_routes_beside_the_opportunities(data_dir: Path, sleeper: DetachedProcess
                                                                       ) -> None:
    seed_run(data_dir)
    routes = [trade_route(T.IRON, "A2", "B3", 1_040, 2_310, 4.5), trade_route(T.COPPER, "A2", "C4", 95, 180, 12.5)]
    storage = bootstrap.open_storage(f"sqlite:///{RunPaths.for_player(data_dir, 'ALPHA').database_file}")
    try:
        storage.runs.save_routes("run-1", routes)
    finally:
        storage.close()

    text = run(environment(data_dir), "manufacturing", "status").stdout
    shown = json.loads(run(environment(data_dir), "manufacturing", "status", "--json").stdout)

    signals = [lane_signal_per_hour(route) for route in routes]  # the lane's own promise, as the ranking reads it
    # A lot's profit, what the default trade ranking orders by: the margin on one trade volume (6 here).
    assert table_rows(text, "Trade Routes (arbitrage)") == [
        ["1", "IRON", "X1-T1-A2 -> X1-T1-B3", "1,040", "2,310", "24", "7,620", f"{signals[0]:,.0f}", "4 min ago"],
        ["2", "COPPER", "X1-T1-A2 -> X1-T1-C4", "95", "180", "24", "510", f"{signals[1]:,.0f}", "12 min ago"]]
    assert signals[0] > 10_000  # shown with thousands separators
    assert text.index("Discovered Opportunities (manufacturing)") < text.index("Trade Routes (arbitrage)")
    assert shown["trade_routes"][0] == {
        "rank": 1, "good": "IRON", "buy_market": "X1-T1-A2", "sell_market": "X1-T1-B3", "ask": 1040, "bid": 2310,
        "units_per_trip": 24, "lot_profit": 7620, "signal_per_game_hour": round(signals[0]),
        "prices_seen_at": (NOW - timedelta(minutes=4.5)).isoformat()}


def test_status_says_why_a_kind_of_work_has_nothing_listed(data_dir: Path, sleeper: DetachedProcess) -> None:
    seed_run(data_dir)  # opportunities, no routes
    write_record(sleeper, max_workers=5, arbitrage_max_workers=0)

    text = run(environment(data_dir), "manufacturing", "status").stdout
    write_record(sleeper, max_workers=5, arbitrage_max_workers=3)
    scouting = run(environment(data_dir), "manufacturing", "status").stdout

    assert "Trade Routes (arbitrage)\n  none: this kind of work is off" in text
    assert "Trade Routes (arbitrage)\n  none yet (markets are still being scouted)" in scouting


def test_status_after_a_crash_says_how_to_recover(data_dir: Path) -> None:
    seed_run(data_dir)  # the run never reached STOPPED and no process is there: killed

    out = run(environment(data_dir), "manufacturing", "status").stdout

    assert "Status: CRASHED" in out
    assert "manufacturing start --player ALPHA` ends them, reconciles the ships still held" in out
    assert "Paused Goods" not in out  # the daemon's state, gone with it: a start rebuilds it under its own rules


def test_status_of_a_stopped_run(data_dir: Path) -> None:
    seed_run(data_dir, state="STOPPED")

    out = run(environment(data_dir), "manufacturing", "status").stdout

    assert "Status: STOPPED" in out


def test_status_before_any_run(data_dir: Path) -> None:
    TokenStore(data_dir).save("ALPHA", "token-alpha")

    result_ = run(environment(data_dir), "manufacturing", "status")

    assert result_.exit_code == 0, result_.output
    assert "Status: NOT STARTED" in result_.stdout
    assert "No manufacturing run yet" in result_.stdout


# --- the errors of the issue: one line, a distinct exit code, no traceback ------------------------------------------

def registered(world: World, data_dir: Path, **env: str) -> CliEnvironment:
    environment_ = environment(data_dir, world, **env)
    assert run(environment_, "agent", "register", "--symbol", "alpha").exit_code == 0
    return environment_


def test_start_in_an_unknown_system(world: World, data_dir: Path) -> None:
    env = registered(world, data_dir)

    line = error_line(run(env, "manufacturing", "start", "--system", "X1-NOPE"), ExitCode.BAD_INPUT)

    assert "unknown system X1-NOPE" in line
    assert not DetachedProcess(RunPaths.for_player(data_dir, "ALPHA")).pid_file.exists()


def test_start_in_a_malformed_system(world: World, data_dir: Path) -> None:
    env = registered(world, data_dir)

    line = error_line(run(env, "manufacturing", "start", "--system", "no such/system"), ExitCode.BAD_INPUT)

    assert "system" in line


def test_start_without_an_agent(world: World, data_dir: Path) -> None:
    line = error_line(run(environment(data_dir, world), "manufacturing", "start"), ExitCode.NO_AGENT)

    assert "spacetraders agent register" in line


def test_start_while_already_running(world: World, data_dir: Path, sleeper: DetachedProcess) -> None:
    env = registered(world, data_dir)

    line = error_line(run(env, "manufacturing", "start", "--player", "alpha"), ExitCode.ALREADY_RUNNING)

    assert "already running" in line and "manufacturing stop --player ALPHA" in line


def test_stop_when_not_running(world: World, data_dir: Path) -> None:
    env = registered(world, data_dir)

    line = error_line(run(env, "manufacturing", "stop"), ExitCode.NOT_RUNNING)

    assert "not running" in line and "manufacturing start --player ALPHA" in line


def test_start_with_the_server_unreachable(data_dir: Path) -> None:
    url = f"http://127.0.0.1:{find_free_port()}/v2"  # nothing listens there
    env = environment(data_dir, ST_API_BASE_URL=url, ST_API_MAX_ATTEMPTS="1", ST_PLAYER="ALPHA")
    TokenStore(data_dir).save("ALPHA", "token-alpha", base_url=url)

    line = error_line(run(env, "manufacturing", "start"), ExitCode.UNAVAILABLE)

    assert f"cannot reach the game server at {url}" in line


def test_start_with_a_token_from_before_a_reset(world: World, data_dir: Path) -> None:
    registered(world, data_dir)
    reset = World.open(None, seed=2)  # a new game: it never heard of ALPHA's token
    try:
        line = error_line(run(environment(data_dir, reset), "manufacturing", "start"), ExitCode.AUTH)
    finally:
        reset.close()

    assert "refused the token" in line and "register again with `spacetraders agent register`" in line


def test_start_with_an_unknown_strategy(world: World, data_dir: Path) -> None:
    env = registered(world, data_dir, ST_STRATEGY_RANKING="cheapest_first")

    line = error_line(run(env, "manufacturing", "start"), ExitCode.CONFIG)

    assert "strategy.ranking = 'cheapest_first' (ST_STRATEGY_RANKING)" in line
    assert "known: default_ranking" in line


def test_start_with_an_unknown_trade_ranking(world: World, data_dir: Path) -> None:
    env = registered(world, data_dir, ST_ARBITRAGE_RANKING="cheapest_first")

    line = error_line(run(env, "manufacturing", "start"), ExitCode.CONFIG)

    assert "arbitrage.ranking = 'cheapest_first' (ST_ARBITRAGE_RANKING)" in line


# --- strategy selection ---------------------------------------------------------------------------------------------

def test_the_configured_strategies_are_the_ones_asked() -> None:
    manager = bootstrap.select_strategies(load_settings({}))

    assert strategy_plugins(manager) == {"spacetraders_rank_opportunities": ["default_ranking"],
                                         "spacetraders_select_ship": ["default_ship_selection"]}


def test_an_unknown_ship_selection_names_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"strategy\.ship_selection = 'nope'.*known: default_ship_selection"):
        bootstrap.select_strategies(load_settings({"ST_STRATEGY_SHIP_SELECTION": "nope"}))


# --- the daemon's pieces --------------------------------------------------------------------------------------------

def test_recovery_releases_every_held_ship_with_its_real_state(tmp_path: Path) -> None:
    clock = FakeClock()
    game = FakeGame(clock, agent="ALPHA")
    game.add_waypoint("X1-T1-A1", 0, 0)
    game.add_ship("ALPHA-1", "X1-T1-A1", inventory={"IRON": 12})
    now = clock.now()
    storage = bootstrap.open_storage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        storage.runs.start_run(RunInfo("run-old", "ALPHA", "X1-T1", "RUNNING", now - timedelta(hours=1), pid=4242))
        storage.assignments.try_assign("ALPHA-1", "mfg-7", "run-old", now + timedelta(minutes=4), now)
        storage.assignments.try_assign("OTHER-1", "mfg-8", "run-x", now + timedelta(minutes=4), now)
        storage.ledger.record(LedgerTransaction(TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, 480, now,
                                                "mfg-7", T.IRON, 12, "ALPHA-1", "X1-T1-A1"))

        report = recover("ALPHA", runs=storage.runs, assignments=storage.assignments, ledger=storage.ledger,
                         game=game, now=now, log=logging.getLogger("test"))

        assert report.crashed_run == "run-old"
        assert storage.runs.latest_run("ALPHA").state == "CRASHED"
        assert report.released == ("ALPHA-1",)
        assert [a.ship for a in storage.assignments.assigned()] == ["OTHER-1"]  # another player's: untouched
        [note] = report.notes
        assert "docked at X1-T1-A1, holding 12 IRON" in note and "spent 480" in note
        again = recover("ALPHA", runs=storage.runs, assignments=storage.assignments, ledger=storage.ledger,
                        game=game, now=now)
        assert again.crashed_run is None and again.released == ()
    finally:
        storage.close()



def test_recovery_deletes_the_intents_closed_before_the_retention_and_keeps_the_open_ones(tmp_path: Path) -> None:
    clock = FakeClock()
    now = clock.now()
    storage = bootstrap.open_storage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        for intent_id in ("closed-long-ago", "closed-lately", "open-long-ago"):
            storage.ledger.open_intent(LedgerIntent(intent_id, "ALPHA", TransactionCategory.CARGO_TRADE,
                                                    TransactionType.DEBIT, 5_000, now - timedelta(days=60)))
        for intent_id, age in (("closed-long-ago", timedelta(days=8)), ("closed-lately", timedelta(days=6))):
            storage.ledger.close_intent(intent_id, LedgerTransaction(
                TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, 480, now - age, "mfg-7", T.IRON, 12,
                "ALPHA-1", "X1-T1-A1"), "answered")

        report = recover("ALPHA", runs=storage.runs, assignments=storage.assignments, ledger=storage.ledger,
                         game=FakeGame(clock, agent="ALPHA"), now=now, intent_retention=timedelta(days=7))

        assert report.purged == 1
        assert [i.intent_id for i in storage.ledger.open_intents("ALPHA")] == ["open-long-ago"]
        assert storage.ledger.purge_closed_intents(now) == 1  # the one closed lately is still there
    finally:
        storage.close()

def test_the_activity_log_tells_each_change_once(tmp_path: Path) -> None:
    now = NOW
    storage = bootstrap.open_storage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        activity = ActivityLog(storage.assignments, "ALPHA", now=lambda: now)
        storage.assignments.try_assign("ALPHA-1", "mfg-1", "run-1", now + timedelta(minutes=5), now)
        storage.assignments.set_activity("ALPHA-1", "flying to X1-T1-A3", now + timedelta(seconds=95))

        assert activity.poll() == ["ALPHA-1: flying to X1-T1-A3 (in 1 min 35 s)"]
        assert activity.poll() == []
        storage.assignments.set_activity("ALPHA-1", "waiting for FOOD at X1-T1-F1 since 12:00:00")
        assert activity.poll() == ["ALPHA-1: waiting for FOOD at X1-T1-F1 since 12:00:00"]
        storage.assignments.release("ALPHA-1", "mfg-1")
        assert activity.poll() == ["ALPHA-1: released"]
    finally:
        storage.close()


def test_progress_in_plain_lines_when_not_on_a_terminal() -> None:
    stream = io.StringIO()
    with Progress("Starting the game server", stream=stream, interactive=False) as progress:
        progress.done("Game server up")

    lines = stream.getvalue().splitlines()
    assert lines[0] == "Starting the game server..."
    assert lines[1].startswith("Game server up (") and lines[1].endswith(" s)")


def test_progress_redraws_one_line_on_a_terminal() -> None:
    stream = io.StringIO()
    with Progress("Stopping", stream=stream, interactive=True):
        time.sleep(0.35)  # a few frames of the spinner

    shown = stream.getvalue()
    spinner, outcome = shown.rsplit("\x1b[2K", 1)  # the spinner's line erased, the outcome in its place
    assert spinner.count("Stopping... 0 s") >= 2 and spinner.count("\r\x1b[2K") >= 2  # redrawn on its line
    assert re.fullmatch(r"Stopping: done \(0\.[34]\d* s\)\n", outcome.replace("\x1b[?25h", "")), repr(shown)


def test_progress_says_nothing_when_quiet_even_on_a_terminal() -> None:
    stream = io.StringIO()
    with Progress("Refreshing", stream=stream, interactive=True, quiet=True) as progress:
        progress.done("Refreshed 2 markets")

    assert stream.getvalue() == ""


def test_start_renews_an_embedded_world_of_an_older_server_version(data_dir: Path) -> None:
    """The embedded world was stored by an older server version (its universe changed since): start begins a new
    era of it, says so in one line, and registers the player's agent again, whose old token the new era refuses.
    (The start then stops at an unknown system, stopping the server it started: no daemon is run.)"""
    world_dir = data_dir / "game-server"
    old = World.open(world_dir, seed=1)
    try:
        assert run(environment(data_dir, old), "agent", "register", "--symbol", "alpha").exit_code == 0
    finally:
        old.close()
    store = Store.in_dir(world_dir)
    store.set_meta("schema", "1")
    store.close()
    old_token = TokenStore(data_dir).load("ALPHA").token

    result = run(environment(data_dir), "manufacturing", "start", "--system", "X1-NOPE")

    assert "unknown system X1-NOPE" in error_line(result, ExitCode.BAD_INPUT)
    lines = result.stdout.splitlines()
    assert (f"The embedded game world in {world_dir} was made by an older version of the game server; starting a "
            "new era of it (its agents register again)") in lines
    assert "The embedded game no longer knows ALPHA (its world was reset); registering it again" in lines
    assert any(line.startswith("Registered agent ALPHA (COSMIC)") for line in lines), lines
    assert TokenStore(data_dir).load("ALPHA").token != old_token
    assert outdated_world(world_dir) is None
    assert DetachedProcess(RunPaths.for_player(data_dir, "ALPHA"), "server").read_record() is None
