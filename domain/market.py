"""What we know of a market at one moment, with its two prices named so they cannot be swapped.

The API names prices from the agent's side (facts sheet section 7.1):
`purchasePrice` is what WE PAY to buy from the market, `sellPrice` is what THE MARKET PAYS US
when we sell to it. The plan's "purchase price of an import market" is the latter. To keep
that confusion out of the code, the domain never uses either API name:

- `ask`: credits per unit we pay when we buy here (API `purchasePrice`);
- `bid`: credits per unit the market pays us when we sell here (API `sellPrice`).

`trade_good_from_api` is the one place where API names become domain names.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

from domain.coercion import coerce, coerce_optional, convert
from domain.errors import InvalidValue
from domain.geometry import Position
from domain.goods import ActivityLevel, SupplyLevel, TradeGoodType, TradeSymbol
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.timestamps import ensure_aware


@dataclass(frozen=True, slots=True)
class MarketTradeGood:
    """One good's live figures at a market (visible only while one of our ships is there).

    `ask` is what we pay per unit to buy here; `bid` is what the market pays us per unit
    when we sell here. `trade_volume` is the most units one purchase or sale may move.
    """

    symbol: TradeSymbol
    type: TradeGoodType
    trade_volume: int
    supply: SupplyLevel
    ask: int
    bid: int
    activity: ActivityLevel | None = None

    def __post_init__(self) -> None:
        coerce(self, "symbol", TradeSymbol)
        coerce(self, "type", TradeGoodType)
        coerce(self, "supply", SupplyLevel)
        coerce_optional(self, "activity", ActivityLevel)
        if self.trade_volume < 1:
            raise InvalidValue(f"{self.symbol}: trade volume must be at least 1, got {self.trade_volume}")
        if self.ask < 0 or self.bid < 0:
            raise InvalidValue(f"{self.symbol}: prices cannot be negative (ask {self.ask}, bid {self.bid})")


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """A market as observed at `observed_at`: what it imports, exports and exchanges, and prices.

    `trade_goods` is empty when the market was seen without a ship present (the API then
    shows only the three lists). `position` is the market waypoint's x, y when known.
    A good belongs to exactly one of imports, exports and exchange.
    """

    waypoint: WaypointSymbol
    observed_at: datetime
    imports: frozenset[TradeSymbol] = frozenset()
    exports: frozenset[TradeSymbol] = frozenset()
    exchange: frozenset[TradeSymbol] = frozenset()
    trade_goods: Mapping[TradeSymbol, MarketTradeGood] = field(default_factory=dict, hash=False)
    position: Position | None = None

    def __post_init__(self) -> None:
        coerce(self, "waypoint", WaypointSymbol)
        ensure_aware(self.observed_at, f"market {self.waypoint} observed_at")
        goods = _index_trade_goods(self.waypoint, self.trade_goods)
        lists = {
            TradeGoodType.IMPORT: set(map(TradeSymbol.parse, self.imports)),
            TradeGoodType.EXPORT: set(map(TradeSymbol.parse, self.exports)),
            TradeGoodType.EXCHANGE: set(map(TradeSymbol.parse, self.exchange)),
        }
        for good in goods.values():  # a priced good the lists forgot still belongs to its category
            lists[good.type].add(good.symbol)
        overlap = (
            (lists[TradeGoodType.IMPORT] & lists[TradeGoodType.EXPORT])
            | (lists[TradeGoodType.IMPORT] & lists[TradeGoodType.EXCHANGE])
            | (lists[TradeGoodType.EXPORT] & lists[TradeGoodType.EXCHANGE])
        )
        if overlap:
            raise InvalidValue(f"market {self.waypoint}: goods in more than one category: {sorted(overlap)}")
        object.__setattr__(self, "imports", frozenset(lists[TradeGoodType.IMPORT]))
        object.__setattr__(self, "exports", frozenset(lists[TradeGoodType.EXPORT]))
        object.__setattr__(self, "exchange", frozenset(lists[TradeGoodType.EXCHANGE]))
        object.__setattr__(self, "trade_goods", MappingProxyType(goods))

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        # The read-only mapping view cannot be pickled; rebuild from a plain dict (worker processes).
        fields = (self.imports, self.exports, self.exchange, dict(self.trade_goods), self.position)
        return (MarketSnapshot, (self.waypoint, self.observed_at, *fields))

    @property
    def system(self) -> SystemSymbol:
        """The system the market is in."""
        return self.waypoint.system

    def trade_good(self, good: TradeSymbol) -> MarketTradeGood | None:
        """Live figures for `good`, or None when not listed or seen without a ship present."""
        return self.trade_goods.get(good)

    def ask(self, good: TradeSymbol) -> int | None:
        """What we would pay per unit to buy `good` here, if known."""
        entry = self.trade_goods.get(good)
        return None if entry is None else entry.ask

    def bid(self, good: TradeSymbol) -> int | None:
        """What this market would pay us per unit for `good`, if known."""
        entry = self.trade_goods.get(good)
        return None if entry is None else entry.bid

    def sells(self, good: TradeSymbol) -> bool:
        """True when we can buy `good` here at a normal price (it is exported or exchanged)."""
        return good in self.exports or good in self.exchange


class ApiTradeGood(Protocol):
    """The API's MarketTradeGood as the wire layer decodes it (snake_case attributes)."""

    symbol: str
    type: str
    trade_volume: int
    supply: str
    activity: str | None
    purchase_price: int
    sell_price: int


class ApiSymbolRef(Protocol):
    """The API's TradeGood list entry ({symbol, name, description}); only the symbol matters."""

    symbol: str


class ApiMarket(Protocol):
    """The API's Market as the wire layer decodes it."""

    symbol: str
    imports: Sequence[ApiSymbolRef]
    exports: Sequence[ApiSymbolRef]
    exchange: Sequence[ApiSymbolRef]
    trade_goods: Sequence[ApiTradeGood] | None


def trade_good_from_api(good: ApiTradeGood) -> MarketTradeGood:
    """Map the API's trade good to ours: purchasePrice becomes `ask`, sellPrice becomes `bid`.

    This is the only place the two API price names are read. A market that imports a good
    pays us its `sellPrice`; reading `purchasePrice` there overstated a peer bot's profit by 202%.
    """
    return MarketTradeGood(
        symbol=TradeSymbol.parse(good.symbol),
        type=convert(TradeGoodType, good.type),
        trade_volume=good.trade_volume,
        supply=convert(SupplyLevel, good.supply),
        activity=None if getattr(good, "activity", None) is None else convert(ActivityLevel, good.activity),
        ask=good.purchase_price,
        bid=good.sell_price,
    )


def market_snapshot_from_api(
    market: ApiMarket, *, observed_at: datetime, position: Position | None = None
) -> MarketSnapshot:
    """Build a snapshot from the API's market, observed at `observed_at` (when the answer came)."""
    trade_goods = getattr(market, "trade_goods", None) or ()
    return MarketSnapshot(
        waypoint=WaypointSymbol(market.symbol),
        observed_at=observed_at,
        imports=frozenset(TradeSymbol.parse(ref.symbol) for ref in market.imports),
        exports=frozenset(TradeSymbol.parse(ref.symbol) for ref in market.exports),
        exchange=frozenset(TradeSymbol.parse(ref.symbol) for ref in market.exchange),
        trade_goods={good.symbol: good for good in map(trade_good_from_api, trade_goods)},
        position=position,
    )


def _index_trade_goods(
    waypoint: WaypointSymbol, goods: Mapping[TradeSymbol, MarketTradeGood] | Iterable[MarketTradeGood]
) -> dict[TradeSymbol, MarketTradeGood]:
    values = goods.values() if isinstance(goods, Mapping) else goods
    index: dict[TradeSymbol, MarketTradeGood] = {}
    for good in values:
        if not isinstance(good, MarketTradeGood):
            raise InvalidValue(f"market {waypoint}: trade goods must be MarketTradeGood, got {type(good).__name__}")
        if good.symbol in index:
            raise InvalidValue(f"market {waypoint}: {good.symbol} listed twice")
        index[good.symbol] = good
    if isinstance(goods, Mapping) and any(key != good.symbol for key, good in goods.items()):
        raise InvalidValue(f"market {waypoint}: trade goods keyed under the wrong symbol")
    return index

