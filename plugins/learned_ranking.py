"""Learned ranking: rank lanes by what the ledger recorded they earn, at the prices they show now.

Select it with `ST_ARBITRAGE_RANKING=learned_ranking` (trade routes: export -> import lanes) and with
`ST_STRATEGY_RANKING=learned_ranking` (manufacturing: good -> sell market lanes). Until some lane has a record it
passes (answers None), so the default price ranking decides.

Every lane is scored in credits per hour of a ship's time. Its price signal (application.work_allocation's
signal_per_hour: the margin on what one trip moves over the trip's hours) is what its prices promise; the ledger
says what share of that promise the lane's runs earned (`recorded_share`: recent runs weighing most, drawn toward
the share of every run of its kind). A tried lane scores its share times its signal now, so the profit per hour it
recorded is carried to the prices it shows today: a lane our own trading wore down falls back until its prices
recover, and a lane that keeps earning less than its prices promise (deep price impact, long waits) sorts below one
that earns all of it. An untried lane scores the median share of the tried ones times its signal; when that median
is not positive, it comes after every lane known to earn. A lane whose share is below 0 sorts after every lane not
known to lose (a share drawn toward its kind's may stay above 0 after one losing run: it then ranks by that small
share, low among the earners). A lane known only from its good's runs on other lanes or from earlier processes'
runs (a record without a share) is scored as untried, unless it lost money; while no lane has a share, by its
recorded profit per hour, with the median of those records over their signals as the untried lanes' share (the two
then compare on one scale).

Why not the recorded profit per hour alone (the first version): a lane's record is what it earned at the prices it
had then, and the lanes that earned most are those our own trading has worn down most since. Ranked by records, the
bot kept going back to them; on eight seeds it made 19% less than the price ranking.
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from application.work_allocation import signal_per_hour
from domain.opportunity import ManufacturingOpportunity
from domain.trade_route import TradeRoute
from plugins import default_ranking
from plugins.default_trade_ranking import signal_weight
from plugins.hookspecs import hookimpl

_T = TypeVar("_T", TradeRoute, ManufacturingOpportunity)


def learned_order(items: Sequence[_T], now: datetime | None = None) -> list[_T]:
    """`items` best first by their recorded share of their price signal times that signal now (trade routes'
    signals weighed by the age of their prices and the feeder bonus, as the price ranking does)."""
    signals = {id(item): signal_per_hour(item) * (signal_weight(item, now) if isinstance(item, TradeRoute) else 1.0)
               for item in items}
    own = [item.recorded_share for item in items if item.recorded_share is not None]
    # With no share known (records without one only), what each record made of its lane's signal now stands in.
    shares = own or [item.recorded_profit_per_hour / signals[id(item)] for item in items
                     if item.recorded_profit_per_hour is not None and signals[id(item)] > 0]
    typical = statistics.median(shares) if shares else 1.0

    def score(item: _T) -> tuple[int, float]:
        share, recorded, signal = item.recorded_share, item.recorded_profit_per_hour, signals[id(item)]
        if share is not None:
            return (1 if share < 0 else 0, -share * signal)
        if recorded is not None and (recorded < 0 or not own):
            return (1 if recorded < 0 else 0, -recorded)
        if typical <= 0:
            # Most tried lanes lost: the untried come after every lane known to earn, before those known to lose.
            return (1, -signal)
        return (0, -typical * signal)

    return sorted(items, key=score)


@hookimpl
def spacetraders_rank_trade_routes(routes: Sequence[TradeRoute]) -> list[TradeRoute] | None:
    if all(route.recorded_profit_per_hour is None for route in routes):
        return None
    now = max((route.discovered_at for route in routes), default=None)
    return learned_order(routes, now)


@hookimpl
def spacetraders_rank_opportunities(
    opportunities: Sequence[ManufacturingOpportunity],
) -> list[ManufacturingOpportunity] | None:
    if all(opportunity.recorded_profit_per_hour is None for opportunity in opportunities):
        return None
    # Starting from the default order keeps its tie-breaks. (The default is reached through its module: a hook
    # implementation imported under another name would be taken for a hook.)
    return learned_order(default_ranking.spacetraders_rank_opportunities(opportunities))
