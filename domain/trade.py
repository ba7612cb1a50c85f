"""What the game answered when credits moved: a trade, a refuel, a ship purchase, a departure."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidValue
from domain.fleet import ShipType
from domain.goods import TradeSymbol
from domain.symbols import ShipSymbol, WaypointSymbol
from domain.timestamps import ensure_aware


class TradeSide(enum.StrEnum):
    """PURCHASE: we bought from the market (credits out). SELL: we sold to it (credits in)."""

    PURCHASE = "PURCHASE"
    SELL = "SELL"


@dataclass(frozen=True, slots=True)
class Trade:
    """One market transaction as the server recorded it; `total` is exactly what moved.

    `agent_credits` is the agent's balance right after, when the answer carried it.
    """

    ship: ShipSymbol
    waypoint: WaypointSymbol
    good: TradeSymbol
    side: TradeSide
    units: int
    price_per_unit: int
    total: int
    occurred_at: datetime
    agent_credits: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ship", ShipSymbol(self.ship))
        object.__setattr__(self, "waypoint", WaypointSymbol(self.waypoint))
        object.__setattr__(self, "good", TradeSymbol.parse(self.good))
        object.__setattr__(self, "side", TradeSide(self.side))
        ensure_aware(self.occurred_at, "trade occurred_at")
        if self.units < 1 or self.total < 0 or self.price_per_unit < 0:
            raise InvalidValue(f"impossible trade: {self.units} x {self.price_per_unit} = {self.total}")


@dataclass(frozen=True, slots=True)
class Refuel:
    """A refuel: `fuel_added` ship fuel units bought for `total` credits (`market_units` FUEL units)."""

    ship: ShipSymbol
    waypoint: WaypointSymbol
    fuel_added: int
    market_units: int
    total: int
    fuel_after: int
    occurred_at: datetime
    agent_credits: int | None = None

    def __post_init__(self) -> None:
        ensure_aware(self.occurred_at, "refuel occurred_at")


@dataclass(frozen=True, slots=True)
class ShipPurchase:
    """A ship bought at a shipyard."""

    ship: ShipSymbol
    ship_type: ShipType
    waypoint: WaypointSymbol
    price: int
    occurred_at: datetime
    agent_credits: int | None = None

    def __post_init__(self) -> None:
        ensure_aware(self.occurred_at, "ship purchase occurred_at")


@dataclass(frozen=True, slots=True)
class Departure:
    """A ship left for `destination` and arrives at `arrival`, with `fuel_after` left."""

    ship: ShipSymbol
    origin: WaypointSymbol
    destination: WaypointSymbol
    departed_at: datetime
    arrival: datetime
    fuel_after: int

    def __post_init__(self) -> None:
        ensure_aware(self.arrival, "departure arrival")
        ensure_aware(self.departed_at, "departure departed_at")
