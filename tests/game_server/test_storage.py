"""Persistence: a data directory closed (or killed) and reopened gives back everything a client was told."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import msgspec

from adapters.game_server.clock import ManualClock
from adapters.game_server.storage import Store
from adapters.game_server.world import World, WorldSettings

AGENT = "BADGER"
FRIGATE, PROBE = f"{AGENT}-1", f"{AGENT}-2"
encode = msgspec.json.encode


def open_world(data_dir: Path, clock: ManualClock, seed: int = 1) -> World:
    return World.open(data_dir, clock=clock, settings=WorldSettings(seed=seed, other_systems=5,
                                                                     starting_credits=1_000_000))


def snapshot(world: World, token: str) -> dict[str, bytes]:
    system = world.universe.starter_system
    hq, yard = world.universe.headquarters, world.universe.probe_shipyard
    ships, total = world.ships(AGENT, 1, 20)
    return {
        "token": str(world.agent_for_token(token)).encode(),
        "agent": encode(world.agent(AGENT)),
        "other": encode(world.agent("OTTER")),
        "ships": encode(ships) + str(total).encode(),
        "contracts": encode(world.contracts(AGENT, 1, 10)),
        "hq market": encode(world.market(system, hq, AGENT)),
        "yard market": encode(world.market(system, yard, AGENT)),
        "shipyard": encode(world.shipyard(system, yard, AGENT)),
        "status": encode(world.server_status().stats),
    }


def test_close_and_reopen_gives_back_the_same_world(tmp_path: Path) -> None:
    clock = ManualClock()
    world = open_world(tmp_path, clock)
    token = world.register(AGENT, "COSMIC").token
    world.register("OTTER", "VOID")
    yard = world.universe.probe_shipyard
    world.purchase_ship(AGENT, "SHIP_LIGHT_HAULER", yard)
    world.purchase_cargo(AGENT, f"{AGENT}-3", "FUEL", 7)
    world.sell_cargo(AGENT, f"{AGENT}-3", "FUEL", 2)
    world.purchase_cargo(AGENT, FRIGATE, "FUEL", 9)
    world.orbit(AGENT, FRIGATE)
    world.navigate(AGENT, FRIGATE, f"{world.universe.starter_system}-H51")     # still in transit
    world.patch_nav(AGENT, PROBE, "BURN")
    clock.advance(2)
    world.orbit(AGENT, f"{AGENT}-3")
    world.dock(AGENT, f"{AGENT}-3")
    world.purchase_cargo(AGENT, f"{AGENT}-3", "FUEL", 1)      # the last trade: markets saved as of now
    before = snapshot(world, token)
    world.close()

    reopened = open_world(tmp_path, clock)
    after = snapshot(reopened, token)
    for key in before:
        assert after[key] == before[key], key
    # and it keeps working: the ship in transit arrives, the token still authenticates.
    clock.advance(3600)
    assert reopened.ship_nav(AGENT, FRIGATE).status == "IN_ORBIT"
    reopened.close()


def test_a_data_directory_keeps_its_seed(tmp_path: Path) -> None:
    clock = ManualClock()
    first = open_world(tmp_path, clock, seed=5)
    starter = first.universe.starter_system
    first.close()
    again = open_world(tmp_path, clock, seed=6)
    assert again.seed == 5 and again.universe.starter_system == starter
    again.close()


def test_database_is_wal_in_the_data_directory(tmp_path: Path) -> None:
    store = Store.in_dir(tmp_path / "data")
    assert (tmp_path / "data" / "world.sqlite3").exists()
    assert store.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1     # NORMAL
    store.close()


def test_market_history_keeps_the_last_twenty(tmp_path: Path) -> None:
    clock = ManualClock()
    world = open_world(tmp_path, clock)
    world.register(AGENT, "COSMIC")
    for _ in range(25):
        world.purchase_cargo(AGENT, FRIGATE, "FUEL", 1)
    world.close()
    reopened = open_world(tmp_path, clock)
    history = reopened.market(reopened.universe.starter_system, reopened.universe.headquarters, AGENT).transactions
    assert len(history) == 20
    rows = reopened._store.db.execute_sql('SELECT COUNT(*) FROM "market_transaction"').fetchone()[0]
    assert rows <= 40
    reopened.close()


_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from adapters.game_server.world import World, WorldSettings
    world = World.open(Path(sys.argv[1]), settings=WorldSettings(other_systems=2))
    world.register("BADGER", "COSMIC")
    while True:
        for call in (lambda: world.purchase_cargo("BADGER", "BADGER-1", "FUEL", 1),
                     lambda: world.jettison("BADGER", "BADGER-1", "FUEL", 1)):
            call()
            print(world.agent("BADGER").credits, world.ship_cargo("BADGER", "BADGER-1").units, flush=True)
""")


def test_sigkill_loses_nothing_a_client_was_told(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    told = []
    try:
        assert child.stdout is not None
        while len(told) < 200:
            line = child.stdout.readline()
            assert line, "the child died"
            told.append(tuple(map(int, line.split())))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    # The child ran on while we read: what it printed before dying is still in the pipe.
    for line in child.stdout.read().splitlines(keepends=True):
        if line.endswith("\n"):
            told.append(tuple(map(int, line.split())))
    child.stdout.close()
    last_credits, last_cargo = told[-1]
    world = World.open(tmp_path)
    credits, cargo = world.agent(AGENT).credits, world.ship_cargo(AGENT, FRIGATE).units
    world.close()
    # Either exactly what the client last heard, or one operation further (committed, answer not yet printed).
    assert (credits, cargo) == (last_credits, last_cargo) or \
        (cargo == last_cargo + 1 and credits < last_credits) or \
        (cargo == last_cargo - 1 and credits == last_credits)
