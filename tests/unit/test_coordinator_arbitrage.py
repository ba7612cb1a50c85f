"""Manufacturing and trade arbitrage on one coordinator and one idle pool: limits per kind, one ship per lane,
one account budget, trade losses paused, lanes' recorded profit fed to the ranking, and a draining stop."""
from __future__ import annotations

from datetime import timedelta

import pytest

from application.coordinator import CoordinatorConfig, LossPause, ManufacturingArbitrageCoordinator
from application.fleet_manager import FleetConfig, FleetManager
from application.trade_route_finder import TradeRouteFinder
from application.wind_down import DRAINING, RunWindDown
from application.work_allocation import route_signal_per_hour, signal_per_hour
from application.worker_jobs import WorkerResult
from domain.geometry import Position
from domain.errors import InvalidValue
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.market import MarketSnapshot, MarketTradeGood
from domain.symbols import WaypointSymbol
from plugins.trade_route_ranker import PluginRouteRanker
from tests.fake_coordination import (
    SYSTEM, FixedDemand, InMemoryRuns, RecordingMetrics, ScriptedPool, add_ship, make_opportunity,
)
from tests.fake_game import FakeGame
from tests.fake_repositories import (
    InMemoryDumpedMarkets, InMemoryLedgerRepository, InMemoryShipAssignmentRepository,
)
from tests.fakes import FakeClock, FirstShipSelector, InMemoryMarketRepository

HOME = f"{SYSTEM}-A1"
IRON, COPPER = TradeSymbol.IRON, TradeSymbol.COPPER


def entry(good, kind, ask, bid, supply=SupplyLevel.MODERATE):
    return MarketTradeGood(symbol=good, type=kind, trade_volume=10, supply=supply, ask=ask, bid=bid)


class World:
    def __init__(self, ships: int = 3, opportunities=(), *, credits: int = 175_000, cargo_capacity: int | None = None,
                 **config) -> None:
        self.clock = FakeClock()
        self.game = FakeGame(self.clock, credits=credits)
        self.game.add_waypoint(HOME, 0, 0)
        for index in range(1, ships + 1):
            add_ship(self.game, f"AGENT-{index}", HOME,
                     **({} if cargo_capacity is None else {"cargo_capacity": cargo_capacity}))
        self.assignments = InMemoryShipAssignmentRepository()
        self.runs = InMemoryRuns()
        self.pool = ScriptedPool(self.clock)
        self.ledger = InMemoryLedgerRepository()
        self.markets = InMemoryMarketRepository()
        self.finder = TradeRouteFinder(self.markets, PluginRouteRanker("learned_ranking"), self.clock,
                                       InMemoryDumpedMarkets())
        self.fleet = FleetManager(self.game, self.assignments, self.ledger, self.clock, SYSTEM, holder="run-test",
                                  config=FleetConfig(max_haulers=0, max_probes=0))
        config.setdefault("arbitrage_max_workers", 2)
        self.coordinator = ManufacturingArbitrageCoordinator(
            player="AGENT", system=SYSTEM, game=self.game, demand_finder=FixedDemand(self.clock, opportunities),
            ship_selector=FirstShipSelector(), assignments=self.assignments, runs=self.runs, pool=self.pool,
            clock=self.clock, fleet=self.fleet, ledger=self.ledger, config=CoordinatorConfig(**config),
            metrics=RecordingMetrics(), run_id="run-test", route_finder=self.finder, markets=self.markets)
        # Two lanes: IRON A2 -> B3 (2,000 a lot) and COPPER A2 -> C4 (1,000 a lot).
        self.market("A2", entry(IRON, TradeGoodType.EXPORT, 100, 50), entry(COPPER, TradeGoodType.EXPORT, 100, 50))
        self.market("B3", entry(IRON, TradeGoodType.IMPORT, 600, 300))
        self.market("C4", entry(COPPER, TradeGoodType.IMPORT, 400, 200))

    def market(self, name: str, *goods: MarketTradeGood) -> None:
        self.markets.record(MarketSnapshot(WaypointSymbol(f"{SYSTEM}-{name}"), self.clock.now(),
                                           trade_goods={g.symbol: g for g in goods}, position=Position(10, 0)))

    def cycle(self):
        self.coordinator.start()
        self.coordinator.discovery_cycle()
        self.coordinator.route_discovery_cycle()
        return self.coordinator.assignment_cycle()


def test_manufacturing_takes_at_most_its_maximum_and_arbitrage_gets_the_other_idle_ships():
    world = World(ships=4, opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000),
                                          make_opportunity("MACHINERY", f"{SYSTEM}-M2", 2900,
                                                           factory=f"{SYSTEM}-F2")], max_workers=1)

    jobs = world.cycle()

    assert sorted(job.kind for job in jobs) == ["arbitrage", "arbitrage", "manufacturing"]
    assert sorted(job.operation_id[:4] for job in jobs) == ["arb-", "arb-", "mfg-"]
    assert [str(job.route.good) for job in jobs if job.route is not None] == ["IRON", "COPPER"]
    assert len({job.ship for job in jobs}) == 3
    assert world.coordinator.assignment_cycle() == []  # one ship per lane: the fourth ship waits


def test_route_discovery_saves_the_ranked_routes_for_status():
    world = World(ships=1)
    world.coordinator.start()

    routes = world.coordinator.route_discovery_cycle()

    assert [route.good for route in routes] == [IRON, COPPER]
    assert world.runs.routes("run-test") == routes  # as ranked, whole
    world.markets.record(MarketSnapshot(WaypointSymbol(f"{SYSTEM}-B3"), world.clock.now(), trade_goods={},
                                        position=Position(10, 0)))  # IRON's import is gone
    assert [route.good for route in world.runs.routes("run-test")] == [IRON, COPPER]
    world.coordinator.route_discovery_cycle()
    assert [route.good for route in world.runs.routes("run-test")] == [COPPER]  # replaced by the next discovery


def test_the_jobs_share_one_budget_above_the_reserve():
    world = World(cargo_capacity=1_000, ships=3, credits=100_000, credit_reserve=10_000, manufacturing_enabled=False,
                  arbitrage_max_workers=3, arbitrage_run_budget_share=1.0)
    world.market("D5", entry(TradeSymbol.QUARTZ_SAND, TradeGoodType.EXPORT, 100, 50))
    world.market("E6", entry(TradeSymbol.QUARTZ_SAND, TradeGoodType.IMPORT, 800, 400))

    jobs = world.cycle()

    assert len(jobs) == 3
    assert sum(job.budget for job in jobs) <= 90_000
    assert all(job.budget >= 29_000 for job in jobs)


def test_no_job_is_allotted_the_cash_that_fills_every_tank():
    # Three light haulers, 600 fuel each at 90 a unit: 162,000 stays in cash, so a run can always refuel to sell its
    # cargo; 90,000 is left to share out above the reserve.
    world = World(cargo_capacity=1_000, ships=3, credits=262_000, credit_reserve=10_000, manufacturing_enabled=False,
                  arbitrage_max_workers=3, arbitrage_run_budget_share=1.0, fuel_unit_allowance=90)
    world.market("D5", entry(TradeSymbol.QUARTZ_SAND, TradeGoodType.EXPORT, 100, 50))
    world.market("E6", entry(TradeSymbol.QUARTZ_SAND, TradeGoodType.IMPORT, 800, 400))
    jobs = world.cycle()
    assert len(jobs) == 3 and sum(job.budget for job in jobs) <= 90_000
    assert all(job.budget >= 29_000 for job in jobs)


def test_a_job_gets_at_most_its_share_so_ships_can_still_be_bought():
    world = World(cargo_capacity=1_000, ships=1, credits=100_000, credit_reserve=10_000, manufacturing_enabled=False)
    (job,) = world.cycle()
    assert job.budget == 45_000  # arbitrage.run_budget_share 0.5 of the 90,000 free


def test_a_trade_job_is_allotted_no_more_than_a_full_hold_at_the_lanes_bid():
    world = World(ships=1, credits=1_000_000, manufacturing_enabled=False)
    (job,) = world.cycle()
    assert (job.route.good, job.budget) == (IRON, 80 * 300)  # a light hauler's hold at B3's bid, not 499,000


def test_each_kind_is_allotted_at_most_its_own_share():
    trading = World(ships=1, credits=100_000, credit_reserve=10_000, manufacturing_enabled=False,
                    run_budget_share=0.9, arbitrage_run_budget_share=0.2)
    (trade,) = trading.cycle()
    assert (trade.kind, trade.budget) == ("arbitrage", 18_000)

    making = World(ships=1, credits=100_000, credit_reserve=10_000, arbitrage_max_workers=0,
                   run_budget_share=0.3, arbitrage_run_budget_share=0.9,
                   opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000)])
    (made,) = making.cycle()
    assert (made.kind, made.budget) == ("manufacturing", 27_000)


def test_money_promised_to_a_running_job_is_not_promised_again():
    world = World(cargo_capacity=1_000, ships=2, credits=100_000, credit_reserve=10_000, manufacturing_enabled=False,
                  arbitrage_max_workers=1)
    (first,) = world.cycle()
    world.coordinator.config = world.coordinator.config.__class__(
        **{**{f: getattr(world.coordinator.config, f) for f in world.coordinator.config.__dataclass_fields__},
           "arbitrage_max_workers": 2})
    second = world.coordinator.assignment_cycle()
    assert [job.budget for job in second] == [(90_000 - first.budget) // 2]


def test_losing_trades_pause_the_good_for_trading_only():
    world = World(ships=3, pause_after_losses=2, max_workers=1,
                  opportunities=[make_opportunity("IRON", f"{SYSTEM}-M1", 3000)])
    for _ in range(2):
        jobs = world.cycle()
        trade = next(job for job in jobs if job.kind == "arbitrage" and job.route.good == IRON)
        world.pool.end(trade.operation_id, revenue=1_000, cost=3_000)
        world.coordinator.collect_completions()
        world.clock.advance(1)

    assert IRON in world.coordinator.paused_trades()
    assert IRON not in world.coordinator.paused_goods()
    assert all(route.good != IRON for route in world.coordinator.route_discovery_cycle())


def test_trade_losses_pause_by_the_arbitrage_rule_not_the_manufacturing_one():
    # Manufacturing's rule would pause a good at its first loss; trading's waits for three, or one over 5,000.
    world = World(ships=2, pause_after_losses=1, pause_after_loss_over=0, pause_after_losses_for=60,
                  arbitrage_pause_after_losses=3, arbitrage_pause_after_losses_for=600,
                  arbitrage_pause_after_loss_over=5_000)

    running = {}

    def lose(good, cost):
        running.update({job.route.good: job for job in world.cycle()})
        world.pool.end(running.pop(good).operation_id, revenue=1_000, cost=cost)
        world.coordinator.collect_completions()

    for _ in range(2):
        lose(IRON, 3_000)
        assert IRON not in world.coordinator.paused_trades()
    lose(IRON, 3_000)
    assert world.coordinator.paused_trades()[IRON] == world.clock.now() + timedelta(seconds=600)
    lose(COPPER, 7_000)  # one run lost 6,000
    assert COPPER in world.coordinator.paused_trades()
    assert world.coordinator.paused_goods() == {}


def test_each_kind_has_its_own_loss_pause_and_budget_share():
    config = CoordinatorConfig(pause_after_losses=1, pause_after_losses_for=60, pause_after_loss_over=10,
                               run_budget_share=0.4, arbitrage_pause_after_losses=4,
                               arbitrage_pause_after_losses_for=900, arbitrage_pause_after_loss_over=90,
                               arbitrage_run_budget_share=0.7)
    assert config.loss_pause("manufacturing") == LossPause(1, 60, 10)
    assert config.loss_pause("arbitrage") == LossPause(4, 900, 90)
    assert (config.budget_share("manufacturing"), config.budget_share("arbitrage")) == (0.4, 0.7)
    with pytest.raises(InvalidValue):
        CoordinatorConfig(arbitrage_pause_after_losses=0)
    with pytest.raises(InvalidValue):
        CoordinatorConfig(arbitrage_run_budget_share=0)


def test_what_a_lane_earned_per_hour_reaches_the_learning_ranking():
    world = World(ships=2)
    ships = {ship.symbol: ship for ship in world.fleet.idle_ships()}
    jobs = world.cycle()
    copper = next(job for job in jobs if job.route.good == COPPER)
    at = Position(10, 0)
    # What the lane's prices promised the ship it was given to, from where that ship was.
    promised = route_signal_per_hour(copper.route, ships[copper.ship], at, at)
    assert promised < signal_per_hour(copper.route)  # the ship had a flight to make to the export first
    world.clock.advance(1800)
    world.pool.end(copper.operation_id, revenue=20_000, cost=10_000, sold=20, success=True)
    world.coordinator.collect_completions()
    world.market("A2", entry(IRON, TradeGoodType.EXPORT, 100, 50), entry(COPPER, TradeGoodType.EXPORT, 100, 50))
    world.market("B3", entry(IRON, TradeGoodType.IMPORT, 600, 300))
    world.market("C4", entry(COPPER, TradeGoodType.IMPORT, 400, 200))

    routes = world.coordinator.route_discovery_cycle()

    (recorded,) = [r for r in routes if r.good == COPPER]
    # 10,000 credits in half an hour (the lane's only run, and its kind's: the share is not drawn anywhere).
    assert recorded.recorded_profit_per_hour == 20_000.0
    assert recorded.recorded_share == pytest.approx(10_000 / (promised * 0.5))
    # Untried IRON is scored at COPPER's share of its signal (about 0.19): its margin is twice COPPER's.
    assert [str(r.good) for r in routes] == ["IRON", "COPPER"]


def test_draining_gives_out_no_work_and_tells_the_workers_to_wind_down():
    world = World(ships=3)
    jobs = world.cycle()
    token = RunWindDown(world.runs, "run-test", world.clock, every=0.0)
    assert not token.cancelled()

    world.coordinator.drain(0.0)

    assert world.runs.run_state("run-test") == DRAINING and token.cancelled()
    world.pool.end(jobs[0].operation_id, revenue=5, cost=1, sold=1, success=True)
    world.coordinator.collect_completions()
    assert world.coordinator.assignment_cycle() == []


def test_drain_waits_for_the_workers_until_abandoned():
    world = World(ships=2)
    world.cycle()

    class AbandonAfter:
        def __init__(self):
            self.asked = 0

        def cancelled(self):
            self.asked += 1
            return self.asked > 3

    abandon = AbandonAfter()
    world.coordinator.drain(3600.0, abandon=abandon)

    assert abandon.asked == 4
    assert world.clock.now() - world.runs.runs["run-test"].started_at < timedelta(hours=1)
    assert len(world.pool.running) == 2  # abandoning leaves the rest to shutdown, which cancels them


# --- one idle pool, two kinds: the better expected profit per ship-hour gets the ship ---------------------------


def past(kind: str, good: str, profit: int, hours: float = 1.0):
    """A finished run of an earlier process (its kind from its operation id), `profit` over `hours` of a ship."""
    finished = FakeClock().now() - timedelta(minutes=5)
    prefix = "mfg-" if kind == "manufacturing" else "arb-"
    return WorkerResult(operation_id=f"{prefix}{good}-{profit}", ship="AGENT-9", good=good,
                        started_at=finished - timedelta(hours=hours), finished_at=finished,
                        revenue=max(profit, 0) + 1_000, cost=1_000 - min(profit, 0), success=True)


def world_with_history(*results, **config):
    world = World(**config)
    world.runs.recorded += [(None, result) for result in results]
    return world


def test_the_ship_goes_to_trading_when_trading_earned_more_per_ship_hour():
    world = world_with_history(past("manufacturing", "ELECTRONICS", 50_000), past("arbitrage", "COPPER", 400_000),
                               ships=1, opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000)])

    (job,) = world.cycle()

    # The lanes in their ranking's order: untried IRON scored at what COPPER's record (of an earlier process, so
    # without a share) made of COPPER's price signal, on a margin twice COPPER's.
    assert job.kind == "arbitrage" and job.route.good == IRON


def test_the_ship_goes_to_manufacturing_when_manufacturing_earned_more_per_ship_hour():
    world = world_with_history(past("manufacturing", "ELECTRONICS", 900_000), past("arbitrage", "COPPER", 400_000),
                               past("arbitrage", "IRON", 300_000),
                               ships=1, opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000)])

    (job,) = world.cycle()

    assert job.kind == "manufacturing" and job.good == "ELECTRONICS"


def test_a_kind_never_run_is_tried_once_first():
    world = world_with_history(past("arbitrage", "COPPER", 400_000), ships=1,
                               opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000)])
    (job,) = world.cycle()
    assert job.kind == "manufacturing"


def test_untried_work_is_compared_by_its_price_signal_per_ship_hour():
    # Both kinds ran before, other goods: the routes' margin (200-500 a unit, minutes of flight) against a bid of
    # 3,000 a unit with the factory's ask unknown and the wait for production: trading earns more per ship-hour.
    history = (past("manufacturing", "MACHINERY", 100_000), past("arbitrage", "QUARTZ_SAND", 100_000))
    world = world_with_history(*history, ships=1,
                               opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000)])
    (job,) = world.cycle()
    assert job.kind == "arbitrage" and job.route.good == IRON

    # A bid so high that even with the wait for the factory it beats the lanes.
    rich = world_with_history(*history, ships=1,
                              opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 300_000)])
    (job,) = rich.cycle()
    assert job.kind == "manufacturing"


def test_each_kind_keeps_its_cap_whatever_it_earns():
    world = world_with_history(
        past("manufacturing", "ELECTRONICS", 900_000), past("manufacturing", "MACHINERY", 800_000),
        ships=4, max_workers=1, arbitrage_max_workers=1,
        opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000),
                       make_opportunity("MACHINERY", f"{SYSTEM}-M2", 2900, factory=f"{SYSTEM}-F2")])

    jobs = world.cycle()

    assert sorted(job.kind for job in jobs) == ["arbitrage", "manufacturing"]
    assert world.coordinator.assignment_cycle() == []  # two idle ships, both kinds at their caps


def test_an_import_one_kind_sells_into_is_not_given_to_the_other():
    # Making COPPER for C4 and the lane COPPER A2 -> C4 would both sell COPPER into C4.
    world = World(ships=3, opportunities=[make_opportunity("COPPER", f"{SYSTEM}-C4", 3000)])

    jobs = world.cycle()

    sold_into_c4 = [job for job in jobs if job.good == COPPER and job.sell_market == f"{SYSTEM}-C4"]
    assert len(sold_into_c4) == 1
    assert [job.route.good for job in jobs if job.route is not None and job.good == IRON] == [IRON]
    assert world.coordinator.assignment_cycle() == []  # the third ship waits rather than share C4


def test_manufacturing_keeps_off_the_markets_of_trade_lanes_whatever_either_earned():
    # Making COPPER for C4 and trading COPPER A2 -> C4 would both sell COPPER into C4. Trading may run one worker,
    # busy with IRON: the run is left out all the same, and the second ship waits rather than wear the lane's import.
    history = (past("arbitrage", "IRON", 900_000), past("arbitrage", "COPPER", 400_000))
    for made in (50_000, 2_000_000):  # even where the run earned more than the lane did
        world = world_with_history(*history, past("manufacturing", "COPPER", made), ships=2, arbitrage_max_workers=1,
                                   opportunities=[make_opportunity("COPPER", f"{SYSTEM}-C4", 3000)])
        assert [f"{job.kind} {job.good}" for job in world.cycle()] == ["arbitrage IRON"]
        assert world.coordinator.assignment_cycle() == []


def test_a_market_a_lane_buys_at_is_not_given_to_manufacturing():
    # The run would buy its input IRON at A2, where the lane IRON A2 -> B3 buys: the lane keeps A2.
    world = world_with_history(past("manufacturing", "ELECTRONICS", 900_000), past("arbitrage", "QUARTZ_SAND", 1),
                               ships=3, opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000,
                                                               source=f"{SYSTEM}-A2")])

    assert sorted(f"{job.kind} {job.good}" for job in world.cycle()) == ["arbitrage COPPER", "arbitrage IRON"]
    assert world.coordinator.assignment_cycle() == []


def test_a_run_gives_its_input_markets_back_once_its_ledger_shows_the_inputs_delivered():
    # The run buys IRON at A2 for its factory F1. A lane IRON A2 -> B3 found after it started waits for A2; once the
    # run has sold its IRON into F1 its purchases at A2 are over, and the lane starts while the run waits for output.
    world = world_with_history(past("manufacturing", "ELECTRONICS", 900_000), past("arbitrage", "QUARTZ_SAND", 1),
                               ships=3, opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000,
                                                               source=f"{SYSTEM}-A2")])
    world.market("B3")  # no IRON bought there yet: no lane for IRON
    run, lane = world.cycle()
    assert (run.kind, lane.good) == ("manufacturing", COPPER)
    world.market("B3", entry(IRON, TradeGoodType.IMPORT, 600, 300))
    world.coordinator.route_discovery_cycle()
    assert IRON in [route.good for route in world.coordinator.routes]
    assert world.coordinator.assignment_cycle() == []

    def row(kind, good, at):
        world.ledger.record(LedgerTransaction(
            type=kind, category=TransactionCategory.CARGO_TRADE, amount=1_000, occurred_at=world.clock.now(),
            operation_id=run.operation_id, good=TradeSymbol(good), units=10, ship=run.ship,
            waypoint=WaypointSymbol(f"{SYSTEM}-{at}")))

    row(TransactionType.DEBIT, "IRON", "A2")  # still buying inputs: A2 stays the run's
    assert world.coordinator.assignment_cycle() == []
    row(TransactionType.CREDIT, "IRON", "F1")
    assert [str(job.route.good) for job in world.coordinator.assignment_cycle()] == ["IRON"]


def test_a_finished_lane_waits_for_a_route_found_from_what_its_run_saw():
    world = World(ships=2, manufacturing_enabled=False, arbitrage_max_workers=1)
    (job,) = world.cycle()
    assert job.route.good == IRON and job.route.ask == 100
    # The run bought IRON at A2 (its ask is up) and sold it at B3; what it saw is recorded.
    world.market("A2", entry(IRON, TradeGoodType.EXPORT, 125, 60), entry(COPPER, TradeGoodType.EXPORT, 100, 50))
    world.pool.end(job.operation_id, revenue=6_000, cost=2_500, sold=20, success=True)
    world.coordinator.collect_completions()

    assert [r.good for r in world.coordinator.routes] == [COPPER]  # the IRON route at ask 100 is gone
    (started,) = world.coordinator.assignment_cycle()
    assert started.route.good == COPPER
    world.coordinator.tick()  # the next turn finds the lane again, at the ask the run left
    assert [r.ask for r in world.coordinator.routes if r.good == IRON] == [125]


def test_a_kind_whose_runs_earn_less_than_their_records_promised_is_expected_to_earn_that_share():
    # Manufacturing's records (900k and 850k a ship-hour) beat trading's (400k); its run on the best of them then
    # loses 900k in the hour. Its next lane's record is still above trading's, but manufacturing's runs have earned
    # a third of what their records said: the ship goes to trading.
    world = world_with_history(
        past("manufacturing", "ELECTRONICS", 900_000), past("manufacturing", "MACHINERY", 850_000),
        past("arbitrage", "COPPER", 400_000), past("arbitrage", "IRON", 400_000), ships=1,
        opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000),
                       make_opportunity("MACHINERY", f"{SYSTEM}-M2", 2900, factory=f"{SYSTEM}-F2")])
    (job,) = world.cycle()
    assert job.kind == "manufacturing" and job.good == "ELECTRONICS"

    world.clock.advance(3600)
    world.pool.end(job.operation_id, revenue=100_000, cost=1_000_000, sold=10)
    world.coordinator.collect_completions()
    (job,) = world.coordinator.assignment_cycle()

    assert job.kind == "arbitrage"


def test_trading_too_is_expected_to_earn_the_share_of_its_records_its_runs_earned(caplog):
    # The mirror image: trading's records (900k, 850k) beat manufacturing's (500k). Trading's first run earns half
    # its record, its second nothing: the lane it would run next still records more than manufacturing's, but
    # trading's runs earn 62% of their records, and that share of it less.
    world = world_with_history(
        past("arbitrage", "IRON", 900_000), past("arbitrage", "COPPER", 850_000),
        past("manufacturing", "ELECTRONICS", 500_000), ships=1, arbitrage_max_workers=1,
        opportunities=[make_opportunity("ELECTRONICS", f"{SYSTEM}-M1", 3000)])
    records = world.coordinator._records
    promised = []
    (job,) = world.cycle()
    for profit in (None, 0):
        assert job.kind == "arbitrage"
        promised.append(records.recent_per_hour("arbitrage", job.route.key, job.route.good))
        profit = promised[0] // 2 if profit is None else profit
        world.clock.advance(3600)
        world.pool.end(job.operation_id, revenue=max(profit, 0) + 100_000, cost=100_000 - min(profit, 0), sold=10)
        world.market("A2", entry(IRON, TradeGoodType.EXPORT, 100, 50), entry(COPPER, TradeGoodType.EXPORT, 100, 50))
        world.market("B3", entry(IRON, TradeGoodType.IMPORT, 600, 300))
        world.market("C4", entry(COPPER, TradeGoodType.IMPORT, 400, 200))
        with caplog.at_level("INFO"):
            world.coordinator.collect_completions()
            world.coordinator.route_discovery_cycle()
            (job,) = world.coordinator.assignment_cycle()

    assert job.kind == "manufacturing"
    # Fed the records the runs started on, not their scaled expectations; two prior runs of the mean promise.
    made, owed, runs = 0.95 * promised[0] // 2, 0.95 * promised[0] + promised[1], 1.95
    share = (made + 2 * owed / runs) / (owed + 2 * owed / runs)
    assert f"arbitrage runs chosen on their lane's record now earn {100 * share:.0f}% of it" in caplog.text
