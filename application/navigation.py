"""Flying a ship to a waypoint of its system: route over fuel markets, refuel on the way, wait by the clock.

Route planning (`plan_route`) is pure. Only the ship's origin, its destination and the markets that sell FUEL are
useful stops: by the triangle inequality a detour through a waypoint without fuel never saves fuel or time. Every
stop is therefore a place to fill the tank, and a hop is possible when the fuel in the tank on departure covers it.

The route is the fastest in CRUISE that also leaves enough fuel at a destination without fuel to reach the nearest
fuel market afterwards; failing that, the fastest in CRUISE; failing that, one that DRIFTs where it must (1 fuel a
hop, ten times slower), so a ship with any fuel at all is never stranded. Ships with no fuel tank (probes) fly
straight there.
"""
from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from application.errors import ApplicationError
from application.game_errors import ShipBusy
from application.game_port import GamePort
from application.ledger_recorder import LedgerRecorder
from application.ports import Clock, MarketRepository
from application.repositories import ShipAssignmentRepository
from application.travel import TravelModel, fuel_cost, travel_distance
from application.waiting import NEVER, check_cancelled, pause
from application.worker_jobs import CancelToken
from domain.fleet import ShipNavFlightMode, ShipNavStatus
from domain.geometry import Position
from domain.goods import TradeSymbol
from domain.ship_state import ShipState
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol

_T = TypeVar("_T")
CRUISE = ShipNavFlightMode.CRUISE
DRIFT = ShipNavFlightMode.DRIFT


class NavigationError(ApplicationError):
    """A ship could not be brought where it was sent."""


class NoRoute(NavigationError):
    """No sequence of flights reaches the destination (unknown waypoint, or no fuel even to DRIFT)."""


@dataclass(frozen=True, slots=True)
class Hop:
    """One flight. `fuel_needed` is the fuel to have on departure: the flight's own plus what must remain on
    arrival. `refuel_before` says the plan fills the tank at `origin` (a fuel market) before leaving."""

    origin: WaypointSymbol
    destination: WaypointSymbol
    mode: ShipNavFlightMode
    distance: int
    fuel: int
    seconds: int
    fuel_needed: int
    refuel_before: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    """The flights from `origin` to `destination`, in order; no hops when the ship is already there."""

    origin: WaypointSymbol
    destination: WaypointSymbol
    hops: tuple[Hop, ...] = ()

    @property
    def seconds(self) -> int:
        return sum(hop.seconds for hop in self.hops)

    @property
    def refuel_stops(self) -> tuple[WaypointSymbol, ...]:
        return tuple(hop.origin for hop in self.hops if hop.refuel_before)

    @property
    def drifts(self) -> bool:
        return any(hop.mode is DRIFT for hop in self.hops)


def plan_route(
    origin: WaypointSymbol,
    destination: WaypointSymbol,
    positions: Mapping[WaypointSymbol, Position],
    fuel_stations: Collection[WaypointSymbol],
    *,
    fuel: int,
    fuel_capacity: int,
    engine_speed: int,
    travel: TravelModel = TravelModel(),
    hop_overhead: float = 0.0,
) -> Route:
    """The fastest route that never strands the ship (see the module's docstring); raises NoRoute.

    `hop_overhead` (seconds) is added per flight so that, at equal time, fewer stops (fewer requests) win.
    """
    for end in (origin, destination):
        if end not in positions:
            raise NoRoute(f"position of {end} unknown")
    if origin == destination:
        return Route(origin, destination)
    if fuel_capacity <= 0:
        distance = travel_distance(positions[origin], positions[destination])
        seconds = travel.flight_seconds(distance, CRUISE, engine_speed)
        return Route(origin, destination, (Hop(origin, destination, CRUISE, distance, 0, seconds, 0),))
    planner = _Planner(origin, destination, positions, frozenset(s for s in fuel_stations if s in positions),
                       fuel, fuel_capacity, engine_speed, travel, hop_overhead)
    for keep_reserve, allow_drift in ((True, False), (False, False), (False, True)):
        route = planner.search(keep_reserve, allow_drift)
        if route is not None:
            return route
    raise NoRoute(f"no route from {origin} to {destination} with fuel {fuel}/{fuel_capacity}")


@dataclass(slots=True)
class _Planner:
    origin: WaypointSymbol
    destination: WaypointSymbol
    positions: Mapping[WaypointSymbol, Position]
    stations: frozenset[WaypointSymbol]
    fuel: int
    capacity: int
    speed: int
    travel: TravelModel
    hop_overhead: float
    _nodes: tuple[WaypointSymbol, ...] = field(init=False)
    _reserve: int = field(init=False)

    def __post_init__(self) -> None:
        self._nodes = tuple(dict.fromkeys((self.origin, *sorted(self.stations), self.destination)))
        self._reserve = 0
        if self.destination not in self.stations and self.stations:
            nearest = min(self._fuel(self.destination, s, CRUISE) for s in self.stations)
            self._reserve = nearest if nearest <= self.capacity else 0

    def _distance(self, a: WaypointSymbol, b: WaypointSymbol) -> int:
        return travel_distance(self.positions[a], self.positions[b])

    def _fuel(self, a: WaypointSymbol, b: WaypointSymbol, mode: ShipNavFlightMode) -> int:
        return fuel_cost(self._distance(a, b), mode)

    def _departure_fuel(self, node: WaypointSymbol) -> int:
        """Fuel on leaving `node`: a full tank at a fuel market, else what the ship has (only the origin)."""
        return self.capacity if node in self.stations else self.fuel

    def _arrival_reserve(self, node: WaypointSymbol, keep_reserve: bool) -> int:
        if node == self.destination and node not in self.stations and keep_reserve:
            return self._reserve
        return 0

    def _hop(self, a: WaypointSymbol, b: WaypointSymbol, keep_reserve: bool, allow_drift: bool) -> Hop | None:
        departure_fuel = self._departure_fuel(a)
        distance = self._distance(a, b)
        reserve = self._arrival_reserve(b, keep_reserve)
        for mode in (CRUISE, DRIFT) if allow_drift else (CRUISE,):
            fuel = fuel_cost(distance, mode)
            if fuel + reserve <= departure_fuel:
                seconds = self.travel.flight_seconds(distance, mode, self.speed)
                return Hop(a, b, mode, distance, fuel, seconds, fuel + reserve)
        return None

    def search(self, keep_reserve: bool, allow_drift: bool) -> Route | None:
        """Dijkstra over the stops, weighted by flight seconds (+ overhead per hop)."""
        best: dict[WaypointSymbol, float] = {self.origin: 0.0}
        came_by: dict[WaypointSymbol, Hop] = {}
        tiebreak = itertools.count()
        queue: list[tuple[float, int, WaypointSymbol]] = [(0.0, next(tiebreak), self.origin)]
        done: set[WaypointSymbol] = set()
        while queue:
            elapsed, _, node = heapq.heappop(queue)
            if node in done:
                continue
            done.add(node)
            if node == self.destination:
                return self._route(came_by)
            if node != self.origin and node not in self.stations:
                continue  # only the origin and fuel markets are left from
            for nxt in self._nodes:
                if nxt in done or nxt == node:
                    continue
                hop = self._hop(node, nxt, keep_reserve, allow_drift)
                if hop is None:
                    continue
                cost = elapsed + hop.seconds + self.hop_overhead
                if cost < best.get(nxt, float("inf")):
                    best[nxt] = cost
                    came_by[nxt] = hop
                    heapq.heappush(queue, (cost, next(tiebreak), nxt))
        return None

    def _route(self, came_by: Mapping[WaypointSymbol, Hop]) -> Route:
        hops: list[Hop] = []
        node = self.destination
        while node != self.origin:
            hops.append(came_by[node])
            node = came_by[node].origin
        hops.reverse()
        # Decide the refuels by flying the plan: fill up at a fuel market only when the next flight needs it.
        fuel = self.fuel
        planned: list[Hop] = []
        for hop in hops:
            refuel = hop.origin in self.stations and fuel < hop.fuel_needed
            if refuel:
                fuel = self.capacity
            fuel -= hop.fuel
            planned.append(Hop(hop.origin, hop.destination, hop.mode, hop.distance, hop.fuel, hop.seconds,
                               hop.fuel_needed, refuel))
        return Route(self.origin, self.destination, tuple(planned))


@dataclass(frozen=True, slots=True)
class NavigationConfig:
    """`wait_slice`: longest single sleep while flying (cancellation is noticed within it).
    `arrival_checks`: how often to re-ask the server when it still reports the ship in transit after the wait."""

    travel: TravelModel = TravelModel()
    wait_slice: float = 5.0
    hop_overhead: float = 2.0
    arrival_checks: int = 5


class Navigator:
    """Brings a ship to a waypoint of its system: orbit, navigate, wait, dock, refuelling on the way.

    Fuel markets come from the MarketRepository (markets that export or exchange FUEL). Positions come from what is
    known without a request (the markets' recorded positions, the ship's own); GamePort.waypoints is asked, once per
    system, only when an end of a flight is not among them. Each flight is shown as the ship's activity in the
    assignments.

    Requests are the scarce resource, so the navigator remembers each ship's state after flying it (where it is,
    docked or not, its fuel and flight mode) and the next `go` for that ship starts from it instead of asking the
    game again. A ship is flown by one worker at a time (its lease), so nothing else moves it meanwhile; the memory
    is dropped whenever a flight fails, and `remember` lets a caller hand over a state it has just read.
    """

    def __init__(
        self,
        game: GamePort,
        clock: Clock,
        markets: MarketRepository | None = None,
        assignments: ShipAssignmentRepository | None = None,
        config: NavigationConfig = NavigationConfig(),
    ) -> None:
        self._game = game
        self._clock = clock
        self._markets = markets
        self._assignments = assignments
        self._config = config
        self._positions: dict[SystemSymbol, dict[WaypointSymbol, Position]] = {}
        self._ships: dict[ShipSymbol, ShipState] = {}

    def positions(self, system: SystemSymbol) -> Mapping[WaypointSymbol, Position]:
        """Every waypoint's position in `system` (asked of the game once, then kept: waypoints do not move)."""
        if system not in self._positions:
            self._positions[system] = {w.symbol: w.position for w in self._game.waypoints(system)}
        return self._positions[system]

    def remember(self, state: ShipState) -> None:
        """Take `state` (just read from the game) as the ship's current state for the next `go`."""
        if state.nav_status is ShipNavStatus.IN_TRANSIT:
            self._ships.pop(state.symbol, None)
        else:
            self._ships[state.symbol] = state

    def _known_positions(self, ship: ShipState, destination: WaypointSymbol) -> Mapping[WaypointSymbol, Position]:
        """Positions for planning `ship`'s flight to `destination`, asking the game only when an end is unknown."""
        system = ship.system
        if system in self._positions:
            return self._positions[system]
        known: dict[WaypointSymbol, Position] = {}
        if self._markets is not None:
            known.update((snapshot.waypoint, snapshot.position) for snapshot in self._markets.markets_in_system(system)
                         if snapshot.position is not None)
        if ship.position is not None and ship.nav_status is not ShipNavStatus.IN_TRANSIT:
            known.setdefault(ship.waypoint, ship.position)
        if ship.waypoint in known and destination in known:
            return known
        return self.positions(system)

    def fuel_stations(self, system: SystemSymbol) -> frozenset[WaypointSymbol]:
        """Markets of `system` known to sell FUEL."""
        if self._markets is None:
            return frozenset()
        return frozenset(
            snapshot.waypoint for snapshot in self._markets.markets_in_system(system)
            if TradeSymbol.FUEL in snapshot.exports or TradeSymbol.FUEL in snapshot.exchange)

    def plan(self, ship: ShipState, destination: WaypointSymbol) -> Route:
        """The route `ship` would fly to `destination` from where it is, with the fuel it has."""
        destination = WaypointSymbol(destination)
        if destination.system != ship.system:
            raise NoRoute(f"{destination} is not in {ship.system}: jumps between systems are not supported")
        return plan_route(
            ship.waypoint, destination, self._known_positions(ship, destination), self.fuel_stations(ship.system),
            fuel=ship.fuel_current, fuel_capacity=ship.fuel_capacity, engine_speed=ship.engine_speed,
            travel=self._config.travel, hop_overhead=self._config.hop_overhead)

    def go(
        self,
        ship: ShipSymbol,
        destination: WaypointSymbol,
        recorder: LedgerRecorder,
        cancel: CancelToken = NEVER,
        *,
        dock: bool = True,
    ) -> Route:
        """Fly `ship` to `destination` and (by default) dock there; refuels go through `recorder` (ledger).

        Raises OperationCancelled when `cancel` fires (the ship may still be flying: a later call waits for it),
        NoRoute, or the GamePort's errors.
        """
        destination = WaypointSymbol(destination)
        check_cancelled(cancel)
        state = self._ships.pop(ShipSymbol(ship), None) or self._settled(ship, cancel)
        route = self.plan(state, destination)
        if not route.hops and (not dock or state.nav_status is ShipNavStatus.DOCKED):
            self._ships[state.symbol] = state
            return route
        docked = state.nav_status is ShipNavStatus.DOCKED
        fuel, mode = state.fuel_current, state.flight_mode
        stations = self.fuel_stations(state.system)
        for hop in route.hops:
            check_cancelled(cancel)
            wants_fuel = hop.refuel_before or (hop.origin in stations and fuel < hop.fuel_needed)
            if state.needs_fuel and wants_fuel:
                if not docked:
                    self._after_arrival(ship, cancel, lambda: self._game.dock(ship))
                    docked = True
                fuel = recorder.refuel(ship).fuel_after
            if docked:
                self._after_arrival(ship, cancel, lambda: self._game.orbit(ship))
                docked = False
            if hop.mode is not mode:
                self._game.set_flight_mode(ship, hop.mode)
                mode = hop.mode
            departure = self._after_arrival(ship, cancel, lambda h=hop: self._game.navigate(ship, h.destination))
            fuel = departure.fuel_after
            self._show(ship, self._flight_text(hop.destination, destination, departure.arrival), departure.arrival)
            pause(self._clock, (departure.arrival - departure.departed_at).total_seconds(), cancel,
                  self._config.wait_slice)
        if dock and not docked:
            self._after_arrival(ship, cancel, lambda: self._game.dock(ship))
            docked = True
        if route.hops:
            self._show(ship, f"at {destination}", None)
        self._ships[state.symbol] = replace(
            state, waypoint=destination, nav_status=ShipNavStatus.DOCKED if docked else ShipNavStatus.IN_ORBIT,
            fuel_current=fuel, flight_mode=mode, arrival=None,
            position=self._known_positions(state, destination).get(destination))
        return route

    def _settled(self, ship: ShipSymbol, cancel: CancelToken) -> ShipState:
        """The ship's state once it is not in transit (waiting out a flight begun earlier)."""
        state = self._game.ship(ship)
        for _ in range(self._config.arrival_checks):
            if state.nav_status is not ShipNavStatus.IN_TRANSIT:
                return state
            self._show(ship, self._flight_text(state.waypoint, state.waypoint, state.arrival), state.arrival)
            self._wait_for_arrival(state.arrival, cancel)
            state = self._game.ship(ship)
        if state.nav_status is ShipNavStatus.IN_TRANSIT:
            raise NavigationError(f"{ship} still in transit to {state.waypoint} after its arrival time")
        return state

    def _after_arrival(self, ship: ShipSymbol, cancel: CancelToken, action: Callable[[], _T]) -> _T:
        """Run `action`; when the server still sees the ship in transit (its clock ahead of ours), wait and retry."""
        for _ in range(self._config.arrival_checks):
            try:
                return action()
            except ShipBusy:
                state = self._game.ship(ship)
                if state.nav_status is not ShipNavStatus.IN_TRANSIT:
                    raise
                self._wait_for_arrival(state.arrival, cancel)
        return action()

    def _wait_for_arrival(self, arrival: datetime | None, cancel: CancelToken) -> None:
        seconds = 1.0 if arrival is None else (arrival - self._game.server_time()).total_seconds()
        pause(self._clock, max(1.0, seconds), cancel, self._config.wait_slice)

    @staticmethod
    def _flight_text(hop_end: WaypointSymbol, destination: WaypointSymbol, arrival: datetime | None) -> str:
        via = "" if hop_end == destination else f" via {hop_end}"
        until = "" if arrival is None else f" until {arrival:%H:%M:%S}"
        return f"flying to {destination}{via}{until}"

    def _show(self, ship: ShipSymbol, activity: str, until: datetime | None) -> None:
        if self._assignments is not None:
            self._assignments.set_activity(ship, activity, until)
