"""The SpaceTraders v2 wire models (spec 2.3.0), shared by the bot's API client and the embedded game server.

Written from game-api-facts.md §5 (field names are the spec's, camelCase on the wire, snake_case here).
Optional fields default to None and are left out when encoding, as the real server leaves them out.
Decoding ignores unknown fields, so the bot keeps working when the real game adds some. Request bodies ignore
them too, as the real server does (it strips unknown keys): generated clients send extra keys, for example
`additional_properties: {}`, and the real game accepts those requests.

Three "legacy" fields that spec 2.3.0 still lists as required (RegisterData.ship, ShipNavRoute.departure,
ShipyardShip.symbol) are carried too, so clients generated from older specs keep parsing our answers.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

import msgspec

T = TypeVar("T")


class Wire(msgspec.Struct, rename="camel", omit_defaults=True):
    """Base of every wire model: camelCase names, optional fields omitted when unset."""


# --- small enums kept as Literals: a value outside them is a protocol error worth noticing ----------------------

ShipNavStatus = Literal["IN_TRANSIT", "IN_ORBIT", "DOCKED"]
FlightMode = Literal["DRIFT", "STEALTH", "CRUISE", "BURN"]
SupplyLevel = Literal["SCARCE", "LIMITED", "MODERATE", "HIGH", "ABUNDANT"]
ActivityLevel = Literal["WEAK", "GROWING", "STRONG", "RESTRICTED"]
TradeGoodType = Literal["EXPORT", "IMPORT", "EXCHANGE"]
TransactionType = Literal["PURCHASE", "SELL"]
CrewRotation = Literal["STRICT", "RELAXED"]
ShipComponent = Literal["FRAME", "REACTOR", "ENGINE"]

# Waypoint types and traits (game-api-facts §6): the values the `type` and `traits` query filters accept. The
# models themselves keep `type` and trait symbols as plain strings, so a value the real game adds later decodes.
WAYPOINT_TYPES = frozenset(
    "PLANET GAS_GIANT MOON ORBITAL_STATION JUMP_GATE ASTEROID_FIELD ASTEROID ENGINEERED_ASTEROID ASTEROID_BASE "
    "NEBULA DEBRIS_FIELD GRAVITY_WELL ARTIFICIAL_GRAVITY_WELL FUEL_STATION".split())
WAYPOINT_TRAITS = frozenset(
    "UNCHARTED UNDER_CONSTRUCTION MARKETPLACE SHIPYARD OUTPOST SCATTERED_SETTLEMENTS SPRAWLING_CITIES "
    "MEGA_STRUCTURES PIRATE_BASE OVERCROWDED HIGH_TECH CORRUPT BUREAUCRATIC TRADING_HUB INDUSTRIAL BLACK_MARKET "
    "RESEARCH_FACILITY MILITARY_BASE SURVEILLANCE_OUTPOST EXPLORATION_OUTPOST MINERAL_DEPOSITS "
    "COMMON_METAL_DEPOSITS PRECIOUS_METAL_DEPOSITS RARE_METAL_DEPOSITS METHANE_POOLS ICE_CRYSTALS EXPLOSIVE_GASES "
    "STRONG_MAGNETOSPHERE VIBRANT_AURORAS SALT_FLATS CANYONS PERPETUAL_DAYLIGHT PERPETUAL_OVERCAST DRY_SEABEDS "
    "MAGMA_SEAS SUPERVOLCANOES ASH_CLOUDS VAST_RUINS MUTATED_FLORA TERRAFORMED EXTREME_TEMPERATURES "
    "EXTREME_PRESSURE DIVERSE_LIFE SCARCE_LIFE FOSSILS WEAK_GRAVITY STRONG_GRAVITY CRUSHING_GRAVITY "
    "TOXIC_ATMOSPHERE CORROSIVE_ATMOSPHERE BREATHABLE_ATMOSPHERE THIN_ATMOSPHERE JOVIAN ROCKY VOLCANIC FROZEN "
    "SWAMP BARREN TEMPERATE JUNGLE OCEAN RADIOACTIVE MICRO_GRAVITY_ANOMALIES DEBRIS_CLUSTER DEEP_CRATERS "
    "SHALLOW_CRATERS UNSTABLE_COMPOSITION HOLLOWED_INTERIOR STRIPPED".split())

PositiveInt = Annotated[int, msgspec.Meta(ge=1)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]


# --- envelopes ----------------------------------------------------------------------------------------------------

class Meta(Wire):
    total: int
    page: int
    limit: int


class Envelope(Wire, Generic[T]):
    """`{"data": ...}`: every successful answer except GET / and the 204s."""
    data: T


class Page(Wire, Generic[T]):
    """`{"data": [...], "meta": {...}}`: the paged list answers."""
    data: list[T]
    meta: Meta


class ErrorBody(Wire):
    code: int
    message: str
    data: dict | None = None
    request_id: str | None = None


class ErrorResponse(Wire):
    """`{"error": {...}}`: every game error, and the rate limiter's 429 (whose code is 429)."""
    error: ErrorBody


# --- GET / --------------------------------------------------------------------------------------------------------

class ServerStats(Wire):
    agents: int
    ships: int
    systems: int
    waypoints: int
    accounts: int | None = None


class CreditsLeader(Wire):
    agent_symbol: str
    credits: int


class ChartsLeader(Wire):
    agent_symbol: str
    chart_count: int


class Leaderboards(Wire):
    most_credits: list[CreditsLeader]
    most_submitted_charts: list[ChartsLeader]


class ServerResets(Wire):
    next: str
    frequency: str


class Announcement(Wire):
    title: str
    body: str


class Link(Wire):
    name: str
    url: str


class ServerHealth(Wire):
    last_market_update: str | None = None


class ServerStatus(Wire):
    """GET /, the one answer not wrapped in `data`."""
    status: str
    version: str
    reset_date: str
    description: str
    stats: ServerStats
    leaderboards: Leaderboards
    server_resets: ServerResets
    announcements: list[Announcement]
    links: list[Link]
    health: ServerHealth | None = None


# --- agent, faction, contract ------------------------------------------------------------------------------------

class Agent(Wire):
    symbol: str
    headquarters: str
    credits: int
    starting_faction: str
    ship_count: int
    account_id: str | None = None


class FactionTrait(Wire):
    symbol: str
    name: str
    description: str


class Faction(Wire):
    symbol: str
    name: str
    description: str
    traits: list[FactionTrait]
    is_recruiting: bool
    headquarters: str | None = None


class ContractPayment(Wire):
    on_accepted: int
    on_fulfilled: int


class ContractDeliverGood(Wire):
    trade_symbol: str
    destination_symbol: str
    units_required: int
    units_fulfilled: int


class ContractTerms(Wire):
    deadline: datetime
    payment: ContractPayment
    deliver: list[ContractDeliverGood] | None = None


class Contract(Wire):
    id: str
    faction_symbol: str
    type: Literal["PROCUREMENT", "TRANSPORT", "SHUTTLE"]
    terms: ContractTerms
    accepted: bool
    fulfilled: bool
    # Deprecated in favour of deadlineToAccept (still required by spec 2.3.0, so the server always sends it).
    expiration: datetime | None = None
    deadline_to_accept: datetime | None = None


# --- construction sites ----------------------------------------------------------------------------------------------

class ConstructionMaterial(Wire):
    trade_symbol: str
    required: int
    fulfilled: int


class Construction(Wire):
    """A waypoint being built (a jump gate): what it needs and what has been supplied."""
    symbol: str
    materials: list[ConstructionMaterial]
    is_complete: bool


# --- ships ---------------------------------------------------------------------------------------------------------

class ShipRequirements(Wire):
    power: int | None = None
    crew: int | None = None
    slots: int | None = None


class ShipRegistration(Wire):
    name: str
    faction_symbol: str
    role: str


class ShipNavRouteWaypoint(Wire):
    symbol: str
    type: str
    system_symbol: str
    x: int
    y: int


class ShipNavRoute(Wire):
    destination: ShipNavRouteWaypoint
    origin: ShipNavRouteWaypoint
    departure_time: datetime
    arrival: datetime
    # Legacy: still "required" in spec 2.3.0; same shape as origin.
    departure: ShipNavRouteWaypoint | None = None


class ShipNav(Wire):
    system_symbol: str
    waypoint_symbol: str
    route: ShipNavRoute
    status: ShipNavStatus
    flight_mode: FlightMode


class ShipCrew(Wire):
    current: int
    required: int
    capacity: int
    rotation: CrewRotation
    morale: int
    wages: int


class ShipFrame(Wire):
    symbol: str
    name: str
    description: str
    module_slots: int
    mounting_points: int
    fuel_capacity: int
    requirements: ShipRequirements
    condition: float
    integrity: float
    quality: int | None = None


class ShipReactor(Wire):
    symbol: str
    name: str
    description: str
    power_output: int
    requirements: ShipRequirements
    condition: float
    integrity: float
    quality: int | None = None


class ShipEngine(Wire):
    symbol: str
    name: str
    description: str
    speed: int
    requirements: ShipRequirements
    condition: float
    integrity: float
    quality: int | None = None


class Cooldown(Wire):
    ship_symbol: str
    total_seconds: int
    remaining_seconds: int
    expiration: datetime | None = None


class ShipModule(Wire):
    symbol: str
    name: str
    description: str
    requirements: ShipRequirements
    capacity: int | None = None
    range: int | None = None


class ShipMount(Wire):
    symbol: str
    name: str
    requirements: ShipRequirements
    description: str | None = None
    strength: int | None = None
    deposits: list[str] | None = None


class ShipCargoItem(Wire):
    symbol: str
    name: str
    description: str
    units: int


class ShipCargo(Wire):
    capacity: int
    units: int
    inventory: list[ShipCargoItem]


class FuelConsumed(Wire):
    amount: int
    timestamp: datetime


class ShipFuel(Wire):
    current: int
    capacity: int
    consumed: FuelConsumed | None = None


class Ship(Wire):
    symbol: str
    registration: ShipRegistration
    nav: ShipNav
    crew: ShipCrew
    frame: ShipFrame
    reactor: ShipReactor
    engine: ShipEngine
    cooldown: Cooldown
    modules: list[ShipModule]
    mounts: list[ShipMount]
    cargo: ShipCargo
    fuel: ShipFuel


class ShipConditionEvent(Wire):
    symbol: str
    component: ShipComponent
    name: str
    description: str


# --- systems and waypoints -----------------------------------------------------------------------------------------

class WaypointOrbital(Wire):
    symbol: str


class WaypointFaction(Wire):
    symbol: str


class WaypointTrait(Wire):
    symbol: str
    name: str
    description: str


class WaypointModifier(Wire):
    symbol: str
    name: str
    description: str


class Chart(Wire):
    waypoint_symbol: str | None = None
    submitted_by: str | None = None
    submitted_on: datetime | None = None


class Waypoint(Wire):
    symbol: str
    type: str
    system_symbol: str
    x: int
    y: int
    orbitals: list[WaypointOrbital]
    traits: list[WaypointTrait]
    is_under_construction: bool
    orbits: str | None = None
    faction: WaypointFaction | None = None
    modifiers: list[WaypointModifier] | None = None
    chart: Chart | None = None


class SystemWaypoint(Wire):
    symbol: str
    type: str
    x: int
    y: int
    orbitals: list[WaypointOrbital]
    orbits: str | None = None


class SystemFaction(Wire):
    symbol: str


class System(Wire):
    symbol: str
    sector_symbol: str
    type: str
    x: int
    y: int
    waypoints: list[SystemWaypoint]
    factions: list[SystemFaction]
    constellation: str | None = None
    name: str | None = None


# --- markets -------------------------------------------------------------------------------------------------------

class TradeGood(Wire):
    symbol: str
    name: str
    description: str


class MarketTradeGood(Wire):
    """A good's live numbers at a market.

    purchase_price is what the AGENT PAYS to buy from the market; sell_price is what the AGENT RECEIVES when it
    sells to the market (spec MarketTradeGood). The domain renames them; never use them unmapped.
    """
    symbol: str
    type: TradeGoodType
    trade_volume: PositiveInt
    supply: SupplyLevel
    purchase_price: NonNegativeInt
    sell_price: NonNegativeInt
    activity: ActivityLevel | None = None


class MarketTransaction(Wire):
    waypoint_symbol: str
    ship_symbol: str
    trade_symbol: str
    type: TransactionType
    units: int
    price_per_unit: int
    total_price: int
    timestamp: datetime


class Market(Wire):
    symbol: str
    exports: list[TradeGood]
    imports: list[TradeGood]
    exchange: list[TradeGood]
    # Only while one of the agent's ships is at the waypoint.
    transactions: list[MarketTransaction] | None = None
    trade_goods: list[MarketTradeGood] | None = None


class SupplyChainData(Wire):
    export_to_import_map: dict[str, list[str]]


# --- shipyards -----------------------------------------------------------------------------------------------------

class ShipyardShipType(Wire):
    type: str


class ShipyardShipCrew(Wire):
    required: int
    capacity: int


class ShipyardShip(Wire):
    type: str
    name: str
    description: str
    supply: SupplyLevel
    purchase_price: int
    frame: ShipFrame
    reactor: ShipReactor
    engine: ShipEngine
    modules: list[ShipModule]
    mounts: list[ShipMount]
    crew: ShipyardShipCrew
    activity: ActivityLevel | None = None
    # Legacy: still "required" in spec 2.3.0.
    symbol: str | None = None


class ShipyardTransaction(Wire):
    waypoint_symbol: str
    ship_symbol: str  # the spec's misnomer: it holds the ship TYPE
    ship_type: str
    price: int
    agent_symbol: str
    timestamp: datetime


class Shipyard(Wire):
    symbol: str
    ship_types: list[ShipyardShipType]
    modifications_fee: int
    transactions: list[ShipyardTransaction] | None = None
    ships: list[ShipyardShip] | None = None


# --- the `data` of action answers ------------------------------------------------------------------------------------

class RegisterData(Wire):
    token: str
    agent: Agent
    contract: Contract
    faction: Faction
    # Optional in spec 2.3.0 (the live server sends both ships); a default keeps decoding lenient.
    ships: list[Ship] = msgspec.field(default_factory=list)
    # Legacy: older clients read the command ship here.
    ship: Ship | None = None


class NavData(Wire):
    nav: ShipNav


class NavigateData(Wire, omit_defaults=False):
    """`events` is required by the spec: always sent, even empty; a default keeps decoding lenient."""
    fuel: ShipFuel
    nav: ShipNav
    events: list[ShipConditionEvent] = msgspec.field(default_factory=list)


class RefuelData(Wire):
    agent: Agent
    fuel: ShipFuel
    transaction: MarketTransaction
    cargo: ShipCargo | None = None


class TradeData(Wire):
    """Answer to purchase and sell of cargo."""
    agent: Agent
    cargo: ShipCargo
    transaction: MarketTransaction


class CargoData(Wire):
    """Answer to transfer (the sender's cargo) and jettison."""
    cargo: ShipCargo


class PurchaseShipData(Wire):
    agent: Agent
    ship: Ship
    transaction: ShipyardTransaction


class ContractAgentData(Wire):
    """Answer to accepting and fulfilling a contract (the agent after the payment)."""
    agent: Agent
    contract: Contract


class DeliverContractData(Wire):
    contract: Contract
    cargo: ShipCargo


class NegotiateContractData(Wire):
    contract: Contract


class SupplyConstructionData(Wire):
    construction: Construction
    cargo: ShipCargo


# --- request bodies (decoded by the server) ---------------------------------------------------------------------------

class Request(msgspec.Struct, rename="camel", omit_defaults=True):
    """Base of request bodies: field types are checked strictly, unknown fields are ignored (as the real server)."""


class RegisterRequest(Request):
    symbol: Annotated[str, msgspec.Meta(min_length=3, max_length=14)]
    faction: str
    email: str | None = None


class NavigateRequest(Request):
    waypoint_symbol: str


class PatchNavRequest(Request):
    """The spec makes `flightMode` optional; absent, it means the spec's default mode, CRUISE."""
    flight_mode: FlightMode | None = None


class RefuelRequest(Request):
    units: PositiveInt | None = None
    from_cargo: bool | None = None


class TradeRequest(Request):
    """Body of purchase, sell and jettison."""
    symbol: str
    units: PositiveInt


class TransferRequest(Request):
    trade_symbol: str
    units: PositiveInt
    ship_symbol: str


class PurchaseShipRequest(Request):
    ship_type: str
    waypoint_symbol: str


class DeliverContractRequest(Request):
    """Body of contract deliver."""
    ship_symbol: str
    trade_symbol: str
    units: PositiveInt


class SupplyConstructionRequest(Request):
    """Body of construction supply."""
    ship_symbol: str
    trade_symbol: str
    units: PositiveInt
