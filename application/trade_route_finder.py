"""TradeRouteFinder: lanes worth a hauler's trip, from what probes and ships last saw of the system's markets.

The rules are the ones the real game rewards (game-universe-facts sections 1, 3, 5):
- buy only where the export's supply is at least `min_buy_supply` (MODERATE): below that each lot bought raises the
  ask steeply and production cannot keep up;
- not where the ask has run away: above `max_ask_rise` times what this finder saw there before (a moving average of
  the earlier observations), someone (maybe we) just emptied it;
- sell only where the import is not saturated (its supply below `saturated_supply`, HIGH by default): a full
  import pays little and each lot cuts the bid further;
- not where the bot itself dumped the good and the market has not recovered (DumpedMarketRepository);
- not where anyone dumped it: an import whose bid is far below its usual bid (SaturatedImports) is left out, with
  the reason in `left_out` and the log, until its bid recovers;
- prices older than `max_age` are not trusted at all; fresher ones are kept, with their age and `price_half_life`
  on the route so the ranking can discount them (both in seconds of the bot's clock: bootstrap shrinks them with
  the game's speed, so they stay the same game time);
- every route names the other unsaturated imports of the good, so a load can be spread over several markets;
- a route whose import is a factory input of an export that is short (supply below `min_buy_supply`) where an
  export lane of it would otherwise pay says so in `feeds`: delivering grows that export.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from application.ports import Clock, MarketRepository, RouteRanker
from application.repositories import DumpedMarketRepository
from application.usual_bids import SaturatedImport, SaturatedImports
from domain.errors import InvalidValue
from domain.geometry import distance
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.lane_record import LaneRecord
from domain.market import MarketSnapshot, MarketTradeGood
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.trade_route import DEFAULT_PRICE_HALF_LIFE, TradeRoute

_log = logging.getLogger(__name__)

# How much a new observation moves the remembered "usual" ask of an export.
_BASELINE_WEIGHT = 0.3


@dataclass(frozen=True, slots=True)
class RouteFinderConfig:
    """`min_margin`: the import's bid must beat the export's ask by this share. `min_lot_profit`: and one lot of
    the export's trade volume must earn at least this much (a trip costs requests and fuel)."""

    min_margin: float = 0.15
    min_lot_profit: int = 500
    min_buy_supply: SupplyLevel = SupplyLevel.MODERATE
    saturated_supply: SupplyLevel = SupplyLevel.HIGH
    max_ask_rise: float = 1.3
    max_age: float = 3600.0
    price_half_life: float = DEFAULT_PRICE_HALF_LIFE
    max_routes: int = 10
    max_alternatives: int = 3

    def __post_init__(self) -> None:
        if (self.min_margin < 0 or self.max_ask_rise < 1 or self.max_age <= 0 or self.price_half_life <= 0
                or self.max_routes < 1):
            raise InvalidValue(f"bad route finder configuration: {self}")


class TradeRouteFinder:
    """Finds and ranks export -> import lanes in one system."""

    def __init__(self, markets: MarketRepository, ranker: RouteRanker, clock: Clock,
                 dumps: DumpedMarketRepository | None = None, config: RouteFinderConfig | None = None,
                 saturated: SaturatedImports | None = None) -> None:
        self._markets = markets
        self._ranker = ranker
        self._clock = clock
        self._dumps = dumps
        self._saturated = saturated
        # The imports the last search left out as dumped into by someone, with why (`analyze demand` shows them).
        self.left_out: tuple[SaturatedImport, ...] = ()
        self.config = config or RouteFinderConfig()
        # (market, good) -> (usual ask, when that was last updated): "what probes saw before".
        self._usual_ask: dict[tuple[WaypointSymbol, TradeSymbol], tuple[float, datetime]] = {}

    def find(self, system: SystemSymbol | str, *,
             history: Callable[[TradeRoute], LaneRecord | None] | None = None) -> list[TradeRoute]:
        """The ranked routes (at most `max_routes`); `history` gives what the ledger recorded for a lane, if
        anything, so a learning ranking can use it."""
        now = self._clock.now()
        snapshots = [s for s in self._markets.markets_in_system(SystemSymbol(system)) if s.trade_goods]
        fresh = [s for s in snapshots if (now - s.observed_at).total_seconds() <= self.config.max_age]
        run_away = self._learn_usual_asks(fresh)
        dumped = self._dumped(now, snapshots) | self._saturated_now(fresh)
        exports: dict[TradeSymbol, list[tuple[MarketSnapshot, MarketTradeGood]]] = {}
        imports: dict[TradeSymbol, list[tuple[MarketSnapshot, MarketTradeGood]]] = {}
        for snapshot in fresh:
            for entry in snapshot.trade_goods.values():
                if entry.type is TradeGoodType.EXPORT:
                    exports.setdefault(entry.symbol, []).append((snapshot, entry))
                elif entry.type is TradeGoodType.IMPORT:
                    imports.setdefault(entry.symbol, []).append((snapshot, entry))
        routes: list[TradeRoute] = []
        short: dict[tuple[WaypointSymbol, TradeSymbol], None] = {}  # exports that would pay but lack supply
        for good, sellers in exports.items():
            buyers = sorted(
                ((s, e) for s, e in imports.get(good, ()) if e.supply < self.config.saturated_supply
                 and (s.waypoint, good) not in dumped),
                key=lambda pair: -pair[1].bid)
            for seller, offer in sellers:
                paying = [(s, e) for s, e in buyers if self._pays(offer, e) and s.waypoint != seller.waypoint]
                if not paying:
                    continue
                if offer.supply < self.config.min_buy_supply:
                    short[(seller.waypoint, good)] = None
                    continue
                if (seller.waypoint, good) in run_away:
                    continue
                for buyer, wanted in paying:
                    others = tuple(s.waypoint for s, _ in paying if s.waypoint != buyer.waypoint)
                    routes.append(TradeRoute(
                        good=good, buy_market=seller.waypoint, sell_market=buyer.waypoint, ask=offer.ask,
                        bid=wanted.bid, trade_volume=offer.trade_volume, buy_supply=offer.supply,
                        sell_supply=wanted.supply, observed_at=min(seller.observed_at, buyer.observed_at),
                        discovered_at=now, distance=_finite(distance(seller.position, buyer.position)),
                        alternatives=others[: self.config.max_alternatives],
                        price_half_life=self.config.price_half_life))
        routes = [self._with_feeds(route, fresh, short) for route in routes]
        if history is not None:
            routes = [route if (made := history(route)) is None
                      else replace(route, recorded_profit_per_hour=made.per_hour, recorded_share=made.share)
                      for route in routes]
        if not routes:
            return []
        return self._ranker.rank(routes)[: self.config.max_routes]

    def _pays(self, offer: MarketTradeGood, wanted: MarketTradeGood) -> bool:
        margin = wanted.bid - offer.ask
        return (wanted.bid >= offer.ask * (1 + self.config.min_margin)
                and margin * offer.trade_volume >= self.config.min_lot_profit)

    def _learn_usual_asks(self, snapshots: Sequence[MarketSnapshot]) -> set[tuple[WaypointSymbol, TradeSymbol]]:
        """Update each export's usual ask from observations newer than the last one used; return the exports whose
        ask now stands more than `max_ask_rise` above their usual ask (judged before this observation counts)."""
        run_away: set[tuple[WaypointSymbol, TradeSymbol]] = set()
        for snapshot in snapshots:
            for entry in snapshot.trade_goods.values():
                if entry.type is not TradeGoodType.EXPORT:
                    continue
                key = (snapshot.waypoint, entry.symbol)
                known = self._usual_ask.get(key)
                if known is None:
                    self._usual_ask[key] = (float(entry.ask), snapshot.observed_at)
                    continue
                usual, seen_at = known
                if entry.ask > usual * self.config.max_ask_rise:
                    run_away.add(key)
                if snapshot.observed_at > seen_at:
                    self._usual_ask[key] = (usual + _BASELINE_WEIGHT * (entry.ask - usual), snapshot.observed_at)
        return run_away

    def _dumped(self, now: datetime, snapshots: Sequence[MarketSnapshot]) -> set[tuple[WaypointSymbol, TradeSymbol]]:
        if self._dumps is None:
            return set()
        seen = {s.waypoint: s for s in snapshots}
        held: set[tuple[WaypointSymbol, TradeSymbol]] = set()
        for mark in self._dumps.active(now):
            snapshot = seen.get(mark.market)
            bid = snapshot.bid(mark.good) if snapshot is not None else None
            if mark.holds(now, bid, snapshot.observed_at if snapshot is not None else None):
                held.add((mark.market, mark.good))
            else:
                _log.info("%s at %s has recovered from our sales (bid %s, was %d)", mark.good, mark.market, bid,
                          mark.bid_before)
                self._dumps.clear(mark.market, mark.good)
        return held

    def _saturated_now(self, snapshots: Sequence[MarketSnapshot]) -> set[tuple[WaypointSymbol, TradeSymbol]]:
        if self._saturated is None:
            return set()
        found = self._saturated.among(snapshots)
        before = {(down.market, down.good) for down in self.left_out}
        for key in found.keys() - before:
            _log.info("%s at %s left out: %s", key[1], key[0], found[key].describe())
        for market, good in before - found.keys():
            _log.info("%s at %s taken back: its bid is no longer far below its usual one", good, market)
        self.left_out = tuple(found[key] for key in sorted(found))
        return set(found)

    @staticmethod
    def _with_feeds(route: TradeRoute, snapshots: Sequence[MarketSnapshot],
                    short: dict[tuple[WaypointSymbol, TradeSymbol], None]) -> TradeRoute:
        factory = next((s for s in snapshots if s.waypoint == route.sell_market), None)
        if factory is None:
            return route
        feeds = tuple(sorted(good for good in factory.exports if (factory.waypoint, good) in short))
        return replace(route, feeds=feeds) if feeds else route


def _finite(value: float) -> float | None:
    return None if value == float("inf") else value
