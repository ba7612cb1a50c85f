"""The game API client against an in-memory server speaking the real wire shapes (MockTransport), the typed
error mapping, and (when helpers A and B's embedded server is importable) one run against the real thing."""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from adapters.game_api import errors
from adapters.game_api.client import GameApiClient, system_of
from adapters.game_api.errors import error_from_response
from adapters.game_api.rate_limiter import Priority, RateLimiter, RateLimitPolicy
from adapters.game_api.settings import GameApiSettings
from game_api_fake import AGENT, HQ, OTHER, SYSTEM, FakeClock, FakeGame, _ship

SHIP = f"{AGENT}-1"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def game(clock: FakeClock) -> FakeGame:
    return FakeGame(clock)


def make_client(game: FakeGame, clock: FakeClock, token: str | None = "token-1", **settings: object) -> GameApiClient:
    config = GameApiSettings(base_url="https://fake.test/v2", token=token, **settings)  # type: ignore[arg-type]
    limiter = RateLimiter.in_memory(RateLimitPolicy(margin=0.0), clock)
    return GameApiClient(config, limiter, transport=game.transport())


@pytest.fixture
def client(game: FakeGame, clock: FakeClock) -> GameApiClient:
    with make_client(game, clock) as api:
        yield api


def test_status_is_read_unwrapped_without_a_token(client: GameApiClient, game: FakeGame) -> None:
    status = client.status()
    assert (status.status, status.reset_date) == ("ok", "2025-06-15")
    assert game.log == [("GET", "/")]


def test_register_then_use_the_token(game: FakeGame, clock: FakeClock) -> None:
    with make_client(game, clock, token=None) as api:
        with pytest.raises(errors.Unauthorized) as refused:
            api.agent()
        assert refused.value.code == 4103
        data = api.register("TESTER", "COSMIC")
        api.use_token(data.token)
        assert api.agent().symbol == AGENT
        assert [s.symbol for s in data.ships] == [f"{AGENT}-1", f"{AGENT}-2"]


def test_every_request_waits_for_the_limiter(client: GameApiClient, game: FakeGame) -> None:
    client.agent()
    client.ship(SHIP)
    client.market(HQ)
    assert client.limiter.requests_made == len(game.log) == 3


def test_lists_are_read_through_every_page(game: FakeGame, clock: FakeClock) -> None:
    for n in range(3, 26):
        game.ships[f"{AGENT}-{n:X}"] = _ship(f"{AGENT}-{n:X}", HQ)
    game.extra_waypoints = 30
    with make_client(game, clock, page_limit=20) as api:
        ships = api.ships()
        waypoints = api.waypoints(SYSTEM)
        markets = api.waypoints(SYSTEM, traits="MARKETPLACE")
        both = api.waypoints(SYSTEM, traits=["MARKETPLACE", "SHIPYARD"])
        moons = api.waypoints(SYSTEM, type="MOON")

    assert len(ships) == 25 and len({s.symbol for s in ships}) == 25
    assert len(waypoints) == 32
    assert [w.symbol for w in markets] == [HQ, OTHER]
    assert [w.symbol for w in both] == [HQ]
    assert [w.symbol for w in moons] == [OTHER]
    assert game.log.count(("GET", "/my/ships")) == 2
    assert game.log.count(("GET", f"/systems/{SYSTEM}/waypoints")) == 2 + 3


def test_reads(client: GameApiClient) -> None:
    assert client.agent().credits == 175_000
    assert client.ship(SHIP).nav.waypoint_symbol == HQ
    assert client.cargo(SHIP).capacity == 40
    assert client.nav(SHIP).status == "DOCKED"
    assert client.contracts()[0].id == "c-1"
    assert client.supply_chain().export_to_import_map == {"IRON": ["IRON_ORE"]}
    assert {w.symbol for w in client.system(SYSTEM).waypoints} == {HQ, OTHER}
    assert client.waypoint(OTHER).type == "MOON"
    market = client.market(HQ)
    assert market.trade_goods is not None and {g.symbol for g in market.trade_goods} == {"IRON", "FUEL", "COPPER"}
    assert client.shipyard(HQ).ship_types[0].type == "SHIP_LIGHT_HAULER"
    assert system_of("X1-DF55-A1") == "X1-DF55"


def test_trading_and_cargo_actions(client: GameApiClient, game: FakeGame) -> None:
    bought = client.purchase(SHIP, "IRON", 10)
    assert (bought.transaction.type, bought.transaction.units, bought.transaction.total_price) == ("PURCHASE", 10, 1000)
    assert bought.agent.credits == 174_000 and bought.cargo.units == 10

    sold = client.sell(SHIP, "IRON", 4)
    assert (sold.transaction.type, sold.transaction.price_per_unit) == ("SELL", 50)

    game.ships[f"{AGENT}-3"] = _ship(f"{AGENT}-3", HQ)
    assert client.transfer(SHIP, "IRON", 2, f"{AGENT}-3").cargo.units == 4
    assert client.jettison(SHIP, "IRON", 1).cargo.units == 3
    assert game.cargo_units(f"{AGENT}-3", "IRON") == 2

    client.orbit(SHIP)
    client.dock(SHIP)
    game.ships[SHIP].fuel.current = 150
    refuel = client.refuel(SHIP)
    assert refuel.fuel.current == 400 and refuel.transaction.units == 3


def test_navigation_and_flight_mode(client: GameApiClient, clock: FakeClock) -> None:
    assert client.orbit(SHIP).nav.status == "IN_ORBIT"
    assert client.patch_nav(SHIP, "BURN").nav.flight_mode == "BURN"
    going = client.navigate(SHIP, OTHER)
    assert going.nav.status == "IN_TRANSIT" and going.nav.route.destination.symbol == OTHER
    assert going.fuel.current == 390
    with pytest.raises(errors.InTransit):
        client.dock(SHIP)

    clock.advance(61)
    assert client.nav(SHIP).status == "IN_ORBIT"


def test_purchase_ship(client: GameApiClient, game: FakeGame) -> None:
    bought = client.purchase_ship("SHIP_LIGHT_HAULER", HQ)
    assert bought.ship.symbol == f"{AGENT}-3"
    assert bought.agent.credits == 125_000
    assert bought.transaction.price == 50_000
    with pytest.raises(errors.ShipNotPresent):
        client.purchase_ship("SHIP_LIGHT_HAULER", "X1-TEST-ZZ")


@pytest.mark.parametrize(("action", "expected", "code"), [
    (lambda c: c.purchase(SHIP, "IRON", 11), errors.TradeVolumeExceeded, 4604),
    (lambda c: c.sell(SHIP, "COPPER", 1), errors.CargoMissing, 4218),
    (lambda c: c.purchase(SHIP, "GOLD", 1), errors.GoodNotTraded, 4601),
    (lambda c: c.navigate(SHIP, OTHER), errors.NotInOrbit, 4236),
    (lambda c: c.ship("NOBODY-9"), errors.ShipNotFound, 404),
    (lambda c: c.market("X1-TEST-ZZ"), errors.NotFound, 404),
])
def test_game_rules_raise_typed_errors_and_are_not_retried(client: GameApiClient, game: FakeGame, clock: FakeClock,
                                                            action, expected, code) -> None:
    with pytest.raises(expected) as refused:
        action(client)
    assert refused.value.code == code
    assert game.log.count(game.log[-1]) == 1 and clock.sleeps == []  # sent once


def test_rules_that_need_a_state_first(client: GameApiClient, game: FakeGame) -> None:
    client.orbit(SHIP)
    with pytest.raises(errors.NotDocked):
        client.purchase(SHIP, "IRON", 1)
    with pytest.raises(errors.SameDestination):
        client.navigate(SHIP, HQ)
    game.ships[SHIP].fuel.current = 5
    with pytest.raises(errors.InsufficientFuel) as refused:
        client.navigate(SHIP, OTHER)
    assert refused.value.data == {"fuelRequired": 10}
    client.dock(SHIP)
    game.credits = 10
    with pytest.raises(errors.InsufficientCredits):
        client.purchase(SHIP, "IRON", 1)


def test_server_time_is_tracked(game: FakeGame, clock: FakeClock) -> None:
    game.skew = 30.0
    with make_client(game, clock) as api:
        assert api.server_time is None
        api.agent()
        assert api.server_time == game.now()
        assert api.clock_offset == pytest.approx(30.0)
        clock.advance(10)
        assert abs(api.server_now() - game.now()) < timedelta(milliseconds=1)


def test_an_answer_that_does_not_match_the_wire_model(clock: FakeClock) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"data": {"symbol": 1}}))
    api = GameApiClient(GameApiSettings(base_url="https://fake.test/v2", token="t"),
                        RateLimiter.in_memory(clock=clock), transport=transport)
    with pytest.raises(errors.UnexpectedResponse):
        api.agent()


def test_a_client_without_the_accounts_limiter_refuses_to_run() -> None:
    with pytest.raises(TypeError, match="RateLimiter"):
        GameApiClient(GameApiSettings(base_url="https://fake.test/v2"), None)  # type: ignore[arg-type]


def test_every_answer_teaches_the_limiter_the_servers_policy(clock: FakeClock) -> None:
    headers = {"X-RateLimit-Type": "Account", "X-RateLimit-Limit-Per-Second": "40",
               "X-RateLimit-Limit-Burst": "600", "X-RateLimit-Remaining": "639"}
    agent = {"data": {"accountId": "a", "symbol": "A", "headquarters": "X1-A-A1", "credits": 1,
                      "startingFaction": "COSMIC", "shipCount": 2}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=agent, headers=headers))
    limiter = RateLimiter.in_memory(clock=clock)
    api = GameApiClient(GameApiSettings(base_url="https://fake.test/v2", token="t"), limiter, transport=transport)

    api.agent()

    assert (limiter.stats().per_second, limiter.stats().burst) == (40, 600)
    assert {limiter.acquire(Priority.HIGH).at for _ in range(639)} == {clock.now()}  # the scaled budget at once


# --- the error mapping ------------------------------------------------------------------------------------------------

def _error(status: int, body: bytes, path: str = "/my/agent", **headers: str) -> errors.GameApiError:
    return error_from_response(status, body, httpx.Headers(headers), path)


def test_errors_map_from_the_game_code_not_the_status() -> None:
    cooldown = _error(409, b'{"error":{"code":4000,"message":"cooling","data":{"cooldown":{"remainingSeconds":6}}}}')
    assert isinstance(cooldown, errors.ShipOnCooldown) and cooldown.data["cooldown"]["remainingSeconds"] == 6
    assert isinstance(_error(400, b'{"error":{"code":4000,"message":"older builds"}}'), errors.ShipOnCooldown)
    reset = _error(401, b'{"error":{"code":4113,"message":"Token reset_date does not match","requestId":"r"}}')
    assert isinstance(reset, errors.TokenReset) and isinstance(reset, errors.Unauthorized)
    assert reset.request_id == "r"
    assert isinstance(_error(422, b'{"error":{"code":3001,"message":"bad","data":{"issues":[]}}}'),
                      errors.InvalidPayload)
    assert isinstance(_error(400, b'{"error":{"code":4222,"message":"survey"}}'), errors.GameRuleError)
    assert isinstance(_error(500, b'{"error":{"code":3000,"message":"x"}}'), errors.ServerUnavailable)
    assert isinstance(_error(503, b'{"error":{"code":503,"message":"maintenance"}}'), errors.ServerUnavailable)
    assert isinstance(_error(500, b'{"error":{"code":9999,"message":"new"}}'), errors.ServerUnavailable)
    for code, cls in [(4214, errors.InTransit), (4200, errors.InTransit), (4217, errors.CargoFull),
                      (4228, errors.CargoFull), (4265, errors.InsufficientCredits), (4216, errors.InsufficientCredits),
                      (4603, errors.MarketNotFound), (4602, errors.GoodNotTraded), (4219, errors.CargoMissing)]:
        assert type(_error(400, b'{"error":{"code":%d,"message":"m"}}' % code)) is cls


def test_bodies_without_the_game_envelope() -> None:
    router = _error(404, b'{"message":"Cannot GET /v2/nowhere","error":"Not Found","statusCode":404}', "/nowhere")
    assert type(router) is errors.NotFound and router.message == "Cannot GET /v2/nowhere" and router.code is None
    ship = _error(404, b'{"error":{"code":404,"message":"Ship not found"}}', "/my/ships/X-1/cargo")
    assert isinstance(ship, errors.ShipNotFound)
    nowhere = _error(404, b'{"error":{"code":404,"message":"Waypoint X not found.","data":{"waypointSymbol":"X"}}}',
                     "/my/ships/X-1/navigate")
    assert type(nowhere) is errors.NotFound
    ddos = _error(502, b"<html>502 Bad Gateway</html>")
    assert isinstance(ddos, errors.ServerUnavailable) and "502 Bad Gateway" in ddos.message
    infra = _error(429, b"Too Many Requests", **{"Retry-After": "7"})
    assert isinstance(infra, errors.RateLimited) and infra.retry_after == 7.0 and not infra.maybe_applied
    dated = _error(429, b"", **{"Retry-After": "Wed, 21 Oct 2015 07:28:05 GMT", "Date": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert isinstance(dated, errors.RateLimited) and dated.retry_after == 5.0
    body_only = _error(429, b'{"error":{"code":429,"message":"limit","data":{"retryAfter":2}}}')
    assert isinstance(body_only, errors.RateLimited) and body_only.retry_after == 2.0


# --- against the embedded game server, when it exists -----------------------------------------------------------------

def _embedded_world():
    world_module = pytest.importorskip(
        "adapters.game_server.world", reason="the embedded game server's World (helper A) is not importable yet")
    return world_module.World.open(None, seed=1)


def _embedded_client(world, faults=None) -> GameApiClient:
    from adapters.game_server.app import GameApp
    from adapters.game_server.inprocess import BASE_URL, InProcessTransport
    from adapters.game_server.rate_limit import RateLimiter as ServerLimiter
    from adapters.game_server.rate_limit import RateLimitSettings

    app = GameApp(world, rate_limiter=ServerLimiter(RateLimitSettings.disabled()), faults=faults)
    return GameApiClient(GameApiSettings(base_url=BASE_URL, backoff_initial=0.01, backoff_cap=0.05),
                         RateLimiter.in_memory(), transport=InProcessTransport(app))


def test_against_the_embedded_server_with_every_trade_answer_lost() -> None:
    from adapters.game_server.faults import FaultInjector, FaultSettings

    world = _embedded_world()
    try:
        with _embedded_client(world) as clean, \
                _embedded_client(world, FaultInjector(FaultSettings(rate_after_apply=1.0, seed=7))) as lossy:
            data = clean.register("CLIENTTEST", "COSMIC")
            clean.use_token(data.token)
            lossy.use_token(data.token)
            ships = clean.ships()
            assert clean.agent().symbol == "CLIENTTEST" and len(ships) == len(data.ships)
            command = next(s for s in ships if s.cargo.capacity > 0)
            clean.dock(command.symbol)
            market = clean.market(command.nav.waypoint_symbol)
            goods = [g for g in market.trade_goods or [] if g.purchase_price > 0 and g.symbol != "FUEL"]
            if not goods:
                pytest.skip("the command ship's starting waypoint has no market with goods to buy")
            good = min(goods, key=lambda g: g.purchase_price)
            units = min(good.trade_volume, command.cargo.capacity - command.cargo.units, 5)
            credits_before = clean.agent().credits

            bought = lossy.purchase(command.symbol, good.symbol, units)  # every answer is lost after the change
            sold = lossy.sell(command.symbol, good.symbol, units)

            assert lossy.reconciliations >= 2
            assert (bought.transaction.units, sold.transaction.units) == (units, units)
            history = [t for t in clean.market(command.nav.waypoint_symbol).transactions or []
                       if t.ship_symbol == command.symbol and t.trade_symbol == good.symbol]
            assert sorted(t.type for t in history) == ["PURCHASE", "SELL"]  # exactly one of each
            assert clean.agent().credits == (credits_before - bought.transaction.total_price
                                             + sold.transaction.total_price)
    finally:
        world.close()
