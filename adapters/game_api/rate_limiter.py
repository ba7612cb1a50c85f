"""The client side of the game's rate limit: one limiter per account, shared by every process of the bot.

The server keeps two pools per account (game-api-facts §2.4): a static pool of 2 points that refills to full
1 s after its first consume, and a burst pool of 30 points that refills to full 60 s after its first consume.
A request takes from the static pool first, then from the burst pool, and is refused (429) when both are empty.
`RateLimiter` runs the same arithmetic on our side before every request, so the server never has to refuse one.

- The server sees a request a little after we count it, so every refill is expected `margin` seconds later than
  the server's (our windows end later; we never spend a point the server has not refilled yet).
- Priorities: a request may take a burst point only while more than its priority's reserve is left, so market
  refreshes (LOW) leave points to trades and navigation (HIGH). Waiting requests announce themselves, and a
  request does not take a point while a request of higher priority is waiting for one.
- `pause_until(t)`: after a 429 with Retry-After, every process waits until `t`.
- The pool arithmetic lives in one place (`_take`, `_refill`, `_next_wake`); where the state is kept is a
  `LimiterStore`: `MemoryStore` for one process, `FileStore` (a small JSON file under a run directory, guarded
  by `fcntl.flock`, one per account) for the coordinator, its workers and any CLI command running at once.
- Time comes from an injected clock (`now()` in epoch seconds, `sleep(seconds)`): tests need no real sleeping.
  Processes sharing a file must use the wall clock, the only one they agree on.
"""
from __future__ import annotations

import fcntl
import itertools
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Protocol

import msgspec


class Clock(Protocol):
    """Wall-clock time in epoch seconds, and a way to wait."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class Priority(IntEnum):
    """Who goes first when points are short: trades and navigation (HIGH) before market refreshes (LOW)."""

    LOW = 0
    NORMAL = 1
    HIGH = 2


@dataclass(frozen=True)
class RateLimitPolicy:
    """The server's two pools, our safety margin and the burst points kept back from lower priorities."""

    static_capacity: int = 2
    static_window: float = 1.0
    burst_capacity: int = 30
    burst_window: float = 60.0
    margin: float = 0.1
    # Burst points a request of this priority must leave untouched; HIGH may use them all.
    normal_reserve: int = 4
    low_reserve: int = 12
    # How often a request held back by a higher-priority waiter looks again.
    poll_interval: float = 0.02
    # A waiter's announcement lapses this long after its planned wake-up (a crashed process stops blocking).
    waiter_lease: float = 2.0

    def __post_init__(self) -> None:
        if self.static_capacity < 1 or self.burst_capacity < 0:
            raise ValueError("pool capacities must be static >= 1, burst >= 0")
        if not 0 <= self.normal_reserve <= self.low_reserve <= self.burst_capacity:
            raise ValueError("reserves must satisfy 0 <= normal_reserve <= low_reserve <= burst_capacity")
        if self.static_window <= 0 or self.burst_window <= 0 or self.margin < 0:
            raise ValueError("windows must be positive and the margin non-negative")

    def reserve(self, priority: Priority) -> int:
        """Burst points a request of `priority` must leave for higher priorities."""
        if priority >= Priority.HIGH:
            return 0
        return self.normal_reserve if priority == Priority.NORMAL else self.low_reserve


class LimiterState(msgspec.Struct):
    """The shared state of one account's limiter. Times are epoch seconds; a reset of None means the pool is
    full and its window has not started."""

    static_tokens: int
    burst_tokens: int
    static_reset: float | None = None
    burst_reset: float | None = None
    paused_until: float = 0.0
    # waiter id -> (priority, planned wake-up); an announcement lapses `waiter_lease` after its wake-up
    waiters: dict[str, tuple[int, float]] = {}
    requests: int = 0
    seconds_waited: float = 0.0
    pauses: int = 0

    @classmethod
    def fresh(cls, policy: RateLimitPolicy) -> LimiterState:
        return cls(static_tokens=policy.static_capacity, burst_tokens=policy.burst_capacity)


@dataclass(frozen=True)
class Grant:
    """A request's permission: when it was granted, which pool paid, and its number among all requests of the
    account (across processes)."""

    at: float
    pool: str
    sequence: int


@dataclass(frozen=True)
class LimiterStats:
    """Counters for metrics. `requests`, `seconds_waited` and `pauses` are the account's totals across every
    process sharing the store."""

    requests: int
    seconds_waited: float
    pauses: int


# --- the pool arithmetic (the one algorithm) ------------------------------------------------------------------------

def _refill(state: LimiterState, policy: RateLimitPolicy, now: float) -> None:
    if state.static_reset is not None and now >= state.static_reset:
        state.static_tokens, state.static_reset = policy.static_capacity, None
    if state.burst_reset is not None and now >= state.burst_reset:
        state.burst_tokens, state.burst_reset = policy.burst_capacity, None


def _take(state: LimiterState, policy: RateLimitPolicy, now: float, priority: Priority) -> str | None:
    """Consume one point as the server would (static first) if `priority` may; return the pool or None."""
    if state.static_tokens > 0:
        state.static_tokens -= 1
        if state.static_reset is None:
            state.static_reset = now + policy.static_window + policy.margin
        return "static"
    if state.burst_tokens > policy.reserve(priority):
        state.burst_tokens -= 1
        if state.burst_reset is None:
            state.burst_reset = now + policy.burst_window + policy.margin
        return "burst"
    return None


def _next_wake(state: LimiterState, policy: RateLimitPolicy, now: float, priority: Priority,
               higher_wake: float | None) -> float:
    """When a request that could not take a point should look again (`higher_wake`: the earliest planned wake-up
    of a waiting request of higher priority, if any)."""
    if state.paused_until > now:
        return state.paused_until
    if higher_wake is not None:
        # Look again just after the higher request should have taken its point.
        return max(now, higher_wake) + policy.poll_interval
    times = []
    if state.static_reset is not None:
        times.append(state.static_reset)
    if state.burst_reset is not None and state.burst_tokens <= policy.reserve(priority):
        times.append(state.burst_reset)
    return max(min(times), now) if times else now + policy.poll_interval


def _higher_waiter(state: LimiterState, policy: RateLimitPolicy, now: float, priority: Priority,
                   me: str) -> float | None:
    """The earliest planned wake-up of a request of higher priority waiting for a point, or None.
    Announcements lapsed past their lease (their process died or gave up) are dropped."""
    for key in [k for k, (_, wake) in state.waiters.items() if wake + policy.waiter_lease < now]:
        del state.waiters[key]
    wakes = [wake for key, (p, wake) in state.waiters.items() if p > priority and key != me]
    return min(wakes) if wakes else None


# --- where the state lives ------------------------------------------------------------------------------------------

class LimiterStore(Protocol):
    """Holds one account's `LimiterState`; `transaction()` yields it under an exclusive lock and saves it after."""

    def transaction(self) -> AbstractContextManager[LimiterState]: ...


class MemoryStore:
    """The state in this process only (single-process use, tests)."""

    def __init__(self, policy: RateLimitPolicy) -> None:
        self._state = LimiterState.fresh(policy)
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[LimiterState]:
        with self._lock:
            yield self._state


_state_decoder = msgspec.json.Decoder(LimiterState)
_state_encoder = msgspec.json.Encoder()


class FileStore:
    """The state in a small JSON file under `run_dir`, one per account, shared by every process that opens it.

    Each transaction opens the file afresh and holds `fcntl.flock` around read-modify-write: flock belongs to the
    open file description, so a descriptor inherited across fork would not exclude the parent.
    """

    def __init__(self, run_dir: Path | str, account: str, policy: RateLimitPolicy) -> None:
        self._policy = policy
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", account) or "_"
        self.path = Path(run_dir) / f"rate-limit-{safe}.json"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread_lock = threading.Lock()  # flock does not exclude threads sharing a process's descriptors

    @contextmanager
    def transaction(self) -> Iterator[LimiterState]:
        with self._thread_lock:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                raw = _read_all(fd)
                try:
                    state = _state_decoder.decode(raw) if raw else LimiterState.fresh(self._policy)
                except (msgspec.DecodeError, msgspec.ValidationError):
                    # A writer died mid-write: start again from full pools; a 429 at worst, handled by the client.
                    state = LimiterState.fresh(self._policy)
                yield state
                data = _state_encoder.encode(state)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, data)
                os.ftruncate(fd, len(data))
            finally:
                os.close(fd)  # also releases the flock


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


# --- the limiter -----------------------------------------------------------------------------------------------------

_waiter_ids = itertools.count()


@dataclass
class RateLimiter:
    """Grants requests within the account's two pools; blocks (sleeping on the clock) until a point is free.

    `requests_made` and `seconds_waited` count this instance's own requests and waits; `stats()` gives the
    account's totals across processes.
    """

    store: LimiterStore
    policy: RateLimitPolicy = field(default_factory=RateLimitPolicy)
    clock: Clock = field(default_factory=SystemClock)
    requests_made: int = 0
    seconds_waited: float = 0.0

    @classmethod
    def in_memory(cls, policy: RateLimitPolicy | None = None, clock: Clock | None = None) -> RateLimiter:
        """A limiter for one process."""
        policy = policy or RateLimitPolicy()
        return cls(MemoryStore(policy), policy, clock or SystemClock())

    @classmethod
    def shared(cls, run_dir: Path | str, account: str, policy: RateLimitPolicy | None = None,
               clock: Clock | None = None) -> RateLimiter:
        """A limiter shared through a file under `run_dir` by every process using the same `account`."""
        policy = policy or RateLimitPolicy()
        return cls(FileStore(run_dir, account, policy), policy, clock or SystemClock())

    def acquire(self, priority: Priority = Priority.NORMAL) -> Grant:
        """Wait until a request of `priority` may be sent, and count it."""
        me = f"{os.getpid()}-{id(self)}-{next(_waiter_ids)}"
        waited = 0.0
        while True:
            with self.store.transaction() as state:
                now = self.clock.now()
                state.seconds_waited += waited
                waited = 0.0
                _refill(state, self.policy, now)
                higher_wake = _higher_waiter(state, self.policy, now, priority, me)
                pool = None
                if now >= state.paused_until and higher_wake is None:
                    pool = _take(state, self.policy, now, priority)
                if pool is not None:
                    state.waiters.pop(me, None)
                    state.requests += 1
                    self.requests_made += 1
                    return Grant(at=now, pool=pool, sequence=state.requests)
                wake = _next_wake(state, self.policy, now, priority, higher_wake)
                state.waiters[me] = (int(priority), wake)
            delay = max(0.0, wake - now)
            self.clock.sleep(delay)
            waited = delay
            self.seconds_waited += delay

    def pause_until(self, until: float) -> None:
        """Make every request of the account wait until `until` (epoch seconds), e.g. after a 429's Retry-After.

        The server has just refused us, so its static pool is empty: ours is emptied too, refilling at `until`.
        The burst pool is left as modelled (emptying it would cost a minute of burst on every stray 429).
        """
        with self.store.transaction() as state:
            if until > state.paused_until:
                state.paused_until = until
            state.pauses += 1
            state.static_tokens = 0
            state.static_reset = max(state.static_reset or 0.0, until)

    def stats(self) -> LimiterStats:
        """The account's totals across every process sharing the store."""
        with self.store.transaction() as state:
            return LimiterStats(requests=state.requests, seconds_waited=state.seconds_waited,
                                pauses=state.pauses)
