"""ProcessWorkerPool: the WorkerPool on multiprocessing (spawn), one process per running job.

Each running job has a process of its own, at most `max_workers` at a time; further jobs wait in the pool and start
as slots free. One process per job rather than a multiprocessing.Pool because a Pool never completes the async
result of a worker that was killed (its AsyncResult waits forever), and an Event cannot be handed to a Pool task;
with a process per job a dead child is seen by its exit code and turned into a failed WorkerResult, and each job
gets its own cancel Event. Starting a process costs a fraction of a second, next to runs of many minutes.

The runner is a module-level (picklable) `runner(job, cancel_event) -> WorkerResult`, given at construction: the
composition root passes one that builds the worker's dependencies inside the child. Results come back over a pipe
per job. The pool is driven by its owner (the coordinator's loop): `completed()` looks at the children.
"""
from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from adapters.workers.outcomes import (
    DuplicateJob, PoolClosed, cancelled_result, failed_result, one_line, utc_now,
)
from application.worker_jobs import ClearanceJob, WorkerJob, WorkerResult

_log = logging.getLogger(__name__)

Runner = Callable[[WorkerJob, Any], WorkerResult]

# Start methods whose children inherit no objects of the coordinator: each worker builds its own from the Runtime.
_CLEAN_START = ("spawn", "forkserver")

# How long a child that sent its result may take to exit before it is terminated.
_EXIT_GRACE = 5.0


def _child_main(runner: Runner, job: WorkerJob, cancel_event: Any, conn: Connection) -> None:
    """Entry point of a worker process: run the job, send back exactly one WorkerResult."""
    # Ctrl-C reaches the whole process group; stopping is the coordinator's call, made through the cancel event.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    started = utc_now()
    try:
        result = runner(job, cancel_event)
        if not isinstance(result, WorkerResult):
            result = failed_result(job, started, utc_now(),
                                   f"the runner returned {type(result).__name__}, not a WorkerResult")
    except BaseException as error:  # the process ends here either way; the coordinator must hear why
        result = failed_result(job, started, utc_now(), one_line(error))
    try:
        conn.send(result)
    finally:
        conn.close()


@dataclass(slots=True)
class _Running:
    job: WorkerJob | ClearanceJob
    process: multiprocessing.process.BaseProcess
    conn: Connection
    cancel: Any
    started_at: datetime


class ProcessWorkerPool:
    """Runs WorkerJobs in spawned processes, at most `max_workers` at once."""

    def __init__(
        self,
        runner: Runner,
        max_workers: int,
        *,
        now: Callable[[], datetime] = utc_now,
        poll_interval: float = 0.05,
        context: BaseContext | None = None,
        on_exit: Callable[[int], None] | None = None,
    ) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        if context is not None and context.get_start_method() not in _CLEAN_START:
            raise ValueError(f"worker processes start clean ({' or '.join(_CLEAN_START)}), not with "
                             f"{context.get_start_method()!r}: a forked child would inherit the coordinator's "
                             f"open database and HTTP connections")
        self._runner = runner
        self.max_workers = max_workers
        self._now = now
        self._poll_interval = poll_interval
        self._ctx = context or multiprocessing.get_context("spawn")
        self._pending: deque[WorkerJob] = deque()
        self._running: dict[str, _Running] = {}
        self._done: list[WorkerResult] = []
        self._closed = False
        # Told the pid of each worker process that ended (metrics drop the live gauges of dead processes).
        self._on_exit = on_exit

    # --- WorkerPool ----------------------------------------------------------------------------

    def submit(self, job: WorkerJob) -> None:
        if self._closed:
            raise PoolClosed(f"the pool is closed; {job.operation_id} not started")
        if job.operation_id in self._running or any(p.operation_id == job.operation_id for p in self._pending):
            raise DuplicateJob(f"{job.operation_id} is already in the pool")
        self._pending.append(job)
        self._fill()

    def completed(self) -> list[WorkerResult]:
        self._poll()
        self._fill()
        results, self._done = self._done, []
        return results

    def active(self) -> int:
        return len(self._pending) + len(self._running) + len(self._done)

    def cancel_all(self) -> None:
        now = self._now()
        while self._pending:
            self._done.append(cancelled_result(self._pending.popleft(), now))
        for running in self._running.values():
            running.cancel.set()

    def close(self, timeout: float) -> None:
        """Stop accepting jobs, drop those not started (as cancelled), wait up to `timeout` seconds for the running
        ones, then terminate what is left (failed results). Results stay available through `completed()`."""
        self._closed = True
        now = self._now()
        while self._pending:
            self._done.append(cancelled_result(self._pending.popleft(), now))
        deadline = time.monotonic() + max(0.0, timeout)
        while self._running and time.monotonic() < deadline:
            self._poll()
            if self._running:
                time.sleep(self._poll_interval)
        self._poll()
        for operation_id in list(self._running):
            running = self._running.pop(operation_id)
            ended = _stop(running.process)
            if ended:
                self._exited(running)
            self._finish(running, f"terminated: still running {timeout:g}s after the pool was closed",
                         may_still_run=not ended)

    # --- extras --------------------------------------------------------------------------------

    def pids(self) -> dict[str, int | None]:
        """Operation id -> process id of each running job (for `status` and tests)."""
        return {operation_id: running.process.pid for operation_id, running in self._running.items()}

    @property
    def closed(self) -> bool:
        return self._closed

    # --- inside --------------------------------------------------------------------------------

    def _fill(self) -> None:
        while self._pending and len(self._running) < self.max_workers and not self._closed:
            self._start(self._pending.popleft())

    def _start(self, job: WorkerJob) -> None:
        receiver, sender = self._ctx.Pipe(duplex=False)
        cancel = self._ctx.Event()
        process = self._ctx.Process(target=_child_main, args=(self._runner, job, cancel, sender),
                                    name=f"worker-{job.ship}-{job.operation_id}", daemon=True)
        started_at = self._now()
        try:
            process.start()
        except Exception as error:  # spawning can fail (no memory, too many processes): the job fails, not the pool
            receiver.close()
            sender.close()
            self._done.append(failed_result(job, started_at, self._now(), f"could not start a worker process: "
                                            f"{one_line(error)}"))
            return
        sender.close()  # the child holds the writing end; our copy would hide its death (no EOF)
        self._running[job.operation_id] = _Running(job, process, receiver, cancel, started_at)

    def _poll(self) -> None:
        for operation_id in list(self._running):
            running = self._running[operation_id]
            result = _receive(running.conn)
            if result is not None:
                running.process.join(_EXIT_GRACE)
                if running.process.is_alive():
                    _stop(running.process)
                del self._running[operation_id]
                self._exited(running)
                running.conn.close()
                self._done.append(result if isinstance(result, WorkerResult) else failed_result(
                    running.job, running.started_at, self._now(), "the worker sent something else than a result"))
            elif not running.process.is_alive():
                running.process.join()
                del self._running[operation_id]
                self._exited(running)
                self._finish(running, f"the worker process died (exit code {running.process.exitcode}) "
                                      "before returning a result")

    def _exited(self, running: _Running) -> None:
        if self._on_exit is None or running.process.pid is None or running.process.is_alive():
            return
        try:
            self._on_exit(running.process.pid)
        except Exception as error:  # metrics must not break the pool
            _log.warning("after worker %s ended: %s", running.job.operation_id, one_line(error))

    def _finish(self, running: _Running, error: str, *, may_still_run: bool = False) -> None:
        """A job whose process ended without a result: the last look at the pipe, else a failed result."""
        result = _receive(running.conn)
        running.conn.close()
        if isinstance(result, WorkerResult):
            self._done.append(result)
            return
        _log.warning("worker %s on %s: %s", running.job.operation_id, running.job.ship, error)
        self._done.append(failed_result(running.job, running.started_at, self._now(), error,
                                        may_still_run=may_still_run))


def _receive(conn: Connection) -> object | None:
    """The object waiting on the pipe, or None when nothing is there (or the writer died without sending)."""
    try:
        if not conn.poll():
            return None
        return conn.recv()
    except (EOFError, OSError):
        return None


def _stop(process: multiprocessing.process.BaseProcess) -> bool:
    """Terminate, then kill; True once the process is gone (False: it may still be running)."""
    process.terminate()
    process.join(2.0)
    if process.is_alive():
        process.kill()
        process.join(2.0)
    return not process.is_alive()
