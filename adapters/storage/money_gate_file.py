"""The account's money gate across processes: an exclusive `flock` on a file in the player's run directory.

The file also holds the memo (the agent's credits after the last money-moving call), so a worker process that
starts does not have to ask the game for the balance. The operating system releases the lock of a process that
dies, whatever killed it; the memo it may have left stale was cleared before its call was sent (see
application/ledger_recorder.py), so the next holder reads the balance from the game instead.
"""
from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class FileMemo:
    """CreditMemo kept in the gate's file; only read and written while the gate is held."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @property
    def credits(self) -> int | None:
        os.lseek(self._fd, 0, os.SEEK_SET)
        text = os.read(self._fd, 64).decode("ascii", "replace").strip()
        try:
            return int(text)
        except ValueError:
            return None

    @credits.setter
    def credits(self, value: int | None) -> None:
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        if value is not None:
            os.write(self._fd, str(int(value)).encode("ascii"))


class FileMoneyGate:
    """MoneyGate of `account` on the file `path`: threads of a process take turns on a lock first (re-entrant),
    then the process takes the file lock (flock locks belong to an open file, so each hold opens its own)."""

    def __init__(self, path: Path, account: str) -> None:
        self.path = Path(path)
        self.account = account
        self._local = threading.RLock()
        self._depth = threading.local()

    @contextmanager
    def hold(self) -> Iterator[FileMemo]:
        with self._local:
            held = getattr(self._depth, "fd", None)
            if held is not None:  # already held by this thread: a nested money call
                yield FileMemo(held)
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._depth.fd = fd
                try:
                    yield FileMemo(fd)
                finally:
                    self._depth.fd = None
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
