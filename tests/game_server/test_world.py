"""The World's rules: registration, visibility, trading with price impact, travel, and every error case."""
from __future__ import annotations

import math
import threading

import pytest

from adapters.game_server.clock import ManualClock
from adapters.game_server.errors import GameError
from adapters.game_server.world import World, WorldSettings
from adapters.wire import models as wire

AGENT = "BADGER"
FRIGATE, PROBE = f"{AGENT}-1", f"{AGENT}-2"


def make_world(clock: ManualClock, **options) -> World:
    settings = WorldSettings(seed=1, speed=options.pop("speed", 1.0), other_systems=5, **options)
    return World.open(None, clock=clock, settings=settings)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def world(clock: ManualClock) -> World:
    w = make_world(clock)
    w.register(AGENT, "COSMIC")
    yield w
    w.close()


def wp(world: World, local: str) -> str:
    return f"{world.universe.starter_system}-{local}"


def raises(code: int, call, *args, **kwargs) -> GameError:
    with pytest.raises(GameError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value


def fly(world: World, clock: ManualClock, ship: str, destination: str, *, dock: bool = True) -> None:
    world.orbit(AGENT, ship)
    nav = world.navigate(AGENT, ship, destination).nav
    clock.set(nav.route.arrival)
    clock.advance(0.001)
    if dock:
        world.dock(AGENT, ship)


def trade_good(world: World, waypoint: str, symbol: str, agent: str = AGENT) -> wire.MarketTradeGood:
    market = world.market(world.universe.waypoints[waypoint].system, waypoint, agent)
    assert market.trade_goods is not None
    return next(g for g in market.trade_goods if g.symbol == symbol)


def smallest_lot(world: World, waypoint: str) -> wire.MarketTradeGood:
    """The good of the market with the smallest tradeVolume, exchange goods aside (the headquarters, where the
    frigate starts, only imports)."""
    market = world.market(world.universe.starter_system, waypoint, AGENT)
    return min((g for g in market.trade_goods if g.type != "EXCHANGE"), key=lambda g: (g.trade_volume, g.symbol))


# --- registration and reads -------------------------------------------------------------------------------------------

def test_registration_gives_what_the_real_game_gives(clock: ManualClock) -> None:
    world = make_world(clock)
    data = world.register("badger", "COSMIC")
    assert data.agent.symbol == AGENT and data.agent.credits == 175_000 and data.agent.ship_count == 2
    assert data.agent.headquarters == world.universe.headquarters
    assert world.agent_for_token(data.token) == AGENT
    assert world.agent_for_token("nope") is None
    frigate, probe = data.ships
    assert data.ship == frigate
    assert (frigate.symbol, frigate.registration.role, frigate.frame.symbol) == (FRIGATE, "COMMAND", "FRAME_FRIGATE")
    assert (frigate.cargo.capacity, frigate.fuel.current, frigate.fuel.capacity, frigate.engine.speed) == \
        (40, 400, 400, 36)
    assert (frigate.nav.status, frigate.nav.waypoint_symbol) == ("DOCKED", world.universe.headquarters)
    assert (probe.symbol, probe.registration.role, probe.fuel.capacity, probe.cargo.capacity,
            probe.engine.speed) == (PROBE, "SATELLITE", 0, 0, 9)
    assert (probe.nav.status, probe.nav.waypoint_symbol) == ("DOCKED", world.universe.probe_shipyard)
    assert probe.nav.waypoint_symbol != frigate.nav.waypoint_symbol
    assert data.contract.type == "PROCUREMENT" and not data.contract.accepted
    deliver = data.contract.terms.deliver[0]
    assert deliver.trade_symbol.endswith("_ORE") and 40 <= deliver.units_required <= 60
    contracts, total = world.contracts(AGENT, 1, 10)
    assert total == 1 and contracts[0].id == data.contract.id


def test_registration_errors(world: World) -> None:
    error = raises(4111, world.register, "Badger", "VOID")
    assert error.status == 409
    assert raises(3001, world.register, "AB", "COSMIC").status == 422
    raises(3001, world.register, "FIFTEEN-CHARSXX", "COSMIC")
    raises(3001, world.register, "BAD NAME", "COSMIC")
    raises(3001, world.register, "GOODNAME", "NOT_A_FACTION")


def test_ships_are_private_and_paged(world: World) -> None:
    world.register("OTTER", "VOID")
    assert raises(404, world.ship, AGENT, "OTTER-1").status == 404
    raises(404, world.ship, AGENT, "NOBODY-1")
    raises(404, world.ship_cargo, "OTTER", FRIGATE)
    ships, total = world.ships(AGENT, 1, 1)
    assert total == 2 and [s.symbol for s in ships] == [FRIGATE]
    assert [s.symbol for s in world.ships(AGENT, 2, 1)[0]] == [PROBE]
    assert world.ships(AGENT, 3, 1)[0] == []
    assert world.ship_cooldown(AGENT, FRIGATE) is None
    assert world.ship_nav(AGENT, FRIGATE).status == "DOCKED"
    assert world.ship_cargo(AGENT, FRIGATE).units == 0
    assert world.agent(AGENT).credits == 175_000
    raises(4107, world.agent, "NOBODY")


def test_systems_and_waypoints(world: World) -> None:
    systems, total = world.systems(1, 20)
    assert total == 6 and systems[0].symbol == world.universe.starter_system
    starter = world.system(world.universe.starter_system)
    assert 82 <= len(starter.waypoints) <= 93
    markets, count = world.waypoints(starter.symbol, 1, 20, traits=["MARKETPLACE"])
    assert len(markets) == 20 and 25 <= count <= 30
    assert all(any(t.symbol == "MARKETPLACE" for t in w.traits) for w in markets)
    yards, count = world.waypoints(starter.symbol, 1, 20, traits=["MARKETPLACE", "SHIPYARD"])
    assert count == 3
    planets, count = world.waypoints(starter.symbol, 1, 10, type="PLANET")
    assert count == 7 and all(w.type == "PLANET" for w in planets)
    hq = world.waypoint(starter.symbol, world.universe.headquarters)
    assert hq.symbol == world.universe.headquarters and hq.system_symbol == starter.symbol
    raises(404, world.system, "X1-NOPE")
    raises(404, world.waypoints, "X1-NOPE", 1, 10)
    raises(404, world.waypoint, starter.symbol, "X1-NOPE-A1")
    raises(404, world.waypoint, systems[1].symbol, world.universe.headquarters)
    assert set(world.supply_chain().export_to_import_map["MACHINERY"]) == {"IRON"}


def test_server_status(world: World) -> None:
    status = world.server_status()
    assert status.stats.agents == 1 and status.stats.ships == 2 and status.stats.systems == 6
    assert status.leaderboards.most_credits[0].agent_symbol == AGENT
    assert status.reset_date == "2025-06-01"


# --- visibility -------------------------------------------------------------------------------------------------------

def test_market_prices_only_where_the_agent_has_a_ship(world: World) -> None:
    system = world.universe.starter_system
    hq = world.universe.headquarters
    assert world.market(system, hq, AGENT).trade_goods is not None
    assert world.market(system, hq, None).trade_goods is None
    assert world.market(system, wp(world, "E46"), AGENT).trade_goods is None
    assert world.market(system, wp(world, "E46"), AGENT).exports            # the lists are public
    probe_market = world.market(system, world.universe.probe_shipyard, AGENT)
    assert probe_market.trade_goods is not None and probe_market.transactions == []
    world.register("OTTER", "VOID")
    assert world.market(system, wp(world, "E46"), "OTTER").trade_goods is None
    raises(4603, world.market, system, wp(world, "B8"), AGENT)   # a plain asteroid has no market
    shipyard = world.shipyard(system, world.universe.probe_shipyard, AGENT)
    assert shipyard.ships and {s.type for s in shipyard.ships} >= {"SHIP_PROBE", "SHIP_LIGHT_HAULER"}
    hidden = world.shipyard(system, wp(world, "C41"), AGENT)
    assert hidden.ships is None and hidden.transactions is None and hidden.ship_types
    raises(4001, world.shipyard, system, hq, AGENT)


# --- trading ----------------------------------------------------------------------------------------------------------

def test_buying_repeatedly_raises_price_lowers_supply_then_it_recovers_slowly(clock: ManualClock) -> None:
    world, twin = make_world(clock, starting_credits=10_000_000), make_world(clock)
    world.register(AGENT, "COSMIC")
    twin.register(AGENT, "COSMIC")
    factory = wp(world, "A3")       # the headquarters' factory moon (the headquarters only imports)
    fly(world, clock, FRIGATE, factory)
    fly(twin, clock, FRIGATE, factory)
    good = smallest_lot(world, factory)
    assert good.type == "EXPORT"
    levels = ["SCARCE", "LIMITED", "MODERATE", "HIGH", "ABUNDANT"]
    seen = [good]
    for _ in range(6):
        world.purchase_cargo(AGENT, FRIGATE, good.symbol, good.trade_volume)
        world.jettison(AGENT, FRIGATE, good.symbol, good.trade_volume)
        seen.append(trade_good(world, factory, good.symbol))
    prices = [g.purchase_price for g in seen]
    assert prices == sorted(prices) and prices[-1] > prices[0] * 1.3
    assert levels.index(seen[-1].supply) < levels.index(seen[0].supply)
    # Its line restocks it over game hours (half-life 1 h while its inputs last), not minutes.
    clock.advance(10 * 60)
    assert trade_good(world, factory, good.symbol).purchase_price > prices[-1] * 0.8
    clock.advance(50 * 60)
    assert prices[0] * 1.2 < trade_good(world, factory, good.symbol).purchase_price < prices[-1]
    clock.advance(2 * 24 * 3600)
    drifted = trade_good(world, factory, good.symbol).purchase_price
    untouched = trade_good(twin, factory, good.symbol).purchase_price
    assert abs(drifted - untouched) <= untouched * 0.03


def test_a_round_trip_at_one_market_loses_money(clock: ManualClock) -> None:
    world = make_world(clock, starting_credits=10_000_000)      # the headquarters' imports are dear
    world.register(AGENT, "COSMIC")
    hq = world.universe.headquarters
    for good in world.market(world.universe.starter_system, hq, AGENT).trade_goods:
        units = min(good.trade_volume, 40)
        start = world.agent(AGENT).credits
        if good.purchase_price * units > start:
            continue
        world.purchase_cargo(AGENT, FRIGATE, good.symbol, units)
        world.sell_cargo(AGENT, FRIGATE, good.symbol, units)
        assert world.agent(AGENT).credits < start, good.symbol


def test_inputs_sold_to_a_factory_raise_its_export_supply_later(clock: ManualClock) -> None:
    fed, twin = make_world(clock), make_world(clock)
    iron_works, machine_shop = wp(fed, "H51"), wp(fed, "E46")
    for world in (fed, twin):
        world.register(AGENT, "COSMIC")
    for world in (fed, twin):               # both fly the same route; only `fed` trades
        world.orbit(AGENT, FRIGATE)
        world.navigate(AGENT, FRIGATE, iron_works)
    clock.advance(600)
    for world in (fed, twin):
        world.dock(AGENT, FRIGATE)
    fed.purchase_cargo(AGENT, FRIGATE, "IRON", 40)
    for world in (fed, twin):
        world.orbit(AGENT, FRIGATE)
        world.navigate(AGENT, FRIGATE, machine_shop)
    clock.advance(600)
    for world in (fed, twin):
        world.dock(AGENT, FRIGATE)
    before = trade_good(fed, machine_shop, "MACHINERY")
    assert before == trade_good(twin, machine_shop, "MACHINERY")
    fed.sell_cargo(AGENT, FRIGATE, "IRON", 40)
    assert trade_good(fed, machine_shop, "MACHINERY") == before       # production takes time
    clock.advance(30 * 60)
    assert trade_good(fed, machine_shop, "MACHINERY").purchase_price < \
        trade_good(twin, machine_shop, "MACHINERY").purchase_price


def test_purchase_and_sale_move_credits_cargo_and_history(world: World) -> None:
    hq = world.universe.headquarters
    fuel = trade_good(world, hq, "FUEL")
    bought = world.purchase_cargo(AGENT, FRIGATE, "FUEL", 10)
    assert bought.transaction.type == "PURCHASE" and bought.transaction.price_per_unit == fuel.purchase_price
    assert bought.transaction.total_price == 10 * fuel.purchase_price
    assert bought.agent.credits == 175_000 - bought.transaction.total_price
    assert bought.cargo.units == 10 and bought.cargo.inventory[0].symbol == "FUEL"
    fuel = trade_good(world, hq, "FUEL")
    sold = world.sell_cargo(AGENT, FRIGATE, "FUEL", 4)
    assert sold.transaction.price_per_unit == fuel.sell_price
    assert sold.agent.credits == bought.agent.credits + 4 * fuel.sell_price
    assert sold.cargo.units == 6
    history = world.market(world.universe.starter_system, hq, AGENT).transactions
    assert [(t.type, t.units, t.ship_symbol) for t in history] == [("PURCHASE", 10, FRIGATE), ("SELL", 4, FRIGATE)]


def test_trade_volume_caps_a_transaction_and_nothing_moves(world: World) -> None:
    hq = world.universe.headquarters
    good = smallest_lot(world, hq)
    error = raises(4604, world.purchase_cargo, AGENT, FRIGATE, good.symbol, good.trade_volume + 1)
    assert error.data == {"waypointSymbol": hq, "tradeSymbol": good.symbol, "units": good.trade_volume + 1,
                          "tradeVolume": good.trade_volume}
    assert world.agent(AGENT).credits == 175_000
    assert world.ship_cargo(AGENT, FRIGATE).units == 0
    assert trade_good(world, hq, good.symbol) == good
    assert world.market(world.universe.starter_system, hq, AGENT).transactions == []


def test_trade_errors(clock: ManualClock) -> None:
    world = make_world(clock, starting_credits=1_000)
    world.register(AGENT, "COSMIC")
    hq = world.universe.headquarters
    good = smallest_lot(world, hq)
    error = raises(4600, world.purchase_cargo, AGENT, FRIGATE, good.symbol, 1)
    assert error.data["agentCredits"] == 1_000 and error.data["purchasePrice"] == good.purchase_price
    raises(4601, world.purchase_cargo, AGENT, FRIGATE, "IRON_ORE", 1)
    raises(4602, world.sell_cargo, AGENT, FRIGATE, "IRON_ORE", 1)
    raises(4218, world.sell_cargo, AGENT, FRIGATE, "FUEL", 1)
    raises(3001, world.purchase_cargo, AGENT, FRIGATE, "FUEL", 0)
    raises(3001, world.purchase_cargo, AGENT, FRIGATE, "FUEL", -5)
    raises(3001, world.purchase_cargo, AGENT, FRIGATE, "NOT_A_GOOD", 1)
    world.purchase_cargo(AGENT, FRIGATE, "FUEL", 2)
    raises(4219, world.sell_cargo, AGENT, FRIGATE, "FUEL", 3)
    raises(4217, world.purchase_cargo, AGENT, PROBE, "FUEL", 1)      # a probe has no hold
    world.orbit(AGENT, FRIGATE)
    raises(4244, world.purchase_cargo, AGENT, FRIGATE, "FUEL", 1)
    raises(4244, world.sell_cargo, AGENT, FRIGATE, "FUEL", 1)
    raises(4244, world.refuel, AGENT, FRIGATE)


def test_cargo_never_exceeds_capacity(clock: ManualClock) -> None:
    world = make_world(clock, starting_credits=10_000_000)
    world.register(AGENT, "COSMIC")
    world.purchase_cargo(AGENT, FRIGATE, "FUEL", 35)
    error = raises(4217, world.purchase_cargo, AGENT, FRIGATE, "FUEL", 6)
    assert error.data["cargoCapacity"] == 40 and error.data["cargoUnits"] == 35
    assert world.purchase_cargo(AGENT, FRIGATE, "FUEL", 5).cargo.units == 40


def test_no_market_at_the_waypoint(world: World, clock: ManualClock) -> None:
    fly(world, clock, FRIGATE, wp(world, "G50"))      # the gas giant: never a market
    raises(4603, world.purchase_cargo, AGENT, FRIGATE, "FUEL", 1)
    raises(4601, world.refuel, AGENT, FRIGATE)


# --- travel -------------------------------------------------------------------------------------------------------------

def test_navigation_takes_the_formula_time_and_fuel_and_arrival_is_real(world: World, clock: ManualClock) -> None:
    start = clock.now()
    world.orbit(AGENT, FRIGATE)
    target = wp(world, "H51")
    here, there = world.universe.waypoints[world.universe.headquarters], world.universe.waypoints[target]
    dist = round(math.hypot(there.x - here.x, there.y - here.y))
    data = world.navigate(AGENT, FRIGATE, target)
    assert data.fuel.current == 400 - dist and data.fuel.consumed.amount == dist
    assert data.nav.status == "IN_TRANSIT" and data.nav.route.destination.symbol == target
    assert data.nav.route.origin.symbol == here.symbol and data.nav.route.departure_time == start
    seconds = (data.nav.route.arrival - start).total_seconds()
    assert seconds == pytest.approx(round(dist * 25 / 36 + 15), abs=0.002)
    error = raises(4214, world.dock, AGENT, FRIGATE)
    assert error.data["destinationSymbol"] == target and error.data["secondsToArrival"] == math.ceil(seconds)
    raises(4214, world.orbit, AGENT, FRIGATE)
    raises(4200, world.navigate, AGENT, FRIGATE, world.universe.headquarters)
    raises(4214, world.jettison, AGENT, FRIGATE, "FUEL", 1)
    clock.advance(seconds - 1)
    assert world.ship_nav(AGENT, FRIGATE).status == "IN_TRANSIT"
    assert world.market(there.system, target, AGENT).trade_goods is None
    clock.advance(1.01)
    nav = world.ship_nav(AGENT, FRIGATE)
    assert (nav.status, nav.waypoint_symbol) == ("IN_ORBIT", target)
    assert world.market(there.system, target, AGENT).trade_goods is not None


def test_speed_setting_divides_travel_time(clock: ManualClock) -> None:
    world = make_world(clock, speed=60.0)
    world.register(AGENT, "COSMIC")
    world.orbit(AGENT, FRIGATE)
    nav = world.navigate(AGENT, FRIGATE, wp(world, "H51")).nav
    here, there = world.universe.waypoints[world.universe.headquarters], world.universe.waypoints[wp(world, "H51")]
    dist = round(math.hypot(there.x - here.x, there.y - here.y))
    seconds = (nav.route.arrival - nav.route.departure_time).total_seconds()
    assert seconds == pytest.approx(round(dist * 25 / 36 + 15) / 60, abs=0.002)


def test_navigation_errors(world: World) -> None:
    raises(4236, world.navigate, AGENT, FRIGATE, wp(world, "H51"))           # docked
    world.orbit(AGENT, FRIGATE)
    raises(4204, world.navigate, AGENT, FRIGATE, world.universe.headquarters)
    other = world.universe.systems[1].waypoints[0]
    raises(4202, world.navigate, AGENT, FRIGATE, other)
    raises(404, world.navigate, AGENT, FRIGATE, "X1-NOPE-A1")
    world.patch_nav(AGENT, FRIGATE, "BURN")
    far = max((w for w in world.universe.systems[0].waypoints),
              key=lambda s: math.hypot(world.universe.waypoints[s].x, world.universe.waypoints[s].y))
    error = raises(4203, world.navigate, AGENT, FRIGATE, far)
    assert error.data["fuelAvailable"] == 400 and error.data["fuelRequired"] > 400
    raises(3001, world.patch_nav, AGENT, FRIGATE, "WARP")


def test_orbitals_are_zero_apart_and_probes_fly_without_fuel(world: World, clock: ManualClock) -> None:
    world.orbit(AGENT, PROBE)
    data = world.navigate(AGENT, PROBE, world.universe.headquarters)     # the shipyard moon orbits HQ
    assert data.fuel.current == 0 and data.fuel.capacity == 0
    assert (data.nav.route.arrival - data.nav.route.departure_time).total_seconds() == pytest.approx(
        round(25 / 9 + 15), abs=0.002)


def test_flight_mode_in_transit_only_speeds_up(world: World, clock: ManualClock) -> None:
    world.orbit(AGENT, FRIGATE)
    world.patch_nav(AGENT, FRIGATE, "CRUISE")
    nav = world.navigate(AGENT, FRIGATE, wp(world, "H51")).nav
    raises(4269, world.patch_nav, AGENT, FRIGATE, "DRIFT")
    fuel_before = world.ship(AGENT, FRIGATE).fuel.current
    clock.advance(10)
    faster = world.patch_nav(AGENT, FRIGATE, "BURN")
    assert faster.nav.flight_mode == "BURN"
    assert faster.nav.route.arrival < nav.route.arrival
    assert faster.fuel.current < fuel_before


# --- refuel, transfer, jettison ----------------------------------------------------------------------------------------

def test_refuel_costs_one_market_unit_per_started_hundred(world: World, clock: ManualClock) -> None:
    fly(world, clock, FRIGATE, wp(world, "H51"))
    used = 400 - world.ship(AGENT, FRIGATE).fuel.current
    price = trade_good(world, wp(world, "H51"), "FUEL").purchase_price
    credits = world.agent(AGENT).credits
    data = world.refuel(AGENT, FRIGATE)
    assert data.fuel.current == 400
    assert data.transaction.units == math.ceil(used / 100) and data.transaction.trade_symbol == "FUEL"
    assert data.transaction.total_price == math.ceil(used / 100) * price
    assert data.agent.credits == credits - data.transaction.total_price
    raises(3001, world.refuel, AGENT, FRIGATE, 0)


def fuel_market_at(world: World, low: float, high: float) -> str:
    """A starter market selling FUEL between `low` and `high` from the headquarters."""
    hq = world.universe.waypoints[world.universe.headquarters]
    return next(symbol for symbol, spec in sorted(world.universe.markets.items())
                if symbol.startswith(world.universe.starter_system + "-") and "FUEL" in spec.exchange
                and low <= math.hypot(world.universe.waypoints[symbol].x - hq.x,
                                      world.universe.waypoints[symbol].y - hq.y) <= high)


def test_refuel_from_cargo_and_where_no_fuel_is_sold(world: World, clock: ManualClock) -> None:
    world.purchase_cargo(AGENT, FRIGATE, "FUEL", 2)
    fly(world, clock, FRIGATE, fuel_market_at(world, 160, 350))
    used = 400 - world.ship(AGENT, FRIGATE).fuel.current
    data = world.refuel(AGENT, FRIGATE, units=150, from_cargo=True)
    assert data.cargo.units == 0 and data.fuel.current == 400 - used + 150
    assert "FUEL" not in {g.symbol for g in world.universe.markets[wp(world, "A3")].goods}
    fly(world, clock, FRIGATE, wp(world, "A3"))
    raises(4601, world.refuel, AGENT, FRIGATE)


def test_transfer_and_jettison(world: World, clock: ManualClock) -> None:
    world.purchase_cargo(AGENT, FRIGATE, "FUEL", 5)
    raises(4233, world.transfer, AGENT, FRIGATE, "FUEL", 1, FRIGATE)
    raises(4231, world.transfer, AGENT, FRIGATE, "FUEL", 1, "NOBODY-1")
    raises(4234, world.transfer, AGENT, FRIGATE, "FUEL", 1, PROBE)
    world.register("OTTER", "VOID")
    raises(4232, world.transfer, AGENT, FRIGATE, "FUEL", 1, "OTTER-1")
    world.purchase_ship(AGENT, "SHIP_PROBE", world.universe.probe_shipyard)   # BADGER-3 at the shipyard moon
    world.orbit(AGENT, PROBE)
    world.navigate(AGENT, PROBE, world.universe.headquarters)
    clock.advance(60)
    raises(4271, world.transfer, AGENT, FRIGATE, "FUEL", 1, PROBE)            # docked vs in orbit
    world.dock(AGENT, PROBE)
    raises(4217, world.transfer, AGENT, FRIGATE, "FUEL", 1, PROBE)            # a probe holds nothing
    raises(4219, world.transfer, AGENT, FRIGATE, "FUEL", 6, PROBE)
    raises(4218, world.jettison, AGENT, FRIGATE, "IRON", 1)
    raises(4219, world.jettison, AGENT, FRIGATE, "FUEL", 6)
    assert world.jettison(AGENT, FRIGATE, "FUEL", 5).cargo.units == 0


def test_transfer_between_two_haulers(clock: ManualClock) -> None:
    world = make_world(clock, starting_credits=10_000_000)
    world.register(AGENT, "COSMIC")
    yard = world.universe.probe_shipyard
    hauler = world.purchase_ship(AGENT, "SHIP_LIGHT_HAULER", yard).ship
    assert hauler.nav.waypoint_symbol == yard
    world.purchase_cargo(AGENT, hauler.symbol, "FUEL", 30)
    fly(world, clock, FRIGATE, yard)
    data = world.transfer(AGENT, hauler.symbol, "FUEL", 12, FRIGATE)
    assert data.cargo.units == 18
    assert world.ship_cargo(AGENT, FRIGATE).units == 12


# --- shipyards ----------------------------------------------------------------------------------------------------------

def test_buying_a_ship(clock: ManualClock) -> None:
    world = make_world(clock, starting_credits=500_000)
    world.register(AGENT, "COSMIC")
    yard = world.universe.probe_shipyard
    system = world.universe.starter_system
    price = {s.type: s.purchase_price for s in world.shipyard(system, yard, AGENT).ships}["SHIP_LIGHT_HAULER"]
    data = world.purchase_ship(AGENT, "SHIP_LIGHT_HAULER", yard)
    assert data.ship.symbol == f"{AGENT}-3" and data.ship.nav.status == "DOCKED"
    assert (data.ship.cargo.capacity, data.ship.fuel.current, data.ship.engine.speed) == (80, 600, 15)
    assert data.agent.credits == 500_000 - price and data.agent.ship_count == 3
    assert data.transaction.price == price and data.transaction.ship_type == "SHIP_LIGHT_HAULER"
    after = {s.type: s.purchase_price for s in world.shipyard(system, yard, AGENT).ships}["SHIP_LIGHT_HAULER"]
    assert after > price
    assert world.shipyard(system, yard, AGENT).transactions[-1].agent_symbol == AGENT
    raises(4605, world.purchase_ship, AGENT, "SHIP_MINING_DRONE", yard)
    raises(4245, world.purchase_ship, AGENT, "SHIP_PROBE", wp(world, "C41"))
    raises(4001, world.purchase_ship, AGENT, "SHIP_PROBE", world.universe.headquarters)
    raises(404, world.purchase_ship, AGENT, "SHIP_PROBE", "X1-NOPE-A1")
    raises(3001, world.purchase_ship, AGENT, "SHIP_BANANA", yard)
    error = raises(4216, world.purchase_ship, AGENT, "SHIP_LIGHT_HAULER", yard)
    assert error.data["creditsAvailable"] == data.agent.credits and error.data["creditsNeeded"] == after


# --- concurrency ------------------------------------------------------------------------------------------------------

def test_concurrent_purchases_never_overfill_cargo_or_overdraw_credits(clock: ManualClock) -> None:
    world = make_world(clock, starting_credits=1_500)
    world.register(AGENT, "COSMIC")
    successes: list[int] = []
    failures: list[int] = []
    guard = threading.Lock()

    def buyer() -> None:
        for _ in range(30):
            try:
                total = world.purchase_cargo(AGENT, FRIGATE, "FUEL", 2).transaction.total_price
            except GameError as error:
                with guard:
                    failures.append(error.code)
            else:
                with guard:
                    successes.append(total)

    threads = [threading.Thread(target=buyer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    credits = world.agent(AGENT).credits
    cargo = world.ship_cargo(AGENT, FRIGATE).units
    assert credits >= 0 and cargo <= 40
    assert credits == 1_500 - sum(successes)
    assert cargo == 2 * len(successes)
    assert set(failures) <= {4600, 4217} and failures
