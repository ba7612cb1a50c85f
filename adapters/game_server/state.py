"""The World's mutable in-memory state: agents, ships, contracts, markets and shipyards.

Times are float epoch seconds (UTC wall clock) so comparisons on the hot path stay cheap; views turn them into
datetimes. Static facts (waypoints, ship specs) live in the Universe and the catalog, not here.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(slots=True)
class AgentState:
    """A registered agent."""
    symbol: str
    token: str
    account_id: str
    faction: str
    headquarters: str
    credits: int
    created_at: float
    ship_seq: int = 0              # number of ships ever given to the agent; names the next one
    ships: list[str] = field(default_factory=list)   # ship symbols in the order they were acquired


@dataclass(slots=True)
class ShipState:
    """One ship: where it is, how it flies, what it carries."""
    symbol: str
    agent: str
    ship_type: str
    system: str
    waypoint: str
    status: str                    # DOCKED | IN_ORBIT | IN_TRANSIT
    flight_mode: str
    origin: str
    destination: str
    departure_time: float
    arrival: float
    fuel: int
    fuel_consumed: int = 0
    fuel_consumed_at: float | None = None
    cargo: dict[str, int] = field(default_factory=dict)   # good -> units, in the order they were loaded
    seq: int = 0                   # acquisition number within the agent (1 = the command ship)

    @property
    def cargo_units(self) -> int:
        return sum(self.cargo.values())


@dataclass(slots=True)
class ContractState:
    """A PROCUREMENT contract offered to an agent: deliver `units_required` of one good to `destination`."""
    id: str
    agent: str
    faction: str
    type: str
    trade_symbol: str
    destination: str
    units_required: int
    units_fulfilled: int
    on_accepted: int
    on_fulfilled: int
    deadline: float
    deadline_to_accept: float
    accepted: bool = False
    fulfilled: bool = False

    @property
    def units_left(self) -> int:
        return self.units_required - self.units_fulfilled

    def is_open(self, now: float) -> bool:
        """Whether the contract still counts against the one-contract limit: offered and still acceptable, or
        accepted and neither fulfilled nor past its deadline."""
        if self.fulfilled:
            return False
        return now <= (self.deadline if self.accepted else self.deadline_to_accept)


@dataclass(slots=True)
class ConstructionMaterial:
    """One material a construction site needs: `fulfilled` of `required` units delivered so far."""
    trade_symbol: str
    required: int
    fulfilled: int = 0


@dataclass(slots=True)
class ConstructionState:
    """A waypoint being built (the starter system's jump gate): complete when every material is fulfilled."""
    waypoint: str
    materials: list[ConstructionMaterial]

    @property
    def is_complete(self) -> bool:
        return all(m.fulfilled >= m.required for m in self.materials)

    def material(self, symbol: str) -> ConstructionMaterial | None:
        return next((m for m in self.materials if m.trade_symbol == symbol), None)


@dataclass(slots=True)
class Recipe:
    """A factory line at a market: `export` is made from `inputs`, all imported at the same market."""
    export: str
    inputs: tuple[str, ...]


@dataclass(slots=True)
class MarketGood:
    """One good at one market. `stock` against `equilibrium` sets the price and the supply label.

    `template_ratio` is the stock the market returns to when nobody trades, relative to `equilibrium` (its state
    in the universe's template). `trade_volume` is what the API shows: the rounded `volume`, which grows from the
    good's `tier` under sustained trade (`pressure`) and shrinks back when neglected.
    """
    symbol: str
    kind: str                      # EXPORT | IMPORT | EXCHANGE
    trade_volume: int
    base_price: float              # sellPrice (what the market pays) at equilibrium stock; an export's at its
    # template stock is base_price * template_ratio^-export_elasticity (economy._export_log_price)
    equilibrium: float             # stock units at equilibrium, for the current trade_volume
    stock: float
    template_ratio: float = 1.0    # the untouched market's stock over equilibrium
    tier: int = 0                  # the template's tradeVolume (0: the trade_volume given)
    volume: float = 0.0            # unrounded tradeVolume (0: the trade_volume given)
    pressure: float = 0.0          # recent trade in units, decaying: what makes the tradeVolume grow
    feed: float = 1.0              # scarcest input's stock over its equilibrium (factory export, consumed import)
    factory: bool = False          # an export made from imports here
    consumed: bool = False         # an import some factory here consumes
    # Background traffic (market_noise.py): `stock` is what the market shows, `base` what the dynamics keep, and
    # `noise` the factor between them at the market's updated_at; `shown` is the stock the last factor produced
    # (a stock that differs from it was traded since: its base is derived again).
    noise_key: int = 0
    noise: float = 1.0
    base: float = 0.0
    shown: float = -1.0

    def __post_init__(self) -> None:
        if not self.tier:
            self.tier = self.trade_volume
        if not self.volume:
            self.volume = float(self.trade_volume)

    @property
    def template_stock(self) -> float:
        """The stock an untouched market holds."""
        return self.equilibrium * self.template_ratio

    @property
    def underlying_stock(self) -> float:
        """The stock without the background traffic's units (what the factory lines and activity labels see)."""
        return self.stock / self.noise


@dataclass(slots=True)
class TransactionRecord:
    """A market transaction as the market's history keeps it."""
    waypoint: str
    ship: str
    good: str
    type: str                      # PURCHASE | SELL
    units: int
    price_per_unit: int
    total_price: int
    timestamp: float


@dataclass(slots=True)
class MarketState:
    """A market's goods, factory lines and recent history; `updated_at` is when the goods were last advanced."""
    waypoint: str
    goods: dict[str, MarketGood]
    recipes: tuple[Recipe, ...]
    updated_at: float
    transactions: deque[TransactionRecord] = field(default_factory=lambda: deque(maxlen=20))
    lines: tuple | None = None     # the recipes made ready to run, with what they were made from (market_dynamics)


@dataclass(slots=True)
class ShipyardOffer:
    """One ship type on sale: its base price and the current markup from recent purchases."""
    ship_type: str
    base_price: int
    factor: float = 1.0


@dataclass(slots=True)
class ShipyardTransactionRecord:
    waypoint: str
    ship_type: str
    price: int
    agent: str
    timestamp: float


@dataclass(slots=True)
class ShipyardState:
    """A shipyard's offers and recent sales; `updated_at` is when the markups were last relaxed."""
    waypoint: str
    offers: dict[str, ShipyardOffer]
    updated_at: float
    transactions: deque[ShipyardTransactionRecord] = field(default_factory=lambda: deque(maxlen=20))
