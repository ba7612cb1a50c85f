"""Market prices from supply: quotes, trade impact, supply and activity labels (game-api-facts §7, §8.2, §8.3).

Model. Each market good keeps a `stock` of units and an `equilibrium` stock (depth * tradeVolume^1.5); the ratio of
the two, clamped to a band so prices stay finite, sets its supply label and its sellPrice (what the market pays);
purchasePrice (what the agent pays) is sellPrice times the spread of its kind (2.06 for EXPORT and IMPORT, 1.06 for
EXCHANGE, facts universe §1). A trade of u units moves the stock by u (buy: down, so the price rises; sell: up).

Each kind has its curve, keyed as the real fits are (facts universe §5, ~20k ladders):
- an exchange's sellPrice is `base_price * ratio ** -elasticity`, under 2.5% a tranche (tradeVolume units);
- an export's moves by a step per tranche keyed by its labels, not by its tradeVolume (`_export_log_price`): its
  own curve is the RESTRICTED one (1.13 a tranche at SCARCE down to 1.035 at ABUNDANT), and a fed factory line
  answers a share of each purchase at once from its inputs (`answered_share`, market_dynamics.answer_purchase), so
  the step falls to 4-6% while the line shows WEAK and to 0.5% while it shows GROWING or STRONG with its export at
  HIGH or ABUNDANT (bought down below HIGH, a fed line answers as a WEAK one); an export no line makes shows WEAK
  and its curve is the WEAK one. The background traffic's factor on its stock moves its price by the
  `export_elasticity` a label moves its template's by, not tranche by tranche (see `mid_price`);
- an import's bid (`_import_log_price`) moves 1-4% per tranche at WEAK activity, whatever the supply, and 10-13%
  once a consumed import is fed up to HIGH (its line GROWING); the traffic's factor moves it by
  `import_traffic_elasticity`, as it moves an export's.
No single trade moves the mid price by as much as the spread, hence a buy-then-sell round trip at one market always
loses money (tested).

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
    # Half-life of every good's return to its template state through the background (NPC) trade, but for an import's
    # surplus: how fast a bought-down export's price recovers, and a bought-out import refills (so a line whose input
    # an agent took stays RESTRICTED for hours, as 41% of real exports show). Facts universe §5 give 1-1.5 h
    # (reported, for dumped bids) to 27-47 h (fitted on 20k ladders); 6 h is their geometric middle.
    recovery_half_life_minutes: float = 360.0
    # Half-life of the surplus an agent sold into an import (drained by the NPC trade and by any line consuming it,
    # together): a dumped-into import's bid bounces back with a half-life of about 1-1.5 game hours and is back in
    # full in about 8-9 h (facts universe §5, REPORT S4), whether a line consumes it or not. The bid falls
    # exponentially in the stock, so it comes back slower than the stock at first: a stock half-life of 1 h is a
    # bid half-life of 1.1-1.3 h after a 40-60% dump.
    import_surplus_half_life_minutes: float = 60.0
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
    # How far an export's price sits from its good's level at the supply label its template stock reads as:
    # base * template_ratio^-export_elasticity. The real exports of a good range from 0.74-0.97 to 1.09-1.55 of
    # its median price (facts universe §2, the goods with ranges), with 80% of them HIGH or ABUNDANT (§1): an
    # ABUNDANT export sells at about 0.8 of the median, a MODERATE one at about 1.2. At the exchanges' 0.8 an
    # ABUNDANT export sold at 0.6 of the median, below every real one, and gave trading lanes twice the real margin.
    export_elasticity: float = 0.25
    # An import's bid follows its own curve (see `mid_price`), set by what one tranche (tradeVolume units) sold does
    # to it, by the labels the facts key it by (facts universe §5, fit on ~20k ladders; not by tradeVolume): with
    # WEAK activity (every import no line consumes, and a consumed one below GROWING) the bid falls import_slope per
    # equilibrium stock, 2.5% a tranche at tradeVolume 20 and 1.4% at 60, at most import_weak_step (facts:
    # 0.96-0.99); an import a line consumes, fed up to HIGH (its line GROWING), loses import_fed_step a tranche
    # (facts: 0.87-0.90 at HIGH|GROWING), ramping from the WEAK figure across MODERATE|GROWING, which no fact gives.
    # A 40-60% dump (facts §5) is then some 15-50 tranches at WEAK, fewer once the line shows GROWING.
    import_slope: float = 0.335
    import_weak_step: float = 0.035
    import_fed_step: float = 0.122          # ln(1 / 0.885)
    # An import's lowest bid, as a share of its base. No fact gives one; without it a long dump took a bid to 2% of
    # base, which nobody reports.
    import_floor: float = 0.14
    # How far the background traffic's factor on an import's stock moves its bid (bid ~ factor^-this), whatever its
    # line's activity. No fact keys an import's bid by its label; the real imports of a good with a range span
    # 0.88-1.09 (ELECTRONICS) and 0.93-1.09 (IRON) of its median (facts universe §2), and the WEAK curve's slope at
    # equilibrium is 0.26-0.34 (as d log bid / d log stock): the exports' figure, 0.25, is about both.
    import_traffic_elasticity: float = 0.25
    # What one tranche (tradeVolume units) bought at an export multiplies its price by, keyed by its labels as the
    # real fits key it (facts universe §5, ~20k ladders; not by tradeVolume). A factory export's own curve is the
    # RESTRICTED one (1.13 at SCARCE down to 1.03 at ABUNDANT): a starved line makes nothing when an agent buys.
    # A line that is fed answers a share of each purchase at once from its inputs (`answered_share`), so the stock
    # and the price move less: to the WEAK figures (facts 1.04-1.06) and, with its line GROWING or STRONG, to
    # `export_fed_step` (facts ~1.005 at HIGH|GROWING and ABUNDANT|GROWING; STRONG is not measured and is held to
    # the same; below HIGH no fact gives a fed figure, so the WEAK one holds there). An export no line makes always
    # shows WEAK, and its own curve is the WEAK one. ABUNDANT takes 1.035 on both curves: the fit's RESTRICTED 1.03
    # and WEAK low end 1.04 (both given to two decimals) cannot both hold where a fed line only ever flattens the
    # curve; 1.035 is within the rounding of each.
    export_restricted_step: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"SCARCE": 1.13, "LIMITED": 1.10, "MODERATE": 1.07, "HIGH": 1.05, "ABUNDANT": 1.035}))
    export_weak_step: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"SCARCE": 1.06, "LIMITED": 1.055, "MODERATE": 1.05, "HIGH": 1.045, "ABUNDANT": 1.035}))
    export_fed_step: float = 1.005
    level_ratio: float = 1.8                # stock ratio between two adjacent supply levels
    depth: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 3.0, "IMPORT": 3.0, "EXCHANGE": 12.0}))
    spread: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 2.06, "IMPORT": 2.06, "EXCHANGE": 1.06}))
    # Band of stock/equilibrium inside which the price moves; outside it the price is flat. An import's top is far in
    # ABUNDANT: its bid keeps falling a WEAK tranche's share while it is fed, down to `import_floor`. An export's
    # bottom is deep in SCARCE (which starts at 0.23), so a tranche bought there moves its price the SCARCE step
    # even at tradeVolume 6, whose tranche is 0.14 of the equilibrium stock.
    min_ratio: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 0.03, "IMPORT": 0.15, "EXCHANGE": 0.5}))
    max_ratio: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"EXPORT": 4.0, "IMPORT": 8.0, "EXCHANGE": 2.0}))

    def __post_init__(self) -> None:
        for name in ("recovery_half_life_minutes", "import_surplus_half_life_minutes", "line_drain_minutes",
                     "restock_half_life_minutes", "full_feed", "input_units_per_output", "volume_memory_minutes",
                     "volume_half_life_minutes", "shipyard_half_life_minutes", "noise_slot_minutes",
                     "noise_fade_levels"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.line_headroom < 1:
            raise ValueError(f"line_headroom must be >= 1, not {self.line_headroom}")
        if self.noise_scale < 0 or any(a < 0 for a in self.noise_amplitude.values()):
            raise ValueError("noise_amplitude must be >= 0")
        if not 0 < self.import_weak_step <= self.import_fed_step or not 0 < self.import_floor < 1:
            raise ValueError("need 0 < import_weak_step <= import_fed_step and 0 < import_floor < 1")
        for steps in (self.export_restricted_step, self.export_weak_step):
            if set(steps) != set(SUPPLY_LEVELS) or not all(step > 1 for step in steps.values()):
                raise ValueError("an export's steps per tranche need every supply level, each above 1")
        if not 1 < self.export_fed_step <= min(self.export_weak_step.values()):
            raise ValueError("need 1 < export_fed_step <= every export_weak_step")
        if self.volume_growth < 0 or self.max_volume_growth < 1:
            raise ValueError("volume_growth must be >= 0 and max_volume_growth >= 1")

    def equilibrium_stock(self, kind: str, trade_volume: float) -> float:
        """Stock units at equilibrium for a good of this kind and tradeVolume."""
        return self.depth[kind] * trade_volume ** 1.5


# Which goods' tradeVolume grows with trade: imports never do (facts universe §5: "import depth never grows").
GROWING_KINDS = frozenset({"EXPORT", "EXCHANGE"})


def mid_price(good: MarketGood, settings: EconomySettings) -> float:
    """The unrounded sellPrice at the good's current stock.

    Exchanges: base_price * ratio^-elasticity. Imports: see `_import_log_price`; exports: `_export_log_price`."""
    if good.kind == "EXCHANGE":
        return good.base_price * _clamped_ratio(good, good.stock, settings) ** -settings.elasticity
    # The background traffic's factor moves an export's or an import's price as a label moves a template's, not
    # tranche by tranche as an agent's trades do: priced by the tranches, its +-0.5 of log-stock swung an ABUNDANT
    # export 0.3-1.5 of its median within one label (30% or more within 8 game minutes in 9% of windows), and a
    # consumed import whose line shows GROWING, whose bid falls 12% a tranche, 0.14-0.88 of its median in half-hour
    # sawtooths with no agent near; the real price follows the label (facts universe §5: rho -0.90).
    own = _clamped_ratio(good, good.underlying_stock, settings)
    if good.kind == "IMPORT":
        log_bid = _import_log_price(good, own, settings) - settings.import_traffic_elasticity * math.log(good.noise)
        return good.base_price * max(settings.import_floor, math.exp(log_bid))
    return good.base_price * math.exp(_export_log_price(good, own, settings)
                                      - settings.export_elasticity * math.log(good.noise))


def _export_log_price(good: MarketGood, ratio: float, settings: EconomySettings) -> float:
    """An export's log price over its base at `ratio` (stock over equilibrium, clamped).

    At its template stock it is base * template_ratio^-export_elasticity, the price the universe calibrates (facts
    §2); every tranche of stock below (above) the template multiplies (divides) it by the step its curve gives at that
    supply level (`export_restricted_step` for a factory export, `export_weak_step` for one no line makes), so a
    tranche moves the price by its labels on every tradeVolume tier. Tranches are of the good's tier: a grown
    tradeVolume keeps the price where it was and deepens the market, each tranche moving the price less."""
    steps = settings.export_restricted_step if good.factory else settings.export_weak_step
    template = _clamped(good.kind, good.template_ratio, settings)
    tranches = settings.equilibrium_stock(good.kind, good.tier) / good.tier   # tier tranches in an equilibrium
    climb = _log_steps_below(ratio, steps, settings) - _log_steps_below(template, steps, settings)
    return -settings.export_elasticity * math.log(template) - tranches * climb


def _log_steps_below(ratio: float, steps: Mapping[str, float], settings: EconomySettings) -> float:
    """The integral, from an empty stock up to `ratio` (in equilibrium stocks), of the log step per tranche of the
    supply level each stock reads as (`supply_level`'s bands for an export)."""
    total, low = 0.0, 0.0
    base = _EQUILIBRIUM_LEVEL["EXPORT"]
    for index, level in enumerate(SUPPLY_LEVELS):
        high = settings.level_ratio ** (index - base + 0.5) if index < len(SUPPLY_LEVELS) - 1 else math.inf
        top = ratio if ratio < high else high
        total += math.log(steps[level]) * (top - low)
        if ratio <= high:
            return total
        low = high
    return total


# The supply levels at which the facts measured a fed (GROWING) line's export step.
_FED_SUPPLY = frozenset({"HIGH", "ABUNDANT"})


def answered_share(good: MarketGood, settings: EconomySettings) -> float:
    """The share of each unit bought at `good` that its factory line makes at once from its inputs, by its labels:
    none while the line is RESTRICTED (or the good is no factory export), enough to flatten the RESTRICTED curve
    to the WEAK step while it shows WEAK, and to `export_fed_step` while it shows GROWING or STRONG with its export
    at HIGH or ABUNDANT, the WEAK step below (game-api-facts §8.3: "as agents buy up supply from an export good,
    production tends to increase to meet the demand ... only when there is an adequate supply of imports"). The
    caller takes the inputs it uses."""
    if good.kind != "EXPORT" or not good.factory:
        return 0.0
    activity = feed_activity(good.feed, settings)
    if activity == "RESTRICTED":
        return 0.0
    supply = supply_level(good, settings)
    # The facts give the fed figure at HIGH and ABUNDANT only; a fed export bought down below HIGH answers as a WEAK
    # line does, rather than at a figure no fact gives (it would answer 96% of each purchase at SCARCE).
    fed = activity != "WEAK" and supply in _FED_SUPPLY
    target = settings.export_fed_step if fed else settings.export_weak_step[supply]
    share = 1.0 - math.log(target) / math.log(settings.export_restricted_step[supply])
    return share if share > 0.0 else 0.0


def import_log_bid(good: MarketGood, stock: float, settings: EconomySettings) -> float:
    """log(sellPrice / base_price) of an import holding `stock` (its floor included): what its bid would be."""
    ratio = _clamped_ratio(good, stock, settings)
    return max(math.log(settings.import_floor), _import_log_price(good, ratio, settings))


def _clamped_ratio(good: MarketGood, stock: float, settings: EconomySettings) -> float:
    """`stock` over the good's equilibrium, within its kind's bounds: the ratio its price is read at."""
    return _clamped(good.kind, stock / good.equilibrium, settings)


def _clamped(kind: str, ratio: float, settings: EconomySettings) -> float:
    low, high = settings.min_ratio[kind], settings.max_ratio[kind]
    return low if ratio < low else high if ratio > high else ratio


_BISECTIONS = 24


def import_bounce(good: MarketGood, stock: float, target: float, keep: float, settings: EconomySettings) -> float:
    """The stock of an import holding `stock`, a surplus over its `target`, after one step of its bounce: its log
    bid comes back toward the target's by 1 - `keep`, as the facts time it (a half-life of the bid, not of the
    stock). Where its bid falls steeply (a consumed import whose line shows GROWING) that is less stock than a drift
    of the stock by the same share would drain; where the bid lies flat at its floor, the stock drifts by that share
    instead, so the bid moves once the stock is back to where the floor starts. On the WEAK curve, linear in the
    stock, the two are the same."""
    by_stock = target + (stock - target) * keep
    if not good.consumed or good.feed <= settings.level_ratio:
        return by_stock
    start, goal = import_log_bid(good, stock, settings), import_log_bid(good, target, settings)
    if start >= goal:
        return by_stock
    wanted = goal + (start - goal) * keep
    low, high = target, stock                # the bid at `low` is at or above `wanted`, at `high` below it
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if import_log_bid(good, middle, settings) >= wanted:
            low = middle
        else:
            high = middle
    return high if high > by_stock else by_stock


def _import_log_price(good: MarketGood, ratio: float, settings: EconomySettings) -> float:
    """An import's log bid over its base at `ratio` (stock over equilibrium).

    It falls linearly in the stock, by the WEAK figure per tranche, while the import shows WEAK: always for an import
    no line consumes, and for a consumed one while the best-fed line consuming it (its `feed`) is below GROWING. Once
    that line shows GROWING, each tranche above the template stock and above the middle of MODERATE falls more,
    ramping up to the HIGH|GROWING figure by the bottom of HIGH (facts universe §5). The steeper fall counts from
    the template, as an export's climb does: the facts give what one tranche sold does, not where an untouched
    import stands, and integrated from equilibrium it left a consumed import whose template sits in HIGH at its
    floor (0.13 of its median) with nobody trading. That steeper fall fades in over the first quarter level of
    GROWING of the line's feed, so the bid never jumps when another input's delivery turns the line GROWING (it
    moves, smoothly: the input now reads GROWING and is priced so); for a line of one input, whose feed is that
    input's stock, it is in full from HIGH. Imports' tradeVolume never changes, so the figures per tranche are
    figures per equilibrium stock here."""
    tranches = good.equilibrium / good.trade_volume          # tranches in one equilibrium stock
    weak = min(settings.import_slope, settings.import_weak_step * tranches)
    line = weak * (1.0 - ratio)
    growing = settings.level_ratio                            # feed_activity's GROWING threshold
    if not good.consumed or ratio <= growing or good.feed <= growing:
        return line
    template = _clamped(good.kind, good.template_ratio, settings)
    if ratio <= template:
        return line
    share = (good.feed - growing) / (growing * (settings.level_ratio ** _FADE_IN_LEVELS - 1.0))
    extra = settings.import_fed_step * tranches - weak        # added slope once fed up to HIGH
    steep = _steeper_fall(ratio, growing, settings) - _steeper_fall(template, growing, settings)
    return line - (share if share < 1.0 else 1.0) * extra * steep


def _steeper_fall(ratio: float, growing: float, settings: EconomySettings) -> float:
    """The stock, in equilibrium stocks, over which a fed import's steeper fall has acted up to `ratio`: none up to
    the middle of MODERATE, ramping in across MODERATE|GROWING, in full from the bottom of HIGH."""
    if ratio <= growing:
        return 0.0
    ramp = settings.level_ratio ** 1.5 - growing              # the MODERATE|GROWING stretch of the stock
    if ratio <= growing + ramp:
        return (ratio - growing) ** 2 / (2.0 * ramp)
    return ratio - growing - ramp / 2.0


# The supply levels over which a consumed import's steeper fall fades in as its line's feed passes GROWING.
_FADE_IN_LEVELS = 0.25


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
