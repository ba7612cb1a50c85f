"""Ships as the strategies see them, and the enums that describe a ship's state."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.coercion import coerce
from domain.errors import InvalidValue
from domain.geometry import Position
from domain.symbols import ShipSymbol, WaypointSymbol


class ShipRole(enum.StrEnum):
    """Registration role; the starting frigate is COMMAND, the starting probe SATELLITE."""

    FABRICATOR = "FABRICATOR"
    HARVESTER = "HARVESTER"
    HAULER = "HAULER"
    INTERCEPTOR = "INTERCEPTOR"
    EXCAVATOR = "EXCAVATOR"
    TRANSPORT = "TRANSPORT"
    REPAIR = "REPAIR"
    SURVEYOR = "SURVEYOR"
    COMMAND = "COMMAND"
    CARRIER = "CARRIER"
    PATROL = "PATROL"
    SATELLITE = "SATELLITE"
    EXPLORER = "EXPLORER"
    REFINERY = "REFINERY"


class ShipType(enum.StrEnum):
    """What a shipyard sells."""

    SHIP_PROBE = "SHIP_PROBE"
    SHIP_MINING_DRONE = "SHIP_MINING_DRONE"
    SHIP_SIPHON_DRONE = "SHIP_SIPHON_DRONE"
    SHIP_INTERCEPTOR = "SHIP_INTERCEPTOR"
    SHIP_LIGHT_HAULER = "SHIP_LIGHT_HAULER"
    SHIP_COMMAND_FRIGATE = "SHIP_COMMAND_FRIGATE"
    SHIP_EXPLORER = "SHIP_EXPLORER"
    SHIP_HEAVY_FREIGHTER = "SHIP_HEAVY_FREIGHTER"
    SHIP_LIGHT_SHUTTLE = "SHIP_LIGHT_SHUTTLE"
    SHIP_ORE_HOUND = "SHIP_ORE_HOUND"
    SHIP_REFINING_FREIGHTER = "SHIP_REFINING_FREIGHTER"
    SHIP_SURVEYOR = "SHIP_SURVEYOR"
    SHIP_BULK_FREIGHTER = "SHIP_BULK_FREIGHTER"


class ShipNavStatus(enum.StrEnum):
    """Where a ship is relative to its waypoint."""

    IN_TRANSIT = "IN_TRANSIT"
    IN_ORBIT = "IN_ORBIT"
    DOCKED = "DOCKED"


class ShipNavFlightMode(enum.StrEnum):
    """Flight mode; CRUISE is the game's default."""

    DRIFT = "DRIFT"
    STEALTH = "STEALTH"
    CRUISE = "CRUISE"
    BURN = "BURN"


@dataclass(frozen=True, slots=True)
class ShipSummary:
    """The facts a ship-selection strategy needs about one ship, and nothing else.

    `waypoint` is where the ship is (or is heading, while in transit); `position` is that
    waypoint's x, y when known. A fuel capacity of 0 means the ship needs no fuel (probes).
    """

    symbol: ShipSymbol
    waypoint: WaypointSymbol
    cargo_capacity: int
    cargo_units: int
    fuel_current: int
    fuel_capacity: int
    engine_speed: int
    role: ShipRole
    frame: str
    nav_status: ShipNavStatus = ShipNavStatus.DOCKED
    position: Position | None = None

    def __post_init__(self) -> None:
        coerce(self, "symbol", ShipSymbol)
        coerce(self, "waypoint", WaypointSymbol)
        coerce(self, "role", ShipRole)
        coerce(self, "nav_status", ShipNavStatus)
        if not 0 <= self.cargo_units <= self.cargo_capacity:
            raise InvalidValue(f"ship {self.symbol}: cargo {self.cargo_units}/{self.cargo_capacity} is impossible")
        if self.fuel_capacity < 0 or not 0 <= self.fuel_current <= self.fuel_capacity:
            raise InvalidValue(f"ship {self.symbol}: fuel {self.fuel_current}/{self.fuel_capacity} is impossible")
        if self.engine_speed < 1:
            raise InvalidValue(f"ship {self.symbol}: engine speed must be at least 1")

    @property
    def free_cargo(self) -> int:
        """Units of cargo space still empty."""
        return self.cargo_capacity - self.cargo_units
