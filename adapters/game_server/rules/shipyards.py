"""Shipyards: their offers and ship purchases."""
from __future__ import annotations

from adapters.game_server import catalog
from adapters.game_server.errors import GameError
from adapters.game_server.rules.codes import (
    NO_SHIPYARD, NOT_FOUND, SHIP_CREDITS, SHIP_NOT_PRESENT, SHIP_TYPE_NOT_SOLD, UNPROCESSABLE,
)
from adapters.game_server.rules.core import WorldCore
from adapters.game_server.state import ShipyardTransactionRecord
from adapters.wire import models as wire


class ShipyardRules(WorldCore):
    """Shipyards: their offers and ship purchases."""

    # --- shipyards ----------------------------------------------------------------------------------------------------------

    def purchase_ship(self, agent: str, ship_type: str, waypoint: str) -> wire.PurchaseShipData:
        if not isinstance(ship_type, str) or ship_type not in catalog.SHIP_TYPES:
            raise GameError(UNPROCESSABLE, f"Invalid request: {ship_type!r} is not a ship type.", status=422,
                            data={"shipType": ["must be a ShipType"]})
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            spec = self.universe.waypoints.get(waypoint) if isinstance(waypoint, str) else None
            if spec is None:
                raise GameError(NOT_FOUND, f"Waypoint {waypoint} not found.", status=404,
                                data={"waypointSymbol": waypoint})
            yard = self._shipyards.get(waypoint)
            if yard is None:
                raise GameError(NO_SHIPYARD, f"Waypoint {waypoint} does not have a shipyard.", status=404,
                                data={"waypointSymbol": waypoint})
            offer = yard.offers.get(ship_type)
            if offer is None:
                raise GameError(SHIP_TYPE_NOT_SOLD, f"Shipyard at {waypoint} does not sell {ship_type}.",
                                data={"waypointSymbol": waypoint, "shipType": ship_type})
            if not self._present(agent, waypoint, now):
                raise GameError(SHIP_NOT_PRESENT, f"Failed to purchase ship. Agent {agent} does not have a ship "
                                                  f"present at {waypoint}.", data={"waypointSymbol": waypoint})
            self._shipyard_now(yard, now)
            price = round(offer.base_price * offer.factor)
            if price > owner.credits:
                raise GameError(SHIP_CREDITS, f"Failed to purchase ship. Agent has insufficient funds: {price} "
                                              f"credits needed.",
                                data={"creditsAvailable": owner.credits, "creditsNeeded": price})
            owner.credits -= price
            ship = self._new_ship(owner, ship_type, waypoint, now)
            offer.factor *= catalog.SHIP_PRICE_STEP
            record = ShipyardTransactionRecord(waypoint, ship_type, price, agent, now)
            yard.transactions.append(record)
            with self._store.transaction():
                self._store.save_agent(owner)
                self._store.save_ships(ship)
                self._store.save_shipyard(yard)
                self._store.add_shipyard_transaction(record)
            self._ships[ship.symbol] = ship
            return wire.PurchaseShipData(agent=self._views.agent(owner), ship=self._ship_view(ship),
                                         transaction=self._views.shipyard_transaction(record))

    def shipyard(self, system: str, waypoint: str, agent: str | None) -> wire.Shipyard:
        with self._lock:
            self._waypoint_in(system, waypoint)
            yard = self._shipyards.get(waypoint)
            if yard is None:
                raise GameError(NO_SHIPYARD, f"Waypoint {waypoint} does not have a shipyard.", status=404,
                                data={"waypointSymbol": waypoint})
            now = self._now()
            visible = self._present(agent, waypoint, now)
            if visible:
                self._shipyard_now(yard, now)
            return self._views.shipyard(yard, visible)

