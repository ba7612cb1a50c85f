"""Starting labels: supply and activity in the real mix (game-universe-facts §1), and the stock ratio giving each.

A system's goods of one kind (EXPORT, IMPORT, EXCHANGE) are dealt supply labels in the real proportions (largest
remainder, then shuffled), so even a system of 30 markets shows the real mix rather than a noisy draw. Activity is
dealt the same way, but not at random: the factory exports short of an input (one of their inputs SCARCE) are the
RESTRICTED ones, and the imports feeding them are the RESTRICTED imports, as in the real game where a restricted
export is one whose imports are short.

A label becomes a stock/equilibrium ratio by asking the economy itself which ratios it reads as that label, so
the labels stay right whatever the economy's scale. The SCARCE input that restricts a factory starts deep in its
band, the other inputs of factories high in theirs, so an economy that derives activity from input stocks reads
the same activity as was dealt.
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from adapters.game_server.economy import EconomySettings, supply_level
from adapters.game_server.state import MarketGood

# facts §1 (630 real market rows); the few rows outside the quoted labels go to the nearest label.
SUPPLY_MIX: Mapping[str, Mapping[str, float]] = MappingProxyType({
    "EXPORT": MappingProxyType({"HIGH": 0.45, "ABUNDANT": 0.35, "MODERATE": 0.16, "LIMITED": 0.04}),
    "IMPORT": MappingProxyType({"SCARCE": 0.37, "LIMITED": 0.37, "MODERATE": 0.23, "HIGH": 0.03}),
    "EXCHANGE": MappingProxyType({"MODERATE": 0.83, "LIMITED": 0.09, "HIGH": 0.08}),
})
ACTIVITY_MIX: Mapping[str, Mapping[str, float]] = MappingProxyType({
    "EXPORT": MappingProxyType({"RESTRICTED": 0.41, "WEAK": 0.51, "GROWING": 0.05, "STRONG": 0.03}),
    "IMPORT": MappingProxyType({"RESTRICTED": 0.24, "WEAK": 0.66, "GROWING": 0.07, "STRONG": 0.03}),
})
_LOG_RANGE = 4.0        # ratios probed: e^-4 .. e^4
_PROBE_STEPS = 400
_OPEN_BAND = 0.6        # an open-ended band (the lowest or highest label) is used this far (log) from its edge
_SUPPLY_ORDER = ("SCARCE", "LIMITED", "MODERATE", "HIGH", "ABUNDANT")


@dataclass(frozen=True)
class Entry:
    """One good at one market, as the dealer sees it: its kind, and for a factory export its inputs' entry
    indices (an input is an import at the same market)."""
    kind: str
    symbol: str
    inputs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Start:
    """The starting state dealt to one entry: labels, and where in the supply label's band its stock sits
    (0 = the scarcer edge, 1 = the richer edge)."""
    supply: str
    activity: str | None
    position: float


def _counts(mix: Mapping[str, float], total: int) -> dict[str, int]:
    exact = {label: share * total for label, share in mix.items()}
    counts = {label: math.floor(value) for label, value in exact.items()}
    short = total - sum(counts.values())
    for label in sorted(mix, key=lambda lb: (counts[lb] - exact[lb], -mix[lb]))[:short]:
        counts[label] += 1
    return counts


def deal_supply(rng: random.Random, kinds: Sequence[str], fixed: Mapping[int, str] | None = None) -> list[str]:
    """One supply label per entry of `kinds`, each kind's labels in the real proportions; `fixed` pins some
    entries' labels (they count toward their kind's quota)."""
    fixed = fixed or {}
    by_kind: dict[str, list[int]] = {}
    for index, kind in enumerate(kinds):
        by_kind.setdefault(kind, []).append(index)
    labels = [""] * len(kinds)
    for kind, indices in by_kind.items():
        counts = _counts(SUPPLY_MIX[kind], len(indices))
        free = []
        for index in indices:
            if index in fixed:
                labels[index] = fixed[index]
                counts[fixed[index]] = counts.get(fixed[index], 0) - 1
            else:
                free.append(index)
        dealt = [label for label in SUPPLY_MIX[kind] for _ in range(max(0, counts[label]))]
        dealt += [max(SUPPLY_MIX[kind], key=SUPPLY_MIX[kind].__getitem__)] * (len(free) - len(dealt))
        rng.shuffle(dealt)
        for index, label in zip(free, dealt):
            labels[index] = label
    return labels


def deal(rng: random.Random, entries: Sequence[Entry], fixed_supply: Mapping[int, str] | None = None) -> list[Start]:
    """The starting labels of a system's goods, in the real mix, with activity coherent with the supply of
    factory inputs (see the module docstring)."""
    supply = deal_supply(rng, [e.kind for e in entries], fixed_supply)
    level = [_SUPPLY_ORDER.index(label) for label in supply]
    tiebreak = [rng.random() for _ in entries]
    activity: list[str | None] = [None] * len(entries)
    starved: set[int] = set()        # the SCARCE input holding back a RESTRICTED factory
    fed: set[int] = set()            # inputs of factories that are not restricted

    exports = [i for i, e in enumerate(entries) if e.kind == "EXPORT"]
    # Shortest-fed factories first (their scarcest input), the factories with well-stocked inputs last.
    exports.sort(key=lambda i: (min((level[j] for j in entries[i].inputs), default=1.5), tiebreak[i]))
    counts = _counts(ACTIVITY_MIX["EXPORT"], len(exports))
    restricted = counts["RESTRICTED"]
    ordered = ["RESTRICTED"] * restricted + ["WEAK"] * counts["WEAK"]
    best = ["GROWING"] * counts["GROWING"] + ["STRONG"] * counts["STRONG"]
    for rank, index in enumerate(exports):
        activity[index] = (ordered + best)[rank]
    for index in exports:
        inputs = entries[index].inputs
        if activity[index] == "RESTRICTED" and inputs:
            scarcest = min(inputs, key=lambda j: (level[j], tiebreak[j]))
            if supply[scarcest] == "SCARCE":
                starved.add(scarcest)
        else:
            fed.update(inputs)
    fed -= starved

    imports = [i for i, e in enumerate(entries) if e.kind == "IMPORT"]
    # The inputs starving a factory first, then the other inputs of restricted factories, then the rest.
    feeding_restricted = {j for i in exports if activity[i] == "RESTRICTED" for j in entries[i].inputs}
    imports.sort(key=lambda i: (0 if i in starved else 1 if i in feeding_restricted - fed else 2, tiebreak[i]))
    counts = _counts(ACTIVITY_MIX["IMPORT"], len(imports))
    ordered = (["RESTRICTED"] * counts["RESTRICTED"] + ["WEAK"] * counts["WEAK"] + ["GROWING"] * counts["GROWING"]
               + ["STRONG"] * counts["STRONG"])
    for rank, index in enumerate(imports):
        activity[index] = ordered[rank]

    starts = []
    for index, entry in enumerate(entries):
        if fixed_supply and index in fixed_supply:
            position = rng.uniform(0.45, 0.55)      # a pinned good sits at its label's usual price
        elif index in starved:
            position = rng.uniform(0.0, 0.25)
        elif index in fed and supply[index] == "SCARCE":
            position = rng.uniform(0.5, 0.85)
        else:
            position = rng.uniform(0.3, 0.7)
        starts.append(Start(supply[index], activity[index], position))
    return starts


class LabelPlanner:
    """Stock ratios the economy reads as a given supply label, probed once per settings."""

    def __init__(self, settings: EconomySettings) -> None:
        self._bands: dict[tuple[str, str], tuple[float, float]] = {}
        for kind in SUPPLY_MIX:
            probe = MarketGood(symbol="PROBE", kind=kind, trade_volume=1, base_price=1.0, equilibrium=1.0, stock=1.0)
            for step in range(-_PROBE_STEPS, _PROBE_STEPS + 1):
                x = _LOG_RANGE * step / _PROBE_STEPS
                probe.stock = math.exp(x)
                key = (kind, supply_level(probe, settings))
                low, high = self._bands.get(key, (x, x))
                self._bands[key] = (min(low, x), max(high, x))
        for key, (low, high) in list(self._bands.items()):
            if low <= -_LOG_RANGE:
                low = high - _OPEN_BAND
            if high >= _LOG_RANGE:
                high = low + _OPEN_BAND
            self._bands[key] = (low, high)

    def ratio(self, kind: str, label: str, position: float) -> float:
        """A ratio read as `label`; `position` in [0, 1] places it across the label's band (0.5 = its middle).
        A label the economy never gives for this kind falls back to equilibrium."""
        band = self._bands.get((kind, label))
        if band is None:
            return 1.0
        low, high = band
        return math.exp(low + (high - low) * position)
