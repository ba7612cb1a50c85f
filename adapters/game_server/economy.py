"""Market prices from supply: quotes, trade impact, supply and activity labels (game-api-facts §7, §8.2, §8.3).

Model. Each market good keeps a `stock` of units and an `equilibrium` stock. Its sellPrice (what the market pays)
is `base_price * (stock / equilibrium) ** -elasticity`, the ratio clamped to a band so prices stay finite;
purchasePrice (what the agent pays) is sellPrice times the spread of its kind (2.06 for EXPORT and IMPORT, 1.06 for
EXCHANGE, facts universe §1). A trade of u units moves the stock by u (buy: down, so the price rises; sell: up).

The equilibrium grows as tradeVolume^1.5, so one tranche of tradeVolume units moves the price by about
`elasticity / (depth * sqrt(tradeVolume))`: ~11% at tradeVolume 6, ~6% at 20, ~3% at 60, under 1% at an exchange
(facts universe §5: 1.03-1.13 per tranche at exports, <=2.5% at exchanges). Imports follow their own curve
(`mid_price`): ~2.5% per tranche at tradeVolume 20 up to the top of LIMITED, rising to 8-15% at HIGH supply. The band and the depths are chosen so
that no single trade moves the mid price by as much as the spread, hence a buy-then-sell round trip at one market
always loses money (tested).

Time is the business of market_dynamics.py (and the pure functions it composes: production.py, recovery.py,
trade_volume.py); this module is arithmetic on one MarketGood.
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
    """Every tunable of the economy, durations in GAME minutes; the World scales wall time by its speed."""
    # Half-life of every good's return to its template state through the background (NPC) trade: how fast a dumped
    # import's bid or a bought-down export's price recovers. Facts universe §5 give 1-1.5 h (reported bounce) to
    # 27-47 h (fitted on 20k ladders); 6 h is their geometric middle and makes a 40-60% dump leave the lane poor for
    # 12-24 h (within 20% of its start after ~12 h, within 10% after ~20 h), as reported.
    recovery_half_life_minutes: float = 360.0
    # A factory line at capacity consumes its shallowest input's equilibrium stock in this time (so it makes a third
    # of that in export units). It runs at 1/line_headroom of what its feed allows by itself: an intermediate good
    # fed from the tier below (MACHINERY from IRON) then rises one supply level in about 25 game minutes when its
    # inputs are kept at `full_feed` (facts universe §5: 18-34); the rest of what the feed allows restocks its export
    # when agents buy it down, with `restock_half_life_minutes` (facts: bounce 1-1.5 h), while the inputs last.
    line_drain_minutes: float = 37.5
    line_headroom: float = 2.0
    restock_half_life_minutes: float = 60.0
    # Inputs' stock over their equilibrium from which a line may run at capacity (HIGH on the import scale, where its
    # activity shows GROWING); below it what the line may make is proportional to the scarcest input, so a line whose
    # inputs sit at their equilibrium (LIMITED) may make 40% of its capacity and makes half that by itself.
    full_feed: float = 2.5
    input_units_per_output: float = 3.0     # facts §8.3: ~3 import units per export unit
    # Trade volume: recent trade (units, decaying with `volume_memory_minutes`) sets a target tradeVolume of
    # tier * (1 + volume_growth * tranches per hour), at most `max_volume_growth` times the tier; the tradeVolume
    # moves toward it with `volume_half_life_minutes` (facts §5: EQUIPMENT 20 -> 39 within 28 h, fed exports
    # 6 -> 15-22; imports never grow).
    volume_memory_minutes: float = 180.0
    volume_half_life_minutes: float = 720.0
    volume_growth: float = 0.4
    max_volume_growth: float = 4.0
    # Background traffic (market_noise.py): every good's template stock is moved by a factor exp(offset), the
    # offset drawn in [-amplitude, amplitude] (log-stock) at a knot every `noise_slot_minutes`, interpolated between.
    # Calibrated so an untouched (market, good) changes supply level about every 24 game minutes (facts universe
    # §5: mean 24, median 21.6), exchanges less (facts §1: 83% of exchange goods read MODERATE). 0 stills a kind.
    noise_slot_minutes: float = 12.0
    noise_amplitude: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 0.5, "IMPORT": 0.5, "EXCHANGE": 0.3}))
    # The traffic fades on a good an agent moved away from its template: to e^-1 at this many supply levels off.
    noise_fade_levels: float = 1.0
    noise_scale: float = 1.0                # multiplies every amplitude (`--economy noise_scale=0`: still markets)
    # Starter-system caps (game-api-facts §8.3: 400, exchange goods 300).
    max_trade_volume: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 400.0, "IMPORT": 400.0, "EXCHANGE": 300.0}))
    # Half-life of a shipyard's markup after purchases.
    shipyard_half_life_minutes: float = 120.0
    elasticity: float = 0.8
    # An import's bid follows its own curve (see `mid_price`): up to the top of LIMITED (its equilibrium label) one
    # tranche sold moves it by import_slope / (depth * sqrt(tradeVolume)) (2.5% at tradeVolume 20, 4.6% at 6, 1.4%
    # at 60; facts universe §5: 0.96-0.99 per tranche at WEAK activity, where three imports in four sit); above, by
    # that times (ratio / knee)^import_steepening, so an import fed up to HIGH supply (where its line shows
    # GROWING) loses 8-15% per tranche (facts: 0.87-0.90 at HIGH|GROWING). A 40-60% dump (facts §5) is then
    # some 10-25 tranches.
    import_slope: float = 0.335
    import_steepening: float = 2.0
    level_ratio: float = 1.8                # stock ratio between two adjacent supply levels
    depth: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 3.0, "IMPORT": 3.0, "EXCHANGE": 12.0}))
    spread: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 2.06, "IMPORT": 2.06, "EXCHANGE": 1.06}))
    # Band of stock/equilibrium inside which the price moves; outside it the price is flat. An import's top is its
    # bid floor, just above the HIGH band where a tranche still costs 10-13% (facts universe §5): 0.14 of base at
    # 3.2. No fact gives the floor; at 4.0 a long dump took the bid to 2% of base, which nobody reports.
    min_ratio: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 0.15, "IMPORT": 0.15, "EXCHANGE": 0.5}))
    max_ratio: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 4.0, "IMPORT": 3.2, "EXCHANGE": 2.0}))

    def __post_init__(self) -> None:
        for name in ("recovery_half_life_minutes", "line_drain_minutes", "restock_half_life_minutes", "full_feed",
                     "input_units_per_output", "volume_memory_minutes", "volume_half_life_minutes",
                     "shipyard_half_life_minutes", "noise_slot_minutes", "noise_fade_levels"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.line_headroom < 1:
            raise ValueError(f"line_headroom must be >= 1, not {self.line_headroom}")
        if self.noise_scale < 0 or any(a < 0 for a in self.noise_amplitude.values()):
            raise ValueError("noise_amplitude must be >= 0")
        if self.volume_growth < 0 or self.max_volume_growth < 1:
            raise ValueError("volume_growth must be >= 0 and max_volume_growth >= 1")

    @property
    def import_knee(self) -> float:
        """Stock over equilibrium where an import's bid starts to fall faster: the top of LIMITED."""
        return self.level_ratio ** 0.5

    def equilibrium_stock(self, kind: str, trade_volume: float) -> float:
        """Stock units at equilibrium for a good of this kind and tradeVolume."""
        return self.depth[kind] * trade_volume ** 1.5


# Which goods' tradeVolume grows with trade: imports never do (facts universe §5: "import depth never grows").
GROWING_KINDS = frozenset({"EXPORT", "EXCHANGE"})


def mid_price(good: MarketGood, settings: EconomySettings) -> float:
    """The unrounded sellPrice at the good's current stock.

    Exports and exchanges: base_price * ratio^-elasticity. Imports: log price falls linearly in the stock up to the
    knee, the top of LIMITED (import_slope per equilibrium stock: each tranche costs the same share of the bid),
    then ever faster (slope * (ratio / knee)^import_steepening): the real bids barely move at WEAK activity and
    fall 10-13% per tranche once the import is fed up to HIGH (facts universe §5)."""
    kind = good.kind
    ratio = good.stock / good.equilibrium
    low = settings.min_ratio[kind]
    if ratio < low:
        ratio = low
    else:
        high = settings.max_ratio[kind]
        if ratio > high:
            ratio = high
    if kind == "IMPORT":
        slope = settings.import_slope
        knee = settings.import_knee
        if ratio <= knee:
            return good.base_price * math.exp(slope * (1.0 - ratio))
        power = settings.import_steepening + 1.0
        return good.base_price * math.exp(slope * (1.0 - knee) - slope * knee / power * ((ratio / knee) ** power - 1.0))
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
    """An agent bought `units`: the stock falls (never below zero), so the price rises; the trade counts toward the
    good's tradeVolume growth."""
    good.stock = max(0.0, good.stock - units)
    if good.kind in GROWING_KINDS:
        good.pressure += units


def apply_sale(good: MarketGood, units: int) -> None:
    """An agent sold `units`: the stock rises, so the price falls. Selling into an exchange counts toward its
    tradeVolume growth; selling into an import or an export does not (facts: import depth never grows)."""
    good.stock += units
    if good.kind == "EXCHANGE":
        good.pressure += units


def supply_level(good: MarketGood, settings: EconomySettings) -> str:
    """SCARCE..ABUNDANT from the stock relative to equilibrium; the equilibrium's level depends on the kind."""
    ratio = good.stock / good.equilibrium
    base = _EQUILIBRIUM_LEVEL[good.kind]
    if ratio <= 0:
        return SUPPLY_LEVELS[0]
    offset = math.floor(math.log(ratio) / math.log(settings.level_ratio) + 0.5)
    return SUPPLY_LEVELS[min(4, max(0, base + offset))]


ACTIVITY_LEVELS = ("RESTRICTED", "WEAK", "GROWING", "STRONG")


# How far (in supply levels) below its equilibrium a line's scarcest input starves it: deep in SCARCE, which starts
# half a level below. Real imports show SCARCE 37% but RESTRICTED 24% (facts universe §1), so a shallow SCARCE input
# does not restrict; and a line whose export a lane keeps buying out settles its inputs near 0.58 of equilibrium
# (half the template feed at line_headroom 2, plus the background refill), which must read RESTRICTED (0.64 here).
RESTRICTING_LEVELS = 0.75


def feed_activity(feed: float, settings: EconomySettings | None = None) -> str:
    """The activity of a factory line whose scarcest input sits at `feed` (stock over equilibrium, on the import
    scale, where the equilibrium reads LIMITED): RESTRICTED deep in SCARCE (RESTRICTING_LEVELS below equilibrium),
    WEAK up to the middle of MODERATE, GROWING up to the middle of HIGH, STRONG above (real imports show GROWING or
    STRONG 10% with only 3% of them HIGH, facts universe §1)."""
    step = (settings or _DEFAULT).level_ratio
    if feed < step ** -RESTRICTING_LEVELS:
        return "RESTRICTED"
    if feed < step:
        return "WEAK"
    if feed < step * step:
        return "GROWING"
    return "STRONG"


def activity_level(good: MarketGood, settings: EconomySettings | None = None) -> str | None:
    """WEAK..STRONG from the supply of the factory line's inputs (game-api-facts §8.3: "RESTRICTED on IRON export
    implies a shortage in IRON_ORE import"). An export shows its line's activity (`feed_activity`). An import shows
    RESTRICTED when it is itself the shortage, deep in SCARCE (so every line consuming it is restricted), else the
    activity of the best-fed line consuming it, at least WEAK: an input stocked while another input holds its line
    back is not the bottleneck. Goods no line touches are WEAK; exchanges have none."""
    if good.kind == "EXCHANGE":
        return None
    if good.factory:
        return feed_activity(good.feed, settings)
    if not good.consumed:
        return "WEAK"
    if feed_activity(good.underlying_stock / good.equilibrium, settings) == "RESTRICTED":
        return "RESTRICTED"
    shown = feed_activity(good.feed, settings)
    return "WEAK" if shown == "RESTRICTED" else shown


_DEFAULT = EconomySettings()
