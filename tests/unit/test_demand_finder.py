"""ManufacturingDemandFinder: the plan's algorithm, with in-memory ports."""
from datetime import timedelta

import pytest

from application.demand_finder import DemandFinderConfig, LeftOutReason, ManufacturingDemandFinder
from application.supply_chain_resolver import AcquisitionStrategy, ResolverConfig
from application.usual_bids import SaturatedImports
from domain.errors import InvalidValue
from domain.goods import TradeSymbol as T
from domain.market import MarketSnapshot
from domain.supply_chain import AcquisitionMethod, SupplyChainMap, UnresolvableReason
from domain.symbols import WaypointSymbol
from domain.usual_bid import UsualBid, UsualBidRule
from tests.fake_repositories import InMemoryUsualBids
from tests.fakes import (
    DEFAULT_NOW,
    BidRanker,
    FakeClock,
    FixedSupplyChain,
    InMemoryMarketRepository,
    ReversingRanker,
    bundled_supply_chain,
    make_market,
)

REAL = bundled_supply_chain()

# Factories (importing their exports' inputs, at bids far below any min price) and sources for ELECTRONICS,
# ADVANCED_CIRCUITRY and MACHINERY with the real recipes.
SUPPORT = [
    make_market("X1-F1", exports={"ELECTRONICS": 900, "MACHINERY": 700},
                imports={"SILICON_CRYSTALS": 20, "COPPER": 20, "IRON": 20}, position=(0, 0)),
    make_market("X1-F2", exports={"ADVANCED_CIRCUITRY": 2500}, imports={"ELECTRONICS": 20, "MICROPROCESSORS": 20},
                position=(50, 0)),
    make_market("X1-F4", exports={"MICROPROCESSORS": 800}, imports={"SILICON_CRYSTALS": 20, "COPPER": 20},
                position=(50, 5)),
    make_market("X1-S1", exports={"SILICON_CRYSTALS": 30, "COPPER": 60, "IRON": 40}, position=(10, 10)),
]


def finder(markets, ranker=None, supply_chain=REAL, clock=None, resolver_config=None):
    return ManufacturingDemandFinder(
        markets=InMemoryMarketRepository(markets),
        supply_chain=FixedSupplyChain(supply_chain),
        ranker=ranker or BidRanker(),
        clock=clock or FakeClock(),
        resolver_config=resolver_config,
    )


def test_finds_manufacturable_goods_above_the_threshold_best_paid_first():
    markets = SUPPORT + [
        make_market("X1-A1", imports={"ELECTRONICS": 3000}),
        make_market("X1-A2", imports={"SHIP_PROBE": 100, "MEDICINE": 9000}),
        make_market("X1-A3", imports={"ADVANCED_CIRCUITRY": 8000}),
    ]
    no_recipes_for_medicine = SupplyChainMap({g: i for g, i in REAL.recipes.items() if g is not T.MEDICINE})

    report = finder(markets, supply_chain=no_recipes_for_medicine).find("X1", DemandFinderConfig(min_price=1000), explain=True)

    assert [(o.good, o.sell_market, o.bid) for o in report.opportunities] == [
        (T.ADVANCED_CIRCUITRY, "X1-A3", 8000),
        (T.ELECTRONICS, "X1-A1", 3000),
    ]
    [medicine] = report.left_out_for(T.MEDICINE)
    assert medicine.reason is LeftOutReason.NOT_MANUFACTURABLE and medicine.bid == 9000
    [probe] = report.left_out_for(T.SHIP_PROBE)
    assert probe.reason is LeftOutReason.BELOW_MIN_PRICE


def test_the_threshold_is_inclusive():
    markets = SUPPORT + [make_market("X1-A1", imports={"ELECTRONICS": 1000, "MACHINERY": 999})]
    report = finder(markets).find("X1", explain=True)
    assert [o.good for o in report.opportunities] == [T.ELECTRONICS]
    assert report.left_out_for(T.MACHINERY)[0].reason is LeftOutReason.BELOW_MIN_PRICE


def test_an_opportunity_carries_what_the_worker_needs():
    clock = FakeClock()
    markets = SUPPORT + [make_market("X1-A1", imports={"MACHINERY": 2000}, position=(3, 4), trade_volume=60)]

    [opportunity] = finder(markets, clock=clock).find_high_demand_manufacturables("X1")

    assert opportunity.discovered_at == clock.now()
    assert opportunity.trade_volume == 60 and opportunity.sell_position.x == 3
    assert opportunity.factory == "X1-F1" and opportunity.tree_depth == 1
    assert opportunity.required_inputs == (T.IRON,)
    assert opportunity.first_stop.market == "X1-S1" and opportunity.first_stop.method is AcquisitionMethod.BUY


def test_top_n_keeps_the_ranking_and_reports_the_rest():
    markets = SUPPORT + [
        make_market("X1-A1", imports={"ELECTRONICS": 3000}),
        make_market("X1-A2", imports={"MACHINERY": 2000}),
        make_market("X1-A3", imports={"ADVANCED_CIRCUITRY": 8000}),
    ]
    report = finder(markets).find("X1", DemandFinderConfig(max_opportunities=2), explain=True)
    assert [o.good for o in report.opportunities] == [T.ADVANCED_CIRCUITRY, T.ELECTRONICS]
    assert report.left_out_for(T.MACHINERY)[0].reason is LeftOutReason.RANKED_OUT


def test_the_ranker_port_decides_the_order():
    markets = SUPPORT + [
        make_market("X1-A1", imports={"ELECTRONICS": 3000}),
        make_market("X1-A3", imports={"ADVANCED_CIRCUITRY": 8000}),
    ]
    report = finder(markets, ranker=ReversingRanker()).find("X1")
    assert [o.good for o in report.opportunities] == [T.ELECTRONICS, T.ADVANCED_CIRCUITRY]


def test_imports_without_an_observed_price_or_a_tree_are_left_out_with_the_reason():
    unpriced = MarketSnapshot("X1-A1", DEFAULT_NOW, imports=frozenset({T.ELECTRONICS}))
    no_factory = make_market("X1-A2", imports={"JEWELRY": 5000})
    no_source = make_market("X1-A3", imports={"EQUIPMENT": 5000})
    equipment_factory = make_market("X1-F9", exports={"EQUIPMENT": 100}, imports={"ALUMINUM": 20, "PLASTICS": 20})
    aluminum = make_market("X1-S9", exports={"ALUMINUM": 10})  # and no PLASTICS anywhere

    report = finder(SUPPORT + [unpriced, no_factory, no_source, equipment_factory, aluminum]).find("X1", explain=True)

    assert report.opportunities == ()
    # By market too: the factories import some of these goods as well (at bids below the minimum).
    reasons = {(entry.market, entry.good): (entry.reason, entry.tree_reason) for entry in report.left_out}
    assert reasons["X1-A1", T.ELECTRONICS] == (LeftOutReason.NO_PRICE, None)
    assert reasons["X1-A2", T.JEWELRY] == (LeftOutReason.NO_TREE, UnresolvableReason.NO_FACTORY)
    assert reasons["X1-A3", T.EQUIPMENT] == (LeftOutReason.NO_TREE, UnresolvableReason.NO_SOURCE)
    assert "PLASTICS" in report.left_out_for(T.EQUIPMENT)[0].detail


def test_one_tree_per_good_serves_every_market_importing_it():
    markets = SUPPORT + [
        make_market("X1-A1", imports={"ELECTRONICS": 3000}),
        make_market("X1-A2", imports={"ELECTRONICS": 3500}),
    ]
    first, second = finder(markets).find("X1").opportunities
    assert (first.sell_market, second.sell_market) == ("X1-A2", "X1-A1")
    assert first.dependency_tree is second.dependency_tree


def test_only_the_requested_system_is_searched():
    markets = SUPPORT + [make_market("X2-A1", imports={"ELECTRONICS": 3000})]
    assert finder(markets).find("X1").opportunities == ()


def test_the_resolver_strategy_reaches_the_trees():
    markets = SUPPORT + [
        make_market("X1-A1", imports={"ADVANCED_CIRCUITRY": 8000}),
        make_market("X1-F3", exports={"COPPER_ORE": 5}),
    ]
    config = ResolverConfig(strategy=AcquisitionStrategy.PREFER_FABRICATE, max_depth=2)
    [opportunity] = finder(markets, resolver_config=config).find("X1").opportunities
    assert opportunity.tree_depth == 2


def test_a_bad_system_symbol_or_config_is_refused():
    with pytest.raises(ValueError):
        finder([]).find("x1")
    with pytest.raises(InvalidValue):
        DemandFinderConfig(min_price=-1)
    with pytest.raises(InvalidValue):
        DemandFinderConfig(max_opportunities=0)


def test_reasons_are_worked_out_only_when_asked_for_and_the_opportunities_are_the_same():
    markets = SUPPORT + [
        make_market("X1-A1", imports={"ELECTRONICS": 3000, "MACHINERY": 999}),
        make_market("X1-A2", imports={"ADVANCED_CIRCUITRY": 8000, "MEDICINE": 4000}),
    ]

    quick = finder(markets).find("X1", DemandFinderConfig(max_opportunities=1))
    explained = finder(markets).find("X1", DemandFinderConfig(max_opportunities=1), explain=True)

    assert quick.left_out == ()
    assert quick.opportunities == explained.opportunities
    assert {e.reason for e in explained.left_out} >= {LeftOutReason.BELOW_MIN_PRICE, LeftOutReason.RANKED_OUT}


def test_an_import_someone_dumped_the_good_into_is_no_sell_market_until_its_bid_recovers():
    usual = InMemoryUsualBids()  # a day of observations: A1 usually pays 3000 for ELECTRONICS, A2 2500
    usual.save([UsualBid(WaypointSymbol(m), T.ELECTRONICS, bid, DEFAULT_NOW, DEFAULT_NOW - timedelta(days=1))
                for m, bid in (("X1-A1", 3000.0), ("X1-A2", 2500.0))])

    def search(a1_bid: int, explain: bool):
        markets = SUPPORT + [make_market("X1-A1", imports={"ELECTRONICS": a1_bid}),
                             make_market("X1-A2", imports={"ELECTRONICS": 2400})]
        found = ManufacturingDemandFinder(InMemoryMarketRepository(markets), FixedSupplyChain(REAL), BidRanker(),
                                          FakeClock(), saturated=SaturatedImports(usual, UsualBidRule()))
        return found.find("X1", explain=explain)

    for explain in (False, True):
        dumped = search(1500, explain)  # half its usual bid: someone sold into it
        assert [(o.good, o.sell_market) for o in dumped.opportunities] == [(T.ELECTRONICS, "X1-A2")]
    [left] = [entry for entry in dumped.left_out_for(T.ELECTRONICS) if entry.market == "X1-A1"]  # (a factory
    # that imports ELECTRONICS as an input is left out too, for its low bid)
    assert (left.market, left.reason, left.bid) == ("X1-A1", LeftOutReason.SATURATED, 1500)
    assert "50% of its usual 3000" in left.detail

    recovered = search(2000, explain=True)  # back above 60% of usual
    assert [o.sell_market for o in recovered.opportunities] == ["X1-A2", "X1-A1"]  # best bid first
