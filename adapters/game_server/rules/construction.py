"""Construction sites: the jump gates, which start under construction (game-api-facts §4.3, universe facts §3).

A gate needs FAB_MATS 1600, ADVANCED_CIRCUITRY 400 and QUANTUM_STABILIZERS 1, the last already supplied, as the
real starter systems' gates do. A site is kept in memory only once it has been supplied; until then it is the
template. When every material is fulfilled the site is complete and its waypoint stops showing
`isUnderConstruction`. GET of a completed site still answers 200 (the real server does, api-docs #120); a waypoint
that never was a construction site answers 404.
"""
from __future__ import annotations

from adapters.game_server.errors import GameError
from adapters.game_server.rules.codes import (
    CONSTRUCTION_FULFILLED, CONSTRUCTION_INVALID_LOCATION, CONSTRUCTION_NOT_REQUIRED, NOT_FOUND,
)
from adapters.game_server.rules.core import WorldCore
from adapters.game_server.rules.trade import TradeRules
from adapters.game_server.state import ConstructionMaterial, ConstructionState
from adapters.wire import models as wire

JUMP_GATE_MATERIALS: tuple[tuple[str, int, int], ...] = (
    ("FAB_MATS", 1600, 0),
    ("ADVANCED_CIRCUITRY", 400, 0),
    ("QUANTUM_STABILIZERS", 1, 1),
)
"""(trade symbol, required, fulfilled at the start) of a jump gate under construction."""


def new_site(waypoint: str) -> ConstructionState:
    return ConstructionState(waypoint, [ConstructionMaterial(s, r, f) for s, r, f in JUMP_GATE_MATERIALS])


class ConstructionRules(WorldCore):
    """Reading and supplying construction sites."""

    _constructions: dict[str, ConstructionState]   # the sites supplied so far (the others are the template)

    def construction(self, system: str, waypoint: str) -> wire.Construction:
        with self._lock:
            return self._views.construction(self._site(system, waypoint))

    def supply_construction(self, agent: str, system: str, waypoint: str, ship: str, trade_symbol: str,
                            units: int) -> wire.SupplyConstructionData:
        """Move cargo from a ship docked at the site into the site's materials."""
        units = self._units(units)
        trade_symbol = self._trade_symbol(trade_symbol, "tradeSymbol")
        with self._lock:
            now = self._now()
            self._agent(agent)
            site = self._site(system, waypoint)
            state = self._own_ship(agent, ship, now)
            self._require_not_in_transit(state, now)
            if state.waypoint != site.waypoint:
                raise GameError(CONSTRUCTION_INVALID_LOCATION,
                                f"Ship {state.symbol} must be at the construction site {site.waypoint} to supply it.",
                                data={"shipSymbol": state.symbol, "waypointSymbol": site.waypoint,
                                      "shipWaypointSymbol": state.waypoint})
            self._require_docked(state, now)
            material = site.material(trade_symbol)
            if material is None:
                raise GameError(CONSTRUCTION_NOT_REQUIRED,
                                f"Construction site {site.waypoint} does not require {trade_symbol}.",
                                data={"waypointSymbol": site.waypoint, "tradeSymbol": trade_symbol})
            left = material.required - material.fulfilled
            if left <= 0 or units > left:
                raise GameError(CONSTRUCTION_FULFILLED,
                                f"Construction site {site.waypoint} needs {max(0, left)} more unit(s) of "
                                f"{trade_symbol}, but {units} unit(s) were supplied.",
                                data={"waypointSymbol": site.waypoint, "tradeSymbol": trade_symbol, "units": units,
                                      "required": material.required, "fulfilled": material.fulfilled})
            TradeRules._check_holds(state, trade_symbol, units)
            TradeRules._remove_cargo(state, trade_symbol, units)
            material.fulfilled += units
            self._constructions[site.waypoint] = site
            with self._store.transaction():
                self._store.save_construction(site)
                self._store.save_ships(state)
            if site.is_complete:
                self._views.site_completed(site.waypoint)
            return wire.SupplyConstructionData(construction=self._views.construction(site),
                                               cargo=self._views.cargo(state))

    def _site(self, system: str, waypoint: str) -> ConstructionState:
        spec = self._waypoint_in(system, waypoint)
        site = self._constructions.get(waypoint)
        if site is not None:
            return site
        if not spec.under_construction:
            raise GameError(NOT_FOUND, f"Waypoint {waypoint} is not a construction site.", status=404,
                            data={"waypointSymbol": waypoint})
        return new_site(waypoint)
