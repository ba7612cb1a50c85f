"""Positions inside a system and the distance between them."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Position:
    """A waypoint's x, y inside its system (orbitals share their parent's position)."""

    x: int
    y: int

    def distance_to(self, other: Position) -> float:
        """Euclidean distance, unrounded: the game rounds it only for fuel and travel time."""
        return math.hypot(self.x - other.x, self.y - other.y)


def distance(a: Position | None, b: Position | None) -> float:
    """Distance between two positions; infinite when either is unknown, so unknowns sort last."""
    if a is None or b is None:
        return math.inf
    return a.distance_to(b)
