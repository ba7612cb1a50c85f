"""The status screen and its JSON from a StatusReport made by hand: the lines of both kinds of work that the seeded
databases of tests/integration/test_cli_manufacturing.py do not reach (pauses in a row, a kind turned off while
its workers finish, more routes than the screen lists)."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from adapters.cli.console import screen_console
from adapters.cli.status_report import TOP_ROUTES, RouteLine, ShipLine, StatusReport, render_status, status_json
from application.loss_pauses import Pause
from application.repositories import RunInfo
from domain.goods import TradeSymbol
from tests.screen_text import table_rows

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def report(**fields: object) -> StatusReport:
    values: dict[str, object] = dict(
        player="ALPHA", state="RUNNING", now=NOW, pid=42, info=None, system="X1-T1", max_workers=5,
        run=RunInfo("run-1", "ALPHA", "X1-T1", "RUNNING", NOW - timedelta(hours=1)), strategies="ranking=a, ship=b",
        log_file="daemon.log", database="db", arbitrage_max_workers=3, paused=())
    values.update(fields)
    return StatusReport(**values)  # type: ignore[arg-type]


def screen(shown: StatusReport) -> str:
    out = io.StringIO()
    screen_console(out).print(render_status(shown))
    return out.getvalue()


def test_a_good_paused_again_before_it_earned_says_how_much_longer_its_pause_is() -> None:
    again = Pause("manufacturing", TradeSymbol.CLOTHING, NOW - timedelta(minutes=1), NOW + timedelta(minutes=239),
                  "2 losing runs in a row", count=3)

    text = screen(report(paused=(again,)))

    assert table_rows(text, "Paused Goods") == [["CLOTHING", "manufacturing", "in 3 h 59 min",
                                                 "2 losing runs in a row; paused 3 times in a row, so 4x as long"]]
    assert status_json(report(paused=(again,)))["paused_goods"] == [{
        "good": "CLOTHING", "kind": "manufacturing", "since": "2025-01-01T11:59:00+00:00",
        "until": "2025-01-01T15:59:00+00:00", "reason": "2 losing runs in a row", "pauses_in_a_row": 3}]


def test_a_kind_turned_off_still_shows_the_workers_it_has_left() -> None:
    ships = (ShipLine("ALPHA-1", "arb-1", "selling IRON", None), ShipLine("ALPHA-2", "clear-3", "", None))

    text = screen(report(ships=ships, arbitrage_max_workers=0))

    assert "Active Workers: manufacturing 0/5, arbitrage off (1 still working), clearing stranded cargo 1" in text


def test_the_screen_lists_the_best_routes_and_says_how_many_there_are() -> None:
    routes = tuple(RouteLine(rank, "IRON", "X1-T1-A2", f"X1-T1-B{rank}", 100, 300, 40, 12_000.4, NOW, 4_000)
                   for rank in range(1, TOP_ROUTES + 3))

    text = screen(report(routes=routes))

    listed = table_rows(text, f"Trade Routes (arbitrage) (top {TOP_ROUTES} of {TOP_ROUTES + 2})")
    assert [row[0] for row in listed] == [str(rank) for rank in range(1, TOP_ROUTES + 1)]
    assert listed[0][5:] == ["40", "4,000", "12,000", "just now"]
    assert len(status_json(report(routes=routes))["trade_routes"]) == TOP_ROUTES + 2  # scripts get them all


def test_cargo_a_trade_run_left_shows_as_owned_by_no_run_like_a_manufacturing_run_s():
    from adapters.cli.status_report import StrandedLine, _stranded
    from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
    from domain.symbols import ShipSymbol

    def bought(category: TransactionCategory, operation: str, ship: str, units: int, amount: int) -> LedgerTransaction:
        return LedgerTransaction(TransactionType.DEBIT, category, amount, NOW, operation, TradeSymbol.IRON, units,
                                 ShipSymbol(ship))

    rows = [bought(TransactionCategory.TRADE_ARBITRAGE, "arb-1", "ALPHA-3", 20, 2400),
            bought(TransactionCategory.CARGO_TRADE, "mfg-1", "ALPHA-4", 10, 1500)]
    assert _stranded(rows, "ALPHA-", set()) == (StrandedLine("ALPHA-3", "IRON", 20, 2400),
                                               StrandedLine("ALPHA-4", "IRON", 10, 1500))


def test_clearances_of_stranded_cargo_are_no_good_s_runs_and_show_on_a_line_of_their_own():
    from adapters.cli.status_report import GoodProfit, _by_good, _cleared
    from application.worker_jobs import WorkerResult
    from domain.symbols import ShipSymbol

    def ended(operation: str, revenue: int, cost: int) -> WorkerResult:
        return WorkerResult(operation, ShipSymbol("ALPHA-3"), TradeSymbol.IRON, NOW - timedelta(minutes=5), NOW,
                            revenue=revenue, cost=cost, success=True)

    results = [ended("arb-1", 3_000, 2_000), ended("clear-1", 700, 0), ended("mfg-1", 500, 900)]
    assert _by_good(results) == (GoodProfit("IRON", 600, 2, 2),)
    assert _cleared(results) == (700, 1)
    shown = report(session_profit=1_300, by_good=_by_good(results), cleared=_cleared(results))
    assert shown.other_money == 0
    assert ["Stranded cargo cleared", "+700", "1 clearance"] in table_rows(screen(shown), "Profit (this run)")
