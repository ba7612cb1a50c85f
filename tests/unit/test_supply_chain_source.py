"""The map comes from the game once, and from storage when the game cannot be asked."""
import pytest

from application.game_errors import GameUnavailable
from application.supply_chain_source import StoredSupplyChain
from domain.supply_chain import SupplyChainMap
from tests.fakes import FakeClock

MAP = SupplyChainMap.from_export_to_import({"MACHINERY": ["IRON"]})


class Game:
    def __init__(self, fails: bool) -> None:
        self.fails = fails
        self.calls = 0

    def supply_chain(self) -> SupplyChainMap:
        self.calls += 1
        if self.fails:
            raise GameUnavailable("down")
        return MAP


class Repository:
    def __init__(self, stored: SupplyChainMap | None = None) -> None:
        self.stored = stored

    def save(self, supply_chain, at) -> None:
        self.stored = supply_chain

    def load(self):
        return self.stored


def test_fetched_once_and_saved():
    game, repository = Game(fails=False), Repository()
    source = StoredSupplyChain(game, repository, FakeClock())
    assert source.supply_chain() is MAP and source.supply_chain() is MAP
    assert game.calls == 1 and repository.stored is MAP


def test_falls_back_to_storage_then_fails_without_it():
    assert StoredSupplyChain(Game(fails=True), Repository(MAP), FakeClock()).supply_chain() is MAP
    with pytest.raises(GameUnavailable):
        StoredSupplyChain(Game(fails=True), Repository(), FakeClock()).supply_chain()
