"""Stopping well: a stop first asks workers to wind down (buy nothing more, sell what they hold), then cancels.

The coordinator marks its run DRAINING; a worker (in its own process) learns it through the RunRepository. The
token asks storage at most every `every` seconds of the clock, so a worker can ask it before every step.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from application.ports import Clock
from application.repositories import RunRepository
from application.worker_jobs import CancelToken

DRAINING = "DRAINING"
# A run in any of these states wants no new purchases from its workers.
WIND_DOWN_STATES = frozenset({DRAINING, "STOPPING", "STOPPED", "CRASHED"})


class RunWindDown:
    """A CancelToken that fires once the run `run_id` is draining or over."""

    def __init__(self, runs: RunRepository, run_id: str | None, clock: Clock, every: float = 2.0) -> None:
        self._runs = runs
        self._run_id = run_id
        self._clock = clock
        self._every = timedelta(seconds=every)
        self._next_ask: datetime | None = None
        self._fired = False

    def cancelled(self) -> bool:
        if self._fired or self._run_id is None:
            return self._fired
        now = self._clock.now()
        if self._next_ask is None or now >= self._next_ask:
            self._next_ask = now + self._every
            try:
                self._fired = self._runs.run_state(self._run_id) in WIND_DOWN_STATES
            except Exception:  # storage trouble must not stop a worker: the hard cancel still does
                return False
        return self._fired


class EitherToken:
    """Fires when any of its tokens fires."""

    def __init__(self, *tokens: CancelToken) -> None:
        self._tokens = tokens

    def cancelled(self) -> bool:
        return any(token.cancelled() for token in self._tokens)
