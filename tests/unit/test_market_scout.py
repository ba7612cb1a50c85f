"""MarketScout: recording what ships see, coverage and freshness, parking and touring probes."""
from __future__ import annotations

from datetime import timedelta

from application.market_scout import MarketScout, ScoutConfig
from application.repositories import ShipAssignment
from domain.fleet import ShipNavStatus
from domain.symbols import ShipSymbol, WaypointSymbol
from tests.fake_coordination import SYSTEM, add_market, add_ship, make_opportunity
from tests.fake_game import FakeGame
from tests.fake_repositories import InMemoryShipAssignmentRepository
from tests.fakes import FakeClock, FixedSupplyChain, InMemoryMarketRepository, bundled_supply_chain, make_market

A1, B7, C3, D4 = (f"{SYSTEM}-{name}" for name in ("A1", "B7", "C3", "D4"))
ROCK = f"{SYSTEM}-R9"


class Scouting:
    def __init__(self, **config) -> None:
        self.clock = FakeClock()
        self.game = FakeGame(self.clock)
        for symbol, x, y in ((A1, 0, 0), (B7, 100, 0), (C3, 0, 200), (D4, 400, 0), (ROCK, 50, 50)):
            self.game.add_waypoint(symbol, x, y)
        add_market(self.game, A1, imports={"FOOD": 300}, exports={"IRON": 80})
        add_market(self.game, B7, imports={"ELECTRONICS": 3000})
        add_market(self.game, C3, exports={"MACHINERY": 900}, imports={"IRON": 120})
        add_market(self.game, D4, imports={"FUEL": 70})
        self.markets = InMemoryMarketRepository()
        self.assignments = InMemoryShipAssignmentRepository()
        self.scout = MarketScout(self.game, self.markets, self.clock, SYSTEM, assignments=self.assignments,
                                 supply_chain=FixedSupplyChain(bundled_supply_chain()),
                                 config=ScoutConfig(**config))

    def ships(self):
        return self.game.ships()

    def fly_all(self, seconds: float = 5000) -> None:
        self.clock.advance(seconds)


def test_records_the_market_wherever_a_ship_is_with_its_position():
    world = Scouting()
    add_ship(world.game, "AGENT-1", A1, "frigate")
    add_ship(world.game, "AGENT-2", B7, "probe")
    add_ship(world.game, "AGENT-3", ROCK, "hauler")  # no market there
    recorded = world.scout.observe(world.ships())
    assert sorted(s.waypoint for s in recorded) == [A1, B7]
    stored = {s.waypoint: s for s in world.markets.markets_in_system(SYSTEM)}
    assert stored[B7].bid("ELECTRONICS") == 3000
    assert stored[B7].position is not None and stored[B7].position.x == 100
    assert stored[A1].observed_at == world.clock.now()


def test_ships_in_transit_see_nothing_and_priceless_answers_are_not_recorded():
    world = Scouting()
    add_ship(world.game, "AGENT-1", A1, "frigate", nav_status=ShipNavStatus.IN_TRANSIT)
    assert world.scout.observe(world.ships()) == []
    assert world.markets.markets_in_system(SYSTEM) == []


def test_a_market_seen_lately_is_not_fetched_again():
    world = Scouting(refresh_after=120)
    add_ship(world.game, "AGENT-1", A1, "frigate")
    add_ship(world.game, "AGENT-2", A1, "hauler")
    world.scout.observe(world.ships())
    world.clock.advance(60)
    world.scout.observe(world.ships())
    assert world.game.calls.count("market") == 1  # two ships, two looks, one request
    world.clock.advance(60)
    world.scout.observe(world.ships())
    assert world.game.calls.count("market") == 2


def test_coverage_says_what_is_missing_and_what_is_stale():
    world = Scouting(max_age=900)
    world.markets.record(make_market(A1, imports={"FOOD": 300}, observed_at=world.clock.now()))
    world.markets.record(make_market(B7, imports={"ELECTRONICS": 3000},
                                     observed_at=world.clock.now() - timedelta(minutes=40)))
    coverage = world.scout.coverage()
    assert coverage.markets == (A1, B7, C3, D4)
    assert coverage.fresh == (A1,)
    assert [(market, round(age)) for market, age in coverage.stale] == [(B7, 2400)]
    assert coverage.never_seen == (C3, D4)
    assert not coverage.complete
    text = "\n".join(coverage.describe())
    assert "never seen (no prices): X1-TEST-C3, X1-TEST-D4" in text
    assert "X1-TEST-B7 (40 min old)" in text


def test_with_enough_probes_every_market_gets_one():
    world = Scouting()
    for index in range(1, 5):
        add_ship(world.game, f"AGENT-{index}", A1, "probe")
    orders = world.scout.deploy_probes(world.ships())
    assert {order.purpose for order in orders} == {"park"}
    assert sorted(world.scout.parked.values()) == [A1, B7, C3, D4]
    assert len(orders) == 3  # the probe already at A1 stays
    world.fly_all()
    assert world.scout.deploy_probes(world.ships()) == []  # parked probes stay put
    world.scout.observe(world.ships())
    assert world.scout.coverage().complete


def test_a_single_probe_tours_never_seen_markets_first_then_the_stalest():
    world = Scouting(refresh_after=0)
    add_ship(world.game, "AGENT-1", A1, "probe")
    visited = []
    for _ in range(6):
        world.scout.step(world.ships())
        ship = world.game.ship(ShipSymbol("AGENT-1"))
        visited.append(ship.waypoint)
        world.fly_all(2000)
    # From A1: the three never-seen markets, nearest first; then A1, the stalest; then round again.
    assert visited[:4] == [B7, C3, D4, A1]
    assert visited[4] == B7
    assert world.scout.coverage().never_seen == ()


def test_probes_park_at_the_markets_of_current_opportunities_first():
    world = Scouting()
    add_ship(world.game, "AGENT-1", A1, "probe")
    add_ship(world.game, "AGENT-2", A1, "probe")
    world.scout.focus([make_opportunity("ELECTRONICS", D4, 3000, factory=C3, source=A1)])
    world.scout.deploy_probes(world.ships())
    # Two probes, four markets: one parks at the most important market, the other tours.
    (parked_at,) = world.scout.parked.values()
    assert parked_at in (C3, D4)  # the factory or the sell market, not the input source A1 or unrelated B7
    assert len(world.scout.touring) == 1


def test_factories_and_rich_imports_come_before_other_markets():
    world = Scouting()
    world.markets.record(make_market(B7, imports={"ELECTRONICS": 3000}))
    world.markets.record(make_market(C3, exports={"MACHINERY": 900}))
    world.markets.record(make_market(D4, imports={"FUEL": 70}))
    for index in range(1, 4):
        add_ship(world.game, f"AGENT-{index}", A1, "probe")
    world.scout.deploy_probes(world.ships())
    # Three probes, four markets: two parked, at the factory (C3) and the best import (B7).
    assert sorted(world.scout.parked.values()) == [B7, C3]


def test_probes_held_by_an_operation_are_left_alone():
    world = Scouting()
    add_ship(world.game, "AGENT-1", A1, "probe")
    world.assignments.held[ShipSymbol("AGENT-1")] = ShipAssignment(
        ShipSymbol("AGENT-1"), "fleet-position-x", "run-1", world.clock.now() + timedelta(minutes=10))
    assert world.scout.deploy_probes(world.ships()) == []
    assert world.game.calls.count("navigate") == 0


def test_probes_useful_counts_markets_without_a_probe():
    world = Scouting()
    add_ship(world.game, "AGENT-1", A1, "probe")
    add_ship(world.game, "AGENT-2", A1, "hauler")
    assert world.scout.probes_useful(world.ships()) == 3
    assert isinstance(next(iter(world.scout.marketplaces())), WaypointSymbol)


def test_a_market_seen_trading_nothing_but_fuel_is_not_worth_a_probe_of_its_own():
    world = Scouting()
    add_ship(world.game, "AGENT-1", A1, "probe")
    fuel = f"{SYSTEM}-F5"
    world.game.add_waypoint(fuel, 300, 300)
    add_market(world.game, fuel, exports={"FUEL": 56})
    assert world.scout.probes_useful(world.ships()) == 4  # never seen: it may trade something
    world.markets.record(make_market(fuel, exports={"FUEL": 56}, observed_at=world.clock.now()))
    world.markets.record(make_market(D4, imports={"FUEL": 70}, exports={"IRON": 80}, observed_at=world.clock.now()))
    assert world.scout.markets_worth_watching() == [A1, B7, C3, D4]
    assert world.scout.probes_useful(world.ships()) == 3


def test_the_scout_says_when_its_next_probe_arrives():
    world = Scouting(refresh_after=0)
    add_ship(world.game, "AGENT-1", A1, "probe")
    assert world.scout.next_arrival is None
    world.scout.step(world.ships())
    arrival = world.game.ship(ShipSymbol("AGENT-1")).arrival
    assert arrival is not None and world.scout.next_arrival == arrival
    world.fly_all(2000)
    world.scout.step(world.ships())  # arrived: sent on to the next market
    assert world.scout.next_arrival == world.game.ship(ShipSymbol("AGENT-1")).arrival > arrival
