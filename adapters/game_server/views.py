"""State -> wire Structs (adapters/wire/models.py): what the World hands the HTTP layer.

Static parts (waypoints, systems, ship components, trade-good names) are built once and shared between answers;
msgspec only reads them when encoding, so sharing is safe as long as nobody mutates them (nobody does).
"""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from adapters.game_server import catalog
from adapters.game_server.economy import EconomySettings, activity_level, quote, supply_level
from adapters.game_server.state import (
    AgentState, ConstructionState, ContractState, MarketState, ShipState, ShipyardState, ShipyardTransactionRecord,
    TransactionRecord,
)
from adapters.game_server.universe import MarketSpec, SystemSpec, Universe, WaypointSpec
from adapters.wire import models as wire


def to_datetime(epoch: float) -> datetime:
    """Epoch seconds -> aware UTC datetime at millisecond precision, like the real server's timestamps."""
    return datetime.fromtimestamp(round(epoch, 3), timezone.utc)


def iso(epoch: float) -> str:
    """Epoch seconds -> `2025-06-01T12:00:00.000Z`."""
    return to_datetime(epoch).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@lru_cache(maxsize=None)
def trade_good(symbol: str) -> wire.TradeGood:
    return wire.TradeGood(symbol=symbol, name=catalog.display_name(symbol),
                          description=catalog.good_description(symbol))


def _requirements(req: catalog.Requirements) -> wire.ShipRequirements:
    return wire.ShipRequirements(power=req.power, crew=req.crew, slots=req.slots)


def _component_text(symbol: str, prefix: str) -> tuple[str, str]:
    name = catalog.display_name(symbol.removeprefix(prefix))
    return name, f"{name}: a standard {prefix.strip('_').lower()} component."


@lru_cache(maxsize=None)
def frame(symbol: str) -> wire.ShipFrame:
    spec = catalog.FRAMES[symbol]
    name, description = _component_text(symbol, "FRAME_")
    return wire.ShipFrame(symbol=symbol, name=name, description=description, module_slots=spec.module_slots,
                          mounting_points=spec.mounting_points, fuel_capacity=spec.fuel_capacity,
                          requirements=_requirements(spec.requirements), condition=1.0, integrity=1.0, quality=4)


@lru_cache(maxsize=None)
def reactor(symbol: str) -> wire.ShipReactor:
    spec = catalog.REACTORS[symbol]
    name, description = _component_text(symbol, "REACTOR_")
    return wire.ShipReactor(symbol=symbol, name=name, description=description, power_output=spec.power_output,
                            requirements=_requirements(spec.requirements), condition=1.0, integrity=1.0, quality=4)


@lru_cache(maxsize=None)
def engine(symbol: str) -> wire.ShipEngine:
    spec = catalog.ENGINES[symbol]
    name, description = _component_text(symbol, "ENGINE_")
    return wire.ShipEngine(symbol=symbol, name=name, description=description, speed=spec.speed,
                           requirements=_requirements(spec.requirements), condition=1.0, integrity=1.0, quality=4)


@lru_cache(maxsize=None)
def modules(ship_type: str) -> tuple[wire.ShipModule, ...]:
    out = []
    for symbol in catalog.SHIP_SPECS[ship_type].modules:
        spec = catalog.MODULES[symbol]
        name, description = _component_text(symbol, "MODULE_")
        out.append(wire.ShipModule(symbol=symbol, name=name, description=description,
                                   requirements=_requirements(spec.requirements), capacity=spec.capacity,
                                   range=spec.range))
    return tuple(out)


@lru_cache(maxsize=None)
def mounts(ship_type: str) -> tuple[wire.ShipMount, ...]:
    out = []
    for symbol in catalog.SHIP_SPECS[ship_type].mounts:
        spec = catalog.MOUNTS[symbol]
        name, description = _component_text(symbol, "MOUNT_")
        out.append(wire.ShipMount(symbol=symbol, name=name, description=description,
                                  requirements=_requirements(spec.requirements), strength=spec.strength,
                                  deposits=list(spec.deposits) if spec.deposits else None))
    return tuple(out)


class Views:
    """Builds wire Structs from the World's state, caching what never changes."""

    def __init__(self, universe: Universe, economy: EconomySettings, created_at: float) -> None:
        self._universe = universe
        self._economy = economy
        self._created = to_datetime(created_at)
        self._route_points: dict[str, wire.ShipNavRouteWaypoint] = {}
        self._waypoints: dict[str, wire.Waypoint] = {}
        self._systems: dict[str, wire.System] = {}
        self._market_lists: dict[str, tuple[list[wire.TradeGood], list[wire.TradeGood], list[wire.TradeGood]]] = {}
        self._completed_sites: set[str] = set()

    # --- agents, contracts ------------------------------------------------------------------------------------------

    def agent(self, agent: AgentState, *, own: bool = True) -> wire.Agent:
        return wire.Agent(symbol=agent.symbol, headquarters=agent.headquarters, credits=agent.credits,
                          starting_faction=agent.faction, ship_count=len(agent.ships),
                          account_id=agent.account_id if own else None)

    def contract(self, contract: ContractState) -> wire.Contract:
        return wire.Contract(
            id=contract.id, faction_symbol=contract.faction, type=contract.type,  # type: ignore[arg-type]
            terms=wire.ContractTerms(
                deadline=to_datetime(contract.deadline),
                payment=wire.ContractPayment(on_accepted=contract.on_accepted, on_fulfilled=contract.on_fulfilled),
                deliver=[wire.ContractDeliverGood(
                    trade_symbol=contract.trade_symbol, destination_symbol=contract.destination,
                    units_required=contract.units_required, units_fulfilled=contract.units_fulfilled)]),
            accepted=contract.accepted, fulfilled=contract.fulfilled,
            expiration=to_datetime(contract.deadline_to_accept),
            deadline_to_accept=to_datetime(contract.deadline_to_accept))

    def faction(self, symbol: str) -> wire.Faction:
        name = catalog.display_name(symbol)
        return wire.Faction(symbol=symbol, name=f"{name} Faction",
                            description=f"The {name} faction of sector {self._universe.systems[0].sector}.",
                            traits=[], is_recruiting=True, headquarters=self._universe.headquarters)

    # --- construction sites -----------------------------------------------------------------------------------------

    def construction(self, site: ConstructionState) -> wire.Construction:
        return wire.Construction(
            symbol=site.waypoint, is_complete=site.is_complete,
            materials=[wire.ConstructionMaterial(trade_symbol=m.trade_symbol, required=m.required,
                                                 fulfilled=m.fulfilled) for m in site.materials])

    def site_completed(self, waypoint: str) -> None:
        """The site at `waypoint` is built: its waypoint no longer shows isUnderConstruction."""
        self._completed_sites.add(waypoint)
        self._waypoints.pop(waypoint, None)

    # --- ships -------------------------------------------------------------------------------------------------------

    def route_point(self, symbol: str) -> wire.ShipNavRouteWaypoint:
        point = self._route_points.get(symbol)
        if point is None:
            wp = self._universe.waypoints[symbol]
            point = wire.ShipNavRouteWaypoint(symbol=wp.symbol, type=wp.type, system_symbol=wp.system, x=wp.x,
                                              y=wp.y)
            self._route_points[symbol] = point
        return point

    def nav(self, ship: ShipState) -> wire.ShipNav:
        origin = self.route_point(ship.origin)
        route = wire.ShipNavRoute(
            destination=self.route_point(ship.destination), origin=origin,
            departure_time=to_datetime(ship.departure_time), arrival=to_datetime(ship.arrival), departure=origin)
        return wire.ShipNav(system_symbol=ship.system, waypoint_symbol=ship.waypoint, route=route,
                            status=ship.status, flight_mode=ship.flight_mode)  # type: ignore[arg-type]

    def fuel(self, ship: ShipState) -> wire.ShipFuel:
        consumed = None
        if ship.fuel_consumed_at is not None:
            consumed = wire.FuelConsumed(amount=ship.fuel_consumed, timestamp=to_datetime(ship.fuel_consumed_at))
        return wire.ShipFuel(current=ship.fuel, capacity=catalog.SHIP_SPECS[ship.ship_type].fuel_capacity,
                             consumed=consumed)

    def cargo(self, ship: ShipState) -> wire.ShipCargo:
        inventory = []
        units = 0
        for symbol, count in ship.cargo.items():
            good = trade_good(symbol)
            inventory.append(wire.ShipCargoItem(symbol=symbol, name=good.name, description=good.description,
                                                units=count))
            units += count
        return wire.ShipCargo(capacity=catalog.SHIP_SPECS[ship.ship_type].cargo_capacity, units=units,
                              inventory=inventory)

    def cooldown(self, ship: ShipState) -> wire.Cooldown:
        return wire.Cooldown(ship_symbol=ship.symbol, total_seconds=0, remaining_seconds=0)

    def ship(self, ship: ShipState, faction: str) -> wire.Ship:
        spec = catalog.SHIP_SPECS[ship.ship_type]
        return wire.Ship(
            symbol=ship.symbol,
            registration=wire.ShipRegistration(name=ship.symbol, faction_symbol=faction, role=spec.role),
            nav=self.nav(ship),
            crew=wire.ShipCrew(current=spec.crew_required, required=spec.crew_required,
                               capacity=spec.crew_capacity, rotation="STRICT", morale=100, wages=0),
            frame=frame(spec.frame), reactor=reactor(spec.reactor), engine=engine(spec.engine),
            cooldown=self.cooldown(ship), modules=list(modules(spec.type)), mounts=list(mounts(spec.type)),
            cargo=self.cargo(ship), fuel=self.fuel(ship))

    # --- systems and waypoints ---------------------------------------------------------------------------------------

    def waypoint(self, spec: WaypointSpec) -> wire.Waypoint:
        view = self._waypoints.get(spec.symbol)
        if view is None:
            traits = [wire.WaypointTrait(symbol=t.symbol, name=t.name, description=t.description)
                      for t in map(catalog.trait_info, spec.traits)]
            view = wire.Waypoint(
                symbol=spec.symbol, type=spec.type, system_symbol=spec.system, x=spec.x, y=spec.y,
                orbitals=[wire.WaypointOrbital(symbol=o) for o in spec.orbitals], traits=traits,
                is_under_construction=spec.under_construction and spec.symbol not in self._completed_sites,
                orbits=spec.orbits,
                faction=wire.WaypointFaction(symbol=spec.faction) if spec.faction else None, modifiers=[],
                chart=wire.Chart(waypoint_symbol=spec.symbol, submitted_by=spec.faction or "COSMIC",
                                 submitted_on=self._created))
            self._waypoints[spec.symbol] = view
        return view

    def system(self, spec: SystemSpec) -> wire.System:
        view = self._systems.get(spec.symbol)
        if view is None:
            points = []
            for symbol in spec.waypoints:
                wp = self._universe.waypoints[symbol]
                points.append(wire.SystemWaypoint(
                    symbol=wp.symbol, type=wp.type, x=wp.x, y=wp.y,
                    orbitals=[wire.WaypointOrbital(symbol=o) for o in wp.orbitals], orbits=wp.orbits))
            view = wire.System(symbol=spec.symbol, sector_symbol=spec.sector, type=spec.type, x=spec.x, y=spec.y,
                               waypoints=points, factions=[wire.SystemFaction(symbol=f) for f in spec.factions],
                               constellation=spec.name, name=spec.name)
            self._systems[spec.symbol] = view
        return view

    # --- markets and shipyards ---------------------------------------------------------------------------------------

    def market(self, spec: MarketSpec, state: MarketState | None) -> wire.Market:
        """The market; `state` None hides tradeGoods and transactions (no ship of the caller there)."""
        lists = self._market_lists.get(spec.waypoint)
        if lists is None:
            lists = ([trade_good(s) for s in spec.exports], [trade_good(s) for s in spec.imports],
                     [trade_good(s) for s in spec.exchange])
            self._market_lists[spec.waypoint] = lists
        if state is None:
            return wire.Market(symbol=spec.waypoint, exports=lists[0], imports=lists[1], exchange=lists[2])
        return wire.Market(symbol=spec.waypoint, exports=lists[0], imports=lists[1], exchange=lists[2],
                           transactions=[self.transaction(t) for t in state.transactions],
                           trade_goods=[self.market_good(state, s) for s in state.goods])

    def market_good(self, state: MarketState, symbol: str) -> wire.MarketTradeGood:
        good = state.goods[symbol]
        purchase, sell = quote(good, self._economy)
        return wire.MarketTradeGood(
            symbol=symbol, type=good.kind, trade_volume=good.trade_volume,  # type: ignore[arg-type]
            supply=supply_level(good, self._economy), purchase_price=purchase, sell_price=sell,  # type: ignore
            activity=activity_level(good, self._economy))  # type: ignore[arg-type]

    def transaction(self, record: TransactionRecord) -> wire.MarketTransaction:
        return wire.MarketTransaction(
            waypoint_symbol=record.waypoint, ship_symbol=record.ship, trade_symbol=record.good,
            type=record.type, units=record.units, price_per_unit=record.price_per_unit,  # type: ignore[arg-type]
            total_price=record.total_price, timestamp=to_datetime(record.timestamp))

    def shipyard(self, state: ShipyardState, visible: bool) -> wire.Shipyard:
        types = [wire.ShipyardShipType(type=t) for t in state.offers]
        if not visible:
            return wire.Shipyard(symbol=state.waypoint, ship_types=types,
                                 modifications_fee=catalog.MODIFICATIONS_FEE)
        ships = []
        for offer in state.offers.values():
            spec = catalog.SHIP_SPECS[offer.ship_type]
            ships.append(wire.ShipyardShip(
                type=spec.type, name=spec.name, description=spec.description,
                supply=shipyard_supply(offer.factor), purchase_price=round(offer.base_price * offer.factor),
                frame=frame(spec.frame), reactor=reactor(spec.reactor), engine=engine(spec.engine),
                modules=list(modules(spec.type)), mounts=list(mounts(spec.type)),
                crew=wire.ShipyardShipCrew(required=spec.crew_required, capacity=spec.crew_capacity),
                activity="WEAK", symbol=spec.type))
        return wire.Shipyard(symbol=state.waypoint, ship_types=types, modifications_fee=catalog.MODIFICATIONS_FEE,
                             transactions=[self.shipyard_transaction(t) for t in state.transactions], ships=ships)

    def shipyard_transaction(self, record: ShipyardTransactionRecord) -> wire.ShipyardTransaction:
        return wire.ShipyardTransaction(
            waypoint_symbol=record.waypoint, ship_symbol=record.ship_type, ship_type=record.ship_type,
            price=record.price, agent_symbol=record.agent, timestamp=to_datetime(record.timestamp))


def shipyard_supply(factor: float) -> str:
    """A ship type's supply label from its markup: each purchase raises the price and thins the supply."""
    if factor < 1.15:
        return "HIGH"
    if factor < 1.5:
        return "MODERATE"
    if factor < 2.5:
        return "LIMITED"
    return "SCARCE"
