"""Contracts: listing, accepting, delivering and fulfilling."""
from __future__ import annotations

from adapters.game_server.rules.core import WorldCore, _page_slice
from adapters.wire import models as wire


class ContractRules(WorldCore):
    """Contracts: listing, accepting, delivering and fulfilling."""

    # --- contracts ------------------------------------------------------------------------------------------------------------

    def contracts(self, agent: str, page: int, limit: int) -> tuple[list[wire.Contract], int]:
        with self._lock:
            self._agent(agent)
            mine = self._contracts.get(agent, [])
            return [self._views.contract(c) for c in mine[_page_slice(page, limit)]], len(mine)

