"""Waiting on a Clock in slices, so that a cancelled operation stops within one slice instead of hours later."""
from __future__ import annotations

from application.errors import ApplicationError
from application.ports import Clock
from application.worker_jobs import CancelToken


class OperationCancelled(ApplicationError):
    """The operation's CancelToken fired; the caller stops cleanly (this is not a failure)."""


class NeverCancelled:
    """A CancelToken that never fires (CLI one-offs, tests)."""

    def cancelled(self) -> bool:
        return False


NEVER = NeverCancelled()


def check_cancelled(cancel: CancelToken) -> None:
    """Raise OperationCancelled when `cancel` has fired."""
    if cancel.cancelled():
        raise OperationCancelled("cancelled")


def pause(clock: Clock, seconds: float, cancel: CancelToken, slice_seconds: float) -> None:
    """Wait `seconds` of `clock` time, asking `cancel` before every slice; raises OperationCancelled."""
    if slice_seconds <= 0:
        raise ValueError("slice_seconds must be positive")
    remaining = seconds
    while remaining > 0:
        check_cancelled(cancel)
        step = min(slice_seconds, remaining)
        clock.sleep(step)
        remaining -= step
    check_cancelled(cancel)
