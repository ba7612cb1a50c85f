"""MarketRepository on the database: the latest observation of every market, with its goods and prices."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import peewee
from peewee import EXCLUDED, fn

from adapters.storage.database import Database, exclusive_write
from adapters.storage.rows import Tables
from domain.geometry import Position
from domain.goods import TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.symbols import SystemSymbol, WaypointSymbol

# Old SQLite builds take at most 999 parameters per statement: 8 columns x 100 rows stays below.
_ROWS_PER_INSERT = 100


class SqlMarketRepository:
    """Implements application.ports.MarketRepository.

    Keeps the latest snapshot per market waypoint. A snapshot older than the one stored is ignored, so a worker
    that reports late never overwrites fresher prices another process recorded meanwhile.
    """

    def __init__(self, database: Database) -> None:
        tables = database.rows  # this database's own row models
        self._markets = tables.MarketRow
        self._goods = tables.MarketGoodRow
        self._tables = tables

    def record(self, snapshot: MarketSnapshot) -> None:
        with exclusive_write(self._markets):
            stored = self._markets.get_or_none(self._markets.waypoint == snapshot.waypoint)
            if stored is not None and stored.observed_at > snapshot.observed_at:
                return
            position = snapshot.position
            (self._markets.insert(waypoint=snapshot.waypoint, system=snapshot.system, observed_at=snapshot.observed_at,
                                  x=None if position is None else position.x, y=None if position is None else position.y)
             .on_conflict(conflict_target=[self._markets.waypoint],
                          # A snapshot taken where the waypoint's position was unknown keeps the stored one.
                          update={self._markets.system: EXCLUDED.system,
                                  self._markets.observed_at: EXCLUDED.observed_at,
                                  self._markets.x: fn.COALESCE(EXCLUDED.x, self._markets.x),
                                  self._markets.y: fn.COALESCE(EXCLUDED.y, self._markets.y)})
             .execute())
            self._goods.delete().where(self._goods.market == snapshot.waypoint).execute()
            for batch in peewee.chunked(_good_rows(snapshot), _ROWS_PER_INSERT):
                self._goods.insert_many(batch).execute()

    def markets_in_system(self, system: SystemSymbol) -> Sequence[MarketSnapshot]:
        return _read(self._tables, self._markets.system == system)

    def market(self, waypoint: WaypointSymbol) -> MarketSnapshot | None:
        found = _read(self._tables, self._markets.waypoint == waypoint)
        return found[0] if found else None


def _read(rows: Tables, where: peewee.Expression) -> list[MarketSnapshot]:
    """The snapshots of the markets `where` selects."""
    # One statement, so a market and its goods always come from the same recording (PostgreSQL's
    # READ COMMITTED gives each statement of a transaction its own snapshot). Tuples, not row objects:
    # the demand finder reads whole systems and model instances cost two thirds of the time.
    market, good = rows.MarketRow, rows.MarketGoodRow
    query = (market
             .select(market.waypoint, market.observed_at, market.x, market.y, good.good, good.type,
                     good.trade_volume, good.supply, good.activity, good.ask, good.bid)
             .join(good, peewee.JOIN.LEFT_OUTER)
             .where(where)
             .order_by(market.waypoint, good.id)
             .tuples())
    markets: dict[str, tuple] = {}
    goods: dict[str, list[tuple]] = defaultdict(list)
    for waypoint, observed_at, x, y, *good in query:
        markets.setdefault(waypoint, (observed_at, x, y))
        if good[0] is not None:  # None: a market with no goods at all
            goods[waypoint].append(tuple(good))
    return [_snapshot(waypoint, *market, goods[waypoint]) for waypoint, market in markets.items()]


def _good_rows(snapshot: MarketSnapshot) -> list[dict]:
    rows = []
    for kind, symbols in ((TradeGoodType.IMPORT, snapshot.imports), (TradeGoodType.EXPORT, snapshot.exports),
                          (TradeGoodType.EXCHANGE, snapshot.exchange)):
        for symbol in sorted(symbols):
            priced = snapshot.trade_good(symbol)
            rows.append({
                "market": snapshot.waypoint, "good": symbol.value, "type": kind.value,
                "trade_volume": None if priced is None else priced.trade_volume,
                "supply": None if priced is None else priced.supply.value,
                "activity": None if priced is None or priced.activity is None else priced.activity.value,
                "ask": None if priced is None else priced.ask,
                "bid": None if priced is None else priced.bid,
            })
    return rows


def _snapshot(waypoint: str, observed_at: datetime, x: int | None, y: int | None,
              goods: list[tuple]) -> MarketSnapshot:
    lists: dict[TradeGoodType, set[TradeSymbol]] = {kind: set() for kind in TradeGoodType}
    priced: dict[TradeSymbol, MarketTradeGood] = {}
    for good, kind, trade_volume, supply, activity, ask, bid in goods:
        symbol, kind = TradeSymbol.parse(good), TradeGoodType(kind)
        lists[kind].add(symbol)
        if ask is not None:
            priced[symbol] = MarketTradeGood(symbol=symbol, type=kind, trade_volume=trade_volume, supply=supply,
                                             ask=int(ask), bid=int(bid), activity=activity)
    return MarketSnapshot(
        waypoint=WaypointSymbol(waypoint),
        observed_at=observed_at,
        imports=frozenset(lists[TradeGoodType.IMPORT]),
        exports=frozenset(lists[TradeGoodType.EXPORT]),
        exchange=frozenset(lists[TradeGoodType.EXCHANGE]),
        trade_goods=priced,
        position=None if x is None else Position(x, y),
    )
