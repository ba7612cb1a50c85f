"""The ManufacturingArbitrageWorker end to end on the FakeGame: profit from the ledger, cancellation, failures."""
from __future__ import annotations

from datetime import timedelta

from application.game_errors import GameUnavailable
from application.navigation import Navigator
from application.production_executor import ProductionConfig, ProductionExecutor
from application.worker import ManufacturingArbitrageWorker
from application.worker_jobs import MAX_ERROR_LENGTH, WorkerJob, WorkerResult, failure_line, ledger_unreadable
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.trade import TradeSide
from tests.fake_game import CancelAfter, CancelFlag, MachineryWorld, machinery_world
from tests.fake_repositories import InMemoryLedgerRepository, InMemoryShipAssignmentRepository
from tests.fakes import FakeClock, InMemoryMarketRepository

MACHINERY, IRON = TradeSymbol.MACHINERY, TradeSymbol.IRON
OPERATION = "op-42"


class Harness:
    """A worker on a MachineryWorld with in-memory repositories; the ship is held by OPERATION."""

    def __init__(self, world: MachineryWorld, ledger: InMemoryLedgerRepository | None = None, **config) -> None:
        self.world, self.game, self.clock = world, world.game, world.game.clock
        self.ledger = ledger or InMemoryLedgerRepository()
        self.assignments = InMemoryShipAssignmentRepository()
        self.markets = InMemoryMarketRepository(self.game.snapshots())
        navigator = Navigator(self.game, self.clock, self.markets, self.assignments)
        executor = ProductionExecutor(self.game, navigator, self.clock, self.markets, self.assignments,
                                      ProductionConfig(**config))
        self.worker = ManufacturingArbitrageWorker(self.game, self.ledger, navigator, executor, self.clock,
                                                   assignments=self.assignments, markets=self.markets)
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
