"""The learned ranking of manufacturing opportunities: by the share of its price signal each (good, sell market)
lane's runs earned times that signal now, the median share for lanes never made; chosen by ST_STRATEGY_RANKING like
any ranking plugin."""
from __future__ import annotations

from dataclasses import replace

import pytest

import bootstrap
from adapters.config.loader import load_settings
from application.demand_finder import ManufacturingDemandFinder
from application.work_allocation import signal_per_hour
from domain.goods import TradeSymbol as T
from domain.lane_record import LaneRecord
from plugins import learned_ranking
from plugins.manager import RANK_HOOK, PluginRanker, build_strategy_manager, strategy_plugins
from tests.fake_coordination import make_opportunity
from tests.fakes import (
    BidRanker, FakeClock, FixedSupplyChain, InMemoryMarketRepository, bundled_supply_chain, make_market,
)
from tests.unit.test_demand_finder import SUPPORT


def made(good: str, market: str, bid: int, share: float | None = None, recorded: float | None = None):
    """An opportunity (its factory's ask unknown, so its price signal is in proportion to its bid); a `share` of its
    signal its runs earned, with a recorded profit per hour (what it is matters only without a share)."""
    if share is not None and recorded is None:
        recorded = 1.0 if share >= 0 else -1.0
    return replace(make_opportunity(good, f"X1-T1-{market}", bid), recorded_profit_per_hour=recorded,
                   recorded_share=share)


def names(ranked):
    return [f"{o.good}>{o.sell_market.rsplit('-', 1)[1]}" for o in ranked]


@pytest.fixture(scope="module")
def learned():
    return PluginRanker(build_strategy_manager("learned_ranking", "default_ship_selection"))


def test_it_passes_to_the_price_ranking_until_some_lane_was_made(learned):
    opportunities = [made("MACHINERY", "B", 2000), made("ELECTRONICS", "C", 3000)]
    assert learned_ranking.spacetraders_rank_opportunities(opportunities) is None
    assert names(learned.rank(opportunities)) == ["ELECTRONICS>C", "MACHINERY>B"]


def test_what_earned_comes_first_and_what_lost_comes_last(learned):
    # ELECTRONICS pays the most but lost money; MACHINERY pays the least and earned twice what its prices promised.
    # Untried FAB_MATS is scored at the median share, (2.0 - 0.1) / 2: 0.95 x 3,000 below 2.0 x 2,000.
    opportunities = [made("MACHINERY", "B", 2000, 2.0), made("ELECTRONICS", "C", 9000, -0.1),
                     made("FAB_MATS", "D", 3000)]
    assert names(learned.rank(opportunities)) == ["MACHINERY>B", "FAB_MATS>D", "ELECTRONICS>C"]


def test_an_untried_lane_is_scored_at_the_median_share_of_the_tried_ones(learned):
    # Share times bid: MACHINERY 1.0 x 1,000, ELECTRONICS 3.0 x 2,000, PLASTICS 0.4 x 3,000; the median share, 1.0,
    # puts FAB_MATS's untried 4,000 between ELECTRONICS and PLASTICS.
    opportunities = [made("MACHINERY", "B", 1000, 1.0), made("ELECTRONICS", "C", 2000, 3.0),
                     made("PLASTICS", "E", 3000, 0.4), made("FAB_MATS", "D", 4000)]
    assert names(learned.rank(opportunities)) == ["ELECTRONICS>C", "FAB_MATS>D", "PLASTICS>E", "MACHINERY>B"]


def test_a_record_is_carried_to_the_prices_the_lane_shows_now(learned):
    # ELECTRONICS recorded the most per hour, when it paid 6,000; our sales have worn its bid down to 1,500 since.
    # MACHINERY earned less of its prices' promise, but at 3,000 it promises more now.
    opportunities = [made("ELECTRONICS", "C", 1500, 1.0, recorded=90_000.0),
                     made("MACHINERY", "B", 3000, 0.8, recorded=50_000.0)]
    assert names(learned.rank(opportunities)) == ["MACHINERY>B", "ELECTRONICS>C"]
    assert learned_ranking.learned_order(opportunities) == learned.rank(opportunities)


def test_while_no_lane_has_a_share_records_rank_by_profit_per_hour_and_set_the_untried_lanes_scale(learned):
    # Records replayed from an earlier process carry no share (and may count hours of another clock than the
    # signals'): MACHINERY made 10 times its signal now, PLASTICS 2 times; the median, 6, scores untried
    # ELECTRONICS. In bids: MACHINERY 10 x 2,000, ELECTRONICS 6 x 9,000, PLASTICS 2 x 3,000.
    machinery, plastics = made("MACHINERY", "B", 2000), made("PLASTICS", "E", 3000)
    opportunities = [replace(machinery, recorded_profit_per_hour=10 * signal_per_hour(machinery)),
                     replace(plastics, recorded_profit_per_hour=2 * signal_per_hour(plastics)),
                     made("ELECTRONICS", "C", 9000)]
    assert names(learned.rank(opportunities)) == ["ELECTRONICS>C", "MACHINERY>B", "PLASTICS>E"]


def test_once_a_lane_has_a_share_a_record_without_one_is_scored_as_untried(learned):
    # MACHINERY's record (of its good on another lane, or of an earlier process) is high, but says nothing of its
    # prices now: it is scored at the median share, as untried ELECTRONICS is, by its signal.
    opportunities = [made("MACHINERY", "B", 2000, recorded=1e9), made("FAB_MATS", "D", 1000, 1.0),
                     made("ELECTRONICS", "C", 3000)]
    assert names(learned.rank(opportunities)) == ["ELECTRONICS>C", "MACHINERY>B", "FAB_MATS>D"]


def test_the_same_good_is_ranked_per_sell_market(learned):
    opportunities = [made("ELECTRONICS", "B", 3000, -0.2), made("ELECTRONICS", "C", 2500, 0.5)]
    assert names(learned.rank(opportunities)) == ["ELECTRONICS>C", "ELECTRONICS>B"]


def test_untried_lanes_keep_the_price_order_and_its_tie_breaks(learned):
    opportunities = [made("PLASTICS", "E", 2000), made("MACHINERY", "B", 3000, 1.0), made("FAB_MATS", "D", 2000),
                     made("AMMUNITION", "F", 2500)]
    ranked = learned.rank(opportunities)
    # Nothing left out, nothing added: the very objects given.
    assert sorted(map(id, ranked)) == sorted(map(id, opportunities))
    assert names(ranked) == ["MACHINERY>B", "AMMUNITION>F", "FAB_MATS>D", "PLASTICS>E"]


def test_when_most_tried_lanes_lost_the_untried_come_after_the_earners_and_before_the_losers(learned):
    # The median share is -0.4: untried FAB_MATS, though its bid is the highest, comes after MACHINERY's small share.
    opportunities = [made("FAB_MATS", "D", 9000), made("ELECTRONICS", "C", 3000, -0.5),
                     made("PLASTICS", "E", 2500, -0.4), made("MACHINERY", "B", 1000, 0.2)]
    assert names(learned.rank(opportunities)) == ["MACHINERY>B", "FAB_MATS>D", "PLASTICS>E", "ELECTRONICS>C"]


def test_with_only_losses_recorded_the_untried_rank_by_price_above_them(learned):
    opportunities = [made("ELECTRONICS", "C", 9000, -0.3), made("MACHINERY", "B", 2000),
                     made("FAB_MATS", "D", 2500)]
    assert names(learned.rank(opportunities)) == ["FAB_MATS>D", "MACHINERY>B", "ELECTRONICS>C"]


def test_st_strategy_ranking_chooses_it_like_any_ranking_plugin():
    manager = bootstrap.select_strategies(load_settings({"ST_STRATEGY_RANKING": "learned_ranking"}))
    assert strategy_plugins(manager)[RANK_HOOK] == ["learned_ranking", "default_ranking"]
    # Not chosen, it is not asked, whatever was recorded.
    default = bootstrap.select_strategies(load_settings({}))
    assert strategy_plugins(default)[RANK_HOOK] == ["default_ranking"]
    opportunities = [made("MACHINERY", "B", 2000, 2.0), made("ELECTRONICS", "C", 9000, -0.1)]
    assert names(PluginRanker(default).rank(opportunities)) == ["ELECTRONICS>C", "MACHINERY>B"]
    assert names(PluginRanker(manager).rank(opportunities)) == ["MACHINERY>B", "ELECTRONICS>C"]
    # `status` names it, as it names any chosen strategy.
    assert bootstrap.strategies_shown(load_settings({"ST_STRATEGY_RANKING": "learned_ranking",
                                                     "ST_ARBITRAGE_RANKING": "learned_ranking"})) == (
        "ranking=learned_ranking, ship=default_ship_selection, trade ranking=learned_ranking")


def test_the_demand_finder_hands_the_ranking_each_lane_record():
    markets = SUPPORT + [make_market("X1-A1", imports={"ELECTRONICS": 3000}),
                         make_market("X1-A2", imports={"ELECTRONICS": 2000, "MACHINERY": 2500})]
    records = {(T.ELECTRONICS, "X1-A1"): LaneRecord(-1_000.0, -0.2), (T.MACHINERY, "X1-A2"): LaneRecord(4_000.0)}
    ranker = BidRanker()
    finder = ManufacturingDemandFinder(markets=InMemoryMarketRepository(markets),
                                       supply_chain=FixedSupplyChain(bundled_supply_chain()), ranker=ranker,
                                       clock=FakeClock())

    report = finder.find("X1", history=lambda o: records.get((o.good, o.sell_market)))

    assert {(o.good, str(o.sell_market)): (o.recorded_profit_per_hour, o.recorded_share)
            for o in report.opportunities} == {
        (T.ELECTRONICS, "X1-A1"): (-1_000.0, -0.2), (T.ELECTRONICS, "X1-A2"): (None, None),
        (T.MACHINERY, "X1-A2"): (4_000.0, None)}
    assert all(o.recorded_profit_per_hour is None for o in finder.find("X1").opportunities)
