"""Details of spec 2.3.0 that the scripted session does not reach: optional request parts, enum query filters,
unknown body keys, and the bot-side models' leniency where the spec makes a field optional or deprecated."""
from __future__ import annotations

from collections.abc import Iterator

import httpx
import msgspec
import pytest

from adapters.game_server.app import GameApp
from adapters.game_server.clock import ManualClock
from adapters.game_server.inprocess import in_process_client
from adapters.game_server.rate_limit import RateLimiter, RateLimitSettings
from adapters.game_server.world import World
from adapters.wire import models as wire
from adapters.wire.models import Envelope, ErrorResponse, Page


@pytest.fixture(scope="module")
def app() -> Iterator[GameApp]:
    world = World.open(None, seed=13, clock=ManualClock())
    yield GameApp(world, rate_limiter=RateLimiter(RateLimitSettings.disabled()))
    world.close()


@pytest.fixture(scope="module")
def agent(app: GameApp) -> wire.RegisterData:
    with in_process_client(app) as client:
        answer = client.post("/register", json={"symbol": "DETAILS", "faction": "COSMIC"})
    assert answer.status_code == 201, answer.text
    return msgspec.json.decode(answer.content, type=Envelope[wire.RegisterData]).data


@pytest.fixture
def client(app: GameApp, agent: wire.RegisterData) -> Iterator[httpx.Client]:
    with in_process_client(app, token=agent.token) as client:
        yield client


def unprocessable(answer: httpx.Response) -> ErrorResponse:
    assert answer.status_code == 422, answer.text
    body = msgspec.json.decode(answer.content, type=ErrorResponse)
    assert body.error.code == 3001
    return body


@pytest.mark.parametrize("request_body", [{}, {"content": b""}, {"json": {}}])
def test_patch_nav_without_a_mode_means_cruise(client: httpx.Client, agent: wire.RegisterData,
                                               request_body: dict) -> None:
    """The spec's PATCH nav body is optional and so is `flightMode`, whose schema default is CRUISE."""
    ship = agent.ships[0].symbol
    assert client.patch(f"/my/ships/{ship}/nav", json={"flightMode": "DRIFT"}).status_code == 200
    answer = client.patch(f"/my/ships/{ship}/nav", **request_body)
    assert answer.status_code == 200, answer.text
    assert msgspec.json.decode(answer.content, type=Envelope[wire.NavigateData]).data.nav.flight_mode == "CRUISE"


def test_unknown_body_keys_are_ignored_like_the_real_server(client: httpx.Client, agent: wire.RegisterData) -> None:
    """Generated clients add keys of their own (`additional_properties: {}`); the real server strips them."""
    ship = agent.ships[0].symbol
    answer = client.patch(f"/my/ships/{ship}/nav", json={"flightMode": "BURN", "additional_properties": {}})
    assert answer.status_code == 200, answer.text
    assert msgspec.json.decode(answer.content, type=Envelope[wire.NavigateData]).data.nav.flight_mode == "BURN"


def test_waypoint_filters_refuse_values_outside_their_enums(client: httpx.Client, agent: wire.RegisterData) -> None:
    system = agent.agent.headquarters.rsplit("-", 1)[0]
    path = f"/systems/{system}/waypoints"
    assert "type" in unprocessable(client.get(path, params={"type": "CASTLE"})).error.data
    assert "traits" in unprocessable(client.get(path, params={"traits": ["MARKETPLACE", "FUEL"]})).error.data
    found = client.get(path, params={"type": "PLANET", "traits": ["MARKETPLACE"]})
    assert found.status_code == 200, found.text
    page = msgspec.json.decode(found.content, type=Page[wire.Waypoint])
    assert all(w.type == "PLANET" and "MARKETPLACE" in {t.symbol for t in w.traits} for w in page.data)


def test_every_generated_waypoint_uses_the_spec_enums(app: GameApp) -> None:
    for waypoint in app.world.universe.waypoints.values():
        assert waypoint.type in wire.WAYPOINT_TYPES, waypoint
        assert set(waypoint.traits) <= wire.WAYPOINT_TRAITS, waypoint


def test_bot_models_accept_what_the_spec_leaves_out(agent: wire.RegisterData) -> None:
    """`ships` in the register answer is optional in spec 2.3.0 and a contract's `expiration` is deprecated."""
    encoded = msgspec.to_builtins(agent)
    del encoded["ships"]
    del encoded["contract"]["expiration"]
    decoded = msgspec.convert(encoded, type=wire.RegisterData)
    assert decoded.ships == [] and decoded.ship is not None
    assert decoded.contract.expiration is None and decoded.contract.deadline_to_accept is not None
