"""What both pools share: the cancel token a runner gets, the results a pool makes up itself, the pool's errors."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from application.worker_jobs import ClearanceJob, WorkerJob, WorkerResult


class PoolError(Exception):
    """Base of the worker pools' errors."""


class PoolClosed(PoolError):
    """A job was submitted after `close()`."""


class DuplicateJob(PoolError):
    """A job with the operation id of one still in the pool was submitted."""


class SettableFlag(Protocol):
    """threading.Event and multiprocessing.Event alike."""

    def is_set(self) -> bool:
        ...


class EventCancelToken:
    """The application's CancelToken over the Event a pool hands its runner."""

    def __init__(self, event: SettableFlag) -> None:
        self._event = event

    def cancelled(self) -> bool:
        return self._event.is_set()


def utc_now() -> datetime:
    return datetime.now(UTC)


def failed_result(job: WorkerJob | ClearanceJob, started_at: datetime, finished_at: datetime, error: str, *,
                  may_still_run: bool = False) -> WorkerResult:
    """A result for a job whose runner gave none (it raised, its process died, or it was given up on while
    perhaps still running: `may_still_run`, so that its ship is not handed out while it may still trade)."""
    return WorkerResult(operation_id=job.operation_id, ship=job.ship, good=job.good,
                        started_at=started_at, finished_at=finished_at, success=False, error=error,
                        may_still_run=may_still_run)


def cancelled_result(job: WorkerJob | ClearanceJob, at: datetime) -> WorkerResult:
    """A result for a job cancelled before it started: nothing was done, nothing spent."""
    return WorkerResult(operation_id=job.operation_id, ship=job.ship, good=job.good,
                        started_at=at, finished_at=at, success=False, cancelled=True)


def one_line(error: BaseException) -> str:
    """`Type: message` on one line, for WorkerResult.error."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
