"""The game server's clock: wall-clock UTC in production, a hand-driven one in tests.

The World never sleeps; it asks its clock for the time, so tests move time forward with `ManualClock.advance`.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class GameClock(Protocol):
    """Where the World gets the current time (aware UTC)."""

    def now(self) -> datetime: ...


class WallClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that moves only when told to; for tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by `seconds` (wall seconds) and return the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (aware)."""
        with self._lock:
            self._now = when
