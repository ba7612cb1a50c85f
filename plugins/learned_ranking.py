"""Learned ranking: rank by the profit per hour the ledger actually recorded, the price signal for the untried.

Select it with `ST_ARBITRAGE_RANKING=learned_ranking` (trade routes: export -> import lanes) and with
`ST_STRATEGY_RANKING=learned_ranking` (manufacturing: good -> sell market lanes). Until some lane has a record it
passes (answers None), so the default price ranking decides. A lane that was tried is scored by what it earned per
hour of a ship's time; one never tried gets its price signal (a route's discounted lot margin, an opportunity's bid)
converted to credits per hour with the median ratio of recorded profit to price signal over the tried lanes (so the
two scales compare). A lane that lost money sorts after every lane not known to lose.
"""
from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import TypeVar

from domain.opportunity import ManufacturingOpportunity
from domain.trade_route import TradeRoute
from plugins import default_ranking
from plugins.default_trade_ranking import price_score
from plugins.hookspecs import hookimpl

_T = TypeVar("_T")


def learned_order(items: Sequence[_T], recorded: Callable[[_T], float | None],
                  signal: Callable[[_T], float]) -> list[_T]:
    """`items` best first by recorded profit per hour, the untried scored by their calibrated price `signal`."""
    ratios = [r / s for item in items if (r := recorded(item)) is not None and (s := signal(item)) > 0]
    scale = statistics.median(ratios) if ratios else None

    def score(item: _T) -> tuple[int, float]:
        value = recorded(item)
        if value is not None:
            return (1 if value < 0 else 0, -value)
        estimate = signal(item) * scale if scale is not None and scale > 0 else signal(item)
        # With no positive calibration the untried still rank among themselves by price, after the proven earners.
        return (0, -estimate) if scale is None or scale > 0 else (1, -signal(item))

    return sorted(items, key=score)


@hookimpl
def spacetraders_rank_trade_routes(routes: Sequence[TradeRoute]) -> list[TradeRoute] | None:
    if all(route.recorded_profit_per_hour is None for route in routes):
        return None
    now = max((route.discovered_at for route in routes), default=None)
    return learned_order(routes, lambda r: r.recorded_profit_per_hour, lambda r: price_score(r, now))


@hookimpl
def spacetraders_rank_opportunities(
    opportunities: Sequence[ManufacturingOpportunity],
) -> list[ManufacturingOpportunity] | None:
    if all(opportunity.recorded_profit_per_hour is None for opportunity in opportunities):
        return None
    # The price signal is the sell market's bid; starting from the default order keeps its tie-breaks. (The default
    # is reached through its module: a hook implementation imported under another name would be taken for a hook.)
    return learned_order(default_ranking.spacetraders_rank_opportunities(opportunities),
                         lambda o: o.recorded_profit_per_hour, lambda o: float(o.bid))
