"""Learned ranking: rank lanes by what the ledger recorded they earn, at the prices they show now.

Select it with `ST_ARBITRAGE_RANKING=learned_ranking` (trade routes: export -> import lanes) and with
`ST_STRATEGY_RANKING=learned_ranking` (manufacturing: good -> sell market lanes). Until some lane has a record it
passes (answers None), so the default price ranking decides.

Every lane is scored in credits per hour of a ship's time. Its price signal (application.work_allocation's
signal_per_hour: the margin on what one trip moves over the trip's hours) is what its prices promise; the ledger
says what share of that promise the lane's runs earned (`recorded_share`: recent runs weighing most, the good's
runs for a lane not run itself). A tried lane scores its share times its signal now, so the profit per hour it
recorded is carried to the prices it shows today: a lane our own trading wore down falls back until its prices
recover, and a lane that keeps earning less than its prices promise (deep price impact, long waits) sorts below one
that earns all of it. An untried lane scores the median share of the tried ones times its signal. A lane that lost
money sorts after every lane not known to lose. A lane known only from earlier processes' runs (a record without a
share) is scored as untried, unless it lost money; while no lane has a share, by its recorded profit per hour.

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
    def signal(item: _T) -> float:
        value = signal_per_hour(item)
        return value * signal_weight(item, now) if isinstance(item, TradeRoute) else value

    shares = [item.recorded_share for item in items if item.recorded_share is not None]
    median = statistics.median(shares) if shares else None

    def score(item: _T) -> tuple[int, float]:
        share, recorded = item.recorded_share, item.recorded_profit_per_hour
        if share is not None:
            return (1 if share < 0 else 0, -share * signal(item))
        if recorded is not None and (recorded < 0 or median is None):
            return (1 if recorded < 0 else 0, -recorded)
        # Untried, or tried only by earlier processes: the tried lanes' typical share of their signal.
        return (0, -signal(item) * (median if median is not None and median > 0 else 1.0))

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
