"""No cargo stays stranded: a run stopped while its ship holds what it bought, or cut off by a game server outage,
leaves the cargo on an idle ship; the next run of the bot sells it under an operation of its own (a stranded-cargo
clearance, `clear-...`: never inside a manufacturing run that has no use for it, whose profit its money would
inflate; only a run whose own tree uses a good may deliver it), and every credit of both runs is in the ledger."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.game_server.http_server_process import GameServerProcess
from application.game_errors import GameUnavailable
from domain.ledger import TransactionCategory, TransactionType, net_credits
from tests.e2e.bot_run import BotRun, RunRecord

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

SPEED = 120.0


def bought(bot: BotRun) -> bool:
    """A worker has bought goods it still holds (a purchase of a run, before any sale of that run)."""
    ledger = bot.container.ledger()
    for result_ship, operation in _running(bot):
        rows = ledger.transactions_of_operation(operation)
        if any(r.category is TransactionCategory.CARGO_TRADE and r.type is TransactionType.DEBIT for r in rows):
            return True
    return False


def _running(bot: BotRun):
    return [(held.ship, held.operation_id) for held in bot.container.assignments().assigned()
            if held.operation_id.startswith("mfg-")]


def held_cargo(bot: BotRun) -> dict[str, dict]:
    return {ship.symbol: dict(ship.inventory) for ship in bot.container.game().ships() if ship.inventory}


def stranded_sales(record: RunRecord, stranded: dict[str, dict]) -> list:
    """The ledger rows of the run of `record` that sold goods of `stranded` from the ships that held them."""
    return [row for row in record.ledger_rows
            if row.type is TransactionType.CREDIT and row.category is TransactionCategory.CARGO_TRADE
            and row.ship in stranded and row.good in stranded[row.ship]]


def sold_after(record: RunRecord, stranded: dict[str, dict]) -> list[str]:
    """The ships of `stranded` whose goods were sold in the run of `record`."""
    return sorted({row.ship for row in stranded_sales(record, stranded)})


def made_or_used(recipes: dict[str, tuple[str, ...]], good: str) -> set[str]:
    """`good` and every good its making can consume (its recipe's inputs, theirs, and so on)."""
    found, todo = set(), [good]
    while todo:
        item = todo.pop()
        if item not in found:
            found.add(item)
            todo.extend(recipes.get(item, ()))
    return found


def sold_by_a_run_that_has_no_use_for_them(record: RunRecord, stranded: dict[str, dict],
                                           recipes: dict[str, tuple[str, ...]]) -> list:
    """Sales of stranded goods by a manufacturing run whose good neither is nor is made from them (what a run that
    sold the leftovers in its hold inside its own operation did); a clearance sells them under one of its own."""
    made = {result.operation_id: str(result.good) for result in record.results}
    return [(row.operation_id, row.ship, row.good) for row in stranded_sales(record, stranded)
            if (row.operation_id or "").startswith("mfg-")
            and str(row.good) not in made_or_used(recipes, made.get(row.operation_id or "", ""))]


def recipes_of(bot: BotRun) -> dict[str, tuple[str, ...]]:
    return {str(good): tuple(str(i) for i in inputs)
            for good, inputs in bot.container.game().supply_chain().recipes.items()}


def assert_exact(record: RunRecord) -> None:
    assert record.ledger_net == record.credit_change
    assert record.open_intents == ()
    assert record.assigned == ()


def _stopped(root: Path) -> tuple[RunRecord, dict[str, dict], RunRecord, dict[str, tuple[str, ...]]]:
    with GameServerProcess(data_dir=root / "server", seed=1, speed=SPEED, rate_limit="on") as server:
        first = BotRun.start(server.base_url, root / "bot", symbol="STOPPED", speed=SPEED)
        stopped = first.run(lambda: bought(first), limit=240, drain=0)

        second = first.next_run()
        stranded = held_cargo(second)
        assert stranded, "the stop left nothing in a hold"
        recipes = recipes_of(second)
        record = second.run(lambda: bool(sold_after_now(second, stranded)), limit=240, drain=60)
        return stopped, stranded, record, recipes


@pytest.mark.runs_ahead(run=_stopped, seconds=65)
def test_cargo_left_by_a_stopped_run_is_sold_by_the_next_run(ran_ahead):
    stopped, stranded, record, recipes = ran_ahead()

    assert_exact(stopped)
    assert sold_after(record, stranded), (stranded, record.results)
    assert sold_by_a_run_that_has_no_use_for_them(record, stranded, recipes) == [], record.results
    assert_exact(record)


@dataclass(frozen=True)
class _AfterOutage:
    stranded: dict[str, dict]
    record: RunRecord
    recipes: dict[str, tuple[str, ...]]
    before: int  # the agent's credits before the first run
    rows: tuple  # the ledger rows of both runs
    credits: int
    open_intents: list


def _outage(root: Path) -> _AfterOutage:
    data = root / "server"
    server = GameServerProcess(data_dir=data, seed=1, speed=SPEED, rate_limit="on").start()
    port = server.port
    first = BotRun.start(server.base_url, root / "bot", symbol="OUTAGE", speed=SPEED)
    before = first.container.game().agent().credits
    started = first.container.clock().now()
    try:
        def outage() -> bool:
            if bought(first):
                server.kill()  # the game goes away under the running workers
                return True
            return False

        with pytest.raises(GameUnavailable):  # the run ends; its last look at the credits finds no game
            first.run(outage, limit=240, drain=0)
    finally:
        server.kill()
    with GameServerProcess(data_dir=data, seed=1, speed=SPEED, rate_limit="on", port=port):
        second = first.next_run()  # recovery settles what the outage left open
        stranded = held_cargo(second)
        assert stranded, "the outage left nothing in a hold"
        recipes = recipes_of(second)
        record = second.run(lambda: bool(sold_after_now(second, stranded)), limit=240, drain=60)
        after = first.next_run().container  # (recovery finds nothing left to repair)
        rows = after.ledger().transactions_since(started)
        credits = after.game().agent().credits
        open_intents = after.ledger().open_intents("OUTAGE")
        after.shutdown_resources()
    return _AfterOutage(stranded, record, recipes, before, tuple(rows), credits, open_intents)


@pytest.mark.runs_ahead(run=_outage, seconds=100)
def test_cargo_left_by_a_server_outage_is_sold_by_the_next_run(ran_ahead):
    ran = ran_ahead()
    stranded, record = ran.stranded, ran.record

    assert sold_after(record, stranded), (stranded, record.results)
    assert sold_by_a_run_that_has_no_use_for_them(record, stranded, ran.recipes) == [], record.results
    assert_exact(record)
    # Both runs, the outage between them included: every credit is in the ledger.
    assert net_credits(ran.rows) == ran.credits - ran.before
    assert ran.open_intents == []


def sold_after_now(bot: BotRun, stranded: dict[str, dict]) -> list[str]:
    """Ships of `stranded` that no longer hold what they held (asked while the run goes)."""
    now = {ship.symbol: dict(ship.inventory) for ship in bot.container.game().ships()}
    return [ship for ship, goods in stranded.items()
            if any(now.get(ship, {}).get(good, 0) < units for good, units in goods.items())]
