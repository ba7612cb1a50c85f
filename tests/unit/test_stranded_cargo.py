"""Cargo no run owns: which idle ships the pass clears, where their goods are sold, and the coordinator's hook."""
from __future__ import annotations

import logging
from datetime import timedelta

from application.cargo_costs import unit_costs
from application.coordinator import CoordinatorConfig, ManufacturingArbitrageCoordinator
from application.fleet_manager import FleetConfig, FleetManager
from application.navigation import Navigator
from application.usual_bids import SaturatedImports
from application.stranded_cargo import (
    StrandedCargoConfig, StrandedCargoPass, StrandedCargoSeller, plan_sale,
)
from application.worker_jobs import ClearanceJob, WorkerJob
from domain.goods import TradeGoodType, TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.symbols import ShipSymbol
from domain.usual_bid import UsualBid, UsualBidRule
from tests.fake_coordination import SYSTEM, FixedDemand, InMemoryRuns, ScriptedPool, add_ship, make_opportunity
from tests.fake_game import FakeGame
from tests.fake_repositories import InMemoryLedgerRepository, InMemoryShipAssignmentRepository, InMemoryUsualBids
from tests.fakes import FakeClock, FirstShipSelector, InMemoryMarketRepository

HOME = f"{SYSTEM}-A1"
NEAR, FAR = f"{SYSTEM}-B2", f"{SYSTEM}-C3"
IRON = TradeSymbol.IRON


def world(**inventory: int) -> tuple[FakeGame, FakeClock]:
    clock = FakeClock()
    game = FakeGame(clock, credits=100_000)
    game.add_waypoint(HOME, 0, 0)
    game.add_waypoint(NEAR, 10, 0)
    game.add_waypoint(FAR, 100, 0)
    game.add_good(NEAR, "IRON", TradeGoodType.IMPORT, ask=300, bid=200, trade_volume=10)
    game.add_good(FAR, "IRON", TradeGoodType.IMPORT, ask=300, bid=260, trade_volume=10)
    game.add_good(NEAR, "FUEL", TradeGoodType.EXCHANGE, ask=70, bid=60, trade_volume=100)
    game.add_good(HOME, "FUEL", TradeGoodType.EXCHANGE, ask=70, bid=60, trade_volume=100)
    add_ship(game, "AGENT-1", HOME, inventory=inventory, cargo_capacity=40)
    return game, clock


def test_a_full_hold_is_cleared_at_once_and_a_ship_with_room_after_a_while():
    game, clock = world()
    add_ship(game, "AGENT-2", HOME, inventory={"IRON": 40}, cargo_capacity=40)
    add_ship(game, "AGENT-3", HOME, inventory={"IRON": 5})
    add_ship(game, "AGENT-4", HOME)
    stranded = StrandedCargoPass(StrandedCargoConfig(min_free_cargo=10, idle_for=600))
    ships = game.ships()
    idle = [ShipSymbol(f"AGENT-{n}") for n in (2, 3, 4)]

    assert [s.symbol for s in stranded.due(ships, idle, clock.now())] == ["AGENT-2"]
    later = clock.now() + timedelta(seconds=600)
    assert [s.symbol for s in stranded.due(ships, idle, later)] == ["AGENT-2", "AGENT-3"]
    assert stranded.due(ships, [], later) == []  # held ships are never cleared


def test_the_market_paying_most_is_chosen_and_a_loss_is_said():
    game, _ = world(IRON=40)
    ship = game.ship(ShipSymbol("AGENT-1"))
    markets = game.snapshots()
    above = plan_sale(IRON, 40, 150.0, ship, markets)
    assert (above.market, above.bid, above.above_cost) == (FAR, 260, True)
    below = plan_sale(IRON, 40, 400.0, ship, markets)
    assert below.market == FAR and not below.above_cost and "is below its cost 400/unit" in below.reason
    nowhere = plan_sale(TradeSymbol.GOLD, 3, None, ship, markets)
    assert nowhere.market is None and "no known market buys GOLD" in nowhere.reason


def saturated_imports(clock: FakeClock, **usual: int) -> SaturatedImports:
    """The saturation rule over what the imports usually paid for IRON (waypoint suffix: bid), from a day of
    observations."""
    bids = InMemoryUsualBids()
    bids.save([UsualBid(f"{SYSTEM}-{suffix}", IRON, float(bid), clock.now(), clock.now() - timedelta(days=1))
               for suffix, bid in usual.items()])
    return SaturatedImports(bids, UsualBidRule())


def test_an_import_someone_dumped_into_is_not_chosen_and_the_plan_says_so():
    game, clock = world(IRON=40)
    ship = game.ship(ShipSymbol("AGENT-1"))
    markets = game.snapshots()

    far_down = saturated_imports(clock, C3=600).among(markets)  # FAR pays 260, 43% of its usual 600
    plan = plan_sale(IRON, 40, 150.0, ship, markets, far_down)
    assert (plan.market, plan.bid) == (NEAR, 200)
    assert f"{FAR} passed over: saturated: bid 260 is 43% of its usual 600" in plan.reason

    both_down = saturated_imports(clock, B2=500, C3=600).among(markets)
    nowhere = plan_sale(IRON, 40, 150.0, ship, markets, both_down)
    assert nowhere.market is None and nowhere.reason.startswith("every known market buying IRON is saturated")


def seller(game: FakeGame, clock: FakeClock, saturated: SaturatedImports | None = None, *,
           ledger: InMemoryLedgerRepository | None = None, **kwargs):
    ledger, assignments = ledger or InMemoryLedgerRepository(), InMemoryShipAssignmentRepository()
    markets = InMemoryMarketRepository(game.snapshots())
    assignments.try_assign(ShipSymbol("AGENT-1"), "clear-1", "run-1", clock.now() + timedelta(hours=1), clock.now())
    return StrandedCargoSeller(game, ledger, Navigator(game, clock, markets, assignments), clock, markets=markets,
                               assignments=assignments, saturated=saturated, **kwargs)


def test_the_seller_sells_at_the_best_import_nobody_dumped_into():
    game, clock = world(IRON=25)

    result = seller(game, clock, saturated_imports(clock, C3=600)).run(
        ClearanceJob("clear-1", ShipSymbol("AGENT-1"), (IRON,), "run-1"))

    assert (result.success, result.quantity_sold) == (True, 25)
    assert {t.waypoint for t in game.trades} == {NEAR}


def test_cargo_only_dumped_imports_buy_is_kept_and_the_reason_logged(caplog):
    game, clock = world(IRON=25)

    with caplog.at_level(logging.WARNING):
        result = seller(game, clock, saturated_imports(clock, B2=500, C3=600)).run(
            ClearanceJob("clear-1", ShipSymbol("AGENT-1"), (IRON,), "run-1"))

    assert game.trades == [] and game.ship(ShipSymbol("AGENT-1")).inventory == {IRON: 25}
    assert not result.success and "25 IRON: every known market buying IRON is saturated" in result.error
    assert "keeping 25 IRON: every known market buying IRON is saturated" in caplog.text


def test_a_hold_too_full_to_work_is_sold_into_the_best_saturated_import_and_the_reason_logged(caplog):
    game, clock = world(IRON=40)  # a full hold: the ship cannot take a run until it is cleared

    with caplog.at_level(logging.WARNING):
        result = seller(game, clock, saturated_imports(clock, B2=500, C3=600)).run(
            ClearanceJob("clear-1", ShipSymbol("AGENT-1"), (IRON,), "run-1"))

    assert {t.waypoint for t in game.trades} == {FAR}  # 260 beats 200, both dumped into
    assert result.quantity_sold > 0
    assert "anyway: the hold is too full for the ship to work" in caplog.text


def test_an_import_dumped_into_on_the_way_is_passed_over_on_arrival_and_the_reason_logged(caplog):
    game, clock = world(IRON=25)
    saturated = saturated_imports(clock, C3=260)
    clearance = seller(game, clock, saturated)
    game.markets[FAR][IRON].bid = 120  # someone sold IRON into FAR after it was last seen: 46% of its usual 260

    with caplog.at_level(logging.WARNING):
        result = clearance.run(ClearanceJob("clear-1", ShipSymbol("AGENT-1"), (IRON,), "run-1"))

    assert game.trades == [] and game.ship(ShipSymbol("AGENT-1")).inventory == {IRON: 25}
    assert game.ship(ShipSymbol("AGENT-1")).waypoint == FAR
    why = f"{FAR} passed over: saturated: bid 120 is 46% of its usual 260"
    assert not result.success and f"25 IRON: {why}" in result.error
    assert f"keeping 25 IRON: {why}" in caplog.text


def test_the_cost_is_what_the_ship_last_paid():
    ledger = InMemoryLedgerRepository()
    clock = FakeClock()
    for amount in (1000, 1500):
        ledger.record(LedgerTransaction(TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, amount, clock.now(),
                                        "mfg-1", IRON, 10, ShipSymbol("AGENT-1")))
        clock.advance(1)
    assert unit_costs(ledger, ShipSymbol("AGENT-1"), clock.now() - timedelta(hours=1)) == {IRON: 150.0}


def test_what_a_trade_run_paid_is_a_cost_too_and_a_refuel_is_none():
    # A trade run's purchases are TRADE_ARBITRAGE rows: cargo it left is costed like a manufacturing run's.
    ledger = InMemoryLedgerRepository()
    clock = FakeClock()
    ledger.record(LedgerTransaction(TransactionType.DEBIT, TransactionCategory.TRADE_ARBITRAGE, 2400, clock.now(),
                                    "arb-1", IRON, 20, ShipSymbol("AGENT-1")))
    ledger.record(LedgerTransaction(TransactionType.DEBIT, TransactionCategory.REFUEL, 720, clock.now(),
                                    "arb-1", TradeSymbol.FUEL, 10, ShipSymbol("AGENT-1")))
    assert unit_costs(ledger, ShipSymbol("AGENT-1"), clock.now() - timedelta(hours=1)) == {IRON: 120.0}


def test_the_seller_sells_the_hold_where_it_pays_and_records_every_credit():
    game, clock = world(IRON=25)
    ledger, assignments = InMemoryLedgerRepository(), InMemoryShipAssignmentRepository()
    markets = InMemoryMarketRepository(game.snapshots())
    assignments.try_assign(ShipSymbol("AGENT-1"), "clear-1", "run-1", clock.now() + timedelta(hours=1), clock.now())
    seller = StrandedCargoSeller(game, ledger, Navigator(game, clock, markets, assignments), clock,
                                 markets=markets, assignments=assignments)
    before = game.credits

    result = seller.run(ClearanceJob("clear-1", ShipSymbol("AGENT-1"), (IRON,), "run-1"))

    assert (result.success, result.quantity_sold, result.error) == (True, 25, None)
    assert game.ship(ShipSymbol("AGENT-1")).inventory == {}
    assert game.ship(ShipSymbol("AGENT-1")).waypoint == FAR
    assert ledger.net() == game.credits - before and result.revenue > 0
    assert assignments.assigned() == []  # the ship is back in the pool


def coordinator_of(game, clock, opportunities=(), stranded=None, config=None):
    assignments, pool = InMemoryShipAssignmentRepository(), ScriptedPool(clock)
    coordinator = ManufacturingArbitrageCoordinator(
        player="AGENT", system=SYSTEM, game=game, demand_finder=FixedDemand(clock, opportunities),
        ship_selector=FirstShipSelector(), assignments=assignments, runs=InMemoryRuns(), pool=pool, clock=clock,
        fleet=FleetManager(game, assignments, InMemoryLedgerRepository(), clock, SYSTEM, holder="run-test",
                           config=FleetConfig(max_haulers=0, max_probes=0)),
        config=config or CoordinatorConfig(), run_id="run-test", stranded=stranded or StrandedCargoPass())
    coordinator.start()
    return coordinator, assignments, pool


def test_the_coordinator_gives_a_stranded_ship_a_clearance_job_of_its_own():
    game, clock = world(IRON=40)
    coordinator, assignments, pool = coordinator_of(game, clock)

    coordinator.assignment_cycle()

    [job] = pool.submitted
    assert isinstance(job, ClearanceJob) and job.ship == "AGENT-1" and job.goods == (IRON,)
    assert assignments.holder_of(ShipSymbol("AGENT-1")) == job.operation_id
    assert coordinator.active_workers() == 1
    pool.complete(job.operation_id, revenue=8000, cost=0, sold=40)
    coordinator.collect_completions()
    assert assignments.assigned() == [] and coordinator.active_workers() == 0


def test_a_clearance_that_left_cargo_is_tried_again_only_after_a_while():
    game, clock = world(IRON=40)
    stranded = StrandedCargoPass(StrandedCargoConfig(min_free_cargo=10, idle_for=600))
    ships, idle = game.ships(), [ShipSymbol("AGENT-1")]
    assert len(stranded.due(ships, idle, clock.now())) == 1
    stranded.started(ShipSymbol("AGENT-1"))
    stranded.finished(ShipSymbol("AGENT-1"), False, clock.now())  # nobody bought it
    assert stranded.due(ships, idle, clock.now() + timedelta(seconds=599)) == []
    assert len(stranded.due(ships, idle, clock.now() + timedelta(seconds=600))) == 1


def paid(clock: FakeClock, per_unit: int, units: int = 40) -> InMemoryLedgerRepository:
    """A ledger in which AGENT-1 bought its IRON at `per_unit` (what the seller takes as its cost)."""
    ledger = InMemoryLedgerRepository()
    ledger.record(LedgerTransaction(TransactionType.DEBIT, TransactionCategory.CARGO_TRADE, per_unit * units,
                                    clock.now() - timedelta(hours=1), "mfg-0", IRON, units, ShipSymbol("AGENT-1")))
    return ledger


def clear(game: FakeGame, clock: FakeClock, ledger: InMemoryLedgerRepository, idle_seconds: float = 0.0,
          **config):
    job = ClearanceJob("clear-1", ShipSymbol("AGENT-1"), (IRON,), "run-1", idle_seconds=idle_seconds)
    return seller(game, clock, ledger=ledger, config=StrandedCargoConfig(**config)).run(job)


def iron_sales(game: FakeGame) -> list[tuple[int, int]]:
    return [(t.units, t.price_per_unit) for t in game.trades if t.good == IRON]


def test_a_sale_planned_above_cost_stops_once_the_bid_falls_below_it_while_the_hold_has_room(caplog):
    game, clock = world(IRON=25)  # 15 of 40 free: room to work
    game.markets[FAR][IRON].impact = 0.1  # each lot of 10 takes a tenth off the bid: 260, 234, ...

    with caplog.at_level(logging.INFO):
        result = clear(game, clock, paid(clock, 250))

    assert iron_sales(game) == [(10, 260)]
    assert game.ship(ShipSymbol("AGENT-1")).inventory == {IRON: 15}
    assert not result.success and "15 IRON: the bid 234 is below its cost 250/unit" in result.error
    assert "keeping 15 IRON: the bid 234 is below its cost 250/unit, and the hold has room to work" in caplog.text
    assert "the rest waits for the next pass" in caplog.text


def test_a_hold_too_full_to_work_sells_below_cost_while_it_is_with_one_warning_saying_why(caplog):
    game, clock = world(IRON=40)
    game.markets[FAR][IRON].impact = 0.1

    with caplog.at_level(logging.INFO):
        result = clear(game, clock, paid(clock, 250), min_free_cargo=30)

    # 260 (the hold full), 234 and 211 below the cost while fewer than 30 units are free; at 30 free it stops.
    assert iron_sales(game) == [(10, 260), (10, 234), (10, 211)]
    below = [r.getMessage() for r in caplog.records if "below its cost: bid" in r.getMessage()]
    assert below == [f"stranded cargo on AGENT-1: selling IRON at {FAR} below its cost: bid 234, cost 250/unit: "
                     "the hold is too full for the ship to work (10 free, 30 needed)"]
    assert all(r.levelno == logging.WARNING for r in caplog.records if "below its cost: bid" in r.getMessage())
    assert "10 IRON: the bid 190 is below its cost 250/unit" in result.error


def test_cargo_riding_along_on_a_working_ship_is_sold_at_a_loss_once_it_was_bought_carry_for_ago(caplog):
    # A ship picked for run after run is never idle, so only the cargo's age (from its purchase in the ledger, an
    # hour before `paid`'s clock) says it has ridden along long enough.
    game, clock = world(IRON=25)
    with caplog.at_level(logging.INFO):
        result = clear(game, clock, paid(clock, 400), idle_for=600, carry_for=7200)
    assert game.trades == [] and not result.success
    assert "and was bought 3600 s ago, less than the 7200 s" in caplog.text

    caplog.clear()
    with caplog.at_level(logging.INFO):
        result = clear(game, clock, paid(clock, 400), idle_for=600, carry_for=3600)
    assert result.success and result.quantity_sold == 25
    assert "sold at a loss, as it was bought 3600 s ago and has ridden along unsold since" in caplog.text


def test_a_sale_planned_at_a_loss_says_its_true_reason_or_waits_when_there_is_none(caplog):
    game, clock = world(IRON=25)
    with caplog.at_level(logging.INFO):
        result = clear(game, clock, paid(clock, 400), idle_seconds=30, idle_for=600)
    assert game.trades == [] and not result.success
    assert ("keeping 25 IRON: best known bid 260 at X1-TEST-C3 is below its cost 400/unit; waits for a better bid: "
            "the hold has room to work and the cargo sat idle 30 s, less than the 600 s") in caplog.text

    caplog.clear()
    with caplog.at_level(logging.INFO):
        result = clear(game, clock, paid(clock, 400), idle_seconds=600, idle_for=600)
    assert result.success and result.quantity_sold == 25
    assert ("selling 25 IRON: best known bid 260 at X1-TEST-C3 is below its cost 400/unit: sold at a loss, as the "
            "cargo sat 600 s on an idle ship with no run to use it") in caplog.text

    game, clock = world(IRON=40)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        result = clear(game, clock, paid(clock, 400), min_free_cargo=10, idle_for=600)
    assert result.quantity_sold == 10  # a loss only while the hold is too full to work
    assert "sold at a loss, as the hold is too full for the ship to work (0 free, 10 needed)" in caplog.text
    assert "so that the ship can work again" not in caplog.text


def test_a_ship_picked_for_a_run_has_the_goods_that_run_does_not_use_cleared_first_under_their_own_operation():
    # AGENT-1 holds FOOD an earlier run left (room to spare: the pass would wait) and IRON, an input of MACHINERY.
    game, clock = world(FOOD=10, IRON=5)
    add_ship(game, "AGENT-2", HOME)
    machinery = make_opportunity("MACHINERY", f"{SYSTEM}-M2", 2900)
    coordinator, assignments, pool = coordinator_of(game, clock, [machinery])
    coordinator.discovery_cycle()

    coordinator.assignment_cycle()

    clearance, run = pool.submitted
    assert isinstance(clearance, ClearanceJob) and clearance.operation_id.startswith("clear-")
    assert (clearance.ship, clearance.goods) == ("AGENT-1", (TradeSymbol.FOOD,))  # the run's IRON is not its
    assert isinstance(run, WorkerJob) and run.ship == "AGENT-2"  # the run went to a ship with nothing of others'
    assert assignments.holder_of(ShipSymbol("AGENT-1")) == clearance.operation_id

    pool.complete(clearance.operation_id, revenue=700, cost=0, sold=10)
    coordinator.collect_completions()
    assert assignments.holder_of(ShipSymbol("AGENT-1")) is None  # no ship left leased


def test_a_clearance_before_a_run_takes_a_manufacturing_slot_so_the_caps_bound_every_job():
    # One manufacturing slot and no trading: the clearance takes it, and the run waits (the pool has one process).
    game, clock = world(FOOD=10)
    add_ship(game, "AGENT-2", HOME)
    machinery = make_opportunity("MACHINERY", f"{SYSTEM}-M2", 2900)
    coordinator, _, pool = coordinator_of(game, clock, [machinery],
                                          config=CoordinatorConfig(max_workers=1, arbitrage_max_workers=0))
    coordinator.discovery_cycle()

    coordinator.assignment_cycle()

    (clearance,) = pool.submitted
    assert isinstance(clearance, ClearanceJob) and coordinator.active_workers() == 1


def test_a_ship_holding_only_goods_its_run_uses_gets_the_run_and_one_whose_clearance_kept_them_works_around_them():
    game, clock = world(IRON=5)
    machinery = make_opportunity("MACHINERY", f"{SYSTEM}-M2", 2900)
    coordinator, _, pool = coordinator_of(game, clock, [machinery])
    coordinator.discovery_cycle()
    coordinator.assignment_cycle()
    [run] = pool.submitted
    assert isinstance(run, WorkerJob) and run.ship == "AGENT-1"

    game, clock = world(FOOD=10)
    coordinator, _, pool = coordinator_of(game, clock, [machinery], StrandedCargoPass(StrandedCargoConfig(
        idle_for=600)))
    coordinator.discovery_cycle()
    coordinator.assignment_cycle()
    [clearance] = pool.submitted
    pool.end(clearance.operation_id, error="left in the hold: 10 FOOD: no known market buys FOOD")
    coordinator.collect_completions()
    coordinator.assignment_cycle()
    assert isinstance(pool.submitted[-1], WorkerJob) and pool.submitted[-1].ship == "AGENT-1"


def test_a_clearance_for_cargo_idle_too_long_says_how_long_it_sat():
    game, clock = world(FOOD=10)  # room to spare: cleared only once idle for `idle_for`
    coordinator, _, pool = coordinator_of(game, clock, (), StrandedCargoPass(StrandedCargoConfig(idle_for=600)))
    coordinator.assignment_cycle()
    assert pool.submitted == []
    clock.advance(600)
    coordinator.assignment_cycle()
    [job] = pool.submitted
    assert isinstance(job, ClearanceJob) and job.idle_seconds == 600


def test_a_ship_that_cannot_pay_for_fuel_sells_its_cargo_where_it_is_at_a_loss_saying_why(caplog):
    # The ship's tank is empty and the agent has no credits to fill it: the best buyer (FAR, 260) is out of reach,
    # and its cargo, worth nothing aboard a ship that cannot move, is what pays for fuel again: it is sold at HOME,
    # below its cost, with the reason. (A bench ended with 163 credits and 163,778 of DRUGS aboard such a ship.)
    game, clock = world(IRON=25)
    game.add_good(HOME, "IRON", TradeGoodType.IMPORT, ask=300, bid=120, trade_volume=10)
    game.markets[HOME][IRON].impact = 0.0
    game.fleet[ShipSymbol("AGENT-1")].fuel = 0
    game.credits = 0

    with caplog.at_level(logging.INFO):
        result = clear(game, clock, paid(clock, 150), idle_seconds=30, idle_for=600)

    assert {t.waypoint for t in game.trades} == {HOME} and iron_sales(game) == [(10, 120), (10, 120), (5, 120)]
    assert result.success and result.quantity_sold == 25 and game.credits == 25 * 120
    assert f"cannot fly to {FAR} to sell IRON" in caplog.text and f"selling it at {HOME}, where it is" in caplog.text
    assert "below its cost: bid 120, cost 150/unit: the ship cannot fly to a buyer (" in caplog.text


def test_a_ship_that_cannot_pay_for_fuel_where_nothing_buys_its_cargo_keeps_it_and_says_why():
    game, clock = world(IRON=25)
    game.fleet[ShipSymbol("AGENT-1")].fuel = 0
    game.credits = 0

    result = clear(game, clock, paid(clock, 150), idle_seconds=30, idle_for=600)

    assert game.trades == [] and not result.success
    assert f"could not fly to {FAR} (" in result.error and f"{HOME} does not buy IRON" in result.error
