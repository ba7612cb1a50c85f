"""SupplyChainRepository on the database: the export-to-import map as last fetched from the game."""
from __future__ import annotations

import json
from datetime import datetime

from adapters.storage.database import Database, exclusive_write
from domain.goods import TradeSymbol
from domain.supply_chain import SupplyChainMap


class SqlSupplyChainRepository:
    """Implements application.repositories.SupplyChainRepository; a row per good the map can make.

    `save` replaces the whole map at once (readers see the old map or the new one, never a mix). An empty map is
    stored as nothing, so `load` answers None for it as for a map never saved.
    """

    def __init__(self, database: Database) -> None:
        tables = database.rows  # this database's own row models
        self._recipes = tables.SupplyChainRecipeRow

    def save(self, supply_chain: SupplyChainMap, at: datetime) -> None:
        rows = [{"good": good.value, "inputs": json.dumps([item.value for item in inputs]), "saved_at": at}
                for good, inputs in sorted(supply_chain.recipes.items())]
        with exclusive_write(self._recipes):
            self._recipes.delete().execute()
            if rows:
                self._recipes.insert_many(rows).execute()

    def load(self) -> SupplyChainMap | None:
        recipes = {TradeSymbol.parse(row.good): tuple(map(TradeSymbol.parse, json.loads(row.inputs)))
                   for row in self._recipes.select().order_by(self._recipes.good)}
        return SupplyChainMap(recipes=recipes) if recipes else None

    def saved_at(self) -> datetime | None:
        """When the stored map was saved, or None when there is none."""
        row = self._recipes.select(self._recipes.saved_at).first()
        return None if row is None else row.saved_at
