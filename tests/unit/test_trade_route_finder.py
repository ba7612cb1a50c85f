"""The TradeRouteFinder's supply-aware rules on stored market snapshots, ranked by the real plugins."""
from __future__ import annotations

from datetime import timedelta

import pytest

from application.trade_route_finder import RouteFinderConfig, TradeRouteFinder
from application.usual_bids import RememberingMarkets, SaturatedImports
from domain.dumped_market import DumpMark
from domain.geometry import Position
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.symbols import WaypointSymbol
from domain.usual_bid import UsualBidRule
from plugins.trade_route_ranker import PluginRouteRanker
from tests.fake_repositories import InMemoryDumpedMarkets, InMemoryUsualBids
from tests.fakes import FakeClock, InMemoryMarketRepository

SYSTEM = "X1-TR"
IRON, COPPER, MACHINERY = TradeSymbol.IRON, TradeSymbol.COPPER, TradeSymbol.MACHINERY
MODERATE, LIMITED, HIGH, SCARCE = SupplyLevel.MODERATE, SupplyLevel.LIMITED, SupplyLevel.HIGH, SupplyLevel.SCARCE


def good(symbol, kind, *, ask=0, bid=0, supply=MODERATE, volume=10) -> MarketTradeGood:
    return MarketTradeGood(symbol=symbol, type=kind, trade_volume=volume, supply=supply, ask=ask, bid=bid)


def export(symbol, ask, supply=MODERATE, volume=10):
    return good(symbol, TradeGoodType.EXPORT, ask=ask, bid=ask // 2, supply=supply, volume=volume)


def wanted(symbol, bid, supply=LIMITED):
    return good(symbol, TradeGoodType.IMPORT, ask=bid * 2, bid=bid, supply=supply)


class World:
    def __init__(self, **config) -> None:
        self.clock = FakeClock()
        self.usual = InMemoryUsualBids()
        rule = UsualBidRule()
        self.markets = RememberingMarkets(InMemoryMarketRepository(), self.usual, rule)
        self.dumps = InMemoryDumpedMarkets()
        self.finder = TradeRouteFinder(self.markets, PluginRouteRanker(), self.clock, self.dumps,
                                       RouteFinderConfig(**config), SaturatedImports(self.usual, rule))

    def market(self, name: str, *goods: MarketTradeGood, x: int = 0, age: float = 0.0) -> WaypointSymbol:
        waypoint = WaypointSymbol(f"{SYSTEM}-{name}")
        self.markets.record(MarketSnapshot(waypoint=waypoint, observed_at=self.clock.now() - timedelta(seconds=age),
                                           trade_goods={g.symbol: g for g in goods}, position=Position(x, 0)))
        return waypoint

    def routes(self, **kwargs):
        return self.finder.find(SYSTEM, **kwargs)


def lanes(routes):
    return [(str(r.good), r.buy_market.rsplit("-", 1)[1], r.sell_market.rsplit("-", 1)[1]) for r in routes]


def test_a_lane_goes_from_an_export_to_an_import_that_pays_and_is_ranked_by_lot_profit():
    world = World()
    world.market("A", export(IRON, 100), export(COPPER, 200))
    world.market("B", wanted(IRON, 150), wanted(COPPER, 400), x=50)
    world.market("C", wanted(IRON, 110), x=10)  # under the 15% margin

    routes = world.routes()

    assert lanes(routes) == [("COPPER", "A", "B"), ("IRON", "A", "B")]
    assert (routes[0].ask, routes[0].bid, routes[0].margin, routes[0].lot_profit) == (200, 400, 200, 2000)
    assert routes[0].distance == 50


def test_an_export_below_moderate_supply_is_not_bought_and_a_saturated_import_is_not_sold_to():
    world = World()
    world.market("A", export(IRON, 100, supply=LIMITED), export(COPPER, 100))
    world.market("B", wanted(IRON, 300), wanted(COPPER, 300, supply=HIGH))
    world.market("C", wanted(COPPER, 250, supply=MODERATE))

    assert lanes(world.routes()) == [("COPPER", "A", "C")]


def test_the_supply_that_saturates_an_import_is_configured():
    """ST_ARBITRAGE_SATURATED_SUPPLY: ABUNDANT lets a HIGH import be sold to, MODERATE leaves one out."""
    for saturated, expected in ((SupplyLevel.ABUNDANT, [("COPPER", "A", "B"), ("COPPER", "A", "C")]),
                                (MODERATE, [])):
        world = World(saturated_supply=saturated)
        world.market("A", export(COPPER, 100))
        world.market("B", wanted(COPPER, 300, supply=HIGH))
        world.market("C", wanted(COPPER, 250, supply=MODERATE))
        assert lanes(world.routes()) == expected, saturated


def test_the_other_paying_imports_are_named_so_a_load_can_be_spread_best_bid_first():
    world = World()
    world.market("A", export(IRON, 100))
    world.market("B", wanted(IRON, 300))
    world.market("C", wanted(IRON, 200))
    world.market("D", wanted(IRON, 250))
    world.market("E", wanted(IRON, 260, supply=SupplyLevel.ABUNDANT))

    best = world.routes()[0]

    assert best.sell_market.endswith("-B")
    assert [m.rsplit("-", 1)[1] for m in best.alternatives] == ["D", "C"]


def test_an_export_whose_ask_ran_away_from_what_was_seen_before_is_left_until_it_settles():
    world = World()
    world.market("A", export(IRON, 100))
    world.market("B", wanted(IRON, 400))
    assert lanes(world.routes()) == [("IRON", "A", "B")]

    world.clock.advance(60)
    world.market("A", export(IRON, 140))  # 40% above the usual 100
    assert world.routes() == []

    for _ in range(5):  # the new level is seen again and again: it becomes the usual price
        world.clock.advance(60)
        world.market("A", export(IRON, 140))
        world.routes()
    world.clock.advance(60)
    world.market("A", export(IRON, 140))
    assert lanes(world.routes()) == [("IRON", "A", "B")]


def test_a_fresher_lane_outranks_an_older_one_by_the_configured_half_life():
    # B's bid is 10% better, but it was seen one half-life (here 90 s, as on a game clock 20 times fast) earlier.
    world = World(max_age=600, price_half_life=90.0)
    world.market("A", export(IRON, 100))
    world.market("B", wanted(IRON, 320), age=90)
    world.market("C", wanted(IRON, 300))

    routes = world.routes()
    assert lanes(routes) == [("IRON", "A", "C"), ("IRON", "A", "B")]
    assert {r.price_half_life for r in routes} == {90.0}


def test_prices_older_than_the_limit_are_not_traded_on():
    world = World(max_age=600)
    world.market("A", export(IRON, 100), age=700)
    world.market("B", wanted(IRON, 300))

    assert world.routes() == []


def test_a_market_we_dumped_into_is_avoided_until_it_is_seen_recovered():
    world = World()
    world.market("A", export(IRON, 100))
    b = world.market("B", wanted(IRON, 300))
    world.market("C", wanted(IRON, 200))
    now = world.clock.now()
    world.dumps.mark(DumpMark(b, IRON, at=now, until=now + timedelta(hours=12), bid_before=300, bid_after=150))
    world.market("B", wanted(IRON, 150))

    assert lanes(world.routes()) == [("IRON", "A", "C")]

    world.clock.advance(3600)
    world.market("B", wanted(IRON, 290))  # back near the bid before our dump

    assert lanes(world.routes()) == [("IRON", "A", "B"), ("IRON", "A", "C")]
    assert world.dumps.marks == {}


def test_an_import_someone_else_dumped_into_is_left_out_with_the_reason_until_its_bid_recovers(caplog):
    world = World()
    for _ in range(13):  # probes see both imports' usual bids for two hours
        world.market("A", export(IRON, 100))
        world.market("B", wanted(IRON, 300))
        world.market("C", wanted(IRON, 200))
        world.clock.advance(600)
    assert lanes(world.routes()) == [("IRON", "A", "B"), ("IRON", "A", "C")]

    world.market("B", wanted(IRON, 150, supply=LIMITED))  # another agent's dump: half the bid, the label unmoved
    caplog.set_level("INFO", logger="application.trade_route_finder")

    assert lanes(world.routes()) == [("IRON", "A", "C")]
    assert [(str(d.market), d.good, d.bid) for d in world.finder.left_out] == [(f"{SYSTEM}-B", IRON, 150)]
    assert f"IRON at {SYSTEM}-B left out: saturated: bid 150 is 50% of its usual 299" in caplog.text
    assert world.routes()[0].alternatives == ()  # nor is it offered as a place to spread a load

    world.clock.advance(3 * 3600)
    world.market("A", export(IRON, 100))
    world.market("B", wanted(IRON, 260))  # recovered
    world.market("C", wanted(IRON, 200))

    assert lanes(world.routes()) == [("IRON", "A", "B"), ("IRON", "A", "C")]
    assert world.finder.left_out == ()
    assert f"IRON at {SYSTEM}-B taken back" in caplog.text


def test_a_dump_mark_expires_on_its_own():
    world = World()
    world.market("A", export(IRON, 100))
    b = world.market("B", wanted(IRON, 200))
    now = world.clock.now()
    world.dumps.mark(DumpMark(b, IRON, at=now, until=now + timedelta(hours=1), bid_before=400, bid_after=200))
    assert world.routes() == []
    world.clock.advance(3601)
    world.market("A", export(IRON, 100))
    world.market("B", wanted(IRON, 200))  # still far below the 400 before: only the expiry frees it
    assert lanes(world.routes()) == [("IRON", "A", "B")]


def test_a_delivery_to_a_factory_whose_own_export_is_short_says_what_it_feeds():
    world = World()
    world.market("A", export(IRON, 100))
    world.market("F", wanted(IRON, 300), export(MACHINERY, 500, supply=SCARCE))
    world.market("M", wanted(MACHINERY, 1500))

    (route,) = world.routes()

    assert route.sell_market.endswith("-F") and route.feeds == (MACHINERY,)


def test_stale_prices_count_for_less_in_the_default_ranking():
    world = World()
    world.market("A", export(IRON, 100), age=3000)
    world.market("B", wanted(IRON, 300))  # 2000 per lot, but seen 50 minutes ago
    world.market("C", export(COPPER, 100))
    world.market("D", wanted(COPPER, 260))  # 1600 per lot, fresh

    assert lanes(world.routes()) == [("COPPER", "C", "D"), ("IRON", "A", "B")]


@pytest.mark.parametrize("config", [{"min_margin": -0.1}, {"max_ask_rise": 0.9}, {"max_routes": 0}])
def test_a_bad_configuration_is_refused(config):
    with pytest.raises(Exception):
        RouteFinderConfig(**config)
