"""Ledger transactions: every credit earned or spent, so that profit is counted, never guessed."""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.coercion import coerce, coerce_optional
from domain.errors import InvalidValue
from domain.goods import TradeSymbol
from domain.symbols import ShipSymbol, WaypointSymbol
from domain.timestamps import ensure_aware


class TransactionType(enum.StrEnum):
    """CREDIT adds to the agent's credits, DEBIT takes from them."""

    CREDIT = "CREDIT"
    DEBIT = "DEBIT"


class TransactionCategory(enum.StrEnum):
    """What the money was for."""

    CARGO_TRADE = "CARGO_TRADE"
    REFUEL = "REFUEL"
    SHIP_PURCHASE = "SHIP_PURCHASE"
    MANUFACTURING_ARBITRAGE = "MANUFACTURING_ARBITRAGE"
    TRADE_ARBITRAGE = "TRADE_ARBITRAGE"  # cargo bought at an export and sold at an import (no manufacturing)
    REPAIR = "REPAIR"
    CONTRACT = "CONTRACT"


# The categories of cargo bought or sold at a market (a manufacturing run's goods, a trade run's).
CARGO_CATEGORIES = frozenset({TransactionCategory.CARGO_TRADE, TransactionCategory.TRADE_ARBITRAGE})


@dataclass(frozen=True, slots=True)
class LedgerTransaction:
    """One movement of credits.

    `amount` is always positive or zero; `type` gives the sign. `operation_id` ties the
    transaction to the operation (worker run, fleet purchase...) that caused it, so a worker
    computes its profit from its own rows only. `good`, `units`, `ship` and `waypoint` are
    given when they apply (a refuel has no good, a ship purchase no units of cargo).
    """

    type: TransactionType
    category: TransactionCategory
    amount: int
    occurred_at: datetime
    operation_id: str | None = None
    good: TradeSymbol | None = None
    units: int | None = None
    ship: ShipSymbol | None = None
    waypoint: WaypointSymbol | None = None

    def __post_init__(self) -> None:
        coerce(self, "type", TransactionType)
        coerce(self, "category", TransactionCategory)
        ensure_aware(self.occurred_at, "ledger transaction occurred_at")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise InvalidValue(f"ledger amount must be a non-negative integer, got {self.amount!r}")
        if self.units is not None and self.units < 1:
            raise InvalidValue(f"ledger units must be at least 1 when given, got {self.units}")
        coerce_optional(self, "good", TradeSymbol)
        coerce_optional(self, "ship", ShipSymbol)
        coerce_optional(self, "waypoint", WaypointSymbol)

    @property
    def signed_amount(self) -> int:
        """The change to the agent's credits: positive for CREDIT, negative for DEBIT."""
        return self.amount if self.type is TransactionType.CREDIT else -self.amount

    @property
    def price_per_unit(self) -> float | None:
        """Amount divided by units, when units are known."""
        return None if not self.units else self.amount / self.units


def net_credits(transactions: Iterable[LedgerTransaction]) -> int:
    """Credits minus debits: the profit of an operation, or the change in the agent's credits."""
    return sum(transaction.signed_amount for transaction in transactions)


def credits_and_debits(transactions: Iterable[LedgerTransaction]) -> tuple[int, int]:
    """(credits earned, credits spent): an operation's revenue and cost."""
    earned = spent = 0
    for transaction in transactions:
        if transaction.type is TransactionType.CREDIT:
            earned += transaction.amount
        else:
            spent += transaction.amount
    return earned, spent


def purchase_unit_cost(rows: Iterable[LedgerTransaction], good: TradeSymbol) -> float | None:
    """The average price an operation paid for `good`, from its purchase rows; None when it bought none."""
    bought = [row for row in rows if row.type is TransactionType.DEBIT and row.good == good and row.units
              and row.category in CARGO_CATEGORIES]
    units = sum(row.units or 0 for row in bought)
    return sum(row.amount for row in bought) / units if units else None


def output_unit_cost(rows: Iterable[LedgerTransaction], good: TradeSymbol, held: int) -> float:
    """What a unit of `good` cost in an operation: the average price of its purchases, or, when the operation bought
    none (the units came along from an earlier run), its net spending over the `held` units."""
    rows = list(rows)
    paid = purchase_unit_cost(rows, good)
    if paid is not None:
        return paid
    return max(0, -net_credits(rows)) / held if held > 0 else 0.0
