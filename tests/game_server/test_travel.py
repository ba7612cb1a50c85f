"""Distance, fuel and flight time (game-api-facts §8.1)."""
from __future__ import annotations

import pytest

from adapters.game_server.travel import TravelSettings, distance, fuel_cost, game_round, mode_rank


def test_distance_is_rounded_euclidean() -> None:
    assert distance(0, 0, 3, 4) == 5
    assert distance(0, 0, 1, 1) == 1          # 1.414
    assert distance(0, 0, 1, 2) == 2          # 2.236
    assert distance(10, -10, 10, -10) == 0    # orbitals share coordinates


def test_rounding_is_half_up_like_the_game() -> None:
    assert game_round(2.5) == 3
    assert game_round(84.44) == 84
    assert game_round(0.5) == 1


@pytest.mark.parametrize("dist, mode, fuel", [
    (100, "CRUISE", 100), (100, "STEALTH", 100), (100, "BURN", 200), (100, "DRIFT", 1),
    (0, "CRUISE", 1), (0, "BURN", 2), (0, "DRIFT", 1), (1, "BURN", 2),
])
def test_fuel_per_flight_mode(dist: int, mode: str, fuel: int) -> None:
    assert fuel_cost(dist, mode) == fuel


def test_flight_time_formula() -> None:
    travel = TravelSettings()
    assert travel.flight_seconds(100, "CRUISE", 36) == 84        # round(100*25/36 + 15)
    assert travel.flight_seconds(124, "DRIFT", 36) == 876        # the facts sheet's real DRIFT crossing
    assert travel.flight_seconds(100, "BURN", 36) == 50          # round(34.7 + 15)
    assert travel.flight_seconds(0, "CRUISE", 9) == 18           # max(1, d): round(2.78 + 15)
    assert travel.flight_seconds(240, "CRUISE", 15) == 415       # the facts sheet's hauler leg


def test_multipliers_are_configurable() -> None:
    travel = TravelSettings(multipliers={"CRUISE": 31.0, "DRIFT": 214.0, "BURN": 15.0, "STEALTH": 50.0})
    assert travel.flight_seconds(100, "CRUISE", 36) == 101


def test_modes_rank_from_slowest_to_fastest() -> None:
    assert [mode_rank(m) for m in ("DRIFT", "STEALTH", "CRUISE", "BURN")] == [0, 1, 2, 3]
