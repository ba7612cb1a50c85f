"""The ManufacturingArbitrageWorker end to end on the FakeGame: profit from the ledger, cancellation, failures."""
from __future__ import annotations

from datetime import timedelta

from application.game_errors import GameUnavailable
from application.navigation import Navigator
from application.production_executor import ProductionConfig, ProductionExecutor
from application.usual_bids import SaturatedImports
from application.worker import ManufacturingArbitrageWorker
from application.worker_jobs import MAX_ERROR_LENGTH, WorkerJob, WorkerResult, failure_line, ledger_unreadable
from domain.goods import TradeGoodType, TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.trade import TradeSide
from domain.usual_bid import UsualBid, UsualBidRule
from tests.fake_game import CancelAfter, CancelFlag, MachineryWorld, fuel_everywhere, machinery_world
from tests.fake_repositories import InMemoryLedgerRepository, InMemoryShipAssignmentRepository, InMemoryUsualBids
from tests.fakes import FakeClock, InMemoryMarketRepository

MACHINERY, IRON = TradeSymbol.MACHINERY, TradeSymbol.IRON
OPERATION = "op-42"


class Harness:
    """A worker on a MachineryWorld with in-memory repositories; the ship is held by OPERATION."""

    def __init__(self, world: MachineryWorld, ledger: InMemoryLedgerRepository | None = None, *,
                 usual: dict[str, int] | None = None, **config) -> None:
        self.world, self.game, self.clock = world, world.game, world.game.clock
        self.ledger = ledger or InMemoryLedgerRepository()
        self.assignments = InMemoryShipAssignmentRepository()
        self.markets = InMemoryMarketRepository(self.game.snapshots())
        navigator = Navigator(self.game, self.clock, self.markets, self.assignments)
        executor = ProductionExecutor(self.game, navigator, self.clock, self.markets, self.assignments,
                                      ProductionConfig(**config))
        # What each MACHINERY import usually paid, from a day of observations before this run.
        self.usual = InMemoryUsualBids()
        day_ago = self.clock.now() - timedelta(days=1)
        self.usual.save([UsualBid(market, MACHINERY, float(bid), self.clock.now(), day_ago)
                         for market, bid in (usual or {}).items()])
        saturated = SaturatedImports(self.usual, UsualBidRule()) if usual is not None else None
        self.worker = ManufacturingArbitrageWorker(self.game, self.ledger, navigator, executor, self.clock,
                                                   assignments=self.assignments, markets=self.markets,
                                                   saturated=saturated)
        self.assignments.try_assign(world.ship, OPERATION, "coordinator-1", self.clock.now() + timedelta(hours=6),
                                    self.clock.now())
        self.opportunity = world.opportunity()
        self.credits_before = self.game.credits

    def run(self, cancel=None) -> WorkerResult:
        job = WorkerJob(OPERATION, self.world.ship, self.opportunity)
        return self.worker.run(job) if cancel is None else self.worker.run(job, cancel)

    @property
    def credit_change(self) -> int:
        return self.game.credits - self.credits_before


def test_a_run_makes_and_sells_and_its_profit_is_the_change_of_credits():
    harness = Harness(machinery_world(FakeClock()))

    result = harness.run()

    assert (result.success, result.cancelled, result.error) == (True, False, None)
    assert result.quantity_sold == 40
    assert result.profit > 0
    assert result.profit == harness.credit_change
    sold = sum(t.total for t in harness.game.trades if t.side is TradeSide.SELL)
    spent = sum(t.total for t in harness.game.trades if t.side is TradeSide.PURCHASE)
    assert (result.revenue, result.cost) == (sold, spent + sum(r.total for r in harness.game.refuels))
    assert harness.game.ship(harness.world.ship).inventory == {}
    assert harness.game.ship(harness.world.ship).waypoint == harness.world.sell_market
    assert result.started_at < result.finished_at == harness.clock.now()


def test_profit_counts_the_rows_of_its_own_operation_only():
    ledger = InMemoryLedgerRepository()
    clock = FakeClock()
    ledger.record(LedgerTransaction(type=TransactionType.DEBIT, category=TransactionCategory.SHIP_PURCHASE,
                                    amount=250_000, occurred_at=clock.now(), operation_id="fleet"))
    harness = Harness(machinery_world(clock), ledger)
    result = harness.run()
    assert result.profit == harness.credit_change
    assert ledger.net() == harness.credit_change - 250_000


def test_the_ship_is_released_and_its_activity_cleared_at_the_end():
    harness = Harness(machinery_world(FakeClock()))
    harness.run()
    assert harness.assignments.holder_of(harness.world.ship) is None
    shown = harness.assignments.activities[harness.world.ship]
    assert "selling MACHINERY at X1-A1" in shown
    assert harness.assignments.assigned() == []  # its activity went with its assignment


def test_cancelled_while_waiting_for_the_factory_is_not_an_error():
    clock = FakeClock()
    harness = Harness(machinery_world(clock, production_delay=None))

    result = harness.run(CancelAfter(clock, 1800))

    assert (result.cancelled, result.success, result.error, result.outcome) == (True, False, None, "cancelled")
    assert harness.assignments.holder_of(harness.world.ship) is None
    # What it bought and delivered before the cancel is counted, and matches the credits.
    assert result.cost > 0 and result.profit == harness.credit_change
    assert clock.now() - result.started_at <= timedelta(seconds=1800 + 5)


def test_cancelled_before_it_starts_does_nothing():
    flag = CancelFlag()
    flag.set()
    harness = Harness(machinery_world(FakeClock()))
    result = harness.run(flag)
    assert result.cancelled and result.error is None
    assert harness.game.trades == [] and harness.game.departures == []


def test_a_game_failure_is_one_line_naming_what_is_left_in_the_hold():
    harness = Harness(machinery_world(FakeClock()))
    harness.game.fail_next("navigate", GameUnavailable("server down\nafter 6 attempts"), after=2)  # to X1-A1

    result = harness.run()

    assert (result.success, result.cancelled) == (False, False)
    assert result.error == "GameUnavailable: server down after 6 attempts; hold: 40 MACHINERY"
    assert result.profit == harness.credit_change < 0  # the outlay is real and counted
    assert harness.assignments.holder_of(harness.world.ship) is None


def test_a_production_timeout_is_reported():
    harness = Harness(machinery_world(FakeClock(), production_delay=None), production_poll_interval=60,
                      production_timeout=600)
    result = harness.run()
    assert not result.success and result.error.startswith("ProductionTimeout: MACHINERY at X1-C1")


def test_a_run_that_fed_its_factory_at_a_profit_ends_without_flying_to_the_sell_market():
    harness = Harness(machinery_world(FakeClock(), iron_ask=300, production_delay=None), production_poll_interval=60,
                      max_output_wait=300)
    result = harness.run()
    assert result.success and result.quantity_sold == 0 and result.profit == harness.credit_change > 0
    assert harness.game.ship(harness.world.ship).waypoint == harness.world.factory
    assert harness.assignments.holder_of(harness.world.ship) is None


def test_selling_stops_when_the_bid_falls_below_the_cost_and_the_rest_is_reported():
    harness = Harness(machinery_world(FakeClock()))
    harness.game.markets[harness.world.sell_market][MACHINERY].impact = 0.6  # 2000, then 800: below cost

    result = harness.run()

    sales = harness.game.trades_of(MACHINERY, TradeSide.SELL)
    assert [t.price_per_unit for t in sales] == [2000]
    assert result.quantity_sold == 10 and not result.success
    assert result.error.startswith("30 MACHINERY left unsold at X1-A1: bid 800 below")
    assert harness.game.ship(harness.world.ship).inventory == {MACHINERY: 30}


def test_the_sale_floor_is_what_the_output_was_bought_for_not_what_feeding_lost():
    # MACHINERY bought at 900-984 a unit, IRON fed at a loss of 80 a unit (1,022 a unit in all): a bid of 1000
    # covers what the output costs to buy again, and the feeding is spent whether the goods are sold or kept.
    harness = Harness(machinery_world(FakeClock()))
    harness.game.markets[harness.world.sell_market][MACHINERY].impact = 0.5  # 2000, 1000, then 500

    result = harness.run()

    bought = harness.game.trades_of(MACHINERY, TradeSide.PURCHASE)
    spent = -sum(t.total for t in harness.game.trades_of(IRON, TradeSide.SELL)) + sum(
        t.total for t in harness.game.trades_of(IRON, TradeSide.PURCHASE)) + sum(t.total for t in bought)
    assert spent / 40 > 1000 > max(t.price_per_unit for t in bought)
    assert [t.price_per_unit for t in harness.game.trades_of(MACHINERY, TradeSide.SELL)] == [2000, 1000]
    assert result.error.startswith("20 MACHINERY left unsold at X1-A1: bid 500 below 942 (1 x cost 942/unit)")


def test_the_latest_observed_sale_bid_caps_the_output_price():
    clock = FakeClock()
    harness = Harness(machinery_world(clock), min_margin=0.0, sale_impact_per_lot=0.0)
    harness.game.markets[harness.world.sell_market][MACHINERY].bid = 950  # a probe saw the bid fall
    clock.advance(1)
    harness.markets.record(harness.game.snapshot("X1-A1"))

    harness.run()

    assert [t.price_per_unit for t in harness.game.trades_of(MACHINERY, TradeSide.PURCHASE)] == [900, 927]


def with_other_imports(world: MachineryWorld, **bids: int) -> MachineryWorld:
    """`world` with further MACHINERY imports near the sell market X1-A1, paying `bids` (waypoint suffix: bid)."""
    for n, (suffix, bid) in enumerate(sorted(bids.items())):
        world.game.add_waypoint(f"X1-{suffix}", 230 + 30 * n, -60)
        world.game.add_good(f"X1-{suffix}", "MACHINERY", TradeGoodType.IMPORT, ask=4000, bid=bid, trade_volume=10)
    fuel_everywhere(world.game)
    return world


def test_a_sell_market_dumped_into_meanwhile_gets_nothing_and_the_load_goes_to_the_next_best_imports():
    world = with_other_imports(machinery_world(FakeClock()), D1=1500, E1=1300, F1=1200)
    harness = Harness(world, usual={"X1-A1": 2000})
    # Another agent sold MACHINERY into X1-A1 while ours was being made: 57% of its usual bid, still above the cost.
    harness.game.markets[world.sell_market][MACHINERY].bid = 1150
    harness.game.markets["X1-D1"][MACHINERY].impact = 0.5  # 1500, then 750: the rest goes on to the next import

    result = harness.run()

    sold = {where: sum(t.units for t in harness.game.trades_of(MACHINERY, TradeSide.SELL) if t.waypoint == where)
            for where in ("X1-A1", "X1-D1", "X1-E1", "X1-F1")}
    assert sold == {"X1-A1": 0, "X1-D1": 10, "X1-E1": 30, "X1-F1": 0}
    assert (result.success, result.error, result.quantity_sold) == (True, None, 40)
    assert result.profit == harness.credit_change
    shown = [a for a in harness.assignments.activities[world.ship] if a.startswith("selling")]
    assert shown == ["selling MACHINERY at X1-A1", "selling MACHINERY at X1-D1", "selling MACHINERY at X1-E1"]


def test_what_the_sell_market_no_longer_takes_above_the_cost_goes_on_to_the_next_best_import():
    world = with_other_imports(machinery_world(FakeClock()), D1=1500, E1=900)
    harness = Harness(world)
    harness.game.markets[world.sell_market][MACHINERY].impact = 0.6  # 2000, then 800: below the ~940 paid

    result = harness.run()

    sold = {where: sum(t.units for t in harness.game.trades_of(MACHINERY, TradeSide.SELL) if t.waypoint == where)
            for where in ("X1-A1", "X1-D1", "X1-E1")}
    assert sold == {"X1-A1": 10, "X1-D1": 30, "X1-E1": 0}  # X1-E1 pays less than the units cost: no trip
    assert (result.success, result.quantity_sold) == (True, 40)


def test_a_dumped_sell_market_with_no_other_import_worth_the_trip_keeps_the_goods_and_says_why():
    # X1-D1 is dumped into as well (known: 50% of its usual 3000); X1-E1 pays less than the units cost.
    world = with_other_imports(machinery_world(FakeClock()), D1=1500, E1=900)
    harness = Harness(world, usual={"X1-A1": 2000, "X1-D1": 3000})
    harness.game.markets[world.sell_market][MACHINERY].bid = 1150

    result = harness.run()

    assert harness.game.trades_of(MACHINERY, TradeSide.SELL) == []
    assert harness.game.ship(world.ship).inventory == {MACHINERY: 40}
    assert harness.game.ship(world.ship).waypoint == world.sell_market  # no trip for nothing
    assert not result.success and result.error.startswith(
        "40 MACHINERY left unsold at X1-A1: X1-A1 passed over: saturated: bid 1150 is 57% of its usual 2000; "
        "no other known market in X1 pays ")
    assert result.profit == harness.credit_change < 0


class UnreadableLedger(InMemoryLedgerRepository):
    def transactions_of_operation(self, operation_id):
        raise OSError("database is locked")


def test_run_never_raises_even_when_the_ledger_cannot_be_read():
    harness = Harness(machinery_world(FakeClock()), UnreadableLedger())
    result = harness.run()
    assert not result.success
    assert "database is locked" in result.error and "profit unknown" in result.error
    assert "\n" not in result.error


def test_the_sell_market_is_looked_at_on_arrival_and_after_the_first_lot_only():
    harness = Harness(machinery_world(FakeClock()))
    result = harness.run()
    assert result.quantity_sold == 40
    assert len(harness.game.trades_of(MACHINERY, TradeSide.SELL)) == 4
    assert len(harness.game.polls_of("X1-A1")) == 2


def test_an_error_line_is_one_line_of_bounded_length_and_says_when_the_ledger_could_not_be_read():
    long = RuntimeError("x" * 1000)
    assert failure_line(RuntimeError("  ")) == "RuntimeError: no detail"
    assert len(failure_line(long)) == MAX_ERROR_LENGTH
    assert ledger_unreadable(None, OSError("disk\ngone")) == "OSError: disk gone; ledger unreadable, profit unknown"
    assert ledger_unreadable("sold 3", OSError("disk")) == "sold 3; ledger unreadable, profit unknown"
    assert len(ledger_unreadable(failure_line(long), OSError("disk"))) == MAX_ERROR_LENGTH
