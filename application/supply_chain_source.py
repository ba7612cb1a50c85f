"""The export-to-import map: fetched from the game once per process, kept in storage for when the game is away."""
from __future__ import annotations

from application.game_errors import GameError
from application.game_port import GamePort
from application.ports import Clock
from application.repositories import SupplyChainRepository
from domain.supply_chain import SupplyChainMap


class StoredSupplyChain:
    """Implements the SupplyChainSource port: the game's map, saved on each fetch; the saved one when the game
    cannot be asked (a worker must not fail because the map endpoint had a bad moment)."""

    def __init__(self, game: GamePort, repository: SupplyChainRepository, clock: Clock) -> None:
        self._game = game
        self._repository = repository
        self._clock = clock
        self._map: SupplyChainMap | None = None

    def supply_chain(self) -> SupplyChainMap:
        if self._map is None:
            try:
                self._map = self._game.supply_chain()
                self._repository.save(self._map, self._clock.now())
            except GameError:
                stored = self._repository.load()
                if stored is None:
                    raise
                self._map = stored
        return self._map
