"""How a market moves with game time: its factory lines, the background trade and its trade volumes.

The World advances a market lazily, with the game minutes elapsed since it was last looked at, so idle markets cost
nothing. One step of `h` minutes composes the pure dynamics:
1. each factory line adds its output above (or below) the template's to its export, restocking it when bought
   down, and takes 3 input units per unit from its inputs (production.py);
2. every good drifts back toward its template state with the recovery half-life (recovery.py);
3. exports' and exchanges' tradeVolumes follow their recent trade (trade_volume.py).
The template state is a fixed point of all three, so a market nobody trades keeps its labels (facts universe §1)
for as long as it stays untouched; after `_SETTLE_HALF_LIVES` of the slowest half-life it is back there exactly.
"""
from __future__ import annotations

import math

from adapters.game_server.economy import GROWING_KINDS, EconomySettings
from adapters.game_server.production import extra_output, feed_of, line_capacity
from adapters.game_server.recovery import retention
from adapters.game_server.state import MarketGood, MarketState
from adapters.game_server.trade_volume import decayed_pressure, next_volume, shown_volume, stock_scale

_STEP_MINUTES = 5.0           # short gaps: steps this long (a line's explicit update is stable far beyond it)
_LONG_STEP_MINUTES = 15.0     # long idle gaps: at most this long
_MAX_STEPS = 1000
_SETTLE_HALF_LIVES = 20       # after this many of the slowest half-life an untouched market is at its template


def advance(market: MarketState, minutes: float, settings: EconomySettings) -> None:
    """Run the market's lines, background trade and trade-volume evolution for `minutes` of game time."""
    if minutes <= 0:
        return
    slowest = max(settings.recovery_half_life_minutes, settings.volume_half_life_minutes,
                  settings.volume_memory_minutes)
    if minutes >= _SETTLE_HALF_LIVES * slowest:
        settle(market, settings)
        return
    step = min(_STEP_MINUTES, settings.line_drain_minutes / 8, settings.restock_half_life_minutes / 8)
    steps = math.ceil(minutes / step)
    if steps > _MAX_STEPS:
        steps = max(_MAX_STEPS, math.ceil(minutes / max(step, _LONG_STEP_MINUTES)))
    h = minutes / steps
    keep = retention(h, settings.recovery_half_life_minutes)
    goods = market.goods
    for _ in range(steps):
        _run_lines(market, h, settings)
        for good in goods.values():
            target = good.equilibrium * good.template_ratio
            if good.stock != target:
                good.stock = target + (good.stock - target) * keep
            if good.kind in GROWING_KINDS and (good.pressure > 0 or good.volume != good.tier):
                _evolve_volume(good, h, settings)
    refresh_feeds(market)


def _run_lines(market: MarketState, h: float, settings: EconomySettings) -> None:
    goods = market.goods
    per_unit_total = settings.input_units_per_output
    for recipe in market.recipes:
        export = goods[recipe.export]
        inputs = [goods[name] for name in recipe.inputs]
        feed = feed_of(g.stock / g.equilibrium for g in inputs)
        template_feed = feed_of(g.template_ratio for g in inputs)
        capacity = line_capacity((g.equilibrium for g in inputs), settings)
        shortfall = export.equilibrium * export.template_ratio - export.stock
        extra = extra_output(feed, template_feed, capacity, shortfall, h, (g.stock for g in inputs), settings)
        if extra == 0.0:
            continue
        export.stock = max(0.0, export.stock + extra)
        if extra > 0 and export.kind in GROWING_KINDS:
            export.pressure += extra
        used = extra * per_unit_total / len(inputs)
        for good in inputs:
            good.stock = max(0.0, good.stock - used)


def _evolve_volume(good: MarketGood, h: float, settings: EconomySettings) -> None:
    good.volume = next_volume(good.volume, good.tier, good.pressure, h, settings)
    good.pressure = decayed_pressure(good.pressure, h, settings)
    if good.pressure < 1e-6:
        good.pressure = 0.0
        if abs(good.volume - good.tier) < 1e-3:
            good.volume = float(good.tier)
    _show_volume(good, shown_volume(good.volume), settings)


def _show_volume(good: MarketGood, trade_volume: int, settings: EconomySettings) -> None:
    """Set the tradeVolume the API shows, scaling the stock so the price and the label stay put."""
    if trade_volume == good.trade_volume:
        return
    scale = stock_scale(good.trade_volume, trade_volume)
    good.trade_volume = trade_volume
    good.equilibrium = settings.equilibrium_stock(good.kind, trade_volume)
    good.stock *= scale


def settle(market: MarketState, settings: EconomySettings) -> None:
    """Put the market back in its template state (what long neglect leads to)."""
    for good in market.goods.values():
        good.pressure = 0.0
        good.volume = float(good.tier)
        _show_volume(good, good.tier, settings)
        good.stock = good.equilibrium * good.template_ratio
    refresh_feeds(market)


def refresh_feeds(market: MarketState) -> None:
    """Set each line's feed on its export, and on each import the feed of the best-fed line consuming it (what
    the activity labels show), from the current stocks."""
    goods = market.goods
    best: dict[str, float] = {}
    for recipe in market.recipes:
        feed = feed_of(goods[name].stock / goods[name].equilibrium for name in recipe.inputs)
        goods[recipe.export].feed = feed
        for name in recipe.inputs:
            if feed > best.get(name, -1.0):
                best[name] = feed
    for name, feed in best.items():
        goods[name].feed = feed
