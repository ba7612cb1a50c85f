"""Prices from supply: spreads, trade impact, labels, and the round trip that must lose money."""
from __future__ import annotations

import pytest

from adapters.game_server.economy import (
    EconomySettings, activity_level, apply_purchase, apply_sale, mid_price, quote, supply_level,
)
from adapters.game_server.state import MarketGood
from adapters.game_server.universe import generate

SETTINGS = EconomySettings()


def good(kind: str = "EXPORT", trade_volume: int = 20, purchase_level: float = 1000.0,
         ratio: float = 1.0) -> MarketGood:
    equilibrium = SETTINGS.equilibrium_stock(kind, trade_volume)
    return MarketGood(symbol="GOOD", kind=kind, trade_volume=trade_volume,
                      base_price=purchase_level / SETTINGS.spread[kind], equilibrium=equilibrium,
                      stock=equilibrium * ratio)


@pytest.mark.parametrize("kind, low, high", [("EXPORT", 2.0, 2.12), ("IMPORT", 2.0, 2.12),
                                             ("EXCHANGE", 1.04, 1.08)])
def test_purchase_over_sell_price_is_the_spread_of_the_kind(kind: str, low: float, high: float) -> None:
    purchase, sell = quote(good(kind, purchase_level=5000), SETTINGS)
    assert low <= purchase / sell <= high
    assert 4900 <= purchase <= 5100


def test_buying_raises_the_price_and_lowers_the_supply() -> None:
    g = good(ratio=2.0)
    prices, levels = [], []
    for _ in range(10):
        prices.append(quote(g, SETTINGS)[0])
        levels.append(supply_level(g, SETTINGS))
        apply_purchase(g, g.trade_volume)
    assert prices == sorted(prices) and prices[-1] > prices[0] * 1.3
    order = ["SCARCE", "LIMITED", "MODERATE", "HIGH", "ABUNDANT"]
    assert [order.index(level) for level in levels] == sorted((order.index(level) for level in levels),
                                                             reverse=True)
    assert levels[0] == "ABUNDANT" and levels[-1] in ("HIGH", "MODERATE")


def test_selling_lowers_the_price_and_raises_the_supply() -> None:
    g = good("IMPORT", ratio=0.5)
    before_price, before_stock = quote(g, SETTINGS)[1], g.stock
    apply_sale(g, g.trade_volume)
    assert quote(g, SETTINGS)[1] < before_price
    assert g.stock == before_stock + g.trade_volume


def test_one_tranche_moves_an_export_by_its_labels_whatever_its_tier_and_an_exchange_little() -> None:
    # facts universe §5: the real fits key an export's step by its labels (test_export_impact_facts.py holds each
    # case), so an export at the same labels moves alike on every tier; exchange goods move <= 2.5% a tranche.
    steps = {}
    for trade_volume in (6, 20, 60):
        g = good(trade_volume=trade_volume)
        before = mid_price(g, SETTINGS)
        apply_purchase(g, trade_volume)
        steps[trade_volume] = mid_price(g, SETTINGS) / before
    assert steps[6] == pytest.approx(steps[20]) and steps[20] == pytest.approx(steps[60])
    assert 1.04 <= steps[20] <= 1.06                    # WEAK (no line makes it) at HIGH
    for trade_volume in (18, 180):
        for ratio in (0.5, 1.0, 2.0):
            exchange = good("EXCHANGE", trade_volume=trade_volume, purchase_level=100_000, ratio=ratio)
            before = mid_price(exchange, SETTINGS)
            apply_purchase(exchange, trade_volume)
            assert mid_price(exchange, SETTINGS) / before <= 1.025, (trade_volume, ratio)


def test_price_is_bounded_at_empty_and_flooded_stock() -> None:
    g = good(ratio=0.0)
    assert supply_level(g, SETTINGS) == "SCARCE"
    assert quote(g, SETTINGS)[0] < 1000 * 6
    g.stock = g.equilibrium * 100
    assert supply_level(g, SETTINGS) == "ABUNDANT"
    assert quote(g, SETTINGS)[1] >= 1


def test_labels_at_equilibrium_depend_on_the_kind() -> None:
    assert supply_level(good("EXPORT"), SETTINGS) == "HIGH"
    assert supply_level(good("IMPORT"), SETTINGS) == "LIMITED"
    assert supply_level(good("EXCHANGE"), SETTINGS) == "MODERATE"
    assert activity_level(good("EXCHANGE")) is None
    factory = good("EXPORT")
    factory.factory = True
    # The activity follows the line's scarcest input (its feed, on the import scale: SCARCE below 0.745, LIMITED to
    # 1.34, MODERATE to 2.41, HIGH to 4.35): only an input deep in SCARCE (below 0.64) restricts its line; GROWING
    # and STRONG start at the middles of MODERATE and HIGH.
    for feed, activity in ((0.0, "RESTRICTED"), (0.6, "RESTRICTED"), (0.7, "WEAK"), (1.0, "WEAK"), (1.7, "WEAK"),
                           (2.0, "GROWING"), (3.0, "GROWING"), (3.5, "STRONG"), (5.0, "STRONG")):
        factory.feed = feed
        assert activity_level(factory, SETTINGS) == activity, feed
    assert supply_level(good("IMPORT", ratio=0.7), SETTINGS) == "SCARCE"      # SCARCE, yet its line runs
    assert activity_level(good("IMPORT")) == "WEAK"         # no line consumes it


def test_an_import_shows_restricted_only_when_it_is_the_shortage() -> None:
    short, stocked = good("IMPORT", ratio=0.4), good("IMPORT", ratio=1.0)
    for g in (short, stocked):
        g.consumed = True
        g.feed = 0.4                                         # the line consuming both is held back by `short`
    assert activity_level(short, SETTINGS) == "RESTRICTED"
    assert activity_level(stocked, SETTINGS) == "WEAK"
    stocked.feed = 2.0                                       # another line consuming it is well fed
    assert activity_level(stocked, SETTINGS) == "GROWING"


def _round_trip(g: MarketGood, tranches: int) -> int:
    """Buy `tranches` lots of tradeVolume, then sell them all back; the agent's net credits."""
    credits = 0
    for _ in range(tranches):
        credits -= quote(g, SETTINGS)[0] * g.trade_volume
        apply_purchase(g, g.trade_volume)
    for _ in range(tranches):
        credits += quote(g, SETTINGS)[1] * g.trade_volume
        apply_sale(g, g.trade_volume)
    return credits


def test_a_round_trip_at_one_market_always_loses_money() -> None:
    universe = generate(3, other_systems=3)
    checked = 0
    for market in universe.markets.values():
        for spec in market.goods:
            for ratio in (0.0, 0.05, 0.2, 0.5, 1.0, 3.0, 10.0):
                for tranches in (1, 3):
                    g = good(spec.kind, spec.trade_volume, spec.base_price * SETTINGS.spread[spec.kind], ratio)
                    assert _round_trip(g, tranches) < 0, (market.waypoint, spec.symbol, ratio, tranches)
                    checked += 1
    assert checked > 1000


def test_no_single_trade_moves_the_mid_price_by_the_spread() -> None:
    # The reason round trips lose: at any stock, one tranche moves the price by less than the spread.
    for kind in ("EXPORT", "IMPORT", "EXCHANGE"):
        for trade_volume in (6, 18, 20, 60, 180):
            g = good(kind, trade_volume)
            g.stock = 0.0
            while g.stock < g.equilibrium * 5:
                purchase_before, sell_before = quote(g, SETTINGS)
                apply_sale(g, trade_volume)
                assert sell_before < purchase_before
                assert sell_before < quote(g, SETTINGS)[1] * SETTINGS.spread[kind]


def _import_tranche(trade_volume: int, ratio: float) -> tuple[str, str, float]:
    """(supply, activity, bid multiplier) of one tranche sold into an import that is its line's only input."""
    g = good("IMPORT", trade_volume, ratio=ratio)
    g.consumed, g.feed = True, ratio
    labels = supply_level(g, SETTINGS), activity_level(g, SETTINGS)
    before = mid_price(g, SETTINGS)
    apply_sale(g, trade_volume)
    return labels[0], labels[1], mid_price(g, SETTINGS) / before


def test_a_tranche_sold_into_a_weak_import_costs_one_to_four_percent_of_its_bid() -> None:
    # facts universe §5 (fit on ~20k ladders): 0.96-0.99 per tranche at WEAK activity
    for trade_volume in (20, 60):
        for ratio in (0.7, 0.9, 1.0, 1.2, 1.3):
            supply, activity, step = _import_tranche(trade_volume, ratio)
            assert activity == "WEAK" and supply in ("SCARCE", "LIMITED"), (ratio, supply, activity)
            assert 0.96 <= step <= 0.99, (trade_volume, ratio, step)
    assert 0.94 <= _import_tranche(6, 1.0)[2] < _import_tranche(20, 1.0)[2]      # thin goods move more


def test_a_tranche_sold_into_an_import_fed_up_to_high_costs_about_a_tenth_of_its_bid() -> None:
    # facts universe §5: 0.87-0.90 per tranche at HIGH|GROWING (above the bid's floor, which no fact gives)
    for ratio in (2.5, 2.7, 2.9):
        supply, activity, step = _import_tranche(20, ratio)
        assert (supply, activity) == ("HIGH", "GROWING"), ratio
        assert 0.87 <= step <= 0.90, (ratio, step)
