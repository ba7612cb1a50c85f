"""A good worth manufacturing: a market pays well for it and we know how to make it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.coercion import coerce
from domain.errors import InvalidValue
from domain.geometry import Position
from domain.goods import TradeSymbol
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.symbols import WaypointSymbol
from domain.timestamps import ensure_aware


@dataclass(frozen=True, slots=True)
class ManufacturingOpportunity:
    """The plan's ManufacturingOpportunity.

    `bid` is what `sell_market` pays us per unit for `good` (the plan's "purchase price",
    the API's `sellPrice`). There is deliberately no cost or profit estimate: profit comes from
    the ledger after the work is done. `dependency_tree` is rooted at a FABRICATE node for
    `good`. `trade_volume` is the sell market's lot size for the good when known.
    """

    good: TradeSymbol
    sell_market: WaypointSymbol
    bid: int
    dependency_tree: SupplyChainNode
    discovered_at: datetime
    sell_position: Position | None = None
    trade_volume: int | None = None

    def __post_init__(self) -> None:
        if type(self.good) is not TradeSymbol:
            coerce(self, "good", TradeSymbol)
        if type(self.sell_market) is not WaypointSymbol:
            coerce(self, "sell_market", WaypointSymbol)
        ensure_aware(self.discovered_at, "opportunity discovered_at")
        if self.bid < 0:
            raise InvalidValue(f"{self.good} at {self.sell_market}: the price paid cannot be negative")
        tree = self.dependency_tree
        if tree.good != self.good or tree.method is not AcquisitionMethod.FABRICATE:
            raise InvalidValue(
                f"{self.good} at {self.sell_market}: the tree must be rooted at FABRICATE {self.good}, "
                f"got {tree.method} {tree.good}"
            )
        if self.sell_market.rsplit("-", 1)[0] != tree.market.rsplit("-", 1)[0]:  # .system, minus a copy
            raise InvalidValue(f"{self.good}: factory {tree.market} is not in the system of {self.sell_market}")

    @property
    def tree_depth(self) -> int:
        """Depth of the dependency tree (MACHINERY <- IRON is 1)."""
        return self.dependency_tree.depth

    @property
    def factory(self) -> WaypointSymbol:
        """The market where the good itself is fabricated."""
        return self.dependency_tree.market

    @property
    def required_inputs(self) -> tuple[TradeSymbol, ...]:
        """The goods delivered to the factory (the root's direct inputs)."""
        return self.dependency_tree.inputs

    @property
    def first_stop(self) -> SupplyChainNode:
        """The first market a ship visits: the first leaf in the order the tree is executed."""
        return next(self.dependency_tree.leaves())
