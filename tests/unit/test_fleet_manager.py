"""FleetManager: the idle pool, and buying haulers and probes only when the rules allow, each in the ledger."""
from __future__ import annotations

from datetime import timedelta

from application.fleet_manager import PURCHASE_PREFIX, FleetConfig, FleetManager
from application.repositories import ShipAssignment
from domain.fleet import ShipNavStatus, ShipType
from domain.ledger import TransactionCategory, TransactionType, net_credits
from domain.symbols import ShipSymbol
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
        self.manager = FleetManager(self.game, self.assignments, self.ledger, self.clock, SYSTEM, holder="run-1",
                                    config=FleetConfig(**config), metrics=self.metrics)

    def consider(self, *, waiting: int = 0, probes_useful: int = 0):
        return self.manager.consider_purchase(self.game.ships(), waiting_opportunities=waiting,
                                              probes_useful=probes_useful)


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
    assert decision.action == "too_expensive" and "150000" in decision.detail
    fleet.game.credits = 171_627  # exactly 150,000 left after the probe
    fleet.clock.advance(61)
    assert fleet.consider(probes_useful=5).purchase.ship_type == ShipType.SHIP_PROBE


def test_a_hauler_is_paid_from_net_worth_cargo_at_known_bids_counting_toward_the_reserve():
    fleet = Fleet(credit_reserve=60_000, credits=HAULER_PRICE + 10_000)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    assert fleet.manager.consider_purchase(fleet.game.ships(), waiting_opportunities=1, probes_useful=0,
                                           cargo_value=49_999).action == "too_expensive"
    fleet.clock.advance(61)
    decision = fleet.manager.consider_purchase(fleet.game.ships(), waiting_opportunities=1, probes_useful=0,
                                               cargo_value=50_000)
    assert decision.action == "bought" and fleet.game.credits == 10_000


def test_cargo_never_pays_for_a_ship_the_cash_cannot_cover():
    fleet = Fleet(credit_reserve=0, credits=HAULER_PRICE - 1)
    add_ship(fleet.game, "AGENT-1", YARD, "frigate")
    decision = fleet.manager.consider_purchase(fleet.game.ships(), waiting_opportunities=1, probes_useful=0,
                                               cargo_value=1_000_000)
    assert decision.action == "too_expensive" and fleet.game.ship_purchases == []
