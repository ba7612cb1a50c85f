"""What the coordinator hands a worker, what a worker hands back, and the pool that runs workers.

The coordinator never knows whether workers are threads, processes or plain calls: it submits WorkerJobs to a
WorkerPool and collects WorkerResults. Everything here is picklable so a job can cross into a worker process.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.goods import TradeSymbol
from domain.opportunity import ManufacturingOpportunity
from domain.symbols import ShipSymbol, WaypointSymbol
from domain.trade_route import TradeRoute

MANUFACTURING = "manufacturing"
ARBITRAGE = "arbitrage"
# Operation ids start with the kind's prefix, so a stored result or ledger row says which kind of work it was.
OPERATION_PREFIX = {MANUFACTURING: "mfg-", ARBITRAGE: "arb-"}
# A stranded-cargo clearance's operation id: no kind of work's (it sells what no run owns).
CLEARANCE_PREFIX = "clear-"


def kind_of_operation(operation_id: str | None) -> str | None:
    """manufacturing or arbitrage, from an operation id's prefix; None for other operations (fleet, recovery)."""
    for kind, prefix in OPERATION_PREFIX.items():
        if operation_id and operation_id.startswith(prefix):
            return kind
    return None


@dataclass(frozen=True, slots=True)
class WorkerJob:
    """One run with one ship: manufacturing (`ship` makes `opportunity.good` and sells it) or, with a `route`
    instead, trade arbitrage (buy at the route's export, sell at its imports). Ledger rows carry `operation_id`.
    `budget`: the most credits the run may have outstanding at once (its share of the account's one budget)."""

    operation_id: str
    ship: ShipSymbol
    opportunity: ManufacturingOpportunity | None
    run_id: str | None = None
    route: TradeRoute | None = None
    budget: int | None = None

    def __post_init__(self) -> None:
        if (self.opportunity is None) == (self.route is None):
            raise ValueError(f"{self.operation_id}: a job has either a manufacturing opportunity or a trade route")

    @property
    def kind(self) -> str:
        return ARBITRAGE if self.route is not None else MANUFACTURING

    @property
    def good(self) -> TradeSymbol:
        return self.route.good if self.route is not None else self.opportunity.good  # type: ignore[union-attr]

    @property
    def sell_market(self) -> WaypointSymbol:
        return self.route.sell_market if self.route is not None else self.opportunity.sell_market  # type: ignore


@dataclass(frozen=True, slots=True)
class ClearanceJob:
    """Sell the cargo `ship` holds that no run owns: the `goods` named (as seen when the job was made; others in the
    hold are left alone) (application/stranded_cargo.py). Ledger rows carry `operation_id` like a manufacturing
    run's. `idle_seconds`: how long the cargo had sat on an idle ship when the job was made; from the stranded-cargo
    pass's `idle_for` on, what no known market pays its cost for is sold at a loss rather than kept."""

    operation_id: str
    ship: ShipSymbol
    goods: tuple[TradeSymbol, ...]
    run_id: str | None = None
    idle_seconds: float = 0.0

    @property
    def good(self) -> TradeSymbol:
        return self.goods[0]


@dataclass(frozen=True, slots=True)
class WorkerResult:
    """How a run ended. Revenue, cost and profit come from the ledger rows of the run's operation only."""

    operation_id: str
    ship: ShipSymbol
    good: TradeSymbol
    started_at: datetime
    finished_at: datetime
    quantity_sold: int = 0
    revenue: int = 0
    cost: int = 0
    success: bool = False
    cancelled: bool = False
    error: str | None = None
    may_still_run: bool = False  # the pool gave up on the worker without knowing it ended: keep its ship held

    @property
    def profit(self) -> int:
        return self.revenue - self.cost

    @property
    def kind(self) -> str:
        """manufacturing or arbitrage (from the operation id)."""
        return kind_of_operation(self.operation_id) or MANUFACTURING

    @property
    def seconds(self) -> float:
        """The ship time the run took (never negative, whatever the clocks did)."""
        return max(0.0, (self.finished_at - self.started_at).total_seconds())

    @property
    def counted(self) -> bool:
        """Whether the run counts in what its kind of work earned: a stop did not cut it short (its cargo unsold),
        and it was a kind of work's run, not a stranded-cargo clearance (of no lane)."""
        return not self.cancelled and kind_of_operation(self.operation_id) is not None

    @property
    def outcome(self) -> str:
        """completed, cancelled or failed (for logs and metrics)."""
        if self.cancelled:
            return "cancelled"
        return "completed" if self.success else "failed"


# A result's error is one line for the status table and the run log; a traceback belongs in the worker's log.
MAX_ERROR_LENGTH = 400


def failure_line(failure: Exception) -> str:
    """A worker's failure as a WorkerResult error: its type and message on one line, at most MAX_ERROR_LENGTH."""
    text = " ".join(str(failure).split()) or "no detail"
    return f"{type(failure).__name__}: {text}"[:MAX_ERROR_LENGTH]


def ledger_unreadable(error: str | None, failure: Exception) -> str:
    """The error of a run whose ledger rows could not be read back: what already went wrong (or `failure`), and
    that its profit is unknown."""
    return f"{error or failure_line(failure)}; ledger unreadable, profit unknown"[:MAX_ERROR_LENGTH]

class CancelToken(Protocol):
    """Asked by a worker between steps and while waiting; set by `manufacturing stop`."""

    def cancelled(self) -> bool:
        ...


class WorkerPool(Protocol):
    """Runs WorkerJobs somewhere else (a multiprocessing pool in production, inline in tests)."""

    def submit(self, job: WorkerJob | ClearanceJob) -> None:
        """Start `job`; its result comes back through `completed()`."""
        ...

    def completed(self) -> Sequence[WorkerResult]:
        """Results that arrived since the last call (each result once)."""
        ...

    def active(self) -> int:
        """Jobs submitted and not yet returned by `completed()`."""
        ...

    def cancel_all(self) -> None:
        """Ask every running job to stop at its next step; their results still arrive (cancelled)."""
        ...

    def close(self, timeout: float) -> None:
        """Stop accepting jobs and wait up to `timeout` seconds for running ones."""
        ...
