"""ShipAssignmentRepository on the database: which operation holds which ship, under a lease."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import peewee

from adapters.storage.database import Database, exclusive_write
from application.repositories import ShipAssignment
from domain.symbols import ShipSymbol
from domain.timestamps import ensure_aware


class SqlShipAssignmentRepository:
    """Implements application.repositories.ShipAssignmentRepository.

    A row per held ship (its primary key), deleted when released. A lease is live while `now < lease_until`.
    `try_assign` decides in one conditional upsert, so among any number of processes asking for the same ship
    exactly one gets it: the database's unique key settles the race, not a read made before the write.
    """

    def __init__(self, database: Database) -> None:
        tables = database.rows  # this database's own row models
        self._assignments = tables.ShipAssignmentRow

    def try_assign(self, ship: ShipSymbol, operation_id: str, holder: str, lease_until: datetime,
                   now: datetime) -> bool:
        ensure_aware(now, "try_assign now")
        with exclusive_write(self._assignments):
            # Insert; or take the row over when its lease ran out or it is already ours (a renewal).
            (self._assignments
             .insert(ship=ship, operation_id=operation_id, holder=holder, lease_until=lease_until,
                     activity="", activity_until=None)
             .on_conflict(
                 conflict_target=[self._assignments.ship],
                 preserve=[self._assignments.operation_id, self._assignments.holder, self._assignments.lease_until,
                           self._assignments.activity, self._assignments.activity_until],
                 where=((self._assignments.lease_until <= now)
                        | (self._assignments.operation_id == peewee.EXCLUDED.operation_id)))
             .execute())
            owner = (self._assignments.select(self._assignments.operation_id)
                     .where(self._assignments.ship == ship).scalar())
        return owner == operation_id

    def renew(self, holder: str, lease_until: datetime) -> None:
        with exclusive_write(self._assignments):
            (self._assignments.update(lease_until=lease_until)
             .where(self._assignments.holder == holder).execute())

    def renew_operations(self, operation_ids: Collection[str], lease_until: datetime) -> None:
        operations = list(operation_ids)
        if not operations:
            return
        with exclusive_write(self._assignments):
            (self._assignments.update(lease_until=lease_until)
             .where(self._assignments.operation_id.in_(operations)).execute())

    def holds(self, ship: ShipSymbol, operation_id: str, now: datetime) -> bool:
        ensure_aware(now, "holds now")
        return (self._assignments.select()
                .where((self._assignments.ship == ship) & (self._assignments.operation_id == operation_id)
                       & (self._assignments.lease_until > now))
                .exists())

    def release(self, ship: ShipSymbol, operation_id: str) -> None:
        with exclusive_write(self._assignments):
            (self._assignments.delete()
             .where((self._assignments.ship == ship) & (self._assignments.operation_id == operation_id))
             .execute())

    def release_holder(self, holder: str, keep: Collection[str] = ()) -> list[ShipSymbol]:
        condition = self._assignments.holder == holder
        if keep:
            condition &= self._assignments.operation_id.not_in(list(keep))
        return self._release_where(condition)

    def reclaim_expired(self, now: datetime) -> list[ShipSymbol]:
        ensure_aware(now, "reclaim_expired now")
        return self._release_where(self._assignments.lease_until <= now)

    def set_activity(self, ship: ShipSymbol, activity: str, until: datetime | None = None) -> None:
        with exclusive_write(self._assignments):
            (self._assignments.update(activity=activity, activity_until=until)
             .where(self._assignments.ship == ship).execute())

    def assigned(self) -> Sequence[ShipAssignment]:
        return [
            ShipAssignment(ship=ShipSymbol(row.ship), operation_id=row.operation_id, holder=row.holder,
                           lease_until=row.lease_until, activity=row.activity, activity_until=row.activity_until)
            for row in self._assignments.select().order_by(self._assignments.ship)
        ]

    def _release_where(self, condition: peewee.Expression) -> list[ShipSymbol]:
        # Every writer of the table goes through exclusive_write, so the ships read here are exactly the ones
        # deleted next: nobody renews or takes one in between.
        with exclusive_write(self._assignments):
            ships = [ShipSymbol(ship) for ship in
                     self._assignments.select(self._assignments.ship).where(condition)
                     .order_by(self._assignments.ship).scalars()]
            if ships:
                self._assignments.delete().where(self._assignments.ship.in_(ships)).execute()
        return ships
