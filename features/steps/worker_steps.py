"""Steps of manufacturing_arbitrage_worker.feature, wired to the real worker, ProductionExecutor and Navigator on
the in-memory FakeGame (tests/fake_game.py), in-memory repositories and a fake clock: no real waiting.

The Given steps collect the scenario's world; "When the worker executes" builds it and runs the worker:
- the recipe of the opportunity's good comes from the real supply-chain map; inputs the scenario does not place
  are sold at markets X1-B2, X1-B3...; the factory is X1-C1 unless named; the ship starts at X1-H1 (a fuel market);
- the factory's output is SCARCE until 20 minutes after every input has been delivered, then offered at 45% of the
  sale bid;
- "inputs have been delivered to manufacturing waypoint": the ship is docked at the factory with the inputs (bought
  on an earlier run) in its hold, and the factory never finishes: the worker hands the inputs over and waits;
- "the context is cancelled after 30 seconds": a CancelToken that fires once the fake clock is 30 s past the start.

Step texts are full-line regular expressions, distinct from the demand-finder and coordinator steps.
"""
from __future__ import annotations

from datetime import timedelta

from behave import given, then, use_step_matcher, when

from application.navigation import Navigator
from application.production_executor import ProductionConfig, ProductionExecutor
from application.waiting import NEVER
from application.worker import ManufacturingArbitrageWorker
from application.worker_jobs import WorkerJob, WorkerResult
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.symbols import ShipSymbol, WaypointSymbol
from domain.trade import TradeSide
from tests.fake_game import CancelAfter, FakeGame, fuel_everywhere
from tests.fake_repositories import InMemoryLedgerRepository, InMemoryShipAssignmentRepository
from tests.fakes import FakeClock, InMemoryMarketRepository, bundled_supply_chain

use_step_matcher("re")

GOOD = r'"(?P<good>[A-Z0-9_]+)"'
WAYPOINT = r"(?P<waypoint>[A-Z0-9]+(?:-[A-Z0-9]+)+)"
OPERATION = "op-worker-1"
HOME = WaypointSymbol("X1-H1")
DEFAULT_SELL_MARKET, DEFAULT_BID, DEFAULT_INPUT_ASK = WaypointSymbol("X1-A1"), 8000, 1000
PRODUCTION_DELAY = 1200.0


class WorkerWorld:
    """What the scenario said, then the running world and the worker's result."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.ship = ShipSymbol("AGENT-1")
        self.cargo = 40
        self.good: TradeSymbol | None = None
        self.sell_market = DEFAULT_SELL_MARKET
        self.bid = DEFAULT_BID
        self.sources: dict[TradeSymbol, tuple[WaypointSymbol, int]] = {}
        self.factory = WaypointSymbol("X1-C1")
        self.inputs_delivered = False
        self.cancel_after: float | None = None
        self.game: FakeGame | None = None
        self.assignments = InMemoryShipAssignmentRepository()
        self.ledger = InMemoryLedgerRepository()
        self.result: WorkerResult | None = None
        self.credits_before = 0
        self.started_at = self.clock.now()

    def inputs(self) -> tuple[TradeSymbol, ...]:
        return bundled_supply_chain().inputs_of(self.good)

    def build(self) -> tuple[FakeGame, ManufacturingOpportunity]:
        assert self.good is not None, "the scenario names no opportunity"
        game = FakeGame(self.clock)
        spare = iter(WaypointSymbol(f"X1-B{n}") for n in range(2, 50))
        for good in self.inputs():
            if good not in self.sources:
                self.sources[good] = (next(w for w in spare if w not in _placed(self)), DEFAULT_INPUT_ASK)
        places = [HOME, self.factory, self.sell_market, *dict.fromkeys(w for w, _ in self.sources.values())]
        for index, waypoint in enumerate(places):  # on a circle of radius 150 around the origin
            x, y = [(0, 0), (120, 60), (-90, 110), (150, -40), (-130, -80), (40, -150), (-20, 160)][index % 7]
            game.add_waypoint(waypoint, x + 5 * (index // 7), y)
        game.add_good(HOME, "FOOD", TradeGoodType.EXPORT, ask=150, bid=70)
        for good, (market, ask) in self.sources.items():
            game.add_good(market, good, TradeGoodType.EXPORT, ask=ask, bid=ask // 2)
            game.add_good(self.factory, good, TradeGoodType.IMPORT, ask=2 * ask, bid=ask * 85 // 100)
        game.add_good(self.factory, self.good, TradeGoodType.EXPORT, ask=self.bid * 13 // 10, bid=self.bid // 2,
                      supply=SupplyLevel.SCARCE)
        game.add_factory(self.factory, self.good, self.inputs(),
                         delay=None if self.inputs_delivered else PRODUCTION_DELAY,
                         produced_ask=self.bid * 45 // 100)
        game.add_good(self.sell_market, self.good, TradeGoodType.IMPORT, ask=2 * self.bid, bid=self.bid)
        fuel_everywhere(game)
        if self.inputs_delivered:
            share = self.cargo // len(self.inputs())
            game.add_ship(self.ship, self.factory, cargo_capacity=self.cargo,
                          inventory={good: share for good in self.inputs()})
        else:
            game.add_ship(self.ship, HOME, cargo_capacity=self.cargo)
        children = tuple(SupplyChainNode(good=good, method=AcquisitionMethod.BUY, market=market, ask=ask)
                         for good, (market, ask) in self.sources.items() if good in self.inputs())
        tree = SupplyChainNode(good=self.good, method=AcquisitionMethod.FABRICATE, market=self.factory,
                               children=children)
        opportunity = ManufacturingOpportunity(good=self.good, sell_market=self.sell_market, bid=self.bid,
                                               dependency_tree=tree, discovered_at=self.clock.now())
        return game, opportunity

    def run(self) -> None:
        game, opportunity = self.build()
        self.game = game
        markets = InMemoryMarketRepository(game.snapshots())  # as if probes had seen every market
        navigator = Navigator(game, self.clock, markets, self.assignments)
        executor = ProductionExecutor(game, navigator, self.clock, markets, self.assignments, ProductionConfig())
        worker = ManufacturingArbitrageWorker(game, self.ledger, navigator, executor, self.clock,
                                              assignments=self.assignments, markets=markets)
        now = self.clock.now()
        assert self.assignments.try_assign(self.ship, OPERATION, "coordinator", now + timedelta(hours=6), now)
        self.credits_before, self.started_at = game.credits, now
        cancel = NEVER if self.cancel_after is None else CancelAfter(self.clock, self.cancel_after)
        self.result = worker.run(WorkerJob(OPERATION, self.ship, opportunity), cancel)


def _placed(world: WorkerWorld) -> set[WaypointSymbol]:
    return {HOME, world.factory, world.sell_market, *(w for w, _ in world.sources.values())}


def _world(context) -> WorkerWorld:
    if not hasattr(context, "worker_world"):
        context.worker_world = WorkerWorld()
    return context.worker_world


def _trades(context, good: str, side: TradeSide, waypoint: str | None = None):
    world = _world(context)
    assert world.game is not None, "the worker has not run"
    return world.game.trades_of(good, side, waypoint)


# --- Given -------------------------------------------------------------------------------------------------


@given(r'ship "(?P<ship>[A-Z0-9_-]+)" with (?P<cargo>\d+) cargo capacity')
def step_ship_with_cargo(context, ship, cargo):
    world = _world(context)
    world.ship, world.cargo = ShipSymbol(ship), int(cargo)


@given(rf"a manufacturing opportunity for {GOOD} at {WAYPOINT} for (?P<price>\d+) credits")
def step_opportunity_at(context, good, waypoint, price):
    world = _world(context)
    world.good, world.sell_market, world.bid = TradeSymbol.parse(good), WaypointSymbol(waypoint), int(price)


@given(rf"a manufacturing opportunity for {GOOD}")
def step_opportunity(context, good):
    _world(context).good = TradeSymbol.parse(good)


@given(rf"{GOOD} is available at {WAYPOINT} for (?P<price>\d+) credits")
def step_input_available(context, good, waypoint, price):
    _world(context).sources[TradeSymbol.parse(good)] = (WaypointSymbol(waypoint), int(price))


@given(rf"{WAYPOINT} is a manufacturing waypoint for {GOOD}")
def step_factory(context, waypoint, good):
    world = _world(context)
    assert world.good == TradeSymbol.parse(good), f"the opportunity is for {world.good}, not {good}"
    world.factory = WaypointSymbol(waypoint)


@given(r"inputs have been delivered to manufacturing waypoint")
def step_inputs_delivered(context):
    _world(context).inputs_delivered = True


@given(r"the context is cancelled after (?P<seconds>\d+) seconds")
def step_cancel_after(context, seconds):
    _world(context).cancel_after = float(seconds)


# --- When --------------------------------------------------------------------------------------------------


@when(r"the worker executes")
def step_worker_executes(context):
    _world(context).run()


# --- Then --------------------------------------------------------------------------------------------------


@then(rf"it should acquire {GOOD} at {WAYPOINT}")
def step_acquired(context, good, waypoint):
    bought = _trades(context, good, TradeSide.PURCHASE, waypoint)
    assert bought, f"no {good} bought at {waypoint}"
    assert all(t.units <= 10 for t in bought), "a lot exceeded the trade volume"


@then(rf"it should deliver {GOOD} to {WAYPOINT}")
def step_delivered(context, good, waypoint):
    delivered = sum(t.units for t in _trades(context, good, TradeSide.SELL, waypoint))
    bought = sum(t.units for t in _trades(context, good, TradeSide.PURCHASE))
    assert delivered > 0 and delivered == bought, f"bought {bought} {good}, delivered {delivered} to {waypoint}"


@then(rf"it should poll until {GOOD} appears")
def step_polled(context, good):
    world = _world(context)
    [factory] = world.game.factories[world.factory]
    assert factory.output == TradeSymbol.parse(good)
    assert factory.fed_at is not None and factory.produced_at is not None
    waiting_polls = [at for at, priced in world.game.polls_of(world.factory)
                     if priced and factory.fed_at <= at < factory.produced_at]
    assert len(waiting_polls) >= 2, "it did not keep looking while the output was SCARCE"
    first_purchase = _trades(context, good, TradeSide.PURCHASE)[0]
    assert first_purchase.occurred_at >= factory.produced_at, "it bought before the factory produced"


@then(rf"it should purchase {GOOD}")
def step_purchased(context, good):
    world = _world(context)
    bought = _trades(context, good, TradeSide.PURCHASE, world.factory)
    assert sum(t.units for t in bought) == world.cargo, f"bought {sum(t.units for t in bought)} of {world.cargo}"


@then(rf"it should navigate to {WAYPOINT}")
def step_navigated(context, waypoint):
    world = _world(context)
    assert world.game.departures[-1].destination == WaypointSymbol(waypoint)
    assert world.game.ship(world.ship).waypoint == WaypointSymbol(waypoint)


@then(rf"it should sell {GOOD}")
def step_sold(context, good):
    world = _world(context)
    sold = sum(t.units for t in _trades(context, good, TradeSide.SELL, world.sell_market))
    assert sold == world.result.quantity_sold == world.cargo
    assert world.game.ship(world.ship).units_of(TradeSymbol.parse(good)) == 0


@then(r"the result should show positive profit")
def step_positive_profit(context):
    world = _world(context)
    result = world.result
    assert result.success and result.error is None, result.error
    assert result.profit > 0, f"profit {result.profit}"
    assert result.profit == world.game.credits - world.credits_before == world.ledger.net()


@then(r"it should exit gracefully")
def step_exit_gracefully(context):
    world = _world(context)
    result = world.result
    assert result is not None and result.cancelled and not result.success
    waited = (world.clock.now() - world.started_at).total_seconds()
    assert 30 <= waited <= 30 + ProductionConfig().wait_slice, f"stopped after {waited} s"
    [factory] = world.game.factories[world.factory]
    assert factory.fed_at is not None and factory.produced_at is None, "it was not waiting on the factory"
    assert result.profit == world.game.credits - world.credits_before  # what it did is in the ledger


@then(r"it should release the ship back to idle")
def step_released(context):
    world = _world(context)
    assert world.assignments.holder_of(world.ship) is None
    assert all(a.ship != world.ship for a in world.assignments.assigned())


@then(r"it should not report an error \(context cancellation is expected\)")
def step_no_error(context):
    result = _world(context).result
    assert result.error is None and result.outcome == "cancelled"


use_step_matcher("parse")  # leave behave's default for the step modules loaded after this one
