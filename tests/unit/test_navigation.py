"""Travel formulas, route planning over fuel markets, and flying with the Navigator on the FakeGame."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.game_errors import GameUnavailable, ShipBusy
from application.ledger_recorder import LedgerRecorder
from application.navigation import NavigationConfig, Navigator, NoRoute, plan_route
from application.travel import TravelModel, fuel_cost, game_round, travel_distance
from application.waiting import OperationCancelled
from domain.fleet import ShipNavFlightMode, ShipNavStatus, ShipRole
from domain.geometry import Position
from domain.goods import TradeGoodType, TradeSymbol
from domain.ledger import TransactionCategory, TransactionType
from domain.symbols import WaypointSymbol
from tests.fake_game import CancelAfter, FakeGame
from tests.fake_repositories import InMemoryLedgerRepository, InMemoryShipAssignmentRepository
from tests.fakes import FakeClock, InMemoryMarketRepository

CRUISE, DRIFT, BURN, STEALTH = (ShipNavFlightMode.CRUISE, ShipNavFlightMode.DRIFT, ShipNavFlightMode.BURN,
                                ShipNavFlightMode.STEALTH)


def wp(symbol: str) -> WaypointSymbol:
    return WaypointSymbol(symbol)


# --- travel formulas ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [(2.5, 3), (3.5, 4), (2.4999, 2), (0.5, 1), (0.0, 0)])
def test_game_round_rounds_half_up_like_javascript(value, expected):
    assert game_round(value) == expected


@pytest.mark.parametrize("a, b, expected", [
    ((0, 0), (3, 4), 5),
    ((0, 0), (1, 1), 1),     # 1.414
    ((0, 0), (1, 2), 2),     # 2.236
    ((0, 0), (3, 3), 4),     # 4.243
    ((10, -5), (10, -5), 0),  # orbitals share their parent's position
])
def test_distance_is_euclidean_and_rounded(a, b, expected):
    assert travel_distance(Position(*a), Position(*b)) == expected


@pytest.mark.parametrize("distance, mode, expected", [
    (100, CRUISE, 100), (100, STEALTH, 100), (100, BURN, 200), (100, DRIFT, 1),
    (0, CRUISE, 1), (0, BURN, 2), (0, DRIFT, 1),
])
def test_fuel_per_flight_mode(distance, mode, expected):
    assert fuel_cost(distance, mode) == expected


def test_flight_seconds_follow_the_wiki_formula():
    model = TravelModel()
    assert model.flight_seconds(240, CRUISE, 15) == 415  # the facts sheet's hauler leg
    assert model.flight_seconds(124, DRIFT, 36) == 876  # the facts sheet's check against a real DRIFT
    assert model.flight_seconds(0, CRUISE, 30) == round(25 / 30 + 15)  # distance 0 counts as 1
    assert model.flight_seconds(100, BURN, 10) == 140


def test_multipliers_are_configurable():
    assert TravelModel(cruise=31).flight_seconds(100, CRUISE, 31) == 115


# --- route planning ----------------------------------------------------------------------------------------

LINE = {wp("X1-O"): Position(0, 0), wp("X1-S"): Position(150, 0), wp("X1-D"): Position(300, 0),
        wp("X1-T"): Position(150, 200)}


def test_direct_flight_when_the_tank_covers_it():
    route = plan_route(wp("X1-O"), wp("X1-D"), LINE, {wp("X1-S")}, fuel=500, fuel_capacity=600, engine_speed=30)
    assert [(h.origin, h.destination, h.mode) for h in route.hops] == [(wp("X1-O"), wp("X1-D"), CRUISE)]
    assert route.refuel_stops == ()
    assert route.seconds == TravelModel().flight_seconds(300, CRUISE, 30)


def test_stops_for_fuel_rather_than_arrive_unable_to_reach_fuel_again():
    # Direct, 400 fuel leaves 100 at D, whose nearest fuel market S is 150 away: refuel at S on the way instead.
    route = plan_route(wp("X1-O"), wp("X1-D"), LINE, {wp("X1-S")}, fuel=400, fuel_capacity=400, engine_speed=30)
    assert [h.destination for h in route.hops] == [wp("X1-S"), wp("X1-D")]
    assert route.refuel_stops == (wp("X1-S"),)


def test_a_small_tank_stops_to_refuel_at_a_fuel_market_on_the_way():
    route = plan_route(wp("X1-O"), wp("X1-D"), LINE, {wp("X1-S")}, fuel=200, fuel_capacity=200, engine_speed=30)
    assert [h.destination for h in route.hops] == [wp("X1-S"), wp("X1-D")]
    assert all(h.mode is CRUISE for h in route.hops)
    assert route.refuel_stops == (wp("X1-S"),)


def test_refuels_at_the_origin_when_the_first_flight_needs_it():
    stations = {wp("X1-O"), wp("X1-S")}
    route = plan_route(wp("X1-O"), wp("X1-S"), LINE, stations, fuel=20, fuel_capacity=200, engine_speed=30)
    assert len(route.hops) == 1 and route.hops[0].refuel_before


def test_keeps_enough_fuel_at_a_destination_without_fuel_to_reach_a_fuel_market():
    # O and S sell fuel, D does not. 150 fuel reaches D (100 away) but would leave 50, short of the 100 back to O.
    positions = {wp("X1-O"): Position(0, 0), wp("X1-S"): Position(0, 100), wp("X1-D"): Position(100, 0)}
    route = plan_route(wp("X1-O"), wp("X1-D"), positions, {wp("X1-O"), wp("X1-S")}, fuel=150, fuel_capacity=300,
                       engine_speed=30)
    hop = route.hops[0]
    assert hop.fuel == 100
    assert hop.fuel_needed == 100 + 100  # back to O (100) or S (141): the nearest is 100
    assert hop.refuel_before  # 150 would get there, but leave only 50


def test_flies_without_the_reserve_when_no_route_keeps_it():
    positions = {wp("X1-O"): Position(0, 0), wp("X1-D"): Position(180, 0)}
    route = plan_route(wp("X1-O"), wp("X1-D"), positions, {wp("X1-O")}, fuel=200, fuel_capacity=200,
                       engine_speed=30)
    assert [h.mode for h in route.hops] == [CRUISE]  # 180 there, 180 back is more than the tank


def test_drifts_only_when_no_cruise_route_exists():
    positions = {wp("X1-O"): Position(0, 0), wp("X1-D"): Position(100, 0)}
    route = plan_route(wp("X1-O"), wp("X1-D"), positions, set(), fuel=10, fuel_capacity=400, engine_speed=30)
    assert [(h.mode, h.fuel) for h in route.hops] == [(DRIFT, 1)]
    assert route.drifts


def test_drifts_to_a_fuel_market_then_cruises_on():
    positions = {wp("X1-O"): Position(0, 0), wp("X1-S"): Position(50, 0), wp("X1-D"): Position(250, 0)}
    route = plan_route(wp("X1-O"), wp("X1-D"), positions, {wp("X1-S")}, fuel=5, fuel_capacity=400, engine_speed=30)
    assert [(h.destination, h.mode) for h in route.hops] == [(wp("X1-S"), DRIFT), (wp("X1-D"), CRUISE)]
    assert route.refuel_stops == (wp("X1-S"),)


def test_no_route_without_fuel_even_to_drift():
    positions = {wp("X1-O"): Position(0, 0), wp("X1-D"): Position(100, 0)}
    with pytest.raises(NoRoute):
        plan_route(wp("X1-O"), wp("X1-D"), positions, set(), fuel=0, fuel_capacity=400, engine_speed=30)


def test_unknown_destination_has_no_route():
    with pytest.raises(NoRoute):
        plan_route(wp("X1-O"), wp("X1-ZZ"), LINE, set(), fuel=400, fuel_capacity=400, engine_speed=30)


def test_ships_without_a_tank_fly_straight():
    route = plan_route(wp("X1-O"), wp("X1-D"), LINE, set(), fuel=0, fuel_capacity=0, engine_speed=9)
    assert [(h.destination, h.mode, h.fuel) for h in route.hops] == [(wp("X1-D"), CRUISE, 0)]


def test_already_there_means_no_flight():
    assert plan_route(wp("X1-O"), wp("X1-O"), LINE, set(), fuel=1, fuel_capacity=400, engine_speed=30).hops == ()


def test_picks_the_faster_of_two_refuelling_routes():
    positions = {wp("X1-O"): Position(0, 0), wp("X1-D"): Position(300, 0),
                 wp("X1-NEAR"): Position(150, 10), wp("X1-FAR"): Position(150, 150)}
    route = plan_route(wp("X1-O"), wp("X1-D"), positions, {wp("X1-NEAR"), wp("X1-FAR")}, fuel=200,
                       fuel_capacity=200, engine_speed=30)
    assert [h.destination for h in route.hops] == [wp("X1-NEAR"), wp("X1-D")]


# --- flying ------------------------------------------------------------------------------------------------


def line_world(clock: FakeClock, *, fuel: int = 200, capacity: int = 200) -> FakeGame:
    """O (no fuel) -- 150 -- S (fuel) -- 150 -- D (market without fuel)."""
    game = FakeGame(clock)
    for symbol, position in LINE.items():
        game.add_waypoint(symbol, position.x, position.y)
    game.add_good("X1-S", TradeSymbol.FUEL, TradeGoodType.EXCHANGE, ask=70, bid=65, trade_volume=100)
    game.add_good("X1-D", TradeSymbol.FOOD, TradeGoodType.IMPORT, ask=300, bid=150)
    game.add_ship("AGENT-1", "X1-O", fuel_capacity=capacity, fuel=fuel, engine_speed=30)
    return game


def navigator_for(game: FakeGame, clock: FakeClock, assignments=None, **config) -> Navigator:
    markets = InMemoryMarketRepository(game.snapshots())
    return Navigator(game, clock, markets, assignments, NavigationConfig(**config))


def test_flies_through_a_fuel_market_refuels_and_docks_at_the_destination():
    clock = FakeClock()
    game = line_world(clock)
    ledger = InMemoryLedgerRepository()
    assignments = InMemoryShipAssignmentRepository()
    start, credits = clock.now(), game.credits

    route = navigator_for(game, clock, assignments).go(wp("AGENT-1"), wp("X1-D"), LedgerRecorder(game, ledger, "op-7"))

    ship = game.ship(wp("AGENT-1"))
    assert (ship.waypoint, ship.nav_status) == (wp("X1-D"), ShipNavStatus.DOCKED)
    assert [d.destination for d in game.departures] == [wp("X1-S"), wp("X1-D")]
    assert clock.now() - start >= timedelta(seconds=route.seconds)  # waited out both flights
    assert len(game.refuels) == 1 and game.refuels[0].waypoint == wp("X1-S")
    [row] = ledger.rows
    assert (row.type, row.category, row.operation_id, row.good) == (
        TransactionType.DEBIT, TransactionCategory.REFUEL, "op-7", TradeSymbol.FUEL)
    assert row.amount == credits - game.credits
    assert any(text.startswith("flying to X1-D via X1-S until") for text in assignments.activities[wp("AGENT-1")])


def test_waits_by_the_clock_in_slices():
    clock = FakeClock()
    game = line_world(clock, fuel=400, capacity=400)
    recorder = LedgerRecorder(game, InMemoryLedgerRepository())
    route = navigator_for(game, clock, wait_slice=5.0).go(wp("AGENT-1"), wp("X1-D"), recorder)
    assert max(clock.slept) <= 5.0
    assert sum(clock.slept) >= route.seconds


def test_cancelling_stops_the_wait_within_a_slice():
    clock = FakeClock()
    game = line_world(clock, fuel=400, capacity=400)
    start = clock.now()
    with pytest.raises(OperationCancelled):
        navigator_for(game, clock, wait_slice=5.0).go(
            wp("AGENT-1"), wp("X1-D"), LedgerRecorder(game, InMemoryLedgerRepository()), CancelAfter(clock, 60))
    assert timedelta(seconds=60) <= clock.now() - start <= timedelta(seconds=65)
    assert game.ship(wp("AGENT-1")).nav_status is ShipNavStatus.IN_TRANSIT  # the ship flies on; fine


def test_a_ship_already_in_transit_is_waited_for_first():
    clock = FakeClock()
    game = line_world(clock, fuel=400, capacity=400)
    game.orbit(wp("AGENT-1"))
    first = game.navigate(wp("AGENT-1"), wp("X1-S"))
    navigator_for(game, clock).go(wp("AGENT-1"), wp("X1-D"), LedgerRecorder(game, InMemoryLedgerRepository()))
    assert [d.destination for d in game.departures] == [wp("X1-S"), wp("X1-D")]
    assert game.departures[1].departed_at >= first.arrival


class EarlyArrivalGame(FakeGame):
    """Announces arrivals 20 s early, as a server whose clock runs behind ours would."""

    def navigate(self, ship, destination):
        departure = super().navigate(ship, destination)
        return replace(departure, arrival=departure.arrival - timedelta(seconds=20))


def test_waits_again_when_the_server_still_sees_the_ship_in_transit():
    clock = FakeClock()
    game = EarlyArrivalGame(clock)
    for symbol, position in LINE.items():
        game.add_waypoint(symbol, position.x, position.y)
    game.add_ship("AGENT-1", "X1-O", fuel_capacity=400, engine_speed=30)
    navigator_for(game, clock).go(wp("AGENT-1"), wp("X1-D"), LedgerRecorder(game, InMemoryLedgerRepository()))
    ship = game.ship(wp("AGENT-1"))
    assert (ship.waypoint, ship.nav_status) == (wp("X1-D"), ShipNavStatus.DOCKED)
    assert game.calls.count("dock") == 2  # refused once while still in transit


def test_a_ship_busy_error_outside_a_flight_is_not_swallowed():
    clock = FakeClock()
    game = line_world(clock, fuel=400, capacity=400)
    game.fleet[wp("AGENT-1")].nav_status = ShipNavStatus.IN_ORBIT
    game.fail_next("dock", ShipBusy("on cooldown", code=4000))
    with pytest.raises(ShipBusy):
        navigator_for(game, clock).go(wp("AGENT-1"), wp("X1-S"), LedgerRecorder(game, InMemoryLedgerRepository()))


def test_a_probe_flies_straight_without_fuel():
    clock = FakeClock()
    game = line_world(clock)
    game.add_ship("AGENT-2", "X1-O", cargo_capacity=0, fuel_capacity=0, engine_speed=9, role=ShipRole.SATELLITE,
                  frame="FRAME_PROBE")
    ledger = InMemoryLedgerRepository()
    navigator_for(game, clock).go(wp("AGENT-2"), wp("X1-D"), LedgerRecorder(game, ledger), dock=False)
    assert [(d.origin, d.destination) for d in game.departures] == [(wp("X1-O"), wp("X1-D"))]
    assert game.ship(wp("AGENT-2")).nav_status is ShipNavStatus.IN_ORBIT
    assert ledger.rows == [] and game.refuels == []


def test_a_ship_low_on_fuel_drifts_to_fuel_then_cruises_never_stranded():
    clock = FakeClock()
    game = line_world(clock, fuel=3, capacity=200)
    navigator_for(game, clock).go(wp("AGENT-1"), wp("X1-D"), LedgerRecorder(game, InMemoryLedgerRepository()))
    ship = game.ship(wp("AGENT-1"))
    assert ship.waypoint == wp("X1-D")
    assert [d.destination for d in game.departures] == [wp("X1-S"), wp("X1-D")]
    assert game.departures[0].fuel_after == 2  # the DRIFT cost 1
    assert ship.flight_mode is CRUISE  # back to cruising after the refuel


def test_waypoints_are_asked_once_per_system():
    clock = FakeClock()
    game = line_world(clock, fuel=400, capacity=400)
    navigator = navigator_for(game, clock)
    recorder = LedgerRecorder(game, InMemoryLedgerRepository())
    navigator.go(wp("AGENT-1"), wp("X1-S"), recorder)
    navigator.go(wp("AGENT-1"), wp("X1-D"), recorder)
    assert game.calls.count("waypoints") <= 1


def test_the_ship_is_read_once_and_remembered_between_flights():
    clock = FakeClock()
    game = line_world(clock, fuel=400, capacity=400)
    navigator = navigator_for(game, clock)
    recorder = LedgerRecorder(game, InMemoryLedgerRepository())
    navigator.go(wp("AGENT-1"), wp("X1-S"), recorder)
    navigator.go(wp("AGENT-1"), wp("X1-D"), recorder)
    navigator.go(wp("AGENT-1"), wp("X1-D"), recorder)  # already there, docked: nothing to do
    assert game.calls.count("ship") == 1
    assert [d.destination for d in game.departures] == [wp("X1-S"), wp("X1-D")]
    assert game.calls.count("dock") == 2


def test_a_failed_flight_makes_the_navigator_read_the_ship_again():
    clock = FakeClock()
    game = line_world(clock, fuel=400, capacity=400)
    navigator = navigator_for(game, clock)
    recorder = LedgerRecorder(game, InMemoryLedgerRepository())
    navigator.go(wp("AGENT-1"), wp("X1-S"), recorder)
    game.fail_next("navigate", GameUnavailable("server down"))
    with pytest.raises(GameUnavailable):
        navigator.go(wp("AGENT-1"), wp("X1-D"), recorder)
    navigator.go(wp("AGENT-1"), wp("X1-D"), recorder)
    assert game.calls.count("ship") == 2
    assert game.ship(wp("AGENT-1")).waypoint == wp("X1-D")


def test_recorded_market_positions_spare_the_waypoint_list():
    clock = FakeClock()
    game = line_world(clock, fuel=400, capacity=400)
    game.add_good("X1-O", TradeSymbol.FOOD, TradeGoodType.IMPORT, ask=300, bid=150)  # the origin is a market too
    navigator = navigator_for(game, clock)
    navigator.go(wp("AGENT-1"), wp("X1-D"), LedgerRecorder(game, InMemoryLedgerRepository()))
    assert "waypoints" not in game.calls
