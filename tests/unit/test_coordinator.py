"""ManufacturingArbitrageCoordinator on in-memory fakes: workers, leases, completions, loss pauses, the loop."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest

from application.coordinator import CoordinatorConfig, ManufacturingArbitrageCoordinator
from application.errors import StrategyError
from application.fleet_manager import FleetConfig, FleetManager
from application.loss_pauses import rebuilt
from application.market_scout import MarketScout
from application.repositories import ShipAssignment
from application.worker_jobs import MANUFACTURING, WorkerResult
from domain.fleet import ShipType
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.symbols import ShipSymbol
from plugins.manager import PluginRanker, build_strategy_manager
from tests.fake_coordination import (
    SYSTEM, FixedDemand, InMemoryRuns, RecordingMetrics, ScriptedPool, StopAt, add_market, add_ship,
    make_opportunity,
)
from tests.fake_game import FakeGame
from tests.fake_repositories import InMemoryLedgerRepository, InMemoryShipAssignmentRepository
from tests.fakes import DEFAULT_NOW, FakeClock, FirstShipSelector, InMemoryMarketRepository

HOME = f"{SYSTEM}-A1"


class World:
    """A coordinator wired to fakes; `ships` haulers docked at HOME."""

    def __init__(self, ships: int = 3, opportunities=(), *, past_results=(), ranker=None, **config) -> None:
        self.clock = FakeClock()
        self.game = FakeGame(self.clock)
        self.game.add_waypoint(HOME, 0, 0)
        for index in range(1, ships + 1):
            add_ship(self.game, f"AGENT-{index}", HOME)
        self.assignments = InMemoryShipAssignmentRepository()
        self.runs = InMemoryRuns(past_results)
        self.pool = ScriptedPool(self.clock)
        self.metrics = RecordingMetrics()
        self.demand = FixedDemand(self.clock, opportunities, ranker)
        self.selector = FirstShipSelector()
        self.ledger = InMemoryLedgerRepository()
        self.fleet = FleetManager(self.game, self.assignments, self.ledger, self.clock, SYSTEM, holder="run-test",
                                  config=FleetConfig(max_haulers=0, max_probes=0))
        self.coordinator = ManufacturingArbitrageCoordinator(
            player="AGENT", system=SYSTEM, game=self.game, demand_finder=self.demand, ship_selector=self.selector,
            assignments=self.assignments, runs=self.runs, pool=self.pool, clock=self.clock, fleet=self.fleet,
            ledger=self.ledger, config=CoordinatorConfig(**config), metrics=self.metrics, run_id="run-test")

    def cycle(self):
        self.coordinator.start()
        self.coordinator.discovery_cycle()
        return self.coordinator.assignment_cycle()

    def held(self) -> set[str]:
        return {str(row.ship) for row in self.assignments.assigned()}


def opportunities(count: int, bid: int = 3000):
    goods = [TradeSymbol.ELECTRONICS, TradeSymbol.MACHINERY, TradeSymbol.MICROPROCESSORS, TradeSymbol.FAB_MATS,
             TradeSymbol.PLASTICS, TradeSymbol.AMMUNITION, TradeSymbol.EXPLOSIVES, TradeSymbol.FABRICS,
             TradeSymbol.EQUIPMENT, TradeSymbol.CLOTHING]
    return [make_opportunity(goods[i], f"{SYSTEM}-M{i}", bid - i) for i in range(count)]


def test_discovery_saves_the_ranked_opportunities_and_reports_them():
    found = opportunities(2)
    world = World(opportunities=found)
    world.coordinator.start()
    assert world.coordinator.discovery_cycle() == found
    assert world.runs.opportunities("run-test") == found
    assert world.metrics.opportunities == 2
    assert world.demand.asked[-1].min_price == 1000


def test_one_worker_per_opportunity_and_one_ship_per_worker():
    world = World(ships=3, opportunities=opportunities(2))
    jobs = world.cycle()
    assert sorted(job.opportunity.good for job in jobs) == ["ELECTRONICS", "MACHINERY"]
    assert len({job.ship for job in jobs}) == 2
    assert world.held() == {str(job.ship) for job in jobs}
    assert all(row.holder == "run-test" for row in world.assignments.assigned())
    # The next cycle has an idle ship but no opportunity without a worker.
    assert world.coordinator.assignment_cycle() == []
    assert len(world.pool.running) == 2


def test_the_same_good_sold_to_two_markets_is_two_opportunities():
    world = World(ships=2, opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000),
                                          make_opportunity("ELECTRONICS", f"{SYSTEM}-M2", 2900)],
                  one_worker_per_factory=False)
    assert len(world.cycle()) == 2


def test_one_worker_buys_a_good_at_a_factory_at_a_time():
    world = World(ships=3, opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000),
                                          make_opportunity("ELECTRONICS", f"{SYSTEM}-M2", 2900),
                                          make_opportunity("ELECTRONICS", f"{SYSTEM}-M3", 2800,
                                                           factory=f"{SYSTEM}-F2")])
    jobs = world.cycle()
    assert [(str(j.opportunity.sell_market), str(j.opportunity.factory)) for j in jobs] == [
        (f"{SYSTEM}-M1", f"{SYSTEM}-F1"), (f"{SYSTEM}-M3", f"{SYSTEM}-F2")]


def test_never_more_workers_than_the_maximum():
    world = World(ships=10, opportunities=opportunities(10), max_workers=5)
    assert len(world.cycle()) == 5
    assert world.coordinator.assignment_cycle() == []
    for job in world.pool.submitted[:2]:
        world.pool.complete(job.operation_id, revenue=100, cost=50)
    world.coordinator.collect_completions()
    assert len(world.coordinator.assignment_cycle()) == 2
    assert world.pool.most_running == 5
    assert len(world.pool.running) == 5
    assert world.metrics.active_workers == 5 and world.metrics.max_workers == 5


@pytest.mark.parametrize("outcome", ["completed", "failed", "cancelled"])
def test_a_finished_worker_gives_its_ship_back_and_its_result_is_recorded(outcome):
    world = World(ships=1, opportunities=opportunities(1))
    (job,) = world.cycle()
    assert world.held() == {"AGENT-1"}
    if outcome == "completed":
        world.pool.complete(job.operation_id, revenue=30_000, cost=12_000)
    elif outcome == "failed":
        world.pool.fail(job.operation_id, cost=500, error="market gone")
    else:
        world.pool.end(job.operation_id, cancelled=True)
    (result,) = world.coordinator.collect_completions()
    assert result.outcome == outcome
    assert world.held() == set()
    assert world.runs.results("run-test") == [result]
    assert world.metrics.cycles[-1][:2] == ("ELECTRONICS", outcome)
    assert world.coordinator.active_workers() == 0
    # Free again; the opportunity waits for a discovery from what the run saw (due at once), then goes out again.
    assert world.coordinator.assignment_cycle() == []
    assert [j.ship for j in world.cycle()] == ["AGENT-1"]


def test_expired_leases_are_reclaimed_at_start_and_live_ones_respected():
    world = World(ships=2, opportunities=opportunities(2))
    now = world.clock.now()
    world.assignments.held[ShipSymbol("AGENT-1")] = ShipAssignment(
        ShipSymbol("AGENT-1"), "mfg-dead", "run-dead", lease_until=now - timedelta(seconds=1))
    world.assignments.held[ShipSymbol("AGENT-2")] = ShipAssignment(
        ShipSymbol("AGENT-2"), "mfg-other", "run-other", lease_until=now + timedelta(minutes=5))
    jobs = world.cycle()
    assert [job.ship for job in jobs] == ["AGENT-1"]
    assert world.assignments.held[ShipSymbol("AGENT-1")].holder == "run-test"
    assert world.assignments.held[ShipSymbol("AGENT-2")].holder == "run-other"


def test_a_ship_taken_by_another_operation_meanwhile_is_skipped():
    world = World(ships=2, opportunities=opportunities(1))
    world.coordinator.start()
    world.coordinator.discovery_cycle()
    real_try = world.assignments.try_assign

    def racing_try(ship, operation_id, holder, lease_until, now):
        if ship == "AGENT-1":
            return False  # somebody else got there first
        return real_try(ship, operation_id, holder, lease_until, now)

    world.assignments.try_assign = racing_try
    assert [job.ship for job in world.coordinator.assignment_cycle()] == ["AGENT-2"]


def test_a_pool_that_refuses_the_job_leaves_the_ship_free():
    world = World(ships=1, opportunities=opportunities(1))
    world.pool.refuse_submissions = True
    assert world.cycle() == []
    assert world.held() == set()
    assert world.coordinator.active_workers() == 0


def test_a_failing_ship_selection_skips_the_opportunity_not_the_cycle():
    world = World(ships=2, opportunities=opportunities(2))

    class Picky:
        def select(self, opportunity, idle_ships):
            if opportunity.good == TradeSymbol.ELECTRONICS:
                raise StrategyError("spacetraders_select_ship", "boom", plugin="broken")
            return idle_ships[0]

    world.coordinator._selector = Picky()
    assert [job.opportunity.good for job in world.cycle()] == ["MACHINERY"]


def test_a_good_is_paused_after_losing_runs_in_a_row_and_comes_back_later():
    world = World(ships=1, opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M0", 3000),
                                          make_opportunity("MACHINERY", f"{SYSTEM}-M1", 100)],
                  pause_after_losses=2, pause_after_losses_for=600)
    world.cycle()
    for _ in range(2):
        (job,) = world.pool.running.values()
        assert job.opportunity.good == TradeSymbol.ELECTRONICS
        world.pool.complete(job.operation_id, revenue=1_000, cost=5_000)
        world.coordinator.collect_completions()
        world.cycle()
    assert set(world.coordinator.paused_goods()) == {TradeSymbol.ELECTRONICS}
    # The pause took effect at once: the free ship went to the next good.
    (job,) = world.pool.running.values()
    assert job.opportunity.good == TradeSymbol.MACHINERY
    assert [o.good for o in world.coordinator.discovery_cycle()] == ["MACHINERY"]
    # The finder was asked for more (3 x 10, plus one per paused good), so the paused good does not shrink it.
    assert world.demand.asked[-1].max_opportunities == 31
    world.pool.complete(job.operation_id, revenue=5_000, cost=1_000)
    world.coordinator.collect_completions()
    world.clock.advance(601)
    assert world.coordinator.paused_goods() == {}
    assert [o.good for o in world.coordinator.discovery_cycle()][0] == TradeSymbol.ELECTRONICS


def test_a_profitable_run_between_losses_resets_the_count():
    world = World(ships=1, opportunities=opportunities(1), pause_after_losses=2)
    world.cycle()
    for revenue in (1_000, 9_000, 1_000):
        (job,) = world.pool.running.values()
        world.pool.complete(job.operation_id, revenue=revenue, cost=5_000)
        world.coordinator.collect_completions()
        world.cycle()
    assert world.coordinator.paused_goods() == {}


def test_one_run_that_lost_more_than_the_big_loss_pauses_its_good_at_once():
    world = World(ships=1, opportunities=opportunities(2), pause_after_losses=3, pause_after_losses_for=600,
                  pause_after_loss_over=20_000)
    (job,) = world.cycle()
    world.pool.complete(job.operation_id, revenue=10_000, cost=29_000)  # one loss under 20,000: not yet
    world.coordinator.collect_completions()
    assert world.coordinator.paused_goods() == {}
    world.pool.complete(world.cycle()[0].operation_id, revenue=10_000, cost=31_000)
    world.coordinator.collect_completions()
    assert set(world.coordinator.paused_goods()) == {job.opportunity.good}


def test_a_good_paused_again_before_it_earned_is_paused_twice_as_long():
    world = World(ships=1, opportunities=opportunities(1), pause_after_losses=1, pause_after_losses_for=600)
    pauses = []
    for _ in range(3):
        (job,) = world.cycle()
        world.pool.complete(job.operation_id, revenue=1_000, cost=5_000)
        world.coordinator.collect_completions()
        (until,) = world.coordinator.paused_goods().values()
        pauses.append((until - world.clock.now()).total_seconds())
        world.clock.advance(pauses[-1] + 1)
    assert pauses == [600, 1200, 2400]
    (job,) = world.cycle()
    world.pool.complete(job.operation_id, revenue=9_000, cost=5_000)
    world.coordinator.collect_completions()
    (job,) = world.cycle()
    world.pool.complete(job.operation_id, revenue=1_000, cost=5_000)
    world.coordinator.collect_completions()
    (until,) = world.coordinator.paused_goods().values()
    assert (until - world.clock.now()).total_seconds() == 600  # a run that earned started the count again


def test_runs_that_failed_without_spending_count_as_losing_runs():
    world = World(ships=1, opportunities=opportunities(2), pause_after_losses=2)
    goods = []
    for _ in range(2):
        (job,) = world.cycle()
        goods.append(job.opportunity.good)
        world.pool.fail(job.operation_id, cost=0, error="feeding would lose more than the output can earn")
        world.coordinator.collect_completions()
    assert goods == [TradeSymbol.ELECTRONICS, TradeSymbol.ELECTRONICS]  # it came straight back
    assert set(world.coordinator.paused_goods()) == {TradeSymbol.ELECTRONICS}
    assert world.cycle()[0].opportunity.good != TradeSymbol.ELECTRONICS


def test_cancelled_runs_do_not_count_as_losses():
    world = World(ships=1, opportunities=opportunities(1), pause_after_losses=1)
    (job,) = world.cycle()
    world.pool.end(job.operation_id, cancelled=True, cost=800)
    world.coordinator.collect_completions()
    assert world.coordinator.paused_goods() == {}


def losses_before_start(operation: str, good: TradeSymbol, cost: int = 900) -> list[WorkerResult]:
    """Two losing results of `good` stored before the coordinator starts (operation ids `operation`-10, -5)."""
    clock_start = FakeClock().now()
    return [WorkerResult(operation_id=f"{operation}-{i}", ship=ShipSymbol("AGENT-1"), good=good,
                         started_at=clock_start - timedelta(minutes=30), finished_at=clock_start - timedelta(minutes=i),
                         revenue=100, cost=cost, success=True) for i in (10, 5)]


def test_losses_of_earlier_runs_are_remembered_at_start():
    past = losses_before_start("old", TradeSymbol.ELECTRONICS)
    world = World(ships=1, opportunities=opportunities(2), past_results=past, pause_after_losses=2,
                  pause_after_losses_for=3600)
    jobs = world.cycle()
    assert [job.opportunity.good for job in jobs] == [TradeSymbol.MACHINERY]
    assert TradeSymbol.ELECTRONICS in world.coordinator.paused_goods()


def test_clearances_sold_below_cost_before_a_restart_pause_nothing():
    # A clearance sells cargo no run owns; its loss is no kind of work's, before a restart as during a run.
    past = losses_before_start("clear-old", TradeSymbol.ELECTRONICS, cost=90_000)
    world = World(ships=1, opportunities=opportunities(2), past_results=past, pause_after_losses=2,
                  pause_after_losses_for=3600)
    jobs = world.cycle()
    assert [job.opportunity.good for job in jobs] == [TradeSymbol.ELECTRONICS]
    assert world.coordinator.paused_goods() == {}


def test_the_pauses_rebuilt_from_storage_are_the_coordinator_s():
    # What `manufacturing status` shows must be what the daemon holds: the same rule replayed on what it stored.
    past = losses_before_start("mfg-old", TradeSymbol.MACHINERY)
    world = World(ships=1, opportunities=opportunities(3), past_results=past, pause_after_losses=2,
                  pause_after_losses_for=3600, pause_after_loss_over=2_000)
    for cost in (1_000, 9_000, 1_000):  # ELECTRONICS twice, then MICROPROCESSORS once: a streak, not a pause
        (job,) = world.cycle()
        world.pool.complete(job.operation_id, revenue=500, cost=cost)
        world.coordinator.collect_completions()
        world.clock.advance(60)

    run = world.runs.latest_run("AGENT")
    book = rebuilt(world.coordinator.config.loss_pause, run.started_at, world.runs.results(run.run_id, 10_000),
                   world.runs.results(None, 10_000))

    assert book.paused(MANUFACTURING, world.clock.now()) == world.coordinator.paused_goods() != {}
    assert [pause.reason for pause in book.in_force(world.clock.now())] == [
        "2 losing runs in a row", "a run lost 8,500 credits"]


def test_the_loop_runs_discovery_and_assignment_at_their_intervals_then_stops_cleanly():
    world = World(ships=5, opportunities=opportunities(1), discovery_interval=120, assignment_interval=30)
    assigned_at = []
    real_cycle = world.coordinator.assignment_cycle

    def counting_cycle():
        assigned_at.append((world.clock.now() - FakeClock().now()).total_seconds())
        return real_cycle()

    world.coordinator.assignment_cycle = counting_cycle
    world.coordinator.run(StopAt(world.clock, 300))
    assert len(world.demand.asked) == 3  # t = 0, 120, 240
    assert assigned_at == [0, 30, 60, 90, 120, 150, 180, 210, 240, 270]
    # Stopping cancelled the worker, recorded its result and released every ship.
    assert world.pool.cancel_requested and world.pool.closed
    assert [r.outcome for r in world.runs.results("run-test")] == ["cancelled"]
    assert world.held() == set()
    assert world.runs.runs["run-test"].state == "STOPPED"


def test_leases_are_renewed_while_the_coordinator_lives():
    world = World(ships=1, opportunities=opportunities(1), lease_seconds=300)
    world.coordinator.tick()
    first = world.assignments.assigned()[0].lease_until
    world.clock.advance(200)
    world.coordinator.tick()
    assert world.assignments.assigned()[0].lease_until == first + timedelta(seconds=200)


def test_a_crash_marks_the_run_and_still_releases_the_ships():
    world = World(ships=1, opportunities=opportunities(1))
    world.coordinator.tick()
    assert world.held() == {"AGENT-1"}

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    world.demand.find = broken
    world.clock.advance(120)
    with pytest.raises(RuntimeError):
        world.coordinator.run(StopAt(world.clock, 3600))
    assert world.runs.runs["run-test"].state == "CRASHED"
    assert world.held() == set()


def test_status_shows_workers_ships_and_profit():
    world = World(ships=2, opportunities=opportunities(2))
    jobs = world.cycle()
    world.pool.complete(jobs[0].operation_id, revenue=9_000, cost=4_000)
    world.coordinator.collect_completions()
    status = world.coordinator.status()
    assert status.active_workers == 1 and status.max_workers == 5
    assert status.assigned == {jobs[1].ship: jobs[1].opportunity.good}
    assert status.total_profit == 5_000


def test_with_scout_and_fleet_it_reports_coverage_records_markets_and_buys_a_hauler_for_waiting_work(caplog):
    clock = FakeClock()
    game = FakeGame(clock, credits=1_000_000)
    yard, far = f"{SYSTEM}-A2", f"{SYSTEM}-B7"
    game.add_waypoint(yard, 0, 0)
    game.add_waypoint(far, 100, 0)
    add_market(game, yard, imports={"SHIP_PARTS": 2000})
    add_market(game, far, imports={"FOOD": 300})
    game.add_shipyard(yard, {ShipType.SHIP_LIGHT_HAULER: 272_775})
    add_ship(game, "AGENT-1", yard, "frigate")
    assignments, ledger, markets = InMemoryShipAssignmentRepository(), InMemoryLedgerRepository(), \
        InMemoryMarketRepository()
    fleet = FleetManager(game, assignments, ledger, clock, SYSTEM, holder="run-test",
                         config=FleetConfig(max_haulers=1, max_probes=0, check_interval=1, payback=3 * 3600))
    scout = MarketScout(game, markets, clock, SYSTEM, assignments=assignments)
    pool = ScriptedPool(clock)
    coordinator = ManufacturingArbitrageCoordinator(
        player="AGENT", system=SYSTEM, game=game, demand_finder=FixedDemand(clock, opportunities(2)),
        ship_selector=FirstShipSelector(), assignments=assignments, runs=InMemoryRuns(), pool=pool, clock=clock,
        fleet=fleet, scout=scout, run_id="run-test")
    with caplog.at_level("INFO"):
        coordinator.tick()
    assert "never seen (no prices): X1-TEST-A2, X1-TEST-B7" in caplog.text
    assert {snapshot.waypoint for snapshot in markets.markets_in_system(SYSTEM)} == {yard}
    # The frigate took the best opportunity; the second waits, but with no run measured and no factory ask known
    # there is nothing to pay a hauler back with.
    assert [job.ship for job in pool.submitted] == ["AGENT-1"]
    assert game.ship_purchases == []
    assert "no hauler: no run measured yet and no waiting work with a known margin" in caplog.text
    # The frigate's run earns 150,000 in half an hour: a hauler pays back in 0.91 h, so one is bought (in the ledger).
    started = clock.now()
    clock.advance(1800)
    pool.complete(pool.job_of("AGENT-1").operation_id, revenue=200_000, cost=50_000, started_at=started)
    with caplog.at_level("INFO"):
        coordinator.tick()
    (purchase,) = game.ship_purchases
    assert [row.category for row in ledger.rows] == [TransactionCategory.SHIP_PURCHASE]
    assert "pays back in 0.91 h (1 run(s) finished in the last 3.00 h earned 300,000 per ship-hour)" in caplog.text
    clock.advance(30)
    coordinator.tick()
    assert [job.ship for job in pool.submitted] == ["AGENT-1", "AGENT-1", purchase.ship]
    assert {job.opportunity.good for job in pool.submitted} == {TradeSymbol.ELECTRONICS, TradeSymbol.MACHINERY}


def test_a_fresh_agent_buys_its_first_hauler_on_the_price_signal_of_the_work_waiting():
    clock = FakeClock()
    game = FakeGame(clock, credits=1_000_000)
    yard = f"{SYSTEM}-A2"
    game.add_waypoint(yard, 0, 0)
    game.add_shipyard(yard, {ShipType.SHIP_LIGHT_HAULER: 272_775})
    add_ship(game, "AGENT-1", yard, "frigate")
    assignments, ledger = InMemoryShipAssignmentRepository(), InMemoryLedgerRepository()
    fleet = FleetManager(game, assignments, ledger, clock, SYSTEM, holder="run-test",
                         config=FleetConfig(max_probes=0, check_interval=1, payback=3 * 3600, signal_run_time=3600))
    # The waiting opportunity sells 40 units at 3,000 over a factory ask of 700: 92,000 a lot, 2.96 lots pay it.
    found = [replace(with_factory_ask(opportunity, 700), trade_volume=40) for opportunity in opportunities(2)]
    pool = ScriptedPool(clock)
    coordinator = ManufacturingArbitrageCoordinator(
        player="AGENT", system=SYSTEM, game=game, demand_finder=FixedDemand(clock, found),
        ship_selector=FirstShipSelector(), assignments=assignments, runs=InMemoryRuns(), pool=pool, clock=clock,
        fleet=fleet, run_id="run-test")
    coordinator.tick()
    (purchase,) = game.ship_purchases
    assert purchase.ship_type == ShipType.SHIP_LIGHT_HAULER and [job.ship for job in pool.submitted] == ["AGENT-1"]


def _buying_world(credits: int, **config):
    """A frigate at a shipyard selling light haulers for 272,775, and two opportunities (sold at 3,000, their factory
    asking 700): the frigate takes one, the other waits, and its price signal pays a hauler back."""
    clock = FakeClock()
    game = FakeGame(clock, credits=credits)
    yard = f"{SYSTEM}-A2"
    game.add_waypoint(yard, 0, 0)
    game.add_shipyard(yard, {ShipType.SHIP_LIGHT_HAULER: 272_775})
    add_ship(game, "AGENT-1", yard, "frigate")  # 40 of cargo, 400 of fuel
    assignments, ledger = InMemoryShipAssignmentRepository(), InMemoryLedgerRepository()
    fleet = FleetManager(game, assignments, ledger, clock, SYSTEM, holder="run-test",
                         config=FleetConfig(max_probes=0, check_interval=1, payback=3 * 3600, signal_run_time=3600,
                                            credit_reserve=0))
    found = [replace(with_factory_ask(opportunity, 700), trade_volume=40) for opportunity in opportunities(2)]
    pool = ScriptedPool(clock)
    coordinator = ManufacturingArbitrageCoordinator(
        player="AGENT", system=SYSTEM, game=game, demand_finder=FixedDemand(clock, found),
        ship_selector=FirstShipSelector(), assignments=assignments, runs=InMemoryRuns(), pool=pool, clock=clock,
        fleet=fleet, ledger=ledger, run_id="run-test", config=CoordinatorConfig(**config))
    return SimpleNamespace(clock=clock, game=game, ledger=ledger, pool=pool, coordinator=coordinator)


def test_a_ship_is_not_bought_with_the_credits_a_running_job_was_allotted_until_it_sells_its_good():
    world = _buying_world(380_000)
    game, ledger, clock = world.game, world.ledger, world.clock
    world.coordinator.tick()
    # The frigate's run is allotted what a full hold (40) at the sell market's bid (3,000) can cost, not half of the
    # 380,000: the hauler's 272,775 would leave 107,225, less than the 120,000 the run may still spend.
    (job,) = world.pool.submitted
    assert job.budget == 120_000 and game.ship_purchases == []
    # The run buys its 40 units, then sells them: it buys nothing more, and what it was allotted is free again.
    game.credits -= 28_000
    ledger.record(LedgerTransaction(TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, 28_000, clock.now(),
                                    job.operation_id, job.opportunity.good, 40))
    clock.advance(30)
    world.coordinator.tick()
    assert game.ship_purchases == []  # 79,225 would be left, and the run may still spend 92,000
    game.credits += 30_000
    ledger.record(LedgerTransaction(TransactionType.CREDIT, TransactionCategory.CARGO_TRADE, 30_000, clock.now(),
                                    job.operation_id, job.opportunity.good, 20))
    clock.advance(30)
    world.coordinator.tick()
    (purchase,) = game.ship_purchases  # 109,225 left: less than the allotment, but the run is past buying
    assert purchase.ship_type == ShipType.SHIP_LIGHT_HAULER


def test_a_ship_is_not_bought_with_the_cash_that_fills_every_tank():
    # 420,000 less the hauler leaves 147,225, above the 120,000 the frigate's run may spend but not above that and
    # its full tank (400 at 90 a unit: 36,000).
    kept = _buying_world(420_000, fuel_unit_allowance=90)
    kept.coordinator.tick()
    assert [job.budget for job in kept.pool.submitted] == [120_000] and kept.game.ship_purchases == []
    bought = _buying_world(420_000)
    bought.coordinator.tick()
    assert len(bought.game.ship_purchases) == 1


def with_factory_ask(opportunity, ask: int | None):
    return replace(opportunity, dependency_tree=replace(opportunity.dependency_tree, ask=ask))


def test_opportunities_whose_factory_asks_too_much_are_skipped():
    found = [with_factory_ask(make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000), 2800),  # 7% margin: too thin
             with_factory_ask(make_opportunity("MACHINERY", f"{SYSTEM}-M2", 2900), 1500),
             make_opportunity("FABRICS", f"{SYSTEM}-M3", 2800)]  # factory never seen: the worker judges it
    world = World(opportunities=found, min_margin=0.1)
    world.coordinator.start()
    assert [o.good for o in world.coordinator.discovery_cycle()] == ["MACHINERY", "FABRICS"]


def test_a_finished_worker_gets_new_work_on_the_next_turn_not_at_the_next_interval():
    world = World(ships=1, opportunities=opportunities(2), assignment_interval=600, discovery_interval=600)
    world.coordinator.tick()
    (job,) = world.pool.running.values()
    world.clock.advance(5)
    world.pool.complete(job.operation_id, revenue=3_000, cost=1_000)
    world.coordinator.tick()
    assert len(world.pool.submitted) == 2 and len(world.pool.running) == 1


def test_on_stop_a_drain_lets_running_workers_finish_before_shutting_down():
    world = World(ships=2, opportunities=opportunities(2))
    world.coordinator.tick()
    first, second = world.pool.running
    real_sleep = world.clock.sleep

    def sleep_and_finish(seconds):  # the workers finish while the coordinator drains
        real_sleep(seconds)
        if first in world.pool.running:
            world.pool.complete(first, revenue=5_000, cost=1_000)
        elif second in world.pool.running:
            world.pool.complete(second, revenue=4_000, cost=1_000)

    world.clock.sleep = sleep_and_finish
    world.coordinator.run(StopAt(world.clock, 0), drain=60)
    assert sorted(r.outcome for r in world.runs.results("run-test")) == ["completed", "completed"]
    assert len(world.pool.submitted) == 2  # no new work while draining
    assert world.held() == set() and world.pool.running == {}


def test_a_drain_gives_up_at_its_timeout_and_cancels_the_rest():
    world = World(ships=1, opportunities=opportunities(1))
    world.coordinator.tick()
    world.coordinator.run(StopAt(world.clock, 0), drain=30)
    assert [r.outcome for r in world.runs.results("run-test")] == ["cancelled"]
    assert world.held() == set()


def test_a_probe_arriving_wakes_the_scouting_once_without_waiting_for_the_interval():
    clock = FakeClock()
    game = FakeGame(clock)
    far = f"{SYSTEM}-B7"
    game.add_waypoint(HOME, 0, 0)
    game.add_waypoint(far, 500, 0)  # 23 minutes away for a probe
    add_market(game, HOME, imports={"FOOD": 300})
    add_market(game, far, imports={"FUEL": 70})
    add_ship(game, "AGENT-1", HOME, "probe")
    assignments, markets = InMemoryShipAssignmentRepository(), InMemoryMarketRepository()
    fleet = FleetManager(game, assignments, InMemoryLedgerRepository(), clock, SYSTEM, holder="run-test",
                         config=FleetConfig(max_haulers=0, max_probes=0))
    scout = MarketScout(game, markets, clock, SYSTEM, assignments=assignments)
    coordinator = ManufacturingArbitrageCoordinator(
        player="AGENT", system=SYSTEM, game=game, demand_finder=FixedDemand(clock, []),
        ship_selector=FirstShipSelector(), assignments=assignments, runs=InMemoryRuns(), pool=ScriptedPool(clock),
        clock=clock, fleet=fleet, scout=scout, run_id="run-test",
        config=CoordinatorConfig(assignment_interval=3600, discovery_interval=3600))
    coordinator.tick()  # the probe is sent to the market it has not seen
    arrival = scout.next_arrival
    assert arrival is not None and arrival - clock.now() < timedelta(seconds=3600)
    clock.advance((arrival - clock.now()).total_seconds())
    listings = game.calls.count("ships")
    coordinator.tick()  # arrived: it records the market and sends the probe on, an hour before the interval
    assert game.calls.count("ships") == listings + 1
    assert {s.waypoint for s in markets.markets_in_system(SYSTEM)} == {HOME, far}
    listings = game.calls.count("ships")
    clock.advance(1)
    coordinator.tick()
    assert game.calls.count("ships") == listings  # nothing due: no listing


def test_a_worker_that_died_is_booked_with_what_its_ledger_rows_say():
    from domain.ledger import LedgerTransaction, TransactionType

    world = World(ships=1, opportunities=opportunities(1), pause_after_losses=1)
    (job,) = world.cycle()
    world.ledger.record(LedgerTransaction(
        type=TransactionType.DEBIT, category=TransactionCategory.CARGO_TRADE, amount=7_000,
        occurred_at=world.clock.now(), operation_id=job.operation_id, good=TradeSymbol.IRON, units=10))
    world.pool.fail(job.operation_id, error="worker process killed")  # a dead process reports no money
    (result,) = world.coordinator.collect_completions()
    assert (result.revenue, result.cost) == (0, 7_000)
    assert world.runs.results("run-test")[0].cost == 7_000
    assert "ELECTRONICS" in world.coordinator.status().paused  # the loss counts


def test_one_result_that_cannot_be_booked_does_not_lose_the_others():
    world = World(ships=2, opportunities=opportunities(2))
    first, second = world.cycle()
    world.pool.complete(first.operation_id, revenue=10, cost=5)
    world.pool.complete(second.operation_id, revenue=20, cost=5)
    record = world.runs.record_result

    def flaky(run_id, result):
        if result.operation_id == first.operation_id:
            raise OSError("database locked")
        record(run_id, result)

    world.runs.record_result = flaky
    world.coordinator.collect_completions()
    assert [r.operation_id for r in world.runs.results("run-test")] == [second.operation_id]
    assert world.held() == set()  # both ships released


# --- the learned ranking (ST_STRATEGY_RANKING=learned_ranking) fed by what the coordinator recorded ------------------

def learned_ranker():
    return PluginRanker(build_strategy_manager("learned_ranking", "default_ship_selection"))


def two_lanes():
    """ELECTRONICS pays more than MACHINERY: the price ranking puts it first."""
    return [make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000),
            make_opportunity("MACHINERY", f"{SYSTEM}-M2", 2000, factory=f"{SYSTEM}-F2")]


def test_a_lane_that_lost_money_is_ranked_below_an_untried_lane_with_a_lower_price():
    world = World(ships=1, opportunities=two_lanes(), ranker=learned_ranker())
    [job] = world.cycle()
    assert job.opportunity.good == TradeSymbol.ELECTRONICS
    world.clock.advance(1800)
    world.pool.end(job.operation_id, revenue=1_000, cost=3_000, sold=10, success=True)
    world.coordinator.collect_completions()

    ranked = world.coordinator.discovery_cycle()

    assert [str(o.good) for o in ranked] == ["MACHINERY", "ELECTRONICS"]
    assert [o.recorded_profit_per_hour for o in ranked] == [None, -4_000.0]  # -2,000 credits in half an hour
    [job] = world.coordinator.assignment_cycle()
    assert job.opportunity.good == TradeSymbol.MACHINERY


def test_a_lane_that_earned_keeps_its_place_above_the_untried():
    world = World(ships=1, opportunities=two_lanes(), ranker=learned_ranker())
    [job] = world.cycle()
    world.clock.advance(3600)
    world.pool.complete(job.operation_id, revenue=30_000, cost=10_000)
    world.coordinator.collect_completions()

    ranked = world.coordinator.discovery_cycle()

    # 20,000/h over a bid of 3,000: untried MACHINERY's bid of 2,000 is worth 13,333/h.
    assert [str(o.good) for o in ranked] == ["ELECTRONICS", "MACHINERY"]
    assert [o.recorded_profit_per_hour for o in ranked] == [20_000.0, None]


def test_a_run_is_kept_against_its_price_signal_only_when_the_factorys_ask_was_known():
    # With the factory's ask unknown, the signal's margin is a guess from the bid: no share is kept against it.
    known = [replace(o, dependency_tree=replace(o.dependency_tree, ask=1_000)) for o in two_lanes()]
    for opportunities, kept in ((two_lanes(), False), (known, True)):
        world = World(ships=1, opportunities=opportunities, ranker=learned_ranker())
        [job] = world.cycle()
        world.clock.advance(3600)
        world.pool.complete(job.operation_id, revenue=30_000, cost=10_000)
        world.coordinator.collect_completions()

        record = world.coordinator.manufacturing_lane_record(job.opportunity)
        assert record.per_hour == 20_000.0 and (record.share is not None) is kept


def test_after_a_restart_a_good_that_lost_money_is_ranked_below_the_untried():
    start = DEFAULT_NOW - timedelta(hours=2)
    lost = WorkerResult(operation_id="mfg-earlier", ship=ShipSymbol("AGENT-1"), good=TradeSymbol.ELECTRONICS,
                        started_at=start, finished_at=start + timedelta(hours=1), quantity_sold=10, revenue=1_000,
                        cost=6_000, success=True)
    cleared = WorkerResult(operation_id="clear-earlier", ship=ShipSymbol("AGENT-1"), good=TradeSymbol.MACHINERY,
                           started_at=start, finished_at=start + timedelta(hours=1), quantity_sold=10, revenue=100,
                           cost=0, success=True)
    world = World(ships=1, opportunities=two_lanes(), ranker=learned_ranker(), past_results=[lost, cleared])
    world.coordinator.start()

    ranked = world.coordinator.discovery_cycle()

    assert [str(o.good) for o in ranked] == ["MACHINERY", "ELECTRONICS"]
    # Stranded cargo cleared is no lane's record.
    assert [o.recorded_profit_per_hour for o in ranked] == [None, -5_000.0]


def test_with_the_price_ranking_the_records_change_nothing():
    world = World(ships=1, opportunities=two_lanes(), ranker=PluginRanker(build_strategy_manager(
        "default_ranking", "default_ship_selection")))
    [job] = world.cycle()
    world.pool.end(job.operation_id, revenue=1_000, cost=3_000, sold=10, success=True)
    world.coordinator.collect_completions()
    assert [str(o.good) for o in world.coordinator.discovery_cycle()] == ["ELECTRONICS", "MACHINERY"]
