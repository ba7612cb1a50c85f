"""SqlShipAssignmentRepository on SQLite and PostgreSQL: exclusive holding, leases, release, and a race between
processes."""
from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

from adapters.storage import database as storage
from adapters.storage.assignment_repository import SqlShipAssignmentRepository
from application.repositories import ShipAssignment
from domain.symbols import ShipSymbol
from test_storage_backends import database_url, db, postgres_url  # noqa: F401  (pytest fixtures)

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
SHIP = ShipSymbol("AGENT-1")
CONTENDERS = 6
CONTESTED_SHIPS = [ShipSymbol(f"AGENT-{n}") for n in range(1, 6)]


def test_a_ship_is_held_by_one_operation_at_a_time(db) -> None:
    assignments = SqlShipAssignmentRepository(db)
    assert assignments.try_assign(SHIP, "op-a", "coordinator-1", T0 + LEASE, now=T0)
    assert not assignments.try_assign(SHIP, "op-b", "coordinator-2", T0 + LEASE, now=T0 + timedelta(seconds=5))
    assert assignments.assigned() == [ShipAssignment(SHIP, "op-a", "coordinator-1", T0 + LEASE)]


def test_assigning_again_to_the_same_operation_succeeds_and_extends(db) -> None:
    assignments = SqlShipAssignmentRepository(db)
    assert assignments.try_assign(SHIP, "op-a", "coordinator-1", T0 + LEASE, now=T0)
    assert assignments.try_assign(SHIP, "op-a", "coordinator-1", T0 + 2 * LEASE, now=T0 + LEASE / 2)
    assert [a.lease_until for a in assignments.assigned()] == [T0 + 2 * LEASE]


def test_a_ship_whose_lease_ran_out_can_be_taken_by_another_operation(db) -> None:
    assignments = SqlShipAssignmentRepository(db)
    assert assignments.try_assign(SHIP, "op-dead", "coordinator-1", T0 + LEASE, now=T0)
    assert not assignments.try_assign(SHIP, "op-new", "coordinator-2", T0 + 2 * LEASE,
                                      now=T0 + LEASE - timedelta(microseconds=1))
    assert assignments.try_assign(SHIP, "op-new", "coordinator-2", T0 + 2 * LEASE, now=T0 + LEASE)
    [held] = assignments.assigned()
    assert (held.operation_id, held.holder, held.lease_until) == ("op-new", "coordinator-2", T0 + 2 * LEASE)


def test_reclaim_releases_only_expired_leases(db) -> None:
    assignments = SqlShipAssignmentRepository(db)
    assignments.try_assign(ShipSymbol("AGENT-1"), "op-1", "dead-holder", T0 + LEASE, now=T0)
    assignments.try_assign(ShipSymbol("AGENT-2"), "op-2", "dead-holder", T0 + LEASE, now=T0)
    assignments.try_assign(ShipSymbol("AGENT-3"), "op-3", "live-holder", T0 + LEASE, now=T0)
    assignments.renew("live-holder", T0 + 3 * LEASE)
    assert assignments.reclaim_expired(T0 + LEASE / 2) == []
    assert assignments.reclaim_expired(T0 + 2 * LEASE) == [ShipSymbol("AGENT-1"), ShipSymbol("AGENT-2")]
    assert [a.ship for a in assignments.assigned()] == [ShipSymbol("AGENT-3")]
    assert assignments.reclaim_expired(T0 + 2 * LEASE) == []


def test_release_frees_the_ship_only_for_its_operation(db) -> None:
    assignments = SqlShipAssignmentRepository(db)
    assignments.try_assign(SHIP, "op-a", "coordinator-1", T0 + LEASE, now=T0)
    assignments.release(SHIP, "op-other")
    assert len(assignments.assigned()) == 1
    assignments.release(SHIP, "op-a")
    assignments.release(SHIP, "op-a")  # idempotent
    assert assignments.assigned() == []
    assert assignments.try_assign(SHIP, "op-b", "coordinator-1", T0 + LEASE, now=T0)


def test_release_holder_returns_every_ship_it_had(db) -> None:
    assignments = SqlShipAssignmentRepository(db)
    for ship, holder in (("AGENT-2", "stopping"), ("AGENT-1", "stopping"), ("AGENT-3", "other")):
        assignments.try_assign(ShipSymbol(ship), f"op-{ship}", holder, T0 + LEASE, now=T0)
    assert assignments.release_holder("stopping") == [ShipSymbol("AGENT-1"), ShipSymbol("AGENT-2")]
    assert assignments.release_holder("stopping") == []
    assert [a.holder for a in assignments.assigned()] == ["other"]


def test_activity_is_recorded_and_reset_on_a_new_assignment(db) -> None:
    assignments = SqlShipAssignmentRepository(db)
    assignments.try_assign(SHIP, "op-a", "coordinator-1", T0 + LEASE, now=T0)
    assignments.set_activity(SHIP, "navigating to X1-DF55-A1", until=T0 + timedelta(seconds=90))
    [held] = assignments.assigned()
    assert (held.activity, held.activity_until) == ("navigating to X1-DF55-A1", T0 + timedelta(seconds=90))
    assignments.set_activity(SHIP, "selling")
    [held] = assignments.assigned()
    assert (held.activity, held.activity_until) == ("selling", None)
    assignments.set_activity(ShipSymbol("AGENT-9"), "ghost")  # not held: nothing to say
    assert len(assignments.assigned()) == 1
    assignments.release(SHIP, "op-a")
    assignments.try_assign(SHIP, "op-b", "coordinator-1", T0 + LEASE, now=T0)
    assert assignments.assigned()[0].activity == ""


def contend_for_ships(url: str, operation: str, start: multiprocessing.synchronize.Barrier,
                      results: multiprocessing.Queue) -> None:
    """Runs in a spawned process: connect, wait for every contender, then try to take every contested ship."""
    db = storage.connect(url)
    assignments = SqlShipAssignmentRepository(db)
    start.wait(timeout=60)
    won = [ship for ship in CONTESTED_SHIPS
           if assignments.try_assign(ship, operation, f"holder-{operation}", T0 + LEASE, now=T0)]
    results.put((operation, won))
    db.close()


def test_processes_racing_for_the_same_ships_never_both_win(db, database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(CONTENDERS)
    results = context.Queue()
    processes = [context.Process(target=contend_for_ships, args=(database_url, f"op-{n}", start, results))
                 for n in range(CONTENDERS)]
    for process in processes:
        process.start()
    try:
        outcomes = dict(results.get(timeout=120) for _ in processes)
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    assert all(process.exitcode == 0 for process in processes)

    winners = {ship: [op for op, won in outcomes.items() if ship in won] for ship in CONTESTED_SHIPS}
    assert all(len(ops) == 1 for ops in winners.values()), winners
    held = {a.ship: a.operation_id for a in SqlShipAssignmentRepository(db).assigned()}
    assert held == {ship: ops[0] for ship, ops in winners.items()}
