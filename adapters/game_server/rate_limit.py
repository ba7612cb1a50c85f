"""The game server's rate limiter: the real game's two point pools per account (game-api-facts §2).

Each account (an agent, or the client IP for requests without a valid token) owns two pools:
- the static pool: 2 points, refilled to full 1 s after its first consume since the last refill;
- the burst pool: 30 points, refilled to full 60 s after its first consume since the last refill.
A request takes a point from the static pool if it has one, else from the burst pool, and is refused (429) only
when both are empty.

By default the limit is the real one whatever the game speed (clients live in wall-clock time), which suits demos:
at speed 120 a game hour then has 75 requests instead of the real 9,000. `scale_with_speed` keeps the real game's
proportions instead: at speed S the pools hold S times the points over the same wall-clock windows (so they refill
S times faster, in points per second), which gives the real 2 x 3600 + 30 x 60 = 9,000 requests per game hour. The
x-ratelimit-* headers and the 429 body report the scaled figures, so a client learning the policy from them uses it.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

ACCOUNT = "Account"
IP_ADDRESS = "IP Address"

EXPOSED_HEADERS = ("Retry-After, X-RateLimit-Type, X-RateLimit-Limit-Burst, X-RateLimit-Limit-Per-Second, "
                   "X-RateLimit-Remaining, X-RateLimit-Reset")

# Accounts whose pools are both full again are forgotten once the table holds this many, so a long-lived
# server does not keep one entry per client IP it ever saw.
_PRUNE_ABOVE = 4096


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    """How strict the limiter is.

    `multiplier` scales both pools' sizes (1 = the real game; 10 = ten times the points per window), which
    relaxes the limit for tests and demos without changing its shape. `scale_with_speed` multiplies it again by
    the game speed (`at_speed`), keeping the real requests per game hour. `enabled=False` turns it off entirely:
    no refusals and no rate-limit headers.
    """
    enabled: bool = True
    multiplier: float = 1.0
    scale_with_speed: bool = False
    static_points: int = 2
    static_window_s: float = 1.0
    burst_points: int = 30
    burst_window_s: float = 60.0

    def __post_init__(self) -> None:
        if self.multiplier <= 0:
            raise ValueError(f"rate limit multiplier must be positive, got {self.multiplier}")

    @classmethod
    def disabled(cls) -> "RateLimitSettings":
        """No limit at all (benchmarks, most tests)."""
        return cls(enabled=False)

    @classmethod
    def relaxed(cls, multiplier: float = 10.0) -> "RateLimitSettings":
        """The real shape with `multiplier` times the points."""
        return cls(multiplier=multiplier)

    @classmethod
    def scaled(cls) -> "RateLimitSettings":
        """The real limit scaled with the game speed (resolved by `at_speed`): the real requests per game hour."""
        return cls(scale_with_speed=True)

    def at_speed(self, speed: float) -> "RateLimitSettings":
        """The settings in force on a server running at `speed`: scaled by it when `scale_with_speed`."""
        if not self.scale_with_speed or not self.enabled:
            return self
        if speed <= 0:
            raise ValueError(f"game speed must be positive, got {speed}")
        return replace(self, multiplier=self.multiplier * speed, scale_with_speed=False)

    def describe(self, speed: float = 1.0) -> str:
        """One line for banners and benches: the limit in force at `speed` and whether it scales with it."""
        if not self.enabled:
            return "rate limit off"
        actual = self.at_speed(speed)
        regime = f"scaled with speed {speed:g}" if self.scale_with_speed else "not scaled"
        per_game_hour = (actual.per_second * 3600 / actual.static_window_s
                         + actual.burst * 3600 / actual.burst_window_s) / speed
        return (f"rate limit {actual.per_second}/s, burst {actual.burst}/{actual.burst_window_s:g} s ({regime}; "
                f"{per_game_hour:,.0f} requests per game hour)")

    @property
    def per_second(self) -> int:
        return max(1, round(self.static_points * self.multiplier))

    @property
    def burst(self) -> int:
        return max(1, round(self.burst_points * self.multiplier))


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    """The outcome for one request: whether it may run, and the figures its headers and 429 body carry."""
    allowed: bool
    limit_type: str
    limit_per_second: int
    limit_burst: int
    remaining: int
    reset: float
    """Epoch seconds at which the next point comes back (now when nothing is spent)."""
    retry_after: float
    """Seconds until a refused request could succeed; 0 when allowed."""

    @property
    def retry_after_header(self) -> str:
        """Whole seconds, rounded up, never 0 for a refusal (the real server's `Retry-After`)."""
        return str(max(1, math.ceil(self.retry_after))) if not self.allowed else "0"

    @property
    def reset_iso(self) -> str:
        return iso_utc(self.reset)

    def headers(self) -> list[tuple[str, str]]:
        """The X-RateLimit-* headers of game-api-facts §2.2, plus Retry-After on a refusal."""
        headers = [
            ("X-RateLimit-Type", self.limit_type),
            ("X-RateLimit-Limit-Burst", str(self.limit_burst)),
            ("X-RateLimit-Limit-Per-Second", str(self.limit_per_second)),
            ("X-RateLimit-Remaining", str(self.remaining)),
            ("X-RateLimit-Reset", self.reset_iso),
            ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
        ]
        if not self.allowed:
            headers.append(("Retry-After", self.retry_after_header))
        return headers

    def error_data(self) -> dict[str, object]:
        """The `data` of the 429 body (game-api-facts §2.3)."""
        return {
            "type": self.limit_type,
            "retryAfter": max(1, math.ceil(self.retry_after)),
            "limitBurst": self.limit_burst,
            "limitPerSecond": self.limit_per_second,
            "remaining": self.remaining,
            "reset": self.reset_iso,
        }


def iso_utc(epoch_seconds: float) -> str:
    """`2023-01-21T23:36:33.435Z`, the timestamp format of the real server."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Pool:
    """A pool of points that refills to full `window` seconds after its first consume."""

    __slots__ = ("capacity", "window", "points", "refill_at")

    def __init__(self, capacity: int, window: float) -> None:
        self.capacity = capacity
        self.window = window
        self.points = capacity
        self.refill_at: float | None = None

    def settle(self, now: float) -> None:
        if self.refill_at is not None and now >= self.refill_at:
            self.points = self.capacity
            self.refill_at = None

    def take(self, now: float) -> bool:
        if self.points <= 0:
            return False
        if self.refill_at is None:
            self.refill_at = now + self.window
        self.points -= 1
        return True

    def is_full(self, now: float) -> bool:
        self.settle(now)
        return self.refill_at is None


class _Account:
    __slots__ = ("static", "burst")

    def __init__(self, settings: RateLimitSettings) -> None:
        self.static = _Pool(settings.per_second, settings.static_window_s)
        self.burst = _Pool(settings.burst, settings.burst_window_s)


class RateLimiter:
    """Per-account two-pool limiter; thread-safe; `clock` returns epoch seconds (injectable for tests); `speed`
    is the game speed, which scales the limit when the settings say so."""

    def __init__(self, settings: RateLimitSettings | None = None,
                 clock: Callable[[], float] = time.time, *, speed: float = 1.0) -> None:
        self._settings = (settings or RateLimitSettings()).at_speed(speed)
        self._clock = clock
        self._accounts: dict[str, _Account] = {}
        self._lock = threading.Lock()

    @property
    def settings(self) -> RateLimitSettings:
        return self._settings

    @property
    def enabled(self) -> bool:
        return self._settings.enabled

    def hit(self, key: str, limit_type: str = ACCOUNT) -> RateLimitDecision:
        """Spend one point of `key`'s pools (static first, then burst) and say whether the request may run."""
        settings = self._settings
        now = self._clock()
        with self._lock:
            account = self._accounts.get(key)
            if account is None:
                if len(self._accounts) >= _PRUNE_ABOVE:
                    self._prune(now)
                account = self._accounts[key] = _Account(settings)
            static, burst = account.static, account.burst
            static.settle(now)
            burst.settle(now)
            allowed = static.take(now) or burst.take(now)
            remaining = static.points + burst.points
            pending = [pool.refill_at for pool in (static, burst) if pool.refill_at is not None]
            reset = min(pending) if pending else now
        return RateLimitDecision(
            allowed=allowed,
            limit_type=limit_type,
            limit_per_second=settings.per_second,
            limit_burst=settings.burst,
            remaining=remaining,
            reset=reset,
            retry_after=0.0 if allowed else max(0.0, reset - now),
        )

    def _prune(self, now: float) -> None:
        idle = [key for key, account in self._accounts.items()
                if account.static.is_full(now) and account.burst.is_full(now)]
        for key in idle:
            del self._accounts[key]
