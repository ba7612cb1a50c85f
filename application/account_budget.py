"""One budget for the whole account: every worker's spending comes out of the same credits, above one reserve.

Before, each worker could commit half of the agent's credits as it found them, so five workers could together
promise two and a half times the money. Now the coordinator allots each job a budget when it starts it: what the
agent holds, less the reserve, less what the running jobs may still spend (their allotment minus what they have
already spent, which the agent's credits no longer hold), shared out between the jobs that may start now.

A job's allotment is a promise, so it is kept to what the job can spend: no more than a full hold at the dearest
price it deals at (`lot_ceiling`: a trade run's bid, which its ask stays below; a manufacturing run's bid or, when
dearer, the known ask of an input, a hold of which it buys before the factory pays part of it back), and nothing
more once the job has sold its good (`commitment`: neither kind buys after its sale begins). The same promises are
kept by ship purchases (application/fleet_manager.py), which spend only credits no job counts on.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.goods import TradeSymbol
from domain.ledger import CARGO_CATEGORIES, LedgerTransaction, TransactionType, net_credits


@dataclass(frozen=True, slots=True)
class BudgetConfig:
    """`credit_reserve`: never committed to trading. `min_allotment`: a job given less is not started."""

    credit_reserve: int = 0
    min_allotment: int = 1

    def __post_init__(self) -> None:
        if self.credit_reserve < 0 or self.min_allotment < 0:
            raise InvalidValue(f"bad budget configuration: {self}")


@dataclass(frozen=True, slots=True)
class Commitment:
    """A running job's allotment and what it has outstanding so far (its cargo debits minus its cargo credits:
    negative once deliveries earned more than they cost, which the workers may spend too)."""

    allotted: int
    spent: int

    @property
    def still_to_spend(self) -> int:
        return max(0, self.allotted - self.spent)


class AccountBudget:
    """Shares the account's spendable credits between the jobs (pure arithmetic; the coordinator brings figures)."""

    def __init__(self, config: BudgetConfig | None = None) -> None:
        self.config = config or BudgetConfig()

    def free(self, credits: int, running: Iterable[Commitment]) -> int:
        """Credits neither in the reserve nor promised to a running job."""
        return max(0, credits - self.config.credit_reserve - sum(c.still_to_spend for c in running))

    def allot(self, credits: int, running: Iterable[Commitment], starting: int) -> int:
        """The budget of each of `starting` jobs about to start (0 when that is below `min_allotment`)."""
        share = self.free(credits, running) // max(1, starting)
        return share if share >= self.config.min_allotment else 0


def lot_ceiling(cargo_capacity: int, *prices: int | None) -> int:
    """A full hold of `cargo_capacity` at the dearest of the known `prices` a job deals at (None: unknown)."""
    return max(0, cargo_capacity) * max((p for p in prices if p is not None and p > 0), default=0)


def commitment(allotted: int, rows: Iterable[LedgerTransaction], good: TradeSymbol) -> Commitment:
    """A running job's commitment from its ledger rows so far: what its cargo trades have outstanding (refuels are
    the fuel money's), or all of its allotment once a row shows it sold `good`, the good it was started for (its
    buying is over)."""
    cargo = [row for row in rows if row.category in CARGO_CATEGORIES]
    if any(row.type is TransactionType.CREDIT and row.good == good for row in cargo):
        return Commitment(allotted, allotted)
    return Commitment(allotted, -net_credits(cargo))
