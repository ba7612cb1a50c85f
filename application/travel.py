"""Distance, fuel and flight time inside a system (game-api-facts §8.1, the community wiki's formulas).

Pure arithmetic, shared by the navigator's route planning and the test fakes. The multipliers are configurable
because the real values are not confirmed; the wiki's are the defaults, as on the embedded server.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from domain.fleet import ShipNavFlightMode
from domain.geometry import Position


def game_round(value: float) -> int:
    """Round half up, as the game's JavaScript `Math.round` does (Python's round() rounds half to even)."""
    return math.floor(value + 0.5)


def travel_distance(a: Position, b: Position) -> int:
    """The rounded distance the game charges fuel and time for; orbitals sharing x, y are 0 apart."""
    return game_round(a.distance_to(b))


def fuel_cost(distance: int, mode: ShipNavFlightMode) -> int:
    """Fuel a flight of `distance` burns: CRUISE and STEALTH d, BURN 2d, DRIFT 1, never below 1 (BURN 2)."""
    if mode is ShipNavFlightMode.DRIFT:
        return 1
    base = max(1, distance)
    return 2 * base if mode is ShipNavFlightMode.BURN else base


@dataclass(frozen=True, slots=True)
class TravelModel:
    """Navigate multipliers per flight mode: seconds = round(max(1, d) * multiplier / engine_speed + 15)."""

    cruise: float = 25.0
    drift: float = 250.0
    burn: float = 12.5
    stealth: float = 30.0

    def multiplier(self, mode: ShipNavFlightMode) -> float:
        return {
            ShipNavFlightMode.CRUISE: self.cruise,
            ShipNavFlightMode.DRIFT: self.drift,
            ShipNavFlightMode.BURN: self.burn,
            ShipNavFlightMode.STEALTH: self.stealth,
        }[mode]

    def flight_seconds(self, distance: int, mode: ShipNavFlightMode, engine_speed: int) -> int:
        """Seconds of game time a flight takes."""
        return game_round(max(1, distance) * self.multiplier(mode) / max(1, engine_speed) + 15)
