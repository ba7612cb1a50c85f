"""UsualBidRepository on the database: what each market usually pays for each good it buys."""
from __future__ import annotations

from collections.abc import Sequence

import peewee
from peewee import EXCLUDED

from adapters.storage.database import Database
from domain.goods import TradeSymbol
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.usual_bid import UsualBid

_ROWS_PER_INSERT = 100


class SqlUsualBidRepository:
    """Implements application.repositories.UsualBidRepository.

    A stored usual bid is replaced only by one seen later: processes that observed a market at nearly the same
    time may save in either order, and the later observation must win."""

    def __init__(self, database: Database) -> None:
        self._bids = database.rows.UsualBidRow

    def of_market(self, market: WaypointSymbol) -> Sequence[UsualBid]:
        return self._read(self._bids.market == str(market))

    def in_system(self, system: SystemSymbol) -> Sequence[UsualBid]:
        return self._read(self._bids.system == str(system))

    def save(self, bids: Sequence[UsualBid]) -> None:
        rows = [{"market": str(b.market), "system": str(b.market.system), "good": b.good.value, "bid": b.bid,
                 "seen_at": b.seen_at, "since": b.since} for b in bids]
        table = self._bids
        for batch in peewee.chunked(rows, _ROWS_PER_INSERT):
            (table.insert_many(batch)
             .on_conflict(conflict_target=[table.market, table.good],
                          update={table.bid: EXCLUDED.bid, table.seen_at: EXCLUDED.seen_at,
                                  table.since: EXCLUDED.since},
                          where=EXCLUDED.seen_at > table.seen_at)
             .execute())

    def _read(self, where: peewee.Expression) -> list[UsualBid]:
        table = self._bids
        query = (table.select(table.market, table.good, table.bid, table.seen_at, table.since).where(where)
                 .order_by(table.market, table.good).tuples())
        return [UsualBid(WaypointSymbol(market), TradeSymbol.parse(good), float(bid), seen_at, since)
                for market, good, bid, seen_at, since in query]
