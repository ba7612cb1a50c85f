"""A ship's full state as the game reports it: where it is, what it carries, how much fuel it has."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from domain.errors import InvalidValue
from domain.fleet import ShipNavFlightMode, ShipNavStatus, ShipRole, ShipSummary
from domain.geometry import Position
from domain.goods import TradeSymbol
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.timestamps import ensure_aware


@dataclass(frozen=True, slots=True)
class ShipState:
    """One ship at one moment.

    `waypoint` is where the ship is, or where it is heading while IN_TRANSIT (then `arrival` says when it gets
    there). `inventory` maps each good held to its units. A fuel capacity of 0 means the ship needs no fuel.
    """

    symbol: ShipSymbol
    role: ShipRole
    frame: str
    nav_status: ShipNavStatus
    waypoint: WaypointSymbol
    flight_mode: ShipNavFlightMode
    fuel_current: int
    fuel_capacity: int
    cargo_capacity: int
    engine_speed: int
    inventory: Mapping[TradeSymbol, int] = field(default_factory=dict, hash=False)
    arrival: datetime | None = None
    position: Position | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbol", ShipSymbol(self.symbol))
        object.__setattr__(self, "role", ShipRole(self.role))
        object.__setattr__(self, "nav_status", ShipNavStatus(self.nav_status))
        object.__setattr__(self, "flight_mode", ShipNavFlightMode(self.flight_mode))
        object.__setattr__(self, "waypoint", WaypointSymbol(self.waypoint))
        inventory = {TradeSymbol.parse(good): units for good, units in self.inventory.items() if units}
        if any(units < 0 for units in inventory.values()):
            raise InvalidValue(f"ship {self.symbol}: negative cargo {inventory}")
        if sum(inventory.values()) > self.cargo_capacity:
            raise InvalidValue(f"ship {self.symbol}: cargo {sum(inventory.values())} over capacity {self.cargo_capacity}")
        object.__setattr__(self, "inventory", MappingProxyType(inventory))
        if self.arrival is not None:
            ensure_aware(self.arrival, f"ship {self.symbol} arrival")

    @property
    def system(self) -> SystemSymbol:
        return self.waypoint.system

    @property
    def cargo_units(self) -> int:
        return sum(self.inventory.values())

    @property
    def free_cargo(self) -> int:
        return self.cargo_capacity - self.cargo_units

    def units_of(self, good: TradeSymbol) -> int:
        return self.inventory.get(good, 0)

    @property
    def needs_fuel(self) -> bool:
        """False for ships that fly without fuel (probes)."""
        return self.fuel_capacity > 0

    def summary(self) -> ShipSummary:
        """The part of the state the ship-selection strategies see."""
        return ShipSummary(
            symbol=self.symbol, waypoint=self.waypoint, cargo_capacity=self.cargo_capacity,
            cargo_units=self.cargo_units, fuel_current=self.fuel_current, fuel_capacity=self.fuel_capacity,
            engine_speed=self.engine_speed, role=self.role, frame=self.frame, nav_status=self.nav_status,
            position=self.position)
