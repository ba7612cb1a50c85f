"""Background trade: every good drifts back to its template state with a half-life (facts universe §5).

The real game's markets are traded by NPCs too: a dumped import's bid and a bought-down export's price come back
by themselves (EconomySettings.recovery_half_life_minutes; a surplus sold into an import faster,
import_surplus_half_life_minutes, timed on its bid: economy.import_bounce), toward the state the market had
before anyone traded. This module is that drift alone, as a pure function.
"""
from __future__ import annotations

import math

_LN2 = math.log(2)


def relax(value: float, target: float, minutes: float, half_life_minutes: float) -> float:
    """`value` after `minutes` of exponential return toward `target` with the given half-life."""
    if minutes <= 0 or value == target:
        return value
    return target + (value - target) * math.exp(-_LN2 * minutes / half_life_minutes)


def retention(minutes: float, half_life_minutes: float) -> float:
    """The share of a deviation left after `minutes` (for applying one `relax` to many values)."""
    return math.exp(-_LN2 * minutes / half_life_minutes)
