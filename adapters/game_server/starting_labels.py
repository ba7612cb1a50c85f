"""Starting labels: supply and activity in the real mix (game-universe-facts §1), and the stock ratio giving each.

A system's goods of one kind (EXPORT, IMPORT, EXCHANGE) are dealt supply labels in the real proportions (largest
remainder, then shuffled), so even a system of 30 markets shows the real mix rather than a noisy draw. Activity is
not dealt apart from supply: the economy derives it from where the factory inputs' stocks sit
(economy.activity_level), so the dealer places each input's stock within its supply label's band at a "standing" (the
activity a line reads when that input is its scarcest) and the activity every good shows follows from them:
- a restricted line is one with an input deep in SCARCE (the shortage); SCARCE inputs are chosen to be deep until
  the real share of exports is RESTRICTED (41%), then more among the inputs of lines already restricted until the
  real share of imports is (24%); every other SCARCE input sits shallow in SCARCE, where a line still reads WEAK;
- lines whose inputs are all MODERATE or richer are lifted to GROWING (their MODERATE inputs high in the band) while
  the real shares of GROWING and STRONG goods allow.
Each good's dealt activity is then the one the economy will show for it.

A label or standing becomes a stock/equilibrium ratio by asking the economy itself which ratios it reads that way,
so the labels stay right whatever the economy's scale.
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from adapters.game_server.economy import ACTIVITY_LEVELS, EconomySettings, feed_activity, supply_level
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
# Where an input of a line sits unless the dealer chooses otherwise: the standing at the scarcer end of its label
# that is not RESTRICTED (a SCARCE input shallow, a MODERATE one low in its band).
_DEFAULT_STANDING = MappingProxyType({"SCARCE": "WEAK", "LIMITED": "WEAK", "MODERATE": "WEAK", "HIGH": "GROWING",
                                      "ABUNDANT": "STRONG"})
_RICH_INPUT = frozenset({"MODERATE", "HIGH", "ABUNDANT"})


@dataclass(frozen=True)
class Entry:
    """One good at one market, as the dealer sees it: its kind, and for a factory export its inputs' entry
    indices (an input is an import at the same market)."""
    kind: str
    symbol: str
    inputs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Start:
    """The starting state dealt to one entry: labels, the standing of a factory input (None for other goods), and
    where its stock sits across the band of ratios read as that label and standing (0 = the scarcer edge)."""
    supply: str
    activity: str | None
    position: float
    standing: str | None = None


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
    """The starting labels of a system's goods, in the real mix, with each activity the one the economy reads from
    the stocks of the factory inputs (see the module docstring)."""
    fixed = fixed_supply or {}
    supply = deal_supply(rng, [e.kind for e in entries], fixed)
    tiebreak = [rng.random() for _ in entries]
    consumers: dict[int, list[int]] = {}
    for index, entry in enumerate(entries):
        for j in entry.inputs:
            consumers.setdefault(j, []).append(index)
    standing = {j: _DEFAULT_STANDING[supply[j]] for j in consumers}
    quota = {kind: _counts(ACTIVITY_MIX[kind], sum(1 for e in entries if e.kind == kind)) for kind in ACTIVITY_MIX}

    # Restricted lines: one deep-SCARCE input each, until the exports' share; then more deep inputs among the lines
    # already restricted, until the imports' share.
    def scarce_inputs(j: int) -> int:
        return sum(1 for line in consumers[j] for k in entries[line].inputs if supply[k] == "SCARCE")

    # Inputs of lines short of several first, so the second pass finds inputs to deepen.
    short = sorted((j for j in consumers if supply[j] == "SCARCE" and j not in fixed),
                   key=lambda j: (-scarce_inputs(j), tiebreak[j]))
    restricted: set[int] = set()
    deep = 0
    for j in short:
        new = set(consumers[j]) - restricted
        if new and len(restricted) + len(new) <= quota["EXPORT"]["RESTRICTED"]:
            restricted |= new
            standing[j] = "RESTRICTED"
            deep += 1
    for j in short:
        if deep < quota["IMPORT"]["RESTRICTED"] and standing[j] != "RESTRICTED" and set(consumers[j]) <= restricted:
            standing[j] = "RESTRICTED"
            deep += 1

    # Growing lines: all inputs MODERATE or richer, lifted while the shares of GROWING and STRONG goods allow.
    def lively(shown: Sequence[str | None], kind: str) -> int:
        return sum(1 for e, a in zip(entries, shown) if e.kind == kind and a in ("GROWING", "STRONG"))

    room = {kind: quota[kind]["GROWING"] + quota[kind]["STRONG"] for kind in quota}
    lines = sorted((i for i, e in enumerate(entries) if e.inputs and i not in restricted
                    and all(supply[j] in _RICH_INPUT and j not in fixed for j in e.inputs)),
                   key=lambda i: (-len(entries[i].inputs), tiebreak[i]))
    for index in lines:
        trial = dict(standing)
        for j in entries[index].inputs:
            if trial[j] == "WEAK":
                trial[j] = "GROWING"
        shown = shown_activity(entries, trial)
        if all(lively(shown, kind) <= room[kind] for kind in room):
            standing = trial

    activity = shown_activity(entries, standing)
    starts = []
    for index, entry in enumerate(entries):
        if index in fixed:
            position = rng.uniform(0.45, 0.55)      # a pinned good sits at its label's usual price
            starts.append(Start(supply[index], activity[index], position))
        elif index in standing:
            starts.append(Start(supply[index], activity[index], rng.uniform(0.15, 0.85), standing[index]))
        else:
            starts.append(Start(supply[index], activity[index], rng.uniform(0.3, 0.7)))
    return starts


def shown_activity(entries: Sequence[Entry], standing: Mapping[int, str]) -> list[str | None]:
    """The activity each entry shows when every factory input sits at its standing, by the economy's rule
    (economy.activity_level): a line reads its scarcest input's standing; an import is RESTRICTED when it is the
    shortage itself, else shows the best-fed line consuming it, at least WEAK."""
    shown: list[str | None] = [None] * len(entries)
    best: dict[int, int] = {}
    for index, entry in enumerate(entries):
        if entry.kind == "EXPORT":
            rank = min((ACTIVITY_LEVELS.index(standing[j]) for j in entry.inputs), default=1)
            shown[index] = ACTIVITY_LEVELS[rank]
            for j in entry.inputs:
                best[j] = max(best.get(j, 0), rank)
    for index, entry in enumerate(entries):
        if entry.kind == "IMPORT":
            restricting = standing.get(index) == "RESTRICTED"
            shown[index] = "RESTRICTED" if restricting else ACTIVITY_LEVELS[max(1, best.get(index, 1))]
    return shown


class LabelPlanner:
    """Stock ratios the economy reads as a given supply label (and, for a factory input, a given standing: the
    activity of a line whose scarcest input sits there), probed once per settings."""

    def __init__(self, settings: EconomySettings) -> None:
        self._bands: dict[tuple[str, str], tuple[float, float]] = {}
        standing: dict[str, tuple[float, float]] = {}
        for kind in SUPPLY_MIX:
            probe = MarketGood(symbol="PROBE", kind=kind, trade_volume=1, base_price=1.0, equilibrium=1.0, stock=1.0)
            for step in range(-_PROBE_STEPS, _PROBE_STEPS + 1):
                x = _LOG_RANGE * step / _PROBE_STEPS
                probe.stock = math.exp(x)
                _widen(self._bands, (kind, supply_level(probe, settings)), x)
                if kind == "IMPORT":
                    _widen(standing, feed_activity(probe.stock, settings), x)
        for key, (low, high) in list(self._bands.items()):
            if low <= -_LOG_RANGE:
                low = high - _OPEN_BAND
            if high >= _LOG_RANGE:
                high = low + _OPEN_BAND
            self._bands[key] = (low, high)
        # A standing's ratios within a label's band; an empty intersection is left out (that input cannot stand so).
        self._standing_bands: dict[tuple[str, str, str], tuple[float, float]] = {}
        for (kind, label), (low, high) in self._bands.items():
            if kind != "IMPORT":
                continue
            for activity, (s_low, s_high) in standing.items():
                if max(low, s_low) < min(high, s_high):
                    self._standing_bands[(kind, label, activity)] = (max(low, s_low), min(high, s_high))

    def ratio(self, kind: str, label: str, position: float, standing: str | None = None) -> float:
        """A ratio read as `label` (and as `standing`, when given and possible at that label); `position` in
        [0, 1] places it across that band (0.5 = its middle). A label the economy never gives for this kind falls
        back to equilibrium."""
        band = self._standing_bands.get((kind, label, standing or "")) or self._bands.get((kind, label))
        if band is None:
            return 1.0
        low, high = band
        return math.exp(low + (high - low) * position)


def _widen(bands: dict, key: object, x: float) -> None:
    low, high = bands.get(key, (x, x))
    bands[key] = (min(low, x), max(high, x))
