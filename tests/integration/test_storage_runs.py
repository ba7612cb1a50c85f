"""SqlRunRepository and SqlSupplyChainRepository on SQLite and PostgreSQL: round trips and one result per
operation."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import peewee
import pytest

from adapters.storage import database as storage
from adapters.storage.run_repository import SqlRunRepository
from adapters.storage.supply_chain_repository import SqlSupplyChainRepository
from application.repositories import RunInfo
from application.worker_jobs import WorkerResult
from domain.geometry import Position
from domain.goods import SupplyLevel, TradeSymbol
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainMap, SupplyChainNode
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.trade_route import TradeRoute
from tests.fakes import bundled_supply_chain
from test_storage_backends import database_url, db, postgres_url  # noqa: F401  (pytest fixtures)

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
SYSTEM = SystemSymbol("X1-DF55")


def run(run_id: str = "run-1", *, player: str = "AGENT", started_at: datetime = T0) -> RunInfo:
    return RunInfo(run_id=run_id, player=player, system=SYSTEM, state="RUNNING", started_at=started_at, pid=4242,
                   strategies="default_ranking,default_ship_selection")


def opportunity(good: TradeSymbol = TradeSymbol.ADVANCED_CIRCUITRY, bid: int = 9_000) -> ManufacturingOpportunity:
    """A two-level tree: ELECTRONICS fabricated from bought SILICON_CRYSTALS and COPPER, plus bought MICROPROCESSORS."""
    electronics = SupplyChainNode(
        good=TradeSymbol.ELECTRONICS, method=AcquisitionMethod.FABRICATE, market=WaypointSymbol("X1-DF55-E1"),
        children=(
            SupplyChainNode(good=TradeSymbol.SILICON_CRYSTALS, method=AcquisitionMethod.BUY,
                            market=WaypointSymbol("X1-DF55-S1"), ask=40, position=Position(3, -4)),
            SupplyChainNode(good=TradeSymbol.COPPER, method=AcquisitionMethod.BUY,
                            market=WaypointSymbol("X1-DF55-C1")),
        ),
        ask=700, position=Position(10, 10))
    root = SupplyChainNode(
        good=good, method=AcquisitionMethod.FABRICATE, market=WaypointSymbol("X1-DF55-F1"),
        children=(electronics, SupplyChainNode(good=TradeSymbol.MICROPROCESSORS, method=AcquisitionMethod.BUY,
                                               market=WaypointSymbol("X1-DF55-M1"), ask=1_100)))
    return ManufacturingOpportunity(good=good, sell_market=WaypointSymbol("X1-DF55-B7"), bid=bid,
                                    dependency_tree=root, discovered_at=T0, sell_position=Position(-50, 8),
                                    trade_volume=6)


def result(operation_id: str, finished_at: datetime, **changes) -> WorkerResult:
    values = dict(operation_id=operation_id, ship=ShipSymbol("AGENT-3"), good=TradeSymbol.ADVANCED_CIRCUITRY,
                  started_at=finished_at - timedelta(minutes=20), finished_at=finished_at, quantity_sold=30,
                  revenue=270_000, cost=180_500, success=True)
    values.update(changes)
    return WorkerResult(**values)


def test_runs_round_trip_and_the_latest_is_per_player(db) -> None:
    runs = SqlRunRepository(db)
    assert runs.latest_run("AGENT") is None
    first, second = run("run-1"), run("run-2", started_at=T0 + timedelta(hours=1))
    runs.start_run(second)
    runs.start_run(first)
    runs.start_run(run("run-x", player="OTHER", started_at=T0 + timedelta(hours=5)))
    assert runs.latest_run("AGENT") == second

    runs.set_state("run-2", "STOPPING", T0 + timedelta(hours=2))
    assert runs.latest_run("AGENT").state == "STOPPING"
    assert runs.latest_run("AGENT").finished_at is None
    runs.set_state("run-2", "STOPPED", T0 + timedelta(hours=3))
    assert runs.latest_run("AGENT") == RunInfo(
        run_id="run-2", player="AGENT", system=SYSTEM, state="STOPPED", started_at=T0 + timedelta(hours=1),
        pid=4242, finished_at=T0 + timedelta(hours=3), strategies="default_ranking,default_ship_selection")
    runs.set_state("run-2", "RUNNING", T0 + timedelta(hours=4))
    assert runs.latest_run("AGENT").finished_at is None
    runs.set_state("run-unknown", "CRASHED", T0)  # nothing to change
    assert runs.latest_run("OTHER").run_id == "run-x"


def test_opportunities_keep_their_rank_and_whole_tree(db) -> None:
    runs = SqlRunRepository(db)
    runs.start_run(run())
    ranked = [opportunity(bid=9_000), opportunity(TradeSymbol.QUANTUM_DRIVES, bid=12_000)]
    runs.save_opportunities("run-1", ranked)
    stored = runs.opportunities("run-1")
    assert stored == ranked
    assert stored[0].dependency_tree.children[0].children[0].position == Position(3, -4)
    assert [node.good for node in stored[0].dependency_tree.leaves()] == [
        TradeSymbol.SILICON_CRYSTALS, TradeSymbol.COPPER, TradeSymbol.MICROPROCESSORS]


def test_many_opportunities_are_saved_in_order(db) -> None:
    runs = SqlRunRepository(db)
    runs.start_run(run())
    many = [opportunity(bid=bid) for bid in range(120, 0, -1)]
    runs.save_opportunities("run-1", many)
    assert [o.bid for o in runs.opportunities("run-1")] == list(range(120, 0, -1))


def test_opportunities_need_a_started_run(db) -> None:
    with pytest.raises(peewee.IntegrityError):
        SqlRunRepository(db).save_opportunities("never-started", [opportunity()])


def route(good: TradeSymbol = TradeSymbol.IRON, ask: int = 100, **changes) -> TradeRoute:
    """A lane with every field set (an import further on, a good it feeds, its ledger record)."""
    values = dict(good=good, buy_market=WaypointSymbol("X1-DF55-A2"), sell_market=WaypointSymbol("X1-DF55-B3"),
                  ask=ask, bid=ask * 3, trade_volume=10, buy_supply=SupplyLevel.MODERATE,
                  observed_at=T0 - timedelta(minutes=4, microseconds=7), discovered_at=T0,
                  sell_supply=SupplyLevel.SCARCE, distance=42.5, alternatives=(WaypointSymbol("X1-DF55-C4"),),
                  feeds=(TradeSymbol.MACHINERY,), recorded_profit_per_hour=12_345.5, recorded_share=0.75,
                  price_half_life=30.0)
    values.update(changes)
    return TradeRoute(**values)


def test_routes_keep_their_rank_and_every_field(db) -> None:
    runs = SqlRunRepository(db)
    runs.start_run(run())
    ranked = [route(ask=300), route(TradeSymbol.COPPER, ask=50, sell_supply=None, distance=None, alternatives=(),
                                    feeds=(), recorded_profit_per_hour=None, recorded_share=None)]

    runs.save_routes("run-1", ranked)

    assert runs.routes("run-1") == ranked
    assert runs.routes("run-other") == []


@pytest.mark.parametrize(("kind", "other", "make", "field"), [
    ("opportunities", "routes", lambda value: opportunity(bid=value), "bid"),
    ("routes", "opportunities", lambda value: route(ask=value), "ask"),
])
def test_saving_a_ranked_list_replaces_the_run_s_previous_one_only(db, kind, other, make, field) -> None:
    runs = SqlRunRepository(db)
    save, read = getattr(runs, f"save_{kind}"), getattr(runs, kind)
    runs.start_run(run("run-1"))
    runs.start_run(run("run-2"))
    save("run-1", [make(1), make(2), make(3)])
    save("run-2", [make(99)])
    save("run-1", [make(7)])
    assert [getattr(item, field) for item in read("run-1")] == [7]
    save("run-1", [])
    assert read("run-1") == []
    assert [getattr(item, field) for item in read("run-2")] == [99]
    assert getattr(runs, other)("run-2") == []  # the other kind of list is its own


def test_many_routes_are_saved_in_order(db) -> None:
    runs = SqlRunRepository(db)
    runs.start_run(run())
    runs.save_routes("run-1", [route(ask=ask) for ask in range(120, 0, -1)])
    assert [r.ask for r in runs.routes("run-1")] == list(range(120, 0, -1))


def test_routes_need_a_started_run(db) -> None:
    with pytest.raises(peewee.IntegrityError):
        SqlRunRepository(db).save_routes("never-started", [route()])


def test_a_database_of_an_older_version_gains_the_routes_table_and_keeps_its_runs(database_url: str) -> None:
    older = storage.connect(database_url)
    try:
        SqlRunRepository(older).start_run(run())
        older.peewee.drop_tables([older.rows.RunRouteRow])  # as made before routes were stored
    finally:
        older.close()

    reopened = storage.connect(database_url)  # the next start, or `status`
    try:
        runs = SqlRunRepository(reopened)
        assert runs.latest_run("AGENT").run_id == "run-1"
        runs.save_routes("run-1", [route()])
        assert runs.routes("run-1") == [route()]
    finally:
        reopened.close()


def test_results_round_trip_once_per_operation_most_recent_first(db) -> None:
    runs = SqlRunRepository(db)
    done = result("op-1", T0 + timedelta(minutes=30))
    failed = result("op-2", T0 + timedelta(minutes=50), success=False, error="price ran away: COPPER 40 -> 95",
                    revenue=0, quantity_sold=0)
    cancelled = result("op-3", T0 + timedelta(minutes=40), success=False, cancelled=True, revenue=0, cost=0,
                       quantity_sold=0)
    for item in (done, failed, cancelled):
        runs.record_result("run-1", item)
    runs.record_result("run-1", result("op-1", T0 + timedelta(hours=9), revenue=1))  # same operation again
    runs.record_result("run-2", result("op-4", T0 + timedelta(hours=1)))

    assert runs.results("run-1") == [failed, cancelled, done]
    assert runs.results("run-1")[0].profit == -180_500
    assert [r.operation_id for r in runs.results()] == ["op-4", "op-2", "op-3", "op-1"]
    assert [r.operation_id for r in runs.results(limit=2)] == ["op-4", "op-2"]
    assert runs.results("run-none") == []


def test_supply_chain_map_round_trip_and_replacement(db) -> None:
    chains = SqlSupplyChainRepository(db)
    assert chains.load() is None and chains.saved_at() is None
    first = SupplyChainMap.from_export_to_import({
        "MACHINERY": ["IRON"],
        "ELECTRONICS": ["SILICON_CRYSTALS", "COPPER"],
        "ADVANCED_CIRCUITRY": ["ELECTRONICS", "MICROPROCESSORS"],
    })
    chains.save(first, T0)
    loaded = chains.load()
    assert dict(loaded.recipes) == dict(first.recipes)
    assert loaded.inputs_of(TradeSymbol.ELECTRONICS) == (TradeSymbol.SILICON_CRYSTALS, TradeSymbol.COPPER)
    assert chains.saved_at() == T0

    second = SupplyChainMap.from_export_to_import({"FUEL": ["HYDROCARBON"]})
    chains.save(second, T0 + timedelta(days=1))
    assert dict(chains.load().recipes) == {TradeSymbol.FUEL: (TradeSymbol.HYDROCARBON,)}
    assert chains.saved_at() == T0 + timedelta(days=1)


def test_the_game_s_whole_map_round_trips(db) -> None:
    chains = SqlSupplyChainRepository(db)
    real = bundled_supply_chain()
    chains.save(real, T0)
    assert dict(chains.load().recipes) == dict(real.recipes)
