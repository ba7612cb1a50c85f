"""What both pools share: the cancel token a runner gets, the results a pool makes up itself, the pool's errors."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from application.worker_jobs import WorkerJob, WorkerResult


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


def failed_result(job: WorkerJob, started_at: datetime, finished_at: datetime, error: str) -> WorkerResult:
    """A result for a job whose runner gave none (it raised, or its process died)."""
    return WorkerResult(operation_id=job.operation_id, ship=job.ship, good=job.good,
                        started_at=started_at, finished_at=finished_at, success=False, error=error)


def cancelled_result(job: WorkerJob, at: datetime) -> WorkerResult:
    """A result for a job cancelled before it started: nothing was done, nothing spent."""
    return WorkerResult(operation_id=job.operation_id, ship=job.ship, good=job.good,
                        started_at=at, finished_at=at, success=False, cancelled=True)


def one_line(error: BaseException) -> str:
    """`Type: message` on one line, for WorkerResult.error."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
