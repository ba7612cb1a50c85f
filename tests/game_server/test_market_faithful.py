"""The market as a player sees it through the World's API, over game hours (issue 13): lines run on delivered
inputs only, dumps and buy-downs recover over hours, trade volumes grow with trade, labels hold when nobody trades.

These worlds still the background traffic (noise_scale=0) so each test sees the market's answer to the player's
trades alone; test_market_noise.py checks the traffic, and that these answers hold under it."""
from __future__ import annotations

from collections import Counter

import pytest

from adapters.game_server.clock import ManualClock
from adapters.game_server.economy import EconomySettings
from adapters.game_server.world import World, WorldSettings
from adapters.wire import models as wire

AGENT = "BADGER"
FRIGATE = f"{AGENT}-1"
LEVELS = ["SCARCE", "LIMITED", "MODERATE", "HIGH", "ABUNDANT"]
HOUR = 3600
STILL = EconomySettings(noise_scale=0.0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def world(clock: ManualClock) -> World:
    w = World.open(None, clock=clock,
                   settings=WorldSettings(seed=1, other_systems=3, starting_credits=10 ** 9, economy=STILL))
    w.register(AGENT, "COSMIC")
    yield w
    w.close()


def factory_line(world: World) -> tuple[str, str, tuple[str, ...]]:
    """(waypoint, export, inputs) of a starter-system line making an intermediate good from deeper inputs (like
    MACHINERY from IRON, the goods whose lags the facts measured), whose export starts below ABUNDANT (so it can
    rise); the one with the fewest inputs."""
    lines = []
    for waypoint, spec in sorted(world.universe.markets.items()):
        if not waypoint.startswith(world.universe.starter_system):
            continue
        goods = {g.symbol: g for g in spec.goods}
        for export, inputs in spec.recipes:
            if goods[export].initial_ratio < 1.2 and \
                    min(goods[s].trade_volume for s in inputs) > goods[export].trade_volume:
                lines.append((len(inputs), waypoint, export, inputs))
    _, waypoint, export, inputs = min(lines)
    return waypoint, export, inputs


def buy_and_drop(world: World, waypoint: str, symbol: str) -> None:
    units = min(good_at(world, waypoint, symbol).trade_volume, 40)
    world.purchase_cargo(AGENT, FRIGATE, symbol, units)
    world.jettison(AGENT, FRIGATE, symbol, units)


def go_to(world: World, clock: ManualClock, waypoint: str) -> None:
    world.orbit(AGENT, FRIGATE)
    ship = world.ship(AGENT, FRIGATE)
    if ship.nav.waypoint_symbol != waypoint:
        clock.set(world.navigate(AGENT, FRIGATE, waypoint).nav.route.arrival)
        clock.advance(0.001)
    world.dock(AGENT, FRIGATE)


def good_at(world: World, waypoint: str, symbol: str) -> wire.MarketTradeGood:
    market = world.market(world.universe.waypoints[waypoint].system, waypoint, AGENT)
    return next(g for g in market.trade_goods if g.symbol == symbol)


def deliver(world: World, symbol: str, tranches: int, waypoint: str) -> None:
    """Sell `tranches` full lots of `symbol` here, as haulers arriving loaded would (the cargo is put aboard
    directly: where it was bought does not matter to this market)."""
    for _ in range(tranches):
        volume = good_at(world, waypoint, symbol).trade_volume
        world._ships[FRIGATE].cargo[symbol] = volume
        world.sell_cargo(AGENT, FRIGATE, symbol, volume)


def test_an_export_whose_inputs_are_bought_out_turns_restricted_and_runs_down(world: World,
                                                                              clock: ManualClock) -> None:
    waypoint, export, inputs = factory_line(world)
    go_to(world, clock, waypoint)
    start = good_at(world, waypoint, export)
    for symbol in inputs:                  # buy the line's inputs away (and drop them)
        while good_at(world, waypoint, symbol).supply != "SCARCE":
            buy_and_drop(world, waypoint, symbol)
        for _ in range(40):
            buy_and_drop(world, waypoint, symbol)
    assert good_at(world, waypoint, export).activity == "RESTRICTED"
    assert good_at(world, waypoint, export).supply == start.supply      # the export's stock has not moved yet
    clock.advance(HOUR)
    later = good_at(world, waypoint, export)
    assert later.activity == "RESTRICTED"
    assert LEVELS.index(later.supply) < LEVELS.index(start.supply)
    assert later.purchase_price > start.purchase_price * 1.2
    # The background trade refills the inputs over hours, and the line its export.
    clock.advance(3 * 24 * HOUR)
    again = good_at(world, waypoint, export)
    assert (again.supply, again.activity) == (start.supply, start.activity)


def test_a_fed_export_rises_later_not_at_once(world: World, clock: ManualClock) -> None:
    waypoint, export, inputs = factory_line(world)
    go_to(world, clock, waypoint)
    start = good_at(world, waypoint, export)
    for symbol in inputs:                  # well fed: every input at HIGH supply
        while good_at(world, waypoint, symbol).supply not in ("HIGH", "ABUNDANT"):
            deliver(world, symbol, 1, waypoint)
    assert good_at(world, waypoint, export).supply == start.supply     # production takes time
    assert good_at(world, waypoint, export).purchase_price == start.purchase_price
    assert good_at(world, waypoint, export).activity in ("GROWING", "STRONG")
    clock.advance(10 * 60)
    ten_minutes = good_at(world, waypoint, export)
    clock.advance(50 * 60)
    an_hour = good_at(world, waypoint, export)
    assert start.purchase_price > ten_minutes.purchase_price > an_hour.purchase_price
    assert LEVELS.index(an_hour.supply) > LEVELS.index(start.supply)


def test_a_dumped_import_is_far_from_recovered_an_hour_later(world: World, clock: ManualClock) -> None:
    hq = world.universe.headquarters
    waypoint, _, inputs = factory_line(world)
    consumer = max((g for g in world.universe.markets[hq].goods if g.kind == "IMPORT"),
                   key=lambda g: (g.trade_volume, g.symbol)).symbol
    for place, symbol in ((hq, consumer), (waypoint, inputs[0])):     # an import nothing consumes, and a line's
        go_to(world, clock, place)
        start = good_at(world, place, symbol).sell_price
        tranches = 0
        while good_at(world, place, symbol).sell_price > start * 0.5:
            deliver(world, symbol, 1, place)
            tranches += 1
        dumped = good_at(world, place, symbol).sell_price
        assert tranches >= 10                                          # a dump is many tranches, not one
        clock.advance(HOUR)
        recovered = (good_at(world, place, symbol).sell_price - dumped) / (start - dumped)
        assert recovered <= 0.55, (symbol, recovered)                    # facts §5: bounce half-life about 1-1.5 h
        clock.advance(47 * HOUR)
        assert good_at(world, place, symbol).sell_price >= start * 0.95


def test_trade_volume_grows_under_sustained_feeding_and_shrinks_when_neglected(world: World,
                                                                               clock: ManualClock) -> None:
    waypoint, export, inputs = factory_line(world)
    go_to(world, clock, waypoint)
    tier = good_at(world, waypoint, export).trade_volume
    import_volumes = {s: good_at(world, waypoint, s).trade_volume for s in inputs}
    for _ in range(24 * 4):                                            # two tranches of each input every 15 min
        for symbol in inputs:
            deliver(world, symbol, 2, waypoint)
        clock.advance(15 * 60)
    grown = good_at(world, waypoint, export).trade_volume
    assert 1.3 * tier <= grown <= 4 * tier
    assert {s: good_at(world, waypoint, s).trade_volume for s in inputs} == import_volumes
    clock.advance(24 * HOUR)
    assert tier < good_at(world, waypoint, export).trade_volume < grown
    clock.advance(6 * 24 * HOUR)
    assert good_at(world, waypoint, export).trade_volume == tier


def label_mix(world: World) -> Counter:
    """(type, supply, activity) counts over every market of the universe, as GET market shows them."""
    now = world.now().timestamp()
    mix: Counter = Counter()
    for waypoint, spec in world.universe.markets.items():
        view = world._views.market(spec, world._market_now(world._markets[waypoint], now))
        mix.update((g.type, g.supply, g.activity) for g in view.trade_goods)
    return mix


def test_the_label_mix_after_a_day_nobody_trades_is_the_one_at_start(world: World, clock: ManualClock) -> None:
    start = label_mix(world)
    for _ in range(24):
        clock.advance(HOUR)
        label_mix(world)                                                # looked at every hour, as bots do
    assert label_mix(world) == start
    clock.advance(3 * 24 * HOUR)
    assert label_mix(world) == start


def test_a_grown_trade_volume_and_its_momentum_survive_a_restart(tmp_path, clock: ManualClock) -> None:
    settings = WorldSettings(seed=1, other_systems=3, starting_credits=10 ** 9, economy=STILL)
    kept = World.open(None, clock=clock, settings=settings)             # never stops
    stored = World.open(tmp_path, clock=clock, settings=settings)       # stopped and started again
    for world in (kept, stored):
        world.register(AGENT, "COSMIC")
    waypoint, export, inputs = factory_line(kept)
    for world in (kept, stored):
        go_to(world, clock, waypoint)
    tier = good_at(kept, waypoint, export).trade_volume
    for _ in range(12 * 4):
        for world in (kept, stored):
            for symbol in inputs:
                deliver(world, symbol, 2, waypoint)
        clock.advance(15 * 60)
    for world in (kept, stored):
        deliver(world, inputs[0], 1, waypoint)                           # a trade saves the market as it is now
    stored.close()
    clock.advance(3 * HOUR)
    stored = World.open(tmp_path, clock=clock, settings=settings)
    try:
        grown = good_at(kept, waypoint, export)
        assert grown.trade_volume > tier
        assert good_at(stored, waypoint, export) == grown
        clock.advance(9 * HOUR)                                          # the momentum carries on the same
        assert good_at(stored, waypoint, export) == good_at(kept, waypoint, export)
    finally:
        stored.close()
        kept.close()
