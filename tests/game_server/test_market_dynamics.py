"""A market through game time: lines fed by deliveries only, slow recovery, growing trade volumes, steady labels."""
from __future__ import annotations

import copy
import math
import random
from collections import Counter
from dataclasses import replace

from adapters.game_server.economy import EconomySettings, activity_level, apply_purchase, apply_sale, quote, \
    supply_level
from adapters.game_server.market_dynamics import advance, answer_purchase, refresh_feeds
from adapters.game_server.production import line_capacity, link_factories
from adapters.game_server.starting_labels import Entry, LabelPlanner, deal
from adapters.game_server.state import MarketGood, MarketState, Recipe

SETTINGS = EconomySettings()
LEVELS = ["SCARCE", "LIMITED", "MODERATE", "HIGH", "ABUNDANT"]


def make_good(symbol: str, kind: str, trade_volume: int, purchase: float, ratio: float,
              settings: EconomySettings = SETTINGS) -> MarketGood:
    equilibrium = settings.equilibrium_stock(kind, trade_volume)
    return MarketGood(symbol, kind, trade_volume, purchase / settings.spread[kind], equilibrium,
                      equilibrium * ratio, template_ratio=ratio)


def factory_market(settings: EconomySettings = SETTINGS, iron: float = 1.0, machinery: float = 1.0,
                   export_volume: int = 20) -> MarketState:
    """A MACHINERY line (tradeVolume 20) fed by IRON imports (60), beside FOOD imports and FUEL at an exchange."""
    goods = {"MACHINERY": make_good("MACHINERY", "EXPORT", export_volume, 1746, machinery, settings),
             "IRON": make_good("IRON", "IMPORT", 60, 302, iron, settings),
             "FOOD": make_good("FOOD", "IMPORT", 60, 4474, 0.6, settings),
             "FUEL": make_good("FUEL", "EXCHANGE", 180, 72, 1.0, settings)}
    recipes = (Recipe("MACHINERY", ("IRON",)),)
    link_factories(goods, recipes)
    market = MarketState("X1-TEST-E46", goods, recipes, updated_at=0.0)
    refresh_feeds(market)
    return market


def labels(market: MarketState) -> dict[str, tuple[str, str | None, int]]:
    return {s: (supply_level(g, SETTINGS), activity_level(g), g.trade_volume) for s, g in market.goods.items()}


def level(good: MarketGood) -> int:
    return LEVELS.index(supply_level(good, SETTINGS))


def test_an_untouched_market_keeps_its_template_state_for_days() -> None:
    for iron, machinery in ((1.0, 1.0), (0.4, 2.0), (2.0, 0.8)):     # RESTRICTED, ABUNDANT, GROWING templates
        market = factory_market(iron=iron, machinery=machinery)
        before = {s: g.stock for s, g in market.goods.items()}
        start = labels(market)
        for _ in range(3 * 24):
            advance(market, 60, SETTINGS)
            assert labels(market) == start
        for symbol, stock in before.items():
            assert math.isclose(market.goods[symbol].stock, stock, rel_tol=1e-9)


def test_delivered_inputs_become_export_supply_later_three_to_one() -> None:
    # Without the background drift, every unit that left the import went into the line.
    settings = replace(SETTINGS, recovery_half_life_minutes=1e12, import_surplus_half_life_minutes=1e12)
    market = factory_market(settings)
    iron, machinery = market.goods["IRON"], market.goods["MACHINERY"]
    machinery_before = machinery.stock
    for _ in range(20):
        apply_sale(iron, 60)
    delivered = iron.stock
    assert machinery.stock == machinery_before                # nothing yet: production takes time
    advance(market, 60, settings)
    used = delivered - iron.stock
    made = machinery.stock - machinery_before
    assert made > 0.2 * machinery.equilibrium
    assert math.isclose(used / made, settings.input_units_per_output, rel_tol=1e-9)
    assert activity_level(machinery) in ("WEAK", "GROWING")


def test_a_well_fed_export_rises_one_supply_level_in_18_to_34_game_minutes() -> None:
    market = factory_market()
    machinery, iron = market.goods["MACHINERY"], market.goods["IRON"]
    assert supply_level(machinery, SETTINGS) == "HIGH"
    minutes = 0
    while supply_level(machinery, SETTINGS) == "HIGH":
        iron.stock = SETTINGS.full_feed * iron.equilibrium   # an agent keeps the factory's imports stocked
        advance(market, 1, SETTINGS)
        minutes += 1
        assert minutes <= 34
    assert supply_level(machinery, SETTINGS) == "ABUNDANT" and activity_level(machinery) == "GROWING"
    assert minutes >= 18


def test_a_factory_import_is_consumed_at_a_bounded_rate() -> None:
    # With the background trade stilled, what leaves the import is what the line took.
    settings = replace(SETTINGS, recovery_half_life_minutes=1e12, import_surplus_half_life_minutes=1e12)
    market = factory_market(settings)
    iron = market.goods["IRON"]
    iron.stock = 50 * iron.equilibrium                        # a huge delivery
    before = iron.stock
    advance(market, 60, settings)
    line_most = settings.input_units_per_output * line_capacity([iron.equilibrium], settings) * 60
    assert line_most < 2500                                   # units an hour: not the 30,000 of a bottomless import
    assert 0 < before - iron.stock <= line_most


def test_a_starved_line_is_restricted_and_its_export_runs_down() -> None:
    market = factory_market()
    iron, machinery = market.goods["IRON"], market.goods["MACHINERY"]
    start = level(machinery)
    while iron.stock > 0:                                     # an agent buys out the line's input
        apply_purchase(iron, 60)
    refresh_feeds(market)
    assert activity_level(machinery) == "RESTRICTED" and activity_level(iron) == "RESTRICTED"
    advance(market, 2 * 60, SETTINGS)
    assert activity_level(machinery) == "RESTRICTED"
    assert level(machinery) < start
    # Nothing refills the input fast: a slow background trade brings it back over hours.
    assert iron.stock < 0.6 * iron.equilibrium


def test_a_dumped_import_is_far_from_recovered_an_hour_later() -> None:
    for symbol in ("IRON", "FOOD"):                          # consumed by a line, and not
        market = factory_market()
        good = market.goods[symbol]
        start = quote(good, SETTINGS)[1]
        tranches = 0
        while quote(good, SETTINGS)[1] > 0.6 * start:
            apply_sale(good, 60)
            tranches += 1
        dumped = quote(good, SETTINGS)[1]
        assert 0.4 <= 1 - dumped / start <= 0.6              # facts universe §5: a dump cuts the bid 40-60%...
        assert 10 <= tranches <= 40, (symbol, tranches)      # ...with a real dump: many tranches, each a few %
        after = copy.deepcopy(market)
        advance(after, 60, SETTINGS)
        recovered = (quote(after.goods[symbol], SETTINGS)[1] - dumped) / (start - dumped)
        # facts universe §5: bids bounce back with a half-life of 1-1.5 h at the fastest (37-50% in the first hour;
        # the fit on ladders says days); an import a line consumes bounces fastest, on its steep HIGH-supply curve.
        assert recovered < 0.45, symbol
        advance(after, 23 * 60, SETTINGS)
        assert quote(after.goods[symbol], SETTINGS)[1] >= start * 0.9, symbol


def test_a_bought_down_export_bounces_back_through_its_line_eating_its_inputs() -> None:
    market = factory_market()
    machinery, iron = market.goods["MACHINERY"], market.goods["IRON"]
    for _ in range(8):
        answer_purchase(market, machinery, 20, SETTINGS)
    low, iron_before = machinery.stock / machinery.equilibrium, iron.stock
    advance(market, SETTINGS.restock_half_life_minutes, SETTINGS)
    recovered = (machinery.stock / machinery.equilibrium - low) / (machinery.template_ratio - low)
    assert 0.3 < recovered < 0.8              # about the restock half-life, bounded by what the feed allows
    assert iron.stock < iron_before           # the restock was made from the inputs


def test_an_export_without_a_line_recovers_with_the_recovery_half_life() -> None:
    market = factory_market()
    market.recipes = ()
    link_factories(market.goods, ())
    machinery = market.goods["MACHINERY"]
    template = machinery.template_ratio
    for _ in range(8):
        answer_purchase(market, machinery, 20, SETTINGS)
    low = machinery.stock / machinery.equilibrium
    advance(market, SETTINGS.recovery_half_life_minutes, SETTINGS)
    assert machinery.trade_volume > 20                        # the purchases grew it; the price does not care
    assert math.isclose(machinery.stock / machinery.equilibrium, template - (template - low) / 2, rel_tol=1e-6)


def test_a_lane_that_keeps_buying_an_export_drains_its_inputs_and_saturates() -> None:
    market = factory_market()
    machinery, iron = market.goods["MACHINERY"], market.goods["IRON"]
    start = quote(machinery, SETTINGS)[0]
    for _ in range(12 * 6):                                   # a tranche every 10 minutes for 12 hours
        answer_purchase(market, machinery, machinery.trade_volume, SETTINGS)
        advance(market, 10, SETTINGS)
    assert activity_level(machinery) == "RESTRICTED"
    assert supply_level(iron, SETTINGS) == "SCARCE"
    assert quote(machinery, SETTINGS)[0] > 2 * start


def test_sustained_feeding_grows_the_exports_trade_volume_and_neglect_shrinks_it() -> None:
    # Facts universe §5: feeding a factory's imports grew its export's tradeVolume 6 -> 15-22.
    market = factory_market(export_volume=6)
    iron, machinery = market.goods["IRON"], market.goods["MACHINERY"]
    price = quote(machinery, SETTINGS)
    for _ in range(24 * 6):                                   # two tranches of IRON every 10 minutes for a day
        apply_sale(iron, 60)
        apply_sale(iron, 60)
        advance(market, 10, SETTINGS)
    assert 12 <= machinery.trade_volume <= 24
    assert iron.trade_volume == 60                            # import depth never grows
    advance(market, 5 * 24 * 60, SETTINGS)
    assert machinery.trade_volume == 6
    assert quote(machinery, SETTINGS) == price


def test_a_changing_trade_volume_keeps_the_price() -> None:
    market = factory_market()
    fuel = market.goods["FUEL"]
    before = quote(fuel, SETTINGS)
    for _ in range(30):
        apply_purchase(fuel, 180)
        apply_sale(fuel, 180)
        advance(market, 20, SETTINGS)
    assert fuel.trade_volume > 180
    assert quote(fuel, SETTINGS) == before


def test_a_long_idle_gap_is_cheap_and_ends_at_the_template() -> None:
    market = factory_market(iron=0.7)
    market.goods["IRON"].stock *= 9
    market.goods["MACHINERY"].stock *= 0.1
    market.goods["FUEL"].pressure = 5000.0
    advance(market, 60 * 24 * 30, SETTINGS)                  # a month of game time
    for good in market.goods.values():
        assert math.isclose(good.stock, good.equilibrium * good.template_ratio, rel_tol=1e-6), good.symbol
        assert good.trade_volume == good.tier


def test_the_real_label_mix_holds_through_a_day_nobody_trades() -> None:
    # 200 one-line markets (1-3 inputs, often an import no line consumes, an exchange: about two imports an export,
    # as in a starter system) dealt by the starter-system dealer: they show the real activity mix (facts universe
    # §1), and the dynamics keep every label for a day.
    rng = random.Random(7)
    planner = LabelPlanner(SETTINGS)
    entries: list[Entry] = []
    blocks = []
    for _ in range(200):
        first, inputs = len(entries), rng.choice((1, 1, 2, 2, 3))
        entries.append(Entry("EXPORT", "OUT", tuple(range(first + 1, first + 1 + inputs))))
        entries += [Entry("IMPORT", f"IN{j}") for j in range(inputs)] + [Entry("EXCHANGE", "FUEL")]
        if rng.random() < 0.5:
            entries.append(Entry("IMPORT", "SOLD"))
        blocks.append(range(first, len(entries)))
    starts = deal(rng, entries)
    markets = []
    for i, block in enumerate(blocks):
        goods = {}
        for index in block:
            entry, start = entries[index], starts[index]
            ratio = planner.ratio(entry.kind, start.supply, start.position, start.standing)
            goods[entry.symbol] = make_good(entry.symbol, entry.kind, 20 if entry.kind == "EXPORT" else 60, 300, ratio)
        recipes = (Recipe("OUT", tuple(s for s in goods if s.startswith("IN"))),)
        link_factories(goods, recipes)
        market = MarketState(f"M{i}", goods, recipes, 0.0)
        refresh_feeds(market)
        markets.append(market)

    def mix() -> Counter:
        return Counter((g.kind, supply_level(g, SETTINGS), activity_level(g, SETTINGS))
                       for m in markets for g in m.goods.values())

    def share(counts: Counter, kind: str, activity: str) -> float:
        return (sum(n for (k, _, a), n in counts.items() if k == kind and a == activity)
                / sum(n for (k, _, _), n in counts.items() if k == kind))

    start = mix()
    shown = [activity_level(g, SETTINGS) for m in markets for g in m.goods.values()]
    assert shown == [s.activity for s in starts]                           # as dealt
    assert abs(share(start, "EXPORT", "RESTRICTED") - 0.41) <= 0.01        # facts: 41% of exports RESTRICTED
    assert abs(share(start, "IMPORT", "RESTRICTED") - 0.24) <= 0.01        # and 24% of imports
    assert abs(share(start, "IMPORT", "WEAK") - 0.66) <= 0.08
    for market in markets:
        for _ in range(24):
            advance(market, 60, SETTINGS)
    assert mix() == start
