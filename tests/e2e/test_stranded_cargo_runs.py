"""No cargo stays stranded: a run stopped while its ship holds what it bought, or cut off by a game server outage,
leaves the cargo on an idle ship; the next run of the bot sells it (its stranded-cargo pass, or a run on that ship
that sells its leftovers first), and every credit of both runs is in the ledger."""
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


def sold_after(record: RunRecord, stranded: dict[str, dict]) -> list[str]:
    """The ships of `stranded` whose goods were sold in the run of `record`."""
    return sorted({row.ship for row in record.ledger_rows
                   if row.type is TransactionType.CREDIT and row.category is TransactionCategory.CARGO_TRADE
                   and row.ship in stranded and row.good in stranded[row.ship]})


def assert_exact(record: RunRecord) -> None:
    assert record.ledger_net == record.credit_change
    assert record.open_intents == ()
    assert record.assigned == ()


def _stopped(root: Path) -> tuple[RunRecord, dict[str, dict], RunRecord]:
    with GameServerProcess(data_dir=root / "server", seed=1, speed=SPEED, rate_limit="on") as server:
        first = BotRun.start(server.base_url, root / "bot", symbol="STOPPED", speed=SPEED)
        stopped = first.run(lambda: bought(first), limit=240, drain=0)

        second = first.next_run()
        stranded = held_cargo(second)
        assert stranded, "the stop left nothing in a hold"
        return stopped, stranded, second.run(lambda: bool(sold_after_now(second, stranded)), limit=240, drain=60)


@pytest.mark.runs_ahead(run=_stopped, seconds=65)
def test_cargo_left_by_a_stopped_run_is_sold_by_the_next_run(ran_ahead):
    stopped, stranded, record = ran_ahead()

    assert_exact(stopped)
    assert sold_after(record, stranded), (stranded, record.results)
    assert_exact(record)


@dataclass(frozen=True)
class _AfterOutage:
    stranded: dict[str, dict]
    record: RunRecord
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
        record = second.run(lambda: bool(sold_after_now(second, stranded)), limit=240, drain=60)
        after = first.next_run().container  # (recovery finds nothing left to repair)
        rows = after.ledger().transactions_since(started)
        credits = after.game().agent().credits
        open_intents = after.ledger().open_intents("OUTAGE")
        after.shutdown_resources()
    return _AfterOutage(stranded, record, before, tuple(rows), credits, open_intents)


@pytest.mark.runs_ahead(run=_outage, seconds=100)
def test_cargo_left_by_a_server_outage_is_sold_by_the_next_run(ran_ahead):
    ran = ran_ahead()
    stranded, record = ran.stranded, ran.record

    assert sold_after(record, stranded), (stranded, record.results)
    assert_exact(record)
    # Both runs, the outage between them included: every credit is in the ledger.
    assert net_credits(ran.rows) == ran.credits - ran.before
    assert ran.open_intents == []


def sold_after_now(bot: BotRun, stranded: dict[str, dict]) -> list[str]:
    """Ships of `stranded` that no longer hold what they held (asked while the run goes)."""
    now = {ship.symbol: dict(ship.inventory) for ship in bot.container.game().ships()}
    return [ship for ship, goods in stranded.items()
            if any(now.get(ship, {}).get(good, 0) < units for good, units in goods.items())]
