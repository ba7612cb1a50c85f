"""A progress indicator for commands that wait (the game server coming up, the daemon starting or stopping).

On a terminal: one line with a spinner and the seconds waited, redrawn in place, replaced by the outcome when the
wait ends. Elsewhere (a pipe, a log, a test): plain lines, the wait announced once, a reminder every
`PLAIN_EVERY` seconds, and the outcome.
"""
from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import IO

SPINNER = "|/-\\"
PLAIN_EVERY = 15.0
_FRAME_SECONDS = 0.1


class Progress:
    """`with Progress("Starting the game server") as wait: ...; wait.done("up on ...")`.

    Leaving the block without `done()` reports "done" when all went well, "failed" when an exception escapes.
    """

    def __init__(self, what: str, *, stream: IO[str] | None = None, interactive: bool | None = None,
                 quiet: bool = False) -> None:
        self.what = what
        self._quiet = quiet  # output meant for a program (--json): say nothing
        self._stream = stream if stream is not None else sys.stdout
        self._interactive = _is_terminal(self._stream) if interactive is None else interactive
        self._started = 0.0
        self._outcome: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_plain = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def __enter__(self) -> Progress:
        self._started = self._last_plain = time.monotonic()
        if self._interactive:
            self._thread = threading.Thread(target=self._spin, name="progress", daemon=True)
            self._thread.start()
        else:
            self._write(f"{self.what}...\n")
        return self

    def tick(self) -> None:
        """Called from a waiting loop: in plain mode, says every so often that the wait goes on."""
        if not self._interactive and time.monotonic() - self._last_plain >= PLAIN_EVERY:
            self._last_plain = time.monotonic()
            self._write(f"  still waiting ({self.elapsed:.0f} s)\n")

    def done(self, outcome: str) -> None:
        """Set the line shown when the wait ends (`outcome` replaces the plain "done")."""
        self._outcome = outcome

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        seconds = f"{self.elapsed:.1f} s"
        if exc_type is not None:
            line = f"{self.what}: failed after {seconds}"
        else:
            line = f"{self._outcome or self.what + ': done'} ({seconds})"
        if self._interactive:
            self._write("\r\x1b[2K" + line + "\n")
        elif exc_type is None:
            # In plain mode a failure is told by the error line that follows; one line is enough.
            self._write(f"{line}\n")

    def _spin(self) -> None:
        frame = 0
        while not self._stop.wait(_FRAME_SECONDS):
            self._write(f"\r{SPINNER[frame % len(SPINNER)]} {self.what}... {self.elapsed:.0f} s")
            frame += 1

    def _write(self, text: str) -> None:
        if self._quiet:
            return
        self._stream.write(text)
        self._stream.flush()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
