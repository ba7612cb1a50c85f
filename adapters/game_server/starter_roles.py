"""The real starter system's template: its bodies and the role of each market (game-universe-facts §3).

Every real starter system seen has the same bodies and the same market roles under the same local names (AD75
and VF23 match role for role). A role reads "exports <- imports": a factory export is made from the imports
beside it, as the supply-chain map says; `imports` adds what the market buys besides its factories' inputs.
J58, the mining colony, exports ores, PRECIOUS_STONES and DRUGS that it does not make from what it imports (it
buys consumer and weapon goods), so its exports are not factory lines.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from adapters.game_server import catalog

# (local name, type, placement): a radius range from the star, or the local name of the body it orbits.
# Radii: PLANET 25-105, ORBITAL_STATION 25-154, ENGINEERED_ASTEROID ~27, GAS_GIANT ~154, FUEL_STATION 115-603,
# JUMP_GATE ~450, ASTEROID_BASE ~345 and ~720 (facts §3). Asteroids and extra moons are added by the generator.
STARTER_BODIES: tuple[tuple[str, str, tuple[int, int] | str], ...] = (
    ("A1", "PLANET", (25, 60)), ("A2", "MOON", "A1"), ("A3", "MOON", "A1"), ("A4", "MOON", "A1"),
    ("B7", "ASTEROID_BASE", (330, 360)),
    ("C39", "PLANET", (60, 105)), ("C40", "MOON", "C39"), ("C41", "ORBITAL_STATION", "C39"), ("C42", "MOON", "C39"),
    ("D43", "PLANET", (40, 105)), ("D44", "MOON", "D43"),
    ("E45", "PLANET", (40, 105)), ("E46", "MOON", "E45"),
    ("F47", "PLANET", (40, 105)), ("F48", "MOON", "F47"),
    ("G49", "ORBITAL_STATION", "G50"), ("G50", "GAS_GIANT", (145, 160)),
    ("H51", "PLANET", (40, 105)), ("H52", "MOON", "H51"), ("H53", "MOON", "H51"), ("H54", "MOON", "H51"),
    ("I55", "ENGINEERED_ASTEROID", (25, 30)), ("I56", "FUEL_STATION", (115, 250)), ("I57", "JUMP_GATE", (430, 470)),
    ("J58", "PLANET", (40, 105)), ("J59", "MOON", "J58"),
    ("K81", "ORBITAL_STATION", (110, 154)),
    ("L82", "ASTEROID_BASE", (700, 740)),
    ("M83", "FUEL_STATION", (250, 400)), ("N84", "FUEL_STATION", (400, 500)), ("O85", "FUEL_STATION", (500, 603)),
)
# Markets far out, placed on one side of the star (see universe.py).
OUTER_MARKETS = frozenset({"B7", "I56", "I57", "L82", "M83", "N84", "O85"})
# Asteroid belts: (letter, numbers, radius range); 54 here, 0-5 more after O85 (facts §3: 52-59, median ~380).
ASTEROID_BELTS: tuple[tuple[str, tuple[int, ...], tuple[int, int]], ...] = (
    ("B", (5, 6, *range(8, 39)), (308, 390)),
    ("K", tuple(range(60, 81)), (390, 789)),
)
# Planets that may get an extra moon (numbered after the last asteroid), for the real 9-19 moons.
EXTRA_MOON_PARENTS = ("D43", "E45", "F47", "J58", "C39")

HEADQUARTERS, PROBE_SHIPYARD = "A1", "A2"
SHIPYARDS = {"A2": "HQ_MOON", "C41": "STATION", "H52": "MINING_MOON"}

# The high-tech good the A4 factory exports and the one the headquarters imports vary between real systems: the
# ones seen (facts §2) are exported SUPERGRAINS, LASER_RIFLES, MOOD_REGULATORS, QUANTUM_STABILIZERS and imported
# EXOTIC_MATTER, NANOBOTS.
HIGH_TECH_EXPORTS = ("SUPERGRAINS", "LASER_RIFLES", "MOOD_REGULATORS", "QUANTUM_STABILIZERS")
HIGH_TECH_IMPORTS = ("EXOTIC_MATTER", "NANOBOTS")


@dataclass(frozen=True)
class Role:
    """What one market trades. FUEL is added as an EXCHANGE good unless `fuel` is off or the market exports it."""
    exports: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()      # bought besides the inputs of its factory exports
    exchange: tuple[str, ...] = ()
    factories: bool = True             # its exports are made from their inputs, imported here
    fuel: bool = True

    def all_imports(self) -> tuple[str, ...]:
        """The imports: its own, then its factories' inputs, each once, in a stable order."""
        chain = catalog.supply_chain()
        listed = list(self.imports)
        if self.factories:
            for good in self.exports:
                listed.extend(chain[good])
        return tuple(dict.fromkeys(listed))

    def recipes(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        chain = catalog.supply_chain()
        return tuple((good, chain[good]) for good in self.exports) if self.factories else ()

    def all_exchange(self) -> tuple[str, ...]:
        if self.fuel and "FUEL" not in self.exports and "FUEL" not in self.exchange:
            return ("FUEL", *self.exchange)
        return self.exchange


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FUEL_ONLY = Role()


def starter_roles(rng: random.Random) -> dict[str, Role]:
    """The starter markets' roles by local name; `rng` picks the two high-tech goods."""
    high_tech_export = rng.choice(HIGH_TECH_EXPORTS)
    high_tech_import = rng.choice(HIGH_TECH_IMPORTS)
    ship_inputs = _t("SHIP_PLATING SHIP_PARTS")
    return {
        "A1": Role(imports=(*_t("FOOD MEDICINE CLOTHING EQUIPMENT JEWELRY"), high_tech_import)),
        "A2": Role(imports=ship_inputs),
        "A3": Role(exports=_t("MICROPROCESSORS"), fuel=False),
        "A4": Role(exports=(high_tech_export,)),
        "B7": Role(exports=_t("GOLD SILVER PLATINUM"), exchange=_t(
            "QUARTZ_SAND SILICON_CRYSTALS ICE_WATER AMMONIA_ICE IRON_ORE COPPER_ORE ALUMINUM_ORE PRECIOUS_STONES "
            "DIAMONDS URANITE_ORE MERITIUM_ORE")),
        # The C planet's role is not in the facts; a small arms works makes the MILITARY_EQUIPMENT J58 buys.
        "C39": Role(exports=_t("MILITARY_EQUIPMENT"), imports=_t("FOOD CLOTHING")),
        "C41": Role(exports=_t("LAB_INSTRUMENTS"), imports=ship_inputs,
                    exchange=_t("HYDROCARBON LIQUID_HYDROGEN LIQUID_NITROGEN")),
        "D43": Role(exports=_t("SHIP_PARTS MEDICINE")),
        "D44": Role(exports=_t("SHIP_PLATING ADVANCED_CIRCUITRY")),
        "E45": Role(exports=_t("FIREARMS ASSAULT_RIFLES")),
        "E46": Role(exports=_t("MACHINERY FABRICS POLYNUCLEOTIDES")),
        "F47": Role(exports=_t("AMMUNITION EXPLOSIVES")),
        "F48": Role(exports=_t("FAB_MATS ELECTRONICS")),
        "G49": Role(exports=_t("FUEL PLASTICS FERTILIZERS")),
        "H51": Role(exports=_t("IRON ALUMINUM COPPER"), imports=_t("DRUGS")),
        "H52": Role(imports=ship_inputs),
        "H53": Role(exchange=_t("ICE_WATER AMMONIA_ICE QUARTZ_SAND SILICON_CRYSTALS IRON_ORE COPPER_ORE ALUMINUM_ORE "
                                "LIQUID_HYDROGEN LIQUID_NITROGEN HYDROCARBON")),
        "H54": Role(exports=_t("JEWELRY")),
        "I55": _FUEL_ONLY, "I56": _FUEL_ONLY,
        "I57": Role(exchange=_t("ANTIMATTER")),
        "J58": Role(exports=_t("IRON_ORE COPPER_ORE ALUMINUM_ORE PRECIOUS_STONES DRUGS"), factories=False, imports=_t(
            "FOOD CLOTHING FIREARMS ASSAULT_RIFLES MEDICINE MILITARY_EQUIPMENT EQUIPMENT JEWELRY MACHINERY")),
        "K81": Role(exports=_t("FOOD EQUIPMENT CLOTHING BIOCOMPOSITES"), exchange=_t("ANTIMATTER")),
        # The outer asteroid base's role is not in the facts either: an outpost trading the rarer raw goods.
        "L82": Role(exchange=_t("URANITE_ORE MERITIUM_ORE DIAMONDS")),
        "M83": _FUEL_ONLY, "N84": _FUEL_ONLY, "O85": _FUEL_ONLY,
    }
