"""Resets: the server's reset date, a new era, and tokens of an earlier era refused with 401 code 4113 as the real
game refuses them, while a token that never existed keeps getting 4104 (game-api-facts §1, §8.5)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from adapters.cli.server_command import server
from adapters.game_server.clock import ManualClock
from adapters.game_server.http_server_process import GameServerProcess
from adapters.game_server.serve import find_free_port
from adapters.game_server.storage import SCHEMA_VERSION, OutdatedWorld, Store, outdated_world
from adapters.game_server.world import World, WorldSettings
from adapters.wire import models as wire
from tests.game_server.api_player import Player, open_world

DAY = 86_400.0
RESET_MESSAGE = ("Failed to parse token. Token reset_date does not match the server. Server resets happen on a "
                 "weekly to bi-weekly frequency during alpha. After a reset, you should re-register your agent. "
                 "Expected: {expected}, Actual: {actual}")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()   # 2025-06-01 12:00 UTC


@pytest.fixture
def player(clock: ManualClock) -> Iterator[Player]:
    world = open_world(clock)
    p = Player(world, clock)
    yield p
    p.close()
    world.close()


def status(p: Player) -> wire.ServerStatus:
    return p.call("GET", "/", 200, wire.ServerStatus)


def test_the_server_shows_its_reset_date_and_the_next_one(player: Player) -> None:
    shown = status(player)
    assert shown.reset_date == "2025-06-01"
    assert shown.server_resets.next.startswith("2025-06-08T12:00:00")
    assert shown.server_resets.frequency == "weekly"


def test_a_token_from_before_the_reset_gets_4113(player: Player, clock: ManualClock) -> None:
    p = player
    old = p.register("ALPHA")
    clock.advance(8 * DAY)

    assert p.world.reset() == "2025-06-09"

    assert status(p).reset_date == "2025-06-09"
    assert status(p).stats.agents == 0
    error = p.refused("GET", "/my/agent", 401, 4113)
    assert error.message == RESET_MESSAGE.format(expected="2025-06-09", actual="2025-06-01")
    assert error.data == {"expected": "2025-06-09", "actual": "2025-06-01"}
    # Everywhere a token is read, public reads included.
    p.refused("GET", "/my/ships", 401, 4113)
    p.refused("GET", f"/systems/{p.world.universe.starter_system}", 401, 4113)
    p.refused("POST", f"/my/contracts/{old.contract.id}/accept", 401, 4113)

    # A token the server never issued keeps today's answer.
    p.use(old.token[:-4] + "AAAA")
    p.refused("GET", "/my/agent", 401, 4104)
    p.use("not-a-token")
    p.refused("GET", "/my/agent", 401, 4104)

    # The symbol is free again, and the new token works.
    p.http.headers.pop("Authorization")
    again = p.register("ALPHA")
    assert again.token != old.token
    assert again.agent.credits == 175_000
    assert p.get("/my/agent", wire.Agent).symbol == "ALPHA"
    assert [c.id for c in p.contracts()] == [again.contract.id]


def test_a_reset_starts_the_world_afresh(player: Player, clock: ManualClock) -> None:
    p = player
    p.register("ALPHA")
    hq = p.world.universe.headquarters
    market = f"/systems/{p.world.universe.starter_system}/waypoints/{hq}/market"
    fresh = {g.symbol: g for g in p.get(market, wire.Market).trade_goods}
    good = min((g for g in fresh.values() if g.symbol != "FUEL"), key=lambda g: g.purchase_price)
    p.buy("ALPHA-1", good.symbol, min(good.trade_volume, 10))
    assert p.get(market, wire.Market).trade_goods != list(fresh.values())
    contract = p.contracts()[0]
    p.post(f"/my/contracts/{contract.id}/accept", wire.ContractAgentData)

    p.world.reset()
    p.http.headers.pop("Authorization")
    p.register("BRAVO")

    assert {g.symbol: g for g in p.get(market, wire.Market).trade_goods} == fresh
    assert p.get(market, wire.Market).transactions == []
    assert status(p).stats.agents == 1 and status(p).stats.ships == 2
    assert all(not c.accepted for c in p.contracts())
    p.refused("GET", "/my/ships/ALPHA-1", 404, 404)


def test_retired_tokens_outlive_restarts_and_later_resets(tmp_path: Path, clock: ManualClock) -> None:
    settings = WorldSettings(seed=1, other_systems=3)
    world = World.open(tmp_path, clock=clock, settings=settings)
    p = Player(world, clock)
    first = p.register("ALPHA").token
    clock.advance(7 * DAY)
    world.reset()
    p.http.headers.pop("Authorization")
    second = p.register("ALPHA").token
    clock.advance(14 * DAY)
    world.reset()
    p.close()
    world.close()

    reopened = World.open(tmp_path, clock=clock, settings=settings)
    again = Player(reopened, clock)
    try:
        assert status(again).reset_date == "2025-06-22"
        again.use(first)
        assert again.refused("GET", "/my/agent", 401, 4113).data == {"expected": "2025-06-22", "actual": "2025-06-01"}
        again.use(second)
        assert again.refused("GET", "/my/agent", 401, 4113).data == {"expected": "2025-06-22", "actual": "2025-06-08"}
    finally:
        again.close()
        reopened.close()


def test_the_token_carries_its_reset_date(player: Player, clock: ManualClock) -> None:
    """Clients that peek at the JWT payload (as some do to detect a reset) find the era's date there."""
    import base64
    import json

    clock.advance(3 * DAY)
    player.world.reset()
    token = player.register("ALPHA").token
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["reset_date"] == "2025-06-04" == status(player).reset_date


def test_reset_needs_a_stored_world() -> None:
    result = CliRunner().invoke(server, ["--in-memory", "--reset"], prog_name="spacetraders server")
    assert result.exit_code == 2
    assert "--reset needs a stored world" in result.output


def test_server_reset_option_starts_a_new_era_for_real(tmp_path: Path) -> None:
    data = tmp_path / "world"
    with GameServerProcess(data_dir=data) as running:
        with httpx.Client(base_url=running.base_url, timeout=10) as http:
            token = http.post("/register", json={"symbol": "ALPHA", "faction": "COSMIC"}).json()["data"]["token"]
            before = http.get("/").json()["resetDate"]
            assert http.get("/my/agent", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with GameServerProcess(data_dir=data, extra_args=("--reset",)) as running:
        with httpx.Client(base_url=running.base_url, timeout=10) as http:
            answer = http.get("/my/agent", headers={"Authorization": f"Bearer {token}"})
            shown = http.get("/").json()
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == 4113
    assert error["data"] == {"expected": shown["resetDate"], "actual": before}
    assert shown["stats"]["agents"] == 0


def test_the_reset_date_follows_the_clock_not_the_seed(clock: ManualClock) -> None:
    world = open_world(clock)
    try:
        clock.advance(timedelta(days=30).total_seconds())
        world.reset()
        assert world.reset_date == "2025-07-01"
        assert world.seed == 1
    finally:
        world.close()


# --- a world stored by an older server version ------------------------------------------------------------------------

SETTINGS = WorldSettings(seed=1, other_systems=3)


def older_world(data: Path, clock: ManualClock, version: str | None = "1") -> str:
    """A world in `data` with agent ALPHA, as an older server version stored it (`version` None: from before versions
    were recorded): its ships at a waypoint today's universe does not have. Returns ALPHA's token."""
    world = World.open(data, clock=clock, settings=SETTINGS)
    p = Player(world, clock)
    token = p.register("ALPHA").token
    p.close()
    world.close()
    store = Store.in_dir(data)
    try:
        if version is None:
            store.m.Meta.delete().where(store.m.Meta.key == "schema").execute()
        else:
            store.set_meta("schema", version)
        store.m.Ship.update(waypoint="X1-GONE-Z9", origin="X1-GONE-Z9", destination="X1-GONE-Z9").execute()
    finally:
        store.close()
    return token


@pytest.mark.parametrize("version", ["1", None])
def test_a_world_of_an_older_server_version_is_refused_in_one_line(tmp_path: Path, clock: ManualClock,
                                                                   version: str | None) -> None:
    data = tmp_path / "world"
    older_world(data, clock, version)
    assert outdated_world(data) == "1"
    with pytest.raises(OutdatedWorld) as refused:
        World.open(data, clock=clock, settings=SETTINGS)
    message = str(refused.value)
    assert message == (f"the game world in {data} was made by an older server version (world version 1, this "
                       f"server's {SCHEMA_VERSION}); `spacetraders server --reset` starts a new era of it (agents "
                       "register again)")
    assert outdated_world(data) == "1"                 # refusing changed nothing


def test_a_new_era_opens_a_world_of_an_older_server_version(tmp_path: Path, clock: ManualClock) -> None:
    data = tmp_path / "world"
    token = older_world(data, clock)
    clock.advance(DAY)
    world = World.open(data, clock=clock, settings=SETTINGS, new_era=True)
    p = Player(world, clock)
    try:
        shown = status(p)
        assert shown.reset_date == "2025-06-02" and shown.stats.agents == 0 and shown.stats.ships == 0
        p.use(token)
        assert p.refused("GET", "/my/agent", 401, 4113).data == {"expected": "2025-06-02", "actual": "2025-06-01"}
        p.http.headers.pop("Authorization")
        again = p.register("ALPHA")
        assert all(ship.nav.waypoint_symbol in world.universe.waypoints for ship in again.ships)
    finally:
        p.close()
        world.close()
    assert outdated_world(data) is None
    reopened = World.open(data, clock=clock, settings=SETTINGS)   # this version's world now: it opens as it is
    try:
        assert reopened.agent("ALPHA").credits > 0
    finally:
        reopened.close()


def test_the_server_command_refuses_an_older_world_in_one_line_and_reset_renews_it(tmp_path: Path) -> None:
    data = tmp_path / "world"
    token = older_world(data, ManualClock())
    result = CliRunner().invoke(server, ["--data", str(data), "--port", str(find_free_port())],
                                prog_name="spacetraders server")
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"Error: the game world in {data} was made by an older server version "
                                          f"(world version 1, this server's {SCHEMA_VERSION}); `spacetraders server "
                                          "--reset` starts a new era of it (agents register again)"]
    with GameServerProcess(data_dir=data, extra_args=("--reset",)) as running:
        with httpx.Client(base_url=running.base_url, timeout=10) as http:
            answer = http.get("/my/agent", headers={"Authorization": f"Bearer {token}"})
            shown = http.get("/").json()
    assert answer.status_code == 401 and answer.json()["error"]["code"] == 4113
    assert shown["stats"]["agents"] == 0 and shown["stats"]["ships"] == 0
    assert outdated_world(data) is None
