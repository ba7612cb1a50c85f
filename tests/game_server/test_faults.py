"""Fault injection: each kind, at the HTTP level, including answers lost after the change was applied."""
from __future__ import annotations

import httpx
import msgspec
import pytest

from adapters.game_server.app import GameApp
from adapters.game_server.clock import ManualClock
from adapters.game_server.faults import FaultInjector, FaultKind, FaultSettings
from adapters.game_server.http_server_process import GameServerProcess
from adapters.game_server.inprocess import in_process_client
from adapters.game_server.rate_limit import RateLimiter, RateLimitSettings
from adapters.game_server.world import World
from adapters.wire.models import Envelope, ErrorResponse, ShipCargo

AGENT = "FAULTY"
SHIP = "FAULTY-1"


class RecordedSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_app(settings: FaultSettings, sleep: RecordedSleep | None = None) -> tuple[GameApp, World, str]:
    world = World.open(None, seed=2, clock=ManualClock())
    token = world.register(AGENT, "COSMIC").token
    app = GameApp(world, rate_limiter=RateLimiter(RateLimitSettings.disabled()),
                  faults=FaultInjector(settings, sleep=sleep or RecordedSleep()))
    return app, world, token


def still_docked(world: World) -> bool:
    """The faulted orbit calls never reached the world."""
    return world.ship_nav(AGENT, SHIP).status == "DOCKED"


def cheapest_good_at_home(world: World) -> tuple[str, str]:
    home = world.agent(AGENT).headquarters
    market = world.market(home.rsplit("-", 1)[0], home, AGENT)
    good = min((g for g in market.trade_goods or [] if g.symbol != "FUEL"), key=lambda g: g.purchase_price)
    return home, good.symbol


def test_no_faults_by_default() -> None:
    assert not FaultSettings().active
    assert FaultInjector().before_call() is None


def test_injected_429_has_the_real_body_and_headers() -> None:
    app, world, token = make_app(FaultSettings(rate_429=1.0))
    with in_process_client(app, token=token) as client:
        answer = client.post(f"/my/ships/{SHIP}/orbit")

    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    assert answer.headers["X-RateLimit-Limit-Burst"] == "30"
    body = msgspec.json.decode(answer.content, type=ErrorResponse)
    assert body.error.code == 429
    assert set(body.error.data or {}) == {"type", "retryAfter", "limitBurst", "limitPerSecond", "remaining", "reset"}
    assert still_docked(world)


def test_injected_5xx_are_500_502_and_503_with_realistic_bodies() -> None:
    app, world, token = make_app(FaultSettings(rate_5xx=1.0, seed=3))
    with in_process_client(app, token=token) as client:
        answers = [client.post(f"/my/ships/{SHIP}/orbit") for _ in range(30)]

    by_status = {a.status_code: a for a in answers}
    assert set(by_status) == {500, 502, 503}
    assert msgspec.json.decode(by_status[500].content, type=ErrorResponse).error.code == 3000
    assert msgspec.json.decode(by_status[503].content, type=ErrorResponse).error.code == 503
    assert by_status[502].headers["Content-Type"].startswith("text/html")  # the DDoS layer does not speak JSON
    assert still_docked(world)


def test_dropped_connection_is_a_transport_error_for_the_client() -> None:
    app, world, token = make_app(FaultSettings(rate_drop=1.0))
    with in_process_client(app, token=token) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/my/agent")
        with pytest.raises(httpx.TransportError):
            client.post(f"/my/ships/{SHIP}/orbit")
    assert still_docked(world)


def test_slow_answer_is_delayed_then_served() -> None:
    sleep = RecordedSleep()
    app, _, token = make_app(FaultSettings(rate_slow=1.0, slow_seconds=3.5), sleep)
    with in_process_client(app, token=token) as client:
        answer = client.get("/my/agent")

    assert answer.status_code == 200
    assert sleep.calls == [3.5]


def test_trade_applied_but_answer_lost() -> None:
    """The purchases happen on the server, yet the client only sees 5xx answers or cut connections."""
    app, world, token = make_app(FaultSettings(rate_after_apply=1.0, seed=1))
    home, good = cheapest_good_at_home(world)
    outcomes = []
    with in_process_client(app, token=token) as client:
        for _ in range(6):
            try:
                outcomes.append(client.post(f"/my/ships/{SHIP}/purchase", json={"symbol": good, "units": 1})
                                .status_code)
            except httpx.TransportError:
                outcomes.append("dropped")
        cargo = client.get(f"/my/ships/{SHIP}/cargo")  # reads are never faulted after apply

    assert "dropped" in outcomes
    assert any(o != "dropped" for o in outcomes)
    assert {o for o in outcomes if o != "dropped"} <= {500, 502, 503}
    assert msgspec.json.decode(cargo.content, type=Envelope[ShipCargo]).data.units == 6
    trades = [t for t in world.market(home.rsplit("-", 1)[0], home, AGENT).transactions or []
              if t.ship_symbol == SHIP and t.type == "PURCHASE"]
    assert len(trades) == 6
    assert world.agent(AGENT).credits == 175_000 - sum(t.total_price for t in trades)
    assert app.faults.injected["after-apply drop"] + app.faults.injected["after-apply 5xx"] == 6


def test_after_apply_faults_spare_refused_calls() -> None:
    app, world, token = make_app(FaultSettings(rate_after_apply=1.0))
    _, good = cheapest_good_at_home(world)
    with in_process_client(app, token=token) as client:
        answer = client.post(f"/my/ships/{SHIP}/sell", json={"symbol": good, "units": 1})
    assert answer.status_code == 400  # nothing was applied, so the real error comes through
    assert msgspec.json.decode(answer.content, type=ErrorResponse).error.code == 4218


def test_draws_are_seeded() -> None:
    settings = FaultSettings(rate_429=0.2, rate_5xx=0.2, rate_drop=0.2, rate_slow=0.2, seed=42)
    first, second = FaultInjector(settings), FaultInjector(settings)
    run = [(f.kind if (f := first.before_call()) else None) for _ in range(50)]
    assert run == [(f.kind if (f := second.before_call()) else None) for _ in range(50)]
    assert set(run) == {None, FaultKind.RATE_LIMIT, FaultKind.SERVER_ERROR, FaultKind.DROP, FaultKind.SLOW}


@pytest.mark.parametrize("settings", [dict(rate_429=1.5), dict(rate_drop=-0.1), dict(rate_429=0.6, rate_5xx=0.6),
                                      dict(slow_seconds=-1)])
def test_settings_are_validated(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        FaultSettings(**settings)


def test_real_server_drops_connections(tmp_path) -> None:
    """Over a real socket (granian), a dropped answer reaches httpx as a transport error, not a short body."""
    with GameServerProcess(data_dir=tmp_path / "data", extra_args=["--fault-drop", "0.5", "--fault-seed", "7"]) \
            as server, httpx.Client(base_url=server.base_url, timeout=10) as client:
        outcomes = []
        for _ in range(20):
            try:
                outcomes.append(client.get("/systems").status_code)
            except httpx.TransportError as exc:
                outcomes.append(type(exc).__name__)
    assert 200 in outcomes
    assert "RemoteProtocolError" in outcomes
    assert set(outcomes) <= {200, "RemoteProtocolError"}
