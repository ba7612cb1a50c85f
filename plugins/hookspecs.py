"""The strategy hooks a plugin may implement, and the markers to write them with.

A third-party package implements a hook with `@hookimpl` in a module and declares that
module in its `[project.entry-points."spacetraders.plugins"]`. Every hook returns the first
non-None answer (`firstresult`); our defaults are marked `trylast`, so any installed plugin
is asked first and may answer None to let the next one decide. The manufacturing ranking is
chosen by name (`ST_STRATEGY_RANKING`), the trade-route ranking too (`ST_ARBITRAGE_RANKING`, see
plugins/trade_route_ranker.py); `learned_ranking` implements both.
"""
from __future__ import annotations

from collections.abc import Sequence

import pluggy

from domain.fleet import ShipSummary
from domain.opportunity import ManufacturingOpportunity
from domain.trade_route import TradeRoute

PROJECT_NAME = "spacetraders"
ENTRY_POINT_GROUP = "spacetraders.plugins"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec(firstresult=True)
def spacetraders_rank_opportunities(
    opportunities: Sequence[ManufacturingOpportunity],
) -> list[ManufacturingOpportunity] | None:
    """Return the opportunities to pursue, best first, or None to let the next plugin decide. Each opportunity
    carries, once its good was made and sold there, `recorded_profit_per_hour` from the ledger and `recorded_share`,
    the part of their price signal its runs earned (both None when never tried, and always None in `analyze demand`,
    which runs no coordinator; the share is None too for runs of earlier processes). The signal is
    application.work_allocation.signal_per_hour: the share times its value now is what the record says the lane
    earns at today's prices.

    The answer may leave opportunities out; it must not contain anything that was not given.
    """


@hookspec(firstresult=True)
def spacetraders_select_ship(
    opportunity: ManufacturingOpportunity, idle_ships: Sequence[ShipSummary]
) -> ShipSummary | None:
    """Return the ship (one of `idle_ships`) to send after `opportunity`, or None for no opinion.

    When every plugin answers None, no ship is sent.
    """


@hookspec(firstresult=True)
def spacetraders_rank_trade_routes(routes: Sequence[TradeRoute]) -> list[TradeRoute] | None:
    """Return the trade routes (export -> import lanes) to pursue, best first, or None to let the next plugin
    decide. Each route carries its age (`observed_at`; `freshness(now)` weighs it by the configured half-life of
    game time, already converted to the bot's clock) and, once tried, `recorded_profit_per_hour` and
    `recorded_share` from the ledger, as opportunities do.

    The answer may leave routes out; it must not contain anything that was not given.
    """
