"""A trade route: buy a good where a market exports it, sell it where another imports it (plain arbitrage)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.coercion import coerce
from domain.errors import InvalidValue
from domain.goods import SupplyLevel, TradeSymbol
from domain.symbols import WaypointSymbol
from domain.timestamps import ensure_aware

LaneKey = tuple[TradeSymbol, WaypointSymbol, WaypointSymbol]

# Seconds in which prices count half as much, on a clock running at the game's pace (the finder's configured value
# replaces it; bootstrap shrinks it for a faster game).
DEFAULT_PRICE_HALF_LIFE = 1800.0


@dataclass(frozen=True, slots=True)
class TradeRoute:
    """One lane as the probes last saw it.

    `ask` is what `buy_market` (an export) charges per unit, `bid` what `sell_market` (an import) pays per unit;
    `trade_volume` is the export's lot size. `observed_at` is the older of the two observations the prices come
    from, so `age` says how stale the worse half of the figures is. `alternatives` are further import markets of
    the good, best bid first, a worker may spread a load over once the first one's bid falls to its floor.
    `feeds` names the goods `sell_market` exports whose production this delivery would grow (a factory's input).
    `recorded_profit_per_hour` is what the ledger recorded for this lane (or good) so far, None when never tried;
    `recorded_share` the part of their price signal its runs earned (domain.lane_record.LaneRecord).
    `price_half_life` is how many seconds of the same clock as `observed_at` make the prices count half as much
    (markets drift back over game hours; on a compressed game clock that is fewer of the bot's seconds).
    """

    good: TradeSymbol
    buy_market: WaypointSymbol
    sell_market: WaypointSymbol
    ask: int
    bid: int
    trade_volume: int
    buy_supply: SupplyLevel
    observed_at: datetime
    discovered_at: datetime
    sell_supply: SupplyLevel | None = None
    distance: float | None = None
    alternatives: tuple[WaypointSymbol, ...] = ()
    feeds: tuple[TradeSymbol, ...] = ()
    recorded_profit_per_hour: float | None = None
    recorded_share: float | None = None
    price_half_life: float = DEFAULT_PRICE_HALF_LIFE

    def __post_init__(self) -> None:
        if type(self.good) is not TradeSymbol:
            coerce(self, "good", TradeSymbol)
        for name in ("buy_market", "sell_market"):
            if type(getattr(self, name)) is not WaypointSymbol:
                coerce(self, name, WaypointSymbol)
        coerce(self, "buy_supply", SupplyLevel)
        object.__setattr__(self, "alternatives", tuple(WaypointSymbol(m) for m in self.alternatives))
        object.__setattr__(self, "feeds", tuple(TradeSymbol.parse(g) for g in self.feeds))
        ensure_aware(self.observed_at, "route observed_at")
        ensure_aware(self.discovered_at, "route discovered_at")
        if self.buy_market == self.sell_market:
            raise InvalidValue(f"{self.good}: a route needs two markets, got {self.buy_market} twice")
        if self.ask < 0 or self.bid < 0 or self.trade_volume < 1:
            raise InvalidValue(f"{self.good} {self.buy_market}->{self.sell_market}: bad prices or trade volume "
                               f"(ask {self.ask}, bid {self.bid}, volume {self.trade_volume})")
        if not self.price_half_life > 0:
            raise InvalidValue(f"{self.good}: price_half_life must be positive, not {self.price_half_life}")
        if self.sell_market in self.alternatives:
            raise InvalidValue(f"{self.good}: {self.sell_market} is both the sell market and an alternative")

    @property
    def key(self) -> LaneKey:
        """What "one ship per lane" counts by."""
        return (self.good, self.buy_market, self.sell_market)

    @property
    def margin(self) -> int:
        """Credits per unit between the import's bid and the export's ask (before fuel)."""
        return self.bid - self.ask

    @property
    def margin_ratio(self) -> float:
        return self.margin / self.ask if self.ask > 0 else float("inf")

    @property
    def lot_profit(self) -> int:
        """The price signal: the margin on one lot of the export's trade volume."""
        return self.margin * self.trade_volume

    def age(self, now: datetime) -> float:
        """Seconds since the older of the two prices was seen."""
        return max(0.0, (now - self.observed_at).total_seconds())

    def freshness(self, now: datetime) -> float:
        """How much the prices still count at `now`: 1 when just seen, half after `price_half_life`."""
        return 0.5 ** (self.age(now) / self.price_half_life)

    @property
    def sell_markets(self) -> tuple[WaypointSymbol, ...]:
        """Where the load may be sold, in the order to try them."""
        return (self.sell_market, *self.alternatives)
