"""Ships: reads, orbit/dock, navigation, flight mode, cargo transfer and jettison."""
from __future__ import annotations

import math

from adapters.game_server import catalog
from adapters.game_server.errors import GameError
from adapters.game_server.rules.codes import (
    INSUFFICIENT_FUEL, NAVIGATE_IN_TRANSIT, NOT_FOUND, NOT_IN_ORBIT, OUTSIDE_SYSTEM, SAME_DESTINATION,
    SLOWER_IN_TRANSIT, TRANSFER_AGENT, TRANSFER_DOCKED_ORBIT, TRANSFER_LOCATION, TRANSFER_NOT_FOUND,
    TRANSFER_SAME_SHIP, UNPROCESSABLE,
)
from adapters.game_server.rules.core import WorldCore, _page_slice
from adapters.game_server.state import ShipState
from adapters.game_server.travel import distance, fuel_cost, mode_rank
from adapters.wire import models as wire


class FleetRules(WorldCore):
    """Ships: reads, orbit/dock, navigation, flight mode, cargo transfer and jettison."""

    # --- ships: reads -----------------------------------------------------------------------------------------------------

    def ships(self, agent: str, page: int, limit: int) -> tuple[list[wire.Ship], int]:
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            symbols = owner.ships[_page_slice(page, limit)]
            return [self._ship_view(self._settle(self._ships[s], now)) for s in symbols], len(owner.ships)

    def ship(self, agent: str, ship: str) -> wire.Ship:
        with self._lock:
            return self._ship_view(self._own_ship(agent, ship, self._now()))

    def ship_cargo(self, agent: str, ship: str) -> wire.ShipCargo:
        with self._lock:
            return self._views.cargo(self._own_ship(agent, ship, self._now()))

    def ship_nav(self, agent: str, ship: str) -> wire.ShipNav:
        with self._lock:
            return self._views.nav(self._own_ship(agent, ship, self._now()))

    def ship_cooldown(self, agent: str, ship: str) -> wire.Cooldown | None:
        """None (HTTP 204): nothing we implement puts a reactor on cooldown."""
        with self._lock:
            self._own_ship(agent, ship, self._now())
            return None

    # --- ships: movement --------------------------------------------------------------------------------------------------

    def orbit(self, agent: str, ship: str) -> wire.NavData:
        return self._set_status(agent, ship, "IN_ORBIT")

    def dock(self, agent: str, ship: str) -> wire.NavData:
        return self._set_status(agent, ship, "DOCKED")

    def _set_status(self, agent: str, symbol: str, status: str) -> wire.NavData:
        with self._lock:
            now = self._now()
            ship = self._own_ship(agent, symbol, now)
            self._require_not_in_transit(ship, now)
            if ship.status != status:
                ship.status = status
                with self._store.transaction():
                    self._store.save_ships(ship)
            return wire.NavData(nav=self._views.nav(ship))

    def navigate(self, agent: str, ship: str, waypoint: str) -> wire.NavigateData:
        with self._lock:
            now = self._now()
            state = self._own_ship(agent, ship, now)
            if state.status == "IN_TRANSIT":
                raise self._in_transit_error(state, now, NAVIGATE_IN_TRANSIT)
            if state.status != "IN_ORBIT":
                raise GameError(NOT_IN_ORBIT, f"Ship action failed. Ship is not currently in orbit at "
                                              f"{state.waypoint}.", data={"waypointSymbol": state.waypoint})
            target = self.universe.waypoints.get(waypoint) if isinstance(waypoint, str) else None
            if target is None:
                raise GameError(NOT_FOUND, f"Waypoint {waypoint} not found.", status=404,
                                data={"waypointSymbol": waypoint})
            if target.system != state.system:
                raise GameError(OUTSIDE_SYSTEM, f"Navigate request failed. Waypoint {waypoint} is outside the "
                                                f"ship's system {state.system}.",
                                data={"shipSystemSymbol": state.system, "destinationSystemSymbol": target.system})
            if target.symbol == state.waypoint:
                raise GameError(SAME_DESTINATION, f"Navigate request failed. Ship {state.symbol} is currently "
                                                  f"located at the destination.",
                                data={"destinationSymbol": target.symbol})
            here = self.universe.waypoints[state.waypoint]
            dist = distance(here.x, here.y, target.x, target.y)
            spec = catalog.SHIP_SPECS[state.ship_type]
            cost = fuel_cost(dist, state.flight_mode) if spec.fuel_capacity > 0 else 0
            if cost > state.fuel:
                raise GameError(INSUFFICIENT_FUEL, f"Navigate request failed. Ship {state.symbol} requires "
                                                   f"{cost - state.fuel} more fuel for navigation.",
                                data={"shipSymbol": state.symbol, "fuelRequired": cost,
                                      "fuelAvailable": state.fuel})
            seconds = self._wall_seconds(self.settings.travel.flight_seconds(dist, state.flight_mode, spec.speed))
            state.origin, state.destination, state.waypoint = state.waypoint, target.symbol, target.symbol
            state.departure_time, state.arrival = now, now + seconds
            state.status = "IN_TRANSIT"
            state.fuel -= cost
            state.fuel_consumed, state.fuel_consumed_at = cost, now
            with self._store.transaction():
                self._store.save_ships(state)
            return wire.NavigateData(fuel=self._views.fuel(state), nav=self._views.nav(state), events=[])

    def patch_nav(self, agent: str, ship: str, flight_mode: str) -> wire.NavigateData:
        """Change the flight mode; in transit only to a faster mode, paying the extra fuel for the rest of the way
        and arriving earlier."""
        if flight_mode not in catalog.FLIGHT_MODES:
            raise GameError(UNPROCESSABLE, f"Invalid request: {flight_mode!r} is not a flight mode.", status=422,
                            data={"flightMode": ["must be one of DRIFT, STEALTH, CRUISE, BURN"]})
        with self._lock:
            now = self._now()
            state = self._own_ship(agent, ship, now)
            if state.status == "IN_TRANSIT" and flight_mode != state.flight_mode:
                if mode_rank(flight_mode) < mode_rank(state.flight_mode):
                    raise GameError(SLOWER_IN_TRANSIT, "Cannot change to a slower flight mode while in transit.",
                                    data={"flightMode": state.flight_mode, "requestedFlightMode": flight_mode})
                self._speed_up(state, flight_mode, now)
            state.flight_mode = flight_mode
            with self._store.transaction():
                self._store.save_ships(state)
            return wire.NavigateData(fuel=self._views.fuel(state), nav=self._views.nav(state), events=[])

    def _speed_up(self, ship: ShipState, mode: str, now: float) -> None:
        total = ship.arrival - ship.departure_time
        left = (ship.arrival - now) / total if total > 0 else 0.0
        origin = self.universe.waypoints[ship.origin]
        target = self.universe.waypoints[ship.destination]
        dist = distance(origin.x, origin.y, target.x, target.y)
        spec = catalog.SHIP_SPECS[ship.ship_type]
        extra = 0
        if spec.fuel_capacity > 0:
            extra = math.ceil(left * (fuel_cost(dist, mode) - fuel_cost(dist, ship.flight_mode)))
        if extra > ship.fuel:
            raise GameError(INSUFFICIENT_FUEL, f"Ship {ship.symbol} requires {extra - ship.fuel} more fuel to "
                                               f"change to {mode}.",
                            data={"shipSymbol": ship.symbol, "fuelRequired": extra, "fuelAvailable": ship.fuel})
        faster = self._wall_seconds(self.settings.travel.flight_seconds(dist, mode, spec.speed))
        ship.arrival = min(ship.arrival, now + left * faster)
        if extra:
            ship.fuel -= extra
            ship.fuel_consumed, ship.fuel_consumed_at = extra, now

    # --- cargo between ships ----------------------------------------------------------------------------------------------

    def transfer(self, agent: str, ship: str, trade_symbol: str, units: int, to_ship: str) -> wire.CargoData:
        units = self._units(units)
        trade_symbol = self._trade_symbol(trade_symbol, "tradeSymbol")
        with self._lock:
            now = self._now()
            sender = self._own_ship(agent, ship, now)
            if to_ship == sender.symbol:
                raise GameError(TRANSFER_SAME_SHIP, "Cannot transfer cargo to the same ship.",
                                data={"shipSymbol": sender.symbol})
            receiver = self._ships.get(to_ship)
            if receiver is None:
                raise GameError(TRANSFER_NOT_FOUND, f"Ship {to_ship} not found.", status=404,
                                data={"shipSymbol": to_ship})
            if receiver.agent != agent:
                raise GameError(TRANSFER_AGENT, f"Cannot transfer cargo to ship {to_ship}: it belongs to another "
                                                "agent.", data={"shipSymbol": to_ship})
            self._settle(receiver, now)
            self._require_not_in_transit(sender, now)
            self._require_not_in_transit(receiver, now)
            if sender.waypoint != receiver.waypoint:
                raise GameError(TRANSFER_LOCATION, f"Ships {sender.symbol} and {receiver.symbol} are not at the "
                                                   "same waypoint.",
                                data={"fromWaypoint": sender.waypoint, "toWaypoint": receiver.waypoint})
            if sender.status != receiver.status:
                raise GameError(TRANSFER_DOCKED_ORBIT, "Both ships must be docked or both in orbit to transfer "
                                                       "cargo.",
                                data={"fromStatus": sender.status, "toStatus": receiver.status})
            self._check_holds(sender, trade_symbol, units)
            self._check_room(receiver, trade_symbol, units)
            self._remove_cargo(sender, trade_symbol, units)
            receiver.cargo[trade_symbol] = receiver.cargo.get(trade_symbol, 0) + units
            with self._store.transaction():
                self._store.save_ships(sender, receiver)
            return wire.CargoData(cargo=self._views.cargo(sender))

    def jettison(self, agent: str, ship: str, symbol: str, units: int) -> wire.CargoData:
        units = self._units(units)
        symbol = self._trade_symbol(symbol)
        with self._lock:
            now = self._now()
            state = self._own_ship(agent, ship, now)
            self._require_not_in_transit(state, now)
            self._check_holds(state, symbol, units)
            self._remove_cargo(state, symbol, units)
            with self._store.transaction():
                self._store.save_ships(state)
            return wire.CargoData(cargo=self._views.cargo(state))

