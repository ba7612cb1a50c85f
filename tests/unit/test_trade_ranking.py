"""The trade-route ranking plugins (default price signal, learned from the ledger) and their port adapter."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest

from application.errors import StrategyError
from domain.goods import SupplyLevel, TradeSymbol
from domain.trade_route import TradeRoute
from plugins import learned_ranking
from plugins.hookspecs import hookimpl
from plugins.manager import UnknownStrategy, build_plugin_manager
from plugins.trade_route_ranker import PluginRouteRanker, trade_ranking_plugins
from tests.fakes import DEFAULT_NOW


def route(good: str, sell: str, *, ask: int = 100, bid: int = 200, share: float | None = None,
          recorded: float | None = None, distance: float | None = None, age: float = 0.0) -> TradeRoute:
    """A lane of 10-unit lots (so its price signal is in proportion to its margin, the lanes being equally long)
    with a `share` of its signal its runs earned; prices `age` seconds old."""
    if share is not None and recorded is None:
        recorded = 1.0 if share >= 0 else -1.0
    return TradeRoute(good=TradeSymbol(good), buy_market="X1-R-A", sell_market=f"X1-R-{sell}", ask=ask, bid=bid,
                      trade_volume=10, buy_supply=SupplyLevel.MODERATE,
                      observed_at=DEFAULT_NOW - timedelta(seconds=age), discovered_at=DEFAULT_NOW,
                      distance=distance, recorded_profit_per_hour=recorded, recorded_share=share)


def names(routes):
    return [f"{r.good}>{r.sell_market[-1]}" for r in routes]


def test_both_rankings_are_installed_through_the_entry_point_group():
    assert {"default_trade_ranking", "learned_ranking"} <= set(trade_ranking_plugins(build_plugin_manager()))


def test_the_default_ranks_by_the_margin_of_one_lot():
    routes = [route("IRON", "B", bid=150), route("COPPER", "C", bid=300), route("QUARTZ_SAND", "D", bid=200)]
    assert names(PluginRouteRanker().rank(routes)) == ["COPPER>C", "QUARTZ_SAND>D", "IRON>B"]


def test_the_learned_ranking_passes_to_the_price_ranking_until_something_was_tried():
    routes = [route("IRON", "B", bid=150), route("COPPER", "C", bid=300)]
    assert learned_ranking.spacetraders_rank_trade_routes(routes) is None
    assert names(PluginRouteRanker("learned_ranking").rank(routes)) == ["COPPER>C", "IRON>B"]


def test_the_learned_ranking_puts_what_earned_first_and_what_lost_last():
    # COPPER looks best by price (margin 200) but lost money; IRON looked worst (margin 50) and earned six times
    # what its prices promised: 300 against untried QUARTZ_SAND's 100 at the median share, 2.75.
    routes = [route("IRON", "B", bid=150, share=6.0), route("COPPER", "C", bid=300, share=-0.5),
              route("QUARTZ_SAND", "D", bid=200)]
    assert names(PluginRouteRanker("learned_ranking").rank(routes)) == ["IRON>B", "QUARTZ_SAND>D", "COPPER>C"]


def test_an_untried_lane_is_scored_at_the_median_share_of_the_tried_ones():
    # Share times margin: IRON 1.0 x 50, COPPER 3.0 x 100, DIAMONDS 0.4 x 200; the median share, 1.0, puts
    # QUARTZ_SAND's untried margin of 200 between COPPER and DIAMONDS.
    routes = [route("IRON", "B", bid=150, share=1.0), route("COPPER", "C", bid=200, share=3.0),
              route("DIAMONDS", "E", bid=300, share=0.4), route("QUARTZ_SAND", "D", bid=300)]
    assert names(PluginRouteRanker("learned_ranking").rank(routes)) == ["COPPER>C", "QUARTZ_SAND>D", "DIAMONDS>E",
                                                                        "IRON>B"]


def test_a_lane_our_trading_wore_down_falls_back_until_its_prices_recover():
    # COPPER recorded the most per hour, at a margin since worn down to 20; IRON earns less of what its prices
    # promise, but its margin of 100 promises more now.
    worn = [route("COPPER", "C", bid=120, share=1.0, recorded=400_000.0),
            route("IRON", "B", bid=200, share=0.5, recorded=150_000.0)]
    assert names(PluginRouteRanker("learned_ranking").rank(worn)) == ["IRON>B", "COPPER>C"]
    recovered = [replace(worn[0], bid=400), worn[1]]
    assert names(PluginRouteRanker("learned_ranking").rank(recovered)) == ["COPPER>C", "IRON>B"]


def test_the_learned_ranking_counts_the_trip_and_the_age_of_the_prices():
    # The price ranking would put both COPPER lanes (margin 100) above IRON (margin 50); but the lane 400 apart takes
    # about 19 minutes a trip against 2-3 minutes for the others.
    tried = route("IRON", "B", bid=150, share=1.0)
    far, near = route("COPPER", "C", distance=400.0), route("COPPER", "D", distance=20.0)
    assert names(PluginRouteRanker("learned_ranking").rank([far, tried, near])) == ["COPPER>D", "IRON>B", "COPPER>C"]
    assert names(PluginRouteRanker().rank([far, tried, near]))[-1] == "IRON>B"
    stale = route("COPPER", "E", bid=300, age=3600.0)  # margin 200 at a quarter: below 100 fresh
    assert names(PluginRouteRanker("learned_ranking").rank([stale, tried, route("QUARTZ_SAND", "F")])) == [
        "QUARTZ_SAND>F", "COPPER>E", "IRON>B"]


def test_prices_count_half_after_the_half_life_the_route_carries():
    # The same ages, but on a clock where a half-life is 90 s (a game 20 times fast): a 180 s old margin of 200
    # counts for 50, below a fresh margin of 60.
    old, fresh = route("COPPER", "C", bid=300, age=180.0), route("IRON", "B", bid=160)
    assert names(PluginRouteRanker().rank([old, fresh])) == ["COPPER>C", "IRON>B"]
    fast = [replace(old, price_half_life=90.0), replace(fresh, price_half_life=90.0)]
    assert names(PluginRouteRanker().rank(fast)) == ["IRON>B", "COPPER>C"]
    assert fast[0].freshness(DEFAULT_NOW) == pytest.approx(0.25)


def test_an_unknown_ranking_name_is_refused_with_the_known_ones():
    with pytest.raises(UnknownStrategy) as caught:
        PluginRouteRanker("no_such_ranking")
    assert "default_trade_ranking" in caught.value.known


def test_a_ranking_that_invents_a_route_is_refused():
    @hookimpl
    def spacetraders_rank_trade_routes(routes):
        return [replace(routes[0], bid=10_000)]

    manager = build_plugin_manager()
    manager.register(SimpleNamespace(spacetraders_rank_trade_routes=spacetraders_rank_trade_routes), name="inventor")
    with pytest.raises(StrategyError, match="not given"):
        PluginRouteRanker("inventor", manager).rank([route("IRON", "B")])
