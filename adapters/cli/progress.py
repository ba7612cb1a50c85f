"""A progress indicator for commands that wait (the game server coming up, the daemon starting or stopping).

On a terminal: one line with a spinner and the seconds waited, redrawn in place by rich, replaced by the outcome
when the wait ends. Elsewhere (a pipe, a log, a test): plain lines, the wait announced once, a reminder every
`PLAIN_EVERY` seconds, and the outcome.
"""
from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from adapters.cli.console import is_terminal
from adapters.durations import format_duration

PLAIN_EVERY = 15.0
_FRAMES_PER_SECOND = 10


class Progress:
    """`with Progress("Starting the game server") as wait: ...; wait.done("up on ...")`.

    Leaving the block without `done()` reports "done" when all went well, "failed" when an exception escapes.
    """

    def __init__(self, what: str, *, stream: IO[str] | None = None, interactive: bool | None = None,
                 quiet: bool = False) -> None:
        self.what = what
        self._quiet = quiet  # output meant for a program (--json): say nothing
        self._stream = stream if stream is not None else sys.stdout
        self._interactive = is_terminal(self._stream) if interactive is None else interactive
        self._started = 0.0
        self._outcome: str | None = None
        self._live: Live | None = None
        self._spinner = Spinner("line")
        self._last_plain = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def __enter__(self) -> Progress:
        self._started = self._last_plain = time.monotonic()
        if self._interactive:
            if not self._quiet:
                console = Console(file=self._stream, force_terminal=True, highlight=False, markup=False)
                self._live = Live(get_renderable=self._frame, console=console, transient=True,
                                  refresh_per_second=_FRAMES_PER_SECOND)
                self._live.start()
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
        if self._live is not None:
            self._live.stop()  # transient: the spinner's line is erased, the outcome takes its place
        seconds = f"{self.elapsed:.1f} s"
        if exc_type is not None:
            line = f"{self.what}: failed after {seconds}"
        else:
            line = f"{self._outcome or self.what + ': done'} ({seconds})"
        if self._interactive:
            self._write(line + "\n")
        elif exc_type is None:
            # In plain mode a failure is told by the error line that follows; one line is enough.
            self._write(f"{line}\n")

    def _frame(self) -> Spinner:
        self._spinner.update(text=Text(f"{self.what}... {format_duration(self.elapsed)}"))
        return self._spinner

    def _write(self, text: str) -> None:
        if self._quiet:
            return
        self._stream.write(text)
        self._stream.flush()

