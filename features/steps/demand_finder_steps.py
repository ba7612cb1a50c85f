"""Steps of manufacturing_demand_finder.feature, wired to the real demand finder, resolver and
default ranking plugin, with in-memory fakes for markets, the supply-chain map and the clock.

The feature names only the markets that import goods. A tree also needs a factory (a market
exporting the good and importing its inputs) and markets selling its inputs, so "<good> is in
the supply chain map" adds the real recipe and those supporting markets, and "<good> requires
[...]" adds the recipe and a factory (the inputs' sources are the scenario's to give). The finder itself stays honest: a
good whose tree cannot be built from the markets is left out.

Step texts are matched as full-line regular expressions so that they cannot swallow the
longer steps of other features (e.g. "... is available at X1-B1 for 500 credits").
"""
from __future__ import annotations

import json
from functools import cache

from behave import given, then, use_step_matcher, when

from application.demand_finder import DemandFinderConfig, LeftOutReason, ManufacturingDemandFinder
from domain.goods import SupplyLevel, TradeSymbol
from domain.market import MarketSnapshot
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainMap
from domain.symbols import SystemSymbol, WaypointSymbol
from plugins.manager import PluginRanker, build_plugin_manager
from tests.fakes import FakeClock, FixedSupplyChain, InMemoryMarketRepository, bundled_supply_chain, make_market

use_step_matcher("re")

GOOD = r'"(?P<good>[A-Z0-9_]+)"'
WAYPOINT = r"(?P<waypoint>[A-Z0-9]+(?:-[A-Z0-9]+)+)"
FACTORY_ASK = 500
SOURCE_ASK = 100
# What a supporting factory pays for an input: far below any price the scenarios look for, so that an input it
# imports never becomes an opportunity of its own.
INPUT_BID = 50


@cache
def _real_map() -> SupplyChainMap:
    return bundled_supply_chain()


@cache
def _ranker() -> PluginRanker:
    return PluginRanker(build_plugin_manager())


class DemandFinderWorld:
    """What one scenario has set up: markets with their imports and exports, and recipes."""

    def __init__(self) -> None:
        self.system: SystemSymbol | None = None
        self.imports: dict[WaypointSymbol, dict[TradeSymbol, int]] = {}
        self.exports: dict[WaypointSymbol, dict[TradeSymbol, int]] = {}
        self.recipes: dict[TradeSymbol, tuple[TradeSymbol, ...]] = {}
        self.available_at: dict[TradeSymbol, WaypointSymbol] = {}
        self.clock = FakeClock()
        self.report = None
        self.opportunity: ManufacturingOpportunity | None = None
        self._supporting = 0

    def place(self, waypoint: str) -> WaypointSymbol:
        symbol = WaypointSymbol(waypoint)
        if self.system is None:
            self.system = symbol.system
        assert symbol.system == self.system, f"{symbol} is not in {self.system}"
        return symbol

    def exported(self, good: TradeSymbol) -> bool:
        return any(good in goods for goods in self.exports.values())

    def add_source(self, good: TradeSymbol) -> None:
        """A market exporting `good`, unless one already does."""
        if not self.exported(good):
            self.exports[self._supporting_market()] = {good: SOURCE_ASK}

    def add_factory(self, good: TradeSymbol, inputs: tuple[TradeSymbol, ...]) -> None:
        """A market exporting `good` and importing its inputs, unless one already does."""
        if not any(good in self.exports[waypoint] and set(inputs) <= set(self.imports.get(waypoint, ()))
                   for waypoint in self.exports):
            waypoint = self._supporting_market()
            self.exports[waypoint] = {good: FACTORY_ASK}
            self.imports[waypoint] = {needed: INPUT_BID for needed in inputs}

    def _supporting_market(self) -> WaypointSymbol:
        self._supporting += 1
        return self.place(f"{self.system or 'X1'}-SUP{self._supporting}")

    def markets(self) -> list[MarketSnapshot]:
        waypoints = sorted(set(self.imports) | set(self.exports))
        return [
            make_market(
                waypoint,
                imports={str(g): bid for g, bid in self.imports.get(waypoint, {}).items()},
                exports={str(g): ask for g, ask in self.exports.get(waypoint, {}).items()},
                supply=SupplyLevel.MODERATE,
                position=(index * 10, 0),
            )
            for index, waypoint in enumerate(waypoints)
        ]

    def find(self, config: DemandFinderConfig | None) -> None:
        assert self.system is not None, "the scenario names no market"
        finder = ManufacturingDemandFinder(
            markets=InMemoryMarketRepository(self.markets()),
            supply_chain=FixedSupplyChain(SupplyChainMap(self.recipes)),
            ranker=_ranker(),
            clock=self.clock,
        )
        self.report = finder.find(self.system, config, explain=True)

    def opportunities(self) -> tuple[ManufacturingOpportunity, ...]:
        assert self.report is not None, "the finder has not been run"
        return self.report.opportunities


def world(context) -> DemandFinderWorld:
    """The scenario's world, created on first use (behave drops it when the scenario ends)."""
    if not hasattr(context, "demand_finder_world"):
        context.demand_finder_world = DemandFinderWorld()
    return context.demand_finder_world


# --- Given ------------------------------------------------------------------------------------


@given(rf"market {WAYPOINT} imports {GOOD} at (?P<price>\d+) credits")
def step_market_imports(context, waypoint, good, price):
    here = world(context)
    here.imports.setdefault(here.place(waypoint), {})[TradeSymbol.parse(good)] = int(price)


@given(rf"{GOOD} is in the supply chain map")
def step_good_in_supply_chain_map(context, good):
    here = world(context)
    product = TradeSymbol.parse(good)
    inputs = _real_map().inputs_of(product)
    assert inputs, f"{product} has no recipe in the real map"
    here.recipes[product] = inputs
    here.add_factory(product, inputs)
    for needed in inputs:
        here.add_source(needed)


@given(rf"{GOOD} is NOT in the supply chain map")
def step_good_not_in_supply_chain_map(context, good):
    world(context).recipes.pop(TradeSymbol.parse(good), None)


@given(rf'{GOOD} requires \[(?P<inputs>"[A-Z0-9_]+"(?:, *"[A-Z0-9_]+")*)\]')
def step_good_requires(context, good, inputs):
    here = world(context)
    product = TradeSymbol.parse(good)
    here.recipes[product] = tuple(TradeSymbol.parse(name) for name in json.loads(f"[{inputs}]"))
    here.add_factory(product, here.recipes[product])


@given(rf"{GOOD} is available at {WAYPOINT}")
def step_good_available_at(context, good, waypoint):
    here = world(context)
    product, where = TradeSymbol.parse(good), here.place(waypoint)
    here.exports.setdefault(where, {})[product] = SOURCE_ASK
    here.available_at[product] = where


# --- When -------------------------------------------------------------------------------------


@when(r"I find high-demand manufacturables with min price (?P<price>\d+)")
def step_find_with_min_price(context, price):
    world(context).find(DemandFinderConfig(min_price=int(price)))


@when(r"I find high-demand manufacturables")
def step_find(context):
    world(context).find(None)


# --- Then -------------------------------------------------------------------------------------

ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4}


@then(r"I should get (?P<count>\d+) opportunities")
def step_opportunity_count(context, count):
    found = world(context).opportunities()
    assert len(found) == int(count), f"expected {count}, got {[(o.good, o.bid) for o in found]}"


@then(rf"the (?P<ordinal>first|second|third|fourth|fifth) opportunity should be {GOOD} at (?P<price>\d+) credits")
def step_nth_opportunity(context, ordinal, good, price):
    found = world(context).opportunities()
    index = ORDINALS[ordinal]
    assert len(found) > index, f"only {len(found)} opportunities"
    assert (found[index].good, found[index].bid) == (TradeSymbol.parse(good), int(price)), found[index]


@then(rf"{GOOD} should not be included \(not manufacturable\)")
def step_not_included_not_manufacturable(context, good):
    here = world(context)
    product = TradeSymbol.parse(good)
    assert all(o.good != product for o in here.opportunities())
    reasons = {entry.reason for entry in here.report.left_out_for(product)}
    assert reasons == {LeftOutReason.NOT_MANUFACTURABLE}, reasons


@then(rf"the {GOOD} opportunity should have a dependency tree")
def step_opportunity_has_tree(context, good):
    here = world(context)
    product = TradeSymbol.parse(good)
    matching = [o for o in here.opportunities() if o.good == product]
    left_out = here.report.left_out_for(product) if here.report else ()
    assert matching, f"no {product} opportunity; left out: {left_out}"
    here.opportunity = matching[0]
    assert here.opportunity.dependency_tree.good == product


def _current(context) -> ManufacturingOpportunity:
    opportunity = world(context).opportunity
    assert opportunity is not None, "no opportunity chosen by an earlier step"
    return opportunity


@then(r"the tree should have depth (?P<depth>\d+)")
def step_tree_depth(context, depth):
    assert _current(context).tree_depth == int(depth)


@then(rf"the tree root should be {GOOD} with method (?P<method>BUY|FABRICATE)")
def step_tree_root(context, good, method):
    root = _current(context).dependency_tree
    assert (root.good, root.method) == (TradeSymbol.parse(good), AcquisitionMethod(method)), root


@then(rf"the tree should have child {GOOD} with method (?P<method>BUY|FABRICATE)")
def step_tree_child(context, good, method):
    product = TradeSymbol.parse(good)
    children = [c for c in _current(context).dependency_tree.children if c.good == product]
    assert children, f"no child {product}"
    assert children[0].method is AcquisitionMethod(method), children[0]
    expected_market = world(context).available_at.get(product)
    if expected_market is not None:
        assert children[0].market == expected_market, children[0]
