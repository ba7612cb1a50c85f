"""The rate limiter: the real game's two pools per account, its headers and its 429 (game-api-facts §2)."""
from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timezone

import httpx
import msgspec
import pytest
from click.testing import CliRunner

from adapters.cli.server_command import RateLimitParam
from adapters.cli.server_command import server as server_command
from adapters.game_server.app import GameApp
from adapters.game_server.http_server_process import GameServerProcess
from adapters.game_server.clock import ManualClock
from adapters.game_server.inprocess import in_process_client
from adapters.game_server.rate_limit import ACCOUNT, IP_ADDRESS, RateLimiter, RateLimitSettings
from adapters.game_server.world import World
from adapters.wire.models import ErrorResponse

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp()


class Seconds:
    """A hand-driven epoch-seconds clock for the limiter."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def spend(limiter: RateLimiter, key: str, times: int) -> list[bool]:
    return [limiter.hit(key).allowed for _ in range(times)]


def test_two_static_then_thirty_burst_points_then_refusal() -> None:
    clock = Seconds()
    limiter = RateLimiter(RateLimitSettings(), clock)

    assert spend(limiter, "A", 32) == [True] * 32
    refused = limiter.hit("A")

    assert not refused.allowed
    assert refused.remaining == 0


def test_static_pool_refills_one_second_after_its_first_consume() -> None:
    clock = Seconds()
    limiter = RateLimiter(RateLimitSettings(), clock)
    spend(limiter, "A", 32)  # both pools empty; static emptied at T0, burst at T0

    clock.advance(0.99)
    assert not limiter.hit("A").allowed
    clock.advance(0.01)  # 1 s after the static pool's first consume
    assert spend(limiter, "A", 3) == [True, True, False]


def test_burst_pool_refills_sixty_seconds_after_its_first_consume() -> None:
    clock = Seconds()
    limiter = RateLimiter(RateLimitSettings(), clock)
    spend(limiter, "A", 2)
    clock.advance(0.5)
    spend(limiter, "A", 30)  # burst's first consume at T0 + 0.5
    clock.advance(59.0)  # T0 + 59.5: static refilled several times, burst still empty
    assert spend(limiter, "A", 3) == [True, True, False]

    clock.advance(1.0)  # T0 + 60.5: burst full again
    assert spend(limiter, "A", 32) == [True] * 32
    assert not limiter.hit("A").allowed


def test_static_pool_is_used_before_the_burst_pool() -> None:
    clock = Seconds()
    limiter = RateLimiter(RateLimitSettings(), clock)
    for _ in range(10):  # two requests a second forever never touch the burst pool
        assert spend(limiter, "A", 2) == [True, True]
        clock.advance(1.0)
    assert limiter.hit("A").remaining == 1 + 30


def test_a_refusal_says_when_to_retry_in_whole_seconds() -> None:
    clock = Seconds()
    limiter = RateLimiter(RateLimitSettings(), clock)
    spend(limiter, "A", 32)
    clock.advance(0.3)

    refused = limiter.hit("A")

    assert refused.retry_after == pytest.approx(0.7)
    assert refused.retry_after_header == "1"
    data = refused.error_data()
    assert data == {"type": ACCOUNT, "retryAfter": 1, "limitBurst": 30, "limitPerSecond": 2, "remaining": 0,
                    "reset": "2025-01-01T00:00:01.000Z"}


def test_accounts_do_not_share_pools() -> None:
    limiter = RateLimiter(RateLimitSettings(), Seconds())
    spend(limiter, "A", 32)

    assert not limiter.hit("A").allowed
    assert limiter.hit("B").allowed


def test_multiplier_scales_both_pools() -> None:
    limiter = RateLimiter(RateLimitSettings.relaxed(10), Seconds())

    assert spend(limiter, "A", 320) == [True] * 320
    refused = limiter.hit("A")
    assert not refused.allowed
    assert (refused.limit_per_second, refused.limit_burst) == (20, 300)


def test_multiplier_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimitSettings(multiplier=0)


# --- through the HTTP app ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    world = World.open(None, seed=4, clock=ManualClock())
    yield world
    world.close()


@pytest.fixture(scope="module")
def token(world: World) -> str:
    return world.register("LIMITED", "COSMIC").token


@pytest.fixture
def limited(world: World, token: str) -> tuple[GameApp, Seconds, str]:
    clock = Seconds()
    return GameApp(world, rate_limiter=RateLimiter(RateLimitSettings(), clock)), clock, token


def test_every_answer_carries_the_rate_limit_headers(limited: tuple[GameApp, Seconds, str]) -> None:
    app, _, token = limited
    with in_process_client(app, token=token) as client:
        answers = [client.get("/my/agent"), client.get("/no/such/path"), client.get("/my/ships/NOPE-1"),
                   client.post("/my/ships/LIMITED-1/purchase", content=b"{")]
    for answer in answers:
        assert answer.headers["X-RateLimit-Type"] == ACCOUNT
        assert answer.headers["X-RateLimit-Limit-Per-Second"] == "2"
        assert answer.headers["X-RateLimit-Limit-Burst"] == "30"
        assert "X-RateLimit-Remaining" in answer.headers["Access-Control-Expose-Headers"]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["31", "30", "29", "28"]
    assert answers[0].headers["X-RateLimit-Reset"] == "2025-01-01T00:00:01.000Z"


def test_the_429_has_the_real_body_and_retry_after(limited: tuple[GameApp, Seconds, str]) -> None:
    app, clock, token = limited
    with in_process_client(app, token=token) as client:
        for _ in range(32):
            assert client.get("/my/agent").status_code == 200
        clock.advance(0.25)
        refused = client.get("/my/agent")

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert int(refused.headers["Retry-After"]) == math.ceil(0.75)
    body = msgspec.json.decode(refused.content, type=ErrorResponse)
    assert body.error.code == 429
    assert body.error.message == "You have reached your API limit."
    assert body.error.data == {"type": ACCOUNT, "retryAfter": 1, "limitBurst": 30, "limitPerSecond": 2,
                               "remaining": 0, "reset": "2025-01-01T00:00:01.000Z"}


def test_anonymous_requests_are_limited_per_client_ip(world: World) -> None:
    app = GameApp(world, rate_limiter=RateLimiter(RateLimitSettings(), Seconds()))
    with in_process_client(app, remote_addr="10.0.0.1") as first, \
            in_process_client(app, remote_addr="10.0.0.2") as second:
        codes = [first.get("/systems").status_code for _ in range(33)]
        other = second.get("/systems")

    assert codes == [200] * 32 + [429]
    assert other.status_code == 200
    assert other.headers["X-RateLimit-Type"] == IP_ADDRESS


def test_an_agent_is_limited_on_its_account_from_any_ip(limited: tuple[GameApp, Seconds, str]) -> None:
    app, _, token = limited
    with in_process_client(app, token=token, remote_addr="10.0.0.1") as first, \
            in_process_client(app, token=token, remote_addr="10.0.0.2") as second:
        assert [first.get("/my/agent").status_code for _ in range(32)] == [200] * 32
        assert second.get("/my/agent").status_code == 429


def test_disabled_limit_never_refuses_and_sends_no_limit_headers(world: World) -> None:
    app = GameApp(world, rate_limiter=RateLimiter(RateLimitSettings.disabled(), Seconds()))
    with in_process_client(app) as client:
        answers = [client.get("/systems") for _ in range(100)]
    assert {a.status_code for a in answers} == {200}
    assert "X-RateLimit-Type" not in answers[-1].headers


# --- scaled with the game speed (the real game's proportions) ------------------------------------------------------

@pytest.mark.parametrize("speed", [1.0, 10.0, 20.0, 120.0])
def test_scaled_limit_gives_the_real_requests_per_game_hour(speed: float) -> None:
    clock = Seconds()
    limiter = RateLimiter(RateLimitSettings.scaled(), clock, speed=speed)
    wall = 600.0  # ten burst windows: whole windows of both pools
    allowed = 0
    for _ in range(int(wall / 0.5)):  # a greedy client taking every point there is, every half second
        while limiter.hit("A").allowed:
            allowed += 1
        clock.advance(0.5)

    game_hours = wall * speed / 3600
    # The real policy, 2 a second and 30 a minute, is 9,000 requests per game hour at any speed.
    assert allowed / game_hours == pytest.approx(9000)


def test_scaled_limit_holds_speed_times_the_points_over_the_real_windows() -> None:
    clock = Seconds()
    limiter = RateLimiter(RateLimitSettings.scaled(), clock, speed=20.0)

    assert spend(limiter, "A", 640) == [True] * 640  # 2 x 20 static + 30 x 20 burst
    assert not limiter.hit("A").allowed
    clock.advance(1.0)  # the static window is still 1 s: 40 more, not 40 every 1/20 s
    assert spend(limiter, "A", 41) == [True] * 40 + [False]


def test_the_default_limit_is_not_scaled() -> None:
    limiter = RateLimiter(RateLimitSettings(), Seconds(), speed=120.0)

    assert spend(limiter, "A", 33) == [True] * 32 + [False]
    assert "not scaled" in RateLimitSettings().describe(120.0)
    assert "9,000 requests per game hour" in RateLimitSettings.scaled().describe(120.0)


def test_scaled_headers_and_429_report_the_scaled_figures(world: World, token: str) -> None:
    clock = Seconds()
    app = GameApp(world, rate_limiter=RateLimiter(RateLimitSettings.scaled(), clock, speed=10.0))
    with in_process_client(app, token=token) as client:
        answers = [client.get("/my/agent") for _ in range(321)]

    first, refused = answers[0], answers[-1]
    assert [a.status_code for a in answers] == [200] * 320 + [429]
    assert first.headers["X-RateLimit-Limit-Per-Second"] == "20"
    assert first.headers["X-RateLimit-Limit-Burst"] == "300"
    assert first.headers["X-RateLimit-Remaining"] == "319"
    body = msgspec.json.decode(refused.content, type=ErrorResponse)
    assert (body.error.data["limitPerSecond"], body.error.data["limitBurst"]) == (20, 300)
    assert refused.headers["X-RateLimit-Limit-Per-Second"] == "20"


def test_server_command_accepts_scaled_and_names_it_when_refusing() -> None:
    assert RateLimitParam().convert("scaled", None, None) == RateLimitSettings.scaled()
    result = CliRunner().invoke(server_command, ["--rate-limit", "bogus"])
    assert result.exit_code != 0
    assert "scaled" in result.output


def test_a_server_process_at_scaled_limit_sends_the_scaled_headers() -> None:
    with GameServerProcess(speed=15, rate_limit="scaled") as server, httpx.Client() as client:
        answer = client.get(server.base_url + "/systems")
        banner = server.output()

    assert answer.headers["X-RateLimit-Limit-Per-Second"] == "30"
    assert answer.headers["X-RateLimit-Limit-Burst"] == "450"
    assert "scaled with speed 15" in banner
