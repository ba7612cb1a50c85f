"""`spacetraders analyze demand` through the real click CLI: from stored markets with no game server running,
refreshing the markets where our ships are on the embedded server (in process), its one-line errors, and a
third-party ranking plugin, built and installed as its own package, reversing the order it prints."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import bootstrap
from adapters.cli.errors import ExitCode
from adapters.cli.token_store import TokenStore
from adapters.daemon.paths import RunPaths
from adapters.game_server.world import World
from tests.cli_support import cli_environment as environment
from tests.cli_support import run_cli as run
from adapters.storage.supply_chain_repository import SqlSupplyChainRepository
from adapters.storage.usual_bid_repository import SqlUsualBidRepository
from domain.goods import TradeSymbol
from domain.symbols import WaypointSymbol
from domain.usual_bid import UsualBid
from tests.fakes import bundled_supply_chain, make_market
from tests.screen_text import table_rows

NOW = datetime.now(UTC).replace(microsecond=0)
# Factories (importing their exports' inputs, at bids no route or opportunity could use) and sources with the
# game's real recipes, and three markets paying for what they make.
MARKETS = [
    make_market("X1-T1-F1", exports={"ELECTRONICS": 900, "MACHINERY": 700},
                imports={"SILICON_CRYSTALS": 20, "COPPER": 20, "IRON": 20}, position=(0, 0), observed_at=NOW),
    make_market("X1-T1-F2", exports={"ADVANCED_CIRCUITRY": 2500}, imports={"ELECTRONICS": 20, "MICROPROCESSORS": 20},
                position=(50, 0), observed_at=NOW),
    make_market("X1-T1-F4", exports={"MICROPROCESSORS": 800}, imports={"SILICON_CRYSTALS": 20, "COPPER": 20},
                position=(50, 5), observed_at=NOW),
    make_market("X1-T1-S1", exports={"SILICON_CRYSTALS": 30, "COPPER": 60, "IRON": 40}, position=(10, 10),
                observed_at=NOW),
    make_market("X1-T1-A1", imports={"ELECTRONICS": 3000}, position=(5, 5), observed_at=NOW),
    make_market("X1-T1-A2", imports={"MACHINERY": 2000, "SHIP_PARTS": 400}, position=(6, 6), observed_at=NOW),
    make_market("X1-T1-A3", imports={"ADVANCED_CIRCUITRY": 8000}, position=(7, 7), observed_at=NOW),
]
BEST_PAID_FIRST = ["ADVANCED_CIRCUITRY", "ELECTRONICS", "MACHINERY"]

REVERSE_PLUGIN = '''
"""A third-party ranking: the worst-paid opportunity first (the opposite of the default)."""
from plugins.hookspecs import hookimpl


@hookimpl
def spacetraders_rank_opportunities(opportunities):
    return sorted(opportunities, key=lambda o: (o.bid, o.good, o.sell_market))
'''



def build_wheel(directory: Path) -> Path:
    """The plugin as a wheel (a zip in the wheel layout, built here so no build backend is needed)."""
    dist_info = "spacetraders_reverse_ranking-0.1.0.dist-info"
    files = {
        "reverse_ranking.py": textwrap.dedent(REVERSE_PLUGIN),
        f"{dist_info}/METADATA": "Metadata-Version: 2.1\nName: spacetraders-reverse-ranking\nVersion: 0.1.0\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/entry_points.txt": "[spacetraders.plugins]\nreverse_ranking = reverse_ranking\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    files[f"{dist_info}/RECORD"] = "\n".join(record + [f"{dist_info}/RECORD,,"]) + "\n"
    wheel = directory / "spacetraders_reverse_ranking-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def stored(data_dir: Path) -> Path:
    """ALPHA's token and a database holding the markets above and the supply-chain map; no game server."""
    TokenStore(data_dir).save("ALPHA", "token-alpha")
    paths = RunPaths.for_player(data_dir, "ALPHA")
    storage = bootstrap.open_storage(f"sqlite:///{paths.database_file}")
    try:
        for market in MARKETS:
            storage.markets.record(market)
        SqlSupplyChainRepository(storage.database).save(bundled_supply_chain(), NOW)
    finally:
        storage.close()
    return data_dir






def ranked(out: str) -> list[str]:
    """The goods of the ranked rows, in the order printed."""
    rows = table_rows(out, "#")  # the first numbered table: the opportunities (the trade routes come after)
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1))
    return [row[1] for row in rows]


def test_the_analysis_screen_from_stored_markets(stored: Path) -> None:
    result = run(environment(stored), "analyze", "demand", "--system", "x1-t1")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("High-Demand Manufacturables in X1-T1\n====")
    assert "no game server running: stored prices only" in out
    assert ranked(out) == BEST_PAID_FIRST
    assert table_rows(out, "#")[0] == ["1", "ADVANCED_CIRCUITRY", "X1-T1-A3", "8,000", "1 level",
                                       "ELECTRONICS, MICROPROCESSORS"]
    assert "Left Out (8 imported goods)" in out
    factory_inputs = [("COPPER", "F1"), ("COPPER", "F4"), ("ELECTRONICS", "F2"), ("IRON", "F1"),
                      ("MICROPROCESSORS", "F2"), ("SILICON_CRYSTALS", "F1"), ("SILICON_CRYSTALS", "F4")]
    assert table_rows(out, "pays less than the minimum price (8)") == [
        ["SHIP_PARTS", "X1-T1-A2", "400", "pays 400 < 1000"]] + [
        [good, f"X1-T1-{factory}", "20", "pays 20 < 1000"] for good, factory in factory_inputs]
    routes = table_rows(out, "Trade Routes (arbitrage; ranking: default_trade_ranking)")
    assert [route[:8] for route in routes] == [  # from the same stored prices: export ask -> import bid
        ["1", "ADVANCED_CIRCUITRY", "X1-T1-F2", "2,500", "X1-T1-A3", "8,000", "+5,500", "+110,000"],
        ["2", "ELECTRONICS", "X1-T1-F1", "900", "X1-T1-A1", "3,000", "+2,100", "+42,000"],
        ["3", "MACHINERY", "X1-T1-F1", "700", "X1-T1-A2", "2,000", "+1,300", "+26,000"]]
    # how old the prices are (the markets were stored when this module was imported)
    assert all(re.fullmatch(r"\d+ (s|min|h)( \d+ (s|min))?", route[8]) for route in routes), routes
    assert "\x1b" not in out  # not a terminal: plain text


def test_no_trade_routes_when_arbitrage_is_off(stored: Path) -> None:
    env = environment(stored, ST_ARBITRAGE_ENABLED="false")

    out = run(env, "analyze", "demand", "--system", "X1-T1").stdout
    shown = json.loads(run(env, "analyze", "demand", "--system", "X1-T1", "--json").stdout)

    assert "Trade Routes (arbitrage; ranking: default_trade_ranking)\n  trade arbitrage is off" in out
    assert ranked(out) == BEST_PAID_FIRST
    assert shown["trade_routes"] is None


def test_top_n_leaves_the_rest_out_as_ranked_out(stored: Path) -> None:
    out = run(environment(stored), "analyze", "demand", "--system", "X1-T1", "--top", "2").stdout

    assert ranked(out) == BEST_PAID_FIRST[:2]
    assert table_rows(out, "ranked out (1)") == [["MACHINERY", "X1-T1-A2", "2,000", "not in the top 2 of the ranking"]]


def test_json_for_scripts(stored: Path) -> None:
    result = run(environment(stored), "analyze", "demand", "--system", "X1-T1", "--json")

    shown = json.loads(result.stdout)
    assert [o["good"] for o in shown["opportunities"]] == BEST_PAID_FIRST
    assert shown["opportunities"][0] == {"rank": 1, "good": "ADVANCED_CIRCUITRY", "market": "X1-T1-A3",
                                         "price": 8000, "depth": 1, "inputs": ["ELECTRONICS", "MICROPROCESSORS"],
                                         "trade_volume": 20}
    assert {"good": "SHIP_PARTS", "market": "X1-T1-A2", "price": 400, "reason": "BELOW_MIN_PRICE",
            "detail": "pays 400 < 1000"} in shown["left_out"]
    assert shown["offline"] is True and shown["ranking"] == "default_ranking"
    route = shown["trade_routes"][0]
    assert {key: route[key] for key in ("good", "buy_market", "ask", "sell_market", "bid", "margin", "trade_volume",
                                        "lot_profit")} == {
        "good": "ADVANCED_CIRCUITRY", "buy_market": "X1-T1-F2", "ask": 2500, "sell_market": "X1-T1-A3", "bid": 8000,
        "margin": 5500, "trade_volume": 20, "lot_profit": 110_000}
    assert route["age_seconds"] >= 0


def test_an_import_someone_dumped_into_is_shown_left_out_with_its_usual_bid(stored: Path) -> None:
    paths = RunPaths.for_player(stored, "ALPHA")
    storage = bootstrap.open_storage(f"sqlite:///{paths.database_file}")
    try:  # a day of looks: A1 usually pays 6000 for ELECTRONICS; it pays 3000 now
        SqlUsualBidRepository(storage.database).save([UsualBid(WaypointSymbol("X1-T1-A1"), TradeSymbol.ELECTRONICS,
                                                               6000.0, NOW, NOW - timedelta(days=1))])
    finally:
        storage.close()

    out = run(environment(stored), "analyze", "demand", "--system", "X1-T1").stdout
    shown = json.loads(run(environment(stored), "analyze", "demand", "--system", "X1-T1", "--json").stdout)

    assert ranked(out) == ["ADVANCED_CIRCUITRY", "MACHINERY"]
    assert table_rows(out, "dumped into: bid far below its usual (1)") == [
        ["ELECTRONICS", "X1-T1-A1", "3,000", "saturated: bid 3000 is 50% of its usual 6000"]]
    assert table_rows(out, "Imports left out: dumped into (1)") == [["ELECTRONICS", "X1-T1-A1", "3,000", "6,000"]]
    assert [r["good"] for r in shown["trade_routes"]] == ["ADVANCED_CIRCUITRY", "MACHINERY"]
    assert shown["trade_imports_left_out"] == [{"good": "ELECTRONICS", "market": "X1-T1-A1", "bid": 3000,
                                                "usual_bid": 6000,
                                                "reason": "saturated: bid 3000 is 50% of its usual 6000"}]


@pytest.fixture
def world() -> Iterator[World]:
    opened = World.open(None, seed=1)
    yield opened
    opened.close()


def test_refreshes_the_markets_where_our_ships_are(world: World, data_dir: Path) -> None:
    env = environment(data_dir, world, ST_MANUFACTURING_MIN_PRICE="0")
    assert run(env, "agent", "register", "--symbol", "alpha").exit_code == 0
    headquarters = world.agent("ALPHA").headquarters
    system = headquarters.rsplit("-", 1)[0]

    result = run(env, "analyze", "demand")

    assert result.exit_code == 0, result.output
    assert f"High-Demand Manufacturables in {system}" in result.stdout
    ships_at = {ship.nav.waypoint_symbol for ship in world.ships("ALPHA", 1, 20)[0]}
    refreshed = f"Refreshed {len(ships_at)} market{'s' * (len(ships_at) != 1)} ("
    assert refreshed in result.stdout  # one market per waypoint where a starting ship sits
    # its imports are listed (as opportunities or left out)
    assert re.search(rf"\s{{2,}}{headquarters}\s{{2,}}", result.stdout), result.stdout
    shown = json.loads(run(env, "analyze", "demand", "--json").stdout)
    assert shown["markets_refreshed"] == 0  # seen a moment ago: not fetched again
    assert shown["markets_priced"] == len(ships_at) and shown["offline"] is False


def test_an_unknown_system(world: World, data_dir: Path) -> None:
    env = environment(data_dir, world)
    run(env, "agent", "register", "--symbol", "alpha")

    result = run(env, "analyze", "demand", "--system", "X1-NOPE")

    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert result.stderr.splitlines() == ["error: unknown system X1-NOPE: the game has no such system"]
    assert "Traceback" not in result.output


def test_an_unknown_strategy_names_the_installed_ones(stored: Path) -> None:
    result = run(environment(stored, ST_STRATEGY_RANKING="reverse_ranking"), "analyze", "demand", "--system",
                 "X1-T1")

    assert result.exit_code == ExitCode.CONFIG, result.output
    [line] = result.stderr.splitlines()
    assert "strategy.ranking = 'reverse_ranking'" in line and "known: default_ranking" in line


def test_a_third_party_ranking_plugin_changes_the_order(stored: Path, tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    "--disable-pip-version-check", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=120)
    assert list(target.glob("spacetraders_reverse_ranking-0.1.0.dist-info"))
    env = {name: value for name, value in os.environ.items() if not name.startswith("ST_")}
    env.update(PYTHONPATH=str(target), ST_DATA_DIR=str(stored), ST_CONFIG=str(tmp_path / "absent.toml"))
    spacetraders = Path(sys.executable).with_name("spacetraders")
    command = [str(spacetraders), "analyze", "demand", "--system", "X1-T1"]

    default = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    chosen = subprocess.run(command, env={**env, "ST_STRATEGY_RANKING": "reverse_ranking"}, capture_output=True,
                            text=True, timeout=60)

    assert default.returncode == 0, default.stderr
    assert ranked(default.stdout) == BEST_PAID_FIRST  # installed but not chosen: the default still ranks
    assert chosen.returncode == 0, chosen.stderr
    assert "ranking: reverse_ranking" in chosen.stdout
    assert ranked(chosen.stdout) == list(reversed(BEST_PAID_FIRST))


def test_the_daemons_database_is_found_without_database_url(stored: Path, tmp_path: Path) -> None:
    paths = RunPaths.for_player(stored, "ALPHA")
    shared = tmp_path / "shared.sqlite3"  # where DATABASE_URL pointed when the daemon started
    paths.database_file.rename(shared)
    paths.database_record.write_text(f"sqlite:///{shared}\n")

    result = run(environment(stored), "analyze", "demand", "--system", "x1-t1")

    assert result.exit_code == 0, result.output
    assert ranked(result.stdout) == BEST_PAID_FIRST
