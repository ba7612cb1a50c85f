"""What every rule of the World stands on: its state, lookups, validation and lazy evolution."""
from __future__ import annotations

import math
import secrets
import threading
from typing import TYPE_CHECKING, Any

from adapters.game_server import catalog
from adapters.game_server.clock import GameClock
from adapters.game_server.economy import EconomySettings
from adapters.game_server.errors import GameError
from adapters.game_server.market_dynamics import advance
from adapters.game_server.rules.codes import AGENT_NOT_FOUND, IN_TRANSIT, NOT_DOCKED, NOT_FOUND, UNPROCESSABLE
from adapters.game_server.state import AgentState, ContractState, MarketState, ShipState, ShipyardState
from adapters.game_server.storage import Store
from adapters.game_server.universe import SystemSpec, Universe, WaypointSpec
from adapters.game_server.views import Views, iso
from adapters.wire import models as wire

if TYPE_CHECKING:
    from adapters.game_server.world import WorldSettings


class WorldCore:
    """State and helpers shared by the rule mixins; World builds the state."""

    _store: Store
    _clock: GameClock
    _lock: threading.RLock
    settings: WorldSettings
    seed: int
    created_at: float
    _economy: EconomySettings
    _speed: float
    universe: Universe
    _views: Views
    _systems: list[SystemSpec]
    _system_waypoints: dict[str, list[WaypointSpec]]
    _markets: dict[str, MarketState]
    _shipyards: dict[str, ShipyardState]
    _agents: dict[str, AgentState]
    _tokens: dict[str, str]
    _ships: dict[str, ShipState]
    _contracts: dict[str, list[ContractState]]

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _wall_seconds(self, game_seconds: float) -> float:
        return game_seconds / self._speed

    # --- lazy evolution -------------------------------------------------------------------------------------------------

    def _market_now(self, market: MarketState, now: float) -> MarketState:
        """Advance a market's factory lines, background trade and trade volumes to `now` (in memory; a trade
        persists it)."""
        if now > market.updated_at:
            advance(market, (now - market.updated_at) * self._speed / 60.0, self._economy,
                    at=(now - self.created_at) * self._speed / 60.0)
            market.updated_at = now
        return market

    def _shipyard_now(self, yard: ShipyardState, now: float) -> ShipyardState:
        if now > yard.updated_at:
            minutes = (now - yard.updated_at) * self._speed / 60.0
            keep = 0.5 ** (minutes / self._economy.shipyard_half_life_minutes)
            for offer in yard.offers.values():
                offer.factor = 1.0 + (offer.factor - 1.0) * keep
            yard.updated_at = now
        return yard

    @staticmethod
    def _settle(ship: ShipState, now: float) -> ShipState:
        """A ship in transit whose arrival has passed is in orbit at its destination."""
        if ship.status == "IN_TRANSIT" and now >= ship.arrival:
            ship.status = "IN_ORBIT"
        return ship

    # --- lookups --------------------------------------------------------------------------------------------------------

    def _agent(self, symbol: str) -> AgentState:
        agent = self._agents.get(symbol)
        if agent is None:
            raise GameError(AGENT_NOT_FOUND, f"Agent {symbol} does not exist.", status=404,
                            data={"agentSymbol": symbol})
        return agent

    def _own_ship(self, agent: str, symbol: str, now: float) -> ShipState:
        ship = self._ships.get(symbol)
        if ship is None or ship.agent != agent:
            raise GameError(NOT_FOUND, f"Ship {symbol} not found.", status=404, data={"shipSymbol": symbol})
        return self._settle(ship, now)

    def _system(self, symbol: str) -> SystemSpec:
        system = self.universe.system(symbol)
        if system is None:
            raise GameError(NOT_FOUND, f"System {symbol} not found.", status=404, data={"systemSymbol": symbol})
        return system

    def _waypoint_in(self, system: str, waypoint: str) -> WaypointSpec:
        self._system(system)
        spec = self.universe.waypoints.get(waypoint)
        if spec is None or spec.system != system:
            raise GameError(NOT_FOUND, f"Waypoint {waypoint} not found in system {system}.", status=404,
                            data={"waypointSymbol": waypoint})
        return spec

    def _present(self, agent: str | None, waypoint: str, now: float) -> bool:
        """Whether one of the agent's ships is at the waypoint (docked or in orbit)."""
        owner = self._agents.get(agent) if agent else None
        if owner is None:
            return False
        for symbol in owner.ships:
            ship = self._settle(self._ships[symbol], now)
            if ship.waypoint == waypoint and ship.status != "IN_TRANSIT":
                return True
        return False

    def _faction_of(self, ship: ShipState) -> str:
        owner = self._agents.get(ship.agent)
        return owner.faction if owner else self.universe.faction

    def _ship_view(self, ship: ShipState) -> wire.Ship:
        return self._views.ship(ship, self._faction_of(ship))

    # --- validation -----------------------------------------------------------------------------------------------------

    @staticmethod
    def _units(units: Any) -> int:
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise GameError(UNPROCESSABLE, "Invalid request: units must be a positive integer.", status=422,
                            data={"units": ["must be an integer >= 1"]})
        return units

    @staticmethod
    def _trade_symbol(symbol: Any, field_name: str = "symbol") -> str:
        if not isinstance(symbol, str) or symbol not in catalog.TRADE_SYMBOLS:
            raise GameError(UNPROCESSABLE, f"Invalid request: {symbol!r} is not a trade symbol.", status=422,
                            data={field_name: ["must be a TradeSymbol"]})
        return symbol

    def _in_transit_error(self, ship: ShipState, now: float, code: int = IN_TRANSIT) -> GameError:
        seconds = max(0, math.ceil(ship.arrival - now))
        return GameError(
            code, f"Ship is currently in-transit from {ship.origin} to {ship.destination} and arrives in "
                  f"{seconds} seconds.",
            data={"departureSymbol": ship.origin, "destinationSymbol": ship.destination,
                  "arrival": iso(ship.arrival), "departureTime": iso(ship.departure_time),
                  "secondsToArrival": seconds})

    def _require_not_in_transit(self, ship: ShipState, now: float) -> None:
        if ship.status == "IN_TRANSIT":
            raise self._in_transit_error(ship, now)

    def _require_docked(self, ship: ShipState, now: float) -> None:
        self._require_not_in_transit(ship, now)
        if ship.status != "DOCKED":
            raise GameError(NOT_DOCKED, f"Ship action failed. Ship {ship.symbol} is not currently docked at "
                                        f"{ship.waypoint}.", data={"waypointSymbol": ship.waypoint})


def _page_slice(page: int, limit: int) -> slice:
    page = max(1, int(page))
    limit = max(1, int(limit))
    return slice((page - 1) * limit, page * limit)


def _random_id(prefix: str) -> str:
    """A cuid-like id (`cm...`), 25 characters of lower-case letters and digits."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(23))
