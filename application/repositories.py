"""Storage ports beyond markets: ledger, ship assignments, coordinator runs, the supply-chain map.

Implemented with peewee in adapters/storage/ (SQLite or PostgreSQL), in memory in tests/fakes.py. Every method
is safe to call from several processes at once (the coordinator and its workers share one database).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from application.worker_jobs import WorkerResult
from domain.dumped_market import DumpMark
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import SupplyChainMap
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol


class LedgerRepository(Protocol):
    """Every credit earned or spent, append-only. Recording the very same transaction twice keeps one row."""

    def record(self, transaction: LedgerTransaction) -> None:
        ...

    def transactions_of_operation(self, operation_id: str) -> Sequence[LedgerTransaction]:
        """Rows recorded under `operation_id`, oldest first."""
        ...

    def transactions_since(self, since: datetime) -> Sequence[LedgerTransaction]:
        """Rows that occurred at or after `since`, oldest first."""
        ...

    def net_since(self, since: datetime) -> int:
        """Credits minus debits of the rows since `since`."""
        ...


@dataclass(frozen=True, slots=True)
class ShipAssignment:
    """A ship held by an operation until `lease_until` (renewed while the holder lives).

    `activity` and `activity_until` say what the ship is doing right now, for `manufacturing status`.
    """

    ship: ShipSymbol
    operation_id: str
    holder: str
    lease_until: datetime
    activity: str = ""
    activity_until: datetime | None = None


class ShipAssignmentRepository(Protocol):
    """Which operation holds which ship. A ship is held by at most one operation; a lease that runs out (its holder
    died) lets the ship be taken again."""

    def try_assign(self, ship: ShipSymbol, operation_id: str, holder: str, lease_until: datetime,
                   now: datetime) -> bool:
        """Hold `ship` for `operation_id`; False when a live lease of another operation holds it."""
        ...

    def renew(self, holder: str, lease_until: datetime) -> None:
        """Extend every lease `holder` has."""
        ...

    def release(self, ship: ShipSymbol, operation_id: str) -> None:
        """Return `ship` to the idle pool if `operation_id` holds it (idempotent)."""
        ...

    def release_holder(self, holder: str) -> list[ShipSymbol]:
        """Release every ship `holder` has; returns them."""
        ...

    def reclaim_expired(self, now: datetime) -> list[ShipSymbol]:
        """Release ships whose lease ran out; returns them."""
        ...

    def set_activity(self, ship: ShipSymbol, activity: str, until: datetime | None = None) -> None:
        ...

    def assigned(self) -> Sequence[ShipAssignment]:
        ...


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One coordinator run (from `manufacturing start` to `stop`)."""

    run_id: str
    player: str
    system: SystemSymbol
    state: str  # RUNNING, DRAINING, STOPPING, STOPPED, CRASHED
    started_at: datetime
    pid: int | None = None
    finished_at: datetime | None = None
    strategies: str = ""


class RunRepository(Protocol):
    """Coordinator runs, their latest ranked opportunities and their workers' results."""

    def start_run(self, run: RunInfo) -> None:
        ...

    def set_state(self, run_id: str, state: str, at: datetime) -> None:
        ...

    def latest_run(self, player: str) -> RunInfo | None:
        ...

    def save_opportunities(self, run_id: str, opportunities: Sequence[ManufacturingOpportunity]) -> None:
        """Replace the run's ranked opportunities (best first)."""
        ...

    def opportunities(self, run_id: str) -> Sequence[ManufacturingOpportunity]:
        ...

    def record_result(self, run_id: str, result: WorkerResult) -> None:
        """Store a worker's result (recording the same operation twice keeps one row)."""
        ...

    def results(self, run_id: str | None = None, limit: int = 50) -> Sequence[WorkerResult]:
        """Most recent first; all runs when `run_id` is None."""
        ...

    def run_state(self, run_id: str) -> str | None:
        """The run's state (RUNNING, DRAINING, STOPPING...), None for an unknown run; workers ask it to learn
        that a stop asked them to wind down."""
        ...


class DumpedMarketRepository(Protocol):
    """Where our own sales crushed an import's bid (persisted, so a restart keeps away from it too)."""

    def mark(self, dump: DumpMark) -> None:
        """Remember `dump`; a newer mark for the same market and good replaces the older one."""
        ...

    def active(self, now: datetime) -> Sequence[DumpMark]:
        """The marks whose `until` is after `now`."""
        ...

    def clear(self, market: WaypointSymbol, good: TradeSymbol) -> None:
        """Forget the mark of `good` at `market` (its bid was seen recovered)."""
        ...


class SupplyChainRepository(Protocol):
    """The export-to-import map as last fetched from the game."""

    def save(self, supply_chain: SupplyChainMap, at: datetime) -> None:
        ...

    def load(self) -> SupplyChainMap | None:
        ...
