"""The starter system's jump gate as a construction site over the HTTP API: the real materials, supply with its
refusals, completion, and `isUnderConstruction` agreeing with the site (game-api-facts §4.3, universe facts §3)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.game_server.clock import ManualClock
from adapters.game_server.state import ConstructionMaterial, ConstructionState
from adapters.game_server.storage import Store
from adapters.game_server.world import World, WorldSettings
from adapters.wire import models as wire
from tests.game_server.api_player import Player, registered

AGENT = "BUILDER"
FRIGATE = f"{AGENT}-1"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def player(clock: ManualClock) -> Iterator[Player]:
    with registered(clock, AGENT) as p:
        yield p


def gate_of(world: World) -> str:
    (gate,) = [w.symbol for w in world.universe.waypoints.values()
               if w.system == world.universe.starter_system and w.type == "JUMP_GATE"]
    return gate


def site_path(world: World, waypoint: str | None = None) -> str:
    return f"/systems/{world.universe.starter_system}/waypoints/{waypoint or gate_of(world)}/construction"


def supply(p: Player, symbol: str, units: int, ship: str = FRIGATE) -> wire.SupplyConstructionData:
    return p.post(site_path(p.world) + "/supply", wire.SupplyConstructionData,
                  {"shipSymbol": ship, "tradeSymbol": symbol, "units": units}, status=201)


def materials(site: wire.Construction) -> dict[str, tuple[int, int]]:
    return {m.trade_symbol: (m.required, m.fulfilled) for m in site.materials}


def holding_at_the_gate(p: Player, symbol: str, units: int) -> None:
    """The frigate docked at the gate with `units` of `symbol`, bought where the system sells it."""
    world = p.world
    seller = next(m.waypoint for m in world.universe.markets.values()
                  if m.waypoint.startswith(world.universe.starter_system + "-")
                  and any(g.symbol == symbol for g in m.goods))
    p.fly(FRIGATE, seller)
    p.buy(FRIGATE, symbol, units)
    p.fly(FRIGATE, gate_of(world))


def test_the_gate_needs_the_real_materials(player: Player) -> None:
    p = player
    gate = gate_of(p.world)
    site = p.get(site_path(p.world), wire.Construction)
    assert site.symbol == gate and not site.is_complete
    assert materials(site) == {"FAB_MATS": (1600, 0), "ADVANCED_CIRCUITRY": (400, 0), "QUANTUM_STABILIZERS": (1, 1)}
    waypoint = p.get(f"/systems/{p.world.universe.starter_system}/waypoints/{gate}", wire.Waypoint)
    assert waypoint.is_under_construction
    # Anyone may look, without a token.
    p.http.headers.pop("Authorization")
    assert p.get(site_path(p.world), wire.Construction) == site


def test_supplying_moves_cargo_into_the_site_and_persists(tmp_path: Path, clock: ManualClock) -> None:
    settings = WorldSettings(seed=1, other_systems=3)
    world = World.open(tmp_path, clock=clock, settings=settings)
    p = Player(world, clock)
    p.register(AGENT)
    holding_at_the_gate(p, "FAB_MATS", 12)
    credits = p.credits

    supplied = supply(p, "FAB_MATS", 10)
    assert materials(supplied.construction)["FAB_MATS"] == (1600, 10)
    assert supplied.cargo.units == 2 and p.cargo(FRIGATE) == {"FAB_MATS": 2}
    assert p.credits == credits, "supplying pays nothing"
    assert materials(p.get(site_path(world), wire.Construction))["FAB_MATS"] == (1600, 10)
    p.close()
    world.close()

    reopened = World.open(tmp_path, clock=clock, settings=settings)
    try:
        again = Player(reopened, clock)
        assert materials(again.get(site_path(reopened), wire.Construction))["FAB_MATS"] == (1600, 10)
        again.close()
    finally:
        reopened.close()


def test_supply_refusals(player: Player) -> None:
    p = player
    path = site_path(p.world) + "/supply"
    holding_at_the_gate(p, "FAB_MATS", 5)

    p.refused("POST", path, 400, 4800, {"shipSymbol": FRIGATE, "tradeSymbol": "IRON", "units": 1})
    p.refused("POST", path, 400, 4801, {"shipSymbol": FRIGATE, "tradeSymbol": "QUANTUM_STABILIZERS", "units": 1})
    p.refused("POST", path, 400, 4219, {"shipSymbol": FRIGATE, "tradeSymbol": "FAB_MATS", "units": 6})
    p.refused("POST", path, 400, 4218, {"shipSymbol": FRIGATE, "tradeSymbol": "ADVANCED_CIRCUITRY", "units": 1})
    p.refused("POST", path, 422, 3001, {"shipSymbol": FRIGATE, "tradeSymbol": "FAB_MATS"})
    p.refused("POST", path, 404, 404, {"shipSymbol": "NOBODY-1", "tradeSymbol": "FAB_MATS", "units": 1})
    p.post(f"/my/ships/{FRIGATE}/orbit", wire.NavData)
    p.refused("POST", path, 400, 4244, {"shipSymbol": FRIGATE, "tradeSymbol": "FAB_MATS", "units": 1})
    p.fly(FRIGATE, p.world.universe.headquarters)
    p.refused("POST", path, 400, 4802, {"shipSymbol": FRIGATE, "tradeSymbol": "FAB_MATS", "units": 1})
    token = p.http.headers.pop("Authorization")
    p.refused("POST", path, 401, 4103, {"shipSymbol": FRIGATE, "tradeSymbol": "FAB_MATS", "units": 1})
    p.http.headers["Authorization"] = token

    assert p.cargo(FRIGATE) == {"FAB_MATS": 5}
    assert materials(p.get(site_path(p.world), wire.Construction))["FAB_MATS"] == (1600, 0)


def test_a_waypoint_that_is_not_a_construction_site(player: Player) -> None:
    p = player
    world = p.world
    hq = world.universe.headquarters
    assert not p.get(f"/systems/{world.universe.starter_system}/waypoints/{hq}", wire.Waypoint).is_under_construction
    p.refused("GET", site_path(world, hq), 404, 404)
    p.refused("POST", site_path(world, hq) + "/supply", 404, 404,
              {"shipSymbol": FRIGATE, "tradeSymbol": "FAB_MATS", "units": 1})
    p.refused("GET", site_path(world, world.universe.starter_system + "-NOPE"), 404, 404)


def test_the_last_units_complete_the_gate_for_good(tmp_path: Path, clock: ManualClock) -> None:
    settings = WorldSettings(seed=1, other_systems=3)
    world = World.open(tmp_path, clock=clock, settings=settings)
    gate = gate_of(world)
    world.close()
    # A saved world whose gate is three FAB_MATS short (the long haul itself is no part of this test).
    store = Store.in_dir(tmp_path)
    with store.transaction():
        store.save_construction(ConstructionState(gate, [ConstructionMaterial("FAB_MATS", 1600, 1597),
                                                         ConstructionMaterial("ADVANCED_CIRCUITRY", 400, 400),
                                                         ConstructionMaterial("QUANTUM_STABILIZERS", 1, 1)]))
    store.close()

    world = World.open(tmp_path, clock=clock, settings=settings)
    p = Player(world, clock)
    p.register(AGENT)
    holding_at_the_gate(p, "FAB_MATS", 4)
    assert p.get(f"/systems/{world.universe.starter_system}/waypoints/{gate}", wire.Waypoint).is_under_construction

    done = supply(p, "FAB_MATS", 3).construction
    assert done.is_complete
    assert all(required == fulfilled for required, fulfilled in materials(done).values())
    assert not p.get(f"/systems/{world.universe.starter_system}/waypoints/{gate}", wire.Waypoint).is_under_construction
    listed = p.call("GET", f"/systems/{world.universe.starter_system}/waypoints?type=JUMP_GATE", 200,
                    wire.Page[wire.Waypoint]).data
    assert [w.is_under_construction for w in listed] == [False]
    assert p.get(site_path(world), wire.Construction).is_complete, "a built site still answers"
    p.refused("POST", site_path(world) + "/supply", 400, 4801,
              {"shipSymbol": FRIGATE, "tradeSymbol": "FAB_MATS", "units": 1})
    p.close()
    world.close()

    reopened = World.open(tmp_path, clock=clock, settings=settings)
    try:
        again = Player(reopened, clock)
        waypoint = again.get(f"/systems/{reopened.universe.starter_system}/waypoints/{gate}", wire.Waypoint)
        assert not waypoint.is_under_construction
        again.close()
    finally:
        reopened.close()
