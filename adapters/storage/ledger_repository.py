"""LedgerRepository on the database: every credit earned or spent, each transaction kept once."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import peewee

from adapters.storage.database import Database
from application.repositories import LedgerIntent
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.symbols import ShipSymbol, WaypointSymbol
from domain.timestamps import ensure_aware


class SqlLedgerRepository:
    """Implements application.repositories.LedgerRepository.

    Recording is one INSERT that the unique index (ship, occurred_at, category, type, good, units, amount) turns
    into a no-op when the same transaction is already there: a retried write, or the same trade reported by two
    processes, stays one row. Should the copies differ only in operation id or waypoint, the first one is kept.
    """

    def __init__(self, database: Database) -> None:
        tables = database.rows  # this database's own row models
        self._intents = tables.LedgerIntentRow
        self._ledger = tables.LedgerRow
        self._db = database.peewee

    def record(self, transaction: LedgerTransaction) -> None:
        self._ledger.insert(_row(transaction)).on_conflict_ignore().execute()

    def open_intent(self, intent: LedgerIntent) -> None:
        self._intents.insert(
            intent_id=intent.intent_id, account=intent.account, category=intent.category.value,
            expected=intent.expected.value, credits_before=intent.credits_before,
            opened_at=ensure_aware(intent.opened_at, "intent opened_at"), operation_id=intent.operation_id,
            ship=intent.ship, good=None if intent.good is None else intent.good.value, units=intent.units,
            waypoint=intent.waypoint, closed_at=None, outcome="").execute()

    def close_intent(self, intent_id: str, transaction: LedgerTransaction | None, outcome: str) -> bool:
        closed_at = transaction.occurred_at if transaction is not None else _now()
        # One transaction: the row and the closing stand or fall together, and an intent already closed (by a
        # settlement that raced this one) writes nothing.
        with self._db.atomic():
            changed = (self._intents.update(closed_at=closed_at, outcome=outcome[:500])
                       .where((self._intents.intent_id == intent_id) & self._intents.closed_at.is_null())
                       .execute())
            if changed and transaction is not None:
                self.record(transaction)
        return bool(changed)

    def open_intents(self, account: str) -> Sequence[LedgerIntent]:
        query = (self._intents.select()
                 .where((self._intents.account == account) & self._intents.closed_at.is_null())
                 .order_by(self._intents.opened_at))
        return [_intent(row) for row in query]

    def purge_closed_intents(self, closed_before: datetime) -> int:
        cutoff = ensure_aware(closed_before, "purge closed_before")
        return self._intents.delete().where(self._intents.closed_at < cutoff).execute()

    def transactions_of_operation(self, operation_id: str) -> Sequence[LedgerTransaction]:
        query = self._ledger.select().where(self._ledger.operation_id == operation_id)
        return [_transaction(row) for row in query.order_by(self._ledger.occurred_at, self._ledger.id)]

    def transactions_since(self, since: datetime) -> Sequence[LedgerTransaction]:
        query = self._ledger.select().where(self._ledger.occurred_at >= since)
        return [_transaction(row) for row in query.order_by(self._ledger.occurred_at, self._ledger.id)]

    def net_since(self, since: datetime) -> int:
        signed = peewee.Case(self._ledger.type, [(TransactionType.CREDIT.value, self._ledger.amount)],
                            0 - self._ledger.amount)  # not -amount: peewee reads that as DESC
        total = (self._ledger.select(peewee.fn.COALESCE(peewee.fn.SUM(signed), 0))
                 .where(self._ledger.occurred_at >= since).scalar())
        return int(total)  # PostgreSQL sums BIGINT into NUMERIC (a Decimal)

    def latest(self, category: TransactionCategory, direction: TransactionType, good: TradeSymbol | None = None
               ) -> LedgerTransaction | None:
        ledger = self._ledger
        where = (ledger.category == category.value) & (ledger.type == direction.value)
        if good is not None:
            where &= ledger.good == good.value
        row = ledger.select().where(where).order_by(ledger.occurred_at.desc(), ledger.id.desc()).first()
        return None if row is None else _transaction(row)


def _row(transaction: LedgerTransaction) -> dict:
    return {
        "type": transaction.type.value,
        "category": transaction.category.value,
        "amount": transaction.amount,
        "occurred_at": transaction.occurred_at,
        "operation_id": transaction.operation_id,
        "good": "" if transaction.good is None else transaction.good.value,
        "units": transaction.units or 0,
        "ship": transaction.ship or "",
        "waypoint": transaction.waypoint,
    }


def _transaction(row: peewee.Model) -> LedgerTransaction:
    return LedgerTransaction(
        type=TransactionType(row.type),
        category=TransactionCategory(row.category),
        amount=int(row.amount),
        occurred_at=row.occurred_at,
        operation_id=row.operation_id,
        good=TradeSymbol.parse(row.good) if row.good else None,
        units=row.units or None,
        ship=ShipSymbol(row.ship) if row.ship else None,
        waypoint=None if row.waypoint is None else WaypointSymbol(row.waypoint),
    )


def _intent(row: peewee.Model) -> LedgerIntent:
    return LedgerIntent(
        intent_id=row.intent_id, account=row.account, category=TransactionCategory(row.category),
        expected=TransactionType(row.expected), credits_before=int(row.credits_before), opened_at=row.opened_at,
        operation_id=row.operation_id, ship=ShipSymbol(row.ship) if row.ship else None,
        good=TradeSymbol.parse(row.good) if row.good else None, units=row.units, waypoint=row.waypoint)


def _now() -> datetime:
    return datetime.now(UTC)
