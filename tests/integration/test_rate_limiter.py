"""The shared rate limiter: pool arithmetic against a model of the server, priorities, pauses, and sharing one
account's budget between processes through the state file."""
from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass

import pytest

from adapters.game_api.rate_limiter import (
    FileStore,
    Priority,
    RateLimiter,
    RateLimitPolicy,
    SystemClock,
)
from game_api_fake import FakeClock


@dataclass
class ServerPools:
    """The server's pools as game-api-facts §2.4 describes them, written independently of the limiter:
    static first, each pool refilled to full `window` seconds after its first consume; refused when both are
    empty."""

    static_capacity: int = 2
    static_window: float = 1.0
    burst_capacity: int = 30
    burst_window: float = 60.0

    def __post_init__(self) -> None:
        self.static, self.burst = self.static_capacity, self.burst_capacity
        self.static_full_at: float | None = None
        self.burst_full_at: float | None = None

    def accept(self, t: float) -> bool:
        if self.static_full_at is not None and t >= self.static_full_at:
            self.static, self.static_full_at = self.static_capacity, None
        if self.burst_full_at is not None and t >= self.burst_full_at:
            self.burst, self.burst_full_at = self.burst_capacity, None
        if self.static:
            self.static -= 1
            if self.static_full_at is None:
                self.static_full_at = t + self.static_window
            return True
        if self.burst:
            self.burst -= 1
            if self.burst_full_at is None:
                self.burst_full_at = t + self.burst_window
            return True
        return False


def limiter(clock: FakeClock, **policy: object) -> RateLimiter:
    return RateLimiter.in_memory(RateLimitPolicy(**policy), clock)  # type: ignore[arg-type]


def test_grants_follow_the_server_pools_exactly_without_margin() -> None:
    clock = FakeClock(start=1000.0)
    lim = limiter(clock, margin=0.0)

    times = [lim.acquire(Priority.HIGH).at - 1000.0 for _ in range(40)]

    # 2 static + 30 burst at once, then the static pool's 2 points every second.
    assert times == [0.0] * 32 + [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]


def test_margin_delays_each_refill() -> None:
    clock = FakeClock(start=1000.0)
    lim = limiter(clock, margin=0.25)

    times = [lim.acquire(Priority.HIGH).at - 1000.0 for _ in range(36)]

    assert times[32:] == [1.25, 1.25, 2.5, 2.5]


def test_burst_pool_refills_after_its_window() -> None:
    clock = FakeClock(start=0.0)
    lim = limiter(clock, margin=0.5)
    for _ in range(32):
        lim.acquire(Priority.HIGH)
    clock.advance(60.5)

    grants = [lim.acquire(Priority.HIGH) for _ in range(32)]

    assert {g.at for g in grants} == {60.5}
    assert [g.pool for g in grants].count("burst") == 30
    assert clock.sleeps == []


@pytest.mark.parametrize("margin", [0.0, 0.05, 0.3])
def test_a_long_mixed_run_is_never_refused_by_the_server_model(margin: float) -> None:
    clock = FakeClock(start=0.0)
    lim = limiter(clock, margin=margin)
    server = ServerPools()
    priorities = [Priority.HIGH, Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.LOW]

    grants = []
    for i in range(400):
        if i % 37 == 0:
            clock.advance(0.4)  # idle moments, so windows start at odd times
        grants.append(lim.acquire(priorities[i % len(priorities)]))

    assert all(server.accept(g.at) for g in grants)
    # And the budget is used: 400 requests need at least (400 - 32) / 2.5 s of the 2 + 30/60 req/s policy.
    assert grants[-1].at < (400 - 32) / 2.5 * (1 + margin) + 20


def test_lower_priorities_leave_burst_points_to_higher_ones() -> None:
    clock = FakeClock(start=0.0)
    lim = limiter(clock, margin=0.0, normal_reserve=4, low_reserve=12)

    low = [lim.acquire(Priority.LOW) for _ in range(20)]
    assert {g.at for g in low} == {0.0}  # 2 static + 18 burst, leaving 12
    normal = [lim.acquire(Priority.NORMAL) for _ in range(8)]
    assert {g.at for g in normal} == {0.0}  # 8 more burst, leaving 4
    high = [lim.acquire(Priority.HIGH) for _ in range(4)]
    assert {g.at for g in high} == {0.0}  # the last 4
    assert clock.sleeps == []

    # A LOW request now waits for the static pool (1 s), not for burst points it may not touch.
    assert lim.acquire(Priority.LOW).at == 1.0


def test_low_priority_does_not_dip_into_the_reserve_even_when_waiting() -> None:
    clock = FakeClock(start=0.0)
    lim = limiter(clock, margin=0.0, low_reserve=12)

    grants = [lim.acquire(Priority.LOW) for _ in range(30)]

    # Over 5 seconds LOW got 2 static per second and 18 burst points: 12 stay for higher priorities.
    assert [g.pool for g in grants].count("burst") == 18


def test_pause_until_makes_every_request_wait() -> None:
    clock = FakeClock(start=100.0)
    lim = limiter(clock, margin=0.0)
    other = RateLimiter(lim.store, lim.policy, clock)  # another user of the same account's state

    lim.pause_until(105.0)

    assert other.acquire(Priority.HIGH).at == 105.0
    assert clock.sleeps == [5.0]
    assert other.seconds_waited == 5.0
    assert lim.stats().pauses == 1


def test_counters() -> None:
    clock = FakeClock(start=0.0)
    lim = limiter(clock, margin=0.0)
    for _ in range(34):
        lim.acquire()  # NORMAL: 2 static + 26 burst at once (4 kept for HIGH), then 2 per second

    stats = lim.stats()

    assert (stats.requests, stats.seconds_waited) == (34, 3.0)
    assert (lim.requests_made, lim.seconds_waited) == (34, 3.0)


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        RateLimitPolicy(low_reserve=40)
    with pytest.raises(ValueError):
        RateLimitPolicy(normal_reserve=10, low_reserve=5)


def test_waiting_high_priority_request_goes_before_a_waiting_low_one() -> None:
    # Real threads and a real clock with short windows: the order of the grants is what is checked, not timing.
    policy = RateLimitPolicy(static_capacity=1, static_window=0.3, burst_capacity=0, normal_reserve=0,
                             low_reserve=0, margin=0.0, poll_interval=0.01)
    lim = RateLimiter.in_memory(policy, SystemClock())
    lim.acquire(Priority.HIGH)  # empties the static pool for 0.3 s
    order: list[str] = []
    low_waiting = threading.Event()

    def take(name: str, priority: Priority) -> None:
        if name == "low":
            low_waiting.set()
        lim.acquire(priority)
        order.append(name)

    low = threading.Thread(target=take, args=("low", Priority.LOW))
    low.start()
    low_waiting.wait()
    high = threading.Thread(target=take, args=("high", Priority.HIGH))
    high.start()
    low.join(5)
    high.join(5)

    assert order == ["high", "low"]


def test_file_store_shares_one_account_and_separates_accounts(tmp_path) -> None:
    clock = FakeClock(start=0.0)
    policy = RateLimitPolicy(margin=0.0)
    first = RateLimiter.shared(tmp_path, "AGENT-A", policy, clock)
    second = RateLimiter.shared(tmp_path, "AGENT-A", policy, clock)
    stranger = RateLimiter.shared(tmp_path, "AGENT-B", policy, clock)

    for _ in range(16):
        first.acquire(Priority.HIGH)
        second.acquire(Priority.HIGH)
    assert clock.sleeps == []
    assert second.acquire(Priority.HIGH).at == 1.0  # the account's 32 points are spent
    assert stranger.acquire(Priority.HIGH).at == 1.0  # another account has its own pools (no wait)
    assert clock.sleeps == [1.0]
    assert first.stats().requests == 33


def test_a_damaged_state_file_starts_again_from_full_pools(tmp_path) -> None:
    clock = FakeClock(start=0.0)
    lim = RateLimiter.shared(tmp_path, "AGENT-A", RateLimitPolicy(margin=0.0), clock)
    lim.acquire()
    assert isinstance(lim.store, FileStore)
    lim.store.path.write_bytes(b'{"static_tok')

    assert lim.acquire().at == 0.0
    assert lim.stats().requests == 1


# --- two processes, one budget ---------------------------------------------------------------------------------------

FAST_POLICY = dict(static_capacity=2, static_window=0.1, burst_capacity=6, burst_window=0.6, margin=0.01,
                   normal_reserve=2, low_reserve=3, poll_interval=0.005)


def _hammer(run_dir: str, count: int, priority: int) -> list[tuple[int, float]]:
    """Child process: take `count` grants from the shared limiter; report (sequence, time) of each."""
    lim = RateLimiter.shared(run_dir, "HAMMER", RateLimitPolicy(**FAST_POLICY))  # type: ignore[arg-type]
    return [(g.sequence, g.at) for g in (lim.acquire(Priority(priority)) for _ in range(count))]


def test_two_processes_together_stay_within_one_budget(tmp_path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        results = [pool.apply_async(_hammer, (str(tmp_path), 40, int(p))) for p in (Priority.HIGH, Priority.LOW)]
        grants = [g for r in results for g in r.get(timeout=60)]

    grants.sort()
    assert [seq for seq, _ in grants] == list(range(1, 81))
    server = ServerPools(static_capacity=2, static_window=0.1, burst_capacity=6, burst_window=0.6)
    refused = [t for _, t in grants if not server.accept(t)]
    assert refused == []
    # Without sharing, each process would have spent the whole burst at once: 2 x 8 grants in the first instant.
    first = grants[0][1]
    assert sum(1 for _, t in grants if t - first < 0.05) <= 8
