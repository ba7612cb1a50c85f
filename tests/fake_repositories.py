"""In-memory LedgerRepository and ShipAssignmentRepository, as application/repositories.py defines them.

The peewee repositories (adapters/storage/) are the real ones; these keep the same promises in plain Python so that
application tests and behave steps can read the state back: recording the very same transaction twice keeps one
row, a live lease of another operation blocks `try_assign`, an expired one does not.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from application.repositories import LedgerIntent, ShipAssignment
from domain.dumped_market import DumpMark
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType, net_credits
from domain.symbols import ShipSymbol
from domain.usual_bid import UsualBid


class InMemoryLedgerRepository:
    """Append-only rows in recording order; `rows` is there to be read by tests."""

    def __init__(self) -> None:
        self.rows: list[LedgerTransaction] = []
        self._seen: set[LedgerTransaction] = set()
        self.intents: dict[str, LedgerIntent] = {}
        self.outcomes: dict[str, str] = {}
        self.closed_at: dict[str, datetime] = {}

    def open_intent(self, intent: LedgerIntent) -> None:
        self.intents[intent.intent_id] = intent

    def close_intent(self, intent_id: str, transaction: LedgerTransaction | None, outcome: str) -> bool:
        if intent_id in self.outcomes:
            return False
        if transaction is not None:
            self.record(transaction)  # raises before the intent closes, as the database's transaction would
        self.outcomes[intent_id] = outcome
        # When, as the database stamps it: the row's time, or now when no money moved.
        self.closed_at[intent_id] = transaction.occurred_at if transaction is not None else datetime.now(UTC)
        return True

    def open_intents(self, account: str) -> list[LedgerIntent]:
        return sorted((i for i in self.intents.values() if i.account == account and i.intent_id not in self.outcomes),
                      key=lambda i: i.opened_at)

    def purge_closed_intents(self, closed_before: datetime) -> int:
        old = [i for i, at in self.closed_at.items() if at < closed_before]
        for intent_id in old:
            del self.intents[intent_id], self.outcomes[intent_id], self.closed_at[intent_id]
        return len(old)

    def record(self, transaction: LedgerTransaction) -> None:
        if transaction in self._seen:
            return
        self._seen.add(transaction)
        self.rows.append(transaction)

    def transactions_of_operation(self, operation_id: str) -> list[LedgerTransaction]:
        return sorted((row for row in self.rows if row.operation_id == operation_id), key=lambda r: r.occurred_at)

    def transactions_since(self, since: datetime) -> list[LedgerTransaction]:
        return sorted((row for row in self.rows if row.occurred_at >= since), key=lambda r: r.occurred_at)

    def net_since(self, since: datetime) -> int:
        return net_credits(self.transactions_since(since))

    def latest(self, category: TransactionCategory, direction: TransactionType, good: TradeSymbol | None = None
               ) -> LedgerTransaction | None:
        rows = [row for row in self.rows if row.category is category and row.type is direction
                and (good is None or row.good == good)]
        return max(reversed(rows), key=lambda row: row.occurred_at, default=None)  # the last recorded on a tie

    def net(self) -> int:
        """Credits minus debits of every row (tests compare it with the game's change of credits)."""
        return net_credits(self.rows)


class InMemoryShipAssignmentRepository:
    """Ship -> ShipAssignment; at most one per ship."""

    def __init__(self) -> None:
        self.held: dict[ShipSymbol, ShipAssignment] = {}
        self.activities: dict[ShipSymbol, list[str]] = {}

    def try_assign(self, ship: ShipSymbol, operation_id: str, holder: str, lease_until: datetime,
                   now: datetime) -> bool:
        current = self.held.get(ship)
        if current is not None and current.operation_id != operation_id and current.lease_until > now:
            return False
        self.held[ship] = ShipAssignment(ship=ShipSymbol(ship), operation_id=operation_id, holder=holder,
                                         lease_until=lease_until)
        return True

    def renew(self, holder: str, lease_until: datetime) -> None:
        for ship, assignment in list(self.held.items()):
            if assignment.holder == holder:
                self.held[ship] = replace(assignment, lease_until=lease_until)

    def renew_operations(self, operation_ids: Collection[str], lease_until: datetime) -> None:
        for ship, assignment in list(self.held.items()):
            if assignment.operation_id in operation_ids:
                self.held[ship] = replace(assignment, lease_until=lease_until)

    def holds(self, ship: ShipSymbol, operation_id: str, now: datetime) -> bool:
        current = self.held.get(ship)
        return current is not None and current.operation_id == operation_id and current.lease_until > now

    def release(self, ship: ShipSymbol, operation_id: str) -> None:
        current = self.held.get(ship)
        if current is not None and current.operation_id == operation_id:
            del self.held[ship]

    def release_holder(self, holder: str, keep: Collection[str] = ()) -> list[ShipSymbol]:
        ships = [ship for ship, assignment in self.held.items()
                 if assignment.holder == holder and assignment.operation_id not in keep]
        for ship in ships:
            del self.held[ship]
        return ships

    def reclaim_expired(self, now: datetime) -> list[ShipSymbol]:
        ships = [ship for ship, assignment in self.held.items() if assignment.lease_until <= now]
        for ship in ships:
            del self.held[ship]
        return ships

    def set_activity(self, ship: ShipSymbol, activity: str, until: datetime | None = None) -> None:
        """Shown on the assignment when the ship is held; every activity is also kept in `activities`."""
        self.activities.setdefault(ship, []).append(activity)
        current = self.held.get(ship)
        if current is not None:
            self.held[ship] = replace(current, activity=activity, activity_until=until)

    def assigned(self) -> Sequence[ShipAssignment]:
        return list(self.held.values())

    def holder_of(self, ship: ShipSymbol) -> str | None:
        """The operation holding `ship`, or None when it is idle."""
        current = self.held.get(ship)
        return None if current is None else current.operation_id


class InMemoryDumpedMarkets:
    """DumpedMarketRepository in a dict keyed by (market, good); a newer mark replaces the older one."""

    def __init__(self) -> None:
        self.marks: dict[tuple[str, str], DumpMark] = {}

    def mark(self, dump: DumpMark) -> None:
        self.marks[(str(dump.market), str(dump.good))] = dump

    def active(self, now: datetime) -> list[DumpMark]:
        return [mark for mark in self.marks.values() if mark.until > now]

    def clear(self, market, good) -> None:
        self.marks.pop((str(market), str(good)), None)


class InMemoryUsualBids:
    """UsualBidRepository in a dict keyed by (market, good); only a later observation replaces a stored one."""

    def __init__(self) -> None:
        self.bids: dict[tuple[str, str], UsualBid] = {}

    def of_market(self, market) -> list[UsualBid]:
        return [u for (m, _), u in sorted(self.bids.items()) if m == str(market)]

    def in_system(self, system) -> list[UsualBid]:
        return [u for _, u in sorted(self.bids.items()) if u.market.system == system]

    def save(self, bids: Sequence[UsualBid]) -> None:
        for bid in bids:
            known = self.bids.get((str(bid.market), str(bid.good)))
            if known is None or bid.seen_at > known.seen_at:
                self.bids[(str(bid.market), str(bid.good))] = bid
