"""DumpedMarketRepository on the database: where our own sales crushed an import's bid, kept across restarts."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.storage.database import Database
from domain.dumped_market import DumpMark
from domain.goods import TradeSymbol
from domain.symbols import WaypointSymbol


class SqlDumpedMarketRepository:
    """Implements application.repositories.DumpedMarketRepository."""

    def __init__(self, database: Database) -> None:
        tables = database.rows  # this database's own row models
        self._dumps = tables.DumpedMarketRow

    def mark(self, dump: DumpMark) -> None:
        fields = [self._dumps.at, self._dumps.until, self._dumps.bid_before, self._dumps.bid_after]
        (self._dumps.insert(market=str(dump.market), good=dump.good.value, at=dump.at, until=dump.until,
                            bid_before=dump.bid_before, bid_after=dump.bid_after)
         .on_conflict(conflict_target=[self._dumps.market, self._dumps.good], preserve=fields)
         .execute())

    def active(self, now: datetime) -> Sequence[DumpMark]:
        query = self._dumps.select().where(self._dumps.until > now).order_by(self._dumps.market, self._dumps.good)
        return [DumpMark(market=WaypointSymbol(row.market), good=TradeSymbol.parse(row.good), at=row.at,
                         until=row.until, bid_before=int(row.bid_before), bid_after=int(row.bid_after))
                for row in query]

    def clear(self, market: WaypointSymbol, good: TradeSymbol) -> None:
        self._dumps.delete().where((self._dumps.market == str(market))
                                   & (self._dumps.good == TradeSymbol.parse(good).value)).execute()
