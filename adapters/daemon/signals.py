"""The daemon's stop request: SIGTERM or SIGINT sets a CancelToken that the main loop asks between steps.

That is a graceful stop (workers get a bounded time to sell what they hold). SIGUSR1 (`stop --now`), or a second
SIGTERM/SIGINT, also sets the token's `abandon` token: stop at once.

The handler only sets a flag and writes one byte to a pipe. It does not touch locks (a handler runs between two
bytecodes of the main thread, possibly while that thread holds the very lock it would want), and the pipe lets
`wait()` sleep in `select` and still wake at once when the signal comes.
"""
from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import Any

STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)
NOW_SIGNAL = signal.SIGUSR1


class SignalCancelToken:
    """A CancelToken (application/worker_jobs.py) set by a stop signal or by `cancel()`.

    `cancelled()` is cheap enough to ask in a tight loop; `wait(seconds)` sleeps until the timeout or the stop
    request, whichever comes first, and says whether a stop was requested.
    """

    def __init__(self) -> None:
        self._cancelled = False
        self.abandon = _Flag()
        self.signal_received: signal.Signals | None = None
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        os.set_blocking(self._write_fd, False)

    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self, sig: signal.Signals | None = None) -> None:
        """Request the stop (what a signal does; also usable from another thread)."""
        if sig is not None and self.signal_received is None:
            self.signal_received = sig
        self._cancelled = True
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._write_fd, b"\0")

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking early on a stop request; returns `cancelled()`."""
        if not self._cancelled and seconds > 0:
            with contextlib.suppress(OSError, ValueError):
                select.select([self._read_fd], [], [], seconds)
        return self._cancelled

    def close(self) -> None:
        for fd in (self._read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if signum == NOW_SIGNAL or self._cancelled:
            self.abandon.set()
        self.cancel(signal.Signals(signum))


class _Flag:
    """A CancelToken set once (from a signal handler: a plain attribute write)."""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def cancelled(self) -> bool:
        return self._set


@contextlib.contextmanager
def cancel_on_signals(signals: Iterable[signal.Signals] = STOP_SIGNALS) -> Iterator[SignalCancelToken]:
    """Install handlers that set a fresh token on any of `signals`; the previous handlers come back on exit.

    Must be entered from the main thread (Python delivers signals there only).
    """
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("signal handlers can only be installed from the main thread")
    token = SignalCancelToken()
    previous: dict[signal.Signals, Any] = {}
    try:
        for sig in signals:
            previous[sig] = signal.signal(sig, token._handle)
        yield token
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        token.close()
