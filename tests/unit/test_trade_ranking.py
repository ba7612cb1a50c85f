"""The trade-route ranking plugins (default price signal, learned from the ledger) and their port adapter."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from application.account_budget import AccountBudget, BudgetConfig, Commitment
from application.errors import StrategyError
from domain.goods import SupplyLevel, TradeSymbol
from domain.trade_route import TradeRoute
from plugins import learned_ranking
from plugins.hookspecs import hookimpl
from plugins.manager import UnknownStrategy, build_plugin_manager
from plugins.trade_route_ranker import PluginRouteRanker, trade_ranking_plugins
from tests.fakes import DEFAULT_NOW


def route(good: str, sell: str, *, ask: int = 100, bid: int = 200, recorded: float | None = None) -> TradeRoute:
    return TradeRoute(good=TradeSymbol(good), buy_market="X1-R-A", sell_market=f"X1-R-{sell}", ask=ask, bid=bid,
                      trade_volume=10, buy_supply=SupplyLevel.MODERATE, observed_at=DEFAULT_NOW,
                      discovered_at=DEFAULT_NOW, recorded_profit_per_hour=recorded)


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
    # COPPER looks best by price but lost money; IRON looked worst and earned the most per hour.
    routes = [route("IRON", "B", bid=150, recorded=90_000.0), route("COPPER", "C", bid=300, recorded=-5_000.0),
              route("QUARTZ_SAND", "D", bid=200)]
    assert names(PluginRouteRanker("learned_ranking").rank(routes)) == ["IRON>B", "QUARTZ_SAND>D", "COPPER>C"]


def test_an_untried_lane_is_scored_on_the_scale_of_the_recorded_ones():
    # Recorded per hour over lot profit: IRON 5,000/500 = 10, COPPER 30,000/1,000 = 30, DIAMONDS 8,000/2,000 = 4;
    # the median, 10, makes QUARTZ_SAND's untried lot profit of 2,000 worth 20,000/h: between COPPER and GEMS.
    routes = [route("IRON", "B", bid=150, recorded=5_000.0), route("COPPER", "C", bid=200, recorded=30_000.0),
              route("DIAMONDS", "E", bid=300, recorded=8_000.0), route("QUARTZ_SAND", "D", bid=300)]
    assert names(PluginRouteRanker("learned_ranking").rank(routes)) == ["COPPER>C", "QUARTZ_SAND>D", "DIAMONDS>E",
                                                                        "IRON>B"]


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


# --- the one account budget ----------------------------------------------------------------------


def test_the_budget_keeps_the_reserve_and_what_running_jobs_may_still_spend():
    budget = AccountBudget(BudgetConfig(credit_reserve=10_000))
    running = [Commitment(allotted=50_000, spent=20_000), Commitment(allotted=30_000, spent=40_000)]
    # 100,000 credits - 10,000 reserve - 30,000 the first job may still spend (the second overspent: 0).
    assert budget.free(100_000, running) == 60_000
    assert budget.allot(100_000, running, starting=3) == 20_000


def test_five_jobs_together_never_get_more_than_the_free_credits():
    budget = AccountBudget(BudgetConfig(credit_reserve=5_000))
    credits, running = 175_000, []
    for _ in range(5):
        share = budget.allot(credits, running, starting=1)
        running.append(Commitment(allotted=share, spent=0))
    assert sum(c.allotted for c in running) <= credits - 5_000


def test_nothing_is_allotted_below_the_minimum():
    budget = AccountBudget(BudgetConfig(credit_reserve=1_000, min_allotment=500))
    assert budget.allot(1_400, [], starting=1) == 0
    assert budget.allot(1_600, [], starting=1) == 600
