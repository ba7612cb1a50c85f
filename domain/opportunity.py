"""A good worth manufacturing: a market pays well for it and we know how to make it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from domain.coercion import coerce
from domain.errors import InvalidValue
from domain.geometry import Position
from domain.goods import TradeSymbol
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.symbols import WaypointSymbol
from domain.timestamps import ensure_aware


_FABRICATE = AcquisitionMethod.FABRICATE


@dataclass(frozen=True, slots=True)
class ManufacturingOpportunity:
    """The plan's ManufacturingOpportunity.

    `bid` is what `sell_market` pays us per unit for `good` (the plan's "purchase price",
    the API's `sellPrice`). There is deliberately no cost or profit estimate: profit comes from
    the ledger after the work is done. `dependency_tree` is rooted at a FABRICATE node for
    `good`. `trade_volume` is the sell market's lot size for the good when known.
    `recorded_profit_per_hour` is what the ledger recorded for this lane (or good) so far, None when never tried;
    `recorded_share` the part of their price signal its runs earned (domain.lane_record.LaneRecord).
    """

    good: TradeSymbol
    sell_market: WaypointSymbol
    bid: int
    dependency_tree: SupplyChainNode
    discovered_at: datetime
    sell_position: Position | None = None
    trade_volume: int | None = None
    recorded_profit_per_hour: float | None = None
    recorded_share: float | None = None

    def __post_init__(self) -> None:
        # Written for speed (the demand finder builds a few hundred per search): locals, identity checks first.
        good, market, tree = self.good, self.sell_market, self.dependency_tree
        if type(good) is not TradeSymbol:
            coerce(self, "good", TradeSymbol)
            good = self.good
        if type(market) is not WaypointSymbol:
            coerce(self, "sell_market", WaypointSymbol)
            market = self.sell_market
        when = self.discovered_at
        if when.__class__ is not datetime or when.tzinfo is not UTC:
            ensure_aware(when, "opportunity discovered_at")
        if self.bid < 0:
            raise InvalidValue(f"{good} at {market}: the price paid cannot be negative")
        if (tree.good is not good and tree.good != good) or tree.method is not _FABRICATE:
            raise InvalidValue(
                f"{good} at {market}: the tree must be rooted at FABRICATE {good}, got {tree.method} {tree.good}"
            )
        # The same system: the same text up to the last '-' (WaypointSymbol.system, without building one).
        cut = market.rfind("-")
        factory = tree.market
        if factory.rfind("-") != cut or not factory.startswith(market[:cut]):
            raise InvalidValue(f"{good}: factory {factory} is not in the system of {market}")

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


_new = object.__new__
# The slots' own setters: the frozen class refuses setattr, and its __init__ would run the checks again.
_SET = tuple(ManufacturingOpportunity.__dict__[name].__set__ for name in (
    "good", "sell_market", "bid", "dependency_tree", "discovered_at", "sell_position", "trade_volume",
    "recorded_profit_per_hour", "recorded_share",
))


def resolved_opportunity(
    good: TradeSymbol,
    sell_market: WaypointSymbol,
    bid: int,
    dependency_tree: SupplyChainNode,
    discovered_at: datetime,
    sell_position: Position | None,
    trade_volume: int | None,
) -> ManufacturingOpportunity:
    """An opportunity from values that already satisfy every check of ManufacturingOpportunity, which are skipped.

    For the demand finder's loop, a few hundred per search, where each value comes from a validated market
    snapshot (good, sell_market, bid), the resolver (a FABRICATE tree for `good` at a market of the same system)
    and a time checked once per search. Anything else builds ManufacturingOpportunity itself."""
    opportunity = _new(ManufacturingOpportunity)
    set_good, set_market, set_bid, set_tree, set_when, set_position, set_volume, set_recorded, set_share = _SET
    set_good(opportunity, good)
    set_market(opportunity, sell_market)
    set_bid(opportunity, bid)
    set_tree(opportunity, dependency_tree)
    set_when(opportunity, discovered_at)
    set_position(opportunity, sell_position)
    set_volume(opportunity, trade_volume)
    set_recorded(opportunity, None)
    set_share(opportunity, None)
    return opportunity
