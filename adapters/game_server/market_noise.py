"""Background activity: other traders and NPCs move every market's supply around its template (facts universe §5).

In the real game an untouched (market, good) changes supply level every ~24 game minutes (median 21.6), 87.5% of
changes not linked to the bot. The server models that traffic as a factor on each good's stock: the stock shown (and
priced, and labelled) is the stock the dynamics keep (market_dynamics.py: lines, recovery, tradeVolume) times
`exp(offset * weight)`. The weight is 1 at the template and fades as an agent moves the good away from it (a
Gaussian in supply levels, `noise_fade_levels`): a dump or a buy-down is the agent's flow, which the traffic's
flutter neither undoes nor amplifies. The offset is a pure function of the world seed, the market, the good and
the game time:

- a knot every `noise_slot_minutes`, drawn uniformly in [-amplitude, amplitude] of log-stock from a hash of
  (seed, market, good, slot), and a straight line between knots, so a label changes at most once per boundary
  crossed between two knots (no flicker) and the supply never wanders: it is always within `amplitude` of the
  template in log-stock, and over a day it averages back to it (mean reversion by construction);
- knot 0 (the era's start) is 0, so a new era opens exactly at its template and its label mix (facts §1).

Being a function of game time alone, the noise is the same however often a market is read, is identical for a
given seed (tests and benches repeat), needs no state of its own and cannot jump at a restart: the stored stock is
the shown one at `updated_at`, and the factor at that time is derived again at load.

Every function here is pure.
"""
from __future__ import annotations

import hashlib
import math
from functools import lru_cache

from adapters.game_server.economy import EconomySettings

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_TO_UNIT = 1.0 / (1 << 53)


def good_key(seed: int, waypoint: str, symbol: str) -> int:
    """A 64-bit key naming one good at one market of one world."""
    digest = hashlib.blake2b(f"{seed}:{waypoint}:{symbol}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


@lru_cache(maxsize=1 << 16)         # a market read asks for the same two knots per good until the slot ends
def knot(key: int, slot: int) -> float:
    """The knot of slot `slot` in [-1, 1] (splitmix64 of the key and slot); slot 0, the era's start, is 0."""
    if slot == 0:
        return 0.0
    z = (key + slot * _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    z ^= z >> 31
    return (z >> 11) * _TO_UNIT * 2.0 - 1.0


def offset(key: int, minutes: float, kind: str, settings: EconomySettings) -> float:
    """The log-stock offset of a good `minutes` of game time after its era's start."""
    amplitude = settings.noise_amplitude[kind] * settings.noise_scale
    if amplitude == 0.0 or minutes <= 0.0:
        return 0.0
    position = minutes / settings.noise_slot_minutes
    slot = math.floor(position)
    share = position - slot
    return amplitude * (knot(key, slot) * (1.0 - share) + knot(key, slot + 1) * share)


def factor_of_shown(key: int, minutes: float, kind: str, settings: EconomySettings,
                    shown_over_template: float) -> float:
    """The factor that was applied to a good showing `shown_over_template` times its template stock at that game
    time (what a restart derives from a stored stock): the fixed point of `factor`, which moves little with it."""
    applied = factor(key, minutes, kind, settings)
    for _ in range(60):
        again = factor(key, minutes, kind, settings, shown_over_template / applied)
        if abs(again - applied) <= 1e-15 * again:
            return again
        applied = again
    return applied


def weight(base_over_template: float, settings: EconomySettings) -> float:
    """How much of the traffic a good shows whose stock (without it) is this multiple of its template stock."""
    if base_over_template == 1.0:
        return 1.0
    if base_over_template <= 0.0:
        return 0.0
    levels = math.log(base_over_template) / (math.log(settings.level_ratio) * settings.noise_fade_levels)
    return math.exp(-levels * levels)


def factor(key: int, minutes: float, kind: str, settings: EconomySettings, base_over_template: float = 1.0) -> float:
    """What the background traffic multiplies the good's stock by at that game time, the stock without it being
    `base_over_template` times the template's."""
    shift = offset(key, minutes, kind, settings)
    if shift == 0.0:
        return 1.0
    return math.exp(shift * weight(base_over_template, settings))
