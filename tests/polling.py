"""Waiting in tests for something another process does: poll a condition until it holds, or fail naming it."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")


def wait_until(what: str, condition: Callable[[], _T], timeout: float, every: float = 0.1) -> _T:
    """The first truthy value of `condition()`; an AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")
