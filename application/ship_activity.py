"""What a worker tells the assignment table about its ship: what it is doing now, and that it is done with it.

Both are best effort: the activity only feeds `status`, and the coordinator releases the ship again when it
collects the worker's result, so a failed write here loses nothing.
"""
from __future__ import annotations

from application.repositories import ShipAssignmentRepository
from domain.symbols import ShipSymbol


def show_activity(assignments: ShipAssignmentRepository | None, ship: ShipSymbol, activity: str) -> None:
    """Show `activity` for `ship` (what `status` prints); a failure to write it is ignored."""
    if assignments is None:
        return
    try:
        assignments.set_activity(ship, activity)
    except Exception:  # only what status shows
        pass


def release_ship(assignments: ShipAssignmentRepository | None, ship: ShipSymbol, operation_id: str) -> None:
    """Give the ship back (its activity goes with its assignment); the coordinator does it again when it books
    the result."""
    if assignments is None:
        return
    try:
        # No clearing of the activity by ship first: when the lease was lost, the ship's row (and what it shows)
        # belongs to the operation that took it over, and release touches only this operation's row.
        assignments.release(ship, operation_id)
    except Exception:  # the coordinator releases the ship again when it collects the result
        pass
