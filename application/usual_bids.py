"""The memory of what imports usually pay, fed by every market observation, and the judgement it allows: an
import whose bid now is far below its usual one was dumped into (by anyone), so nobody should sell there until
it recovers (issue 16, supply-aware trading).

`RememberingMarkets` is the MarketRepository every service records through: it stores the snapshot, then moves
the usual bid of each good the market buys. `SaturatedImports` tells the route finder, the demand finder and the
arbitrage worker which (market, good) pairs are down.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from application.ports import MarketRepository
from application.repositories import UsualBidRepository
from domain.goods import TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.usual_bid import UsualBid, UsualBidRule

_log = logging.getLogger(__name__)

# Goods a market buys from us: the bid of an export is not what anyone sells into.
_BUYING = (TradeGoodType.IMPORT, TradeGoodType.EXCHANGE)


@dataclass(frozen=True, slots=True)
class SaturatedImport:
    """`market` pays `bid` for `good`, under the usual `usual`."""

    market: WaypointSymbol
    good: TradeSymbol
    bid: int
    usual: float

    def describe(self) -> str:
        """One line for `analyze demand`, the logs and a run's notes."""
        return f"saturated: bid {self.bid} is {self.bid / self.usual:.0%} of its usual {self.usual:.0f}"


class RememberingMarkets:
    """A MarketRepository that also keeps each market's usual bids up to date from what it records."""

    def __init__(self, markets: MarketRepository, usual_bids: UsualBidRepository, rule: UsualBidRule) -> None:
        self._markets = markets
        self._usual = usual_bids
        self.rule = rule

    def markets_in_system(self, system: SystemSymbol) -> Sequence[MarketSnapshot]:
        return self._markets.markets_in_system(system)

    def market(self, waypoint: WaypointSymbol) -> MarketSnapshot | None:
        return self._markets.market(waypoint)

    def record(self, snapshot: MarketSnapshot) -> None:
        self._markets.record(snapshot)
        try:
            self._learn(snapshot)
        except Exception as failure:  # a memory, not money: the next observation updates it
            _log.warning("usual bids at %s not updated: %s", snapshot.waypoint, failure)

    def _learn(self, snapshot: MarketSnapshot) -> None:
        known = {usual.good: usual for usual in self._usual.of_market(snapshot.waypoint)}
        changed = []
        for entry in snapshot.trade_goods.values():
            if entry.type not in _BUYING:
                continue
            before = known.get(entry.symbol)
            after = (UsualBid.first(snapshot.waypoint, entry.symbol, entry.bid, snapshot.observed_at)
                     if before is None else before.observed(entry.bid, snapshot.observed_at, self.rule))
            if after is not before:
                changed.append(after)
        if changed:
            self._usual.save(changed)


class SaturatedImports:
    """Which imports are dumped into now: their last observed bid under the rule's share of their usual bid."""

    def __init__(self, usual_bids: UsualBidRepository, rule: UsualBidRule) -> None:
        self._usual = usual_bids
        self.rule = rule

    def among(self, snapshots: Iterable[MarketSnapshot]) -> dict[tuple[WaypointSymbol, TradeSymbol], SaturatedImport]:
        """The saturated (market, good) pairs among the goods `snapshots` buy (all of one system or several)."""
        snapshots = list(snapshots)
        usual: dict[tuple[WaypointSymbol, TradeSymbol], UsualBid] = {}
        for system in {s.system for s in snapshots}:
            usual.update(((u.market, u.good), u) for u in self._usual.in_system(system))
        found: dict[tuple[WaypointSymbol, TradeSymbol], SaturatedImport] = {}
        for snapshot in snapshots:
            for entry in snapshot.trade_goods.values():
                key = (snapshot.waypoint, entry.symbol)
                reference = usual.get(key)
                if entry.type in _BUYING and self.rule.saturated(entry.bid, reference):
                    found[key] = SaturatedImport(snapshot.waypoint, entry.symbol, entry.bid, reference.bid)
        return found

    def at(self, market: WaypointSymbol, good: TradeSymbol, bid: int) -> SaturatedImport | None:
        """Whether `market`, paying `bid` for `good` now, is saturated."""
        reference = next((u for u in self._usual.of_market(market) if u.good == good), None)
        if reference is None or not self.rule.saturated(bid, reference):
            return None
        return SaturatedImport(market, good, bid, reference.bid)
