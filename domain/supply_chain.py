"""The export-to-import map and the dependency tree built from it.

The map reads "to make the export, a factory imports these goods" (`GET /market/supply-chain`).
A tree says how one good will be obtained: bought at a market (BUY, a leaf), or fabricated at a
factory market (FABRICATE) by delivering its inputs there, each input a child node.
"""
from __future__ import annotations

import enum
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from domain.coercion import coerce
from domain.errors import InvalidValue
from domain.geometry import Position
from domain.goods import TradeSymbol
from domain.symbols import WaypointSymbol


class AcquisitionMethod(enum.StrEnum):
    """How a node's good is obtained."""

    BUY = "BUY"
    FABRICATE = "FABRICATE"


class UnresolvableReason(enum.StrEnum):
    """Why no tree could be built for a good (shown by `analyze demand`)."""

    NOT_MANUFACTURABLE = "NOT_MANUFACTURABLE"  # the map has no recipe for the good
    NO_FACTORY = "NO_FACTORY"  # no known market exports (produces) the good
    NO_SOURCE = "NO_SOURCE"  # an input no known market sells and that cannot be fabricated
    CYCLE = "CYCLE"  # an input is one of the goods it is needed to make
    DEPTH_LIMIT = "DEPTH_LIMIT"  # the tree would be deeper than the configured limit


@dataclass(frozen=True, slots=True)
class SupplyChainNode:
    """One good in a dependency tree.

    `market` is where to buy it (BUY) or the factory market that turns the children into it
    (FABRICATE). `ask` is the last known price we would pay there, `position` the market's
    x, y, both None when unknown. BUY nodes are leaves; FABRICATE nodes have one child per input.
    """

    good: TradeSymbol
    method: AcquisitionMethod
    market: WaypointSymbol
    children: tuple[SupplyChainNode, ...] = ()
    ask: int | None = None
    position: Position | None = None
    _depth: int = field(init=False, repr=False, compare=False, hash=False, default=0)

    def __post_init__(self) -> None:
        if type(self.good) is not TradeSymbol:
            coerce(self, "good", TradeSymbol)
        if type(self.method) is not AcquisitionMethod:
            coerce(self, "method", AcquisitionMethod)
        if type(self.market) is not WaypointSymbol:
            coerce(self, "market", WaypointSymbol)
        children = self.children
        if type(children) is not tuple:
            children = tuple(children)
            object.__setattr__(self, "children", children)
        if not children:
            if self.method is AcquisitionMethod.FABRICATE:
                raise InvalidValue(f"{self.good}: a FABRICATE node needs at least one input")
            return  # a leaf: depth 0, the default
        if self.method is AcquisitionMethod.BUY:
            raise InvalidValue(f"{self.good}: a BUY node cannot have inputs")
        deepest = 0
        for child in children:
            if not isinstance(child, SupplyChainNode):
                raise InvalidValue(f"{self.good}: children must be SupplyChainNode, got {type(child).__name__}")
            deepest = max(deepest, child._depth)
        object.__setattr__(self, "_depth", deepest + 1)

    @property
    def depth(self) -> int:
        """Edges from this node to its deepest leaf: MACHINERY <- IRON has depth 1."""
        return self._depth

    @property
    def inputs(self) -> tuple[TradeSymbol, ...]:
        """The goods of the direct children, in order."""
        return tuple(child.good for child in self.children)

    def walk(self) -> Iterator[SupplyChainNode]:
        """Every node of the tree, parent before children, children in order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> Iterator[SupplyChainNode]:
        """The BUY nodes, in the order an executor walking the tree would reach them."""
        return (node for node in self.walk() if not node.children)


@dataclass(frozen=True, slots=True)
class SupplyChainMap:
    """The export-to-import map: for each good a factory can make, the goods it consumes."""

    recipes: Mapping[TradeSymbol, tuple[TradeSymbol, ...]] = field(hash=False)

    def __post_init__(self) -> None:
        recipes: dict[TradeSymbol, tuple[TradeSymbol, ...]] = {}
        for good, inputs in self.recipes.items():
            parsed = tuple(dict.fromkeys(TradeSymbol.parse(item) for item in inputs))  # dedupe, keep order
            if not parsed:
                raise InvalidValue(f"supply chain map: {good} has an empty list of inputs")
            recipes[TradeSymbol.parse(good)] = parsed
        object.__setattr__(self, "recipes", MappingProxyType(recipes))

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        # The read-only mapping view cannot be pickled; rebuild from a plain dict (worker processes).
        return (SupplyChainMap, (dict(self.recipes),))

    @classmethod
    def from_export_to_import(cls, export_to_import: Mapping[str, Sequence[str]]) -> SupplyChainMap:
        """Build from the API's `exportToImportMap` (plain symbols); unknown symbols raise InvalidSymbol."""
        return cls(recipes={good: tuple(inputs) for good, inputs in export_to_import.items()})

    def inputs_of(self, good: TradeSymbol) -> tuple[TradeSymbol, ...]:
        """The goods a factory of `good` imports; empty when the map has no recipe for it."""
        return self.recipes.get(good, ())

    def is_manufacturable(self, good: TradeSymbol) -> bool:
        """True when the map has a recipe for `good`."""
        return good in self.recipes

    def __contains__(self, good: object) -> bool:
        return good in self.recipes

    def __len__(self) -> int:
        return len(self.recipes)


_new = object.__new__
_DEPTH = operator.attrgetter("_depth")
# The slots' own setters: the frozen class refuses setattr, and its __init__ would run the checks again.
_SET = tuple(SupplyChainNode.__dict__[name].__set__ for name in (
    "good", "method", "market", "children", "ask", "position", "_depth",
))


def resolved_node(
    good: TradeSymbol,
    method: AcquisitionMethod,
    market: WaypointSymbol,
    children: tuple[SupplyChainNode, ...],
    ask: int | None,
    position: Position | None,
) -> SupplyChainNode:
    """A node from values that already satisfy every check of SupplyChainNode, which are skipped.

    For the resolver, which builds a tree per good every search from typed values it made itself: a BUY leaf has
    no children, a FABRICATE node at least one. Anything else builds SupplyChainNode itself."""
    node = _new(SupplyChainNode)
    set_good, set_method, set_market, set_children, set_ask, set_position, set_depth = _SET
    set_good(node, good)
    set_method(node, method)
    set_market(node, market)
    set_children(node, children)
    set_ask(node, ask)
    set_position(node, position)
    set_depth(node, max(map(_DEPTH, children)) + 1 if children else 0)
    return node
