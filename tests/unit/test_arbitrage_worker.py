"""The ArbitrageWorker on the FakeGame: buys at a healthy export, sells down to a floor over several imports,
remembers where it dumped, respects its budget and a wind-down, and its profit is the change of credits."""
from __future__ import annotations

from datetime import timedelta

from application.arbitrage_worker import ArbitrageWorker, ArbitrageWorkerConfig
from application.navigation import Navigator
from application.usual_bids import SaturatedImports
from application.worker_jobs import WorkerJob, WorkerResult
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.ledger import TransactionCategory
from domain.trade import TradeSide
from domain.trade_route import TradeRoute
from domain.usual_bid import UsualBid, UsualBidRule
from tests.fake_game import CancelFlag, FakeGame
from tests.fake_repositories import (
    InMemoryDumpedMarkets, InMemoryLedgerRepository, InMemoryShipAssignmentRepository, InMemoryUsualBids,
)
from tests.fakes import FakeClock, InMemoryMarketRepository

IRON = TradeSymbol.IRON
A, B, C = "X1-AW-A1", "X1-AW-B2", "X1-AW-C3"
OPERATION = "arb-1"
SHIP = "AGENT-1"


class Fired:
    def cancelled(self) -> bool:
        return True


class Harness:
    def __init__(self, *, budget: int | None = None, export_supply_step: int | None = None,
                 b_impact: float | None = None, usual: dict[str, int] | None = None, **config) -> None:
        self.clock = FakeClock()
        self.game = FakeGame(self.clock, credits=100_000)
        for symbol, x in ((A, 0), (B, 40), (C, 60)):
            self.game.add_waypoint(symbol, x, 0)
        self.export = self.game.add_good(A, IRON, TradeGoodType.EXPORT, ask=100, bid=50,
                                         supply=SupplyLevel.HIGH, supply_step_units=export_supply_step)
        self.b = self.game.add_good(B, IRON, TradeGoodType.IMPORT, ask=600, bid=300, supply=SupplyLevel.LIMITED)
        self.b.impact = b_impact
        self.c = self.game.add_good(C, IRON, TradeGoodType.IMPORT, ask=500, bid=250, supply=SupplyLevel.LIMITED)
        self.game.add_ship(SHIP, A, cargo_capacity=40)
        self.ledger = InMemoryLedgerRepository()
        self.assignments = InMemoryShipAssignmentRepository()
        self.markets = InMemoryMarketRepository(self.game.snapshots())
        self.dumps = InMemoryDumpedMarkets()
        navigator = Navigator(self.game, self.clock, self.markets, self.assignments)
        # What each import usually paid, from a day of observations before this run.
        self.usual = InMemoryUsualBids()
        day_ago = self.clock.now() - timedelta(days=1)
        self.usual.save([UsualBid(market, IRON, float(bid), self.clock.now(), day_ago)
                         for market, bid in (usual or {}).items()])
        saturated = SaturatedImports(self.usual, UsualBidRule()) if usual is not None else None
        self.worker = ArbitrageWorker(self.game, self.ledger, navigator, self.clock, markets=self.markets,
                                      dumps=self.dumps, assignments=self.assignments,
                                      config=ArbitrageWorkerConfig(**config), saturated=saturated)
        self.assignments.try_assign(SHIP, OPERATION, "run-1", self.clock.now() + timedelta(hours=6), self.clock.now())
        self.route = TradeRoute(good=IRON, buy_market=A, sell_market=B, ask=100, bid=300, trade_volume=10,
                                buy_supply=SupplyLevel.HIGH, observed_at=self.clock.now(),
                                discovered_at=self.clock.now(), alternatives=(C,))
        self.budget = budget
        self.credits_before = self.game.credits

    def run(self, cancel=None, wind_down=None) -> WorkerResult:
        job = WorkerJob(OPERATION, SHIP, None, run_id="run-1", route=self.route, budget=self.budget)
        kwargs = {k: v for k, v in (("cancel", cancel), ("wind_down", wind_down)) if v is not None}
        return self.worker.run(job, **kwargs)

    def units(self, side: TradeSide, where: str | None = None) -> int:
        return sum(t.units for t in self.game.trades if t.side is side and (where is None or t.waypoint == where))


def test_a_run_buys_a_full_hold_sells_it_and_books_its_profit_under_its_own_category():
    harness = Harness()

    result = harness.run()

    assert (result.success, result.error) == (True, None)
    assert harness.units(TradeSide.PURCHASE, A) == 40 and harness.units(TradeSide.SELL, B) == 40
    assert result.quantity_sold == 40
    assert result.profit > 0 and result.profit == harness.game.credits - harness.credits_before
    assert result.kind == "arbitrage"
    assert {row.category for row in harness.ledger.rows if row.good == IRON} == {TransactionCategory.TRADE_ARBITRAGE}
    assert harness.assignments.assigned() == []  # the ship was released


def test_buying_stops_when_the_export_supply_falls_below_moderate():
    harness = Harness(export_supply_step=10)  # HIGH -> MODERATE after 10 units, LIMITED after 20

    result = harness.run()

    assert harness.units(TradeSide.PURCHASE, A) == 20  # no lot once the supply is LIMITED
    assert result.success and result.quantity_sold == 20


def test_an_export_whose_ask_ran_away_is_not_bought_from():
    harness = Harness()
    harness.export.ask = 140  # past 1.3 x the route's 100

    result = harness.run()

    assert not result.success and "ask 140" in result.error
    assert harness.game.trades == [] and result.profit == 0


def test_selling_stops_at_the_bid_floor_moves_on_to_the_next_import_and_remembers_the_dump():
    harness = Harness(b_impact=0.2)  # each lot sold at B cuts its bid by 20%

    result = harness.run()

    # 300 -> 240 -> 192: below 70% of 300 after two lots; the rest goes to C.
    assert harness.units(TradeSide.SELL, B) == 20 and harness.units(TradeSide.SELL, C) == 20
    assert result.success and result.profit == harness.game.credits - harness.credits_before
    (mark,) = harness.dumps.marks.values()
    assert (mark.market, mark.good, mark.bid_before, mark.bid_after) == (B, IRON, 300, 192)
    assert mark.until - mark.at == timedelta(seconds=ArbitrageWorkerConfig().dump_recovery)


def test_an_import_someone_dumped_into_since_the_route_was_found_is_passed_over_on_arrival():
    harness = Harness(usual={B: 300, C: 250})
    harness.b.bid = 150  # another agent sold into B meanwhile: half its usual bid, its supply still LIMITED

    result = harness.run()

    assert harness.units(TradeSide.SELL, B) == 0 and harness.units(TradeSide.SELL, C) == 40
    assert result.success and result.profit == harness.game.credits - harness.credits_before


def test_a_dumped_alternative_import_is_not_even_travelled_to():
    harness = Harness(b_impact=0.2, usual={B: 300, C: 500})  # C usually pays 500: at 250 it is down by half

    result = harness.run()

    assert harness.units(TradeSide.SELL, B) == 20 and harness.units(TradeSide.SELL, C) == 0
    assert not result.success and "X1-AW-C3 passed over: saturated: bid 250 is 50% of its usual 500" in result.error
    assert harness.game.ship(SHIP).waypoint == B


def test_without_the_usual_bids_the_same_dumped_import_is_sold_into():
    harness = Harness()
    harness.b.bid = 150

    harness.run()

    assert harness.units(TradeSide.SELL, B) == 40


def test_cargo_no_import_pays_for_is_left_with_the_reason():
    harness = Harness(b_impact=0.2)
    harness.c.bid = 90  # below what the units cost

    result = harness.run()

    assert harness.units(TradeSide.SELL, C) == 0
    assert not result.success and result.error.startswith("20 IRON left unsold")


def test_the_budget_caps_what_a_run_buys():
    harness = Harness(budget=2_500)

    harness.run()

    bought = sum(t.total for t in harness.game.trades if t.side is TradeSide.PURCHASE)
    assert 0 < bought <= 2_500


def test_a_wind_down_before_buying_buys_nothing_and_a_hard_cancel_abandons():
    harness = Harness()
    result = harness.run(wind_down=Fired())
    assert harness.game.trades == [] and result.cancelled and result.error is None

    cancel = CancelFlag()
    cancel.set()
    result = Harness().run(cancel=cancel)
    assert result.cancelled and result.error is None
