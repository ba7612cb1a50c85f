"""ShipAssignmentRepository on the database: which operation holds which ship, under a lease."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import peewee

from adapters.storage.database import exclusive_write
from adapters.storage.rows import ShipAssignmentRow
from application.repositories import ShipAssignment
from domain.symbols import ShipSymbol
from domain.timestamps import ensure_aware


class SqlShipAssignmentRepository:
    """Implements application.repositories.ShipAssignmentRepository.

    A row per held ship (its primary key), deleted when released. A lease is live while `now < lease_until`.
    `try_assign` decides in one conditional upsert, so among any number of processes asking for the same ship
    exactly one gets it: the database's unique key settles the race, not a read made before the write.
    """

    def try_assign(self, ship: ShipSymbol, operation_id: str, holder: str, lease_until: datetime,
                   now: datetime) -> bool:
        ensure_aware(now, "try_assign now")
        with exclusive_write(ShipAssignmentRow):
            # Insert; or take the row over when its lease ran out or it is already ours (a renewal).
            (ShipAssignmentRow
             .insert(ship=ship, operation_id=operation_id, holder=holder, lease_until=lease_until,
                     activity="", activity_until=None)
             .on_conflict(
                 conflict_target=[ShipAssignmentRow.ship],
                 preserve=[ShipAssignmentRow.operation_id, ShipAssignmentRow.holder, ShipAssignmentRow.lease_until,
                           ShipAssignmentRow.activity, ShipAssignmentRow.activity_until],
                 where=((ShipAssignmentRow.lease_until <= now)
                        | (ShipAssignmentRow.operation_id == peewee.EXCLUDED.operation_id)))
             .execute())
            owner = (ShipAssignmentRow.select(ShipAssignmentRow.operation_id)
                     .where(ShipAssignmentRow.ship == ship).scalar())
        return owner == operation_id

    def renew(self, holder: str, lease_until: datetime) -> None:
        with exclusive_write(ShipAssignmentRow):
            (ShipAssignmentRow.update(lease_until=lease_until)
             .where(ShipAssignmentRow.holder == holder).execute())

    def renew_operations(self, operation_ids: Collection[str], lease_until: datetime) -> None:
        operations = list(operation_ids)
        if not operations:
            return
        with exclusive_write(ShipAssignmentRow):
            (ShipAssignmentRow.update(lease_until=lease_until)
             .where(ShipAssignmentRow.operation_id.in_(operations)).execute())

    def holds(self, ship: ShipSymbol, operation_id: str, now: datetime) -> bool:
        ensure_aware(now, "holds now")
        return (ShipAssignmentRow.select()
                .where((ShipAssignmentRow.ship == ship) & (ShipAssignmentRow.operation_id == operation_id)
                       & (ShipAssignmentRow.lease_until > now))
                .exists())

    def release(self, ship: ShipSymbol, operation_id: str) -> None:
        with exclusive_write(ShipAssignmentRow):
            (ShipAssignmentRow.delete()
             .where((ShipAssignmentRow.ship == ship) & (ShipAssignmentRow.operation_id == operation_id))
             .execute())

    def release_holder(self, holder: str, keep: Collection[str] = ()) -> list[ShipSymbol]:
        condition = ShipAssignmentRow.holder == holder
        if keep:
            condition &= ShipAssignmentRow.operation_id.not_in(list(keep))
        return self._release_where(condition)

    def reclaim_expired(self, now: datetime) -> list[ShipSymbol]:
        ensure_aware(now, "reclaim_expired now")
        return self._release_where(ShipAssignmentRow.lease_until <= now)

    def set_activity(self, ship: ShipSymbol, activity: str, until: datetime | None = None) -> None:
        with exclusive_write(ShipAssignmentRow):
            (ShipAssignmentRow.update(activity=activity, activity_until=until)
             .where(ShipAssignmentRow.ship == ship).execute())

    def assigned(self) -> Sequence[ShipAssignment]:
        return [
            ShipAssignment(ship=ShipSymbol(row.ship), operation_id=row.operation_id, holder=row.holder,
                           lease_until=row.lease_until, activity=row.activity, activity_until=row.activity_until)
            for row in ShipAssignmentRow.select().order_by(ShipAssignmentRow.ship)
        ]

    @staticmethod
    def _release_where(condition: peewee.Expression) -> list[ShipSymbol]:
        # Every writer of the table goes through exclusive_write, so the ships read here are exactly the ones
        # deleted next: nobody renews or takes one in between.
        with exclusive_write(ShipAssignmentRow):
            ships = [ShipSymbol(ship) for ship in
                     ShipAssignmentRow.select(ShipAssignmentRow.ship).where(condition)
                     .order_by(ShipAssignmentRow.ship).scalars()]
            if ships:
                ShipAssignmentRow.delete().where(ShipAssignmentRow.ship.in_(ships)).execute()
        return ships
