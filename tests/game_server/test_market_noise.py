"""Background traffic (market_noise.py): untouched markets move around their template at the real rate (facts
universe §5: a (market, good) changes supply level every ~24 game minutes), never drift away, and do so the same
way for a given seed and game time, however often they are read and across a restart."""
from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from adapters.game_server.clock import ManualClock
from adapters.game_server.economy import EconomySettings, supply_level
from adapters.game_server.market_noise import factor, factor_of_shown, knot, offset, weight
from adapters.game_server.starting_labels import SUPPLY_MIX
from adapters.game_server.state import MarketGood
from adapters.game_server.world import World, WorldSettings
from adapters.wire import models as wire

SETTINGS = EconomySettings()
HOUR = 3600
DAY_MINUTES = 24 * 60
AGENT = "BADGER"
FRIGATE = f"{AGENT}-1"


@pytest.fixture(scope="module")
def starter_goods() -> list[MarketGood]:
    """Every good of the seed-1 starter system, at its template (a fresh world's markets)."""
    world = World.open(None, clock=ManualClock(), settings=WorldSettings(seed=1, other_systems=1))
    system = world.universe.starter_system
    goods = [g for waypoint, market in world._markets.items() if waypoint.startswith(system)
             for g in market.goods.values()]
    world.close()
    return goods


def shown(good: MarketGood, minutes: float, settings: EconomySettings = SETTINGS) -> MarketGood:
    """The untouched good as the market shows it at that game time."""
    return dataclasses.replace(good, stock=good.template_stock * factor(good.noise_key, minutes, good.kind, settings))


def label_changes(good: MarketGood, minutes: int, settings: EconomySettings = SETTINGS) -> int:
    labels = [supply_level(shown(good, t, settings), settings) for t in range(minutes + 1)]
    return sum(1 for a, b in zip(labels, labels[1:]) if a != b)


# --- the pure traffic -------------------------------------------------------------------------------------------------

def test_an_untouched_good_changes_supply_level_about_every_24_game_minutes(starter_goods) -> None:
    traded = [g for g in starter_goods if g.kind != "EXCHANGE"]
    per_hour = sum(label_changes(g, DAY_MINUTES) for g in traded) / len(traded) / 24
    assert 2.0 <= per_hour <= 3.0, per_hour                       # facts: 60/24 = 2.5 per hour


def test_exchanges_move_less_and_stay_mostly_moderate(starter_goods) -> None:
    exchanges = [g for g in starter_goods if g.kind == "EXCHANGE"]
    per_hour = sum(label_changes(g, DAY_MINUTES) for g in exchanges) / len(exchanges) / 24
    assert 0.1 <= per_hour < 1.5, per_hour
    moderate = sum(supply_level(shown(g, t), SETTINGS) == "MODERATE" for g in exchanges for t in range(0, 1440, 7))
    assert moderate / (len(exchanges) * len(range(0, 1440, 7))) >= 0.75      # facts §1: 83%


def test_the_traffic_reverts_to_the_template_over_a_day_and_never_drifts(starter_goods) -> None:
    for good in starter_goods:
        amplitude = SETTINGS.noise_amplitude[good.kind]
        offsets = [offset(good.noise_key, t, good.kind, SETTINGS) for t in range(0, 7 * DAY_MINUTES, 5)]
        assert max(abs(o) for o in offsets) <= amplitude           # bounded around the template at every time
        for day in range(7):
            day_offsets = offsets[day * 288:(day + 1) * 288]
            assert abs(sum(day_offsets) / len(day_offsets)) < 0.3 * amplitude, (good.symbol, day)


def test_the_supply_mix_over_a_day_stays_the_real_one(starter_goods) -> None:
    for kind, mix in SUPPLY_MIX.items():
        goods = [g for g in starter_goods if g.kind == kind]
        seen = Counter(supply_level(shown(g, t), SETTINGS) for g in goods for t in range(0, DAY_MINUTES, 7))
        total = sum(seen.values())
        for label, share in mix.items():
            assert abs(seen[label] / total - share) <= 0.06, (kind, label, seen[label] / total, share)


def test_the_traffic_is_a_function_of_key_and_game_time() -> None:
    assert knot(12345, 0) == 0.0 and factor(12345, 0.0, "IMPORT", SETTINGS) == 1.0    # an era opens at its template
    assert offset(12345, 100.0, "IMPORT", SETTINGS) == offset(12345, 100.0, "IMPORT", SETTINGS)
    assert offset(12345, 100.0, "IMPORT", SETTINGS) != offset(54321, 100.0, "IMPORT", SETTINGS)
    assert all(-1.0 <= knot(7, slot) <= 1.0 for slot in range(1, 2000))
    still = EconomySettings(noise_scale=0.0)
    assert all(factor(12345, t, "EXPORT", still) == 1.0 for t in range(0, 600, 13))


def test_the_traffic_fades_on_a_good_an_agent_moved_away_from_its_template() -> None:
    assert weight(1.0, SETTINGS) == 1.0 and weight(0.0, SETTINGS) == 0.0
    one_level = SETTINGS.level_ratio
    assert weight(one_level, SETTINGS) == pytest.approx(weight(1 / one_level, SETTINGS)) == pytest.approx(1 / 2.718281828)
    assert weight(one_level ** 2, SETTINGS) < 0.02                  # a real dump: the traffic barely moves it
    shift = offset(99, 500.0, "IMPORT", SETTINGS)
    assert shift != 0.0
    assert factor(99, 500.0, "IMPORT", SETTINGS, one_level ** 2) == pytest.approx(1.0, abs=0.02)


def test_a_restart_derives_the_applied_factor_from_the_shown_stock() -> None:
    for base_over_template in (0.3, 0.9, 1.0, 1.7, 4.0):
        applied = factor(99, 500.0, "IMPORT", SETTINGS, base_over_template)
        shown_over_template = base_over_template * applied
        assert factor_of_shown(99, 500.0, "IMPORT", SETTINGS, shown_over_template) == pytest.approx(applied, rel=1e-12)


# --- the traffic in the World -----------------------------------------------------------------------------------------

def open_world(clock: ManualClock, seed: int = 1, data_dir: Path | None = None) -> World:
    return World.open(data_dir, clock=clock, settings=WorldSettings(seed=seed, other_systems=2,
                                                                    starting_credits=10 ** 9))


def starter_markets(world: World) -> list[wire.Market]:
    """Every starter-system market as a ship there would see it (tradeGoods shown)."""
    now = world.now().timestamp()
    system = world.universe.starter_system
    return [world._views.market(spec, world._market_now(world._markets[waypoint], now))
            for waypoint, spec in sorted(world.universe.markets.items()) if waypoint.startswith(system)]


def test_a_market_read_twice_at_the_same_game_time_does_not_change() -> None:
    clock = ManualClock()
    world = open_world(clock)
    clock.advance(5 * HOUR + 17)
    assert starter_markets(world) == starter_markets(world)
    world.close()


def test_the_same_seed_shows_the_same_markets_however_often_they_are_read() -> None:
    clock = ManualClock()
    often, seldom, other = open_world(clock), open_world(clock), open_world(clock, seed=2)
    start = starter_markets(often)
    for _ in range(30):
        clock.advance(7 * 60 + 3)
        starter_markets(often)
    assert starter_markets(often) == starter_markets(seldom)
    assert starter_markets(often) != start                          # the markets did move meanwhile
    assert [m.trade_goods for m in starter_markets(other)] != [m.trade_goods for m in starter_markets(often)]
    for world in (often, seldom, other):
        world.close()


def test_an_untouched_market_read_every_few_minutes_changes_its_labels_at_the_real_rate() -> None:
    clock = ManualClock()
    world = open_world(clock)
    previous = {(m.symbol, g.symbol): g.supply for m in starter_markets(world) for g in m.trade_goods or []
                if g.type != "EXCHANGE"}
    changes = 0
    for _ in range(6 * 20):                                          # six game hours, read every 3 minutes
        clock.advance(180)
        for market in starter_markets(world):
            for good in market.trade_goods or []:
                key = (market.symbol, good.symbol)
                if key in previous and previous[key] != good.supply:
                    changes += 1
                    previous[key] = good.supply
    per_hour = changes / len(previous) / 6
    assert 1.6 <= per_hour <= 3.2, per_hour                          # facts: 2.5, counted at reads as S2 did
    world.close()


def test_a_restart_continues_the_traffic_without_a_jump(tmp_path: Path) -> None:
    clock = ManualClock()
    kept = open_world(clock)
    stored = open_world(clock, data_dir=tmp_path)
    hq = kept.universe.headquarters
    for world in (kept, stored):
        world.register(AGENT, "COSMIC")
    clock.advance(2 * HOUR + 123)
    for world in (kept, stored):
        world.dock(AGENT, FRIGATE)
        world.purchase_cargo(AGENT, FRIGATE, "FUEL" if any(g.symbol == "FUEL" for g in
                             kept.universe.markets[hq].goods) else kept.universe.markets[hq].goods[0].symbol, 1)
    system = kept.universe.waypoints[hq].system
    assert kept.market(system, hq, AGENT) == stored.market(system, hq, AGENT)
    stored.close()
    stored = open_world(clock, data_dir=tmp_path)
    assert kept.market(system, hq, AGENT).trade_goods == stored.market(system, hq, AGENT).trade_goods
    clock.advance(3 * HOUR + 45)
    assert kept.market(system, hq, AGENT).trade_goods == stored.market(system, hq, AGENT).trade_goods
    kept.close()
    stored.close()


def test_a_dump_recovers_under_the_traffic_toward_the_untouched_twin() -> None:
    """The traffic moves a dumped import as it moves its untouched twin (same seed, same game time): the dump's
    recovery is measured against the twin, not against a still template."""
    clock = ManualClock()
    dumped, twin = open_world(clock), open_world(clock)
    hq = dumped.universe.headquarters
    system = dumped.universe.waypoints[hq].system
    symbol = max((g for g in dumped.universe.markets[hq].goods if g.kind == "IMPORT"),
                 key=lambda g: (g.trade_volume, g.symbol)).symbol
    for world in (dumped, twin):
        world.register(AGENT, "COSMIC")
        world.dock(AGENT, FRIGATE)

    def bid(world: World) -> int:
        return next(g for g in world.market(system, hq, AGENT).trade_goods if g.symbol == symbol).sell_price

    start = bid(dumped)
    tranches = 0
    while bid(dumped) > start * 0.5:
        volume = next(g for g in dumped.market(system, hq, AGENT).trade_goods if g.symbol == symbol).trade_volume
        dumped._ships[FRIGATE].cargo[symbol] = volume
        dumped.sell_cargo(AGENT, FRIGATE, symbol, volume)
        tranches += 1
    assert tranches >= 10
    clock.advance(HOUR)
    assert bid(dumped) < 0.8 * bid(twin)        # facts: bids come back with a half-life of 1-1.5 h (at most 3/4)
    clock.advance(47 * HOUR)
    assert bid(dumped) >= 0.95 * bid(twin)
    dumped.close()
    twin.close()


def test_the_traffic_moves_supply_and_prices_but_not_the_activity_of_an_untouched_world() -> None:
    """Activity shows the factory lines' state, which the traffic leaves alone: the activity mix holds exactly
    while supply labels move."""
    clock = ManualClock()
    world = open_world(clock)

    def labels(attribute: str) -> list[str | None]:
        return [getattr(g, attribute) for m in starter_markets(world) for g in m.trade_goods or []]

    activity, supply = labels("activity"), labels("supply")
    moved = 0
    for _ in range(12):
        clock.advance(HOUR)
        assert labels("activity") == activity
        moved += labels("supply") != supply
    assert moved >= 10
    world.close()
