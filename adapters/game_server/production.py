"""Factory lines: an export made from the imports delivered at the same market (game-api-facts §8.3).

A line's `feed` is its scarcest input's stock over that input's equilibrium. Its throughput (export units per game
minute) is proportional to the feed up to `full_feed`, where the line runs at its capacity. Every unit made consumes
`input_units_per_output` units of inputs, shared among them. The capacity is set by the inputs' depth: at full
throughput a line consumes its shallowest input's equilibrium stock in `line_drain_minutes`. So a line cannot
swallow a dump in minutes, whatever its export (the issue's "bottomless imports"), and an intermediate good fed from
a deeper tier (MACHINERY from IRON, SHIP_PARTS from EQUIPMENT) rises a supply level in about 25 game minutes (facts
universe §5 measured 18-34 for intermediates); a refinery of the same tier (IRON from IRON_ORE) is slower.

An untouched market is a steady state: the NPC trade that keeps it at its template buys the export as fast as the
line makes it at the template's feed and delivers the inputs as fast as it uses them. So only the line's output
ABOVE (or below) its template throughput moves stocks: inputs an agent delivers raise the feed, are consumed at a
bounded rate and turned into export supply 3:1 with the lag of production; inputs an agent takes away starve the
line, the export runs down and the line shows RESTRICTED. Nothing else refills the inputs but the slow background
drift (recovery.py).

Every function here is pure: numbers in, numbers out.
"""
from __future__ import annotations

from collections.abc import Iterable

from adapters.game_server.economy import EconomySettings
from adapters.game_server.state import MarketGood, Recipe


def line_capacity(input_equilibria: Iterable[float], settings: EconomySettings) -> float:
    """The most export units per game minute a line can make, from its inputs' equilibrium stocks."""
    return min(input_equilibria) / (settings.input_units_per_output * settings.line_drain_minutes)


def throughput(feed: float, capacity: float, settings: EconomySettings) -> float:
    """Export units per game minute a line of this capacity makes at this feed (scarcest input's stock over its
    equilibrium)."""
    if feed <= 0:
        return 0.0
    share = feed / settings.full_feed
    return capacity * (share if share < 1.0 else 1.0)


def feed_of(ratios: Iterable[float]) -> float:
    """A line's feed from its inputs' stock/equilibrium ratios: the scarcest one (an empty line is unfed)."""
    return max(0.0, min(ratios, default=0.0))


def extra_output(feed: float, template_feed: float, capacity: float, minutes: float,
                 input_stocks: Iterable[float], settings: EconomySettings) -> float:
    """Export units a line adds beyond (negative: falls short of) what the background trade takes, in `minutes`.

    The line's inputs are consumed at `input_units_per_output` times this, shared among them, so the extra can
    never use more of an input than the market holds.
    """
    extra = (throughput(feed, capacity, settings) - throughput(template_feed, capacity, settings)) * minutes
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
