"""The money gate of one process: the MoneyGate port on a lock, for tests and runs whose workers are threads.

The daemon's workers are processes; they share the account's gate through a file lock instead
(adapters/storage/money_gate_file.py). Both keep the same promise: one money-moving call of the account at a time.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(slots=True)
class Memo:
    """CreditMemo in memory."""

    credits: int | None = None


class LocalMoneyGate:
    """MoneyGate for the threads of one process (re-entrant: a holder may call another money call inside)."""

    def __init__(self, account: str = "") -> None:
        self.account = account
        self._lock = threading.RLock()
        self._memo = Memo()

    @contextmanager
    def hold(self) -> Iterator[Memo]:
        with self._lock:
            yield self._memo
