"""SqlUsualBidRepository on SQLite and PostgreSQL: kept across repositories, a later observation replaces an
earlier one and never the other way round."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.storage.usual_bid_repository import SqlUsualBidRepository
from domain.goods import TradeSymbol
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.usual_bid import UsualBid
from test_storage_backends import database_url, db, postgres_url  # noqa: F401  (pytest fixtures)

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
B2, C3, OTHER = WaypointSymbol("X1-UB-B2"), WaypointSymbol("X1-UB-C3"), WaypointSymbol("X1-ZZ-A1")


def test_usual_bids_survive_a_new_repository_and_only_a_later_observation_replaces_one(db):
    SqlUsualBidRepository(db).save([UsualBid(B2, TradeSymbol.IRON, 300.0, T0, T0),
                                    UsualBid(C3, TradeSymbol.IRON, 200.0, T0, T0),
                                    UsualBid(OTHER, TradeSymbol.IRON, 100.0, T0, T0)])
    SqlUsualBidRepository(db).save([UsualBid(B2, TradeSymbol.IRON, 280.5, T0 + timedelta(minutes=5), T0)])
    SqlUsualBidRepository(db).save([UsualBid(B2, TradeSymbol.IRON, 1.0, T0 + timedelta(minutes=1), T0)])  # late

    repository = SqlUsualBidRepository(db)  # as after a restart
    assert repository.of_market(B2) == [UsualBid(B2, TradeSymbol.IRON, 280.5, T0 + timedelta(minutes=5), T0)]
    assert [(u.market, u.bid) for u in repository.in_system(SystemSymbol("X1-UB"))] == [(B2, 280.5), (C3, 200.0)]
