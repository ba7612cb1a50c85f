"""Bad input (issue 8 item 8) gets the real error shape and a 4xx, never a 500 or a traceback."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone

import httpx
import msgspec
import pytest

from adapters.game_server.app import GameApp
from adapters.game_server.clock import ManualClock
from adapters.game_server.http_endpoints import ENDPOINTS
from adapters.game_server.http_responses import RouteNotFound
from adapters.game_server.inprocess import in_process_client
from adapters.game_server.rate_limit import RateLimiter, RateLimitSettings
from adapters.game_server.world import World
from adapters.wire.models import Envelope, ErrorResponse, RegisterData


@pytest.fixture(scope="module")
def app() -> Iterator[GameApp]:
    world = World.open(None, seed=11, clock=ManualClock())
    yield GameApp(world, rate_limiter=RateLimiter(RateLimitSettings.disabled()))
    world.close()


def register(app: GameApp, symbol: str) -> RegisterData:
    with in_process_client(app) as client:
        answer = client.post("/register", json={"symbol": symbol, "faction": "COSMIC"})
    assert answer.status_code == 201, answer.text
    return msgspec.json.decode(answer.content, type=Envelope[RegisterData]).data


@pytest.fixture(scope="module")
def agents(app: GameApp) -> tuple[RegisterData, RegisterData]:
    return register(app, "ERRORS"), register(app, "OTHERS")


@pytest.fixture
def client(app: GameApp, agents: tuple[RegisterData, RegisterData]) -> Iterator[httpx.Client]:
    with in_process_client(app, token=agents[0].token) as client:
        yield client


def game_error(answer: httpx.Response, status: int, code: int) -> ErrorResponse:
    """The answer is the game's error envelope with this status and code, and a request id."""
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = msgspec.json.decode(answer.content, type=ErrorResponse)
    assert body.error.code == code, answer.text
    assert body.error.message
    assert body.error.request_id
    assert "Traceback" not in answer.text
    return body


def test_unknown_ship(client: httpx.Client) -> None:
    for path in ("/my/ships/NOBODY-1", "/my/ships/NOBODY-1/cargo", "/my/ships/NOBODY-1/nav"):
        answer = client.get(path)
        assert answer.status_code == 404
        msgspec.json.decode(answer.content, type=ErrorResponse)
    answer = client.post("/my/ships/NOBODY-1/purchase", json={"symbol": "FUEL", "units": 1})
    assert answer.status_code == 404
    msgspec.json.decode(answer.content, type=ErrorResponse)


def test_another_agents_ship_is_not_yours(client: httpx.Client, agents: tuple[RegisterData, RegisterData]) -> None:
    theirs = agents[1].ships[0].symbol
    for answer in (client.get(f"/my/ships/{theirs}"), client.post(f"/my/ships/{theirs}/orbit"),
                   client.post(f"/my/ships/{theirs}/jettison", json={"symbol": "FUEL", "units": 1})):
        assert 400 <= answer.status_code < 500, answer.text
        msgspec.json.decode(answer.content, type=ErrorResponse)


def test_malformed_json(client: httpx.Client, agents: tuple[RegisterData, RegisterData]) -> None:
    ship = agents[0].ships[0].symbol
    answer = client.post(f"/my/ships/{ship}/purchase", content=b'{"symbol": "FUEL", "units": ',
                         headers={"Content-Type": "application/json"})
    game_error(answer, 422, 3001)


@pytest.mark.parametrize("body", [
    {"symbol": "FUEL", "units": "3"},
    {"symbol": 7, "units": 3},
    {"symbol": "FUEL", "units": 2.5},
    {"symbol": "FUEL"},
    ["FUEL", 1],
    "FUEL",
])
def test_wrong_types(client: httpx.Client, agents: tuple[RegisterData, RegisterData], body: object) -> None:
    ship = agents[0].ships[0].symbol
    game_error(client.post(f"/my/ships/{ship}/sell", json=body), 422, 3001)


@pytest.mark.parametrize("units", [0, -1, -10**12, 10**12, 10**40])
def test_negative_or_huge_units(client: httpx.Client, agents: tuple[RegisterData, RegisterData], units: int) -> None:
    ship = agents[0].ships[0].symbol
    game_error(client.post(f"/my/ships/{ship}/purchase", json={"symbol": "FUEL", "units": units}), 422, 3001)


def test_large_but_plausible_units_are_a_game_rule_error(client: httpx.Client,
                                                         agents: tuple[RegisterData, RegisterData]) -> None:
    ship = agents[0].ships[0].symbol
    client.post(f"/my/ships/{ship}/dock")
    answer = client.post(f"/my/ships/{ship}/purchase", json={"symbol": "FUEL", "units": 100_000})
    assert 400 <= answer.status_code < 500, answer.text
    msgspec.json.decode(answer.content, type=ErrorResponse)


def test_missing_token(app: GameApp) -> None:
    with in_process_client(app) as anonymous:
        for answer in (anonymous.get("/my/agent"), anonymous.get("/my/ships"), anonymous.get("/market/supply-chain"),
                       anonymous.post("/my/ships/ERRORS-1/orbit")):
            body = game_error(answer, 401, 4103)
            assert body.error.message.startswith("Missing Bearer token")
            assert body.error.data == {}


def test_unknown_token(app: GameApp) -> None:
    with in_process_client(app, token="not-a-token") as stranger:
        game_error(stranger.get("/my/agent"), 401, 4104)
        game_error(stranger.get("/systems"), 401, 4104)
        assert stranger.get("/").status_code == 200  # the status page never looks at the token


@pytest.mark.parametrize("method, path", [("GET", "/no/such/path"), ("GET", "/my/ships/X-1/teleport"),
                                          ("DELETE", "/my/agent"), ("POST", "/systems"), ("GET", "/v3/my/agent")])
def test_unknown_path_is_the_router_404(client: httpx.Client, method: str, path: str) -> None:
    answer = client.request(method, path)
    assert answer.status_code == 404
    body = msgspec.json.decode(answer.content, type=RouteNotFound)
    assert body.status_code == 404
    assert body.error == "Not Found"
    assert path in body.message


def test_unknown_system_and_waypoint(client: httpx.Client) -> None:
    for path in ("/systems/X1-NOPE", "/systems/X1-NOPE/waypoints", "/systems/X1-NOPE/waypoints/X1-NOPE-A1",
                 "/systems/X1-NOPE/waypoints/X1-NOPE-A1/market"):
        answer = client.get(path)
        assert answer.status_code == 404, (path, answer.text)
        msgspec.json.decode(answer.content, type=ErrorResponse)


@pytest.mark.parametrize("query", ["page=0", "limit=50", "limit=0", "page=-3", "page=abc", "limit=1.5",
                                   "page=0&limit=50"])
def test_bad_paging(client: httpx.Client, query: str) -> None:
    for path in ("/systems", "/my/ships", "/my/contracts"):
        body = game_error(client.get(f"{path}?{query}"), 422, 3001)
        assert set(body.error.data or {}) <= {"page", "limit"}


def test_empty_body_with_json_content_type(client: httpx.Client, agents: tuple[RegisterData, RegisterData]) -> None:
    ship = agents[0].ships[0].symbol
    body = game_error(client.post(f"/my/ships/{ship}/orbit", headers={"Content-Type": "application/json"}),
                      422, 3001)
    assert "{}" in body.error.message


def test_required_body_missing(client: httpx.Client, agents: tuple[RegisterData, RegisterData]) -> None:
    ship = agents[0].ships[0].symbol
    game_error(client.post(f"/my/ships/{ship}/navigate"), 422, 3001)


def test_bad_flight_mode(client: httpx.Client, agents: tuple[RegisterData, RegisterData]) -> None:
    ship = agents[0].ships[0].symbol
    game_error(client.patch(f"/my/ships/{ship}/nav", json={"flightMode": "WARP"}), 422, 3001)


def test_register_refusals(client: httpx.Client) -> None:
    game_error(client.post("/register", json={"symbol": "AB", "faction": "COSMIC"}), 422, 3001)
    game_error(client.post("/register", json={"symbol": "X" * 15, "faction": "COSMIC"}), 422, 3001)
    taken = client.post("/register", json={"symbol": "ERRORS", "faction": "COSMIC"})
    assert taken.status_code == 409
    assert msgspec.json.decode(taken.content, type=ErrorResponse).error.code == 4111


GARBAGE = [b"", b"{", b"null", b"[]", b'"x"', b"{}", b'{"symbol": null, "units": null}', b"\xff\xfe",
           b'{"units": 99999999999999999999999, "symbol": "FUEL"}', b'{"waypointSymbol": 5}', b'{"flightMode": []}',
           b'{"units": -5, "fromCargo": "yes"}', b'{"shipType": "SHIP_PROBE", "waypointSymbol": "X1-NOPE-A1"}']


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.method in ("POST", "PATCH")],
                         ids=lambda e: f"{e.method} {e.pattern}")
def test_garbage_bodies_never_cause_a_server_error(client: httpx.Client, agents: tuple[RegisterData, RegisterData],
                                                   endpoint) -> None:
    ship = agents[0].ships[0].symbol
    path = endpoint.pattern.replace("{ship}", ship)
    for raw in GARBAGE:
        for content_type in ("application/json", None):
            headers = {"Content-Type": content_type} if content_type else {}
            answer = client.request(endpoint.method, path, content=raw, headers=headers)
            assert answer.status_code < 500, (raw, answer.text)
            if answer.status_code >= 400:
                msgspec.json.decode(answer.content, type=ErrorResponse)


class BrokenWorld:
    """A world whose status page fails with a bug (not a GameError)."""

    def now(self) -> datetime:
        return datetime(2025, 1, 1, tzinfo=timezone.utc)

    def agent_for_token(self, token: str) -> str | None:
        return None

    def server_status(self) -> None:
        raise RuntimeError("a bug in the world")


def test_unexpected_exception_is_a_500_code_3000_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    app = GameApp(BrokenWorld(), rate_limiter=RateLimiter(RateLimitSettings.disabled()))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR), in_process_client(app) as client:
        answer = client.get("/")

    body = game_error(answer, 500, 3000)
    assert "a bug in the world" not in answer.text
    assert any("a bug in the world" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    assert body.error.request_id
