"""Leases per operation: a worker whose ship was taken stops before spending, only live operations are renewed,
and shutdown keeps the ships of workers that may still be running."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.symbols import ShipSymbol
from tests.fake_game import machinery_world
from tests.fakes import FakeClock
from tests.unit.test_coordinator import World, opportunities
from tests.unit.test_worker import OPERATION, Harness


def test_a_worker_whose_lease_was_taken_stops_before_spending_again():
    harness = Harness(machinery_world(FakeClock()))
    game, assignments, ship = harness.game, harness.assignments, harness.world.ship
    purchase = game.purchase
    calls = []

    def purchase_then_lose_the_ship(*args, **kwargs):
        calls.append(args)
        trade = purchase(*args, **kwargs)
        # The lease ran out (say, the coordinator could not renew it) and another operation took the ship.
        now = harness.clock.now()
        assignments.held[ship] = assignments.held[ship].__class__(
            ship=ship, operation_id=OPERATION, holder="coordinator-1", lease_until=now)
        assert assignments.try_assign(ship, "mfg-other", "coordinator-2", now + timedelta(hours=1), now)
        return trade

    game.purchase = purchase_then_lose_the_ship

    result = harness.run()

    assert len(calls) == 1  # nothing was bought, sold or refuelled after the ship was lost
    assert len(game.trades) == 1 and game.refuels == []
    assert not result.success and "LeaseLost" in result.error and "no longer holds" in result.error
    assert assignments.holder_of(ship) == "mfg-other"  # the worker did not release what is not its own
    assert harness.ledger.net() == harness.credit_change


def test_only_live_operations_are_renewed():
    world = World(ships=2, opportunities=opportunities(2), lease_seconds=300)
    first, second = world.cycle()
    # The pool gave up on the first worker without knowing whether it ended.
    result = world.pool.end(first.operation_id, error="abandoned")
    world.pool.finished[-1] = replace(result, may_still_run=True)
    world.coordinator.collect_completions()
    held = {row.operation_id: row.lease_until for row in world.assignments.assigned()}
    assert first.operation_id in held  # kept: its worker may still trade

    world.clock.advance(200)
    world.coordinator.tick()
    renewed = {row.operation_id: row.lease_until for row in world.assignments.assigned()}
    assert renewed[second.operation_id] > held[second.operation_id]
    assert renewed[first.operation_id] == held[first.operation_id]  # left to run out


def test_shutdown_keeps_the_ships_of_workers_that_may_still_run():
    world = World(ships=2, opportunities=opportunities(2))
    first, second = world.cycle()
    result = world.pool.end(first.operation_id, error="terminated but still alive")
    world.pool.finished[-1] = replace(result, may_still_run=True)

    world.coordinator.shutdown()

    assert world.held() == {str(first.ship)}
    assert ShipSymbol(second.ship) not in {row.ship for row in world.assignments.assigned()}

