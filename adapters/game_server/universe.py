"""A universe from a seed: systems, waypoints, markets and shipyards (game-universe-facts §3).

The same seed always gives the same universe (only `random.Random` seeded from strings, which hashes
deterministically). The starter system, where every agent starts, follows the real starter systems role for role:
7 planets, 3 orbital stations, an engineered asteroid, 2 asteroid bases, a gas giant, 4 fuel stations, a jump
gate, 12-16 moons and 54-59 asteroids; 27 markets, 3 shipyards; orbitals share their parent's coordinates;
everything within about +-780. Its local names are the real ones (A1 the headquarters, A2 its shipyard moon, C41
the station yard, H52 the mining moon's yard, K81 the consumer-goods station, ...).

Its markets are the real templates (starter_roles.py): the headquarters only imports, a factory exports 1-5 goods
made from the imports beside it (the supply-chain map's recipes), fuel stations trade only FUEL. So the starter
system makes the real ~30 goods, not every good of the map: the rest (high tech, modules, mounts, refined rare
metals, raw goods as the map "makes" them) are made by factory markets spread over the 39 other systems, so every
manufacturable good still has a factory somewhere.

Each good starts at a supply label drawn so the system's mix is the real one (facts §1), at a stock the economy
reads as that label; price levels are the real medians (catalog.py, facts §2).
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from adapters.game_server import catalog
from adapters.game_server.economy import EconomySettings
from adapters.game_server.starter_roles import (
    ASTEROID_BELTS, EXTRA_MOON_PARENTS, HEADQUARTERS, OUTER_MARKETS, PROBE_SHIPYARD, SHIPYARDS, STARTER_BODIES, Role,
    starter_roles)
from adapters.game_server.starting_labels import Entry, LabelPlanner, deal

SECTOR = "X1"
SYSTEM_TYPES = ("NEUTRON_STAR", "RED_STAR", "ORANGE_STAR", "BLUE_STAR", "YOUNG_STAR", "WHITE_DWARF", "BLACK_HOLE",
                "HYPERGIANT", "NEBULA", "UNSTABLE")
MAX_EXPORTS_PER_MARKET = 5          # facts §3: markets export 1-5 goods and import 2-9
MAX_IMPORTS_PER_MARKET = 9


@dataclass(frozen=True)
class WaypointSpec:
    """A waypoint as GET /systems/{s}/waypoints/{w} shows it."""
    symbol: str
    system: str
    type: str
    x: int
    y: int
    orbitals: tuple[str, ...] = ()
    orbits: str | None = None
    traits: tuple[str, ...] = ()
    faction: str | None = None
    under_construction: bool = False


@dataclass(frozen=True)
class SystemSpec:
    """A star system and its waypoints (in listing order)."""
    symbol: str
    type: str
    x: int
    y: int
    name: str
    waypoints: tuple[str, ...]
    factions: tuple[str, ...] = ()
    sector: str = SECTOR


@dataclass(frozen=True)
class MarketGoodSpec:
    """How a good starts at a market: kind, tradeVolume, sellPrice level, stock relative to equilibrium, and the
    activity label it starts with (None at an exchange; dealt in the real mix, for an economy that keeps activity
    as state rather than deriving it)."""
    symbol: str
    kind: str
    trade_volume: int
    base_price: float
    initial_ratio: float
    initial_activity: str | None = None


@dataclass(frozen=True)
class MarketSpec:
    """What a market trades, and which of its exports are factory lines (export <- inputs imported here)."""
    waypoint: str
    exports: tuple[str, ...]
    imports: tuple[str, ...]
    exchange: tuple[str, ...]
    goods: tuple[MarketGoodSpec, ...]
    recipes: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class ShipyardSpec:
    """The ship types a shipyard sells and their base prices."""
    waypoint: str
    offers: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Universe:
    """Everything static about the world; generated from the seed, never stored."""
    seed: int
    starter_system: str
    headquarters: str
    probe_shipyard: str
    faction: str
    systems: tuple[SystemSpec, ...]
    waypoints: Mapping[str, WaypointSpec]
    markets: Mapping[str, MarketSpec]
    shipyards: Mapping[str, ShipyardSpec]
    system_index: Mapping[str, SystemSpec] = field(default_factory=dict)

    def system(self, symbol: str) -> SystemSpec | None:
        return self.system_index.get(symbol)


# --- flavour ----------------------------------------------------------------------------------------------------------

_PLANET_TRAITS = tuple("TEMPERATE ROCKY FROZEN VOLCANIC OCEAN JUNGLE BARREN SWAMP TOXIC_ATMOSPHERE "
                       "BREATHABLE_ATMOSPHERE".split())
_SETTLEMENT_TRAITS = tuple("SPRAWLING_CITIES INDUSTRIAL HIGH_TECH TRADING_HUB OUTPOST SCATTERED_SETTLEMENTS "
                           "RESEARCH_FACILITY BUREAUCRATIC".split())
_MOON_TRAITS = tuple("ROCKY BARREN FROZEN VOLCANIC SHALLOW_CRATERS DEEP_CRATERS".split())
_STATION_TRAITS = tuple("MILITARY_BASE TRADING_HUB SURVEILLANCE_OUTPOST RESEARCH_FACILITY".split())
_ASTEROID_DEPOSITS = (("COMMON_METAL_DEPOSITS", 23), ("MINERAL_DEPOSITS", 24), ("EXPLOSIVE_GASES", 10),
                      ("PRECIOUS_METAL_DEPOSITS", 3), ("RARE_METAL_DEPOSITS", 2))
_ASTEROID_EXTRAS = tuple("HOLLOWED_INTERIOR UNSTABLE_COMPOSITION DEBRIS_CLUSTER MICRO_GRAVITY_ANOMALIES".split())
_CONSUMER_GOODS = tuple("FOOD CLOTHING MEDICINE DRUGS EQUIPMENT JEWELRY FIREARMS MACHINERY FABRICS ELECTRONICS "
                        "PLASTICS FERTILIZERS".split())
_SYLLABLES = tuple("ka ri to ne sa lu vo mi de ra zu pe lo an ix or ul en ta".split())
# The outer markets (asteroid bases, fuel stations, gate) lie on one side of the star, within this angle (radians)
# of a direction: real market-to-market distances stop near 840 although the outer base sits at ~720 (facts §3).
_OUTER_SPREAD = 0.6
# A factory market elsewhere makes at most this many goods from at most this many different inputs.
_GROUP_EXPORTS, _GROUP_INPUTS = 3, 5


# --- generation -------------------------------------------------------------------------------------------------------

def generate(seed: int, *, other_systems: int = 39, settings: EconomySettings | None = None) -> Universe:
    """Build the universe of `seed`: the starter system first, then `other_systems` smaller ones, which share the
    factories of every manufacturable good the starter system does not make."""
    settings = settings or EconomySettings()
    planner = LabelPlanner(settings)
    rng = random.Random(f"universe:{seed}")
    used: set[str] = set()
    starter = _system_symbol(rng, used)
    faction = rng.choice(("COSMIC", "VOID", "GALACTIC", "QUANTUM", "DOMINION"))
    waypoints: dict[str, WaypointSpec] = {}
    markets: dict[str, MarketSpec] = {}
    shipyards: dict[str, ShipyardSpec] = {}
    roles = starter_roles(random.Random(f"roles:{seed}"))
    systems = [_starter_system(seed, starter, faction, roles, planner, settings, waypoints, markets, shipyards)]
    groups = _factory_groups(roles)
    for index in range(other_systems):
        symbol = _system_symbol(rng, used)
        systems.append(_small_system(seed, index, symbol, groups[index::other_systems], planner, settings,
                                     waypoints, markets))
    return Universe(
        seed=seed, starter_system=starter, headquarters=f"{starter}-{HEADQUARTERS}",
        probe_shipyard=f"{starter}-{PROBE_SHIPYARD}", faction=faction, systems=tuple(systems),
        waypoints=MappingProxyType(waypoints), markets=MappingProxyType(markets),
        shipyards=MappingProxyType(shipyards), system_index=MappingProxyType({s.symbol: s for s in systems}))


def _system_symbol(rng: random.Random, used: set[str]) -> str:
    while True:
        letters = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2))
        symbol = f"{SECTOR}-{letters}{rng.randint(1, 99)}"
        if symbol not in used:
            used.add(symbol)
            return symbol


def _system_name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _point(rng: random.Random, radius: tuple[int, int], toward: float | None = None) -> tuple[int, int]:
    """A point at a random radius in range; at a random angle, or within ~35 degrees of `toward`."""
    r = rng.uniform(*radius)
    angle = rng.uniform(0, 2 * math.pi) if toward is None else toward + rng.uniform(-_OUTER_SPREAD, _OUTER_SPREAD)
    return round(r * math.cos(angle)), round(r * math.sin(angle))


def _number(local: str) -> int:
    return int(local[1:])


def _starter_bodies(rng: random.Random) -> list[tuple[str, str, tuple[int, int] | str]]:
    """The template's bodies, the asteroid belts, and the seed's extra moons and asteroids, in number order."""
    bodies = list(STARTER_BODIES)
    for letter, numbers, radius in ASTEROID_BELTS:
        bodies.extend((f"{letter}{n}", "ASTEROID", radius) for n in numbers)
    number = max(_number(name) for name, _, _ in bodies)
    for parent in EXTRA_MOON_PARENTS[:rng.randint(0, len(EXTRA_MOON_PARENTS) - 1)]:
        number += 1
        bodies.append((f"{parent[0]}{number}", "MOON", parent))
    outer_belt = ASTEROID_BELTS[-1]
    for _ in range(rng.randint(0, 5)):
        number += 1
        bodies.append((f"{outer_belt[0]}{number}", "ASTEROID", outer_belt[2]))
    return sorted(bodies, key=lambda body: _number(body[0]))


def _starter_system(seed: int, symbol: str, faction: str, roles: Mapping[str, Role], planner: LabelPlanner,
                    settings: EconomySettings, waypoints: dict[str, WaypointSpec], markets: dict[str, MarketSpec],
                    shipyards: dict[str, ShipyardSpec]) -> SystemSpec:
    rng = random.Random(f"starter:{seed}")
    bodies = _starter_bodies(rng)
    outer = rng.uniform(0, 2 * math.pi)
    points: dict[str, tuple[int, int]] = {}
    for name, _type, placement in bodies:
        if not isinstance(placement, str):
            points[name] = _point(rng, placement, outer if name in OUTER_MARKETS else None)
    children: dict[str, list[str]] = {}
    for name, _type, placement in bodies:
        if isinstance(placement, str):
            points[name] = points[placement]
            children.setdefault(placement, []).append(f"{symbol}-{name}")

    deposits = [trait for trait, count in _ASTEROID_DEPOSITS for _ in range(count)]
    rng.shuffle(deposits)
    order: list[str] = []
    plans: list[_MarketPlan] = []
    for name, body_type, placement in bodies:
        wp = f"{symbol}-{name}"
        traits: list[str] = []
        if name in roles:
            traits.append("MARKETPLACE")
        if name in SHIPYARDS:
            traits.append("SHIPYARD")
        traits.extend(_flavour(rng, body_type, deposits))
        x, y = points[name]
        waypoints[wp] = WaypointSpec(
            symbol=wp, system=symbol, type=body_type, x=x, y=y, orbitals=tuple(children.get(name, ())),
            orbits=f"{symbol}-{placement}" if isinstance(placement, str) else None, traits=tuple(traits),
            faction=faction if body_type != "ASTEROID" else None,
            under_construction=body_type == "JUMP_GATE")
        order.append(wp)
        if name in roles:
            role = roles[name]
            plans.append(_MarketPlan(wp, role.exports, role.all_imports(), role.all_exchange(), role.recipes()))
        if name in SHIPYARDS:
            shipyards[wp] = ShipyardSpec(wp, tuple(catalog.SHIPYARD_PRICES[SHIPYARDS[name]].items()))
    for spec in _price_markets(rng, plans, planner, settings):
        markets[spec.waypoint] = spec
    return SystemSpec(symbol=symbol, type="ORANGE_STAR", x=0, y=0, name=_system_name(rng), waypoints=tuple(order),
                      factions=(faction,))


def _flavour(rng: random.Random, body_type: str, deposits: list[str]) -> list[str]:
    if body_type == "PLANET":
        return [rng.choice(_PLANET_TRAITS), rng.choice(_SETTLEMENT_TRAITS)]
    if body_type == "MOON":
        return [rng.choice(_MOON_TRAITS)]
    if body_type == "ORBITAL_STATION":
        return [rng.choice(_STATION_TRAITS)]
    if body_type == "GAS_GIANT":
        return ["JOVIAN", "STRONG_MAGNETOSPHERE", "EXPLOSIVE_GASES"]
    if body_type in ("ASTEROID_BASE", "ENGINEERED_ASTEROID"):
        return ["HOLLOWED_INTERIOR", "OUTPOST"]
    if body_type == "ASTEROID":
        traits = [deposits.pop() if deposits else "MINERAL_DEPOSITS"]
        if rng.random() < 0.3:
            traits.append(rng.choice(_ASTEROID_EXTRAS))
        return traits
    return []


def _factory_groups(roles: Mapping[str, Role]) -> list[tuple[str, ...]]:
    """Every manufacturable good the starter system does not make, packed into factory markets: goods sharing
    inputs together, at most `_GROUP_EXPORTS` goods from at most `_GROUP_INPUTS` inputs each."""
    chain = catalog.supply_chain()
    made_here = {good for role in roles.values() if role.factories for good in role.exports}
    remaining = sorted(catalog.manufacturable_goods() - made_here, key=lambda g: (sorted(chain[g]), g))
    groups: list[list[str]] = []
    inputs: set[str] = set()
    for good in remaining:
        needed = inputs | set(chain[good])
        fits = groups and len(groups[-1]) < _GROUP_EXPORTS and len(needed) <= _GROUP_INPUTS
        if fits and not (needed & set(groups[-1]) or set(groups[-1] + [good]) & needed):
            groups[-1].append(good)
            inputs = needed
        else:
            groups.append([good])
            inputs = set(chain[good])
    return [tuple(group) for group in groups]


def _small_system(seed: int, index: int, symbol: str, factory_groups: Sequence[tuple[str, ...]],
                  planner: LabelPlanner, settings: EconomySettings, waypoints: dict[str, WaypointSpec],
                  markets: dict[str, MarketSpec]) -> SystemSpec:
    """A small outer system: planets with moons, asteroids, maybe a gas giant and a fuel station. Its first planets
    host the factory markets it was given (exports made from imports beside them); other markets export raw goods
    that simply drift and import a few consumer goods."""
    rng = random.Random(f"system:{seed}:{index}")
    chain = catalog.supply_chain()
    sx, sy = rng.randint(-4000, 4000), rng.randint(-4000, 4000)
    bodies: list[tuple[str, int, int, int | None]] = []   # (type, x, y, parent index)
    planets: list[int] = []
    for _ in range(max(rng.randint(1, 3), len(factory_groups))):
        x, y = _point(rng, (20, 200))
        planets.append(len(bodies))
        bodies.append(("PLANET", x, y, None))
        for _ in range(rng.randint(0, 2)):
            bodies.append(("MOON", x, y, planets[-1]))
    if rng.random() < 0.5:
        x, y = _point(rng, (150, 300))
        bodies.append(("GAS_GIANT", x, y, None))
    if rng.random() < 0.6:
        x, y = _point(rng, (100, 400))
        bodies.append(("FUEL_STATION", x, y, None))
    for _ in range(rng.randint(2, 8)):
        x, y = _point(rng, (250, 700))
        bodies.append(("ASTEROID", x, y, None))
    factories = dict(zip(planets, factory_groups))

    names = [f"{chr(ord('A') + i % 26)}{i + 1}" for i in range(len(bodies))]
    children: dict[int, list[str]] = {}
    for i, (_type, _x, _y, parent) in enumerate(bodies):
        if parent is not None:
            children.setdefault(parent, []).append(f"{symbol}-{names[i]}")
    deposits = [trait for trait, _ in _ASTEROID_DEPOSITS]
    order = []
    plans: list[_MarketPlan] = []
    for i, (body_type, x, y, parent) in enumerate(bodies):
        wp = f"{symbol}-{names[i]}"
        has_market = (i in factories or body_type == "FUEL_STATION"
                      or (body_type in ("PLANET", "MOON") and rng.random() < 0.5))
        traits = (["MARKETPLACE"] if has_market else []) + _flavour(rng, body_type, [rng.choice(deposits)])
        waypoints[wp] = WaypointSpec(
            symbol=wp, system=symbol, type=body_type, x=x, y=y, orbitals=tuple(children.get(i, ())),
            orbits=f"{symbol}-{names[parent]}" if parent is not None else None, traits=tuple(traits))
        order.append(wp)
        if not has_market:
            continue
        if i in factories:
            exports = factories[i]
            inputs = tuple(dict.fromkeys(good for export in exports for good in chain[export]))
            consumer = [g for g in _CONSUMER_GOODS if g not in inputs and g not in exports]
            imports = inputs + tuple(rng.sample(consumer, rng.randint(0, 2)))
            recipes = tuple((export, chain[export]) for export in exports)
        elif body_type == "FUEL_STATION":
            exports, imports, recipes = (), (), ()
        else:
            exports = tuple(rng.sample(sorted(catalog.RAW_GOODS - {"SHIP_SALVAGE"}), rng.randint(1, 3)))
            imports = tuple(rng.sample(_CONSUMER_GOODS, rng.randint(2, 4)))
            recipes = ()
        exchange = ("FUEL",) if "FUEL" not in exports and "FUEL" not in imports else ()
        plans.append(_MarketPlan(wp, exports, imports, exchange, recipes))
    for spec in _price_markets(rng, plans, planner, settings):
        markets[spec.waypoint] = spec
    return SystemSpec(symbol=symbol, type=rng.choice(SYSTEM_TYPES), x=sx, y=sy, name=_system_name(rng),
                      waypoints=tuple(order))


# --- market goods -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _MarketPlan:
    waypoint: str
    exports: tuple[str, ...]
    imports: tuple[str, ...]
    exchange: tuple[str, ...]
    recipes: tuple[tuple[str, tuple[str, ...]], ...]

    def __post_init__(self) -> None:
        if len(self.exports) > MAX_EXPORTS_PER_MARKET or len(self.imports) > MAX_IMPORTS_PER_MARKET:
            raise ValueError(f"{self.waypoint} trades more than a real market: {self.exports} <- {self.imports}")


_FUEL_LABEL = MappingProxyType({"EXPORT": "HIGH", "IMPORT": "LIMITED", "EXCHANGE": "MODERATE"})
# Base-price jitter around the real median level, by kind (exchange prices sit tight: FUEL 72-84, facts §2).
_PRICE_JITTER = MappingProxyType({"EXPORT": (0.92, 1.1), "IMPORT": (0.92, 1.1), "EXCHANGE": (0.99, 1.06)})


def _price_markets(rng: random.Random, plans: Sequence[_MarketPlan], planner: LabelPlanner,
                   settings: EconomySettings) -> list[MarketSpec]:
    """The plans' goods with their tradeVolume, price level and starting stock and activity; the system's labels
    are dealt in the real mix (starting_labels.py). FUEL starts at its usual label (HIGH at the refinery, MODERATE
    at an exchange), so its prices sit at the real levels everywhere (facts §2: 56; 72/68)."""
    places: list[tuple[_MarketPlan, str, str]] = []
    index_of: dict[tuple[str, str], int] = {}
    for plan in plans:
        for kind, goods in (("EXPORT", plan.exports), ("IMPORT", plan.imports), ("EXCHANGE", plan.exchange)):
            for good in goods:
                index_of[(plan.waypoint, good)] = len(places)
                places.append((plan, kind, good))
    recipes = {(plan.waypoint, export): inputs for plan in plans for export, inputs in plan.recipes}
    entries = [Entry(kind, good, tuple(index_of[(plan.waypoint, g)] for g in recipes.get((plan.waypoint, good), ())))
               for plan, kind, good in places]
    fixed = {i: _FUEL_LABEL[kind] for i, (_, kind, good) in enumerate(places) if good == "FUEL"}
    starts = deal(rng, entries, fixed)
    goods: dict[str, list[MarketGoodSpec]] = {plan.waypoint: [] for plan in plans}
    for (plan, kind, good), start in zip(places, starts):
        level = catalog.purchase_price_level(good, kind) / settings.spread[kind]
        ratio = planner.ratio(kind, start.supply, start.position, start.standing)
        goods[plan.waypoint].append(MarketGoodSpec(
            symbol=good, kind=kind, trade_volume=catalog.trade_volume(good, kind),
            base_price=round(level * rng.uniform(*_PRICE_JITTER[kind]), 2), initial_ratio=round(ratio, 4),
            initial_activity=start.activity))
    return [MarketSpec(waypoint=plan.waypoint, exports=plan.exports, imports=plan.imports, exchange=plan.exchange,
                       goods=tuple(goods[plan.waypoint]), recipes=plan.recipes) for plan in plans]
