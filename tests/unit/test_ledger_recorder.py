"""Every credit the game moves through the LedgerRecorder is in the ledger at once, tagged and signed right."""
from __future__ import annotations

import pytest

from application.game_errors import InsufficientCredits
from application.ledger_recorder import LedgerRecorder, LedgerWriteFailed
from domain.fleet import ShipType
from domain.goods import TradeGoodType, TradeSymbol
from domain.ledger import TransactionCategory, TransactionType
from domain.symbols import ShipSymbol, WaypointSymbol
from tests.fake_game import FakeGame
from tests.fake_repositories import InMemoryLedgerRepository
from tests.fakes import FakeClock

SHIP = ShipSymbol("AGENT-1")
HERE = WaypointSymbol("X1-M1")


def market_game(credits: int = 100_000) -> FakeGame:
    game = FakeGame(FakeClock(), credits=credits)
    game.add_waypoint("X1-M1", 0, 0)
    game.add_good("X1-M1", "IRON", TradeGoodType.EXPORT, ask=500, bid=250, trade_volume=10)
    game.add_good("X1-M1", "FUEL", TradeGoodType.EXCHANGE, ask=72, bid=68, trade_volume=100)
    game.add_shipyard("X1-M1", {ShipType.SHIP_PROBE: 21_000})
    game.add_ship("AGENT-1", "X1-M1", cargo_capacity=40, fuel_capacity=400, fuel=150)
    return game


class BrokenLedger(InMemoryLedgerRepository):
    def record(self, transaction):
        raise OSError("disk full")


def test_a_purchase_is_a_debit_cargo_trade_row_with_the_servers_figures():
    game, ledger = market_game(), InMemoryLedgerRepository()
    trade = LedgerRecorder(game, ledger, "op-1").purchase(SHIP, TradeSymbol.IRON, 10)
    [row] = ledger.rows
    assert (row.type, row.category, row.amount) == (TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, 5000)
    assert (row.operation_id, row.good, row.units, row.ship, row.waypoint) == ("op-1", TradeSymbol.IRON, 10, SHIP, HERE)
    assert row.occurred_at == trade.occurred_at


def test_a_sale_is_a_credit():
    game, ledger = market_game(), InMemoryLedgerRepository()
    recorder = LedgerRecorder(game, ledger, "op-1")
    recorder.purchase(SHIP, TradeSymbol.IRON, 10)
    sale = recorder.sell(SHIP, TradeSymbol.IRON, 4)
    assert (ledger.rows[1].type, ledger.rows[1].amount, ledger.rows[1].units) == (
        TransactionType.CREDIT, sale.total, 4)


def test_a_refuel_is_a_debit_in_fuel_market_units():
    game, ledger = market_game(), InMemoryLedgerRepository()
    refuel = LedgerRecorder(game, ledger, "op-2").refuel(SHIP)
    [row] = ledger.rows
    assert refuel.fuel_added == 250 and refuel.market_units == 3
    assert (row.type, row.category, row.amount, row.good, row.units) == (
        TransactionType.DEBIT, TransactionCategory.REFUEL, 3 * 72, TradeSymbol.FUEL, 3)


def test_a_refuel_that_costs_nothing_writes_no_row():
    game, ledger = market_game(), InMemoryLedgerRepository()
    recorder = LedgerRecorder(game, ledger)
    recorder.refuel(SHIP)
    recorder.refuel(SHIP)  # already full
    assert len(ledger.rows) == 1


def test_a_ship_purchase_is_a_debit_naming_the_new_ship():
    game, ledger = market_game(), InMemoryLedgerRepository()
    purchase = LedgerRecorder(game, ledger, "fleet").purchase_ship(ShipType.SHIP_PROBE, HERE)
    [row] = ledger.rows
    assert (row.category, row.type, row.amount, row.ship, row.good, row.units) == (
        TransactionCategory.SHIP_PURCHASE, TransactionType.DEBIT, 21_000, purchase.ship, TradeSymbol.SHIP_PROBE, 1)
    assert row.operation_id == "fleet"


def test_ledger_net_equals_the_change_of_credits():
    game, ledger = market_game(), InMemoryLedgerRepository()
    before = game.credits
    recorder = LedgerRecorder(game, ledger, "op-3")
    for _ in range(3):
        recorder.purchase(SHIP, TradeSymbol.IRON, 10)
    recorder.sell(SHIP, TradeSymbol.IRON, 10)
    recorder.refuel(SHIP)
    recorder.purchase_ship(ShipType.SHIP_PROBE, HERE)
    assert ledger.net() == game.credits - before
    assert len(ledger.rows) == 6


def test_a_refused_call_writes_nothing():
    game, ledger = market_game(credits=100), InMemoryLedgerRepository()
    with pytest.raises(InsufficientCredits):
        LedgerRecorder(game, ledger).purchase(SHIP, TradeSymbol.IRON, 10)
    assert ledger.rows == []


def test_a_ledger_that_cannot_write_is_reported_with_the_lost_row():
    game = market_game()
    with pytest.raises(LedgerWriteFailed) as failure:
        LedgerRecorder(game, BrokenLedger(), "op-4").purchase(SHIP, TradeSymbol.IRON, 10)
    assert failure.value.transaction.amount == 5000
    assert game.credits == 100_000 - 5000  # the money did move: that is why it must be loud


def test_for_operation_tags_rows_with_the_new_operation():
    game, ledger = market_game(), InMemoryLedgerRepository()
    LedgerRecorder(game, ledger, "a").for_operation("b").purchase(SHIP, TradeSymbol.IRON, 1)
    assert ledger.rows[0].operation_id == "b"


def test_remembers_the_balance_the_server_reported():
    game, ledger = market_game(), InMemoryLedgerRepository()
    recorder = LedgerRecorder(game, ledger)
    assert recorder.last_known_credits is None
    recorder.purchase(SHIP, TradeSymbol.IRON, 2)
    assert recorder.last_known_credits == game.credits


def test_every_row_is_reported_to_the_metrics_by_category():
    from tests.fake_coordination import RecordingMetrics

    game, ledger, metrics = market_game(), InMemoryLedgerRepository(), RecordingMetrics()
    recorder = LedgerRecorder(game, ledger, "op-1", metrics)
    bought = recorder.purchase(SHIP, TradeSymbol.IRON, 10)
    sold = recorder.sell(SHIP, TradeSymbol.IRON, 4)
    refuel = recorder.for_operation("op-2").refuel(SHIP)
    assert metrics.credits == [("CARGO_TRADE", -bought.total), ("CARGO_TRADE", sold.total), ("REFUEL", -refuel.total)]
    assert metrics.balance == game.credits


def test_a_write_that_fails_once_is_tried_again():
    class OnceBroken(InMemoryLedgerRepository):
        failures = 1

        def record(self, transaction):
            if self.failures:
                self.failures -= 1
                raise OSError("database is locked")
            super().record(transaction)

    game, ledger = market_game(), OnceBroken()
    trade = LedgerRecorder(game, ledger, "op-1").purchase(SHIP, TradeSymbol.IRON, 10)
    assert [row.amount for row in ledger.rows] == [trade.total]


# --- intents, the money gate, settlement from the credits -------------------------------------------------------


def test_every_call_opens_an_intent_that_its_answer_closes():
    game, ledger = market_game(), InMemoryLedgerRepository()
    LedgerRecorder(game, ledger, "op-1").purchase(SHIP, TradeSymbol.IRON, 10)
    [intent] = ledger.intents.values()
    assert (intent.credits_before, intent.units, intent.operation_id) == (100_000, 10, "op-1")
    assert ledger.outcomes[intent.intent_id] == "answered" and ledger.open_intents("") == []


def test_an_answer_that_disagrees_with_the_credits_is_settled_from_them():
    from application.money_gate import LocalMoneyGate
    from dataclasses import replace

    game, ledger = market_game(), InMemoryLedgerRepository()
    purchase = game.purchase

    def wrong_transaction(*args):  # a lost answer matched with another (older, cheaper) trade
        trade = purchase(*args)
        return replace(trade, total=trade.total - 1)

    game.purchase = wrong_transaction
    gate = LocalMoneyGate("AGENT")
    with gate.hold() as memo:
        memo.credits = game.credits
    LedgerRecorder(game, ledger, "op-1", gate=gate).purchase(SHIP, TradeSymbol.IRON, 10)
    [row] = ledger.rows
    assert row.amount == 5000 and ledger.net() == game.credits - 100_000


def test_a_killed_caller_is_settled_by_the_next_one_before_it_sends():
    from application.money_gate import LocalMoneyGate
    from application.repositories import LedgerIntent
    from domain.ledger import TransactionType as T

    game, ledger = market_game(), InMemoryLedgerRepository()
    gate = LocalMoneyGate("AGENT")
    ledger.open_intent(LedgerIntent("dead", "AGENT", TransactionCategory.CARGO_TRADE, T.DEBIT, 100_000,
                                    game.server_time(), "op-dead", SHIP, TradeSymbol.IRON, 10))
    game.purchase(SHIP, TradeSymbol.IRON, 10)  # its call went through; then it was killed before its row

    bought = LedgerRecorder(game, ledger, "op-2", gate=gate).purchase(SHIP, TradeSymbol.IRON, 1)

    assert [(row.operation_id, row.amount) for row in ledger.rows] == [("op-dead", 5000), ("op-2", bought.total)]
    assert ledger.net() == game.credits - 100_000 and ledger.open_intents("AGENT") == []


def test_a_lost_lease_stops_the_call_before_it_is_sent():
    from application.ledger_recorder import LeaseLost

    game, ledger = market_game(), InMemoryLedgerRepository()
    with pytest.raises(LeaseLost):
        LedgerRecorder(game, ledger, "op-1", lease=lambda: False).purchase(SHIP, TradeSymbol.IRON, 10)
    assert game.credits == 100_000 and ledger.rows == [] and ledger.intents == {}
