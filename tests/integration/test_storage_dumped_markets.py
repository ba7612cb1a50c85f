"""SqlDumpedMarketRepository (and the run state workers ask while a stop drains) on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.storage.dumped_market_repository import SqlDumpedMarketRepository
from adapters.storage.run_repository import SqlRunRepository
from application.repositories import RunInfo
from domain.dumped_market import DumpMark
from domain.goods import TradeSymbol
from domain.symbols import SystemSymbol, WaypointSymbol
from test_storage_backends import database_url, db, postgres_url  # noqa: F401  (pytest fixtures)

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
B2 = WaypointSymbol("X1-DM-B2")


def mark(good: TradeSymbol, hours: float, after: int = 150) -> DumpMark:
    return DumpMark(B2, good, at=T0, until=T0 + timedelta(hours=hours), bid_before=300, bid_after=after)


def test_marks_survive_a_new_repository_a_newer_one_replaces_the_older_and_expired_ones_are_not_active(db):
    SqlDumpedMarketRepository(db).mark(mark(TradeSymbol.IRON, 12))
    SqlDumpedMarketRepository(db).mark(mark(TradeSymbol.IRON, 24, after=120))
    SqlDumpedMarketRepository(db).mark(mark(TradeSymbol.COPPER, 1))

    repository = SqlDumpedMarketRepository(db)  # as after a restart
    assert repository.active(T0) == [mark(TradeSymbol.COPPER, 1), mark(TradeSymbol.IRON, 24, after=120)]
    assert repository.active(T0 + timedelta(hours=2)) == [mark(TradeSymbol.IRON, 24, after=120)]

    repository.clear(B2, TradeSymbol.IRON)
    assert repository.active(T0) == [mark(TradeSymbol.COPPER, 1)]


def test_a_worker_reads_its_run_state(db):
    runs = SqlRunRepository(db)
    runs.start_run(RunInfo("run-1", "AGENT", SystemSymbol("X1-DM"), "RUNNING", T0))
    runs.set_state("run-1", "DRAINING", T0)
    assert runs.run_state("run-1") == "DRAINING" and runs.run_state("run-2") is None
