"""DumpedMarketRepository on the database: where our own sales crushed an import's bid, kept across restarts."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.storage.rows import DumpedMarketRow
from domain.dumped_market import DumpMark
from domain.goods import TradeSymbol
from domain.symbols import WaypointSymbol


class SqlDumpedMarketRepository:
    """Implements application.repositories.DumpedMarketRepository."""

    def mark(self, dump: DumpMark) -> None:
        fields = [DumpedMarketRow.at, DumpedMarketRow.until, DumpedMarketRow.bid_before, DumpedMarketRow.bid_after]
        (DumpedMarketRow.insert(market=str(dump.market), good=dump.good.value, at=dump.at, until=dump.until,
                                bid_before=dump.bid_before, bid_after=dump.bid_after)
         .on_conflict(conflict_target=[DumpedMarketRow.market, DumpedMarketRow.good], preserve=fields)
         .execute())

    def active(self, now: datetime) -> Sequence[DumpMark]:
        query = DumpedMarketRow.select().where(DumpedMarketRow.until > now).order_by(DumpedMarketRow.market,
                                                                                      DumpedMarketRow.good)
        return [DumpMark(market=WaypointSymbol(row.market), good=TradeSymbol.parse(row.good), at=row.at,
                         until=row.until, bid_before=int(row.bid_before), bid_after=int(row.bid_after))
                for row in query]

    def clear(self, market: WaypointSymbol, good: TradeSymbol) -> None:
        DumpedMarketRow.delete().where((DumpedMarketRow.market == str(market))
                                       & (DumpedMarketRow.good == TradeSymbol.parse(good).value)).execute()
