"""Cash kept for fuel: what no job's allotment and no ship purchase may spend.

Fuel is paid from the same credits as cargo and ships, and a leg at the median distance burns about 240 units
(facts universe §4), some 17,000 credits. With only a small floor kept, a run allotted the rest, or a ship bought
from net worth while cargo was on its way to be sold, could leave the account unable to refuel the ship carrying
that cargo: it then holds its goods at a market that does not buy them and can never leave (a bench, seed 3, ended
8 game hours with 163 credits and 163,778 of DRUGS aboard). So a full tank for every ship that burns fuel stays in
cash, at `fuel_unit_allowance` credits a unit (ST_FLEET_FUEL_UNIT_ALLOWANCE, 90 by default: above the dearest real
fuel price, exchanges 72-84 and exports 50-87, facts universe §2).
"""
from __future__ import annotations

from collections.abc import Iterable

from domain.ship_state import ShipState


def fuel_money(ships: Iterable[ShipState], unit_allowance: int) -> int:
    """The cash that fills every fuel-burning ship's tank from empty at `unit_allowance` credits a unit."""
    return sum(ship.fuel_capacity for ship in ships if ship.needs_fuel) * unit_allowance
