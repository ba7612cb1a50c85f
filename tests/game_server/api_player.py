"""A player of the embedded game server over its HTTP API, in process, for the contract, construction and reset
tests: every answer is decoded strictly with its wire model, and every refusal is checked for its code."""
from __future__ import annotations

from contextlib import contextmanager

from collections.abc import Iterator
from typing import Any

import httpx
import msgspec

from adapters.game_server.app import GameApp
from adapters.game_server.clock import ManualClock
from adapters.game_server.inprocess import in_process_client
from adapters.game_server.rate_limit import RateLimiter, RateLimitSettings
from adapters.game_server.world import World, WorldSettings
from adapters.wire import models as wire
from adapters.wire.models import Envelope, ErrorResponse, Page


def open_world(clock: ManualClock, seed: int = 1) -> World:
    return World.open(None, clock=clock, settings=WorldSettings(seed=seed, other_systems=3))


class Player:
    """One agent's view of the game: typed calls, the agent's credits, and the refusals it meets."""

    def __init__(self, world: World, clock: ManualClock) -> None:
        self.world = world
        self.clock = clock
        self.http: httpx.Client = in_process_client(
            GameApp(world, rate_limiter=RateLimiter(RateLimitSettings.disabled())))
        self.token = ""

    def close(self) -> None:
        self.http.close()

    # --- plumbing -------------------------------------------------------------------------------------------------

    def call(self, method: str, path: str, status: int, kind: Any, body: Any = None) -> Any:
        answer = self.http.request(method, path, json=body)
        assert answer.status_code == status, f"{method} {path}: {answer.status_code} {answer.text[:400]}"
        return msgspec.json.decode(answer.content, type=kind)

    def get(self, path: str, kind: Any) -> Any:
        return self.call("GET", path, 200, Envelope[kind]).data

    def post(self, path: str, kind: Any, body: Any = None, status: int = 200) -> Any:
        return self.call("POST", path, status, Envelope[kind], body).data

    def refused(self, method: str, path: str, status: int, code: int, body: Any = None) -> wire.ErrorBody:
        error = self.call(method, path, status, ErrorResponse, body).error
        assert error.code == code, error
        assert error.request_id
        return error

    # --- the game -------------------------------------------------------------------------------------------------

    def register(self, symbol: str, faction: str = "COSMIC") -> wire.RegisterData:
        registered = self.post("/register", wire.RegisterData, {"symbol": symbol, "faction": faction}, status=201)
        self.use(registered.token)
        return registered

    def use(self, token: str) -> None:
        self.token = token
        self.http.headers["Authorization"] = f"Bearer {token}"

    @property
    def credits(self) -> int:
        return self.get("/my/agent", wire.Agent).credits

    def contracts(self) -> list[wire.Contract]:
        return self.call("GET", "/my/contracts", 200, Page[wire.Contract]).data

    def fly(self, ship: str, destination: str) -> None:
        """Orbit, drift to `destination` (a drift costs 1 fuel, so any distance will do), arrive and dock."""
        self.post(f"/my/ships/{ship}/orbit", wire.NavData)
        self.call("PATCH", f"/my/ships/{ship}/nav", 200, Envelope[wire.NavigateData], {"flightMode": "DRIFT"})
        nav = self.post(f"/my/ships/{ship}/navigate", wire.NavigateData, {"waypointSymbol": destination}).nav
        self.clock.set(nav.route.arrival)
        self.clock.advance(0.001)
        self.post(f"/my/ships/{ship}/dock", wire.NavData)

    def buy(self, ship: str, symbol: str, units: int) -> int:
        """Buy `units` in lots of the market's trade volume; returns what they cost."""
        nav = self.get(f"/my/ships/{ship}/nav", wire.ShipNav)
        market = self.get(f"/systems/{nav.system_symbol}/waypoints/{nav.waypoint_symbol}/market", wire.Market)
        volume = next(g.trade_volume for g in market.trade_goods if g.symbol == symbol)
        paid = 0
        while units > 0:
            lot = min(units, volume)
            paid += self.post(f"/my/ships/{ship}/purchase", wire.TradeData, {"symbol": symbol, "units": lot},
                              status=201).transaction.total_price
            units -= lot
        return paid

    def cargo(self, ship: str) -> dict[str, int]:
        return {item.symbol: item.units for item in self.get(f"/my/ships/{ship}/cargo", wire.ShipCargo).inventory}


@contextmanager
def registered(clock: ManualClock, agent: str) -> Iterator[Player]:
    """A new world (seed 1) on `clock` with `agent` registered, as a Player; both closed afterwards."""
    world = open_world(clock)
    player = Player(world, clock)
    player.register(agent)
    try:
        yield player
    finally:
        player.close()
        world.close()
