"""The GamePort over the HTTP client: wire models in, domain values out, API errors into application errors.

This is where the game's vocabulary meets ours: prices go through `domain.market.market_snapshot_from_api` (the
one place `purchasePrice`/`sellPrice` become `ask`/`bid`), and every client error becomes one of
`application.game_errors`, so the application never sees httpx or an HTTP status.
"""
from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from adapters.game_api import errors as api
from adapters.game_api.client import GameApiClient
from adapters.wire import models as wire
from application import game_errors as app
from domain.agent import AgentStatus, ShipyardOffer
from domain.fleet import ShipNavFlightMode, ShipType
from domain.geometry import Position
from domain.goods import TradeSymbol
from domain.market import MarketSnapshot, market_snapshot_from_api
from domain.ship_state import ShipState
from domain.supply_chain import SupplyChainMap
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.trade import Departure, Refuel, ShipPurchase, Trade, TradeSide
from domain.waypoint import WaypointInfo

P = ParamSpec("P")
R = TypeVar("R")

FUEL_PER_MARKET_UNIT = 100

# Most specific first: the first matching API class decides the application error.
_TRANSLATION: tuple[tuple[type[api.GameApiError], type[app.GameError]], ...] = (
    (api.TransportFailure, app.GameUnreachable),
    (api.TransientError, app.GameUnavailable),
    (api.OutcomeUnknown, app.GameUnavailable),
    (api.UnexpectedResponse, app.GameUnavailable),
    (api.Unauthorized, app.GameAuthError),
    (api.InsufficientCredits, app.InsufficientCredits),
    (api.CargoFull, app.CargoFull),
    (api.TradeVolumeExceeded, app.TradeVolumeExceeded),
    (api.GoodNotTraded, app.GoodNotTraded),
    (api.InsufficientFuel, app.InsufficientFuel),
    (api.InTransit, app.ShipBusy),
    (api.ShipOnCooldown, app.ShipBusy),
    (api.NotDocked, app.WrongShipState),
    (api.NotInOrbit, app.WrongShipState),
    (api.NotFound, app.NotFound),
    (api.MarketNotFound, app.NotFound),
    (api.AgentSymbolTaken, app.SymbolTaken),
    (api.GameRuleError, app.GameRuleError),
    (api.InvalidPayload, app.InvalidRequest),
)


def _translated(method: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except api.GameApiError as exc:
            raise translate(exc) from exc
    return wrapper


def translate(exc: api.GameApiError) -> app.GameError:
    """The application error for an API client error."""
    message = _unknown_system(exc) or exc.message
    for api_class, app_class in _TRANSLATION:
        if isinstance(exc, api_class):
            return app_class(message, code=exc.code, data=exc.data)
    return app.GameError(message, code=exc.code, data=exc.data)


# A system, or its list of waypoints, that the game does not have.
_SYSTEM_PATH = re.compile(r"^/systems/([^/?]+)(?:/waypoints)?/?(?:\?|$)")


def _unknown_system(exc: api.GameApiError) -> str | None:
    match = _SYSTEM_PATH.match(exc.path or "") if isinstance(exc, api.NotFound) else None
    return f"unknown system {match.group(1)}: the game has no such system" if match else None


class TranslatedClient:
    """A GameApiClient for the CLI's own calls (register, agent, system) that raises application.game_errors, as
    the gateway does: past this module nothing sees the client's errors."""

    def __init__(self, client: GameApiClient) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.client, name)
        return _translated(value) if callable(value) else value

    def __enter__(self) -> TranslatedClient:
        self.client.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.client.__exit__(*exc_info)


class GameGateway:
    """Implements application.game_port.GamePort on a GameApiClient.

    Symbols reach the client as plain `str`: msgspec encodes exact built-in types only.
    """

    def __init__(self, client: GameApiClient) -> None:
        self.client = client
        self._positions: dict[WaypointSymbol, Position] = {}
        self._lock = threading.Lock()

    # --- time and agent --------------------------------------------------------------------------------------------

    def server_time(self) -> datetime:
        return self.client.server_now()

    @_translated
    def agent(self) -> AgentStatus:
        agent = self.client.agent()
        return AgentStatus(symbol=agent.symbol, headquarters=agent.headquarters, credits=agent.credits,
                           ship_count=agent.ship_count)

    # --- ships -----------------------------------------------------------------------------------------------------

    @_translated
    def ships(self) -> Sequence[ShipState]:
        return [self._ship_state(ship) for ship in self.client.ships()]

    @_translated
    def ship(self, ship: ShipSymbol) -> ShipState:
        return self._ship_state(self.client.ship(str(ship)))

    @_translated
    def orbit(self, ship: ShipSymbol) -> None:
        self.client.orbit(str(ship))

    @_translated
    def dock(self, ship: ShipSymbol) -> None:
        self.client.dock(str(ship))

    @_translated
    def set_flight_mode(self, ship: ShipSymbol, mode: ShipNavFlightMode) -> None:
        self.client.patch_nav(str(ship), str(mode))

    @_translated
    def navigate(self, ship: ShipSymbol, destination: WaypointSymbol) -> Departure:
        data = self.client.navigate(str(ship), str(destination))
        route = data.nav.route
        return Departure(ship=ShipSymbol(ship), origin=WaypointSymbol(route.origin.symbol),
                         destination=WaypointSymbol(route.destination.symbol), departed_at=route.departure_time,
                         arrival=route.arrival, fuel_after=data.fuel.current)

    @_translated
    def refuel(self, ship: ShipSymbol, fuel_units: int | None = None) -> Refuel:
        data = self.client.refuel(str(ship), fuel_units)
        txn = data.transaction
        return Refuel(ship=ShipSymbol(ship), waypoint=WaypointSymbol(txn.waypoint_symbol),
                      fuel_added=min(txn.units * FUEL_PER_MARKET_UNIT, data.fuel.capacity),
                      market_units=txn.units, total=txn.total_price, fuel_after=data.fuel.current,
                      occurred_at=txn.timestamp, agent_credits=data.agent.credits)

    @_translated
    def purchase(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        return self._trade(self.client.purchase(str(ship), str(good), units))

    @_translated
    def sell(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        return self._trade(self.client.sell(str(ship), str(good), units))

    # --- systems and markets ---------------------------------------------------------------------------------------

    @_translated
    def market(self, waypoint: WaypointSymbol) -> MarketSnapshot:
        market = self.client.market(str(waypoint))
        return market_snapshot_from_api(market, observed_at=self.client.server_now(),
                                        position=self._position(WaypointSymbol(waypoint)))

    @_translated
    def waypoints(self, system: SystemSymbol) -> Sequence[WaypointInfo]:
        infos = [
            WaypointInfo(symbol=w.symbol, type=w.type, position=Position(w.x, w.y),
                         traits=frozenset(t.symbol for t in w.traits),
                         orbits=WaypointSymbol(w.orbits) if w.orbits else None)
            for w in self.client.waypoints(str(system))
        ]
        with self._lock:
            self._positions.update((info.symbol, info.position) for info in infos)
        return infos

    @_translated
    def supply_chain(self) -> SupplyChainMap:
        return SupplyChainMap.from_export_to_import(self.client.supply_chain().export_to_import_map)

    @_translated
    def shipyard(self, waypoint: WaypointSymbol) -> Sequence[ShipyardOffer]:
        yard = self.client.shipyard(str(waypoint))
        if yard.ships:
            return [ShipyardOffer(ship_type=ship.type, price=ship.purchase_price,
                                  cargo_capacity=_cargo_capacity(ship.modules)) for ship in yard.ships]
        return [ShipyardOffer(ship_type=entry.type, price=0) for entry in yard.ship_types]

    @_translated
    def purchase_ship(self, ship_type: ShipType, waypoint: WaypointSymbol) -> ShipPurchase:
        data = self.client.purchase_ship(str(ship_type), str(waypoint))
        txn = data.transaction
        return ShipPurchase(ship=ShipSymbol(data.ship.symbol), ship_type=ShipType(txn.ship_type),
                            waypoint=WaypointSymbol(txn.waypoint_symbol), price=txn.price,
                            occurred_at=txn.timestamp, agent_credits=data.agent.credits)

    # --- mapping ---------------------------------------------------------------------------------------------------

    def _position(self, waypoint: WaypointSymbol) -> Position | None:
        """The waypoint's position if this process has listed its system; never fetched just for a market read
        (listing a system costs several requests, and storage keeps the position once any process knew it)."""
        with self._lock:
            return self._positions.get(waypoint)

    def _ship_state(self, ship: wire.Ship) -> ShipState:
        destination = ship.nav.route.destination
        in_transit = ship.nav.status == "IN_TRANSIT"
        return ShipState(
            symbol=ship.symbol, role=ship.registration.role, frame=ship.frame.symbol, nav_status=ship.nav.status,
            waypoint=ship.nav.waypoint_symbol if not in_transit else destination.symbol,
            flight_mode=ship.nav.flight_mode, fuel_current=ship.fuel.current, fuel_capacity=ship.fuel.capacity,
            cargo_capacity=ship.cargo.capacity, engine_speed=ship.engine.speed,
            inventory={TradeSymbol.parse(item.symbol): item.units for item in ship.cargo.inventory},
            arrival=ship.nav.route.arrival if in_transit else None,
            position=Position(destination.x, destination.y))

    @staticmethod
    def _trade(data: wire.TradeData) -> Trade:
        txn = data.transaction
        return Trade(ship=txn.ship_symbol, waypoint=txn.waypoint_symbol, good=txn.trade_symbol,
                     side=TradeSide(txn.type), units=txn.units, price_per_unit=txn.price_per_unit,
                     total=txn.total_price, occurred_at=txn.timestamp, agent_credits=data.agent.credits)


def _cargo_capacity(modules: Sequence[wire.ShipModule]) -> int:
    return sum(module.capacity or 0 for module in modules if module.symbol.startswith("MODULE_CARGO_HOLD"))
