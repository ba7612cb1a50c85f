"""The entry point of the daemon's worker processes: the composition root's `run_worker_job`, with the log set up
first so the worker's lines reach the daemon's log file (a spawned process starts with logging unconfigured)."""
from __future__ import annotations

import sys
from typing import Any

from adapters.daemon.daemon_log import configure_logging


def run_logged_worker_job(runtime: Any, job: Any, cancel_event: Any) -> Any:
    """`bootstrap.run_worker_job(runtime, job, cancel_event)` with logging configured (picklable: module level)."""
    configure_logging(sys.stderr)
    import bootstrap  # in the child: after logging, like everything the job builds

    return bootstrap.run_worker_job(runtime, job, cancel_event)
