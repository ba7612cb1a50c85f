"""A universe from a seed: systems, waypoints, markets and shipyards (game-universe-facts §3).

The same seed always gives the same universe (only `random.Random` seeded from strings, which hashes
deterministically). The starter system, where every agent starts, follows the real starter systems: 7 planets,
3 orbital stations, moons, an engineered asteroid, 2 asteroid bases, a gas giant, 4 fuel stations, a jump gate and
~52 asteroids (85 waypoints); 29 markets, 3 shipyards; orbitals share their parent's coordinates; everything
within about +-780.

Market roles follow the templated roles of the real starter systems (facts §3: the HQ imports consumer goods,
A3 makes MICROPROCESSORS, the C station makes LAB_INSTRUMENTS, D makes SHIP_PARTS, SHIP_PLATING and
ADVANCED_CIRCUITRY, ...). Every other good of the supply-chain map is then placed at a market whose imports
already cover most of its inputs, so that EVERY manufacturable good (every key of the map except ship hulls, which
shipyards build) is exported in the starter system by a factory that imports its inputs. FUEL trades at most
markets. The other, smaller systems give `GET /systems` something to page through; their markets export raw goods
that simply drift.
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from adapters.game_server import catalog
from adapters.game_server.economy import EconomySettings

SECTOR = "X1"
SYSTEM_TYPES = ("NEUTRON_STAR", "RED_STAR", "ORANGE_STAR", "BLUE_STAR", "YOUNG_STAR", "WHITE_DWARF", "BLACK_HOLE",
                "HYPERGIANT", "NEBULA", "UNSTABLE")
MAX_EXPORTS_PER_MARKET = 8


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
    """How a good starts at a market: kind, tradeVolume, sellPrice level and stock relative to equilibrium."""
    symbol: str
    kind: str
    trade_volume: int
    base_price: float
    initial_ratio: float


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


# --- the starter system's template -------------------------------------------------------------------------------------

# (cluster letter, type, radius range from the star, orbital types). Numbers run on across clusters: A1 A2 A3 A4 B5 ...
_STARTER_BODIES: tuple[tuple[str, str, tuple[int, int], tuple[str, ...]], ...] = (
    ("A", "PLANET", (25, 60), ("MOON", "MOON", "MOON")),
    ("B", "ASTEROID_BASE", (330, 360), ()),
    ("C", "PLANET", (60, 105), ("ORBITAL_STATION", "MOON")),
    ("D", "PLANET", (40, 100), ("MOON", "MOON")),
    ("E", "PLANET", (40, 100), ("MOON",)),
    ("F", "PLANET", (40, 100), ("MOON", "MOON")),
    ("G", "GAS_GIANT", (145, 160), ("ORBITAL_STATION", "MOON")),
    ("H", "PLANET", (40, 100), ("MOON", "MOON", "MOON")),
    ("I", "ENGINEERED_ASTEROID", (25, 30), ()),
    ("J", "PLANET", (40, 100), ("MOON",)),
    ("K", "ORBITAL_STATION", (110, 154), ()),
    ("L", "ASTEROID_BASE", (700, 740), ()),
    ("M", "FUEL_STATION", (115, 250), ()),
    ("N", "FUEL_STATION", (250, 400), ()),
    ("O", "FUEL_STATION", (400, 500), ()),
    ("P", "FUEL_STATION", (500, 603), ()),
    ("Q", "JUMP_GATE", (430, 470), ()),
)
# Asteroid belts: (letter, count, radius range). 52 asteroids, median radius near 380 (facts §3).
_BELTS = (("R", 20, (308, 380)), ("S", 14, (380, 460)), ("T", 10, (460, 600)), ("U", 8, (600, 789)))
_NO_MARKET = frozenset({"D11", "E13", "G17", "J26"})


@dataclass(frozen=True)
class _Role:
    exports: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()      # consumer imports, on top of the inputs of the exports
    exchange: tuple[str, ...] = ()
    open: bool = True                  # may take more exports when goods are placed
    fuel: bool = True                  # trades FUEL (as EXCHANGE unless it exports it)


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SHIP_INPUTS = _t("SHIP_PLATING SHIP_PARTS")
_ROLES: dict[str, _Role] = {
    "A1": _Role(imports=_t("FOOD MEDICINE CLOTHING EQUIPMENT JEWELRY HOLOGRAPHICS")),
    "A2": _Role(imports=_SHIP_INPUTS),
    "A3": _Role(exports=_t("MICROPROCESSORS"), fuel=False),
    "A4": _Role(exports=_t("AI_MAINFRAMES")),
    "B5": _Role(exports=_t("GOLD SILVER PLATINUM"), open=False, exchange=_t(
        "QUARTZ_SAND SILICON_CRYSTALS ICE_WATER AMMONIA_ICE IRON_ORE COPPER_ORE ALUMINUM_ORE PRECIOUS_STONES "
        "DIAMONDS URANITE_ORE MERITIUM_ORE")),
    "C6": _Role(),
    "C7": _Role(exports=_t("LAB_INSTRUMENTS"), imports=_SHIP_INPUTS,
                exchange=_t("HYDROCARBON LIQUID_HYDROGEN LIQUID_NITROGEN")),
    "C8": _Role(fuel=False),
    "D9": _Role(exports=_t("SHIP_PARTS MEDICINE")),
    "D10": _Role(exports=_t("SHIP_PLATING ADVANCED_CIRCUITRY")),
    "E12": _Role(exports=_t("FIREARMS ASSAULT_RIFLES")),
    "F14": _Role(exports=_t("MACHINERY FABRICS POLYNUCLEOTIDES")),
    "F15": _Role(exports=_t("AMMUNITION EXPLOSIVES")),
    "F16": _Role(exports=_t("FAB_MATS ELECTRONICS")),
    "G18": _Role(exports=_t("FUEL PLASTICS FERTILIZERS")),
    "G19": _Role(exports=_t("LIQUID_HYDROGEN LIQUID_NITROGEN HYDROCARBON AMMONIA_ICE ICE_WATER"), open=False),
    "H20": _Role(exports=_t("IRON ALUMINUM COPPER"), imports=_t("DRUGS")),
    "H21": _Role(imports=_SHIP_INPUTS),
    "H22": _Role(open=False, exchange=_t(
        "ICE_WATER AMMONIA_ICE QUARTZ_SAND SILICON_CRYSTALS IRON_ORE COPPER_ORE ALUMINUM_ORE LIQUID_HYDROGEN "
        "LIQUID_NITROGEN HYDROCARBON")),
    "H23": _Role(exports=_t("JEWELRY")),
    "I24": _Role(open=False),
    "J25": _Role(exports=_t("IRON_ORE COPPER_ORE ALUMINUM_ORE PRECIOUS_STONES DRUGS"), open=False, imports=_t(
        "FOOD CLOTHING FIREARMS ASSAULT_RIFLES MEDICINE MILITARY_EQUIPMENT EQUIPMENT JEWELRY MACHINERY")),
    "K27": _Role(exports=_t("FOOD EQUIPMENT CLOTHING BIOCOMPOSITES"), exchange=_t("ANTIMATTER")),
    "L28": _Role(exports=_t("SILVER_ORE GOLD_ORE PLATINUM_ORE URANITE_ORE MERITIUM_ORE QUARTZ_SAND "
                            "SILICON_CRYSTALS DIAMONDS"), open=False),
    "M29": _Role(open=False), "N30": _Role(open=False), "O31": _Role(open=False), "P32": _Role(open=False),
    "Q33": _Role(open=False, exchange=_t("ANTIMATTER")),
}
_SHIPYARDS = {"A2": "HQ_MOON", "C7": "STATION", "H21": "MINING_MOON"}
_HEADQUARTERS, _PROBE_SHIPYARD = "A1", "A2"

_PLANET_TRAITS = _t("TEMPERATE ROCKY FROZEN VOLCANIC OCEAN JUNGLE BARREN SWAMP TOXIC_ATMOSPHERE "
                    "BREATHABLE_ATMOSPHERE")
_SETTLEMENT_TRAITS = _t("SPRAWLING_CITIES INDUSTRIAL HIGH_TECH TRADING_HUB OUTPOST SCATTERED_SETTLEMENTS "
                        "RESEARCH_FACILITY BUREAUCRATIC")
_MOON_TRAITS = _t("ROCKY BARREN FROZEN VOLCANIC SHALLOW_CRATERS DEEP_CRATERS")
_STATION_TRAITS = _t("MILITARY_BASE TRADING_HUB SURVEILLANCE_OUTPOST RESEARCH_FACILITY")
_ASTEROID_DEPOSITS = (("COMMON_METAL_DEPOSITS", 23), ("MINERAL_DEPOSITS", 24), ("EXPLOSIVE_GASES", 10),
                      ("PRECIOUS_METAL_DEPOSITS", 3), ("RARE_METAL_DEPOSITS", 2))
_ASTEROID_EXTRAS = _t("HOLLOWED_INTERIOR UNSTABLE_COMPOSITION DEBRIS_CLUSTER MICRO_GRAVITY_ANOMALIES")
_CONSUMER_GOODS = _t("FOOD CLOTHING MEDICINE DRUGS EQUIPMENT JEWELRY FIREARMS MACHINERY FABRICS ELECTRONICS "
                     "PLASTICS FERTILIZERS")
_SYLLABLES = _t("ka ri to ne sa lu vo mi de ra zu pe lo an ix or ul en ta")


# --- generation ----------------------------------------------------------------------------------------------------------

def generate(seed: int, *, other_systems: int = 39, settings: EconomySettings | None = None) -> Universe:
    """Build the universe of `seed`: the starter system first, then `other_systems` smaller ones."""
    settings = settings or EconomySettings()
    rng = random.Random(f"universe:{seed}")
    used: set[str] = set()
    starter = _system_symbol(rng, used)
    faction = rng.choice(("COSMIC", "VOID", "GALACTIC", "QUANTUM", "DOMINION"))
    waypoints: dict[str, WaypointSpec] = {}
    markets: dict[str, MarketSpec] = {}
    shipyards: dict[str, ShipyardSpec] = {}
    systems = [_starter_system(seed, starter, faction, settings, waypoints, markets, shipyards)]
    for index in range(other_systems):
        symbol = _system_symbol(rng, used)
        systems.append(_small_system(seed, index, symbol, settings, waypoints, markets))
    return Universe(
        seed=seed, starter_system=starter, headquarters=f"{starter}-{_HEADQUARTERS}",
        probe_shipyard=f"{starter}-{_PROBE_SHIPYARD}", faction=faction, systems=tuple(systems),
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


def _point(rng: random.Random, radius: tuple[int, int]) -> tuple[int, int]:
    r = rng.uniform(*radius)
    angle = rng.uniform(0, 2 * math.pi)
    return round(r * math.cos(angle)), round(r * math.sin(angle))


def _starter_system(seed: int, symbol: str, faction: str, settings: EconomySettings,
                    waypoints: dict[str, WaypointSpec], markets: dict[str, MarketSpec],
                    shipyards: dict[str, ShipyardSpec]) -> SystemSpec:
    rng = random.Random(f"starter:{seed}")
    local: list[tuple[str, str, int, int, str | None]] = []   # (name, type, x, y, parent)
    number = 0
    for letter, body_type, radius, orbital_types in _STARTER_BODIES:
        number += 1
        parent = f"{letter}{number}"
        x, y = _point(rng, radius)
        local.append((parent, body_type, x, y, None))
        for orbital_type in orbital_types:
            number += 1
            local.append((f"{letter}{number}", orbital_type, x, y, parent))
    for letter, count, radius in _BELTS:
        for _ in range(count):
            number += 1
            x, y = _point(rng, radius)
            local.append((f"{letter}{number}", "ASTEROID", x, y, None))

    deposits = [trait for trait, count in _ASTEROID_DEPOSITS for _ in range(count)]
    rng.shuffle(deposits)
    roles = _place_goods()
    children: dict[str, list[str]] = {}
    for name, _type, _x, _y, parent in local:
        if parent:
            children.setdefault(parent, []).append(f"{symbol}-{name}")
    order: list[str] = []
    for name, body_type, x, y, parent in local:
        wp = f"{symbol}-{name}"
        traits: list[str] = []
        if name in roles:
            traits.append("MARKETPLACE")
        if name in _SHIPYARDS:
            traits.append("SHIPYARD")
        traits.extend(_flavour(rng, body_type, deposits))
        waypoints[wp] = WaypointSpec(
            symbol=wp, system=symbol, type=body_type, x=x, y=y, orbitals=tuple(children.get(name, ())),
            orbits=f"{symbol}-{parent}" if parent else None, traits=tuple(traits),
            faction=faction if body_type != "ASTEROID" else None,
            under_construction=body_type == "JUMP_GATE")
        order.append(wp)
        if name in roles:
            exports, imports, exchange = roles[name]
            markets[wp] = _market(rng, wp, exports, imports, exchange, settings, factories=True)
        if name in _SHIPYARDS:
            offers = tuple(catalog.SHIPYARD_PRICES[_SHIPYARDS[name]].items())
            shipyards[wp] = ShipyardSpec(wp, offers)
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


def _place_goods() -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """The starter markets' (exports, imports, exchange) by local name: the template roles, then every remaining
    manufacturable good at the open market needing the fewest new imports for it."""
    chain = catalog.supply_chain()
    exports: dict[str, list[str]] = {}
    extra_imports: dict[str, set[str]] = {}
    exchange: dict[str, list[str]] = {}
    for name, role in _ROLES.items():
        exports[name] = list(role.exports)
        extra_imports[name] = set(role.imports)
        exchange[name] = list(role.exchange)

    def imports_of(name: str) -> set[str]:
        needed = set(extra_imports[name])
        for good in exports[name]:
            needed.update(chain[good])
        return needed

    placed = {good for goods in exports.values() for good in goods}
    remaining = sorted(catalog.manufacturable_goods() - placed,
                       key=lambda g: (len(chain[g]), catalog.export_price(g), g))
    open_markets = [name for name, role in _ROLES.items() if role.open]
    for good in remaining:
        inputs = set(chain[good])
        best: tuple[int, int, int, str] | None = None
        for index, name in enumerate(open_markets):
            if len(exports[name]) >= MAX_EXPORTS_PER_MARKET:
                continue
            current_imports = imports_of(name)
            if good in current_imports or good in exchange[name]:
                continue
            if inputs & set(exports[name]) or inputs & set(exchange[name]):
                continue
            score = (len(inputs - current_imports), len(exports[name]), index, name)
            if best is None or score < best:
                best = score
        if best is None:
            raise RuntimeError(f"no market can make {good}")
        exports[best[3]].append(good)

    roles = {}
    for name, role in _ROLES.items():
        market_exchange = list(exchange[name])
        market_imports = imports_of(name)
        if role.fuel and "FUEL" not in exports[name] and "FUEL" not in market_imports:
            market_exchange.insert(0, "FUEL")
        roles[name] = (tuple(exports[name]), tuple(sorted(market_imports)), tuple(market_exchange))
    return roles


def _market(rng: random.Random, waypoint: str, exports: tuple[str, ...], imports: tuple[str, ...],
            exchange: tuple[str, ...], settings: EconomySettings, *, factories: bool) -> MarketSpec:
    chain = catalog.supply_chain()
    goods: list[MarketGoodSpec] = []
    for kind, symbols in (("EXPORT", exports), ("IMPORT", imports), ("EXCHANGE", exchange)):
        for good in symbols:
            level = catalog.purchase_price_level(good, kind) / settings.spread[kind]
            spread_band = (0.6, 1.6) if kind == "EXCHANGE" else (0.4, 2.2)
            ratio = min(spread_band[1], max(spread_band[0], math.exp(rng.gauss(0.0, 0.3))))
            goods.append(MarketGoodSpec(
                symbol=good, kind=kind, trade_volume=catalog.trade_volume(good, kind),
                base_price=round(level * rng.uniform(0.92, 1.1), 2), initial_ratio=round(ratio, 4)))
    recipes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if factories:
        imported = set(imports)
        recipes = tuple((good, chain[good]) for good in exports
                        if good in chain and set(chain[good]) <= imported)
    return MarketSpec(waypoint=waypoint, exports=exports, imports=imports, exchange=exchange,
                      goods=tuple(goods), recipes=recipes)


def _small_system(seed: int, index: int, symbol: str, settings: EconomySettings,
                  waypoints: dict[str, WaypointSpec], markets: dict[str, MarketSpec]) -> SystemSpec:
    """A small outer system: a few planets with moons, asteroids, maybe a gas giant and a fuel station; its markets
    export raw goods (no factories) and import a few consumer goods."""
    rng = random.Random(f"system:{seed}:{index}")
    sx, sy = rng.randint(-4000, 4000), rng.randint(-4000, 4000)
    bodies: list[tuple[str, int, int, str | None]] = []   # (type, x, y, parent index)
    for _ in range(rng.randint(1, 3)):
        x, y = _point(rng, (20, 200))
        parent = len(bodies)
        bodies.append(("PLANET", x, y, None))
        for _ in range(rng.randint(0, 2)):
            bodies.append(("MOON", x, y, str(parent)))
    if rng.random() < 0.5:
        x, y = _point(rng, (150, 300))
        bodies.append(("GAS_GIANT", x, y, None))
    if rng.random() < 0.6:
        x, y = _point(rng, (100, 400))
        bodies.append(("FUEL_STATION", x, y, None))
    for _ in range(rng.randint(2, 8)):
        x, y = _point(rng, (250, 700))
        bodies.append(("ASTEROID", x, y, None))

    names = [f"{chr(ord('A') + i % 26)}{i + 1}" for i in range(len(bodies))]
    children: dict[int, list[str]] = {}
    for i, (_t, _x, _y, parent) in enumerate(bodies):
        if parent is not None:
            children.setdefault(int(parent), []).append(f"{symbol}-{names[i]}")
    deposits = [trait for trait, _ in _ASTEROID_DEPOSITS]
    order = []
    for i, (body_type, x, y, parent) in enumerate(bodies):
        wp = f"{symbol}-{names[i]}"
        has_market = body_type == "FUEL_STATION" or (body_type in ("PLANET", "MOON") and rng.random() < 0.5)
        traits = (["MARKETPLACE"] if has_market else []) + _flavour(rng, body_type, [rng.choice(deposits)])
        waypoints[wp] = WaypointSpec(
            symbol=wp, system=symbol, type=body_type, x=x, y=y, orbitals=tuple(children.get(i, ())),
            orbits=f"{symbol}-{names[int(parent)]}" if parent is not None else None, traits=tuple(traits))
        order.append(wp)
        if has_market:
            if body_type == "FUEL_STATION":
                exports: tuple[str, ...] = ()
                imports: tuple[str, ...] = ()
            else:
                exports = tuple(rng.sample(sorted(catalog.RAW_GOODS - {"SHIP_SALVAGE"}), rng.randint(1, 3)))
                imports = tuple(rng.sample(_CONSUMER_GOODS, rng.randint(2, 4)))
            markets[wp] = _market(rng, wp, exports, imports, ("FUEL",), settings, factories=False)
    return SystemSpec(symbol=symbol, type=rng.choice(SYSTEM_TYPES), x=sx, y=sy, name=_system_name(rng),
                      waypoints=tuple(order))
