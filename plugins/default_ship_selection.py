"""Default ship selection: the idle ship nearest to the opportunity's first stop, if it has room."""
from __future__ import annotations

from collections.abc import Sequence

from domain.fleet import ShipNavStatus, ShipSummary
from domain.geometry import distance
from domain.opportunity import ManufacturingOpportunity
from plugins.hookspecs import hookimpl

# Below this much free hold a run moves too few units to pay for its travel and fuel.
MIN_FREE_CARGO = 10


@hookimpl(trylast=True)
def spacetraders_select_ship(
    opportunity: ManufacturingOpportunity, idle_ships: Sequence[ShipSummary]
) -> ShipSummary | None:
    """Nearest ship to the first market the run visits, among ships with enough free cargo.

    Ships in transit are skipped (their position is where they are heading, not where they
    are). A ship whose position is unknown ranks after every ship whose position is known;
    ties go to the larger free hold, then to the ship symbol.
    """
    first_stop = opportunity.first_stop
    fit = [
        ship
        for ship in idle_ships
        if ship.free_cargo >= MIN_FREE_CARGO and ship.nav_status is not ShipNavStatus.IN_TRANSIT
    ]
    if not fit:
        return None

    def how_far(ship: ShipSummary) -> float:
        if ship.waypoint == first_stop.market:
            return 0.0
        return distance(ship.position, first_stop.position)

    return min(fit, key=lambda ship: (how_far(ship), -ship.free_cargo, ship.symbol))
