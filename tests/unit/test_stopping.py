"""Stop means stop well: a graceful stop gives out no new work and lets the workers sell what they hold for a
bounded time; `stop --now` (SIGUSR1, or a second stop signal) abandons at once."""
from __future__ import annotations

import logging
import os
import signal
from datetime import timedelta

from adapters.daemon.signals import cancel_on_signals
from application.coordinator import CoordinatorConfig, ManufacturingArbitrageCoordinator
from application.game_errors import GameUnavailable
from application.fleet_manager import FleetConfig, FleetManager
from application.navigation import Navigator
from application.production_executor import ProductionExecutor
from application.stranded_cargo import StrandedCargoPass
from application.wind_down import DRAINING
from application.worker import ManufacturingArbitrageWorker
from application.worker_jobs import ClearanceJob, WorkerJob
from domain.goods import TradeGoodType, TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.symbols import ShipSymbol, WaypointSymbol
from domain.trade import TradeSide
from tests.fake_coordination import (
    SYSTEM, FixedDemand, InMemoryRuns, RecordingMetrics, ScriptedPool, StopAt, add_ship, make_opportunity,
)
from tests.fake_game import FakeGame, machinery_world
from tests.fake_repositories import InMemoryLedgerRepository, InMemoryShipAssignmentRepository
from tests.fakes import FakeClock, FirstShipSelector, InMemoryMarketRepository

HOME = f"{SYSTEM}-A1"
MACHINERY = TradeSymbol.MACHINERY


class SellingOnDrainPool(ScriptedPool):
    """Workers that, once their run is DRAINING, sell what they hold (a profitable result) on the next look."""

    def __init__(self, clock, runs: InMemoryRuns) -> None:
        super().__init__(clock)
        self.runs = runs
        self.submitted_while_draining = 0

    def submit(self, job: WorkerJob) -> None:
        if self.runs.run_state("run-test") == DRAINING:
            self.submitted_while_draining += 1
        super().submit(job)

    def completed(self):
        if self.runs.run_state("run-test") == DRAINING:
            for operation_id in list(self.running):
                self.end(operation_id, revenue=163_750, cost=100_000, sold=50, success=True)
        return super().completed()


class NeverEndingPool(ScriptedPool):
    def close(self, timeout: float) -> None:  # the hard stop: every running job ends cancelled
        super().close(timeout)


def coordinator(pool_class, ships: int = 2):
    clock = FakeClock()
    game = FakeGame(clock)
    game.add_waypoint(HOME, 0, 0)
    for index in range(1, ships + 1):
        add_ship(game, f"AGENT-{index}", HOME)
    runs = InMemoryRuns()
    pool = pool_class(clock, runs) if pool_class is SellingOnDrainPool else pool_class(clock)
    assignments = InMemoryShipAssignmentRepository()
    ledger = InMemoryLedgerRepository()
    fleet = FleetManager(game, assignments, ledger, clock, SYSTEM, holder="run-test",
                         config=FleetConfig(max_haulers=0, max_probes=0))
    found = [make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000),
             make_opportunity("MACHINERY", f"{SYSTEM}-M2", 2900, factory=f"{SYSTEM}-F2"),
             make_opportunity("FABRICS", f"{SYSTEM}-M3", 2800, factory=f"{SYSTEM}-F3")]
    run = ManufacturingArbitrageCoordinator(
        player="AGENT", system=SYSTEM, game=game, demand_finder=FixedDemand(clock, found),
        ship_selector=FirstShipSelector(), assignments=assignments, runs=runs, pool=pool, clock=clock, fleet=fleet,
        ledger=ledger, config=CoordinatorConfig(assignment_interval=5.0), metrics=RecordingMetrics(),
        run_id="run-test")
    return run, pool, runs, assignments, clock


def test_a_graceful_stop_lets_workers_sell_what_they_hold_and_starts_nothing_new():
    run, pool, runs, assignments, clock = coordinator(SellingOnDrainPool)

    run.run(StopAt(clock, 30), drain=600)

    assert len(pool.submitted) == 2 and pool.submitted_while_draining == 0
    assert [(r.outcome, r.profit) for r in run.results] == [("completed", 63_750)] * 2
    assert [state for _, state in runs.states][-3:] == [DRAINING, "STOPPING", "STOPPED"]
    assert assignments.assigned() == []
    assert clock.now() - runs.runs["run-test"].started_at < timedelta(seconds=60)


def test_the_drain_is_bounded_and_abandon_ends_it_at_once():
    run, pool, runs, assignments, clock = coordinator(NeverEndingPool)
    run.run(StopAt(clock, 30), drain=600)
    assert timedelta(seconds=600) <= clock.now() - runs.runs["run-test"].started_at < timedelta(seconds=700)
    assert [r.outcome for r in run.results] == ["cancelled"] * 2

    run, pool, runs, assignments, clock = coordinator(NeverEndingPool)
    abandon = type("Now", (), {"cancelled": lambda self: clock.now() >= runs.runs["run-test"].started_at
                                                           + timedelta(seconds=30)})()
    run.run(StopAt(clock, 30), drain=600, abandon=abandon)
    assert clock.now() - runs.runs["run-test"].started_at < timedelta(seconds=60)
    assert DRAINING not in [state for _, state in runs.states]
    assert assignments.assigned() == []


class SlowClearancePool(ScriptedPool):
    """Clearances that take 100 s of game time to sell the hold, then end having sold it all."""

    def __init__(self, clock) -> None:
        super().__init__(clock)
        self.started: dict[str, object] = {}

    def submit(self, job) -> None:
        super().submit(job)
        self.started[job.operation_id] = self.clock.now()

    def completed(self):
        for operation_id, job in list(self.running.items()):
            if isinstance(job, ClearanceJob) and self.clock.now() - self.started[operation_id] >= timedelta(
                    seconds=100):
                self.end(operation_id, revenue=8_000, sold=40, success=True)
        return super().completed()


def clearing_coordinator():
    """A coordinator whose only ship holds a full hold no run owns: its first turn starts a clearance."""
    clock = FakeClock()
    game = FakeGame(clock)
    game.add_waypoint(HOME, 0, 0)
    add_ship(game, "AGENT-1", HOME, inventory={"IRON": 40}, cargo_capacity=40)
    runs, pool, assignments = InMemoryRuns(), SlowClearancePool(clock), InMemoryShipAssignmentRepository()
    fleet = FleetManager(game, assignments, InMemoryLedgerRepository(), clock, SYSTEM, holder="run-test",
                         config=FleetConfig(max_haulers=0, max_probes=0))
    run = ManufacturingArbitrageCoordinator(
        player="AGENT", system=SYSTEM, game=game, demand_finder=FixedDemand(clock, ()),
        ship_selector=FirstShipSelector(), assignments=assignments, runs=runs, pool=pool, clock=clock, fleet=fleet,
        config=CoordinatorConfig(assignment_interval=5.0), run_id="run-test", stranded=StrandedCargoPass())
    return run, pool, runs, assignments, clock


def test_a_graceful_stop_waits_for_a_running_clearance_within_the_drain_and_stop_now_does_not():
    run, pool, runs, assignments, clock = clearing_coordinator()
    run.run(StopAt(clock, 30), drain=600)
    [clearance] = pool.submitted
    assert isinstance(clearance, ClearanceJob)
    assert [r.outcome for r in run.results] == ["completed"]  # not cut off by the shutdown's cancel
    assert timedelta(seconds=100) <= clock.now() - runs.runs["run-test"].started_at < timedelta(seconds=600)
    assert assignments.assigned() == []

    run, pool, runs, assignments, clock = clearing_coordinator()
    abandon = type("Now", (), {"cancelled": lambda self: clock.now() >= runs.runs["run-test"].started_at
                                                           + timedelta(seconds=30)})()
    run.run(StopAt(clock, 30), drain=600, abandon=abandon)
    assert [r.outcome for r in run.results] == ["cancelled"]
    assert clock.now() - runs.runs["run-test"].started_at < timedelta(seconds=60)
    assert assignments.assigned() == []


def test_a_manufacturing_worker_asked_to_wind_down_sells_the_goods_it_holds():
    world = machinery_world(FakeClock())
    game, clock = world.game, world.game.clock
    markets = InMemoryMarketRepository(game.snapshots())
    assignments = InMemoryShipAssignmentRepository()
    navigator = Navigator(game, clock, markets, assignments)
    executor = ProductionExecutor(game, navigator, clock, markets, assignments)
    worker = ManufacturingArbitrageWorker(game, InMemoryLedgerRepository(), navigator, executor, clock,
                                          assignments=assignments, markets=markets)

    class HoldsMachinery:
        def cancelled(self) -> bool:
            return game.fleet[world.ship].inventory.get(MACHINERY, 0) > 0

    credits_before = game.credits
    assert assignments.try_assign(world.ship, "mfg-1", "coordinator", clock.now() + timedelta(hours=2), clock.now())
    result = worker.run(WorkerJob("mfg-1", world.ship, world.opportunity()), wind_down=HoldsMachinery())

    bought = sum(t.units for t in game.trades if t.good == MACHINERY and t.side is TradeSide.PURCHASE)
    assert bought > 0 and result.quantity_sold == bought
    assert game.fleet[world.ship].inventory.get(MACHINERY, 0) == 0
    assert result.profit == game.credits - credits_before


def test_a_manufacturing_worker_winding_down_before_anything_is_made_buys_no_more():
    world = machinery_world(FakeClock())
    game, clock = world.game, world.game.clock
    markets = InMemoryMarketRepository(game.snapshots())
    navigator = Navigator(game, clock, markets)
    worker = ManufacturingArbitrageWorker(game, InMemoryLedgerRepository(), navigator,
                                          ProductionExecutor(game, navigator, clock, markets), clock, markets=markets)

    class FactoryFed:  # fires while the factory works on the delivered IRON
        def cancelled(self) -> bool:
            return any(t.side is TradeSide.SELL for t in game.trades)

    result = worker.run(WorkerJob("mfg-2", world.ship, world.opportunity()), wind_down=FactoryFed())

    assert result.cancelled and result.quantity_sold == 0
    assert not any(t.good == MACHINERY for t in game.trades)


IRON = TradeSymbol.IRON


def winding_down_worker(world, ledger=None):
    game, clock = world.game, world.game.clock
    markets = InMemoryMarketRepository(game.snapshots())
    assignments = InMemoryShipAssignmentRepository()
    navigator = Navigator(game, clock, markets, assignments)
    worker = ManufacturingArbitrageWorker(game, ledger or InMemoryLedgerRepository(), navigator,
                                          ProductionExecutor(game, navigator, clock, markets, assignments), clock,
                                          assignments=assignments, markets=markets)
    assert assignments.try_assign(world.ship, "mfg-1", "coordinator", clock.now() + timedelta(hours=2), clock.now())
    return worker, assignments


class HoldsIron:  # fires once the first lot of IRON is in the hold, before any is delivered
    def __init__(self, game) -> None:
        self.game = game

    def cancelled(self) -> bool:
        return self.game.fleet[ShipSymbol("AGENT-1")].inventory.get(IRON, 0) > 0


def iron_sold(game) -> list[tuple[str, int, int]]:
    return [(str(t.waypoint), t.units, t.price_per_unit) for t in game.trades_of(IRON, TradeSide.SELL)]


def test_a_worker_winding_down_with_inputs_sells_them_at_the_factory_paying_best_not_below_cost():
    world = machinery_world(FakeClock())
    game = world.game
    game.markets[world.factory][IRON].bid = 700  # the factory pays more than the 500 the IRON cost
    worker, assignments = winding_down_worker(world)
    credits_before = game.credits

    result = worker.run(WorkerJob("mfg-1", world.ship, world.opportunity()), wind_down=HoldsIron(game))

    assert [(t.units, t.price_per_unit) for t in game.trades_of(IRON, TradeSide.PURCHASE)] == [(10, 500)]
    assert iron_sold(game) == [("X1-C1", 10, 700)]  # not kept in the hold, not sold below its cost
    assert game.fleet[world.ship].inventory == {}
    assert result.cancelled and result.error is None and result.profit == game.credits - credits_before > 0
    assert assignments.assigned() == []


def test_inputs_go_to_the_best_known_bid_above_cost_and_are_kept_when_none_pays_it(caplog):
    world = machinery_world(FakeClock())  # the factory pays 420 for IRON that cost 500
    game = world.game
    game.add_good("X1-H1", "IRON", TradeGoodType.IMPORT, ask=1200, bid=600)
    worker, _ = winding_down_worker(world)
    worker.run(WorkerJob("mfg-1", world.ship, world.opportunity()), wind_down=HoldsIron(game))
    assert iron_sold(game) == [("X1-H1", 10, 600)]

    world = machinery_world(FakeClock())  # no known market pays the 500 the IRON cost
    game = world.game
    worker, _ = winding_down_worker(world)
    with caplog.at_level(logging.INFO):
        result = worker.run(WorkerJob("mfg-1", world.ship, world.opportunity()), wind_down=HoldsIron(game))
    assert iron_sold(game) == [] and game.fleet[world.ship].inventory == {IRON: 10}
    assert result.cancelled
    assert ("stopping: sold 0 of the 10 IRON held (cost 500/unit); keeping 10: no known market in X1 pays 500 "
            "(its cost 500/unit x 1) or more and is not saturated") in caplog.text


def test_a_failure_selling_inputs_on_a_stop_keeps_them_and_the_run_is_cancelled_not_failed(caplog):
    # A stopped run is cancelled: a failed one would count as a loss in the pause bookkeeping.
    world = machinery_world(FakeClock())
    game = world.game
    game.add_good("X1-H1", "IRON", TradeGoodType.IMPORT, ask=1200, bid=600)
    game.fail_next("sell", GameUnavailable("server down"))
    worker, assignments = winding_down_worker(world)
    with caplog.at_level(logging.WARNING):
        result = worker.run(WorkerJob("mfg-1", world.ship, world.opportunity()), wind_down=HoldsIron(game))
    assert result.cancelled and result.error is None
    assert game.fleet[world.ship].inventory == {IRON: 10} and assignments.assigned() == []
    assert "stopping: could not sell the inputs held: GameUnavailable: server down; hold: 10 IRON" in caplog.text


def test_inputs_are_delivered_to_the_factory_the_ship_is_at_and_stop_now_abandons_them():
    world = machinery_world(FakeClock())
    game = world.game
    game.markets[world.factory][IRON].bid = 700
    game.add_good("X1-H1", "IRON", TradeGoodType.IMPORT, ask=1800, bid=900)  # pays more, a trip away

    class DeliveredOnce:  # fires after the first lot of IRON went into the factory
        def cancelled(self) -> bool:
            return bool(game.trades_of(IRON, TradeSide.SELL))

    worker, _ = winding_down_worker(world)
    worker.run(WorkerJob("mfg-1", world.ship, world.opportunity()), wind_down=DeliveredOnce())
    assert {waypoint for waypoint, _, _ in iron_sold(game)} == {"X1-C1"}
    assert sum(units for _, units, _ in iron_sold(game)) == 40 and game.fleet[world.ship].inventory == {}

    world = machinery_world(FakeClock())
    game = world.game
    game.markets[world.factory][IRON].bid = 700
    worker, _ = winding_down_worker(world)
    result = worker.run(WorkerJob("mfg-1", world.ship, world.opportunity()), HoldsIron(game), HoldsIron(game))
    assert result.cancelled and iron_sold(game) == [] and game.fleet[world.ship].inventory == {IRON: 10}


def test_sigusr1_or_a_second_stop_signal_asks_to_abandon():
    with cancel_on_signals() as token:
        os.kill(os.getpid(), signal.SIGTERM)
        assert token.wait(1.0) and not token.abandon.cancelled()
        os.kill(os.getpid(), signal.SIGTERM)
        token.wait(0.01)
        assert token.abandon.cancelled()
    with cancel_on_signals() as token:
        os.kill(os.getpid(), signal.SIGUSR1)
        assert token.wait(1.0) and token.abandon.cancelled()


class HoldsMachineryAndLeftoverIron:
    """Fires once MACHINERY is in the hold (at the factory X1-C1); it then finds 10 more IRON aboard, bought at
    `cost` (in the ledger), and the factory's bid for IRON at `factory_bid` when given: the inputs a stopped run may
    hold beside its output, and a market where the ship is that pays their cost or not."""

    def __init__(self, game, ledger, cost: int, factory_bid: int | None = None) -> None:
        self.game, self.ledger, self.cost, self.factory_bid, self.fired = game, ledger, cost, factory_bid, False

    def cancelled(self) -> bool:
        ship = self.game.fleet[ShipSymbol("AGENT-1")]
        if not self.fired and ship.inventory.get(MACHINERY, 0) > 0:
            self.fired = True
            ship.inventory[IRON] = ship.inventory.get(IRON, 0) + 10
            if self.factory_bid is not None:
                self.game.markets[WaypointSymbol("X1-C1")][IRON].bid = self.factory_bid
            self.ledger.record(LedgerTransaction(TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, 10 * self.cost,
                                                 self.game.clock.now(), "mfg-0", IRON, 10, ShipSymbol("AGENT-1")))
        return self.fired


def sales_in_order(game) -> list[tuple[str, str]]:
    return [(str(t.good), str(t.waypoint)) for t in game.trades if t.side is TradeSide.SELL and t.good != "FUEL"]


def test_a_stop_sells_the_output_before_inputs_that_need_a_trip_and_inputs_taken_where_the_ship_is_first():
    # The drain's bound must never cut the output's sale short for a trip with an input: IRON that pays its cost
    # only at X1-H1 waits until the MACHINERY is sold at X1-A1.
    world = machinery_world(FakeClock())
    game, ledger = world.game, InMemoryLedgerRepository()
    game.add_good("X1-H1", "IRON", TradeGoodType.IMPORT, ask=1200, bid=600)  # the factory pays 420 < 500
    worker, _ = winding_down_worker(world, ledger)
    result = worker.run(WorkerJob("mfg-1", world.ship, world.opportunity()),
                        wind_down=HoldsMachineryAndLeftoverIron(game, ledger, cost=500))
    sales = sales_in_order(game)
    assert sales[-1] == ("IRON", "X1-H1") and ("MACHINERY", "X1-A1") in sales
    assert sales.index(("MACHINERY", "X1-A1")) < sales.index(("IRON", "X1-H1"))
    assert result.cancelled and game.fleet[world.ship].inventory == {}

    # Where the market the ship is at when it stops (the factory, its bid now 700) takes the input at its cost (what
    # this run paid for IRON), it goes there first, though X1-H1 pays more a trip away.
    world = machinery_world(FakeClock())
    game, ledger = world.game, InMemoryLedgerRepository()
    game.add_good("X1-H1", "IRON", TradeGoodType.IMPORT, ask=1800, bid=900)
    worker, _ = winding_down_worker(world, ledger)
    worker.run(WorkerJob("mfg-1", world.ship, world.opportunity()),
               wind_down=HoldsMachineryAndLeftoverIron(game, ledger, cost=500, factory_bid=700))
    sales = sales_in_order(game)
    assert sales[-1] == ("MACHINERY", "X1-A1")
    assert ("IRON", "X1-C1") in sales[-3:] and game.fleet[world.ship].inventory == {}
