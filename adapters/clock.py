"""The bot's clock: the one source of `now` and `sleep` for the application (the Clock port).

Ships arrive and factories produce by the game server's clock, so the application reads the server's time:
the API client measures its offset from ours on every answer (`server_now`). Waiting is real sleeping.
The rate limiter keeps its own epoch-seconds view of the same wall clock (adapters.game_api.rate_limiter).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime


class SystemClock:
    """Local UTC time; real sleeping."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ServerClock(SystemClock):
    """The game server's time as last measured by the API client (`server_now`), real sleeping."""

    def __init__(self, server_now: Callable[[], datetime]) -> None:
        self._server_now = server_now

    def now(self) -> datetime:
        return self._server_now()
