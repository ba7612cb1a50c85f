"""The background trade's drift back to the template: a plain exponential with a half-life."""
from __future__ import annotations

import math

from adapters.game_server.recovery import relax, retention


def test_half_the_deviation_is_left_after_one_half_life() -> None:
    assert math.isclose(relax(200.0, 100.0, 360.0, 360.0), 150.0)
    assert math.isclose(relax(0.0, 100.0, 720.0, 360.0), 75.0)


def test_no_time_or_no_deviation_changes_nothing() -> None:
    assert relax(42.0, 100.0, 0.0, 360.0) == 42.0
    assert relax(100.0, 100.0, 1e6, 360.0) == 100.0


def test_retention_is_the_share_of_a_deviation_left() -> None:
    assert math.isclose(retention(360.0, 360.0), 0.5)
    assert math.isclose(retention(60.0, 360.0) ** 6, 0.5)
    assert math.isclose(relax(10.0, 0.0, 90.0, 30.0), 10.0 * retention(90.0, 30.0))
