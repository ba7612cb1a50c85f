"""The game, as the application sees it: one port in domain terms.

Implemented over HTTP by adapters/game_api/gateway.py (for the real game and the embedded server alike), and in
memory by tests/fakes. Every method raises application.game_errors on failure; a method that moves credits returns
exactly what the server said moved, so the caller can write it to the ledger at once.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.agent import AgentStatus, ShipyardOffer
from domain.fleet import ShipNavFlightMode, ShipType
from domain.goods import TradeSymbol
from domain.market import MarketSnapshot
from domain.ship_state import ShipState
from domain.supply_chain import SupplyChainMap
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.trade import Departure, Refuel, ShipPurchase, Trade
from domain.waypoint import WaypointInfo


class GamePort(Protocol):
    """Everything the bot asks of the game."""

    def server_time(self) -> datetime:
        """The game server's clock as last reported (falls back to local UTC)."""
        ...

    def agent(self) -> AgentStatus:
        ...

    def ships(self) -> Sequence[ShipState]:
        """Every ship of the agent."""
        ...

    def ship(self, ship: ShipSymbol) -> ShipState:
        ...

    def orbit(self, ship: ShipSymbol) -> None:
        """Undock (no-op when already in orbit)."""
        ...

    def dock(self, ship: ShipSymbol) -> None:
        """Dock (no-op when already docked)."""
        ...

    def set_flight_mode(self, ship: ShipSymbol, mode: ShipNavFlightMode) -> None:
        ...

    def navigate(self, ship: ShipSymbol, destination: WaypointSymbol) -> Departure:
        """Leave for `destination` (the ship must be in orbit). Returns at once, with the arrival time by the
        server's clock; waiting for it is the caller's (the Navigator's)."""
        ...

    def refuel(self, ship: ShipSymbol, fuel_units: int | None = None) -> Refuel:
        """Buy fuel at the docked market; None fills the tank."""
        ...

    def purchase(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        """Buy `units` (at most the market's trade volume) of `good` at the docked market."""
        ...

    def sell(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        """Sell `units` (at most the market's trade volume) of `good` at the docked market."""
        ...

    def market(self, waypoint: WaypointSymbol) -> MarketSnapshot:
        """The market now; prices only when one of our ships is there."""
        ...

    def waypoints(self, system: SystemSymbol) -> Sequence[WaypointInfo]:
        """Every waypoint of `system`."""
        ...

    def supply_chain(self) -> SupplyChainMap:
        ...

    def shipyard(self, waypoint: WaypointSymbol) -> Sequence[ShipyardOffer]:
        """Ship types sold there, with prices when one of our ships is present (price 0 when not visible)."""
        ...

    def purchase_ship(self, ship_type: ShipType, waypoint: WaypointSymbol) -> ShipPurchase:
        ...
