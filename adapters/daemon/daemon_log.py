"""How the daemon and its worker processes write their log: timestamped lines on stdout/stderr, which the
detached process's log file receives (see process.py)."""
from __future__ import annotations

import logging
import sys
from typing import IO

FORMAT = "%(asctime)s %(levelname)-7s [%(processName)s] %(name)s: %(message)s"
# Loggers that speak on every request: their INFO would drown the bot's own lines.
_QUIET = ("httpx", "httpcore")


def configure_logging(stream: IO[str] | None = None, level: int = logging.INFO) -> None:
    """Send every log record of this process to `stream` (stdout by default), one line each."""
    logging.basicConfig(level=level, format=FORMAT, stream=stream or sys.stdout, force=True)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
