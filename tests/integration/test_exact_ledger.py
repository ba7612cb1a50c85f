"""The ledger stays exact when answers are lost: the HTTP client and gateway over the fake game, the LedgerRecorder
with its intents, and a money gate on a file (the one every process of an account shares)."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from adapters.game_api.client import GameApiClient
from adapters.game_api.gateway import GameGateway
from adapters.game_api.rate_limiter import RateLimiter, RateLimitPolicy
from adapters.game_api.settings import GameApiSettings
from adapters.storage.money_gate_file import FileMoneyGate
from application.game_errors import GameError, GameUnavailable
from application.ledger_recorder import LedgerRecorder, settle_open_intents
from domain.fleet import ShipType
from domain.goods import TradeSymbol
from domain.ledger import TransactionCategory, TransactionType
from domain.symbols import ShipSymbol, WaypointSymbol
from game_api_fake import AGENT, HQ, FakeClock, FakeGame
from tests.fake_repositories import InMemoryLedgerRepository

SHIP = ShipSymbol(f"{AGENT}-1")
IRON = TradeSymbol.IRON


@pytest.fixture
def game() -> FakeGame:
    return FakeGame(FakeClock())


def gateway(game: FakeGame, **settings: object) -> GameGateway:
    config = GameApiSettings(base_url="https://fake.test/v2", token="token-1", **settings)  # type: ignore[arg-type]
    limiter = RateLimiter.in_memory(RateLimitPolicy(margin=0.0), game.clock)
    return GameGateway(GameApiClient(config, limiter, transport=game.transport()))


@pytest.fixture
def gate(tmp_path: Path) -> FileMoneyGate:
    return FileMoneyGate(tmp_path / "money.lock", AGENT)


def test_a_lost_answer_that_cannot_be_matched_is_settled_from_the_credits(game: FakeGame, gate: FileMoneyGate):
    ledger = InMemoryLedgerRepository()
    recorder = LedgerRecorder(gateway(game), ledger, "op-1", gate=gate)
    before = game.credits
    game.hide_transactions = True  # no transaction to match the lost purchase with
    game.fail_next("drop-after", "POST", r"/my/ships/.*/purchase")

    with pytest.raises(GameUnavailable):
        recorder.purchase(SHIP, IRON, 10)

    assert game.cargo_units(str(SHIP), "IRON") == 10  # it did happen, once
    [row] = ledger.rows
    assert (row.type, row.category, row.amount, row.units, row.good, row.operation_id) == (
        TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, before - game.credits, 10, IRON, "op-1")
    assert ledger.net() == game.credits - before
    assert ledger.open_intents(AGENT) == []


def test_a_call_refused_by_the_game_closes_its_intent_with_no_row(game: FakeGame, gate: FileMoneyGate):
    ledger = InMemoryLedgerRepository()
    game.credits = 10
    with pytest.raises(GameError):
        LedgerRecorder(gateway(game), ledger, "op-1", gate=gate).purchase(SHIP, IRON, 10)
    assert ledger.rows == [] and ledger.open_intents(AGENT) == []


def test_an_outcome_unknown_while_the_game_is_down_is_settled_by_the_next_money_call(
        game: FakeGame, gate: FileMoneyGate):
    ledger = InMemoryLedgerRepository()
    api = gateway(game, max_attempts=1)
    api.ship(SHIP)  # the client knows the hold before the trade (no read of it in the way of the faults)
    recorder = LedgerRecorder(api, ledger, "op-1", gate=gate)
    before = game.credits
    with gate.hold() as memo:
        memo.credits = before  # as a previous trade's answer left it
    game.hide_transactions = True
    game.fail_next("drop-after", "POST", r"/my/ships/.*/purchase")
    for _ in range(2):  # the read-back and the credits fail too: the game is down
        game.fail_next("500", "GET", r".*")

    with pytest.raises(GameUnavailable):
        recorder.purchase(SHIP, IRON, 10)
    [open_intent] = ledger.open_intents(AGENT)
    assert open_intent.credits_before == before and ledger.rows == []

    # The game is back: the next money call of the account (another operation) settles it before its own trade.
    game.hide_transactions = False
    LedgerRecorder(gateway(game), ledger, "op-2", gate=gate).sell(SHIP, IRON, 5)

    assert ledger.open_intents(AGENT) == []
    assert [(row.operation_id, row.type, row.units) for row in ledger.rows] == [
        ("op-1", TransactionType.DEBIT, 10), ("op-2", TransactionType.CREDIT, 5)]
    assert ledger.net() == game.credits - before


def test_settling_needs_the_credits_and_sends_nothing_without_them(game: FakeGame, gate: FileMoneyGate):
    ledger = InMemoryLedgerRepository()
    api = gateway(game, max_attempts=1)
    api.ship(SHIP)
    with gate.hold() as memo:
        memo.credits = game.credits
    recorder = LedgerRecorder(api, ledger, "op-1", gate=gate)
    game.hide_transactions = True
    game.fail_next("drop-after", "POST", r"/my/ships/.*/purchase")
    for _ in range(2):
        game.fail_next("500", "GET", r".*")
    with pytest.raises(GameUnavailable):
        recorder.purchase(SHIP, IRON, 10)
    sent = game.log.count(("POST", f"/my/ships/{SHIP}/purchase"))

    game.fail_next("500", "GET", r"/my/agent")
    with pytest.raises(GameUnavailable):
        recorder.purchase(SHIP, IRON, 10)  # the open intent cannot be settled: nothing may be sent

    assert game.log.count(("POST", f"/my/ships/{SHIP}/purchase")) == sent
    with gate.hold() as memo:
        assert settle_open_intents(api, ledger, AGENT, memo)  # the game is back
    assert ledger.net() == game.credits - 175_000


def test_a_lost_ship_purchase_is_priced_exactly_while_another_worker_trades(game: FakeGame, gate: FileMoneyGate):
    ledger = InMemoryLedgerRepository()
    before = game.credits
    game.hide_transactions = True  # the shipyard shows no history: the price comes from the credits
    game.fail_next("timeout-after", "POST", r"/my/ships")
    errors: list[BaseException] = []

    def trade() -> None:
        recorder = LedgerRecorder(gateway(game), ledger, "mfg-1", gate=FileMoneyGate(gate.path, AGENT))
        try:
            for _ in range(5):
                recorder.purchase(SHIP, IRON, 2)
                recorder.sell(SHIP, IRON, 2)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    trader = threading.Thread(target=trade)
    trader.start()
    purchase = LedgerRecorder(gateway(game), ledger, "fleet-1", gate=gate).purchase_ship(
        ShipType.SHIP_LIGHT_HAULER, WaypointSymbol(HQ))
    trader.join()

    assert errors == []
    [ship_row] = [row for row in ledger.rows if row.category is TransactionCategory.SHIP_PURCHASE]
    assert ship_row.amount == purchase.price == 50_000
    assert ledger.net() == game.credits - before


def test_a_reconciled_lost_answer_is_logged_with_what_was_found(game: FakeGame, gate: FileMoneyGate, caplog):
    ledger = InMemoryLedgerRepository()
    game.fail_next("drop-after", "POST", r"/my/ships/.*/purchase")
    with caplog.at_level("INFO", logger="adapters.game_api.client"):
        trade = LedgerRecorder(gateway(game), ledger, "op-1", gate=gate).purchase(SHIP, IRON, 10)
    [line] = [r.getMessage() for r in caplog.records if "reconciled" in r.getMessage()]
    assert line.startswith(f"the answer to the purchase of 10 IRON by {SHIP} was lost; reconciled: the market "
                           "shows it happened at ")
    assert f"for {trade.total} credits, the hold now has 10 IRON, the agent {game.credits} credits" in line
    assert [row.amount for row in ledger.rows] == [trade.total]
