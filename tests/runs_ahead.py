"""Runs that start ahead of their tests: a slow end-to-end run (a game server process and a bot, a minute or two of
wall time spent mostly waiting on the game clock and the rate limit, little CPU) starts in a process of its own
when the session starts, beside the rest of the suite, and its test asserts on what it returned.

A test declares its run with `@pytest.mark.runs_ahead(run=_run, seconds=S)`, `_run(root: Path)` being a function
of its module that returns picklable data and S about how long it takes, and takes the `ran_ahead` fixture:
`ran_ahead()` waits for the run and returns its result, fails with what the run raised and the tail of its log, or
skips as the run did. The run is the test's own code moved into a function: the same server, bot, limits and data
as before; only the assertions on the outcome wait in the test (where pytest explains them).

The runs start with the first test of the session, at most `AT_ONCE` at a time, the longest first. Their tests go
after the rest of the suite (the runs have had it to finish in), and the tests marked `undisturbed` go last, once
every run has ended: their figures need the machine's spare CPU or its wall-clock pace to themselves. Each run has
its own directory, server, agent and database: nothing is shared between runs or with other tests.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest

AT_ONCE = 3  # runs at a time: each uses a fraction of a core (its server, its bot, its worker processes)
LOG_TAIL = 60  # lines of a failed run's log shown with its failure
EXIT_GRACE = 60.0  # seconds a run's process that sent its result has to exit before it is killed


class RunAheadFailed(AssertionError):
    """The run of a test raised: its traceback (from its own process) and the tail of its log."""


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit("the session ended before this run's test")


def _child(run: Callable[[Path], Any], root: Path, sending: Connection) -> None:
    """In the run's process: output and logs into its directory (not into another test's captured output); a
    SIGTERM unwinds the run (its bot shuts down, its server stops) rather than leaving its worker processes behind."""
    signal.signal(signal.SIGTERM, _stop)
    log = open(root / "run.log", "a", buffering=1)  # noqa: SIM115 - for the whole life of this process
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    logging.basicConfig(stream=log, level=logging.INFO, format="%(asctime)s %(name)s %(message)s",
                        force=True)
    try:
        result = run(root)
    except pytest.skip.Exception as skipped:
        sending.send(("skipped", str(skipped)))
    except BaseException:  # noqa: BLE001 - whatever it was, the test must hear of it
        sending.send(("raised", traceback.format_exc()))
    else:
        sending.send(("returned", result))
    finally:
        sending.close()


@dataclass
class _Run:
    name: str
    run: Callable[[Path], Any]
    root: Path
    seconds: float  # about how long it takes
    done: threading.Event = field(default_factory=threading.Event)
    process: multiprocessing.process.BaseProcess | None = None
    outcome: tuple[str, Any] | None = None

    def log_tail(self) -> str:
        path = self.root / "run.log"
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        return "\n".join(lines[-LOG_TAIL:])


class RunsAhead:
    """The runs of one session: started once (`start`), each awaited by its test (`result`), all joined at the end
    (`close`)."""

    def __init__(self) -> None:
        self._runs: dict[str, _Run] = {}
        self._slots = threading.Semaphore(AT_ONCE)
        self._started = False
        self._closing = False
        self._lock = threading.Lock()  # a run's process is started, or no more are, never both at once

    def add(self, name: str, run: Callable[[Path], Any], root: Path, seconds: float) -> None:
        self._runs[name] = _Run(name, run, root, seconds)

    def start(self) -> None:
        if self._started or not self._runs:
            return
        self._started = True
        threading.Thread(target=self._start_all, name="runs-ahead", daemon=True).start()

    def _start_all(self) -> None:
        for planned in sorted(self._runs.values(), key=lambda r: -r.seconds):  # the longest do not end last
            self._slots.acquire()
            if self._closing:  # closed (the session ended, or an undisturbed test comes): start nothing more
                planned.outcome = ("raised", "the runs were closed before this one started")
                planned.done.set()
                self._slots.release()
                continue
            threading.Thread(target=self._watch, args=(planned,), name=f"run-ahead {planned.name}",
                             daemon=True).start()

    def _watch(self, planned: _Run) -> None:
        try:
            context = multiprocessing.get_context("spawn")
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(planned.run, planned.root, sending),
                                      name=f"run-ahead {planned.name}")
            with self._lock:
                if self._closing:
                    planned.outcome = ("raised", "the runs were closed before this one started")
                    return
                planned.process = process
                process.start()
            sending.close()
            try:
                planned.outcome = receiving.recv()  # before join: a large result fills the pipe
            except EOFError:
                process.join()
                planned.outcome = ("raised", f"the run's process ended (exit code {process.exitcode}) "
                                             "without a result")
            planned.done.set()  # its test need not wait for the process to exit
            process.join(EXIT_GRACE)
            if process.is_alive():
                process.kill()
                process.join()
        except BaseException:  # noqa: BLE001 - the test hears of it rather than waiting forever
            if planned.outcome is None:
                planned.outcome = ("raised", traceback.format_exc())
        finally:
            planned.done.set()
            self._slots.release()  # once its process is gone: at most AT_ONCE at a time

    def result(self, name: str) -> Any:
        """What the run of test `name` returned (waiting for it); RunAheadFailed if it raised."""
        planned = self._runs[name]
        self.start()  # should the run's own test be the first of the session
        planned.done.wait()
        kind, value = planned.outcome
        if kind == "raised":
            raise RunAheadFailed(f"{value}\n--- last lines of {planned.root / 'run.log'} ---\n{planned.log_tail()}")
        if kind == "skipped":
            pytest.skip(value)
        return value

    def close(self) -> None:
        """Start no more runs, and see every run's process gone: at the end of the session, and before a test that
        needs the machine to itself (`undisturbed`), so nothing outlives this point. A run that sent its result is
        only exiting and is waited for; one still going (its test did not come: the session ended early, -x or an
        interrupt; or its test was skipped, failed in its setup, or timed out waiting) is unwound by a SIGTERM (its
        bot shuts down its workers, its server stops). A process not gone within EXIT_GRACE is killed (its server
        and workers stop by themselves once it is gone)."""
        with self._lock:
            self._closing = True
        for planned in self._runs.values():
            process = planned.process
            if process is not None and process.is_alive() and not planned.done.is_set():
                process.terminate()
        deadline = time.monotonic() + EXIT_GRACE
        for planned in self._runs.values():
            process = planned.process
            if process is None:
                continue
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
