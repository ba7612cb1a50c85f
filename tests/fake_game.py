"""FakeGame: an in-memory GamePort with just enough of the game's rules for the application's tests.

Deterministic, driven by the test's clock (tests/fakes.FakeClock): nothing happens unless a call is made or the clock
moves. It has ships at waypoints with x, y; markets whose goods have an ask, a bid, a trade volume and a supply
level; a simple price impact per lot (buying raises both prices, selling lowers them, by `price_impact` per full
lot); factories whose export supply rises a set number of clock seconds after every input has been sold to them;
travel time and fuel from distance (application/travel.py); shipyards; and its own agent credits, so a test can
check that the ledger's net equals the change of credits.

It refuses what the game refuses, with the errors of application/game_errors.py: trading while not docked, flying
while docked, lots above the trade volume, more cargo than fits, more credits than the agent has, goods a market
does not trade, fuel the ship lacks. `fail_next` makes the next call of a method fail before it does anything.
Read back: `credits`, `trades`, `refuels`, `departures`, `ship_purchases`, `market_views`, `calls`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from application.game_errors import (
    CargoFull, GameError, GameRuleError, GoodNotTraded, InsufficientCredits, InsufficientFuel, NotFound, ShipBusy,
    TradeVolumeExceeded, WrongShipState)
from application.ports import Clock
from application.travel import TravelModel, fuel_cost, game_round, travel_distance
from domain.agent import AgentStatus, ShipyardOffer
from domain.fleet import ShipNavFlightMode, ShipNavStatus, ShipRole, ShipType
from domain.geometry import Position
from domain.goods import ActivityLevel, SupplyLevel, TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.opportunity import ManufacturingOpportunity
from domain.ship_state import ShipState
from domain.supply_chain import AcquisitionMethod, SupplyChainMap, SupplyChainNode
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.trade import Departure, Refuel, ShipPurchase, Trade, TradeSide
from domain.universe import WaypointTrait, WaypointType
from domain.waypoint import WaypointInfo

_LEVELS = list(SupplyLevel)

# Specs as bought (game-universe-facts §4): role, frame, cargo, fuel, engine speed.
SHIP_SPECS: Mapping[ShipType, tuple[ShipRole, str, int, int, int]] = {
    ShipType.SHIP_PROBE: (ShipRole.SATELLITE, "FRAME_PROBE", 0, 0, 9),
    ShipType.SHIP_LIGHT_HAULER: (ShipRole.HAULER, "FRAME_LIGHT_FREIGHTER", 80, 600, 15),
    ShipType.SHIP_LIGHT_SHUTTLE: (ShipRole.TRANSPORT, "FRAME_SHUTTLE", 40, 300, 15),
    ShipType.SHIP_COMMAND_FRIGATE: (ShipRole.COMMAND, "FRAME_FRIGATE", 40, 400, 36),
    ShipType.SHIP_MINING_DRONE: (ShipRole.EXCAVATOR, "FRAME_DRONE", 15, 80, 9),
}


@dataclass
class FakeGood:
    """One good at one market. `supply_step_units`: every that many units bought lowers supply a level (sold
    raises it); None keeps supply where it is. `impact` overrides the game's price impact for this good."""

    symbol: TradeSymbol
    type: TradeGoodType
    ask: int
    bid: int
    trade_volume: int = 10
    supply: SupplyLevel = SupplyLevel.MODERATE
    activity: ActivityLevel | None = None
    supply_step_units: int | None = None
    impact: float | None = None  # per full lot; None: the game's price_impact
    _moved: int = 0

    def view(self) -> MarketTradeGood:
        return MarketTradeGood(symbol=self.symbol, type=self.type, trade_volume=self.trade_volume,
                               supply=self.supply, ask=self.ask, bid=self.bid, activity=self.activity)

    def traded(self, units: int, impact: float) -> None:
        """Move the prices and supply after `units` were bought (positive) or sold (negative)."""
        impact = impact if self.impact is None else self.impact
        factor = 1 + impact * units / self.trade_volume
        self.ask = max(1, game_round(self.ask * factor))
        self.bid = max(1, game_round(self.bid * factor))
        if self.supply_step_units:
            self._moved += units
            while abs(self._moved) >= self.supply_step_units:
                step = -1 if self._moved > 0 else 1
                self._moved += self.supply_step_units * step
                index = min(len(_LEVELS) - 1, max(0, _LEVELS.index(self.supply) + step))
                self.supply = _LEVELS[index]


@dataclass
class FakeFactory:
    """Makes `output` at its market: `delay` clock seconds after every input has been sold there (None: never),
    the output's supply becomes `produced_supply` and, when given, its ask `produced_ask`."""

    output: TradeSymbol
    inputs: tuple[TradeSymbol, ...]
    delay: float | None
    produced_supply: SupplyLevel = SupplyLevel.MODERATE
    produced_ask: int | None = None
    delivered: dict[TradeSymbol, int] = field(default_factory=dict)
    fed_at: datetime | None = None
    produced_at: datetime | None = None


@dataclass
class FakeShip:
    symbol: ShipSymbol
    waypoint: WaypointSymbol
    cargo_capacity: int
    fuel_capacity: int
    fuel: int
    engine_speed: int
    role: ShipRole = ShipRole.HAULER
    frame: str = "FRAME_LIGHT_FREIGHTER"
    nav_status: ShipNavStatus = ShipNavStatus.DOCKED
    flight_mode: ShipNavFlightMode = ShipNavFlightMode.CRUISE
    inventory: dict[TradeSymbol, int] = field(default_factory=dict)
    arrival: datetime | None = None

    @property
    def cargo_units(self) -> int:
        return sum(self.inventory.values())


class FakeGame:
    """An in-memory game for one agent (see the module docstring)."""

    def __init__(
        self,
        clock: Clock,
        *,
        agent: str = "AGENT",
        credits: int = 175_000,
        headquarters: str | None = None,
        supply_chain: SupplyChainMap | None = None,
        price_impact: float = 0.03,
        travel: TravelModel = TravelModel(),
    ) -> None:
        self.clock = clock
        self.agent_symbol = agent
        self.credits = credits
        self.headquarters = None if headquarters is None else WaypointSymbol(headquarters)
        self.price_impact = price_impact
        self.travel = travel
        self._supply_chain = supply_chain
        self.waypoint_infos: dict[WaypointSymbol, WaypointInfo] = {}
        self.markets: dict[WaypointSymbol, dict[TradeSymbol, FakeGood]] = {}
        self.factories: dict[WaypointSymbol, list[FakeFactory]] = {}
        self.shipyards: dict[WaypointSymbol, dict[ShipType, int]] = {}
        self.fleet: dict[ShipSymbol, FakeShip] = {}
        self.trades: list[Trade] = []
        self.refuels: list[Refuel] = []
        self.departures: list[Departure] = []
        self.ship_purchases: list[ShipPurchase] = []
        self.market_views: list[tuple[datetime, WaypointSymbol, bool]] = []
        self.calls: list[str] = []
        self._failures: dict[str, list[tuple[int, GameError]]] = {}
        self._last_stamp: datetime | None = None

    # --- building the world ----------------------------------------------------------------------

    def add_waypoint(self, symbol: str, x: int, y: int, *, type: WaypointType = WaypointType.PLANET,
                     traits: Iterable[WaypointTrait] = (), orbits: str | None = None) -> WaypointInfo:
        info = WaypointInfo(symbol=WaypointSymbol(symbol), type=type, position=Position(x, y),
                            traits=frozenset(traits), orbits=None if orbits is None else WaypointSymbol(orbits))
        self.waypoint_infos[info.symbol] = info
        if self.headquarters is None:
            self.headquarters = info.symbol
        return info

    def _add_trait(self, waypoint: WaypointSymbol, trait: WaypointTrait) -> None:
        info = self.waypoint_infos[waypoint]
        self.waypoint_infos[waypoint] = WaypointInfo(symbol=info.symbol, type=info.type, position=info.position,
                                                     traits=info.traits | {trait}, orbits=info.orbits)

    def add_good(self, waypoint: str, good: TradeSymbol | str, type: TradeGoodType, *, ask: int, bid: int,
                 trade_volume: int = 10, supply: SupplyLevel = SupplyLevel.MODERATE,
                 activity: ActivityLevel | None = None, supply_step_units: int | None = None) -> FakeGood:
        """List `good` at the market of `waypoint` (making the waypoint a marketplace)."""
        symbol = WaypointSymbol(waypoint)
        self._add_trait(symbol, WaypointTrait.MARKETPLACE)
        entry = FakeGood(TradeSymbol.parse(good), TradeGoodType(type), ask, bid, trade_volume, supply, activity,
                         supply_step_units)
        self.markets.setdefault(symbol, {})[entry.symbol] = entry
        return entry

    def add_factory(self, waypoint: str, output: TradeSymbol | str, inputs: Sequence[TradeSymbol | str], *,
                    delay: float | None, produced_supply: SupplyLevel = SupplyLevel.MODERATE,
                    produced_ask: int | None = None) -> FakeFactory:
        """A factory at a market that already lists `output` (EXPORT) and its inputs (IMPORT)."""
        symbol = WaypointSymbol(waypoint)
        goods = self.markets.get(symbol, {})
        parsed = tuple(TradeSymbol.parse(good) for good in inputs)
        missing = [good for good in (TradeSymbol.parse(output), *parsed) if good not in goods]
        if missing:
            raise ValueError(f"list {missing} at {symbol} before making it a factory")
        factory = FakeFactory(TradeSymbol.parse(output), parsed, delay, produced_supply, produced_ask)
        self.factories.setdefault(symbol, []).append(factory)
        return factory

    def add_shipyard(self, waypoint: str, offers: Mapping[ShipType, int]) -> None:
        symbol = WaypointSymbol(waypoint)
        self._add_trait(symbol, WaypointTrait.SHIPYARD)
        self.shipyards[symbol] = dict(offers)

    def add_ship(self, symbol: str, waypoint: str, *, cargo_capacity: int = 40, fuel_capacity: int = 400,
                 fuel: int | None = None, engine_speed: int = 30, role: ShipRole = ShipRole.HAULER,
                 frame: str = "FRAME_LIGHT_FREIGHTER", nav_status: ShipNavStatus = ShipNavStatus.DOCKED,
                 inventory: Mapping[TradeSymbol | str, int] | None = None) -> FakeShip:
        ship = FakeShip(ShipSymbol(symbol), WaypointSymbol(waypoint), cargo_capacity, fuel_capacity,
                        fuel_capacity if fuel is None else fuel, engine_speed, role, frame, nav_status,
                        inventory={TradeSymbol.parse(g): u for g, u in (inventory or {}).items()})
        if ship.waypoint not in self.waypoint_infos:
            raise ValueError(f"add waypoint {ship.waypoint} before a ship there")
        self.fleet[ship.symbol] = ship
        return ship

    def fail_next(self, method: str, error: GameError, *, after: int = 0) -> None:
        """The next call of `method` (e.g. "purchase"), or the one after `after` more calls of it, raises `error`
        without doing anything."""
        self._failures.setdefault(method, []).append((after, error))

    # --- GamePort --------------------------------------------------------------------------------

    def server_time(self) -> datetime:
        return self.clock.now()

    def agent(self) -> AgentStatus:
        self._enter("agent")
        return AgentStatus(symbol=self.agent_symbol, headquarters=self.headquarters, credits=self.credits,
                           ship_count=len(self.fleet))

    def ships(self) -> Sequence[ShipState]:
        self._enter("ships")
        return [self._state(ship) for ship in self.fleet.values()]

    def ship(self, ship: ShipSymbol) -> ShipState:
        self._enter("ship")
        return self._state(self._ship(ship))

    def orbit(self, ship: ShipSymbol) -> None:
        self._enter("orbit")
        fake = self._not_in_transit(ship)
        fake.nav_status = ShipNavStatus.IN_ORBIT

    def dock(self, ship: ShipSymbol) -> None:
        self._enter("dock")
        fake = self._not_in_transit(ship)
        fake.nav_status = ShipNavStatus.DOCKED

    def set_flight_mode(self, ship: ShipSymbol, mode: ShipNavFlightMode) -> None:
        self._enter("set_flight_mode")
        self._ship(ship).flight_mode = ShipNavFlightMode(mode)

    def navigate(self, ship: ShipSymbol, destination: WaypointSymbol) -> Departure:
        self._enter("navigate")
        fake = self._not_in_transit(ship)
        if fake.nav_status is not ShipNavStatus.IN_ORBIT:
            raise WrongShipState(f"{ship} must be in orbit to navigate")
        destination = WaypointSymbol(destination)
        if destination not in self.waypoint_infos:
            raise NotFound(f"waypoint {destination} not found")
        if destination == fake.waypoint:
            raise GameRuleError(f"{ship} is already at {destination}", code=4204)
        if destination.system != fake.waypoint.system:
            raise GameRuleError(f"{destination} is in another system", code=4202)
        distance = travel_distance(self._position(fake.waypoint), self._position(destination))
        fuel = fuel_cost(distance, fake.flight_mode) if fake.fuel_capacity else 0
        if fuel > fake.fuel:
            raise InsufficientFuel(f"{ship} needs {fuel} fuel, has {fake.fuel}", code=4203)
        departed = self.clock.now()
        arrival = departed + timedelta(seconds=self.travel.flight_seconds(distance, fake.flight_mode,
                                                                           fake.engine_speed))
        origin = fake.waypoint
        fake.fuel -= fuel
        fake.waypoint, fake.nav_status, fake.arrival = destination, ShipNavStatus.IN_TRANSIT, arrival
        departure = Departure(ship=fake.symbol, origin=origin, destination=destination, departed_at=departed,
                              arrival=arrival, fuel_after=fake.fuel)
        self.departures.append(departure)
        return departure

    def refuel(self, ship: ShipSymbol, fuel_units: int | None = None) -> Refuel:
        self._enter("refuel")
        fake = self._docked(ship)
        entry = self.markets.get(fake.waypoint, {}).get(TradeSymbol.FUEL)
        if entry is None:
            raise GoodNotTraded(f"{fake.waypoint} does not sell FUEL", code=4601)
        room = fake.fuel_capacity - fake.fuel
        added = room if fuel_units is None else min(fuel_units, room)
        market_units = math.ceil(added / 100)
        total = market_units * entry.ask
        if total > self.credits:
            raise InsufficientCredits(f"refuel costs {total}, agent has {self.credits}", code=4600)
        self.credits -= total
        fake.fuel += added
        refuel = Refuel(ship=fake.symbol, waypoint=fake.waypoint, fuel_added=added, market_units=market_units,
                        total=total, fuel_after=fake.fuel, occurred_at=self._stamp(), agent_credits=self.credits)
        self.refuels.append(refuel)
        return refuel

    def purchase(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        self._enter("purchase")
        fake, entry = self._trading(ship, good, units)
        if units > fake.cargo_capacity - fake.cargo_units:
            raise CargoFull(f"{ship} has room for {fake.cargo_capacity - fake.cargo_units}, not {units}", code=4228)
        total = units * entry.ask
        if total > self.credits:
            raise InsufficientCredits(f"{units} {good} cost {total}, agent has {self.credits}", code=4600)
        self.credits -= total
        fake.inventory[entry.symbol] = fake.inventory.get(entry.symbol, 0) + units
        trade = self._trade(fake, entry, TradeSide.PURCHASE, units, entry.ask, total)
        entry.traded(units, self.price_impact)
        return trade

    def sell(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        self._enter("sell")
        fake, entry = self._trading(ship, good, units)
        if fake.inventory.get(entry.symbol, 0) < units:
            raise GameRuleError(f"{ship} holds {fake.inventory.get(entry.symbol, 0)} {good}, not {units}", code=4219)
        total = units * entry.bid
        self.credits += total
        fake.inventory[entry.symbol] -= units
        if not fake.inventory[entry.symbol]:
            del fake.inventory[entry.symbol]
        trade = self._trade(fake, entry, TradeSide.SELL, units, entry.bid, total)
        entry.traded(-units, self.price_impact)
        self._delivered(fake.waypoint, entry.symbol, units)
        return trade

    def market(self, waypoint: WaypointSymbol) -> MarketSnapshot:
        self._enter("market")
        symbol = WaypointSymbol(waypoint)
        goods = self.markets.get(symbol)
        if goods is None:
            raise NotFound(f"no market at {symbol}")
        priced = self._ship_present(symbol)
        self.market_views.append((self.clock.now(), symbol, priced))
        return self.snapshot(symbol, priced=priced)

    def waypoints(self, system: SystemSymbol) -> Sequence[WaypointInfo]:
        self._enter("waypoints")
        return [info for symbol, info in sorted(self.waypoint_infos.items()) if symbol.system == system]

    def supply_chain(self) -> SupplyChainMap:
        self._enter("supply_chain")
        if self._supply_chain is not None:
            return self._supply_chain
        return SupplyChainMap(recipes={f.output: f.inputs for fs in self.factories.values() for f in fs})

    def shipyard(self, waypoint: WaypointSymbol) -> Sequence[ShipyardOffer]:
        self._enter("shipyard")
        symbol = WaypointSymbol(waypoint)
        if symbol not in self.shipyards:
            raise NotFound(f"no shipyard at {symbol}")
        visible = self._ship_present(symbol)
        return [ShipyardOffer(ship_type=str(kind), price=price if visible else 0,
                              cargo_capacity=SHIP_SPECS[kind][2] if kind in SHIP_SPECS else None)
                for kind, price in self.shipyards[symbol].items()]

    def purchase_ship(self, ship_type: ShipType, waypoint: WaypointSymbol) -> ShipPurchase:
        self._enter("purchase_ship")
        symbol, kind = WaypointSymbol(waypoint), ShipType(ship_type)
        offers = self.shipyards.get(symbol, {})
        if kind not in offers:
            raise GameRuleError(f"{symbol} does not sell {kind}", code=4250)
        if not self._ship_present(symbol):
            raise GameRuleError(f"no ship of {self.agent_symbol} at {symbol}", code=4250)
        price = offers[kind]
        if price > self.credits:
            raise InsufficientCredits(f"{kind} costs {price}, agent has {self.credits}", code=4216)
        self.credits -= price
        offers[kind] = game_round(price * (1 + self.price_impact))
        role, frame, cargo, fuel, speed = SHIP_SPECS.get(kind, (ShipRole.HAULER, "FRAME_LIGHT_FREIGHTER", 40, 400, 30))
        new = self.add_ship(f"{self.agent_symbol}-{len(self.fleet) + 1:X}", symbol, cargo_capacity=cargo,
                            fuel_capacity=fuel, engine_speed=speed, role=role, frame=frame)
        purchase = ShipPurchase(ship=new.symbol, ship_type=kind, waypoint=symbol, price=price,
                                occurred_at=self._stamp(), agent_credits=self.credits)
        self.ship_purchases.append(purchase)
        return purchase

    # --- rules -----------------------------------------------------------------------------------

    def _enter(self, method: str) -> None:
        self.calls.append(method)
        self._tick()
        queued = self._failures.get(method)
        if queued:
            skip, error = queued[0]
            if skip:
                queued[0] = (skip - 1, error)
            else:
                queued.pop(0)
                raise error

    def _tick(self) -> None:
        """Let time act: ships arrive, fed factories produce."""
        now = self.clock.now()
        for ship in self.fleet.values():
            if ship.nav_status is ShipNavStatus.IN_TRANSIT and ship.arrival is not None and ship.arrival <= now:
                ship.nav_status, ship.arrival = ShipNavStatus.IN_ORBIT, None
        for waypoint, factories in self.factories.items():
            for factory in factories:
                if (factory.produced_at is None and factory.fed_at is not None and factory.delay is not None
                        and now >= factory.fed_at + timedelta(seconds=factory.delay)):
                    factory.produced_at = now
                    output = self.markets[waypoint][factory.output]
                    output.supply = factory.produced_supply
                    if factory.produced_ask is not None:
                        output.ask = factory.produced_ask

    def _delivered(self, waypoint: WaypointSymbol, good: TradeSymbol, units: int) -> None:
        for factory in self.factories.get(waypoint, ()):
            if good in factory.inputs:
                factory.delivered[good] = factory.delivered.get(good, 0) + units
                if factory.fed_at is None and all(factory.delivered.get(g, 0) > 0 for g in factory.inputs):
                    factory.fed_at = self.clock.now()

    def _ship(self, ship: ShipSymbol) -> FakeShip:
        fake = self.fleet.get(ShipSymbol(ship))
        if fake is None:
            raise NotFound(f"ship {ship} not found", code=404)
        return fake

    def _not_in_transit(self, ship: ShipSymbol) -> FakeShip:
        fake = self._ship(ship)
        if fake.nav_status is ShipNavStatus.IN_TRANSIT:
            raise ShipBusy(f"{ship} is in transit until {fake.arrival}", code=4214)
        return fake

    def _docked(self, ship: ShipSymbol) -> FakeShip:
        fake = self._not_in_transit(ship)
        if fake.nav_status is not ShipNavStatus.DOCKED:
            raise WrongShipState(f"{ship} must be docked", code=4244)
        return fake

    def _trading(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> tuple[FakeShip, FakeGood]:
        fake = self._docked(ship)
        entry = self.markets.get(fake.waypoint, {}).get(TradeSymbol.parse(good))
        if entry is None:
            raise GoodNotTraded(f"{fake.waypoint} does not trade {good}", code=4601)
        if units < 1:
            raise GameRuleError(f"units must be at least 1, got {units}", code=3001)
        if units > entry.trade_volume:
            raise TradeVolumeExceeded(f"{units} {good} exceeds the trade volume {entry.trade_volume}", code=4604)
        return fake, entry

    def _trade(self, fake: FakeShip, entry: FakeGood, side: TradeSide, units: int, price: int, total: int) -> Trade:
        trade = Trade(ship=fake.symbol, waypoint=fake.waypoint, good=entry.symbol, side=side, units=units,
                      price_per_unit=price, total=total, occurred_at=self._stamp(), agent_credits=self.credits)
        self.trades.append(trade)
        return trade

    def _stamp(self) -> datetime:
        """The server's time of a transaction, strictly increasing like the real server's milliseconds."""
        now = self.clock.now()
        if self._last_stamp is not None and now <= self._last_stamp:
            now = self._last_stamp + timedelta(milliseconds=1)
        self._last_stamp = now
        return now

    def _position(self, waypoint: WaypointSymbol) -> Position:
        return self.waypoint_infos[waypoint].position

    def _ship_present(self, waypoint: WaypointSymbol) -> bool:
        return any(s.waypoint == waypoint and s.nav_status is not ShipNavStatus.IN_TRANSIT
                   for s in self.fleet.values())

    def _state(self, fake: FakeShip) -> ShipState:
        return ShipState(
            symbol=fake.symbol, role=fake.role, frame=fake.frame, nav_status=fake.nav_status,
            waypoint=fake.waypoint, flight_mode=fake.flight_mode, fuel_current=fake.fuel,
            fuel_capacity=fake.fuel_capacity, cargo_capacity=fake.cargo_capacity, engine_speed=fake.engine_speed,
            inventory=dict(fake.inventory), arrival=fake.arrival, position=self._position(fake.waypoint))

    # --- reading back ----------------------------------------------------------------------------

    def snapshot(self, waypoint: str, *, priced: bool = True) -> MarketSnapshot:
        """The market as a ship there would see it now (not a call: no visibility rule, nothing logged)."""
        symbol = WaypointSymbol(waypoint)
        goods = self.markets[symbol]
        by_type = {kind: frozenset(g.symbol for g in goods.values() if g.type is kind) for kind in TradeGoodType}
        return MarketSnapshot(
            waypoint=symbol, observed_at=self.clock.now(), imports=by_type[TradeGoodType.IMPORT],
            exports=by_type[TradeGoodType.EXPORT], exchange=by_type[TradeGoodType.EXCHANGE],
            trade_goods={g.symbol: g.view() for g in goods.values()} if priced else {},
            position=self._position(symbol))

    def snapshots(self) -> list[MarketSnapshot]:
        """Every market, priced: what probes parked at all of them would have recorded."""
        return [self.snapshot(waypoint) for waypoint in sorted(self.markets)]

    def polls_of(self, waypoint: str) -> list[tuple[datetime, bool]]:
        """When `waypoint`'s market was asked for, and whether prices were visible then."""
        symbol = WaypointSymbol(waypoint)
        return [(at, priced) for at, where, priced in self.market_views if where == symbol]

    def trades_of(self, good: TradeSymbol | str, side: TradeSide | None = None,
                  waypoint: str | None = None) -> list[Trade]:
        """The trades of `good`, optionally only one side and one market."""
        symbol = TradeSymbol.parse(good)
        return [t for t in self.trades if t.good == symbol and (side is None or t.side is side)
                and (waypoint is None or t.waypoint == WaypointSymbol(waypoint))]


def fuel_everywhere(game: FakeGame, *, ask: int = 72, bid: int = 68) -> None:
    """List FUEL as an exchange good at every market of `game` that lacks it."""
    for waypoint, goods in game.markets.items():
        if TradeSymbol.FUEL not in goods:
            game.add_good(waypoint, TradeSymbol.FUEL, TradeGoodType.EXCHANGE, ask=ask, bid=bid, trade_volume=100)


@dataclass(frozen=True)
class MachineryWorld:
    """The plan's worker scenario as a ready world: IRON sold at X1-B1, MACHINERY made at X1-C1 from IRON and
    bought by X1-A1. The ship starts docked at X1-H1 (headquarters, a fuel market)."""

    game: FakeGame
    ship: ShipSymbol
    sell_market: WaypointSymbol
    source: WaypointSymbol
    factory: WaypointSymbol

    def opportunity(self) -> ManufacturingOpportunity:
        """MACHINERY sold at X1-A1 for its current bid, made at X1-C1 from IRON bought at X1-B1."""
        iron = SupplyChainNode(good=TradeSymbol.IRON, method=AcquisitionMethod.BUY, market=self.source,
                               ask=self.game.markets[self.source][TradeSymbol.IRON].ask)
        tree = SupplyChainNode(good=TradeSymbol.MACHINERY, method=AcquisitionMethod.FABRICATE, market=self.factory,
                               children=(iron,))
        return ManufacturingOpportunity(
            good=TradeSymbol.MACHINERY, sell_market=self.sell_market,
            bid=self.game.markets[self.sell_market][TradeSymbol.MACHINERY].bid, dependency_tree=tree,
            discovered_at=self.game.clock.now())


def machinery_world(clock: Clock, *, cargo: int = 40, iron_ask: int = 500, machinery_bid: int = 2000,
                    production_delay: float | None = 1200.0, credits: int = 175_000,
                    trade_volume: int = 10) -> MachineryWorld:
    """See MachineryWorld; prices near the real ones (IRON ask 500, factory pays 420 for IRON and asks 900 for
    MACHINERY once produced, SCARCE and 2600 before)."""
    game = FakeGame(clock, credits=credits)
    for symbol, x, y in (("X1-H1", 0, 0), ("X1-B1", 120, 40), ("X1-C1", -60, 150), ("X1-A1", 200, -90)):
        game.add_waypoint(symbol, x, y)
    game.add_good("X1-B1", "IRON", TradeGoodType.EXPORT, ask=iron_ask, bid=iron_ask // 2, trade_volume=trade_volume)
    game.add_good("X1-C1", "IRON", TradeGoodType.IMPORT, ask=840, bid=420, trade_volume=trade_volume)
    game.add_good("X1-C1", "MACHINERY", TradeGoodType.EXPORT, ask=2600, bid=1300, trade_volume=trade_volume,
                  supply=SupplyLevel.SCARCE)
    game.add_factory("X1-C1", "MACHINERY", ["IRON"], delay=production_delay, produced_ask=900)
    game.add_good("X1-A1", "MACHINERY", TradeGoodType.IMPORT, ask=4000, bid=machinery_bid, trade_volume=trade_volume)
    game.add_good("X1-H1", "FOOD", TradeGoodType.EXPORT, ask=150, bid=70)
    fuel_everywhere(game)
    game.add_ship("AGENT-1", "X1-H1", cargo_capacity=cargo, fuel_capacity=400, engine_speed=30)
    return MachineryWorld(game, ShipSymbol("AGENT-1"), WaypointSymbol("X1-A1"), WaypointSymbol("X1-B1"),
                          WaypointSymbol("X1-C1"))


class CancelAfter:
    """A CancelToken that fires once `clock` has moved `seconds` past the moment it was made."""

    def __init__(self, clock: Clock, seconds: float) -> None:
        self._clock = clock
        self._at = clock.now() + timedelta(seconds=seconds)

    def cancelled(self) -> bool:
        return self._clock.now() >= self._at


class CancelFlag:
    """A CancelToken a test sets by hand (`flag.set()`)."""

    def __init__(self) -> None:
        self.is_set = False

    def set(self) -> None:
        self.is_set = True

    def cancelled(self) -> bool:
        return self.is_set
