"""Factory lines: an export made from the imports delivered at the same market (game-api-facts §8.3).

A line's `feed` is its scarcest input's stock over that input's equilibrium. Every unit it makes consumes
`input_units_per_output` units of inputs, shared among them. What it can make is bounded twice:
- by its capacity, set by its inputs' depth: at capacity a line consumes its shallowest input's equilibrium stock in
  `line_drain_minutes`, so no line swallows a dump in minutes (the issue's "bottomless imports");
- by its feed: below `full_feed` it can make only that share of its capacity ("exports are constrained by the
  supply of imports").
It runs at 1/`line_headroom` of that bound by itself (its natural rate, which rises with the feed: delivered inputs
raise an intermediate good's supply a level in about 25 game minutes, facts universe §5 measured 18-34), and uses the
rest when its export is bought down, restocking it with `restock_half_life_minutes` ("as agents buy up supply from
an export good, production tends to increase to meet the demand ... only when there is an adequate supply of
imports", game-api-facts §8.3). Restocking eats the inputs, so a lane that keeps buying an export drains its
factory's inputs, the line turns RESTRICTED and the export's price runs away unless someone feeds it.

An untouched market is a steady state: the NPC trade that keeps it at its template buys the export as fast as the
line makes it at the template's feed and delivers the inputs as fast as it uses them. So only output ABOVE (or
below) the template's moves stocks: delivered inputs are turned into export supply 3:1 with the lag of production;
inputs an agent takes away starve the line, the export runs down and the line shows RESTRICTED. Nothing else refills
the inputs but the slow background drift (recovery.py).

Every function here is pure: numbers in, numbers out.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from adapters.game_server.economy import EconomySettings
from adapters.game_server.state import MarketGood, Recipe

_LN2 = math.log(2)


def line_capacity(input_equilibria: Iterable[float], settings: EconomySettings) -> float:
    """The most export units per game minute a line can make, from its inputs' equilibrium stocks."""
    return min(input_equilibria) / (settings.input_units_per_output * settings.line_drain_minutes)


def throughput(feed: float, capacity: float, settings: EconomySettings) -> float:
    """The most export units per game minute a line of this capacity can make at this feed (scarcest input's
    stock over its equilibrium)."""
    if feed <= 0:
        return 0.0
    share = feed / settings.full_feed
    return capacity * (share if share < 1.0 else 1.0)


def natural_rate(feed: float, capacity: float, settings: EconomySettings) -> float:
    """Export units per game minute a line makes when nobody drains its export."""
    return throughput(feed, capacity, settings) / settings.line_headroom


def restock_rate(shortfall: float, settings: EconomySettings) -> float:
    """Extra export units per game minute a line is asked for when its export is `shortfall` units below its
    template stock."""
    return shortfall * _LN2 / settings.restock_half_life_minutes if shortfall > 0 else 0.0


def feed_of(ratios: Iterable[float]) -> float:
    """A line's feed from its inputs' stock/equilibrium ratios: the scarcest one (an empty line is unfed)."""
    return max(0.0, min(ratios, default=0.0))


def extra_output(feed: float, template_feed: float, capacity: float, shortfall: float, minutes: float,
                 input_stocks: Iterable[float], settings: EconomySettings) -> float:
    """Export units a line adds beyond (negative: falls short of) what the background trade takes, in `minutes`,
    with its export `shortfall` units below its template stock.

    The line's inputs are consumed at `input_units_per_output` times this, shared among them, so the extra can
    never use more of an input than the market holds.
    """
    rate = natural_rate(feed, capacity, settings) + restock_rate(shortfall, settings)
    most = throughput(feed, capacity, settings)
    extra = ((rate if rate < most else most) - natural_rate(template_feed, capacity, settings)) * minutes
    if extra > 0:
        stocks = list(input_stocks)
        per_unit = settings.input_units_per_output / len(stocks)
        extra = min(extra, min(stocks) / per_unit)
    return extra


def link_factories(goods: dict[str, MarketGood], recipes: tuple[Recipe, ...]) -> None:
    """Mark the factory exports and the imports some line consumes."""
    for good in goods.values():
        good.factory = False
        good.consumed = False
    for recipe in recipes:
        goods[recipe.export].factory = True
        for name in recipe.inputs:
            goods[name].consumed = True
