"""What the game server's world is made of: goods, their price levels and trade volumes, ship components and
ship types with their shipyard prices, and the supply-chain map.

Price levels are the real game's (game-universe-facts §2, medians over four starter systems): `EXPORT_PRICE` is
the purchasePrice an agent pays at an exporting market, `IMPORT_PRICE` the purchasePrice at an importing market,
`EXCHANGE_PRICE` the purchasePrice at an exchange. Where the facts sheet has no figure, the good's level is derived
(import = 3.3 x export, exchange = 1.35 x export, facts §1) or, for high-tech goods and ship components that were
never measured, estimated (marked EST below).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("data")

# --- trade symbols (facts §6) ----------------------------------------------------------------------------------------

TRADE_SYMBOLS: frozenset[str] = frozenset("""
PRECIOUS_STONES QUARTZ_SAND SILICON_CRYSTALS AMMONIA_ICE LIQUID_HYDROGEN LIQUID_NITROGEN ICE_WATER EXOTIC_MATTER
ADVANCED_CIRCUITRY GRAVITON_EMITTERS IRON IRON_ORE COPPER COPPER_ORE ALUMINUM ALUMINUM_ORE SILVER SILVER_ORE GOLD
GOLD_ORE PLATINUM PLATINUM_ORE DIAMONDS URANITE URANITE_ORE MERITIUM MERITIUM_ORE HYDROCARBON ANTIMATTER FAB_MATS
FERTILIZERS FABRICS FOOD JEWELRY MACHINERY FIREARMS ASSAULT_RIFLES MILITARY_EQUIPMENT EXPLOSIVES LAB_INSTRUMENTS
AMMUNITION ELECTRONICS SHIP_PLATING SHIP_PARTS EQUIPMENT FUEL MEDICINE DRUGS CLOTHING MICROPROCESSORS PLASTICS
POLYNUCLEOTIDES BIOCOMPOSITES QUANTUM_STABILIZERS NANOBOTS AI_MAINFRAMES QUANTUM_DRIVES ROBOTIC_DRONES CYBER_IMPLANTS
GENE_THERAPEUTICS NEURAL_CHIPS MOOD_REGULATORS VIRAL_AGENTS MICRO_FUSION_GENERATORS SUPERGRAINS LASER_RIFLES
HOLOGRAPHICS SHIP_SALVAGE RELIC_TECH NOVEL_LIFEFORMS BOTANICAL_SPECIMENS CULTURAL_ARTIFACTS FRAME_PROBE FRAME_DRONE
FRAME_INTERCEPTOR FRAME_RACER FRAME_FIGHTER FRAME_FRIGATE FRAME_SHUTTLE FRAME_EXPLORER FRAME_MINER
FRAME_LIGHT_FREIGHTER FRAME_HEAVY_FREIGHTER FRAME_TRANSPORT FRAME_DESTROYER FRAME_CRUISER FRAME_CARRIER
FRAME_BULK_FREIGHTER REACTOR_SOLAR_I REACTOR_FUSION_I REACTOR_FISSION_I REACTOR_CHEMICAL_I REACTOR_ANTIMATTER_I
ENGINE_IMPULSE_DRIVE_I ENGINE_ION_DRIVE_I ENGINE_ION_DRIVE_II ENGINE_HYPER_DRIVE_I MODULE_MINERAL_PROCESSOR_I
MODULE_GAS_PROCESSOR_I MODULE_CARGO_HOLD_I MODULE_CARGO_HOLD_II MODULE_CARGO_HOLD_III MODULE_CREW_QUARTERS_I
MODULE_ENVOY_QUARTERS_I MODULE_PASSENGER_CABIN_I MODULE_MICRO_REFINERY_I MODULE_SCIENCE_LAB_I MODULE_JUMP_DRIVE_I
MODULE_JUMP_DRIVE_II MODULE_JUMP_DRIVE_III MODULE_WARP_DRIVE_I MODULE_WARP_DRIVE_II MODULE_WARP_DRIVE_III
MODULE_SHIELD_GENERATOR_I MODULE_SHIELD_GENERATOR_II MODULE_ORE_REFINERY_I MODULE_FUEL_REFINERY_I MOUNT_GAS_SIPHON_I
MOUNT_GAS_SIPHON_II MOUNT_GAS_SIPHON_III MOUNT_SURVEYOR_I MOUNT_SURVEYOR_II MOUNT_SURVEYOR_III MOUNT_SENSOR_ARRAY_I
MOUNT_SENSOR_ARRAY_II MOUNT_SENSOR_ARRAY_III MOUNT_MINING_LASER_I MOUNT_MINING_LASER_II MOUNT_MINING_LASER_III
MOUNT_LASER_CANNON_I MOUNT_MISSILE_LAUNCHER_I MOUNT_TURRET_I SHIP_PROBE SHIP_MINING_DRONE SHIP_SIPHON_DRONE
SHIP_INTERCEPTOR SHIP_LIGHT_HAULER SHIP_COMMAND_FRIGATE SHIP_EXPLORER SHIP_HEAVY_FREIGHTER SHIP_LIGHT_SHUTTLE
SHIP_ORE_HOUND SHIP_REFINING_FREIGHTER SHIP_SURVEYOR SHIP_BULK_FREIGHTER
""".split())

SHIP_TYPES: frozenset[str] = frozenset("""
SHIP_PROBE SHIP_MINING_DRONE SHIP_SIPHON_DRONE SHIP_INTERCEPTOR SHIP_LIGHT_HAULER SHIP_COMMAND_FRIGATE SHIP_EXPLORER
SHIP_HEAVY_FREIGHTER SHIP_LIGHT_SHUTTLE SHIP_ORE_HOUND SHIP_REFINING_FREIGHTER SHIP_SURVEYOR SHIP_BULK_FREIGHTER
""".split())

FACTIONS: tuple[str, ...] = tuple("""
COSMIC VOID GALACTIC QUANTUM DOMINION ASTRO CORSAIRS OBSIDIAN AEGIS UNITED SOLITARY COBALT OMEGA ECHO LORDS CULT
ANCIENTS SHADOW ETHEREAL
""".split())

FLIGHT_MODES: tuple[str, ...] = ("DRIFT", "STEALTH", "CRUISE", "BURN")  # slowest to fastest

# Goods a ship extracts or siphons in the real game; the map still names a "recipe" for them (EXPLOSIVES or
# MACHINERY), which our factories honour.
RAW_GOODS: frozenset[str] = frozenset("""
ICE_WATER AMMONIA_ICE LIQUID_HYDROGEN LIQUID_NITROGEN HYDROCARBON QUARTZ_SAND SILICON_CRYSTALS PRECIOUS_STONES
DIAMONDS IRON_ORE COPPER_ORE ALUMINUM_ORE SILVER_ORE GOLD_ORE PLATINUM_ORE URANITE_ORE MERITIUM_ORE SHIP_SALVAGE
""".split())


# --- the supply chain --------------------------------------------------------------------------------------------------

@cache
def supply_chain() -> dict[str, tuple[str, ...]]:
    """The export-to-import map of GET /market/supply-chain: good -> the imports a factory needs to make it."""
    raw = json.loads((_DATA / "supply_chain.json").read_text(encoding="utf-8"))
    return {good: tuple(inputs) for good, inputs in raw["exportToImportMap"].items()}


def manufacturable_goods() -> frozenset[str]:
    """Goods a market can export as a factory: every key of the map except ship hulls, which shipyards build."""
    return frozenset(good for good in supply_chain() if good not in SHIP_TYPES)


# --- prices and trade volumes ------------------------------------------------------------------------------------------

# purchasePrice at an exporting market (facts §2, medians; QUANTUM_STABILIZERS from the S2 cross-check).
EXPORT_PRICE: dict[str, int] = {
    "FUEL": 56, "PRECIOUS_STONES": 58, "IRON_ORE": 38, "COPPER_ORE": 42, "ALUMINUM_ORE": 48,
    "IRON": 93, "COPPER": 190, "ALUMINUM": 156, "SILVER": 211, "GOLD": 229, "PLATINUM": 212, "URANITE": 2607,
    "PLASTICS": 124, "FERTILIZERS": 135, "POLYNUCLEOTIDES": 156, "EXPLOSIVES": 109, "FABRICS": 1721, "FOOD": 1448,
    "CLOTHING": 3079, "MACHINERY": 1746, "EQUIPMENT": 1944, "ELECTRONICS": 1762, "MICROPROCESSORS": 2638,
    "AMMUNITION": 1026, "FAB_MATS": 1237, "FIREARMS": 2449, "ASSAULT_RIFLES": 2437, "DRUGS": 3029,
    "MEDICINE": 3365, "JEWELRY": 2333, "BIOCOMPOSITES": 3398, "LAB_INSTRUMENTS": 3400, "ADVANCED_CIRCUITRY": 4007,
    "SHIP_PLATING": 2768, "SHIP_PARTS": 3086, "SUPERGRAINS": 10189, "LASER_RIFLES": 11417,
    "MOOD_REGULATORS": 14350, "MOUNT_TURRET_I": 5256, "MODULE_MICRO_REFINERY_I": 33396,
    "MODULE_SHIELD_GENERATOR_I": 74185, "QUANTUM_STABILIZERS": 18496,
    # EST: never measured at an export; set near goods of the same tier.
    "ICE_WATER": 13, "SHIP_SALVAGE": 320, "CULTURAL_ARTIFACTS": 5200, "MERITIUM": 3400,
    "MILITARY_EQUIPMENT": 3300, "AI_MAINFRAMES": 15500, "BOTANICAL_SPECIMENS": 9200, "CYBER_IMPLANTS": 15800,
    "GENE_THERAPEUTICS": 14100, "GRAVITON_EMITTERS": 16400, "HOLOGRAPHICS": 12200,
    "MICRO_FUSION_GENERATORS": 16900, "NEURAL_CHIPS": 15200, "NOVEL_LIFEFORMS": 9600, "QUANTUM_DRIVES": 21000,
    "RELIC_TECH": 10400, "ROBOTIC_DRONES": 12600, "VIRAL_AGENTS": 14600,
    "REACTOR_SOLAR_I": 6100, "REACTOR_CHEMICAL_I": 7300, "REACTOR_FISSION_I": 12400, "REACTOR_FUSION_I": 25600,
    "REACTOR_ANTIMATTER_I": 46000, "ENGINE_IMPULSE_DRIVE_I": 8200, "ENGINE_ION_DRIVE_I": 12300,
    "ENGINE_ION_DRIVE_II": 25800, "ENGINE_HYPER_DRIVE_I": 41000, "MODULE_CARGO_HOLD_I": 6300,
    "MODULE_CARGO_HOLD_II": 12500, "MODULE_CARGO_HOLD_III": 30500, "MODULE_CREW_QUARTERS_I": 8100,
    "MODULE_ENVOY_QUARTERS_I": 10200, "MODULE_PASSENGER_CABIN_I": 9100, "MODULE_MINERAL_PROCESSOR_I": 8300,
    "MODULE_GAS_PROCESSOR_I": 8300, "MODULE_ORE_REFINERY_I": 30100, "MODULE_FUEL_REFINERY_I": 29800,
    "MODULE_SCIENCE_LAB_I": 35500, "MODULE_JUMP_DRIVE_I": 30800, "MODULE_JUMP_DRIVE_II": 61000,
    "MODULE_JUMP_DRIVE_III": 91000, "MODULE_WARP_DRIVE_I": 35200, "MODULE_WARP_DRIVE_II": 65500,
    "MODULE_WARP_DRIVE_III": 95500, "MODULE_SHIELD_GENERATOR_II": 90500, "MOUNT_GAS_SIPHON_I": 5100,
    "MOUNT_GAS_SIPHON_II": 10300, "MOUNT_GAS_SIPHON_III": 25400, "MOUNT_SURVEYOR_I": 6200,
    "MOUNT_SURVEYOR_II": 12400, "MOUNT_SURVEYOR_III": 28300, "MOUNT_SENSOR_ARRAY_I": 6000,
    "MOUNT_SENSOR_ARRAY_II": 12100, "MOUNT_SENSOR_ARRAY_III": 30200, "MOUNT_MINING_LASER_I": 6400,
    "MOUNT_MINING_LASER_II": 12700, "MOUNT_MINING_LASER_III": 30800, "MOUNT_LASER_CANNON_I": 9100,
    "MOUNT_MISSILE_LAUNCHER_I": 8000,
}

# purchasePrice at an importing market (facts §2, medians).
IMPORT_PRICE: dict[str, int] = {
    "AMMONIA_ICE": 100, "LIQUID_HYDROGEN": 64, "LIQUID_NITROGEN": 77, "HYDROCARBON": 118, "QUARTZ_SAND": 50,
    "SILICON_CRYSTALS": 87, "PRECIOUS_STONES": 191, "DIAMONDS": 228, "IRON_ORE": 126, "COPPER_ORE": 142,
    "ALUMINUM_ORE": 151, "SILVER_ORE": 170, "GOLD_ORE": 224, "PLATINUM_ORE": 204, "URANITE_ORE": 836,
    "IRON": 302, "COPPER": 603, "ALUMINUM": 494, "SILVER": 674, "GOLD": 774, "PLATINUM": 704, "URANITE": 8596,
    "PLASTICS": 379, "FERTILIZERS": 446, "POLYNUCLEOTIDES": 568, "EXPLOSIVES": 368, "FABRICS": 4792,
    "FOOD": 4474, "CLOTHING": 10196, "MACHINERY": 5994, "EQUIPMENT": 6488, "ELECTRONICS": 5622,
    "MICROPROCESSORS": 7332, "AMMUNITION": 3714, "FIREARMS": 8184, "ASSAULT_RIFLES": 8683, "DRUGS": 10960,
    "MEDICINE": 9524, "JEWELRY": 6664, "LAB_INSTRUMENTS": 11212, "ADVANCED_CIRCUITRY": 11910,
    "SHIP_PLATING": 14471, "SHIP_PARTS": 14990, "EXOTIC_MATTER": 75195, "NANOBOTS": 96716,
}

# purchasePrice at an exchange (facts §2).
EXCHANGE_PRICE: dict[str, int] = {
    "FUEL": 72, "ICE_WATER": 17, "AMMONIA_ICE": 42, "LIQUID_HYDROGEN": 27, "LIQUID_NITROGEN": 32,
    "HYDROCARBON": 47, "QUARTZ_SAND": 22, "SILICON_CRYSTALS": 37, "PRECIOUS_STONES": 77, "DIAMONDS": 92,
    "IRON_ORE": 52, "COPPER_ORE": 57, "ALUMINUM_ORE": 62, "URANITE_ORE": 323, "MERITIUM_ORE": 1218,
    "ANTIMATTER": 5054,
}

IMPORT_OVER_EXPORT = 3.3       # facts §1: import P ~ 3.3 x export P for the same good
EXCHANGE_OVER_EXPORT = 1.35    # facts §1: exchange P ~ 1.35 x export P

_TIER_60 = frozenset("""
IRON COPPER ALUMINUM SILVER GOLD PLATINUM URANITE MERITIUM PLASTICS FERTILIZERS FOOD FABRICS FUEL
""".split()) | RAW_GOODS
_TIER_20 = frozenset("""
POLYNUCLEOTIDES EXPLOSIVES CLOTHING MACHINERY EQUIPMENT ELECTRONICS MICROPROCESSORS AMMUNITION FAB_MATS FIREARMS
ASSAULT_RIFLES DRUGS MEDICINE JEWELRY BIOCOMPOSITES LAB_INSTRUMENTS ADVANCED_CIRCUITRY MILITARY_EQUIPMENT
CULTURAL_ARTIFACTS
""".split())


def trade_volume(good: str, kind: str) -> int:
    """The starting tradeVolume of a good at a market (facts §1 tiers: 60 raw and refined, 20 intermediates,
    6 ship parts and high tech; 180 at an exchange, ANTIMATTER 18)."""
    if kind == "EXCHANGE":
        return 18 if good == "ANTIMATTER" else 180
    if good in _TIER_60:
        return 60
    if good in _TIER_20:
        return 20
    return 6


def export_price(good: str) -> float:
    """The good's purchasePrice level at an exporting market."""
    if good in EXPORT_PRICE:
        return float(EXPORT_PRICE[good])
    if good in IMPORT_PRICE:
        return IMPORT_PRICE[good] / IMPORT_OVER_EXPORT
    if good in EXCHANGE_PRICE:
        return EXCHANGE_PRICE[good] / EXCHANGE_OVER_EXPORT
    raise KeyError(f"no price level for {good}")


def purchase_price_level(good: str, kind: str) -> float:
    """The purchasePrice an agent pays for `good` at a market trading it as `kind`, at equilibrium supply."""
    if kind == "EXPORT":
        return export_price(good)
    if kind == "IMPORT":
        return float(IMPORT_PRICE.get(good, export_price(good) * IMPORT_OVER_EXPORT))
    return float(EXCHANGE_PRICE.get(good, export_price(good) * EXCHANGE_OVER_EXPORT))


# --- names ---------------------------------------------------------------------------------------------------------------

def display_name(symbol: str) -> str:
    """`IRON_ORE` -> `Iron Ore`; roman numerals stay upper case (`Mount Turret I`)."""
    words = []
    for word in symbol.split("_"):
        words.append(word if set(word) <= set("IVX") else word.capitalize())
    return " ".join(words)


def good_description(symbol: str) -> str:
    """A short description for a trade good."""
    return f"{display_name(symbol)}, traded across the sector."


# --- ship components and ship types ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Requirements:
    """What a component needs from the ship."""
    power: int | None = None
    crew: int | None = None
    slots: int | None = None


@dataclass(frozen=True)
class FrameSpec:
    symbol: str
    module_slots: int
    mounting_points: int
    fuel_capacity: int
    requirements: Requirements


@dataclass(frozen=True)
class ReactorSpec:
    symbol: str
    power_output: int
    requirements: Requirements


@dataclass(frozen=True)
class EngineSpec:
    symbol: str
    speed: int
    requirements: Requirements


@dataclass(frozen=True)
class ModuleSpec:
    symbol: str
    requirements: Requirements
    capacity: int | None = None
    range: int | None = None


@dataclass(frozen=True)
class MountSpec:
    symbol: str
    requirements: Requirements
    strength: int | None = None
    deposits: tuple[str, ...] | None = None


FRAMES = {f.symbol: f for f in (
    FrameSpec("FRAME_PROBE", 0, 0, 0, Requirements(power=1, crew=0)),
    FrameSpec("FRAME_DRONE", 3, 2, 80, Requirements(power=1, crew=-3)),
    FrameSpec("FRAME_SHUTTLE", 4, 1, 300, Requirements(power=3, crew=-2)),
    FrameSpec("FRAME_LIGHT_FREIGHTER", 6, 1, 600, Requirements(power=5, crew=8)),
    FrameSpec("FRAME_FRIGATE", 8, 5, 400, Requirements(power=8, crew=25)),
)}
REACTORS = {r.symbol: r for r in (
    ReactorSpec("REACTOR_SOLAR_I", 3, Requirements(crew=0)),
    ReactorSpec("REACTOR_CHEMICAL_I", 15, Requirements(crew=3)),
    ReactorSpec("REACTOR_FISSION_I", 31, Requirements(crew=8)),
)}
ENGINES = {e.symbol: e for e in (
    EngineSpec("ENGINE_IMPULSE_DRIVE_I", 9, Requirements(power=1, crew=0)),
    EngineSpec("ENGINE_ION_DRIVE_I", 15, Requirements(power=6, crew=8)),
    EngineSpec("ENGINE_ION_DRIVE_II", 36, Requirements(power=6, crew=8)),
)}
MODULES = {m.symbol: m for m in (
    ModuleSpec("MODULE_CARGO_HOLD_I", Requirements(crew=0, power=1, slots=1), capacity=15),
    ModuleSpec("MODULE_CARGO_HOLD_II", Requirements(crew=2, power=2, slots=2), capacity=40),
    ModuleSpec("MODULE_CREW_QUARTERS_I", Requirements(crew=2, power=1, slots=1), capacity=40),
    ModuleSpec("MODULE_MINERAL_PROCESSOR_I", Requirements(crew=0, power=1, slots=2)),
    ModuleSpec("MODULE_GAS_PROCESSOR_I", Requirements(crew=0, power=1, slots=2)),
)}
MOUNTS = {m.symbol: m for m in (
    MountSpec("MOUNT_SENSOR_ARRAY_I", Requirements(crew=0, power=1), strength=1),
    MountSpec("MOUNT_SENSOR_ARRAY_II", Requirements(crew=2, power=2), strength=4),
    MountSpec("MOUNT_GAS_SIPHON_I", Requirements(crew=0, power=1), strength=10),
    MountSpec("MOUNT_GAS_SIPHON_II", Requirements(crew=2, power=2), strength=20),
    MountSpec("MOUNT_MINING_LASER_I", Requirements(crew=0, power=1), strength=3),
    MountSpec("MOUNT_MINING_LASER_II", Requirements(crew=2, power=2), strength=5),
    MountSpec("MOUNT_SURVEYOR_I", Requirements(crew=2, power=1), strength=1, deposits=(
        "QUARTZ_SAND", "SILICON_CRYSTALS", "PRECIOUS_STONES", "ICE_WATER", "AMMONIA_ICE", "IRON_ORE",
        "COPPER_ORE", "SILVER_ORE", "ALUMINUM_ORE", "GOLD_ORE", "PLATINUM_ORE")),
    MountSpec("MOUNT_SURVEYOR_II", Requirements(crew=4, power=3), strength=2, deposits=(
        "QUARTZ_SAND", "SILICON_CRYSTALS", "PRECIOUS_STONES", "ICE_WATER", "AMMONIA_ICE", "IRON_ORE",
        "COPPER_ORE", "SILVER_ORE", "ALUMINUM_ORE", "GOLD_ORE", "PLATINUM_ORE", "DIAMONDS", "URANITE_ORE")),
)}


@dataclass(frozen=True)
class ShipTypeSpec:
    """A ship type as a shipyard sells it (facts universe §4: fuel, engine speed and cargo as bought)."""
    type: str
    role: str
    frame: str
    reactor: str
    engine: str
    modules: tuple[str, ...]
    mounts: tuple[str, ...]
    crew_required: int
    crew_capacity: int
    description: str = ""

    @property
    def name(self) -> str:
        return display_name(self.type.removeprefix("SHIP_"))

    @property
    def fuel_capacity(self) -> int:
        return FRAMES[self.frame].fuel_capacity

    @property
    def speed(self) -> int:
        return ENGINES[self.engine].speed

    @property
    def cargo_capacity(self) -> int:
        return sum(MODULES[m].capacity or 0 for m in self.modules if m.startswith("MODULE_CARGO_HOLD"))


SHIP_SPECS: dict[str, ShipTypeSpec] = {s.type: s for s in (
    ShipTypeSpec("SHIP_COMMAND_FRIGATE", "COMMAND", "FRAME_FRIGATE", "REACTOR_FISSION_I", "ENGINE_ION_DRIVE_II",
                 ("MODULE_CARGO_HOLD_II", "MODULE_CREW_QUARTERS_I", "MODULE_CREW_QUARTERS_I",
                  "MODULE_MINERAL_PROCESSOR_I", "MODULE_GAS_PROCESSOR_I"),
                 ("MOUNT_SENSOR_ARRAY_II", "MOUNT_GAS_SIPHON_II", "MOUNT_MINING_LASER_II", "MOUNT_SURVEYOR_II"),
                 57, 80, "A versatile command ship, able to mine, siphon, survey and haul."),
    ShipTypeSpec("SHIP_PROBE", "SATELLITE", "FRAME_PROBE", "REACTOR_SOLAR_I", "ENGINE_IMPULSE_DRIVE_I",
                 (), (), 0, 0, "A small, unmanned probe that needs no fuel; good for watching markets."),
    ShipTypeSpec("SHIP_LIGHT_HAULER", "HAULER", "FRAME_LIGHT_FREIGHTER", "REACTOR_CHEMICAL_I",
                 "ENGINE_ION_DRIVE_I", ("MODULE_CARGO_HOLD_II", "MODULE_CARGO_HOLD_II", "MODULE_CREW_QUARTERS_I"),
                 ("MOUNT_SENSOR_ARRAY_I",), 14, 40, "A cargo ship with a large hold for trading runs."),
    ShipTypeSpec("SHIP_LIGHT_SHUTTLE", "TRANSPORT", "FRAME_SHUTTLE", "REACTOR_CHEMICAL_I", "ENGINE_ION_DRIVE_I",
                 ("MODULE_CARGO_HOLD_II",), (), 2, 10, "A small transport for light cargo."),
    ShipTypeSpec("SHIP_MINING_DRONE", "EXCAVATOR", "FRAME_DRONE", "REACTOR_CHEMICAL_I", "ENGINE_IMPULSE_DRIVE_I",
                 ("MODULE_CARGO_HOLD_I", "MODULE_MINERAL_PROCESSOR_I"), ("MOUNT_MINING_LASER_I",), 0, 0,
                 "An automated drone that mines asteroids."),
    ShipTypeSpec("SHIP_SIPHON_DRONE", "EXCAVATOR", "FRAME_DRONE", "REACTOR_CHEMICAL_I", "ENGINE_IMPULSE_DRIVE_I",
                 ("MODULE_CARGO_HOLD_I", "MODULE_GAS_PROCESSOR_I"), ("MOUNT_GAS_SIPHON_I",), 0, 0,
                 "An automated drone that siphons gas giants."),
    ShipTypeSpec("SHIP_SURVEYOR", "SURVEYOR", "FRAME_DRONE", "REACTOR_SOLAR_I", "ENGINE_IMPULSE_DRIVE_I",
                 (), ("MOUNT_SURVEYOR_I",), 0, 0, "An automated drone that surveys deposits."),
)}

# Starter shipyards (facts universe §4, X1-AD75 prices): the HQ moon, the orbital station, the H-cluster moon.
SHIPYARD_PRICES: dict[str, dict[str, int]] = {
    "HQ_MOON": {"SHIP_PROBE": 21627, "SHIP_LIGHT_SHUTTLE": 88853, "SHIP_LIGHT_HAULER": 272775},
    "STATION": {"SHIP_PROBE": 21032, "SHIP_SIPHON_DRONE": 39861},
    "MINING_MOON": {"SHIP_MINING_DRONE": 41752, "SHIP_SURVEYOR": 27693},
}
SHIP_PRICE_STEP = 1.06          # facts universe §4: 308,497 -> 328,035 after one buy
MODIFICATIONS_FEE = 1000


@dataclass(frozen=True)
class TraitInfo:
    """Name and description of a waypoint trait."""
    symbol: str
    name: str
    description: str = field(default="")


def trait_info(symbol: str) -> TraitInfo:
    """Name and description for a waypoint trait symbol."""
    return TraitInfo(symbol, display_name(symbol), f"{display_name(symbol)} at this waypoint.")
