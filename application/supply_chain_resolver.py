"""SupplyChainResolver: how to obtain a good from the markets we know and the export-to-import map.

The root of a manufacturing tree is FABRICATE at a factory of the good: a market that exports
it and imports all its inputs. Each input is BUY at a known market that exports or exchanges
it, or FABRICATE at a known factory when the map has a recipe; which of the two is tried first is the
configured strategy. A source or factory is chosen by the cheapest known ask, then by the
distance to the factory it feeds, then by waypoint symbol so that the answer is stable.

Cycles in the map (LIQUID_HYDROGEN -> MACHINERY -> IRON -> IRON_ORE -> EXPLOSIVES ->
LIQUID_HYDROGEN is one), goods with neither source nor recipe and trees deeper than the
limit end in UnresolvableGood, never in unbounded recursion. An input that is already on the
path from the root (needed to make itself) is a CYCLE and is neither bought nor expanded; a
FABRICATE attempt that runs into a cycle or the depth limit falls back to buying the good when
the strategy allows, so with the real map a deep tree stops by buying (IRON_ORE, say) rather
than failing. Depth is bounded by `max_depth`, itself capped far below Python's recursion limit.
"""
from __future__ import annotations

import enum
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from application.errors import UnresolvableGood
from domain.errors import InvalidValue
from domain.geometry import Position, distance
from domain.goods import SupplyLevel, TradeSymbol
from domain.market import MarketSnapshot
from domain.supply_chain import (
    AcquisitionMethod,
    SupplyChainMap,
    SupplyChainNode,
    UnresolvableReason,
    resolved_node,
)
from domain.symbols import WaypointSymbol

# Python's own recursion limit must never be what stops a tree.
_MAX_DEPTH_CEILING = 32


class AcquisitionStrategy(enum.StrEnum):
    """Whether an input with both a market selling it and a factory making it is bought or made."""

    PREFER_BUY = "PREFER_BUY"  # buy whenever a market sells it: shortest, fastest trees
    SMART = "SMART"  # buy, unless every source's supply is thin; then fabricate if possible
    PREFER_FABRICATE = "PREFER_FABRICATE"  # fabricate whenever possible: deepest trees


@dataclass(frozen=True, slots=True)
class ResolverConfig:
    """Settings of the resolver.

    `max_depth` bounds the tree (MACHINERY <- IRON is depth 1). Under SMART, a source whose
    observed supply is below `thin_supply_below` is bought from only when fabricating fails.
    """

    max_depth: int = 5
    strategy: AcquisitionStrategy = AcquisitionStrategy.PREFER_BUY
    thin_supply_below: SupplyLevel = SupplyLevel.MODERATE

    def __post_init__(self) -> None:
        if not 0 <= self.max_depth <= _MAX_DEPTH_CEILING:
            raise InvalidValue(f"max_depth must be between 0 and {_MAX_DEPTH_CEILING}, got {self.max_depth}")
        object.__setattr__(self, "strategy", AcquisitionStrategy(self.strategy))
        object.__setattr__(self, "thin_supply_below", SupplyLevel(self.thin_supply_below))


class SupplyChainResolver:
    """Builds dependency trees from the export-to-import map and a set of known markets."""

    def __init__(self, supply_chain: SupplyChainMap, config: ResolverConfig | None = None) -> None:
        self.supply_chain = supply_chain
        self.config = config or ResolverConfig()

    def for_markets(self, markets: Iterable[MarketSnapshot]) -> MarketTrees:
        """Trees buildable from `markets` (normally all markets of one system), memoized per good."""
        return MarketTrees(self.supply_chain, self.config, markets)

    def resolve(self, good: TradeSymbol, markets: Iterable[MarketSnapshot]) -> SupplyChainNode:
        """One tree for `good`; prefer `for_markets` when asking for several goods."""
        return self.for_markets(markets).tree(good)


_BUY, _FABRICATE = AcquisitionMethod.BUY, AcquisitionMethod.FABRICATE
_PRICE = operator.attrgetter("price")
_new_offer = tuple.__new__


class _Offer(NamedTuple):
    """A market that has a good, with what we know of it there."""

    market: WaypointSymbol
    ask: int | None
    supply: SupplyLevel | None
    position: Position | None
    price: float  # the ask, or infinity when unknown: the cheapest-first order in one comparable number


class _Failure(NamedTuple):
    """Why a subtree could not be built; becomes UnresolvableGood at the root."""

    reason: UnresolvableReason
    path: tuple[TradeSymbol, ...]
    detail: str


class MarketTrees:
    """Dependency trees for one set of markets; each good's tree is built once and reused.

    Trees do not depend on where the good will be sold, so one tree per good serves every
    market importing it.
    """

    def __init__(self, supply_chain: SupplyChainMap, config: ResolverConfig, markets: Iterable[MarketSnapshot]):
        self._map = supply_chain
        self._recipes = supply_chain.recipes
        self._config = config
        self._sources: dict[TradeSymbol, list[_Offer]] = {}
        self._factories: dict[TradeSymbol, list[_Offer]] = {}
        self._built: dict[TradeSymbol, SupplyChainNode | _Failure] = {}
        self._unresolvable: dict[TradeSymbol, UnresolvableGood] = {}
        # Many trees buy the same input at the same market: one leaf serves them all (nodes are immutable).
        self._leaves: dict[tuple[TradeSymbol, WaypointSymbol], SupplyChainNode] = {}
        self._cheapest_sources: dict[TradeSymbol, list[_Offer]] = {}
        self._prefer_buy = config.strategy is AcquisitionStrategy.PREFER_BUY
        # PREFER_BUY: the leaf of an input with a single cheapest source, the same under every factory.
        self._bought: dict[TradeSymbol, SupplyChainNode] = {}
        for snapshot in markets:
            self._index(snapshot)

    def tree(self, good: TradeSymbol) -> SupplyChainNode:
        """The tree for manufacturing `good`, rooted at FABRICATE; raises UnresolvableGood."""
        outcome = self.outcome(good)
        if isinstance(outcome, UnresolvableGood):
            # A fresh error per raise: re-raising one shared instance would grow its traceback.
            raise UnresolvableGood(outcome.good, outcome.reason, outcome.detail, outcome.path)
        return outcome

    def outcome(self, good: TradeSymbol) -> SupplyChainNode | UnresolvableGood:
        """The tree for `good`, or (returned, not raised) why there is none."""
        built = self._build(good)
        if not isinstance(built, _Failure):
            return built
        unresolvable = self._unresolvable.get(good)
        if unresolvable is None:
            path = " <- ".join(built.path)
            unresolvable = UnresolvableGood(built.path[0], built.reason, f"{path}: {built.detail}", built.path)
            self._unresolvable[good] = unresolvable
        return unresolvable

    def node(self, good: TradeSymbol) -> SupplyChainNode | None:
        """The tree for `good`, or None when there is none (without working out why in words)."""
        built = self._built.get(good) or self._build(good)  # asked once per market importing it: hits first
        return None if built.__class__ is _Failure else built

    def _build(self, good: TradeSymbol) -> SupplyChainNode | _Failure:
        built = self._built.get(good)
        if built is None:
            built = self._built[good] = self._root(good if good.__class__ is TradeSymbol else TradeSymbol.parse(good))
        return built

    def _index(self, snapshot: MarketSnapshot) -> None:
        prices, market, position = snapshot.trade_goods, snapshot.waypoint, snapshot.position
        imports = snapshot.imports
        sources, factories, recipes = self._sources, self._factories, self._recipes
        for goods, produces in ((snapshot.exports, True), (snapshot.exchange, False)):
            for good in goods:
                entry = prices.get(good)
                # tuple.__new__ straight away: the NamedTuple's own __new__ is a Python call per offer.
                offer = _new_offer(_Offer, (market, None, None, position, math.inf) if entry is None
                                   else (market, entry.ask, entry.supply, position, entry.ask))
                sources.setdefault(good, []).append(offer)
                # A market that does not import every input of its export does not make it there (a trading post
                # reselling what others make): inputs delivered to it are refused.
                if produces and imports.issuperset(recipes.get(good, ())):
                    factories.setdefault(good, []).append(offer)

    def _root(self, good: TradeSymbol) -> SupplyChainNode | _Failure:
        path = (good,)
        if good not in self._recipes:
            return _Failure(UnresolvableReason.NOT_MANUFACTURABLE, path, "the supply chain map has no recipe for it")
        factories = self._factories.get(good)
        if not factories:
            return _Failure(UnresolvableReason.NO_FACTORY, path, "no known market makes it (exports it and imports its inputs)")
        return self._fabricate_at(good, _best(factories, None), path, 0)

    def _fabricate_at(
        self, good: TradeSymbol, factory: _Offer, path: tuple[TradeSymbol, ...], depth: int
    ) -> SupplyChainNode | _Failure:
        if depth + 1 > self._config.max_depth:
            return _Failure(
                UnresolvableReason.DEPTH_LIMIT, path, f"its inputs would be deeper than {self._config.max_depth}"
            )
        children = []
        bought = self._bought
        for needed in self._recipes[good]:  # only goods with a recipe are fabricated
            child = bought.get(needed) if needed not in path else None
            if child is None:
                child = self._acquire(needed, factory, path, depth + 1)
                if isinstance(child, _Failure):
                    return child
            children.append(child)
        # Typed values the resolver made itself, at least one child: not checked again, one node per tree per search.
        return resolved_node(good, _FABRICATE, factory.market, tuple(children), factory.ask, factory.position)

    def _acquire(
        self, good: TradeSymbol, feeds: _Offer, parent_path: tuple[TradeSymbol, ...], depth: int
    ) -> SupplyChainNode | _Failure:
        if good in parent_path:
            return _Failure(UnresolvableReason.CYCLE, parent_path + (good,), f"{good} is needed to make itself")
        sources = self._sources.get(good, [])
        if sources and self._prefer_buy:
            # The common case, without the general loop; only offers at the cheapest ask can win.
            cheapest = self._cheapest_sources.get(good)
            if cheapest is None:
                cheapest = self._cheapest_sources[good] = _cheapest(sources)
            # All at one ask already: only the distance (then the symbol) can decide.
            leaf = self._buy(good, cheapest[0] if len(cheapest) == 1 else _nearest(cheapest, feeds.position))
            if len(cheapest) == 1:  # where the factory is cannot change the choice: every tree buys it there
                self._bought[good] = leaf
            return leaf
        manufacturable = self._map.is_manufacturable(good)
        factories = self._factories.get(good, []) if manufacturable else []
        path = parent_path + (good,)
        if not sources and not factories:
            why = "no known market sells it" + ("" if manufacturable else " and it has no recipe")
            return _Failure(UnresolvableReason.NO_SOURCE, path, why)

        failure: _Failure | None = None
        for method, offers in self._attempts(sources, factories):
            if not offers:
                continue
            offer = _best(offers, near=feeds.position)
            if method is AcquisitionMethod.BUY:
                return self._buy(good, offer)
            built = self._fabricate_at(good, offer, path, depth)
            if not isinstance(built, _Failure):
                return built
            failure = failure or built
        # Every source is also listed for BUY, so reaching here means only fabrication was possible.
        return failure or _Failure(UnresolvableReason.NO_SOURCE, path, "no attempt could be made")

    def _buy(self, good: TradeSymbol, offer: _Offer) -> SupplyChainNode:
        leaf = self._leaves.get((good, offer.market))
        if leaf is None:
            leaf = resolved_node(good, _BUY, offer.market, (), offer.ask, offer.position)
            self._leaves[(good, offer.market)] = leaf
        return leaf

    def _attempts(
        self, sources: list[_Offer], factories: list[_Offer]
    ) -> list[tuple[AcquisitionMethod, list[_Offer]]]:
        """What to try, in order, for an input under the configured strategy."""
        buy, fabricate = AcquisitionMethod.BUY, AcquisitionMethod.FABRICATE
        strategy = self._config.strategy
        if strategy is AcquisitionStrategy.PREFER_BUY:
            return [(buy, sources), (fabricate, factories)]
        if strategy is AcquisitionStrategy.PREFER_FABRICATE:
            return [(fabricate, factories), (buy, sources)]
        floor = self._config.thin_supply_below
        healthy = [offer for offer in sources if offer.supply is None or offer.supply >= floor]
        return [(buy, healthy), (fabricate, factories), (buy, sources)]


def _best(offers: list[_Offer], near: Position | None) -> _Offer:
    """Cheapest known ask first (unknown asks last), then nearest to `near`, then by symbol."""
    if len(offers) == 1:
        return offers[0]
    # Distance only decides between the offers at the cheapest ask: find those first, without computing any.
    tied = _cheapest(offers)
    if len(tied) == 1:
        return tied[0]
    return _nearest(tied, near)


def _nearest(offers: list[_Offer], near: Position | None) -> _Offer:
    """Nearest to `near` (all equally far when it is unknown), then by symbol."""
    return min(
        offers,
        key=lambda offer: (distance(near, offer.position) if near is not None else math.inf, offer.market),
    )


def _cheapest(offers: list[_Offer]) -> list[_Offer]:
    """The offers at the cheapest known ask (all of them when no ask is known)."""
    price = min(map(_PRICE, offers))
    return [offer for offer in offers if offer.price == price]
