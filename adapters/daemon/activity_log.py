"""Long waits in the daemon's log: what each held ship of the player is doing, and until when.

The navigator, the production executor and the fleet manager write a ship's current activity (and the time it
ends, when known) to the assignment repository, from whichever process runs them. A thread of the daemon reads
those rows every few seconds and logs each change, so the log shows "flying to X until 14:05:10 (in 40 s)" or
"waiting for FOOD at X since ..." as it happens, for workers in other processes too.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from adapters.durations import format_duration
from application.repositories import ShipAssignment, ShipAssignmentRepository

_log = logging.getLogger("spacetraders.activity")


def describe(assignment: ShipAssignment, now: datetime) -> str:
    """One line: the ship, what it does, and how long until that ends when it is known."""
    activity = assignment.activity or f"held by {assignment.operation_id}"
    until = assignment.activity_until
    if until is None:
        return f"{assignment.ship}: {activity}"
    left = (until - now).total_seconds()
    when = f"in {format_duration(left)}" if left > 0 else "due now"
    return f"{assignment.ship}: {activity} ({when})"


class ActivityLog:
    """Polls the held ships of `player` and logs what changed (`poll` is the step; `start` runs it on a thread)."""

    def __init__(self, assignments: ShipAssignmentRepository, player: str, *, interval: float = 2.0,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC), log: logging.Logger | None = None,
                 on_exit: Callable[[], None] | None = None) -> None:
        self._assignments = assignments
        self._prefix = f"{player}-"
        self._interval = interval
        self._now = now
        self._log = log or _log
        self._on_exit = on_exit
        self._seen: dict[str, tuple[str, str, datetime | None]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> list[str]:
        """Log (and return) a line for every held ship whose activity changed, and one for each ship let go."""
        now = self._now()
        current = {a.ship: a for a in self._assignments.assigned() if a.ship.startswith(self._prefix)}
        lines = []
        for ship, assignment in sorted(current.items()):
            key = (assignment.operation_id, assignment.activity, assignment.activity_until)
            if self._seen.get(ship) != key:
                lines.append(describe(assignment, now))
            self._seen[ship] = key
        for ship in sorted(set(self._seen) - set(current)):
            del self._seen[ship]
            lines.append(f"{ship}: released")
        for line in lines:
            self._log.info("%s", line)
        return lines

    def start(self) -> ActivityLog:
        self._thread = threading.Thread(target=self._run, name="activity-log", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10.0)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                try:
                    self.poll()
                except Exception as error:  # a busy database must not end the log of activities for good
                    self._log.debug("activity log: %s", error)
        finally:
            if self._on_exit is not None:
                self._on_exit()
