"""Settings of the game API client. The values come from the configuration loader (bootstrap.py); the defaults
here suit the real server."""
from __future__ import annotations

from dataclasses import dataclass

import httpx

from adapters.game_api.rate_limiter import RateLimitPolicy

DEFAULT_BASE_URL = "https://api.spacetraders.io/v2"
# The longest a static window waits for the answer of the request that opened it: the server counts a request when
# it arrives, so only a process killed mid-request leaves a window waiting this long.
ANSWER_HOLD = 5.0


@dataclass(frozen=True)
class GameApiSettings:
    """How the client talks to the server, retries and paces itself.

    - `token`: the agent's bearer token (None before registration; the embedded server accepts none offline).
    - `*_timeout`: seconds, per httpx phase.
    - `max_attempts`: attempts per call, the first included (429, 5xx and transport failures are retried).
    - `backoff_initial`, `backoff_cap`: exponential backoff with jitter between attempts, capped.
    - `retry_after_cap`: the longest Retry-After honoured as given.
    - `rate_limit_margin`: seconds added to each pool window, because the server counts a request a little after us.
    - `normal_burst_reserve`, `low_burst_reserve`: burst points NORMAL and LOW requests leave to higher priorities.
    - `reconcile_tolerance`: seconds of clock disagreement allowed when matching a lost trade's transaction.
    - `page_limit`: items per page when listing (the API's maximum is 20).
    """

    base_url: str = DEFAULT_BASE_URL
    token: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    write_timeout: float = 10.0
    pool_timeout: float = 10.0
    max_attempts: int = 6
    backoff_initial: float = 0.5
    backoff_cap: float = 30.0
    retry_after_cap: float = 120.0
    rate_limit_margin: float = 0.2
    normal_burst_reserve: int = 4
    low_burst_reserve: int = 12
    reconcile_tolerance: float = 2.0
    page_limit: int = 20

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 1 <= self.page_limit <= 20:
            raise ValueError("page_limit must be within 1..20")

    def timeout(self) -> httpx.Timeout:
        """The httpx timeout built from the four phase timeouts."""
        return httpx.Timeout(connect=self.connect_timeout, read=self.read_timeout, write=self.write_timeout,
                             pool=self.pool_timeout)

    def rate_limit_policy(self) -> RateLimitPolicy:
        """The limiter policy: the server's pools with this client's margin and reserves; windows wait for the
        answer that opened them (this client reports every answer), at most ANSWER_HOLD seconds."""
        return RateLimitPolicy(margin=self.rate_limit_margin, normal_reserve=self.normal_burst_reserve,
                               low_reserve=self.low_burst_reserve, await_answers=True,
                               answer_hold=min(self.read_timeout, ANSWER_HOLD))
