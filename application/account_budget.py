"""One budget for the whole account: every worker's spending comes out of the same credits, above one reserve.

Before, each worker could commit half of the agent's credits as it found them, so five workers could together
promise two and a half times the money. Now the coordinator allots each job a budget when it starts it: what the
agent holds, less the reserve, less what the running jobs may still spend (their allotment minus what they have
already spent, which the agent's credits no longer hold), shared out between the jobs that may start now.

A job's allotment is a promise, so it is kept to what the job can spend: no more than a full hold at the bid its
load is to be sold for (`lot_ceiling`: a run with more than that outstanding could not earn it back by selling), and
nothing more once the job has sold its good (`commitment`: both kinds buy nothing after their sale begins). The
same promises are kept by ship purchases (application/fleet_manager.py), which spend only credits no job counts on.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionType, net_credits


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
    """A running job's allotment and what it has spent of it so far (debits minus credits, at least 0)."""

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



def lot_ceiling(cargo_capacity: int, bid: int) -> int:
    """The most a job filling a hold of `cargo_capacity` to sell at `bid` a unit should have outstanding."""
    return max(0, cargo_capacity) * max(0, bid)


def commitment(allotted: int, rows: Iterable[LedgerTransaction], good: TradeSymbol) -> Commitment:
    """A running job's commitment from its ledger rows so far: what it spent (debits minus credits), or all of its
    allotment once a row shows it sold `good`, the good it was started for (its buying is over)."""
    rows = list(rows)
    if any(row.type is TransactionType.CREDIT and row.good == good for row in rows):
        return Commitment(allotted, allotted)
    return Commitment(allotted, max(0, -net_credits(rows)))
