"""Storage ports beyond markets: ledger, ship assignments, coordinator runs, the supply-chain map.

Implemented with peewee in adapters/storage/ (SQLite or PostgreSQL), in memory in tests/fakes.py. Every method
is safe to call from several processes at once (the coordinator and its workers share one database).
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from application.worker_jobs import WorkerResult
from domain.dumped_market import DumpMark
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import SupplyChainMap
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.trade_route import TradeRoute
from domain.usual_bid import UsualBid


@dataclass(frozen=True, slots=True)
class LedgerIntent:
    """A call that may move money, written down before it is sent (see application/ledger_recorder.py).

    `credits_before` is the agent's balance just before the call, read while the account's money gate was held
    (so no other call of the account moved money in between); `expected` says which way the money should move.
    An intent stays open until its outcome is known: the answer's row, or the change of the agent's credits.
    """

    intent_id: str
    account: str
    category: TransactionCategory
    expected: TransactionType
    credits_before: int
    opened_at: datetime
    operation_id: str | None = None
    ship: ShipSymbol | None = None
    good: TradeSymbol | None = None
    units: int | None = None
    waypoint: str | None = None

    def describe(self) -> str:
        what = f"{self.units} {self.good}" if self.units and self.good else str(self.good or self.category)
        by = f" by {self.ship}" if self.ship else ""
        return f"{self.category} {self.expected} of {what}{by} (operation {self.operation_id})"


class LedgerRepository(Protocol):
    """Every credit earned or spent, append-only. Recording the very same transaction twice keeps one row.

    Also the intents of calls that may move money (LedgerIntent): opened before the call, closed with the row the
    outcome gave (or none when no money moved) in one step, so a row is never written twice for one intent."""

    def record(self, transaction: LedgerTransaction) -> None:
        ...

    def open_intent(self, intent: LedgerIntent) -> None:
        """Write `intent` down as open."""
        ...

    def close_intent(self, intent_id: str, transaction: LedgerTransaction | None, outcome: str) -> bool:
        """Record `transaction` (if any) and close the intent, atomically; `outcome` says how it was settled.
        False (and nothing written) when the intent was already closed."""
        ...

    def open_intents(self, account: str) -> Sequence[LedgerIntent]:
        """The account's intents not closed yet, oldest first."""
        ...

    def purge_closed_intents(self, closed_before: datetime) -> int:
        """Delete the intents (of every account) closed before `closed_before`; open ones stay whatever their
        age. How many were deleted."""
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

    def latest(self, category: TransactionCategory, direction: TransactionType, good: TradeSymbol | None = None
               ) -> LedgerTransaction | None:
        """The row of this category and direction (and good, when given) that occurred last (the last recorded on a
        tie); None when there is none. Read by the database, not by the caller going through every row (the fleet's
        hauler trial asks it for the last hauler bought, once per process)."""
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

    def renew_operations(self, operation_ids: Collection[str], lease_until: datetime) -> None:
        """Extend the leases of these operations only (the ones known to be alive)."""
        ...

    def holds(self, ship: ShipSymbol, operation_id: str, now: datetime) -> bool:
        """Whether `operation_id` still holds `ship` under a live lease."""
        ...

    def release(self, ship: ShipSymbol, operation_id: str) -> None:
        """Return `ship` to the idle pool if `operation_id` holds it (idempotent)."""
        ...

    def release_holder(self, holder: str, keep: Collection[str] = ()) -> list[ShipSymbol]:
        """Release every ship `holder` has, except those of the operations in `keep`; returns them."""
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
    """Coordinator runs, their latest ranked opportunities and trade routes, and their workers' results."""

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

    def save_routes(self, run_id: str, routes: Sequence[TradeRoute]) -> None:
        """Replace the run's ranked trade routes (best first)."""
        ...

    def routes(self, run_id: str) -> Sequence[TradeRoute]:
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


class UsualBidRepository(Protocol):
    """What each market usually pays for each good it buys (domain.usual_bid), kept across restarts and shared by
    every process that observes markets."""

    def of_market(self, market: WaypointSymbol) -> Sequence[UsualBid]:
        """The usual bids remembered at `market`, one per good."""
        ...

    def in_system(self, system: SystemSymbol) -> Sequence[UsualBid]:
        """The usual bids remembered at every market of `system`."""
        ...

    def save(self, bids: Sequence[UsualBid]) -> None:
        """Store `bids`, each replacing the one of its market and good."""
        ...


class SupplyChainRepository(Protocol):
    """The export-to-import map as last fetched from the game."""

    def save(self, supply_chain: SupplyChainMap, at: datetime) -> None:
        ...

    def load(self) -> SupplyChainMap | None:
        ...


class CreditMemo(Protocol):
    """The agent's credits after the account's last money-moving call, as known while the money gate is held;
    None when unknown (a call's outcome is pending, or nobody noted it yet)."""

    credits: int | None


class MoneyGate(Protocol):
    """Serialises the money-moving calls of one account across every process and thread of the bot.

    While one caller holds the gate no other call of the account moves money, so the agent's credits before and
    after a call whose answer was lost say exactly what that call moved, whatever other workers do. A holder
    that dies lets go of the gate (the operating system releases it)."""

    account: str

    def hold(self) -> AbstractContextManager[CreditMemo]:
        """Wait for the gate; the memo is shared by every holder and kept across processes."""
        ...
