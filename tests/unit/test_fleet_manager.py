"""FleetManager: the idle pool, and buying haulers and probes only when the rules allow, each in the ledger."""
from __future__ import annotations

from datetime import timedelta

from application.fleet_manager import PURCHASE_PREFIX, FleetConfig, FleetManager
from application.fleet_returns import fleet_rate
from application.repositories import ShipAssignment
from application.worker_jobs import OPERATION_PREFIX, WorkerResult
from domain.fleet import ShipNavStatus, ShipType
from domain.ledger import TransactionCategory, TransactionType, net_credits
from domain.symbols import ShipSymbol, WaypointSymbol
from tests.fake_coordination import SYSTEM, RecordingMetrics, add_ship
from tests.fake_game import FakeGame
from tests.fake_repositories import InMemoryLedgerRepository, InMemoryShipAssignmentRepository
from tests.fakes import FakeClock

HQ = f"{SYSTEM}-A1"
YARD = f"{SYSTEM}-A2"
FAR = f"{SYSTEM}-B7"
HAULER_PRICE = 272_775
PROBE_PRICE = 21_627


class Fleet:
    def __init__(self, *, credits: int = 1_000_000, **config) -> None:
        self.clock = FakeClock()
        self.game = FakeGame(self.clock, credits=credits)
        self.game.add_waypoint(HQ, 0, 0)
        self.game.add_waypoint(YARD, 0, 0)
        self.game.add_waypoint(FAR, 300, 400)
        self.game.add_shipyard(YARD, {ShipType.SHIP_PROBE: PROBE_PRICE, ShipType.SHIP_LIGHT_HAULER: HAULER_PRICE})
        self.assignments = InMemoryShipAssignmentRepository()
        self.ledger = InMemoryLedgerRepository()
        self.metrics = RecordingMetrics()
        config.setdefault("check_interval", 60)
        # These tests are about the average return: the trial, off here, has its own tests (trial_fleet).
        config.setdefault("trial_period", 0)
        self.manager = FleetManager(self.game, self.assignments, self.ledger, self.clock, SYSTEM, holder="run-1",
                                    config=FleetConfig(**config), metrics=self.metrics)

    def consider(self, *, waiting: int = 0, probes_useful: int = 0, earned_per_hour: int | None = 400_000,
                 signal: int | None = None, cargo_value: int = 0, fuel_money: int = 0, committed: int = 0):
        """`earned_per_hour`: the profit of one arbitrage run that held its ship the last hour (None: no run)."""
        results = [] if earned_per_hour is None else [self.run(earned_per_hour, hours=1.0)]
        return self.manager.consider_purchase(self.game.ships(), waiting_opportunities=waiting,
                                              probes_useful=probes_useful, cargo_value=cargo_value,
                                              results=results, waiting_lot_profit=signal, fuel_money=fuel_money,
                                              committed=lambda: committed)

    def run(self, profit: int, *, hours: float, ended_ago: float = 0.0, kind: str = "arbitrage",
            cancelled: bool = False, operation: str | None = None) -> WorkerResult:
        """A finished run of `hours` ending `ended_ago` seconds before now, with `profit`."""
        finished = self.clock.now() - timedelta(seconds=ended_ago)
        return WorkerResult(operation_id=operation or f"{OPERATION_PREFIX[kind]}{len(self.ledger.rows)}",
                            ship=ShipSymbol("AGENT-1"), good="FABRICS",
                            started_at=finished - timedelta(hours=hours), finished_at=finished,
                            revenue=max(profit, 0) + 1_000, cost=1_000 - min(profit, 0), success=not cancelled,
                            cancelled=cancelled)


def test_the_idle_pool_is_every_ship_with_cargo_that_no_live_lease_holds():
    fleet = Fleet()
    add_ship(fleet.game, "AGENT-1", HQ, "frigate")
    add_ship(fleet.game, "AGENT-2", YARD, "probe")
    for symbol in ("AGENT-3", "AGENT-4", "AGENT-5"):
        add_ship(fleet.game, symbol, HQ)
    now = fleet.clock.now()
    fleet.assignments.held[ShipSymbol("AGENT-3")] = ShipAssignment(ShipSymbol("AGENT-3"), "op", "h",
                                                                   now + timedelta(minutes=1))
    fleet.assignments.held[ShipSymbol("AGENT-4")] = ShipAssignment(ShipSymbol("AGENT-4"), "op", "h",
                                                                   now - timedelta(seconds=1))
    idle = fleet.manager.idle_ships()
    assert [ship.symbol for ship in idle] == ["AGENT-1", "AGENT-4", "AGENT-5"]


def test_buys_a_hauler_when_opportunities_wait_and_records_it_in_the_ledger():
    fleet = Fleet(credit_reserve=60_000)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    before = fleet.game.credits
    decision = fleet.consider(waiting=2)
    assert decision.action == "bought" and decision.wanted == ShipType.SHIP_LIGHT_HAULER
    (row,) = fleet.ledger.rows
    assert row.category is TransactionCategory.SHIP_PURCHASE and row.type is TransactionType.DEBIT
    assert row.amount == HAULER_PRICE and row.ship == decision.purchase.ship and row.waypoint == YARD
    assert row.operation_id.startswith(PURCHASE_PREFIX)
    assert net_credits(fleet.ledger.rows) == fleet.game.credits - before
    assert fleet.metrics.credits == [("SHIP_PURCHASE", -HAULER_PRICE)]


def test_the_credit_reserve_is_never_spent():
    fleet = Fleet(credit_reserve=60_000, credits=60_000 + HAULER_PRICE - 1)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    decision = fleet.consider(waiting=1)
    assert decision.action == "too_expensive"
    assert fleet.game.ship_purchases == [] and fleet.ledger.rows == []


def test_exactly_the_reserve_left_is_allowed():
    fleet = Fleet(credit_reserve=60_000, credits=60_000 + HAULER_PRICE)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    assert fleet.consider(waiting=1).action == "bought"
    assert fleet.game.credits == 60_000


def test_no_hauler_without_opportunities_waiting_for_ships():
    fleet = Fleet()
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    assert fleet.consider(waiting=0).action == "none"
    assert fleet.game.ship_purchases == []


def test_a_probe_when_a_market_lacks_one_and_no_more_than_the_maximum():
    fleet = Fleet(max_probes=2)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    add_ship(fleet.game, "AGENT-2", YARD, "probe")
    assert fleet.consider(probes_useful=5).purchase.ship_type == ShipType.SHIP_PROBE
    fleet.clock.advance(61)
    assert fleet.consider(probes_useful=4).action == "none"  # two probes now
    assert len(fleet.game.ship_purchases) == 1
    assert [row.amount for row in fleet.ledger.rows] == [PROBE_PRICE]


def test_no_more_haulers_than_the_maximum():
    fleet = Fleet(max_haulers=1)
    add_ship(fleet.game, "AGENT-1", YARD, "hauler")
    assert fleet.consider(waiting=3).action == "none"


def test_checks_are_spaced_by_the_interval():
    fleet = Fleet(check_interval=300)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    assert fleet.consider(waiting=1).action == "bought"
    assert fleet.consider(waiting=1).action == "none"
    fleet.clock.advance(300)
    assert fleet.consider(waiting=1).action == "bought"
    assert len(fleet.ledger.rows) == 2
    assert fleet.ledger.rows[1].amount > fleet.ledger.rows[0].amount  # each buy raises the price


def test_sends_the_probe_to_the_shipyard_holds_it_and_buys_once_it_is_there():
    fleet = Fleet()
    add_ship(fleet.game, "AGENT-1", FAR, "frigate")
    add_ship(fleet.game, "AGENT-2", FAR, "probe")
    decision = fleet.consider(waiting=1)
    assert decision.action == "positioning" and "AGENT-2" in decision.detail
    assert fleet.assignments.held[ShipSymbol("AGENT-2")].holder == "run-1"
    assert fleet.game.ship(ShipSymbol("AGENT-2")).nav_status is ShipNavStatus.IN_TRANSIT
    fleet.clock.advance(61)
    assert fleet.consider(waiting=1).action == "waiting"  # still flying (500 units at speed 9)
    fleet.clock.advance(2000)
    decision = fleet.consider(waiting=1)
    assert decision.action == "bought" and decision.purchase.waypoint == YARD
    assert ShipSymbol("AGENT-2") not in fleet.assignments.held
    assert len(fleet.ledger.rows) == 1


def test_does_not_send_a_ship_when_the_credits_cannot_cover_the_reserve():
    fleet = Fleet(credit_reserve=60_000, credits=50_000)
    add_ship(fleet.game, "AGENT-2", FAR, "probe")
    assert fleet.consider(waiting=1).action == "too_expensive"
    assert fleet.assignments.assigned() == []
    assert fleet.game.calls.count("navigate") == 0


def test_a_ship_that_cannot_reach_the_yard_on_its_fuel_is_not_sent():
    fleet = Fleet()
    add_ship(fleet.game, "AGENT-1", FAR, "hauler", fuel=100)
    assert fleet.consider(waiting=1).action == "no_shipyard"
    assert fleet.game.calls.count("navigate") == 0


def test_a_probe_only_while_the_money_to_trade_stays():
    fleet = Fleet(credits=170_000, credit_reserve=60_000, probe_min_credits=150_000)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    decision = fleet.consider(probes_useful=5)
    assert decision.action == "too_expensive" and "150,000" in decision.detail
    fleet.game.credits = 171_627  # exactly 150,000 left after the probe
    fleet.clock.advance(61)
    assert fleet.consider(probes_useful=5).purchase.ship_type == ShipType.SHIP_PROBE


def test_a_hauler_is_paid_from_net_worth_cargo_at_known_bids_counting_toward_the_reserve():
    fleet = Fleet(credit_reserve=60_000, credits=HAULER_PRICE + 10_000)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    assert fleet.consider(waiting=1, cargo_value=49_999).action == "too_expensive"
    fleet.clock.advance(61)
    decision = fleet.consider(waiting=1, cargo_value=50_000)
    assert decision.action == "bought" and fleet.game.credits == 10_000


def test_cargo_never_pays_for_a_ship_the_cash_cannot_cover():
    fleet = Fleet(credit_reserve=0, credits=HAULER_PRICE - 1)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    decision = fleet.consider(waiting=1, cargo_value=1_000_000)
    assert decision.action == "too_expensive" and fleet.game.ship_purchases == []


def test_a_purchase_keeps_cash_to_fill_every_tank_whatever_the_cargo_is_worth():
    # A ship bought from net worth while the cargo is on its way must not leave the ship carrying it unable to
    # refuel (a bench ended 8 game hours with 163 credits and 163,778 of DRUGS aboard a ship that could not move).
    fleet = Fleet(credit_reserve=0, credits=HAULER_PRICE + 20_000)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate", fuel_capacity=400)  # a full tank: 36,000 at 90 a unit
    decision = fleet.consider(waiting=1, cargo_value=1_000_000, fuel_money=36_000)
    assert decision.action == "too_expensive" and fleet.game.ship_purchases == []
    assert decision.detail.startswith(f"not buying a SHIP_LIGHT_HAULER yet: its price of {HAULER_PRICE:,} at {YARD} "
                                      "would leave 20,000 of the ")
    assert "credits, less than the cash kept (36,000 for the fleet's fuel)" in decision.detail

    fleet = Fleet(credit_reserve=0, credits=HAULER_PRICE + 36_000)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate", fuel_capacity=400)
    assert fleet.consider(waiting=1, cargo_value=1_000_000, fuel_money=36_000).action == "bought"


def test_a_purchase_leaves_what_running_jobs_may_still_spend():
    fleet = Fleet(credit_reserve=0, credits=HAULER_PRICE + 50_000)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    decision = fleet.consider(waiting=1, fuel_money=20_000, committed=40_000)
    assert decision.action == "too_expensive" and fleet.game.ship_purchases == []
    assert ("would leave 50,000 of the 322,775 credits, less than the cash kept (20,000 for the fleet's fuel and "
            "40,000 for what running jobs may still spend)") in decision.detail
    fleet.clock.advance(301)
    assert fleet.consider(waiting=1, fuel_money=20_000, committed=30_000).action == "bought"


# --- growing the fleet by measured return -------------------------------------------------------------------------


def test_a_hauler_whose_price_the_measured_return_pays_back_within_the_span_is_bought():
    fleet = Fleet(payback=3 * 3600)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    decision = fleet.consider(waiting=1, earned_per_hour=100_000)  # 272,775 back in 2.73 h
    assert decision.action == "bought" and decision.wanted == ShipType.SHIP_LIGHT_HAULER
    assert "pays back in 2.73 h" in decision.detail and "1 run(s)" in decision.detail


def test_no_hauler_when_the_measured_return_pays_it_back_too_slowly_and_a_probe_goes_ahead():
    fleet = Fleet(payback=3 * 3600)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    add_ship(fleet.game, "AGENT-2", YARD, "probe")
    decision = fleet.consider(waiting=3, earned_per_hour=90_000)  # 3.03 h
    assert decision.action == "poor_return" and decision.wanted == ShipType.SHIP_LIGHT_HAULER
    assert "pay back in 3.03 h, more than the 3.00 h allowed" in decision.detail
    assert fleet.game.ship_purchases == []
    fleet.clock.advance(61)
    decision = fleet.consider(waiting=3, earned_per_hour=90_000, probes_useful=4)
    assert decision.action == "bought" and decision.wanted == ShipType.SHIP_PROBE
    assert [p.ship_type for p in fleet.game.ship_purchases] == [ShipType.SHIP_PROBE]


def test_no_hauler_when_recent_runs_lost_money():
    fleet = Fleet()
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    decision = fleet.consider(waiting=2, earned_per_hour=-5_000)
    assert decision.action == "none" and "earned -5,000 per ship-hour" in decision.detail
    assert fleet.game.ship_purchases == []


def test_the_return_is_measured_over_the_window_each_run_weighed_by_its_ship_time():
    fleet = Fleet(return_window=3 * 3600, payback=3 * 3600)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    add_ship(fleet.game, "AGENT-2", YARD, "hauler")
    results = [
        fleet.run(3_000_000, hours=1.0, ended_ago=3 * 3600 + 1),  # before the window: left out
        fleet.run(-30_000, hours=3.0, ended_ago=600),
        fleet.run(100_000, hours=0.5),
        fleet.run(500_000, hours=1.0, cancelled=True),  # a stop cut it short: left out
        fleet.run(500_000, hours=1.0, operation="clear-1"),  # stranded cargo sold: no lane's work
    ]
    # 70,000 over 3.5 ship-hours: 20,000 an hour, 13.6 h to pay back a hauler (a mean of the runs would say 2.9 h)
    decision = fleet.manager.consider_purchase(fleet.game.ships(), waiting_opportunities=1, probes_useful=0,
                                               results=results)
    assert decision.action == "poor_return"
    assert "2 run(s) finished in the last 3.00 h earned 20,000 per ship-hour" in decision.detail
    assert fleet.game.ship_purchases == []


def test_a_fleet_with_haulers_and_no_recent_run_waits_for_results():
    fleet = Fleet()
    add_ship(fleet.game, "AGENT-1", YARD, "hauler")
    decision = fleet.consider(waiting=2, earned_per_hour=None, signal=1_000_000)
    assert decision.action == "none" and "no run finished in the last 3.00 h" in decision.detail


def test_the_first_hauler_is_bought_on_the_price_signal_when_no_run_is_measured_yet():
    fleet = Fleet(signal_run_time=3600, payback=3 * 3600)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    assert fleet.consider(waiting=1, earned_per_hour=None, signal=None).action == "none"
    fleet.clock.advance(61)
    decision = fleet.consider(waiting=1, earned_per_hour=None, signal=90_000)  # 272,775 / 90,000 = 3.03 runs
    assert decision.action == "poor_return" and "price signal" in decision.detail
    fleet.clock.advance(61)
    decision = fleet.consider(waiting=1, earned_per_hour=None, signal=91_000)
    assert decision.action == "bought" and decision.wanted == ShipType.SHIP_LIGHT_HAULER


def test_the_fleet_grows_past_the_old_cap_of_four_until_the_rising_price_no_longer_pays_back():
    fleet = Fleet(credits=10_000_000, payback=3 * 3600)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    bought = []
    for _ in range(8):
        decision = fleet.consider(waiting=5, earned_per_hour=100_000)  # pays back a price up to 300,000
        fleet.clock.advance(61)
        if decision.action == "bought":
            bought.append(decision.purchase.price)
    # 272,775 then +3% a purchase (the fake game's price impact): 280,958, 289,387, 298,069; 307,011 is too dear.
    assert bought == [272_775, 280_958, 289_387, 298_069]
    assert decision.action == "poor_return" and "at 307,011 it would pay back in 3.07 h" in decision.detail


def test_max_haulers_stays_a_safety_cap_whatever_the_return():
    fleet = Fleet(max_haulers=2)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    for _ in range(3):
        fleet.consider(waiting=5, earned_per_hour=10_000_000)
        fleet.clock.advance(61)
    assert len(fleet.game.ship_purchases) == 2
    assert "no hauler: 2 already, the most allowed" in fleet.consider(waiting=5).detail


def test_a_fresh_agent_with_175k_buys_its_first_probes_at_once_keeping_the_money_to_trade():
    fleet = Fleet(credits=175_000, check_interval=60)  # the default reserves: 60,000, and 100,000 after a probe
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    add_ship(fleet.game, "AGENT-2", YARD, "probe")
    actions = []
    for _ in range(4):
        actions.append(fleet.consider(waiting=2, probes_useful=20, earned_per_hour=None).action)
        fleet.clock.advance(60)
    # 21,627, 22,276, 22,944 leave 108,153; a fourth (23,633) would leave less than 100,000.
    assert actions == ["bought", "bought", "bought", "too_expensive"]
    assert fleet.game.credits == 108_153
    assert all(p.ship_type == ShipType.SHIP_PROBE for p in fleet.game.ship_purchases)


def test_while_saving_for_a_hauler_that_pays_only_the_first_probes_are_bought():
    fleet = Fleet(credits=175_000, check_interval=60, saving_probes_per_ship=2)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    add_ship(fleet.game, "AGENT-2", YARD, "probe")
    first = fleet.consider(waiting=2, probes_useful=20)  # the hauler pays back but 175,000 cannot buy it
    assert first.action == "bought" and first.wanted == ShipType.SHIP_PROBE
    assert "not buying a SHIP_LIGHT_HAULER yet" in first.detail
    fleet.clock.advance(60)
    second = fleet.consider(waiting=2, probes_useful=19)
    assert second.action == "too_expensive" and "no probe meanwhile: 2 probe(s) for 1 cargo ship(s)" in second.detail
    assert len(fleet.game.ship_purchases) == 1


def test_probes_stop_at_the_markets_worth_watching_and_at_the_cap():
    fleet = Fleet(credits=5_000_000, max_probes=4)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    add_ship(fleet.game, "AGENT-2", YARD, "probe")
    assert fleet.consider(probes_useful=0).action == "none"
    for useful in (5, 4, 3, 2):
        fleet.clock.advance(61)
        fleet.consider(probes_useful=useful)
    assert len(fleet.game.ship_purchases) == 3
    fleet.clock.advance(61)
    assert "no probe: 4 already, the most allowed" in fleet.consider(probes_useful=2).detail


def test_a_known_price_that_does_not_pay_back_sends_no_ship_to_the_shipyard():
    fleet = Fleet(payback=3 * 3600)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    assert fleet.consider(waiting=1, earned_per_hour=50_000).action == "poor_return"  # price seen: 272,775
    fleet.game.fleet[ShipSymbol("AGENT-1")].waypoint = WaypointSymbol(FAR)
    fleet.clock.advance(61)
    decision = fleet.consider(waiting=1, earned_per_hour=50_000)
    assert decision.action == "poor_return" and fleet.game.calls.count("navigate") == 0


def test_a_ship_listed_in_orbit_that_docked_since_is_still_sent_to_the_shipyard():
    fleet = Fleet()
    add_ship(fleet.game, "AGENT-2", FAR, "probe")
    fleet.game.orbit(ShipSymbol("AGENT-2"))
    listed = fleet.game.ships()  # the coordinator's listing: the probe in orbit
    assert next(s for s in listed if s.symbol == "AGENT-2").nav_status is ShipNavStatus.IN_ORBIT
    fleet.game.dock(ShipSymbol("AGENT-2"))  # a worker letting it go docked it meanwhile
    decision = fleet.manager.consider_purchase(listed, waiting_opportunities=1, probes_useful=0, results=[
        fleet.run(400_000, hours=1.0)])
    assert decision.action == "positioning", decision
    assert fleet.game.ship(ShipSymbol("AGENT-2")).nav_status is ShipNavStatus.IN_TRANSIT


def trial_fleet(**config) -> Fleet:
    fleet = Fleet(credits=10_000_000, payback=3 * 3600, trial_period=3600, return_window=3 * 3600, **config)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    return fleet


def hourly_runs(fleet: Fleet, profits: list[int]) -> list[WorkerResult]:
    """One run a game hour, the last ending now: profits[-1] now, profits[-2] an hour before, and so on."""
    return [fleet.run(profit, hours=0.5, ended_ago=(len(profits) - 1 - index) * 3600 + 1)
            for index, profit in enumerate(profits)]


def consider_hourly(fleet: Fleet, profits: list[int], manager: FleetManager | None = None):
    """A purchase check after the runs of `hourly_runs`, with work waiting."""
    return (manager or fleet.manager).consider_purchase(fleet.game.ships(), waiting_opportunities=2, probes_useful=0,
                                                        results=hourly_runs(fleet, profits))


def bought_an_hour_ago(earned_before: int) -> Fleet:
    """A fleet that bought a hauler an hour ago, having earned `earned_before` in the hour before."""
    fleet = trial_fleet()
    assert consider_hourly(fleet, [earned_before]).action == "bought"
    fleet.clock.advance(3600)
    return fleet


def test_a_hauler_is_on_trial_and_the_next_is_bought_only_if_it_raised_the_fleets_profit_enough():
    fleet = trial_fleet()
    assert consider_hourly(fleet, [100_000]).action == "bought"

    # Within the trial hour, no other hauler, whatever the average says.
    fleet.clock.advance(1800)
    decision = consider_hourly(fleet, [100_000, 400_000])
    assert decision.action == "none" and "on trial for 1.00 h" in decision.detail

    # An hour on: the fleet earned 100,000 in the hour before the purchase and 200,000 in the last one. The gain of
    # 100,000 an hour pays the next hauler (280,958) back in 2.81 h.
    fleet.clock.advance(1800)
    decision = consider_hourly(fleet, [100_000, 200_000])
    assert decision.action == "bought", decision.detail
    assert "the fleet earned 200,000 an hour over the last 1.00 h against 100,000 before" in decision.detail
    assert "pays back in 2.81 h" in decision.detail


def test_no_hauler_when_the_last_one_added_too_little_or_nothing_whatever_the_average_return():
    # 300,000 an hour before and after: each run earned 600,000 a ship-hour, the new hauler nothing.
    fleet = bought_an_hour_ago(300_000)
    decision = consider_hourly(fleet, [300_000, 300_000])
    assert decision.action == "none" and "the last hauler added nothing" in decision.detail

    # A gain of 50,000 an hour would take 5.6 h to pay the next one back.
    fleet = bought_an_hour_ago(300_000)
    decision = consider_hourly(fleet, [300_000, 350_000])
    assert decision.action == "poor_return" and "against 300,000 before the last hauler" in decision.detail
    assert len(fleet.game.ship_purchases) == 1


def test_the_trial_is_read_from_the_ledger_so_a_restart_keeps_it():
    fleet = trial_fleet()
    consider_hourly(fleet, [100_000])
    restarted = FleetManager(fleet.game, fleet.assignments, fleet.ledger, fleet.clock, SYSTEM, holder="run-2",
                             config=fleet.manager.config)
    fleet.clock.advance(600)
    decision = consider_hourly(fleet, [100_000, 900_000], restarted)
    assert decision.action == "none" and "is on trial" in decision.detail


def test_the_trial_has_no_time_limit_and_no_run_since_means_no_gain():
    # Five hours after the last hauler the fleet earns what it did before it: still no other, although each run
    # earned 600,000 a ship-hour on average.
    fleet = bought_an_hour_ago(300_000)
    fleet.clock.advance(4 * 3600)
    decision = consider_hourly(fleet, [300_000, 300_000, 300_000, 300_000, 300_000, 300_000])
    assert decision.action == "none" and "the last hauler added nothing" in decision.detail

    # No run finished in the last trial period: the fleet earned nothing since, so the last hauler added nothing.
    fleet = bought_an_hour_ago(300_000)
    decision = fleet.manager.consider_purchase(fleet.game.ships(), waiting_opportunities=2, probes_useful=0,
                                               results=[fleet.run(300_000, hours=0.5, ended_ago=3601)])
    assert decision.action == "none" and "earned 0 an hour over the last 1.00 h" in decision.detail


def test_a_first_hauler_bought_before_any_run_is_judged_against_nothing_earned_before_it():
    fleet = trial_fleet()
    signal = fleet.manager.consider_purchase(fleet.game.ships(), waiting_opportunities=2, probes_useful=0,
                                             results=[], waiting_lot_profit=1_000_000)
    assert signal.action == "bought"
    fleet.clock.advance(3600)
    decision = consider_hourly(fleet, [200_000])
    assert decision.action == "bought" and "against 0 before the last hauler" in decision.detail


def test_the_fleet_rate_counts_the_share_of_each_run_inside_the_span():
    fleet = trial_fleet()
    now = fleet.clock.now()
    half_in = fleet.run(100_000, hours=2.0, ended_ago=3600)  # one hour of its two inside the last two hours
    inside = fleet.run(50_000, hours=0.5)
    after = fleet_rate([half_in, inside, fleet.run(9_999, hours=1.0, cancelled=True)],
                       since=now - timedelta(hours=2), until=now)
    assert after == (50_000 + 50_000) / 2
    # A span ending an hour ago: all of half_in, and not the run that finished since (a span ending now cannot
    # count runs still going either).
    assert fleet_rate([half_in, inside], since=now - timedelta(hours=3), until=now - timedelta(hours=1)) \
        == 100_000 / 2
    # One finishing after the span's end is left out even for the part it spent inside.
    assert fleet_rate([half_in], since=now - timedelta(hours=3), until=now - timedelta(hours=2)) == 0.0
    assert fleet_rate([], since=now - timedelta(hours=1), until=now) == 0.0
