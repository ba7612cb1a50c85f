"""How a good's tradeVolume evolves: it grows under sustained trade and shrinks back to its tier when neglected.

Facts (universe §5, game-api-facts §8.3): EQUIPMENT's tradeVolume grew 20 -> 39 within 28 h at one exporter; feeding a
factory's imports grew its export's 6 -> 15-22; import depth never grows; markets decline when neglected.

Model. `pressure` counts recent trade in units, decaying with `volume_memory_minutes` (half-life), so its rate is
pressure * ln2 / memory units per minute. That rate in tranches of the current tradeVolume per game hour sets a
target of tier * (1 + volume_growth * rate), at most `max_volume_growth` times the tier, and the tradeVolume moves
toward it with `volume_half_life_minutes`. Measuring trade in tranches of the CURRENT tradeVolume makes growth
self-limiting for a steady flow of units (it is fewer tranches of a grown volume). With the defaults, a full tranche
bought every 20 minutes for 28 h takes a tier-20 good to about 39, as the facts report for EQUIPMENT.

When the rounded tradeVolume changes, the good's equilibrium stock changes with it (depth * tv^1.5) and its stock is
scaled along, so the price and the supply label stay where they were while each tranche moves the price less.

Every function here is pure.
"""
from __future__ import annotations

import math

from adapters.game_server.economy import EconomySettings
from adapters.game_server.recovery import relax

_LN2 = math.log(2)


def decayed_pressure(pressure: float, minutes: float, settings: EconomySettings) -> float:
    """Recent trade (units) after `minutes` with no new trade."""
    if pressure <= 0 or minutes <= 0:
        return pressure
    return pressure * math.exp(-_LN2 * minutes / settings.volume_memory_minutes)


def tranches_per_hour(pressure: float, volume: float, settings: EconomySettings) -> float:
    """The sustained trade that recent-trade `pressure` stands for, in tranches of `volume` per game hour."""
    return pressure * _LN2 / settings.volume_memory_minutes * 60.0 / volume


def target_volume(tier: int, rate: float, settings: EconomySettings, kind: str = "EXPORT") -> float:
    """The tradeVolume that `rate` tranches per game hour, held, leads to (never above the kind's cap, nor below
    the tier)."""
    growth = 1.0 + settings.volume_growth * rate
    if growth > settings.max_volume_growth:
        growth = settings.max_volume_growth
    return max(float(tier), min(tier * growth, settings.max_trade_volume[kind]))


def next_volume(volume: float, tier: int, pressure: float, minutes: float, settings: EconomySettings,
                kind: str = "EXPORT") -> float:
    """The unrounded tradeVolume after `minutes` of the trade `pressure` stands for."""
    target = target_volume(tier, tranches_per_hour(pressure, volume, settings), settings, kind)
    return relax(volume, target, minutes, settings.volume_half_life_minutes)


def shown_volume(volume: float) -> int:
    """The tradeVolume the API shows (a whole number of units, at least 1)."""
    return max(1, round(volume))


def stock_scale(old_trade_volume: int, new_trade_volume: int) -> float:
    """Factor on a good's equilibrium (and so its stock) when its tradeVolume changes (equilibrium ~ tv^1.5)."""
    return (new_trade_volume / old_trade_volume) ** 1.5
