"""LedgerRepository on the database: every credit earned or spent, each transaction kept once."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import peewee

from adapters.storage.rows import LedgerRow
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.symbols import ShipSymbol, WaypointSymbol


class SqlLedgerRepository:
    """Implements application.repositories.LedgerRepository.

    Recording is one INSERT that the unique index (ship, occurred_at, category, type, good, units, amount) turns
    into a no-op when the same transaction is already there: a retried write, or the same trade reported by two
    processes, stays one row. Should the copies differ only in operation id or waypoint, the first one is kept.
    """

    def record(self, transaction: LedgerTransaction) -> None:
        LedgerRow.insert(_row(transaction)).on_conflict_ignore().execute()

    def transactions_of_operation(self, operation_id: str) -> Sequence[LedgerTransaction]:
        query = LedgerRow.select().where(LedgerRow.operation_id == operation_id)
        return [_transaction(row) for row in query.order_by(LedgerRow.occurred_at, LedgerRow.id)]

    def transactions_since(self, since: datetime) -> Sequence[LedgerTransaction]:
        query = LedgerRow.select().where(LedgerRow.occurred_at >= since)
        return [_transaction(row) for row in query.order_by(LedgerRow.occurred_at, LedgerRow.id)]

    def net_since(self, since: datetime) -> int:
        signed = peewee.Case(LedgerRow.type, [(TransactionType.CREDIT.value, LedgerRow.amount)],
                            0 - LedgerRow.amount)  # not -amount: peewee reads that as DESC
        total = (LedgerRow.select(peewee.fn.COALESCE(peewee.fn.SUM(signed), 0))
                 .where(LedgerRow.occurred_at >= since).scalar())
        return int(total)  # PostgreSQL sums BIGINT into NUMERIC (a Decimal)


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


def _transaction(row: LedgerRow) -> LedgerTransaction:
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
