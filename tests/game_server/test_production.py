"""Factories turn imports into exports over game time; unfed ones run down; untouched markets stay put."""
from __future__ import annotations

import math
from dataclasses import replace

from adapters.game_server.economy import EconomySettings, activity_level, apply_purchase, apply_sale, quote, \
    supply_level
from adapters.game_server.production import advance, link_factories
from adapters.game_server.state import MarketGood, MarketState, Recipe

SETTINGS = EconomySettings()


def factory_market(settings: EconomySettings = SETTINGS, iron_ratio: float = 1.0,
                   machinery_ratio: float = 1.0) -> MarketState:
    """A MACHINERY factory (tradeVolume 20) fed by IRON imports (tradeVolume 60), plus FUEL at an exchange."""
    def good(symbol: str, kind: str, trade_volume: int, purchase: float, ratio: float) -> MarketGood:
        equilibrium = settings.equilibrium_stock(kind, trade_volume)
        return MarketGood(symbol, kind, trade_volume, purchase / settings.spread[kind], equilibrium,
                          equilibrium * ratio)
    goods = {"MACHINERY": good("MACHINERY", "EXPORT", 20, 1746, machinery_ratio),
             "IRON": good("IRON", "IMPORT", 60, 302, iron_ratio),
             "FUEL": good("FUEL", "EXCHANGE", 180, 72, 1.0)}
    recipes = (Recipe("MACHINERY", ("IRON",)),)
    link_factories(goods, recipes, settings)
    return MarketState("X1-TEST-F14", goods, recipes, updated_at=0.0)


def test_an_untouched_market_stays_at_equilibrium() -> None:
    market = factory_market()
    before = {s: g.stock for s, g in market.goods.items()}
    advance(market, 600, SETTINGS)
    for symbol, stock in before.items():
        assert math.isclose(market.goods[symbol].stock, stock, rel_tol=1e-6)


def test_feeding_a_factory_raises_its_export_supply_later() -> None:
    fed, unfed = factory_market(), factory_market()
    for _ in range(20):                                   # 1,200 IRON sold to the factory
        apply_sale(fed.goods["IRON"], 60)
    machinery = fed.goods["MACHINERY"]
    start_stock, start_price = machinery.stock, quote(machinery, SETTINGS)[0]
    assert machinery.stock == unfed.goods["MACHINERY"].stock   # nothing yet: production takes time
    advance(fed, 30, SETTINGS)
    advance(unfed, 30, SETTINGS)
    assert machinery.stock > start_stock * 1.2
    assert quote(machinery, SETTINGS)[0] < start_price * 0.9
    assert activity_level(machinery) in ("GROWING", "STRONG")
    # The inputs were consumed: the IRON surplus shrinks and its price recovers upward.
    iron = fed.goods["IRON"]
    assert iron.stock < iron.equilibrium + 1200 * 0.75


def test_a_steadily_fed_export_rises_a_supply_level_within_35_game_minutes() -> None:
    market = factory_market()
    machinery, iron = market.goods["MACHINERY"], market.goods["IRON"]
    assert supply_level(machinery, SETTINGS) == "HIGH"
    minutes = 0
    while supply_level(machinery, SETTINGS) == "HIGH":
        iron.stock = 2 * iron.equilibrium                 # an agent keeps the factory's imports stocked
        advance(market, 1, SETTINGS)
        minutes += 1
        assert minutes <= 35
    assert supply_level(machinery, SETTINGS) == "ABUNDANT"
    assert minutes >= 10


def test_an_unfed_factory_runs_down_and_is_restricted() -> None:
    market = factory_market(iron_ratio=0.0)
    machinery = market.goods["MACHINERY"]
    start = machinery.stock
    advance(market, 20, SETTINGS)
    assert machinery.stock < start * 0.8
    assert activity_level(machinery) == "RESTRICTED"
    assert activity_level(market.goods["IRON"]) == "RESTRICTED"
    # With its inputs kept at zero it settles at the unfed share of its equilibrium.
    for _ in range(100):
        market.goods["IRON"].stock = 0.0
        advance(market, 5, SETTINGS)
    assert math.isclose(machinery.stock, machinery.equilibrium * SETTINGS.unfed_share, rel_tol=0.02)
    assert supply_level(machinery, SETTINGS) in ("SCARCE", "LIMITED")


def test_a_drained_export_recovers_through_production() -> None:
    market = factory_market()
    machinery = market.goods["MACHINERY"]
    start = quote(machinery, SETTINGS)[0]
    for _ in range(8):
        apply_purchase(machinery, 20)
    assert quote(machinery, SETTINGS)[0] > start * 1.3
    advance(market, 120, SETTINGS)
    assert quote(machinery, SETTINGS)[0] <= start * 1.05


def test_exchange_goods_drift_back_with_the_drift_half_life() -> None:
    market = factory_market()
    fuel = market.goods["FUEL"]
    fuel.stock = fuel.equilibrium * 0.5
    advance(market, SETTINGS.drift_half_life_minutes, SETTINGS)
    assert math.isclose(fuel.stock, fuel.equilibrium * 0.75, rel_tol=0.01)


def test_about_three_input_units_are_used_per_output_unit() -> None:
    # Without NPC drift the only change in the import over a short step is factory use minus baseline resupply.
    settings = replace(SETTINGS, drift_half_life_minutes=1e12)
    market = factory_market(settings, iron_ratio=2.0)
    iron, machinery = market.goods["IRON"], market.goods["MACHINERY"]
    h = 0.001
    before = iron.stock
    advance(market, h, settings)
    used = iron.baseline_use + (before - iron.stock) / h
    lam = math.log(2) / settings.production_half_life_minutes
    made_from_inputs = (1 - settings.unfed_share) * machinery.feed * lam * machinery.equilibrium
    assert math.isclose(used / made_from_inputs, 3.0, rel_tol=0.02)


def test_long_idle_gaps_stay_stable() -> None:
    market = factory_market(iron_ratio=3.0, machinery_ratio=0.1)
    advance(market, 60 * 24 * 30, SETTINGS)              # a month of game time, in bounded steps
    for good in market.goods.values():
        assert math.isclose(good.stock, good.equilibrium, rel_tol=0.01), good.symbol
