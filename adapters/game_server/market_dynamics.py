"""How a market moves with game time: its factory lines, the background trade and its trade volumes.

The World advances a market lazily, with the game minutes elapsed since it was last looked at, so idle markets cost
nothing. One step of `h` minutes composes the pure dynamics:
1. each factory line adds its output above (or below) the template's to its export, restocking it when bought
   down, and takes 3 input units per unit from its inputs (production.py);
2. every good drifts back toward its template state with the recovery half-life, an import's surplus faster
   (recovery.py);
3. exports' and exchanges' tradeVolumes follow their recent trade (trade_volume.py).
The template state is a fixed point of all three, so a market nobody trades keeps its base at the template (facts
universe §1) for as long as it stays untouched; after `_SETTLE_HALF_LIVES` of the slowest half-life it is back there
exactly. On top of that base, the background traffic (market_noise.py) moves what the market shows, as a function
of game time alone.

A purchase at an export is answered at once by its factory line while the line is fed (`answer_purchase`), so a
fed export's stock and price barely move while its inputs last.
"""
from __future__ import annotations

import math

from adapters.game_server.economy import GROWING_KINDS, EconomySettings, answered_share, apply_purchase, import_bounce
from adapters.game_server.market_noise import factor
from adapters.game_server.production import extra_output, feed_of, line_capacity
from adapters.game_server.recovery import retention
from adapters.game_server.state import MarketGood, MarketState
from adapters.game_server.trade_volume import decayed_pressure, next_volume, shown_volume, stock_scale

_STEP_MINUTES = 5.0           # short gaps: steps this long (a line's explicit update is stable far beyond it)
_LONG_STEP_MINUTES = 15.0     # long idle gaps: at most this long
_MAX_STEPS = 1000
_SETTLE_HALF_LIVES = 20       # after this many of the slowest half-life an untouched market is at its template
# A deviation below this share of the template stock is invisible in prices: the good is back at its template.
_AT_TEMPLATE = 1e-5


def advance(market: MarketState, minutes: float, settings: EconomySettings, at: float | None = None) -> None:
    """Run the market's lines, background trade and trade-volume evolution for `minutes` of game time.

    `at`, when given, is the game time (minutes since the era's start) the market is advanced to: the background
    traffic (market_noise.py) is applied for that time. The dynamics run on each good's `base`, the stock without
    that traffic, so the traffic never accumulates and an untouched market shows a pure function of game time.
    """
    if minutes <= 0:
        return
    goods = market.goods.values()
    for good in goods:
        if good.stock != good.shown:          # traded (or set) since the last factor: its base follows
            good.base = good.underlying_stock
    moved = not at_rest(market)
    if moved:
        for good in goods:
            good.stock = good.base
        _evolve(market, minutes, settings)
        for good in goods:
            good.base = good.stock
    elif at is None:
        return
    for good in goods:
        if at is not None:
            good.noise = factor(good.noise_key, at, good.kind, settings,
                                good.base / good.template_stock)
        good.stock = good.shown = good.base * good.noise
    refresh_feeds(market)


def _evolve(market: MarketState, minutes: float, settings: EconomySettings) -> None:
    slowest = max(settings.recovery_half_life_minutes, settings.import_surplus_half_life_minutes,
                  settings.volume_half_life_minutes, settings.volume_memory_minutes)
    if minutes >= _SETTLE_HALF_LIVES * slowest:
        settle(market, settings)
        return
    step = min(_STEP_MINUTES, settings.line_drain_minutes / 8, settings.restock_half_life_minutes / 8)
    steps = math.ceil(minutes / step)
    if steps > _MAX_STEPS:
        steps = max(_MAX_STEPS, math.ceil(minutes / max(step, _LONG_STEP_MINUTES)))
    h = minutes / steps
    keep = retention(h, settings.recovery_half_life_minutes)
    keep_surplus = retention(h, settings.import_surplus_half_life_minutes)
    lines = _lines(market, settings)
    goods = tuple(market.goods.values())
    for _ in range(steps):
        before = [good.stock for good in goods]
        if lines:
            _run_lines(lines, h, settings)
        for good, stock_before in zip(goods, before):
            target = good.template_stock
            deviation = good.stock - target
            if deviation:
                if abs(deviation) <= _AT_TEMPLATE * target + 1e-9:
                    good.stock = target
                elif good.kind == "IMPORT" and stock_before > target:
                    # What a line consuming the import took in this step is part of its bounce, not on top of it
                    # (facts: the bid's half-life is 1-1.5 h either way), unless the line alone took more.
                    drained = import_bounce(good, stock_before, target, keep_surplus, settings)
                    good.stock = drained if drained < good.stock else good.stock
                else:
                    good.stock = target + deviation * keep
            if good.pressure or good.volume != good.tier:
                _evolve_volume(good, h, settings)
    refresh_feeds(market)


def at_rest(market: MarketState) -> bool:
    """Whether the market's base sits exactly at its template (the dynamics' fixed point: time changes nothing but
    the background traffic). Valid once `advance` has derived the bases."""
    for good in market.goods.values():
        if good.pressure or good.volume != good.tier or good.base != good.template_stock:
            return False
    return True


# A market's lines, ready to run: (export, inputs, capacity, template feed), kept with the settings and recipes they
# were made for. Only imports feed lines and their tradeVolume never changes, so capacity and template feed stay put.
_Line = tuple[MarketGood, tuple[MarketGood, ...], float, float]


def _lines(market: MarketState, settings: EconomySettings) -> tuple[_Line, ...]:
    cached = market.lines
    if cached is not None and cached[0] is settings and cached[1] is market.recipes:
        return cached[2]
    goods = market.goods
    lines = []
    for recipe in market.recipes:
        inputs = tuple(goods[name] for name in recipe.inputs)
        lines.append((goods[recipe.export], inputs, line_capacity((g.equilibrium for g in inputs), settings),
                      feed_of(g.template_ratio for g in inputs)))
    market.lines = (settings, market.recipes, tuple(lines))
    return market.lines[2]


def _run_lines(lines: tuple[_Line, ...], h: float, settings: EconomySettings) -> None:
    per_unit_total = settings.input_units_per_output
    for export, inputs, capacity, template_feed in lines:
        if len(inputs) == 1:
            only = inputs[0]
            feed = only.stock / only.equilibrium
        else:
            feed = min(g.stock / g.equilibrium for g in inputs)
        shortfall = export.equilibrium * export.template_ratio - export.stock
        if feed == template_feed and shortfall <= 0:
            continue                       # the line runs at its template rate: the background trade takes it all
        extra = extra_output(feed, template_feed, capacity, shortfall, h, (g.stock for g in inputs), settings)
        if extra == 0.0:
            continue
        export.stock = max(0.0, export.stock + extra)
        if extra > 0 and export.kind in GROWING_KINDS:
            export.pressure += extra
        used = extra * per_unit_total / len(inputs)
        for good in inputs:
            good.stock = max(0.0, good.stock - used)


def answer_purchase(market: MarketState, good: MarketGood, units: int, settings: EconomySettings) -> float:
    """An agent bought `units` of `good` here: its stock falls by them, less what its factory line makes at once
    (`answered_share` of them, by the line's labels before the purchase), each unit made taking exactly
    `input_units_per_output` units of the line's inputs, shared among them, never more than they hold. The inputs'
    supply falls and their bids rise; as they run down the line turns WEAK, then RESTRICTED, and answers less.
    What is made counts toward the export's tradeVolume growth, as the line's output over time does.
    Returns the units made, as the market shows them."""
    share = answered_share(good, settings)
    apply_purchase(good, units)
    if share <= 0.0:
        return 0.0
    inputs = next((line[1] for line in _lines(market, settings) if line[0] is good), ())
    if not inputs:
        return 0.0
    per_input = settings.input_units_per_output / len(inputs)
    # Counted in the units the dynamics keep (MarketGood.underlying_stock, the stock without the background
    # traffic), as _run_lines counts the line's output over time: 3 input units a unit there, whatever factor the
    # traffic shows each good at just now.
    made = min(share * units / good.noise, min(g.underlying_stock for g in inputs) / per_input)
    good.stock += made * good.noise
    good.pressure += made
    for g in inputs:
        g.stock = max(0.0, g.stock - made * per_input * g.noise)
    refresh_feeds(market)
    return made * good.noise


def _evolve_volume(good: MarketGood, h: float, settings: EconomySettings) -> None:
    if good.kind not in GROWING_KINDS:
        good.pressure = 0.0
        return
    good.volume = next_volume(good.volume, good.tier, good.pressure, h, settings, good.kind)
    good.pressure = decayed_pressure(good.pressure, h, settings)
    if good.pressure < 1e-3:
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
        good.stock = good.template_stock
    refresh_feeds(market)


def refresh_feeds(market: MarketState) -> None:
    """Set each line's feed on its export, and on each import the feed of the best-fed line consuming it (what
    the activity labels show), from the current stocks without the background traffic: activity shows the lines'
    state, which the traffic does not change (with it, the min over several independently moving inputs would
    drag lines out of GROWING and shallow inputs out of RESTRICTED, away from the real activity mix)."""
    if not market.recipes:
        return
    goods = market.goods
    cached = market.lines
    if cached is not None and cached[1] is market.recipes:
        lines = [(export, inputs) for export, inputs, _, _ in cached[2]]
    else:
        lines = [(goods[r.export], tuple(goods[name] for name in r.inputs)) for r in market.recipes]
    for _, inputs in lines:
        for good in inputs:
            good.feed = -1.0
    for export, inputs in lines:
        feed = max(0.0, min(g.underlying_stock / g.equilibrium for g in inputs))
        export.feed = feed
        for good in inputs:
            if feed > good.feed:
                good.feed = feed
