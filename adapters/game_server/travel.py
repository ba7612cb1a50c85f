"""Distance, fuel and flight time inside a system (game-api-facts §8.1, the community wiki's formulas).

All durations here are GAME seconds; the World divides them by its speed setting to get wall seconds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from adapters.game_server.catalog import FLIGHT_MODES

# Navigate multipliers of the wiki formula; configurable because the real values are not confirmed (§8.1).
DEFAULT_MULTIPLIERS: Mapping[str, float] = MappingProxyType(
    {"CRUISE": 25.0, "DRIFT": 250.0, "BURN": 12.5, "STEALTH": 30.0})


def game_round(value: float) -> int:
    """Round half up, as the game's JavaScript `Math.round` does (Python's round() is half-to-even)."""
    return math.floor(value + 0.5)


def distance(x1: int, y1: int, x2: int, y2: int) -> int:
    """Euclidean distance between two waypoints, rounded; orbitals sharing coordinates are 0 apart."""
    return game_round(math.hypot(x2 - x1, y2 - y1))


def fuel_cost(dist: int, mode: str) -> int:
    """Fuel a flight of `dist` in `mode` burns: CRUISE/STEALTH d, BURN 2d, DRIFT 1; never below 1 (BURN 2),
    even between orbitals at distance 0 (the wiki's minimum; the real game's behaviour there is unconfirmed)."""
    if mode == "DRIFT":
        return 1
    base = max(1, dist)
    return 2 * base if mode == "BURN" else base


@dataclass(frozen=True)
class TravelSettings:
    """The flight-time multipliers per mode."""
    multipliers: Mapping[str, float] = field(default_factory=lambda: DEFAULT_MULTIPLIERS)

    def flight_seconds(self, dist: int, mode: str, engine_speed: int) -> int:
        """Game seconds of a flight: round(round(max(1, d)) * multiplier / speed + 15)."""
        return game_round(max(1, dist) * self.multipliers[mode] / max(1, engine_speed) + 15)


def mode_rank(mode: str) -> int:
    """Position of a flight mode from slowest (DRIFT 0) to fastest (BURN 3)."""
    return FLIGHT_MODES.index(mode)
