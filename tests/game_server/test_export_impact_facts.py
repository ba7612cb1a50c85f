"""What one tranche bought at an export does to its price, against the real game's figures (facts universe §5, a fit
over ~20k ladders, keyed by labels and not by tradeVolume), for every case those figures give, on every tier.

Buying at an export multiplies its price per tranche (tradeVolume units) by:
- RESTRICTED activity: 1.13 at SCARCE, 1.10 LIMITED, 1.07 MODERATE, 1.05 HIGH, 1.03 ABUNDANT;
- WEAK: 1.04-1.06 (a factory line shown WEAK, and every export no line makes);
- HIGH or ABUNDANT supply with GROWING activity: about 1.005 (STRONG is not measured: no steeper than GROWING).
The figures are given to two decimals, so each is held to within its rounding (0.005) plus a hair for float noise;
the old curve (tradeVolume's tier deciding: 1.12 at tv 6 HIGH, 1.02 at tv 60 ABUNDANT) fails them on every tier.

A fed line answers a purchase by making part of it at once from its inputs, 3 input units per unit made.
"""
from __future__ import annotations

import pytest

from adapters.game_server.clock import ManualClock
from adapters.game_server.economy import (
    EconomySettings, activity_level, apply_sale, mid_price, quote, supply_level,
)
from adapters.game_server.market_dynamics import answer_purchase, refresh_feeds
from adapters.game_server.production import link_factories
from adapters.game_server.state import MarketGood, MarketState, Recipe
from adapters.game_server.world import World, WorldSettings

SETTINGS = EconomySettings()
TIERS = (6, 20, 60)
ROUNDING = 0.0055          # the fit's figures carry two decimals
RESTRICTED = {"SCARCE": 1.13, "LIMITED": 1.10, "MODERATE": 1.07, "HIGH": 1.05, "ABUNDANT": 1.03}
SUPPLIES = tuple(RESTRICTED)
# Where a tranche starts, so that it stays within its supply level on every tier (a tranche of tradeVolume 6 is 0.14
# of the equilibrium stock; SCARCE reads below 0.23, HIGH from 0.75 to 1.34).
START = {"SCARCE": 0.2, "LIMITED": 0.4, "MODERATE": 0.72, "HIGH": 1.3, "ABUNDANT": 2.0}
# The feed (the scarcest input's stock over its equilibrium) that shows each activity.
FEED = {"RESTRICTED": 0.4, "WEAK": 1.0, "GROWING": 2.5, "STRONG": 4.0}
INPUT_VOLUME = 20


def market(trade_volume: int, ratio: float, activity: str | None, inputs: int = 2) -> MarketState:
    """A market exporting EXPORT at `ratio` of its equilibrium stock: made by a line of `inputs` imports stocked to
    show `activity`, or (None) by no line."""
    equilibrium = SETTINGS.equilibrium_stock("EXPORT", trade_volume)
    goods = {"EXPORT": MarketGood(symbol="EXPORT", kind="EXPORT", trade_volume=trade_volume, base_price=1000.0,
                                  equilibrium=equilibrium, stock=equilibrium * ratio)}
    names = tuple(f"INPUT_{i}" for i in range(inputs)) if activity else ()
    for name in names:
        input_equilibrium = SETTINGS.equilibrium_stock("IMPORT", INPUT_VOLUME)
        goods[name] = MarketGood(symbol=name, kind="IMPORT", trade_volume=INPUT_VOLUME, base_price=3000.0,
                                 equilibrium=input_equilibrium, stock=input_equilibrium * FEED[activity])
    recipes = (Recipe("EXPORT", names),) if names else ()
    link_factories(goods, recipes)
    state = MarketState(waypoint="X1-TEST-A1", goods=goods, recipes=recipes, updated_at=0.0)
    refresh_feeds(state)
    return state


def buy_tranche(state: MarketState) -> tuple[str, str | None, float]:
    """(supply, activity) before one tranche bought at the export, and its price's multiplier from it."""
    good = state.goods["EXPORT"]
    labels = supply_level(good, SETTINGS), activity_level(good, SETTINGS)
    before = mid_price(good, SETTINGS)
    answer_purchase(state, good, good.trade_volume, SETTINGS)
    return labels[0], labels[1], mid_price(good, SETTINGS) / before


@pytest.mark.parametrize("trade_volume", TIERS)
@pytest.mark.parametrize("supply", SUPPLIES)
def test_a_tranche_at_a_restricted_export_moves_its_price_by_its_supply(trade_volume: int, supply: str) -> None:
    labels_supply, activity, step = buy_tranche(market(trade_volume, START[supply], "RESTRICTED"))
    assert (labels_supply, activity) == (supply, "RESTRICTED")
    assert abs(step - RESTRICTED[supply]) <= ROUNDING, (trade_volume, supply, step)


@pytest.mark.parametrize("trade_volume", TIERS)
@pytest.mark.parametrize("supply", SUPPLIES)
@pytest.mark.parametrize("made_by_a_line", (True, False))
def test_a_tranche_at_a_weak_export_moves_its_price_four_to_six_percent(trade_volume: int, supply: str,
                                                                        made_by_a_line: bool) -> None:
    state = market(trade_volume, START[supply], "WEAK" if made_by_a_line else None)
    labels_supply, activity, step = buy_tranche(state)
    assert (labels_supply, activity) == (supply, "WEAK")
    assert 1.04 - ROUNDING <= step <= 1.06 + ROUNDING, (trade_volume, supply, made_by_a_line, step)


@pytest.mark.parametrize("trade_volume", TIERS)
@pytest.mark.parametrize("supply", ("HIGH", "ABUNDANT"))
def test_a_tranche_at_a_fed_export_barely_moves_its_price(trade_volume: int, supply: str) -> None:
    steps = {}
    for activity in ("GROWING", "STRONG"):
        labels_supply, shown, step = buy_tranche(market(trade_volume, START[supply], activity))
        assert (labels_supply, shown) == (supply, activity)
        steps[activity] = step
    assert 1.0 < steps["GROWING"] <= 1.005 + ROUNDING, (trade_volume, supply, steps)
    assert 1.0 < steps["STRONG"] <= steps["GROWING"] + 1e-9, (trade_volume, supply, steps)


@pytest.mark.parametrize("trade_volume", TIERS)
@pytest.mark.parametrize("supply", ("SCARCE", "LIMITED", "MODERATE"))
def test_a_fed_export_bought_down_below_high_steps_as_a_weak_one(trade_volume: int, supply: str) -> None:
    # The facts measured the fed figure at HIGH and ABUNDANT only: below, no kinder figure than WEAK's.
    labels_supply, activity, step = buy_tranche(market(trade_volume, START[supply], "GROWING"))
    assert (labels_supply, activity) == (supply, "GROWING")
    assert 1.04 - ROUNDING <= step <= 1.06 + ROUNDING, (trade_volume, supply, step)


@pytest.mark.parametrize("inputs", (1, 2, 3))
@pytest.mark.parametrize("noises", ((1.0, 1.0, 1.0, 1.0), (0.7, 1.5, 1.4, 0.8)))
def test_what_a_purchase_makes_at_once_takes_exactly_three_input_units_each(inputs: int,
                                                                            noises: tuple[float, ...]) -> None:
    # Counted without the background traffic (each good's `noise` factor on what it shows), where the lines run.
    state = market(20, 1.3, "GROWING", inputs)
    for good, noise in zip(state.goods.values(), noises):
        good.noise, good.stock = noise, good.stock * noise
    refresh_feeds(state)
    good = state.goods["EXPORT"]
    held = {name: g.underlying_stock for name, g in state.goods.items()}
    shown = good.stock
    made = answer_purchase(state, good, 20, SETTINGS)
    assert 0 < made < 20
    assert good.stock == pytest.approx(shown - 20 + made, abs=1e-9)
    made_kept = made / good.noise
    used = {name: held[name] - g.underlying_stock for name, g in state.goods.items() if name != "EXPORT"}
    assert sum(used.values()) == pytest.approx(SETTINGS.input_units_per_output * made_kept, abs=1e-9)
    assert max(used.values()) == pytest.approx(min(used.values()), abs=1e-9)   # shared equally among the inputs
    # What the line made counts toward the export's tradeVolume growth, as its output over time does.
    assert good.pressure == pytest.approx(20 + made_kept)


def test_buying_out_a_fed_export_runs_its_line_down_to_restricted_and_the_price_steepens() -> None:
    state = market(6, START["HIGH"], "GROWING")
    good = state.goods["EXPORT"]
    start_inputs = sum(g.stock for name, g in state.goods.items() if name != "EXPORT")
    made_total = 0.0
    seen: list[tuple[str | None, float]] = []
    while activity_level(good, SETTINGS) != "RESTRICTED" and len(seen) < 500:
        activity = activity_level(good, SETTINGS)
        before = mid_price(good, SETTINGS)
        made_total += answer_purchase(state, good, good.trade_volume, SETTINGS)
        good.stock = good.equilibrium * START["HIGH"]      # held at HIGH: the line's run-down is the point here
        seen.append((activity, mid_price(good, SETTINGS) / before))
    activities = [a for a, _ in seen]
    assert activities[0] == "GROWING" and "WEAK" in activities and activity_level(good, SETTINGS) == "RESTRICTED"
    assert activities == sorted(activities, key=("GROWING", "WEAK").index)          # never back up while bought
    used = start_inputs - sum(g.stock for name, g in state.goods.items() if name != "EXPORT")
    assert used == pytest.approx(SETTINGS.input_units_per_output * made_total, rel=1e-9)
    restricted = buy_tranche(state)
    assert abs(restricted[2] - RESTRICTED["HIGH"]) <= ROUNDING


@pytest.mark.parametrize("activity", ("RESTRICTED", "WEAK", "GROWING", "STRONG", None))
@pytest.mark.parametrize("trade_volume", TIERS)
def test_a_round_trip_at_an_export_loses_money_however_its_line_is_fed(activity: str | None,
                                                                       trade_volume: int) -> None:
    for ratio in (0.05, 0.3, 1.0, 2.0, 3.5):
        for tranches in (1, 3, 10):
            state = market(trade_volume, ratio, activity)
            good = state.goods["EXPORT"]
            credits = 0
            for _ in range(tranches):
                credits -= quote(good, SETTINGS)[0] * trade_volume
                answer_purchase(state, good, trade_volume, SETTINGS)
            for _ in range(tranches):
                credits += quote(good, SETTINGS)[1] * trade_volume
                apply_sale(good, trade_volume)
            assert credits < 0, (activity, trade_volume, ratio, tranches)


# --- through the World's API: a purchase at a fed factory export is answered from its inputs -------------------------

def docked_at_a_fed_line(clock: ManualClock, world: World, export: str | None = None) -> tuple[MarketState, Recipe]:
    """The frigate docked at the starter system's first factory line (making `export`, when given), every input
    stocked to show the line GROWING and the export at HIGH, where the facts measured a fed line's step."""
    world.register("BADGER", "COSMIC")
    starter = world.universe.starter_system
    waypoint, recipe = next((w, r) for w, m in sorted(world._markets.items()) if w.startswith(starter)
                            for r in m.recipes if export in (None, r.export))
    state = world._markets[waypoint]
    world.orbit("BADGER", "BADGER-1")
    clock.set(world.navigate("BADGER", "BADGER-1", waypoint).nav.route.arrival)
    clock.advance(0.001)
    world.dock("BADGER", "BADGER-1")
    world.market(starter, waypoint, "BADGER")        # brought up to now: the trade after this adds no game time
    for name in recipe.inputs:
        state.goods[name].stock = state.goods[name].equilibrium * FEED["GROWING"]
    state.goods[recipe.export].stock = state.goods[recipe.export].equilibrium * START["HIGH"]
    refresh_feeds(state)
    return state, recipe


def quiet_world(clock: ManualClock) -> World:
    return World.open(None, clock=clock, settings=WorldSettings(seed=1, other_systems=3, starting_credits=10 ** 9,
                                                                economy=EconomySettings(noise_scale=0.0)))


def test_buying_through_the_api_at_a_fed_export_takes_its_inputs_and_barely_moves_its_ask() -> None:
    clock = ManualClock()
    world = quiet_world(clock)
    try:
        state, recipe = docked_at_a_fed_line(clock, world)
        export = state.goods[recipe.export]
        volume = min(export.trade_volume, world.ship("BADGER", "BADGER-1").cargo.capacity)
        ask = quote(export, SETTINGS)[0]
        held = {name: state.goods[name].stock for name in (recipe.export, *recipe.inputs)}
        assert activity_level(export, SETTINGS) == "GROWING"
        world.purchase_cargo("BADGER", "BADGER-1", recipe.export, volume)
        made = export.stock - (held[recipe.export] - volume)
        used = sum(held[name] - state.goods[name].stock for name in recipe.inputs)
        assert 0 < made < volume and used == pytest.approx(SETTINGS.input_units_per_output * made)
        assert quote(export, SETTINGS)[0] <= ask * (1.005 + ROUNDING) ** (volume / export.trade_volume) + 1
    finally:
        world.close()


def test_refuelling_at_a_fed_fuel_line_is_answered_from_its_inputs_too() -> None:
    clock = ManualClock()
    world = quiet_world(clock)
    try:
        state, recipe = docked_at_a_fed_line(clock, world, export="FUEL")
        fuel = state.goods["FUEL"]
        held = {name: state.goods[name].stock for name in (recipe.export, *recipe.inputs)}
        assert activity_level(fuel, SETTINGS) == "GROWING"
        bought = world.refuel("BADGER", "BADGER-1").transaction.units
        assert bought > 0
        made = fuel.stock - (held["FUEL"] - bought)
        used = sum(held[name] - state.goods[name].stock for name in recipe.inputs)
        assert 0 < made < bought and used == pytest.approx(SETTINGS.input_units_per_output * made)
    finally:
        world.close()
