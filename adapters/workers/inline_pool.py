"""InlineWorkerPool: the WorkerPool on threads of this process, for tests and single-process runs.

Same contract as the process pool: at most `max_workers` jobs run at once (the rest wait), each runner gets a
threading.Event as its cancel flag, a runner that raises yields a failed WorkerResult. A thread cannot be killed,
so `close(timeout)` gives up on a runner still going after `timeout`: it reports it as failed and drops whatever
that runner returns later.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from adapters.workers.outcomes import (
    DuplicateJob, PoolClosed, cancelled_result, failed_result, one_line, utc_now,
)
from application.worker_jobs import WorkerJob, WorkerResult

_log = logging.getLogger(__name__)

Runner = Callable[[WorkerJob, Any], WorkerResult]


class InlineWorkerPool:
    """Runs WorkerJobs on threads, at most `max_workers` at once."""

    def __init__(self, runner: Runner, max_workers: int, *, now: Callable[[], datetime] = utc_now) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        self._runner = runner
        self.max_workers = max_workers
        self._now = now
        self._lock = threading.Lock()
        self._pending: deque[WorkerJob] = deque()
        self._running: dict[str, tuple[WorkerJob, threading.Thread, threading.Event, datetime]] = {}
        self._done: list[WorkerResult] = []
        self._abandoned: set[str] = set()
        self._closed = False

    def submit(self, job: WorkerJob) -> None:
        with self._lock:
            if self._closed:
                raise PoolClosed(f"the pool is closed; {job.operation_id} not started")
            if job.operation_id in self._running or any(p.operation_id == job.operation_id for p in self._pending):
                raise DuplicateJob(f"{job.operation_id} is already in the pool")
            self._pending.append(job)
            self._fill_locked()

    def completed(self) -> list[WorkerResult]:
        with self._lock:
            results, self._done = self._done, []
            return results

    def active(self) -> int:
        with self._lock:
            return len(self._pending) + len(self._running) + len(self._done)

    def cancel_all(self) -> None:
        with self._lock:
            self._drop_pending_locked()
            for _, _, cancel, _ in self._running.values():
                cancel.set()

    def close(self, timeout: float) -> None:
        with self._lock:
            self._closed = True
            self._drop_pending_locked()
            threads = [thread for _, thread, _, _ in self._running.values()]
        deadline = time.monotonic() + max(0.0, timeout)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            for operation_id, (job, _, cancel, started_at) in list(self._running.items()):
                cancel.set()
                self._abandoned.add(operation_id)
                del self._running[operation_id]
                error = f"abandoned: still running {timeout:g}s after the pool was closed"
                _log.warning("worker %s on %s: %s", operation_id, job.ship, error)
                # A thread cannot be stopped: it may still trade, so its ship must stay held (its lease then runs
                # out, and its own lease check stops it before it spends again).
                self._done.append(failed_result(job, started_at, self._now(), error, may_still_run=True))

    # --- inside --------------------------------------------------------------------------------

    def _drop_pending_locked(self) -> None:
        now = self._now()
        while self._pending:
            self._done.append(cancelled_result(self._pending.popleft(), now))

    def _fill_locked(self) -> None:
        while self._pending and len(self._running) < self.max_workers and not self._closed:
            job = self._pending.popleft()
            cancel = threading.Event()
            thread = threading.Thread(target=self._run, args=(job, cancel), name=f"worker-{job.ship}", daemon=True)
            self._running[job.operation_id] = (job, thread, cancel, self._now())
            thread.start()

    def _run(self, job: WorkerJob, cancel: threading.Event) -> None:
        started = self._now()
        try:
            result = self._runner(job, cancel)
            if not isinstance(result, WorkerResult):
                result = failed_result(job, started, self._now(),
                                       f"the runner returned {type(result).__name__}, not a WorkerResult")
        except Exception as error:  # a runner's bug must come back as a failed run, not vanish with the thread
            result = failed_result(job, started, self._now(), one_line(error))
        with self._lock:
            if job.operation_id in self._abandoned:
                self._abandoned.discard(job.operation_id)
                return
            self._running.pop(job.operation_id, None)
            self._done.append(result)
            self._fill_locked()
