"""The agent (the player's account in the game)."""
from __future__ import annotations

from dataclasses import dataclass

from domain.symbols import WaypointSymbol


@dataclass(frozen=True, slots=True)
class AgentStatus:
    symbol: str
    headquarters: WaypointSymbol
    credits: int
    ship_count: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "headquarters", WaypointSymbol(self.headquarters))


@dataclass(frozen=True, slots=True)
class ShipyardOffer:
    """A ship type a shipyard sells and its current price."""

    ship_type: str
    price: int
    cargo_capacity: int | None = None
