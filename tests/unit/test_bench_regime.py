"""bench/run.py's regime check: its verdict on the two legs' credits per game hour."""
from __future__ import annotations

import pytest

from bench.run import regime_verdict


@pytest.mark.parametrize(("fast", "real", "verdict"), [
    (1_320_000.0, 1_580_000.0, "agree within a factor of 2 (ratio 1.20)"),
    (100_000.0, 250_000.0, "DO NOT agree within a factor of 2 (ratio 2.50)"),
    (250_000.0, 100_000.0, "DO NOT agree within a factor of 2 (ratio 2.50)"),
])
def test_two_legs_that_earned_are_compared_by_their_ratio(fast: float, real: float, verdict: str) -> None:
    assert regime_verdict(fast, real) == verdict


@pytest.mark.parametrize(("fast", "real"), [(0.0, 0.0), (0.0, 50_000.0), (-20_000.0, 30_000.0)])
def test_a_leg_that_earned_nothing_or_lost_is_no_agreement(fast: float, real: float) -> None:
    assert regime_verdict(fast, real).startswith("CANNOT compare")
