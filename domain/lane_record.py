"""What the ledger recorded for one lane of work (a trade route, or a good made for one sell market)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LaneRecord:
    """`per_hour`: the credits per hour of a ship's time the lane's finished runs made (those of its good when the
    lane itself never ran in this process). `share`: the part of their price signal the lane's own runs earned, the
    credits per hour its prices promised the ship each run was given to (recent runs weighing most, drawn toward the
    share of its kind's runs); None when the lane itself never ran on a known signal. A lane's prices move between
    runs (our own trading wears them down, production and recovery bring them back): its share times what its
    prices promise now is what its record says it earns now."""

    per_hour: float
    share: float | None = None
