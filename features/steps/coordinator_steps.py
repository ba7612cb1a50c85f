"""Steps of manufacturing_arbitrage_coordinator.feature, wired to the real coordinator, demand finder, default
ranking and ship-selection plugins and fleet manager, with in-memory fakes for the game, the repositories, the
clock and the worker pool (a pool whose jobs run until a step ends them).

"high-demand opportunities exist" puts real markets behind each row: the market imports the good at the price,
a factory exports the good and a source sells its one input (IRON), so the demand finder builds each
opportunity itself. Step texts are full-line regular expressions, so they cannot swallow another feature's steps.
"""
from __future__ import annotations

from behave import given, then, use_step_matcher, when

from application.coordinator import CoordinatorConfig, ManufacturingArbitrageCoordinator
from application.demand_finder import ManufacturingDemandFinder
from application.fleet_manager import FleetConfig, FleetManager
from application.worker_jobs import WorkerJob, WorkerResult
from domain.goods import SupplyLevel, TradeSymbol
from domain.supply_chain import SupplyChainMap
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from plugins.manager import PluginRanker, PluginShipSelector, build_plugin_manager
from tests.fake_coordination import InMemoryRuns, RecordingMetrics, ScriptedPool, add_ship
from tests.fake_game import FakeGame
from tests.fake_repositories import InMemoryLedgerRepository, InMemoryShipAssignmentRepository
from tests.fakes import FakeClock, FixedSupplyChain, InMemoryMarketRepository, make_market

use_step_matcher("re")

SYSTEM = SystemSymbol("X1")
HOME = WaypointSymbol("X1-HQ")
INPUT = TradeSymbol.IRON
SOURCE = WaypointSymbol("X1-S1")
GOODS = (TradeSymbol.ELECTRONICS, TradeSymbol.MACHINERY, TradeSymbol.MICROPROCESSORS, TradeSymbol.FAB_MATS,
         TradeSymbol.PLASTICS, TradeSymbol.AMMUNITION, TradeSymbol.EXPLOSIVES, TradeSymbol.FABRICS,
         TradeSymbol.EQUIPMENT, TradeSymbol.CLOTHING, TradeSymbol.MEDICINE, TradeSymbol.JEWELRY)


class CoordinatorWorld:
    """One scenario: haulers, markets and the coordinator built on first use."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.game = FakeGame(self.clock)
        self.game.add_waypoint(HOME, 0, 0)
        self.markets = InMemoryMarketRepository()
        self.recipes: dict[TradeSymbol, tuple[TradeSymbol, ...]] = {}
        self.assignments = InMemoryShipAssignmentRepository()
        self.runs = InMemoryRuns()
        self.pool = ScriptedPool(self.clock)
        self.metrics = RecordingMetrics()
        self.max_workers = CoordinatorConfig().max_workers
        self._coordinator: ManufacturingArbitrageCoordinator | None = None
        self.spawned: list[WorkerJob] = []
        self.active_seen: list[int] = []
        self.collected: list[WorkerResult] = []
        self.markets.record(make_market(SOURCE, exports={INPUT.value: 100}, position=(5, 5)))

    def add_haulers(self, count: int) -> None:
        for number in range(len(self.game.fleet) + 1, len(self.game.fleet) + count + 1):
            add_ship(self.game, f"AGENT-{number}", HOME, "hauler")

    def add_demand(self, good: TradeSymbol, market: str, price: int) -> None:
        """`market` pays `price` for `good`; a factory importing IRON, which X1-S1 sells, makes it."""
        factory = WaypointSymbol(f"X1-F{len(self.recipes) + 1}")
        self.recipes[good] = (INPUT,)
        self.markets.record(make_market(market, imports={good.value: price}, position=(len(self.recipes) * 10, 0)))
        self.markets.record(make_market(factory, exports={good.value: price // 4}, imports={INPUT.value: 150},
                                        supply=SupplyLevel.MODERATE, position=(len(self.recipes) * 10, 10)))

    @property
    def coordinator(self) -> ManufacturingArbitrageCoordinator:
        if self._coordinator is None:
            manager = build_plugin_manager()
            finder = ManufacturingDemandFinder(self.markets, FixedSupplyChain(SupplyChainMap(self.recipes)),
                                               PluginRanker(manager), self.clock)
            self.fleet = FleetManager(self.game, self.assignments, InMemoryLedgerRepository(), self.clock, SYSTEM,
                                      holder="run-feature", config=FleetConfig(max_haulers=0, max_probes=0))
            self._coordinator = ManufacturingArbitrageCoordinator(
                player="AGENT", system=SYSTEM, game=self.game, demand_finder=finder,
                ship_selector=PluginShipSelector(manager), assignments=self.assignments, runs=self.runs,
                pool=self.pool, clock=self.clock, fleet=self.fleet,
                config=CoordinatorConfig(max_workers=self.max_workers), metrics=self.metrics, run_id="run-feature")
            self._coordinator.start()
        return self._coordinator

    def discover(self) -> None:
        self.coordinator.discovery_cycle()

    def assign(self) -> list[WorkerJob]:
        jobs = self.coordinator.assignment_cycle()
        self.spawned += jobs
        self.active_seen.append(self.coordinator.active_workers())
        return jobs

    def held(self) -> dict[ShipSymbol, str]:
        return {row.ship: row.operation_id for row in self.assignments.assigned()}


def world(context) -> CoordinatorWorld:
    if not hasattr(context, "coordinator_world"):
        context.coordinator_world = CoordinatorWorld()
    return context.coordinator_world


# --- Given ------------------------------------------------------------------------------------


@given(r"(?P<count>\d+) idle haulers in the system")
def step_idle_haulers(context, count):
    world(context).add_haulers(int(count))


@given(r"high-demand opportunities exist:")
def step_opportunities_table(context):
    here = world(context)
    for row in context.table:
        here.add_demand(TradeSymbol.parse(row["good"]), row["market"], int(row["price"]))


@given(r"(?P<count>\d+) high-demand opportunities exist")
def step_many_opportunities(context, count):
    here = world(context)
    for index, good in enumerate(GOODS[: int(count)]):
        here.add_demand(good, f"X1-M{index + 1}", 5000 - 100 * index)


@given(r"max workers is configured as (?P<count>\d+)")
def step_max_workers(context, count):
    world(context).max_workers = int(count)


@given(r'a worker processing "(?P<good>[A-Z0-9_]+)"')
def step_worker_processing(context, good):
    here = world(context)
    here.add_haulers(1)
    here.add_demand(TradeSymbol.parse(good), "X1-A1", 3000)
    here.discover()
    (job,) = here.assign()
    assert job.opportunity.good == good, job


@given(r'the ship "(?P<ship>[A-Z0-9_-]+)" is assigned')
def step_ship_is_assigned(context, ship):
    here = world(context)
    (job,) = here.spawned
    assert job.ship == ship, f"the worker runs on {job.ship}"
    assert here.held() == {ShipSymbol(ship): job.operation_id}
    assert ship not in {summary.symbol for summary in here.fleet.idle_ships()}


# --- When -------------------------------------------------------------------------------------


@when(r"the coordinator runs one discovery cycle")
def step_one_discovery_cycle(context):
    world(context).discover()


@when(r"the coordinator runs one assignment cycle")
def step_one_assignment_cycle(context):
    world(context).assign()


@when(r"the coordinator runs assignment cycles")
def step_assignment_cycles(context):
    """Discovery, then cycles 30 s apart; after each, the oldest worker finishes, as real ones would."""
    here = world(context)
    here.discover()
    for _ in range(8):
        here.assign()
        if here.pool.running:
            oldest = next(iter(here.pool.running))
            here.pool.complete(oldest, revenue=20_000, cost=8_000)
        here.clock.advance(30)
        here.coordinator.collect_completions()


@when(r"the worker completes successfully")
def step_worker_completes(context):
    here = world(context)
    (job,) = here.spawned
    here.pool.complete(job.operation_id, revenue=30_000, cost=12_000, sold=10)
    here.collected = here.coordinator.collect_completions()


# --- Then -------------------------------------------------------------------------------------


@then(r"it should find (?P<count>\d+) opportunities")
def step_should_find(context, count):
    here = world(context)
    assert len(here.coordinator.opportunities) == int(count), here.coordinator.opportunities
    assert len(here.runs.opportunities("run-feature")) == int(count)
    assert here.metrics.opportunities == int(count)


@then(r"it should spawn (?P<count>\d+) workers")
def step_should_spawn(context, count):
    here = world(context)
    assert len(here.spawned) == int(count)
    assert len(here.pool.running) == int(count)
    keys = {(job.opportunity.good, job.opportunity.sell_market) for job in here.spawned}
    assert len(keys) == int(count), "one worker per opportunity"


@then(r"(?P<count>\d+) ships should be assigned")
def step_ships_assigned(context, count):
    here = world(context)
    held = here.held()
    assert len(held) == int(count)
    assert set(held) == {job.ship for job in here.spawned}
    assert len(here.fleet.idle_ships()) == len(here.game.fleet) - int(count)


@then(r"at most (?P<count>\d+) workers should be active at any time")
def step_at_most_active(context, count):
    here = world(context)
    limit = int(count)
    assert here.pool.most_running <= limit, here.pool.most_running
    assert max(here.active_seen) <= limit
    assert here.pool.most_running == limit, "the limit was never reached, so it was not tested"
    assert len(here.spawned) > limit, "finished workers must make room for new ones"


@then(r'"(?P<ship>[A-Z0-9_-]+)" should be released back to idle pool')
def step_released(context, ship):
    here = world(context)
    assert ShipSymbol(ship) not in here.held()
    assert ship in {summary.symbol for summary in here.fleet.idle_ships()}


@then(r"the coordinator should receive the profit result")
def step_profit_result(context):
    here = world(context)
    (result,) = here.collected
    assert result.success and result.profit == 18_000
    assert here.coordinator.results == [result]
    assert here.runs.results("run-feature") == [result]
    assert here.metrics.cycles == [("ELECTRONICS", "completed", 30_000, 12_000)]


use_step_matcher("parse")  # leave behave's default for the step modules loaded after this one
