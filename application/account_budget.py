"""One budget for the whole account: every worker's spending comes out of the same credits, above one reserve.

Before, each worker could commit half of the agent's credits as it found them, so five workers could together
promise two and a half times the money. Now the coordinator allots each job a budget when it starts it: what the
agent holds, less the reserve, less what the running jobs may still spend (their allotment minus what they have
already spent, which the agent's credits no longer hold), shared out between the jobs that may start now.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.errors import InvalidValue


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

    @staticmethod
    def outstanding(allotments: Mapping[str, int], spent: Mapping[str, int]) -> list[Commitment]:
        """Commitments of the running jobs, from their allotments and their spending so far (by operation)."""
        return [Commitment(allotted, max(0, spent.get(operation, 0))) for operation, allotted in allotments.items()]
