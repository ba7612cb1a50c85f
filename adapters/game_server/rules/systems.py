"""Systems, waypoints, markets as a player sees them, and the supply chain."""
from __future__ import annotations

from adapters.game_server import catalog
from adapters.game_server.errors import GameError
from adapters.game_server.rules.codes import NO_MARKET
from adapters.game_server.rules.core import WorldCore, _page_slice
from adapters.wire import models as wire


class SystemRules(WorldCore):
    """Systems, waypoints, markets as a player sees them, and the supply chain."""

    # --- systems, waypoints, markets -------------------------------------------------------------------------------------------

    def systems(self, page: int, limit: int) -> tuple[list[wire.System], int]:
        with self._lock:
            return [self._views.system(s) for s in self._systems[_page_slice(page, limit)]], len(self._systems)

    def system(self, system: str) -> wire.System:
        with self._lock:
            return self._views.system(self._system(system))

    def waypoints(self, system: str, page: int, limit: int, type: str | None = None,
                  traits: list[str] | None = None) -> tuple[list[wire.Waypoint], int]:
        with self._lock:
            spec = self._system(system)
            found = self._system_waypoints[spec.symbol]
            if type:
                found = [w for w in found if w.type == type]
            if traits:
                wanted = set(traits)
                found = [w for w in found if wanted <= set(w.traits)]
            return [self._views.waypoint(w) for w in found[_page_slice(page, limit)]], len(found)

    def waypoint(self, system: str, waypoint: str) -> wire.Waypoint:
        with self._lock:
            return self._views.waypoint(self._waypoint_in(system, waypoint))

    def market(self, system: str, waypoint: str, agent: str | None) -> wire.Market:
        """The market; tradeGoods and transactions only when one of the agent's ships is there."""
        with self._lock:
            self._waypoint_in(system, waypoint)
            spec = self.universe.markets.get(waypoint)
            if spec is None:
                raise GameError(NO_MARKET, f"Market not found at {waypoint}.", status=404,
                                data={"waypointSymbol": waypoint})
            now = self._now()
            if not self._present(agent, waypoint, now):
                return self._views.market(spec, None)
            return self._views.market(spec, self._market_now(self._markets[waypoint], now))

    def supply_chain(self) -> wire.SupplyChainData:
        return wire.SupplyChainData(
            export_to_import_map={good: list(inputs) for good, inputs in catalog.supply_chain().items()})


