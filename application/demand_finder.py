"""ManufacturingDemandFinder: goods that markets pay well for and that we know how to make.

The plan's algorithm: take every market of the system, every good it imports, the price it
pays us for it (its bid); keep the goods that the map can manufacture, whose bid reaches the
threshold and whose dependency tree can be built, at a market nobody just dumped the good into (its bid far
below its usual one, SaturatedImports); rank them; return the top N. On request
(`explain=True`, for `analyze demand`) everything imported but not returned is reported as left
out, with the reason; the coordinator's searches skip that work.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from application.errors import UnresolvableGood
from application.ports import Clock, MarketRepository, Ranker, SupplyChainSource
from application.supply_chain_resolver import MarketTrees, ResolverConfig, SupplyChainResolver
from application.usual_bids import SaturatedImport, SaturatedImports
from domain.errors import InvalidValue
from domain.goods import TradeSymbol
from domain.lane_record import LaneRecord
from domain.market import MarketSnapshot, MarketTradeGood
from domain.opportunity import ManufacturingOpportunity, resolved_opportunity
from domain.supply_chain import SupplyChainMap, SupplyChainNode, UnresolvableReason
from domain.symbols import SystemSymbol, WaypointSymbol


@dataclass(frozen=True, slots=True)
class DemandFinderConfig:
    """The plan's DemandFinderConfig.

    `min_price` is the least a market must pay us per unit (its bid, the plan's
    "MinPurchasePrice"); `max_opportunities` is N in "top N".
    """

    min_price: int = 1000
    max_opportunities: int = 10

    def __post_init__(self) -> None:
        if self.min_price < 0:
            raise InvalidValue(f"min_price cannot be negative, got {self.min_price}")
        if self.max_opportunities < 1:
            raise InvalidValue(f"max_opportunities must be at least 1, got {self.max_opportunities}")


class LeftOutReason(enum.StrEnum):
    """Why an imported good is not among the opportunities."""

    NOT_MANUFACTURABLE = "NOT_MANUFACTURABLE"  # the map has no recipe for it
    NO_PRICE = "NO_PRICE"  # the market lists it but its price was never observed
    BELOW_MIN_PRICE = "BELOW_MIN_PRICE"  # the market pays less than min_price
    NO_TREE = "NO_TREE"  # no dependency tree can be built (see tree_reason)
    SATURATED = "SATURATED"  # someone dumped it there: the bid is far below the market's usual bid
    RANKED_OUT = "RANKED_OUT"  # dropped by the ranking strategy or beyond the top N


@dataclass(frozen=True, slots=True)
class LeftOutGood:
    """An imported good that is not an opportunity, and why."""

    good: TradeSymbol
    market: WaypointSymbol
    bid: int | None
    reason: LeftOutReason
    detail: str
    tree_reason: UnresolvableReason | None = None


@dataclass(frozen=True, slots=True)
class DemandReport:
    """What one search found: ranked opportunities (top N) and every import left out."""

    system: SystemSymbol
    discovered_at: datetime
    opportunities: tuple[ManufacturingOpportunity, ...]
    left_out: tuple[LeftOutGood, ...]

    def left_out_for(self, good: TradeSymbol) -> tuple[LeftOutGood, ...]:
        """The left-out entries for `good` (one per market importing it)."""
        return tuple(entry for entry in self.left_out if entry.good == good)


class ManufacturingDemandFinder:
    """Finds high-demand manufacturable goods in a system (the plan's demand finder)."""

    def __init__(
        self,
        markets: MarketRepository,
        supply_chain: SupplyChainSource,
        ranker: Ranker,
        clock: Clock,
        resolver_config: ResolverConfig | None = None,
        config: DemandFinderConfig | None = None,
        saturated: SaturatedImports | None = None,
    ) -> None:
        self._markets = markets
        self._supply_chain = supply_chain
        self._ranker = ranker
        self._clock = clock
        self._resolver_config = resolver_config or ResolverConfig()
        self._config = config or DemandFinderConfig()
        self._saturated = saturated

    def find_high_demand_manufacturables(
        self, system: SystemSymbol | str, config: DemandFinderConfig | None = None
    ) -> list[ManufacturingOpportunity]:
        """The plan's entry point: the top opportunities, best first."""
        return list(self.find(system, config).opportunities)

    def find(
        self, system: SystemSymbol | str, config: DemandFinderConfig | None = None, *, explain: bool = False,
        history: Callable[[ManufacturingOpportunity], LaneRecord | None] | None = None,
    ) -> DemandReport:
        """Search `system` for opportunities; with `explain`, also report every import left out and why.

        `history` gives what the ledger recorded for a lane, if anything, so a learning ranking can use it."""
        system = SystemSymbol(system)
        config = config or self._config
        now = self._clock.now()
        supply_chain = self._supply_chain.supply_chain()
        snapshots = [m for m in self._markets.markets_in_system(system) if m.system == system]
        trees = SupplyChainResolver(supply_chain, self._resolver_config).for_markets(snapshots)
        down = {} if self._saturated is None else self._saturated.among(snapshots)

        candidates: list[ManufacturingOpportunity] = []
        left_out: list[LeftOutGood] = []
        ordered = sorted(snapshots, key=lambda m: m.waypoint)
        if explain:
            for snapshot in ordered:
                for good in sorted(snapshot.imports):
                    outcome = _assess(snapshot, good, supply_chain, trees, config, now, down)
                    if isinstance(outcome, ManufacturingOpportunity):
                        candidates.append(outcome)
                    else:
                        left_out.append(outcome)
        else:
            candidates = _candidates(ordered, supply_chain, trees, config.min_price, now)
            if down:
                candidates = [o for o in candidates if (o.sell_market, o.good) not in down]

        if history is not None:
            candidates = [o if (made := history(o)) is None
                          else replace(o, recorded_profit_per_hour=made.per_hour, recorded_share=made.share)
                          for o in candidates]
        ranked = self._ranker.rank(candidates) if candidates else []
        chosen = ranked[: config.max_opportunities]
        if explain:
            kept = {(opportunity.good, opportunity.sell_market) for opportunity in chosen}
            detail = f"not in the top {config.max_opportunities} of the ranking"
            left_out += [
                LeftOutGood(o.good, o.sell_market, o.bid, LeftOutReason.RANKED_OUT, detail)
                for o in candidates
                if (o.good, o.sell_market) not in kept
            ]
        return DemandReport(system, now, tuple(chosen), tuple(left_out))


def _candidates(
    snapshots: list[MarketSnapshot], supply_chain: SupplyChainMap, trees: MarketTrees, min_price: int, now: datetime
) -> list[ManufacturingOpportunity]:
    """The opportunities among the imports of `snapshots`, in market then good order, and nothing about the rest.

    The coordinator's search, run every discovery cycle: one loop without a call per import. Every value put in
    an opportunity was checked where it was made (snapshot, resolver), so they are not checked again per
    opportunity; only the time is, once here."""
    manufacturable = supply_chain.recipes.keys()
    node = trees.node
    opportunity = (resolved_opportunity if now.__class__ is datetime and now.tzinfo is UTC
                   else ManufacturingOpportunity)  # an odd clock: let the checked constructor judge its time
    found = []
    for snapshot in snapshots:
        priced, market, position = snapshot.trade_goods, snapshot.waypoint, snapshot.position
        # Only goods with a recipe can be made: the set intersection drops the rest without a lookup each.
        for good in sorted(manufacturable & snapshot.imports):
            entry = priced.get(good)
            if entry is None or entry.bid < min_price:
                continue
            tree = node(good)
            if tree is not None:
                found.append(opportunity(good, market, entry.bid, tree, now, position, entry.trade_volume))
    return found


def _assess(
    snapshot: MarketSnapshot,
    good: TradeSymbol,
    supply_chain: SupplyChainMap,
    trees: MarketTrees,
    config: DemandFinderConfig,
    now: datetime,
    down: dict[tuple[WaypointSymbol, TradeSymbol], SaturatedImport],
) -> ManufacturingOpportunity | LeftOutGood:
    """The opportunity of selling `good` to `snapshot`'s market, or why there is none."""
    entry = snapshot.trade_goods.get(good)
    bid = None if entry is None else entry.bid

    def left_out(reason: LeftOutReason, detail: str, tree_reason: UnresolvableReason | None = None) -> LeftOutGood:
        return LeftOutGood(good, snapshot.waypoint, bid, reason, detail, tree_reason)

    # Manufacturability first: it needs no price and is the most telling reason to give.
    if not supply_chain.is_manufacturable(good):
        return left_out(LeftOutReason.NOT_MANUFACTURABLE, "the supply chain map has no recipe for it")
    if entry is None:
        return left_out(LeftOutReason.NO_PRICE, "its price has not been observed (no ship has been there)")
    if entry.bid < config.min_price:
        return left_out(LeftOutReason.BELOW_MIN_PRICE, f"pays {entry.bid} < {config.min_price}")
    if (saturated := down.get((snapshot.waypoint, good))) is not None:
        return left_out(LeftOutReason.SATURATED, saturated.describe())
    tree = trees.outcome(good)
    if isinstance(tree, UnresolvableGood):
        return left_out(LeftOutReason.NO_TREE, tree.detail, tree.reason)
    return _opportunity(snapshot, entry, tree, now)


def _opportunity(
    snapshot: MarketSnapshot, entry: MarketTradeGood, tree: SupplyChainNode, now: datetime
) -> ManufacturingOpportunity:
    return ManufacturingOpportunity(
        good=entry.symbol,
        sell_market=snapshot.waypoint,
        bid=entry.bid,
        dependency_tree=tree,
        discovered_at=now,
        sell_position=snapshot.position,
        trade_volume=entry.trade_volume,
    )
