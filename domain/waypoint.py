"""A waypoint as the bot needs it for routing and scouting."""
from __future__ import annotations

from dataclasses import dataclass

from domain.geometry import Position
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.universe import WaypointTrait, WaypointType


@dataclass(frozen=True, slots=True)
class WaypointInfo:
    """Symbol, kind, position and the traits that matter (MARKETPLACE, SHIPYARD...)."""

    symbol: WaypointSymbol
    type: WaypointType
    position: Position
    traits: frozenset[WaypointTrait] = frozenset()
    orbits: WaypointSymbol | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbol", WaypointSymbol(self.symbol))
        object.__setattr__(self, "type", WaypointType(self.type))
        known = set()
        for trait in self.traits:
            try:
                known.add(WaypointTrait(trait))
            except ValueError:
                pass  # flavour traits do not matter to the bot
        object.__setattr__(self, "traits", frozenset(known))

    @property
    def system(self) -> SystemSymbol:
        return self.symbol.system

    @property
    def is_market(self) -> bool:
        return WaypointTrait.MARKETPLACE in self.traits

    @property
    def is_shipyard(self) -> bool:
        return WaypointTrait.SHIPYARD in self.traits
