"""The universe from a seed: determinism and the starter system's shape (game-universe-facts §3)."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from adapters.game_server import catalog
from adapters.game_server.universe import Universe, generate


@pytest.fixture(scope="module")
def universe() -> Universe:
    return generate(1)


def starter(universe: Universe):
    return [universe.waypoints[w] for w in universe.systems[0].waypoints]


def starter_markets(universe: Universe):
    return [universe.markets[w.symbol] for w in starter(universe) if w.symbol in universe.markets]


def test_same_seed_same_universe_and_another_seed_another() -> None:
    assert generate(7) == generate(7)
    assert generate(7) != generate(8)


def test_symbols_look_like_the_real_ones(universe: Universe) -> None:
    assert len(universe.systems) == 40
    assert len({s.symbol for s in universe.systems}) == 40
    for system in universe.systems:
        assert re.fullmatch(r"X1-[A-Z]{2}\d{1,2}", system.symbol)
        for symbol in system.waypoints:
            assert re.fullmatch(re.escape(system.symbol) + r"-[A-Z]\d+", symbol)
            assert universe.waypoints[symbol].system == system.symbol


def test_starter_system_has_the_real_composition(universe: Universe) -> None:
    waypoints = starter(universe)
    types = Counter(w.type for w in waypoints)
    assert 82 <= len(waypoints) <= 93
    assert types["PLANET"] == 7
    assert types["ORBITAL_STATION"] == 3
    assert types["GAS_GIANT"] == 1
    assert types["FUEL_STATION"] == 4
    assert types["JUMP_GATE"] == 1
    assert types["ASTEROID_BASE"] == 2
    assert types["ENGINEERED_ASTEROID"] == 1
    assert 9 <= types["MOON"] <= 19
    assert 52 <= types["ASTEROID"] <= 59
    assert 25 <= len(starter_markets(universe)) <= 30
    yards = [w for w in waypoints if w.symbol in universe.shipyards]
    assert len(yards) == 3
    assert all("SHIPYARD" in w.traits for w in yards)
    assert all(("MARKETPLACE" in w.traits) == (w.symbol in universe.markets) for w in waypoints)


def test_geometry_stays_in_range_and_orbitals_share_their_parent_point(universe: Universe) -> None:
    for w in starter(universe):
        assert abs(w.x) <= 800 and abs(w.y) <= 800
        if w.orbits:
            parent = universe.waypoints[w.orbits]
            assert (w.x, w.y) == (parent.x, parent.y)
            assert w.symbol in parent.orbitals


def test_headquarters_and_probe_shipyard(universe: Universe) -> None:
    hq = universe.waypoints[universe.headquarters]
    assert hq.type == "PLANET" and hq.symbol in universe.markets
    yard = universe.shipyards[universe.probe_shipyard]
    offered = dict(yard.offers)
    assert {"SHIP_PROBE", "SHIP_LIGHT_HAULER"} <= set(offered)
    assert universe.waypoints[universe.probe_shipyard].orbits == universe.headquarters


def test_factories_follow_the_supply_chain_map_and_cover_every_manufacturable_good(universe: Universe) -> None:
    chain = catalog.supply_chain()
    factories: dict[str, str] = {}
    for market in universe.markets.values():
        for export, inputs in market.recipes:
            assert export in market.exports and inputs == chain[export], (market.waypoint, export)
            assert set(inputs) <= set(market.imports), (market.waypoint, export)
            factories[export] = market.waypoint
    assert catalog.manufacturable_goods() <= set(factories)
    # Every export of the starter system is a factory line, except the mining colony's ores and drugs.
    for market in starter_markets(universe):
        if not market.waypoint.endswith("-J58"):
            assert len(market.recipes) == len(market.exports), market.waypoint
    made_at_home = {export for m in starter_markets(universe) for export, _ in m.recipes}
    assert len(made_at_home) < len(catalog.manufacturable_goods()) / 2


def test_starting_activity_is_dealt_to_traded_goods_only(universe: Universe) -> None:
    for market in universe.markets.values():
        for good in market.goods:
            if good.kind == "EXCHANGE":
                assert good.initial_activity is None
            else:
                assert good.initial_activity in ("RESTRICTED", "WEAK", "GROWING", "STRONG")


def test_a_good_has_one_role_per_market_and_fuel_trades_at_most_markets(universe: Universe) -> None:
    for market in universe.markets.values():
        listed = list(market.exports) + list(market.imports) + list(market.exchange)
        assert len(listed) == len(set(listed)), market.waypoint
        assert {g.symbol for g in market.goods} == set(listed)
    markets = starter_markets(universe)
    with_fuel = [m for m in markets if any(g.symbol == "FUEL" for g in m.goods)]
    assert len(with_fuel) >= 0.8 * len(markets)


def test_trade_volumes_and_price_levels_follow_the_real_tiers(universe: Universe) -> None:
    goods = {(m.waypoint, g.symbol): g for m in universe.markets.values() for g in m.goods}
    for (_, symbol), good in goods.items():
        assert good.trade_volume == catalog.trade_volume(symbol, good.kind)
        assert good.base_price > 0
    assert catalog.trade_volume("IRON_ORE", "EXPORT") == 60
    assert catalog.trade_volume("MACHINERY", "EXPORT") == 20
    assert catalog.trade_volume("SHIP_PARTS", "IMPORT") == 6
    assert catalog.trade_volume("FUEL", "EXCHANGE") == 180
    ratio = catalog.purchase_price_level("MACHINERY", "IMPORT") / catalog.purchase_price_level("MACHINERY", "EXPORT")
    assert 2.8 <= ratio <= 3.6


@pytest.mark.parametrize("seed", [2, 3, 42])
def test_other_seeds_build_complete_universes(seed: int) -> None:
    u = generate(seed, other_systems=5)
    assert len(u.systems) == 6
    assert u.headquarters.startswith(u.starter_system + "-")
    assert len([w for w in u.systems[0].waypoints if w in u.markets]) >= 25
