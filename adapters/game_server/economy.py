"""Market prices from supply: quotes, trade impact, supply and activity labels (game-api-facts §7, §8.2, §8.3).

Model. Each market good keeps a `stock` of units and an `equilibrium` stock. Its sellPrice (what the market pays)
is `base_price * (stock / equilibrium) ** -elasticity`, the ratio clamped to a band so prices stay finite;
purchasePrice (what the agent pays) is sellPrice times the spread of its kind (2.06 for EXPORT and IMPORT, 1.06 for
EXCHANGE, facts universe §1). A trade of u units moves the stock by u (buy: down, so the price rises; sell: up).

The equilibrium grows as tradeVolume^1.5, so one tranche of tradeVolume units moves the price by about
`elasticity / (depth * sqrt(tradeVolume))`: ~11% at tradeVolume 6, ~6% at 20, ~3% at 60, under 1% at an exchange
(facts universe §5: 1.03-1.13 per tranche at exports, <=2.5% at exchanges). The band and the depths are chosen so
that no single trade moves the mid price by as much as the spread, hence a buy-then-sell round trip at one market
always loses money (tested).

Time is the production module's business (production.py); this module is pure arithmetic on MarketGood.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from adapters.game_server.state import MarketGood

SUPPLY_LEVELS = ("SCARCE", "LIMITED", "MODERATE", "HIGH", "ABUNDANT")
# Where the equilibrium stock sits on the supply scale (facts universe §1: exports mostly HIGH/ABUNDANT, imports
# SCARCE/LIMITED, exchange MODERATE).
_EQUILIBRIUM_LEVEL = MappingProxyType({"EXPORT": 3, "IMPORT": 1, "EXCHANGE": 2})


def _frozen(mapping: dict[str, float]) -> Mapping[str, float]:
    return MappingProxyType(mapping)


@dataclass(frozen=True)
class EconomySettings:
    """Every tunable of the economy, in GAME minutes; the World scales wall time by its speed."""
    # Half-life of a price's return to equilibrium where nothing produces (exchange, imports, unfed drift).
    drift_half_life_minutes: float = 60.0
    # Time constant of factory output: a fed export rises about one supply level in ~20-30 game minutes.
    production_half_life_minutes: float = 20.0
    # Half-life of a shipyard's markup after purchases.
    shipyard_half_life_minutes: float = 120.0
    input_units_per_output: float = 3.0     # facts §8.3: ~3 import units per export unit
    unfed_share: float = 0.25               # an export with no inputs settles at this share of its equilibrium
    max_feed: float = 3.0                   # inputs beyond 3x their equilibrium stock add nothing
    elasticity: float = 0.8
    level_ratio: float = 1.8                # stock ratio between two adjacent supply levels
    depth: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 3.0, "IMPORT": 3.0, "EXCHANGE": 12.0}))
    spread: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 2.06, "IMPORT": 2.06, "EXCHANGE": 1.06}))
    # Band of stock/equilibrium inside which the price moves; outside it the price is flat.
    min_ratio: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 0.15, "IMPORT": 0.15, "EXCHANGE": 0.5}))
    max_ratio: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 4.0, "IMPORT": 4.0, "EXCHANGE": 2.0}))

    def equilibrium_stock(self, kind: str, trade_volume: int) -> float:
        """Stock units at equilibrium for a good of this kind and tradeVolume."""
        return self.depth[kind] * trade_volume ** 1.5


def mid_price(good: MarketGood, settings: EconomySettings) -> float:
    """The unrounded sellPrice at the good's current stock."""
    kind = good.kind
    ratio = good.stock / good.equilibrium
    low = settings.min_ratio[kind]
    if ratio < low:
        ratio = low
    else:
        high = settings.max_ratio[kind]
        if ratio > high:
            ratio = high
    return good.base_price * ratio ** -settings.elasticity


def quote(good: MarketGood, settings: EconomySettings) -> tuple[int, int]:
    """(purchasePrice, sellPrice) as the market shows them: the agent pays the first, receives the second.

    sellPrice rounds down and purchasePrice up, and purchasePrice is always above sellPrice, so rounding never
    turns a round trip into a gain.
    """
    mid = mid_price(good, settings)
    sell = max(1, math.floor(mid))
    purchase = max(sell + 1, math.ceil(mid * settings.spread[good.kind]))
    return purchase, sell


def apply_purchase(good: MarketGood, units: int) -> None:
    """An agent bought `units`: the stock falls (never below zero), so the price rises."""
    good.stock = max(0.0, good.stock - units)


def apply_sale(good: MarketGood, units: int) -> None:
    """An agent sold `units`: the stock rises, so the price falls."""
    good.stock += units


def supply_level(good: MarketGood, settings: EconomySettings) -> str:
    """SCARCE..ABUNDANT from the stock relative to equilibrium; the equilibrium's level depends on the kind."""
    ratio = good.stock / good.equilibrium
    base = _EQUILIBRIUM_LEVEL[good.kind]
    if ratio <= 0:
        return SUPPLY_LEVELS[0]
    offset = math.floor(math.log(ratio) / math.log(settings.level_ratio) + 0.5)
    return SUPPLY_LEVELS[min(4, max(0, base + offset))]


def activity_level(good: MarketGood) -> str | None:
    """WEAK..STRONG from the production feed; RESTRICTED when a factory's inputs are short; None at exchanges."""
    if good.kind == "EXCHANGE":
        return None
    if not (good.factory or good.consumed):
        return "WEAK"
    feed = good.feed
    if feed < 0.5:
        return "RESTRICTED"
    if feed < 1.1:
        return "WEAK"
    if feed < 1.8:
        return "GROWING"
    return "STRONG"
