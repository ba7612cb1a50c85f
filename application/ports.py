"""The ports the application needs from the outside world, as typing.Protocol.

Adapters implement them (storage, game API, pluggy strategies, the system clock); tests use
the in-memory fakes in tests/fakes.py. Nothing here knows which library sits behind a port.
The game itself is application/game_port.py; ledger, ship assignments and runs are in
application/repositories.py.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.fleet import ShipSummary
from domain.market import MarketSnapshot
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import SupplyChainMap
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.trade_route import TradeRoute


class Clock(Protocol):
    """The time, and a way to wait; tests and the embedded server's game time supply their own."""

    def now(self) -> datetime:
        """Current time, timezone-aware (UTC)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        ...


class MarketRepository(Protocol):
    """Markets as last observed (by docking ships or parked probes)."""

    def markets_in_system(self, system: SystemSymbol) -> Sequence[MarketSnapshot]:
        """The latest snapshot of every known market in `system`, in any order."""
        ...

    def market(self, waypoint: WaypointSymbol) -> MarketSnapshot | None:
        """The latest snapshot of the market at `waypoint`, or None when it was never recorded."""
        ...

    def record(self, snapshot: MarketSnapshot) -> None:
        """Store `snapshot` as the latest observation of its market (older ones may be kept as history).

        A snapshot without a position keeps the position recorded before: waypoints do not move, and a market
        read does not carry it."""
        ...


class SupplyChainSource(Protocol):
    """Where the export-to-import map comes from (the API, storage, or the bundled copy)."""

    def supply_chain(self) -> SupplyChainMap:
        """The current export-to-import map."""
        ...


class Ranker(Protocol):
    """Orders opportunities, best first (the `spacetraders_rank_opportunities` strategy).

    May drop opportunities it does not want pursued; must not invent new ones.
    Raises StrategyError when the strategy fails.
    """

    def rank(self, opportunities: Sequence[ManufacturingOpportunity]) -> list[ManufacturingOpportunity]:
        """The opportunities to pursue, best first."""
        ...


class ShipSelector(Protocol):
    """Picks the ship for an opportunity (the `spacetraders_select_ship` strategy).

    Raises StrategyError when the strategy fails.
    """

    def select(
        self, opportunity: ManufacturingOpportunity, idle_ships: Sequence[ShipSummary]
    ) -> ShipSummary | None:
        """One of `idle_ships`, or None when none is suitable."""
        ...


class RouteRanker(Protocol):
    """Orders trade routes, best first (the `spacetraders_rank_trade_routes` strategy).

    May drop routes; must not invent new ones. Raises StrategyError when the strategy fails.
    """

    def rank(self, routes: Sequence[TradeRoute]) -> list[TradeRoute]:
        """The routes to pursue, best first."""
        ...
