"""What the cargo a ship holds cost, read from the ledger: the cost basis of every sale of goods no run is selling
for itself (a stranded-cargo clearance, the inputs a stopped run still holds)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.repositories import LedgerRepository
from domain.goods import TradeSymbol
from domain.ledger import CARGO_CATEGORIES, TransactionType
from domain.symbols import ShipSymbol

# How far back the ledger is read for what a good held cost.
COST_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class CargoCost:
    """What a ship last paid per unit for a good it holds, and when."""

    unit_cost: float
    bought_at: datetime


def cargo_costs(ledger: LedgerRepository, ship: ShipSymbol, since: datetime) -> dict[TradeSymbol, CargoCost]:
    """`ship`'s latest purchase of each good in the ledger since `since`: its unit cost and time."""
    costs: dict[TradeSymbol, CargoCost] = {}
    for row in ledger.transactions_since(since):
        if (row.ship == ship and row.good is not None and row.units and row.type is TransactionType.DEBIT
                and row.category in CARGO_CATEGORIES):
            costs[row.good] = CargoCost(row.amount / row.units, row.occurred_at)  # oldest first: the last one wins
    return costs


def unit_costs(ledger: LedgerRepository, ship: ShipSymbol, since: datetime) -> dict[TradeSymbol, float]:
    """What `ship` last paid per unit for each good, from its latest purchase of it in the ledger."""
    return {good: cost.unit_cost for good, cost in cargo_costs(ledger, ship, since).items()}
