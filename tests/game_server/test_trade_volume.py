"""Trade volume growth: recent trade sets a target, the tradeVolume follows slowly, neglect takes it back."""
from __future__ import annotations

import math

from adapters.game_server.economy import EconomySettings
from adapters.game_server.trade_volume import (
    decayed_pressure, next_volume, shown_volume, stock_scale, target_volume, tranches_per_hour,
)

SETTINGS = EconomySettings()


def test_pressure_halves_over_the_memory_half_life() -> None:
    assert math.isclose(decayed_pressure(100.0, SETTINGS.volume_memory_minutes, SETTINGS), 50.0)
    assert decayed_pressure(0.0, 60.0, SETTINGS) == 0.0


def test_held_pressure_reads_as_the_trade_rate_that_built_it() -> None:
    # Trading r units a minute for a long time builds pressure r * memory / ln 2.
    rate_units = 1.0
    pressure = 0.0
    for _ in range(10_000):
        pressure = decayed_pressure(pressure, 1.0, SETTINGS) + rate_units
    assert math.isclose(tranches_per_hour(pressure, 20, SETTINGS), 60 / 20, rel_tol=0.01)


def test_the_target_is_the_tier_without_trade_and_capped_with_much() -> None:
    assert target_volume(20, 0.0, SETTINGS) == 20
    assert target_volume(20, 1.0, SETTINGS) == 20 * (1 + SETTINGS.volume_growth)
    assert target_volume(6, 1000.0, SETTINGS) == 6 * SETTINGS.max_volume_growth


def test_the_target_stays_under_the_starter_system_caps() -> None:
    # game-api-facts §8.3: starter systems cap tradeVolume at 400, exchange goods at 300.
    assert target_volume(180, 1000.0, SETTINGS, "EXCHANGE") == 300
    assert target_volume(180, 0.0, SETTINGS, "EXCHANGE") == 180
    assert target_volume(60, 1000.0, SETTINGS, "EXPORT") == 240


def test_three_tranches_an_hour_for_28_hours_take_a_tier_20_good_near_39() -> None:
    # Facts universe §5: EQUIPMENT's tradeVolume grew 20 -> 39 within 28 h of sustained trade.
    volume, pressure = 20.0, 0.0
    for minute in range(28 * 60):
        if minute % 20 == 0:
            pressure += shown_volume(volume)            # one tranche of the shown tradeVolume every 20 minutes
        volume = next_volume(volume, 20, pressure, 1.0, SETTINGS)
        pressure = decayed_pressure(pressure, 1.0, SETTINGS)
    assert 32 <= shown_volume(volume) <= 48


def test_neglect_brings_the_volume_back_to_its_tier() -> None:
    volume = next_volume(50.0, 20, 0.0, SETTINGS.volume_half_life_minutes, SETTINGS)
    assert math.isclose(volume, 35.0)
    assert shown_volume(next_volume(50.0, 20, 0.0, 20 * SETTINGS.volume_half_life_minutes, SETTINGS)) == 20


def test_a_grown_volume_scales_the_stock_with_the_equilibrium() -> None:
    before, after = SETTINGS.equilibrium_stock("EXPORT", 20), SETTINGS.equilibrium_stock("EXPORT", 39)
    assert math.isclose(before * stock_scale(20, 39), after)
    assert shown_volume(0.2) == 1 and shown_volume(38.6) == 39
