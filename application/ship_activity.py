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
    """Clear the ship's activity and give it back; the coordinator does it again when it books the result."""
    if assignments is None:
        return
    try:
        assignments.set_activity(ship, "", None)
        assignments.release(ship, operation_id)
    except Exception:  # the coordinator releases the ship again when it collects the result
        pass
