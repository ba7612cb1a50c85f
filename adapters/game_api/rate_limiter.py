"""The client side of the game's rate limit: one limiter per account, shared by every process of the bot.

The server keeps two pools per account (game-api-facts §2.4): a static pool of 2 points that refills to full
1 s after its first consume, and a burst pool of 30 points that refills to full 60 s after its first consume.
A request takes from the static pool first, then from the burst pool, and is refused (429) when both are empty.
`RateLimiter` runs the same arithmetic on our side before every request, so the server never has to refuse one.

- The policy is learnt from the server: every answer's `x-ratelimit-*` headers go to `observe()`. The limits
  announced (points per second, burst) replace the assumed 2 and 30, so the limiter spends whatever budget the
  server gives (a game server whose limit scales with its speed, or the real game). A window ends one window after
  the ANSWER of the request that opened it (the server counted that request before answering), so no guessed
  margin is lost on every refill; until that answer comes the static window is held open. When the server reports
  fewer points left than modelled (another client of the account), the model loses the difference, the burst pool
  first; a server reporting none left empties both modelled pools. `x-ratelimit-reset` tells when the STATIC pool
  refills, so it never moves the burst window.
- Priorities: a request may take a burst point only while more than its priority's reserve is left, so market
  refreshes (LOW) leave points to trades and navigation (HIGH). Waiting requests announce themselves, and a
  request does not take a point while a request of higher priority is waiting for one.
- `pause_until(t)`: after a 429 with Retry-After, every process waits until `t`; the 429 is counted, both
  modelled pools are emptied (the server refuses only when both of its pools are), and a static point a window is
  left to the unknown client that must have spent it (fewer again as the 429s stop).
- The pool arithmetic lives in one place (`_take`, `_refill`, `_next_wake`); where the state is kept is a
  `LimiterStore`: `MemoryStore` for one process, `FileStore` (a small JSON file under a run directory, guarded
  by `fcntl.flock`, one per account) for the coordinator, its workers and any CLI command running at once.
- Time comes from an injected clock (`now()` in epoch seconds, `sleep(seconds)`): tests need no real sleeping.
  Processes sharing a file must use the wall clock, the only one they agree on.
"""
from __future__ import annotations

import fcntl
import itertools
import math
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    """What the limiter assumes before the server says otherwise, our safety margins and the burst points kept
    back from lower priorities.

    The capacities are only the starting point: every answer's `x-ratelimit-limit-per-second` and
    `x-ratelimit-limit-burst` replace them (a server whose limit scales with its speed, or a changed real policy).
    The windows are not in the headers and stay as documented (1 s and 60 s).
    """

    static_capacity: int = 2
    static_window: float = 1.0
    burst_capacity: int = 30
    burst_window: float = 60.0
    # Added to a window that no answer has confirmed yet (the server counts a request a little after we grant it).
    margin: float = 0.1
    # Added to a window confirmed by an answer: the server counted the request before we read its answer, so its
    # window ends no later than answer time + window; this only absorbs timer granularity.
    settle_margin: float = 0.01
    # Hold a window open until the answer of the request that opened it arrives (at most `answer_hold` seconds
    # past the window), instead of trusting `margin`. The game client, which reports every answer, sets it.
    await_answers: bool = False
    answer_hold: float = 10.0
    # Burst points a request of this priority must leave untouched (for a burst of `burst_capacity`; scaled with
    # the burst the server announces); HIGH may use them all.
    normal_reserve: int = 4
    low_reserve: int = 12
    # After a 429 (a client of the account we do not know of), this many more static points a window are left to
    # it, up to all but one; one fewer after each `shared_decay` seconds without another 429.
    shared_step: int = 1
    shared_decay: float = 300.0
    # How often a request held back by a higher-priority waiter, or by a window awaiting its answer, looks again.
    poll_interval: float = 0.02
    # A waiter's announcement lapses this long after its planned wake-up (a crashed process stops blocking).
    waiter_lease: float = 2.0

    def __post_init__(self) -> None:
        if self.static_capacity < 1 or self.burst_capacity < 0:
            raise ValueError("pool capacities must be static >= 1, burst >= 0")
        if not 0 <= self.normal_reserve <= self.low_reserve <= self.burst_capacity:
            raise ValueError("reserves must satisfy 0 <= normal_reserve <= low_reserve <= burst_capacity")
        if self.static_window <= 0 or self.burst_window <= 0 or self.margin < 0 or self.settle_margin < 0:
            raise ValueError("windows must be positive and the margins non-negative")

    def reserve(self, priority: Priority, burst_capacity: int | None = None) -> int:
        """Burst points a request of `priority` must leave for higher priorities, for a burst pool of
        `burst_capacity` points (default: the policy's own)."""
        if priority >= Priority.HIGH:
            return 0
        base = self.normal_reserve if priority == Priority.NORMAL else self.low_reserve
        if burst_capacity is None or burst_capacity == self.burst_capacity or self.burst_capacity == 0:
            return base
        return round(base * burst_capacity / self.burst_capacity)


@dataclass(frozen=True)
class RateLimitInfo:
    """What one answer says about the server's limit (game-api-facts §2.2); None where a header was absent.
    `reset` is in epoch seconds of the server's clock."""

    limit_type: str | None = None
    per_second: int | None = None
    burst: int | None = None
    remaining: int | None = None
    reset: float | None = None

    @property
    def is_account(self) -> bool:
        """Whether the figures are the account's (requests without a token are counted per IP address)."""
        return self.limit_type is None or self.limit_type.strip().lower() == "account"

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitInfo | None:
        """The figures of an answer's `x-ratelimit-*` headers (case-insensitive mapping), or None without any."""
        limit_type = headers.get("x-ratelimit-type")
        per_second = _int_header(headers.get("x-ratelimit-limit-per-second"))
        burst = _int_header(headers.get("x-ratelimit-limit-burst"))
        remaining = _int_header(headers.get("x-ratelimit-remaining"))
        reset = _time_header(headers.get("x-ratelimit-reset"))
        if limit_type is None and per_second is None and burst is None and remaining is None:
            return None
        return cls(limit_type, per_second, burst, remaining, reset)


def _int_header(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(float(raw))
    except ValueError:
        return None


def _time_header(raw: str | None) -> float | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class LimiterState(msgspec.Struct):
    """The shared state of one account's limiter. Times are epoch seconds; a reset of None means the pool is
    full and its window has not started.

    A window's reset is provisional until an answer confirms it (`*_confirmed`); `*_epoch` counts the pool's
    refills so that an answer can tell whether it speaks of the current window; `*_opener` is the sequence of the
    grant that opened the current window.
    """

    static_tokens: int
    burst_tokens: int
    static_capacity: int = 2
    burst_capacity: int = 30
    static_reset: float | None = None
    burst_reset: float | None = None
    static_confirmed: bool = False
    burst_confirmed: bool = False
    static_epoch: int = 0
    burst_epoch: int = 0
    static_opener: int = 0
    burst_opener: int = 0
    paused_until: float = 0.0
    # Static points a window left to another client of the account, learnt from 429s (see RateLimitPolicy).
    shared_points: int = 0
    shared_since: float = 0.0
    # waiter id -> (priority, planned wake-up); an announcement lapses `waiter_lease` after its wake-up
    waiters: dict[str, tuple[int, float]] = {}
    requests: int = 0
    seconds_waited: float = 0.0
    pauses: int = 0
    corrections: int = 0

    @classmethod
    def fresh(cls, policy: RateLimitPolicy) -> LimiterState:
        return cls(static_tokens=policy.static_capacity, burst_tokens=policy.burst_capacity,
                   static_capacity=policy.static_capacity, burst_capacity=policy.burst_capacity)


@dataclass(frozen=True)
class Grant:
    """A request's permission: when it was granted, which pool paid, its number among all requests of the
    account (across processes), and what the model held right after it (to compare with the answer)."""

    at: float
    pool: str
    sequence: int
    remaining: int = 0
    static_epoch: int = 0
    burst_epoch: int = 0


@dataclass(frozen=True)
class LimiterStats:
    """Counters for metrics. `requests`, `seconds_waited` and `pauses` (429s met) are the account's totals across
    every process sharing the store; `per_second` and `burst` are the limits last announced by the server (or
    assumed); `corrections` counts answers that showed the server had fewer points than modelled."""

    requests: int
    seconds_waited: float
    pauses: int
    per_second: int = 2
    burst: int = 30
    corrections: int = 0

    @property
    def budget_per_second(self) -> float:
        """The sustained rate of the announced policy: the static pool per second plus the burst per minute."""
        return self.per_second + self.burst / 60.0


def budget_points(per_second: int, burst: int, seconds: float) -> float:
    """Points a server with these limits gives one account in `seconds` from full pools: every static window and
    every burst window begun. The denominator of "share of the rate budget used" in every bench and test."""
    return per_second * seconds + burst * math.ceil(seconds / 60)


# --- the pool arithmetic (the one algorithm) ------------------------------------------------------------------------

def _refill(state: LimiterState, policy: RateLimitPolicy, now: float) -> None:
    if state.shared_points and now - state.shared_since >= policy.shared_decay:
        state.shared_points -= 1
        state.shared_since = now
    if state.static_reset is not None and now >= state.static_reset:
        state.static_tokens, state.static_reset = state.static_capacity, None
        state.static_confirmed, state.static_epoch = False, state.static_epoch + 1
    if state.burst_reset is not None and now >= state.burst_reset:
        state.burst_tokens, state.burst_reset = state.burst_capacity, None
        state.burst_confirmed, state.burst_epoch = False, state.burst_epoch + 1


def _provisional_reset(policy: RateLimitPolicy, now: float, window: float) -> float:
    return now + window + (policy.answer_hold if policy.await_answers else policy.margin)


def _take(state: LimiterState, policy: RateLimitPolicy, now: float, priority: Priority) -> str | None:
    """Consume one point as the server would (static first) if `priority` may; return the pool or None."""
    if state.static_tokens > min(state.shared_points, state.static_capacity - 1):
        state.static_tokens -= 1
        if state.static_reset is None:
            state.static_reset = _provisional_reset(policy, now, policy.static_window)
            state.static_opener = state.requests + 1
        return "static"
    if state.burst_tokens > policy.reserve(priority, state.burst_capacity):
        state.burst_tokens -= 1
        if state.burst_reset is None:
            # Never held for the answer: a later answer can only confirm or push back a minute-long window.
            state.burst_reset = now + policy.burst_window + policy.margin
            state.burst_opener = state.requests + 1
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
    awaiting = False
    if state.static_reset is not None:
        times.append(state.static_reset)
        awaiting = not state.static_confirmed
    if state.burst_reset is not None and state.burst_tokens <= policy.reserve(priority, state.burst_capacity):
        times.append(state.burst_reset)
    if not times:
        return now + policy.poll_interval
    wake = max(min(times), now)
    if awaiting and policy.await_answers:
        # An answer may bring the reset forward at any moment: look again soon rather than sleep to the hold.
        wake = min(wake, now + policy.poll_interval)
    return wake


def _higher_waiter(state: LimiterState, policy: RateLimitPolicy, now: float, priority: Priority,
                   me: str) -> float | None:
    """The earliest planned wake-up of a request of higher priority waiting for a point, or None.
    Announcements lapsed past their lease (their process died or gave up) are dropped."""
    for key in [k for k, (_, wake) in state.waiters.items() if wake + policy.waiter_lease < now]:
        del state.waiters[key]
    wakes = [wake for key, (p, wake) in state.waiters.items() if p > priority and key != me]
    return min(wakes) if wakes else None


def _learn_capacities(state: LimiterState, info: RateLimitInfo) -> None:
    """Adopt the limits the server announces; the pools gain or lose the difference."""
    if info.per_second is not None and info.per_second >= 1 and info.per_second != state.static_capacity:
        delta = info.per_second - state.static_capacity
        state.static_capacity = info.per_second
        state.static_tokens = min(info.per_second, max(0, state.static_tokens + delta))
    if info.burst is not None and info.burst >= 0 and info.burst != state.burst_capacity:
        delta = info.burst - state.burst_capacity
        state.burst_capacity = info.burst
        state.burst_tokens = min(info.burst, max(0, state.burst_tokens + delta))


def _settle(state: LimiterState, policy: RateLimitPolicy, grant: Grant, answered_at: float,
            info: RateLimitInfo | None, server_offset: float) -> None:
    """Bring the model in line with one answer (see `RateLimiter.observe`)."""
    if info is not None and info.is_account:
        _learn_capacities(state, info)
    remaining = info.remaining if info is not None and info.is_account else None
    static_current = grant.static_epoch == state.static_epoch and state.static_reset is not None
    burst_current = grant.burst_epoch == state.burst_epoch
    confirmed_end = answered_at + policy.settle_margin

    # The window the answered request opened: the server counted that request before we read the answer.
    if static_current and state.static_opener == grant.sequence and not state.static_confirmed:
        state.static_reset = confirmed_end + policy.static_window
        state.static_confirmed = True
    if burst_current and state.burst_reset is not None and not state.burst_confirmed:
        if remaining is not None and remaining < state.burst_capacity:
            # Fewer points than a full burst: the server's burst window is open, since this request at the latest.
            state.burst_reset = confirmed_end + policy.burst_window
            state.burst_confirmed = True
        elif remaining is not None or state.burst_opener == grant.sequence:
            # The server may not have opened its burst window yet (its static pool paid): ours cannot end before
            # a window it would open now.
            state.burst_reset = max(state.burst_reset, confirmed_end + policy.burst_window)

    if remaining is None:
        return
    if remaining == 0 and info is not None and info.reset is not None and grant.static_epoch == state.static_epoch:
        # No point anywhere on the server before its next refill: the earliest one it announces.
        announced = info.reset - server_offset + policy.settle_margin
        if state.static_reset is not None:
            state.static_reset = max(state.static_reset, announced)
        elif state.static_tokens:
            state.static_tokens, state.static_reset, state.static_confirmed = 0, announced, True
            state.static_opener = grant.sequence
    # Points the server lacks that the model still counts: another client of the account, or a window the server
    # opened earlier than we did. Requests granted after this one may have reached the server first, so only what
    # exceeds them is certain.
    granted_since = state.requests - grant.sequence
    deficit = grant.remaining - remaining - granted_since
    if deficit <= 0:
        return
    state.corrections += 1
    if burst_current:
        # From the burst first: a static point comes back within a second, a burst point only with the window.
        taken = min(deficit, state.burst_tokens)
        state.burst_tokens -= taken
        deficit -= taken
        if taken and state.burst_reset is None:
            state.burst_reset = confirmed_end + policy.burst_window
            state.burst_confirmed = True
            state.burst_opener = grant.sequence
    if deficit > 0 and grant.static_epoch == state.static_epoch:
        taken = min(deficit, state.static_tokens)
        state.static_tokens -= taken
        if taken and state.static_reset is None:
            state.static_reset, state.static_confirmed = confirmed_end + policy.static_window, True
            state.static_opener = grant.sequence


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
                    return Grant(at=now, pool=pool, sequence=state.requests,
                                 remaining=state.static_tokens + state.burst_tokens,
                                 static_epoch=state.static_epoch, burst_epoch=state.burst_epoch)
                wake = _next_wake(state, self.policy, now, priority, higher_wake)
                state.waiters[me] = (int(priority), wake)
            delay = max(0.0, wake - now)
            self.clock.sleep(delay)
            waited = delay
            self.seconds_waited += delay

    def observe(self, grant: Grant, info: RateLimitInfo | None, *, answered_at: float | None = None,
                server_offset: float = 0.0) -> None:
        """Learn from the answer to `grant`'s request (`info`: its rate-limit headers, None when it had none or
        no answer came). Call it for every granted request, answered or failed, as soon as the outcome is known.

        - The limits announced replace the modelled ones (a scaled server, a changed policy).
        - The window the request opened ends one window after its answer at the latest (the server counted it
          before answering), which replaces the guessed margin.
        - When the server reports fewer points left than the model held, less the requests granted since (which
          may have reached it first), the difference is taken from the modelled pools, the burst pool first: the
          account has another client, or the server's windows run differently from ours.
        - The burst window is never moved by `x-ratelimit-reset`, which tells when the static pool refills.

        `server_offset` is the server's clock minus ours in seconds (to read `x-ratelimit-reset`).
        """
        answered = self.clock.now() if answered_at is None else answered_at
        with self.store.transaction() as state:
            _refill(state, self.policy, answered)
            _settle(state, self.policy, grant, answered, info, server_offset)

    def pause_until(self, until: float) -> None:
        """Make every request of the account wait until `until` (epoch seconds), after a 429's Retry-After, and
        count the 429.

        The server refuses only when both of its pools are empty, so both modelled pools are emptied: the static
        one refills at `until`, the burst one when its window ends (a minute from now if it had not started).
        Every process of the account shares this limiter, so a 429 means a client we do not know of spends the
        same budget: from now on one more static point a window is left to it (`shared_step`), one fewer again
        after each `shared_decay` seconds without a 429.
        """
        with self.store.transaction() as state:
            now = self.clock.now()
            _refill(state, self.policy, now)
            if until > state.paused_until:
                state.paused_until = until
            state.pauses += 1
            state.shared_points = min(state.static_capacity - 1, state.shared_points + self.policy.shared_step)
            state.shared_since = now
            state.static_tokens = 0
            state.static_reset = max(state.static_reset or 0.0, until)
            state.static_confirmed = True
            state.burst_tokens = 0
            if state.burst_reset is None:
                state.burst_reset = now + self.policy.burst_window + self.policy.margin
                state.burst_confirmed = True

    def stats(self) -> LimiterStats:
        """The account's totals across every process sharing the store, and the limits last announced."""
        with self.store.transaction() as state:
            return LimiterStats(requests=state.requests, seconds_waited=state.seconds_waited,
                                pauses=state.pauses, per_second=state.static_capacity,
                                burst=state.burst_capacity, corrections=state.corrections)
