"""SqlLedgerRepository on SQLite and PostgreSQL: round trips, one row per transaction, sums."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from adapters.storage.ledger_repository import SqlLedgerRepository
from application.repositories import LedgerIntent
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType, net_credits
from domain.symbols import ShipSymbol, WaypointSymbol
from test_storage_backends import database_url, db, postgres_url  # noqa: F401  (pytest fixtures)

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def trade(kind: TransactionType, amount: int, *, at: datetime = T0, operation: str | None = "op-1",
          good: TradeSymbol | None = TradeSymbol.IRON, units: int | None = 10, ship: str | None = "AGENT-1",
          category: TransactionCategory = TransactionCategory.CARGO_TRADE) -> LedgerTransaction:
    return LedgerTransaction(type=kind, category=category, amount=amount, occurred_at=at, operation_id=operation,
                             good=good, units=units, ship=None if ship is None else ShipSymbol(ship),
                             waypoint=WaypointSymbol("X1-DF55-A1"))


def test_every_field_survives_the_round_trip(db) -> None:
    ledger = SqlLedgerRepository(db)
    full = trade(TransactionType.DEBIT, 1234, at=T0 + timedelta(microseconds=7))
    bare = LedgerTransaction(type=TransactionType.DEBIT, category=TransactionCategory.REFUEL, amount=0,
                             occurred_at=T0 + timedelta(seconds=1), operation_id="op-1")
    ledger.record(full)
    ledger.record(bare)
    assert list(ledger.transactions_of_operation("op-1")) == [full, bare]
    assert ledger.transactions_of_operation("op-1")[0].occurred_at.tzinfo is not None


def test_recording_the_very_same_transaction_twice_keeps_one_row(db) -> None:
    ledger = SqlLedgerRepository(db)
    sale = trade(TransactionType.CREDIT, 500)
    refuel = trade(TransactionType.DEBIT, 72, good=None, units=None, category=TransactionCategory.REFUEL)
    purchase = trade(TransactionType.DEBIT, 25_000, good=None, units=None, ship=None,
                     category=TransactionCategory.SHIP_PURCHASE)
    for transaction in (sale, refuel, purchase, sale, refuel, purchase):
        ledger.record(transaction)
    ledger.record(trade(TransactionType.CREDIT, 500, operation="op-2"))  # same trade reported by another process
    assert ledger.transactions_since(T0) == [sale, refuel, purchase]
    assert ledger.net_since(T0) == 500 - 72 - 25_000


def test_transactions_that_differ_in_any_key_field_are_all_kept(db) -> None:
    ledger = SqlLedgerRepository(db)
    base = trade(TransactionType.DEBIT, 100)
    variants = [
        base,
        trade(TransactionType.CREDIT, 100),
        trade(TransactionType.DEBIT, 101),
        trade(TransactionType.DEBIT, 100, at=T0 + timedelta(microseconds=1)),
        trade(TransactionType.DEBIT, 100, good=TradeSymbol.COPPER),
        trade(TransactionType.DEBIT, 100, units=11),
        trade(TransactionType.DEBIT, 100, ship="AGENT-2"),
        trade(TransactionType.DEBIT, 100, category=TransactionCategory.MANUFACTURING_ARBITRAGE),
    ]
    for transaction in variants:
        ledger.record(transaction)
    assert len(ledger.transactions_since(T0)) == len(variants)


def test_transactions_of_an_operation_are_its_own_oldest_first(db) -> None:
    ledger = SqlLedgerRepository(db)
    later = trade(TransactionType.CREDIT, 900, at=T0 + timedelta(minutes=5))
    earlier = trade(TransactionType.DEBIT, 300, at=T0)
    other = trade(TransactionType.DEBIT, 50, operation="op-2", at=T0 + timedelta(minutes=1))
    untagged = trade(TransactionType.DEBIT, 20, operation=None, at=T0 + timedelta(minutes=2))
    for transaction in (later, other, earlier, untagged):
        ledger.record(transaction)
    assert ledger.transactions_of_operation("op-1") == [earlier, later]
    assert ledger.transactions_of_operation("op-2") == [other]
    assert ledger.transactions_of_operation("op-unknown") == []


def test_transactions_since_and_net_since_include_the_boundary(db) -> None:
    ledger = SqlLedgerRepository(db)
    rows = [
        trade(TransactionType.DEBIT, 1_000, at=T0 - timedelta(microseconds=1)),
        trade(TransactionType.DEBIT, 300, at=T0),
        trade(TransactionType.CREDIT, 2_000, at=T0 + timedelta(hours=1)),
        trade(TransactionType.DEBIT, 45, at=T0 + timedelta(hours=2), category=TransactionCategory.REFUEL),
    ]
    for transaction in reversed(rows):
        ledger.record(transaction)
    assert ledger.transactions_since(T0) == rows[1:]
    assert ledger.net_since(T0) == net_credits(rows[1:]) == 2_000 - 300 - 45
    assert ledger.net_since(T0 - timedelta(days=1)) == net_credits(rows) == 655
    assert ledger.net_since(T0 + timedelta(days=1)) == 0
    # Any time zone names the same instant.
    plus_two = timezone(timedelta(hours=2))
    assert ledger.transactions_since(T0.astimezone(plus_two)) == rows[1:]


def test_latest_is_the_last_row_of_its_category_type_and_good(db) -> None:
    ledger = SqlLedgerRepository(db)
    hauler, probe = TradeSymbol.parse("SHIP_LIGHT_HAULER"), TradeSymbol.parse("SHIP_PROBE")

    def bought(ship_type: TradeSymbol, minutes: int) -> LedgerTransaction:
        return trade(TransactionType.DEBIT, 250_000, at=T0 + timedelta(minutes=minutes), good=ship_type, units=None,
                     ship=None, category=TransactionCategory.SHIP_PURCHASE)

    assert ledger.latest(TransactionCategory.SHIP_PURCHASE, TransactionType.DEBIT) is None
    rows = [bought(hauler, 5), bought(hauler, 30), bought(probe, 40),
            trade(TransactionType.DEBIT, 1, at=T0 + timedelta(minutes=50))]
    for transaction in reversed(rows):  # recording order must not matter, only when each occurred
        ledger.record(transaction)
    assert ledger.latest(TransactionCategory.SHIP_PURCHASE, TransactionType.DEBIT, good=hauler) == rows[1]
    assert ledger.latest(TransactionCategory.SHIP_PURCHASE, TransactionType.DEBIT) == rows[2]
    assert ledger.latest(TransactionCategory.SHIP_PURCHASE, TransactionType.CREDIT) is None
    assert ledger.latest(TransactionCategory.CARGO_TRADE, TransactionType.DEBIT) == rows[3]


def test_large_amounts_stay_exact_integers(db) -> None:
    ledger = SqlLedgerRepository(db)
    big = trade(TransactionType.CREDIT, 9_000_000_000_000)
    ledger.record(big)
    ledger.record(trade(TransactionType.DEBIT, 1, at=T0 + timedelta(seconds=1)))
    net = ledger.net_since(T0)
    assert net == 8_999_999_999_999 and type(net) is int


def test_purging_deletes_the_intents_closed_before_the_cutoff_and_never_an_open_one(db) -> None:
    ledger = SqlLedgerRepository(db)

    def intent(intent_id: str, account: str = "AGENT") -> LedgerIntent:
        return LedgerIntent(intent_id, account, TransactionCategory.CARGO_TRADE, TransactionType.DEBIT, 9_000,
                            T0 - timedelta(days=90), "op-1", ShipSymbol("AGENT-1"), TradeSymbol.IRON, 10)

    for intent_id, account in [("old", "AGENT"), ("other-account", "OTHER"), ("recent", "AGENT"),
                               ("open", "AGENT")]:
        ledger.open_intent(intent(intent_id, account))
    assert ledger.close_intent("old", trade(TransactionType.DEBIT, 100, at=T0 - timedelta(days=40)), "answered")
    assert ledger.close_intent("other-account", trade(TransactionType.DEBIT, 7, at=T0 - timedelta(days=31)), "ok")
    assert ledger.close_intent("recent", trade(TransactionType.DEBIT, 200, at=T0 - timedelta(days=1)), "answered")

    assert ledger.purge_closed_intents(T0 - timedelta(days=30)) == 2
    assert ledger.purge_closed_intents(T0 - timedelta(days=30)) == 0
    assert [i.intent_id for i in ledger.open_intents("AGENT")] == ["open"]  # 90 days old, but open
    assert ledger.net_since(T0 - timedelta(days=50)) == -307  # the rows stay: only the intents go
    assert not ledger.close_intent("old", None, "again")  # gone, so it cannot be closed twice either
    assert ledger.purge_closed_intents(T0) == 1  # "recent"
    assert [i.intent_id for i in ledger.open_intents("AGENT")] == ["open"]
