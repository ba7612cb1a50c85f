"""Factories, consumption and drift: how a market's stocks move with game time (game-api-facts §8.3).

A factory line makes an export from imports held at the same market. Its `feed` is the scarcest input's stock
relative to that input's equilibrium (capped at `max_feed`). Per game minute, with lam = ln 2 / production
half-life:
- the export's stock relaxes toward `equilibrium * (unfed_share + (1 - unfed_share) * feed)`: at feed 1 (inputs at
  equilibrium) it holds its equilibrium, with inputs above equilibrium it climbs (one supply level in about 18
  game minutes with inputs kept at twice their equilibrium, longer when fed less; facts universe §5 measured
  18-34), with no inputs it runs down to `unfed_share` of it;
- the part of that output due to the inputs, `(1 - unfed_share) * feed * lam * equilibrium` units/min, consumes
  `input_units_per_output` units of inputs per unit, shared among the inputs;
- each consumed import is resupplied at its baseline use plus a drift back to equilibrium, so untouched markets
  stay put, while inputs an agent sells there are consumed (their price recovers upward) and turned into exports.
Goods no factory touches (exchange, consumer imports, exports without their inputs here) drift back to equilibrium
with the drift half-life.

Markets advance lazily: the World calls `advance` with the game minutes elapsed since the market was last looked
at, so idle markets cost nothing. Long gaps are integrated in at most `_MAX_STEPS` steps; the import update is
implicit, so big steps stay stable.
"""
from __future__ import annotations

import math

from adapters.game_server.economy import EconomySettings
from adapters.game_server.state import MarketGood, MarketState, Recipe

_STEP_MINUTES = 5.0
_MAX_STEPS = 400
_LN2 = math.log(2)


def link_factories(goods: dict[str, MarketGood], recipes: tuple[Recipe, ...],
                   settings: EconomySettings) -> None:
    """Mark factory exports and consumed imports and set each import's baseline use (units/min at feed 1)."""
    lam = _LN2 / settings.production_half_life_minutes
    for good in goods.values():
        good.factory = False
        good.consumed = False
        good.baseline_use = 0.0
    for recipe in recipes:
        export = goods[recipe.export]
        export.factory = True
        per_input = ((1 - settings.unfed_share) * lam * export.equilibrium
                     * settings.input_units_per_output / len(recipe.inputs))
        for name in recipe.inputs:
            goods[name].consumed = True
            goods[name].baseline_use += per_input


def feed_of(recipe: Recipe, goods: dict[str, MarketGood], max_feed: float) -> float:
    """How well a factory line is supplied: its scarcest input's stock over that input's equilibrium."""
    feed = max_feed
    for name in recipe.inputs:
        good = goods[name]
        ratio = good.stock / good.equilibrium
        if ratio < feed:
            feed = ratio
    return max(0.0, feed)


def advance(market: MarketState, minutes: float, settings: EconomySettings) -> None:
    """Run the market's factories, consumption and drift for `minutes` of game time."""
    if minutes <= 0:
        return
    steps = max(1, math.ceil(minutes / _STEP_MINUTES))
    if steps > _MAX_STEPS:
        steps = _MAX_STEPS
    h = minutes / steps
    lam = _LN2 / settings.production_half_life_minutes
    mu = _LN2 / settings.drift_half_life_minutes
    keep_production = math.exp(-lam * h)
    keep_drift = math.exp(-mu * h)
    unfed = settings.unfed_share
    per_output = settings.input_units_per_output
    max_feed = settings.max_feed
    goods = market.goods
    recipes = market.recipes
    for _ in range(steps):
        use: dict[str, float] = {}
        for recipe in recipes:
            export = goods[recipe.export]
            feed = feed_of(recipe, goods, max_feed)
            export.feed = feed
            target = export.equilibrium * (unfed + (1 - unfed) * feed)
            export.stock = target + (export.stock - target) * keep_production
            per_input = (1 - unfed) * feed * lam * export.equilibrium * per_output / len(recipe.inputs)
            for name in recipe.inputs:
                use[name] = use.get(name, 0.0) + per_input
        for good in goods.values():
            if good.factory:
                continue
            if good.consumed:
                stock = good.stock
                rate = use.get(good.symbol, 0.0) / stock if stock > 0 else 0.0
                good.stock = ((stock + h * (mu * good.equilibrium + good.baseline_use))
                              / (1 + h * (mu + rate)))
            else:
                good.stock = good.equilibrium + (good.stock - good.equilibrium) * keep_drift
    _set_import_feeds(market, settings)


def _set_import_feeds(market: MarketState, settings: EconomySettings) -> None:
    """An import's activity follows the best-fed factory line consuming it."""
    goods = market.goods
    best: dict[str, float] = {}
    for recipe in market.recipes:
        feed = goods[recipe.export].feed
        for name in recipe.inputs:
            if feed > best.get(name, -1.0):
                best[name] = feed
    for name, feed in best.items():
        goods[name].feed = feed


def refresh_feeds(market: MarketState, settings: EconomySettings) -> None:
    """Recompute the feeds (activity labels) from current stocks without moving time."""
    for recipe in market.recipes:
        goods = market.goods
        goods[recipe.export].feed = feed_of(recipe, goods, settings.max_feed)
    _set_import_feeds(market, settings)
