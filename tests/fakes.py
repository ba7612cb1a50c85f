"""In-memory fakes of the application ports, shared by pytest and the behave steps.

Each fake implements one port of application/ports.py with plain Python state that tests
can read back (assert on state, not on calls). Keep one section per port.
"""
from __future__ import annotations

import json
from dataclasses import replace
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.fleet import ShipSummary
from domain.geometry import Position
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import SupplyChainMap
from domain.symbols import SystemSymbol, WaypointSymbol

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_SUPPLY_CHAIN = REPO_ROOT / "adapters" / "game_server" / "data" / "supply_chain.json"
DEFAULT_NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


# --- Clock -------------------------------------------------------------------------------------


class FakeClock:
    """A clock that only moves when told to; `sleep` advances it instead of waiting."""

    def __init__(self, now: datetime = DEFAULT_NOW) -> None:
        self.current = now
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


# --- MarketRepository --------------------------------------------------------------------------


class InMemoryMarketRepository:
    """Latest snapshot per market waypoint."""

    def __init__(self, snapshots: Iterable[MarketSnapshot] = ()) -> None:
        self.latest: dict[WaypointSymbol, MarketSnapshot] = {}
        for snapshot in snapshots:
            self.record(snapshot)

    def markets_in_system(self, system: SystemSymbol) -> list[MarketSnapshot]:
        return [snapshot for snapshot in self.latest.values() if snapshot.system == system]

    def market(self, waypoint: WaypointSymbol) -> MarketSnapshot | None:
        return self.latest.get(waypoint)

    def record(self, snapshot: MarketSnapshot) -> None:
        known = self.latest.get(snapshot.waypoint)
        if snapshot.position is None and known is not None and known.position is not None:
            snapshot = replace(snapshot, position=known.position)
        self.latest[snapshot.waypoint] = snapshot


# --- SupplyChainSource -------------------------------------------------------------------------


class FixedSupplyChain:
    """Always answers the map it was given."""

    def __init__(self, supply_chain: SupplyChainMap) -> None:
        self.map = supply_chain

    def supply_chain(self) -> SupplyChainMap:
        return self.map


def bundled_supply_chain() -> SupplyChainMap:
    """The real export-to-import map shipped with the embedded game server."""
    raw = json.loads(BUNDLED_SUPPLY_CHAIN.read_text())
    return SupplyChainMap.from_export_to_import(raw["exportToImportMap"])


# --- Ranker and ShipSelector -------------------------------------------------------------------


class BidRanker:
    """Highest bid first, the plan's rule, without going through the plugin manager."""

    def __init__(self) -> None:
        self.calls = 0

    def rank(self, opportunities: Sequence[ManufacturingOpportunity]) -> list[ManufacturingOpportunity]:
        self.calls += 1
        return sorted(opportunities, key=lambda o: (-o.bid, o.good, o.sell_market))


class ReversingRanker:
    """Lowest bid first: proves a caller obeys the ranker instead of sorting by itself."""

    def rank(self, opportunities: Sequence[ManufacturingOpportunity]) -> list[ManufacturingOpportunity]:
        return sorted(opportunities, key=lambda o: (o.bid, o.good, o.sell_market))


class FirstShipSelector:
    """Picks the first idle ship, or None."""

    def select(
        self, opportunity: ManufacturingOpportunity, idle_ships: Sequence[ShipSummary]
    ) -> ShipSummary | None:
        return idle_ships[0] if idle_ships else None


# --- Builders ----------------------------------------------------------------------------------


def make_market(
    waypoint: str,
    *,
    imports: Mapping[str, int] | None = None,
    exports: Mapping[str, int] | None = None,
    exchange: Mapping[str, int] | None = None,
    supply: SupplyLevel = SupplyLevel.MODERATE,
    position: tuple[int, int] | None = None,
    observed_at: datetime = DEFAULT_NOW,
    trade_volume: int = 20,
) -> MarketSnapshot:
    """A priced market snapshot.

    `imports` maps a good to the bid (what the market pays us; ask is set above it);
    `exports` and `exchange` map a good to the ask (what we pay; bid is set below it).
    """
    goods: list[MarketTradeGood] = []
    for kind, prices in (
        (TradeGoodType.IMPORT, imports or {}),
        (TradeGoodType.EXPORT, exports or {}),
        (TradeGoodType.EXCHANGE, exchange or {}),
    ):
        for good, price in prices.items():
            ask, bid = (price * 2, price) if kind is TradeGoodType.IMPORT else (price, price // 2)
            goods.append(
                MarketTradeGood(
                    symbol=TradeSymbol(good), type=kind, trade_volume=trade_volume, supply=supply, ask=ask, bid=bid
                )
            )
    return MarketSnapshot(
        waypoint=WaypointSymbol(waypoint),
        observed_at=observed_at,
        trade_goods={good.symbol: good for good in goods},
        position=None if position is None else Position(*position),
    )
