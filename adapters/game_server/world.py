"""The World: the embedded game server's rules and state behind the HTTP layer (see server_contract.md).

Each public method takes plain arguments, returns the wire Struct of the answer's `data`, raises GameError for
every game rule, and is one critical section: a lock serialises the calls (no lost updates, credits never go
negative, cargo never exceeds capacity), and every change is committed to SQLite before the method returns.

Time comes from the clock. The speed setting divides every game duration (travel, production, drift, contract
deadlines); timestamps stay wall-clock UTC. Ships arrive and markets move lazily, when they are next looked at.
"""
from __future__ import annotations

import base64
import json
import math
import random
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.game_server import catalog
from adapters.game_server.clock import GameClock, WallClock
from adapters.game_server.economy import EconomySettings, apply_purchase, apply_sale, quote
from adapters.game_server.errors import GameError
from adapters.game_server.production import advance, link_factories, refresh_feeds
from adapters.game_server.state import (
    AgentState, ContractState, MarketGood, MarketState, Recipe, ShipState, ShipyardOffer, ShipyardState,
    ShipyardTransactionRecord, TransactionRecord,
)
from adapters.game_server.storage import SCHEMA_VERSION, Store
from adapters.game_server.travel import TravelSettings, distance, fuel_cost, mode_rank
from adapters.game_server.universe import SystemSpec, Universe, WaypointSpec, generate
from adapters.game_server.views import Views, iso, to_datetime
from adapters.wire import models as wire

VERSION = "v2.3.0"
STARTING_CREDITS = 175_000
_AGENT_SYMBOL = re.compile(r"[A-Z0-9_-]{3,14}")
_DAY = 86_400.0
_CONTRACT_ORES = frozenset({"IRON_ORE", "COPPER_ORE", "ALUMINUM_ORE"})

# Error codes (game-api-facts §3.4).
NOT_FOUND = 404
UNPROCESSABLE = 3001
AGENT_NOT_FOUND = 4107
SYMBOL_TAKEN = 4111
NAVIGATE_IN_TRANSIT = 4200
OUTSIDE_SYSTEM = 4202
INSUFFICIENT_FUEL = 4203
SAME_DESTINATION = 4204
IN_TRANSIT = 4214
SHIP_CREDITS = 4216
CARGO_EXCEEDS = 4217
CARGO_MISSING = 4218
CARGO_UNITS = 4219
TRANSFER_NOT_FOUND = 4231
TRANSFER_AGENT = 4232
TRANSFER_SAME_SHIP = 4233
TRANSFER_LOCATION = 4234
NOT_IN_ORBIT = 4236
NOT_DOCKED = 4244
SHIP_NOT_PRESENT = 4245
SLOWER_IN_TRANSIT = 4269
TRANSFER_DOCKED_ORBIT = 4271
MARKET_CREDITS = 4600
NOT_SOLD_HERE = 4601
NOT_BOUGHT_HERE = 4602
NO_MARKET = 4603
TRADE_VOLUME = 4604
SHIP_TYPE_NOT_SOLD = 4605
NO_SHIPYARD = 4001


@dataclass(frozen=True)
class WorldSettings:
    """How the world is made and how fast it runs."""
    seed: int = 1
    speed: float = 1.0                    # game seconds per wall second
    other_systems: int = 39               # systems besides the starter one (40 in all: GET /systems pages)
    starting_credits: int = STARTING_CREDITS
    travel: TravelSettings = field(default_factory=TravelSettings)
    economy: EconomySettings = field(default_factory=EconomySettings)

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError(f"speed must be positive, not {self.speed}")


class World:
    """The game's state and rules; thread-safe, persistent, never sleeps."""

    def __init__(self, store: Store, clock: GameClock, settings: WorldSettings) -> None:
        self._store = store
        self._clock = clock
        self._lock = threading.RLock()
        now = clock.now().timestamp()
        stored_seed = store.meta("seed")
        if stored_seed is None:
            # A data directory keeps the world it was made with; a new one records its seed and birth.
            with store.transaction():
                store.set_meta("schema", SCHEMA_VERSION)
                store.set_meta("seed", str(settings.seed))
                store.set_meta("other_systems", str(settings.other_systems))
                store.set_meta("created_at", repr(now))
            seed, other_systems, created_at = settings.seed, settings.other_systems, now
        else:
            seed = int(stored_seed)
            other_systems = int(store.meta("other_systems") or settings.other_systems)
            created_at = float(store.meta("created_at") or now)
        self.settings = settings
        self.seed = seed
        self.created_at = created_at
        self._economy = settings.economy
        self._speed = float(settings.speed)
        self.universe: Universe = generate(seed, other_systems=other_systems, settings=self._economy)
        self._views = Views(self.universe, self._economy, created_at)
        self._systems = list(self.universe.systems)
        self._system_waypoints = {s.symbol: [self.universe.waypoints[w] for w in s.waypoints]
                                  for s in self._systems}
        self._markets = self._load_markets(created_at)
        self._shipyards = self._load_shipyards(created_at)
        self._agents: dict[str, AgentState] = {}
        self._tokens: dict[str, str] = {}
        self._ships: dict[str, ShipState] = {}
        self._contracts: dict[str, list[ContractState]] = {}
        for agent in store.load_agents():
            self._agents[agent.symbol] = agent
            self._tokens[agent.token] = agent.symbol
        for ship in store.load_ships():
            self._ships[ship.symbol] = ship
            owner = self._agents.get(ship.agent)
            if owner is not None:
                owner.ships.append(ship.symbol)
        for contract in store.load_contracts():
            self._contracts.setdefault(contract.agent, []).append(contract)

    @classmethod
    def open(cls, data_dir: Path | None, *, seed: int = 1, speed: float = 1.0, clock: GameClock | None = None,
             settings: WorldSettings | None = None) -> World:
        """Open (or create) the world stored under data_dir; None = in-memory SQLite (tests).

        A data directory that already holds a world keeps that world's seed; `seed` only names a new one.
        `settings`, when given, overrides seed and speed.
        """
        settings = settings or WorldSettings(seed=seed, speed=speed)
        return cls(Store.in_dir(data_dir), clock or WallClock(), settings)

    def close(self) -> None:
        with self._lock:
            self._store.close()

    # --- time ---------------------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """Server time, aware UTC."""
        return self._clock.now()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _wall_seconds(self, game_seconds: float) -> float:
        return game_seconds / self._speed

    # --- loading ------------------------------------------------------------------------------------------------------

    def _load_markets(self, created_at: float) -> dict[str, MarketState]:
        stored = self._store.load_market_goods()
        history = self._store.load_market_transactions()
        markets = {}
        for waypoint, spec in self.universe.markets.items():
            goods = {}
            for g in spec.goods:
                equilibrium = self._economy.equilibrium_stock(g.kind, g.trade_volume)
                goods[g.symbol] = MarketGood(symbol=g.symbol, kind=g.kind, trade_volume=g.trade_volume,
                                             base_price=g.base_price, equilibrium=equilibrium,
                                             stock=equilibrium * g.initial_ratio)
            updated_at = created_at
            if waypoint in stored:
                updated_at, rows = stored[waypoint]
                for symbol, (stock, trade_volume) in rows.items():
                    if symbol in goods:
                        goods[symbol].stock = stock
                        goods[symbol].trade_volume = trade_volume
            recipes = tuple(Recipe(export, inputs) for export, inputs in spec.recipes)
            link_factories(goods, recipes, self._economy)
            market = MarketState(waypoint=waypoint, goods=goods, recipes=recipes, updated_at=updated_at)
            market.transactions.extend(history.get(waypoint, ()))
            refresh_feeds(market, self._economy)
            markets[waypoint] = market
        return markets

    def _load_shipyards(self, created_at: float) -> dict[str, ShipyardState]:
        stored = self._store.load_shipyard_offers()
        history = self._store.load_shipyard_transactions()
        yards = {}
        for waypoint, spec in self.universe.shipyards.items():
            updated_at, factors = stored.get(waypoint, (created_at, {}))
            offers = {t: ShipyardOffer(t, price, factors.get(t, 1.0)) for t, price in spec.offers}
            yard = ShipyardState(waypoint=waypoint, offers=offers, updated_at=updated_at)
            yard.transactions.extend(history.get(waypoint, ()))
            yards[waypoint] = yard
        return yards

    # --- lazy evolution -------------------------------------------------------------------------------------------------

    def _market_now(self, market: MarketState, now: float) -> MarketState:
        """Advance a market's factories and drift to `now` (in memory; a trade persists it)."""
        if now > market.updated_at:
            advance(market, (now - market.updated_at) * self._speed / 60.0, self._economy)
            market.updated_at = now
        return market

    def _shipyard_now(self, yard: ShipyardState, now: float) -> ShipyardState:
        if now > yard.updated_at:
            minutes = (now - yard.updated_at) * self._speed / 60.0
            keep = 0.5 ** (minutes / self._economy.shipyard_half_life_minutes)
            for offer in yard.offers.values():
                offer.factor = 1.0 + (offer.factor - 1.0) * keep
            yard.updated_at = now
        return yard

    @staticmethod
    def _settle(ship: ShipState, now: float) -> ShipState:
        """A ship in transit whose arrival has passed is in orbit at its destination."""
        if ship.status == "IN_TRANSIT" and now >= ship.arrival:
            ship.status = "IN_ORBIT"
        return ship

    # --- lookups --------------------------------------------------------------------------------------------------------

    def _agent(self, symbol: str) -> AgentState:
        agent = self._agents.get(symbol)
        if agent is None:
            raise GameError(AGENT_NOT_FOUND, f"Agent {symbol} does not exist.", status=404,
                            data={"agentSymbol": symbol})
        return agent

    def _own_ship(self, agent: str, symbol: str, now: float) -> ShipState:
        ship = self._ships.get(symbol)
        if ship is None or ship.agent != agent:
            raise GameError(NOT_FOUND, f"Ship {symbol} not found.", status=404, data={"shipSymbol": symbol})
        return self._settle(ship, now)

    def _system(self, symbol: str) -> SystemSpec:
        system = self.universe.system(symbol)
        if system is None:
            raise GameError(NOT_FOUND, f"System {symbol} not found.", status=404, data={"systemSymbol": symbol})
        return system

    def _waypoint_in(self, system: str, waypoint: str) -> WaypointSpec:
        self._system(system)
        spec = self.universe.waypoints.get(waypoint)
        if spec is None or spec.system != system:
            raise GameError(NOT_FOUND, f"Waypoint {waypoint} not found in system {system}.", status=404,
                            data={"waypointSymbol": waypoint})
        return spec

    def _present(self, agent: str | None, waypoint: str, now: float) -> bool:
        """Whether one of the agent's ships is at the waypoint (docked or in orbit)."""
        owner = self._agents.get(agent) if agent else None
        if owner is None:
            return False
        for symbol in owner.ships:
            ship = self._settle(self._ships[symbol], now)
            if ship.waypoint == waypoint and ship.status != "IN_TRANSIT":
                return True
        return False

    def _faction_of(self, ship: ShipState) -> str:
        owner = self._agents.get(ship.agent)
        return owner.faction if owner else self.universe.faction

    def _ship_view(self, ship: ShipState) -> wire.Ship:
        return self._views.ship(ship, self._faction_of(ship))

    # --- validation -----------------------------------------------------------------------------------------------------

    @staticmethod
    def _units(units: Any) -> int:
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise GameError(UNPROCESSABLE, "Invalid request: units must be a positive integer.", status=422,
                            data={"units": ["must be an integer >= 1"]})
        return units

    @staticmethod
    def _trade_symbol(symbol: Any, field_name: str = "symbol") -> str:
        if not isinstance(symbol, str) or symbol not in catalog.TRADE_SYMBOLS:
            raise GameError(UNPROCESSABLE, f"Invalid request: {symbol!r} is not a trade symbol.", status=422,
                            data={field_name: ["must be a TradeSymbol"]})
        return symbol

    def _in_transit_error(self, ship: ShipState, now: float, code: int = IN_TRANSIT) -> GameError:
        seconds = max(0, math.ceil(ship.arrival - now))
        return GameError(
            code, f"Ship is currently in-transit from {ship.origin} to {ship.destination} and arrives in "
                  f"{seconds} seconds.",
            data={"departureSymbol": ship.origin, "destinationSymbol": ship.destination,
                  "arrival": iso(ship.arrival), "departureTime": iso(ship.departure_time),
                  "secondsToArrival": seconds})

    def _require_not_in_transit(self, ship: ShipState, now: float) -> None:
        if ship.status == "IN_TRANSIT":
            raise self._in_transit_error(ship, now)

    def _require_docked(self, ship: ShipState, now: float) -> None:
        self._require_not_in_transit(ship, now)
        if ship.status != "DOCKED":
            raise GameError(NOT_DOCKED, f"Ship action failed. Ship {ship.symbol} is not currently docked at "
                                        f"{ship.waypoint}.", data={"waypointSymbol": ship.waypoint})

    # --- GET / ------------------------------------------------------------------------------------------------------------

    def server_status(self) -> wire.ServerStatus:
        with self._lock:
            now = self._now()
            leaders = sorted(self._agents.values(), key=lambda a: (-a.credits, a.symbol))[:10]
            reset = to_datetime(self.created_at)
            return wire.ServerStatus(
                status="SpaceTraders is currently online and available to play",
                version=VERSION, reset_date=reset.date().isoformat(),
                description="SpaceTraders is a headless API and fleet-management game where players can work "
                            "together or against each other to trade, explore, expand, and conquer in a dynamic "
                            "and growing universe. (Embedded offline server.)",
                stats=wire.ServerStats(agents=len(self._agents), ships=len(self._ships), systems=len(self._systems),
                                       waypoints=len(self.universe.waypoints), accounts=len(self._agents)),
                leaderboards=wire.Leaderboards(
                    most_credits=[wire.CreditsLeader(agent_symbol=a.symbol, credits=a.credits) for a in leaders],
                    most_submitted_charts=[]),
                server_resets=wire.ServerResets(next=iso(self.created_at + 7 * _DAY), frequency="weekly"),
                announcements=[], links=[],
                health=wire.ServerHealth(last_market_update=iso(now)))

    # --- agents -----------------------------------------------------------------------------------------------------------

    def register(self, symbol: str, faction: str, email: str | None = None) -> wire.RegisterData:
        """A new agent: token, 175,000 credits, a command frigate at HQ, a probe at the shipyard moon, a contract."""
        name = symbol.strip().upper() if isinstance(symbol, str) else ""
        if not _AGENT_SYMBOL.fullmatch(name):
            raise GameError(UNPROCESSABLE, "Invalid request: symbol must be 3 to 14 letters, digits, '-' or '_'.",
                            status=422, data={"symbol": ["must be 3-14 characters of A-Z, 0-9, '-', '_'"]})
        faction_symbol = faction.strip().upper() if isinstance(faction, str) else ""
        if faction_symbol not in catalog.FACTIONS:
            raise GameError(UNPROCESSABLE, f"Invalid request: {faction!r} is not a faction.", status=422,
                            data={"faction": ["must be a FactionSymbol"]})
        with self._lock:
            if name in self._agents:
                raise GameError(SYMBOL_TAKEN, f"Cannot register agent. Agent symbol {name} has already been "
                                              "claimed.", status=409, data={"agentSymbol": name})
            now = self._now()
            token = self._new_token(name, now)
            agent = AgentState(symbol=name, token=token, account_id=_random_id("cl"), faction=faction_symbol,
                               headquarters=self.universe.headquarters,
                               credits=self.settings.starting_credits, created_at=now)
            frigate = self._new_ship(agent, "SHIP_COMMAND_FRIGATE", self.universe.headquarters, now)
            probe = self._new_ship(agent, "SHIP_PROBE", self.universe.probe_shipyard, now)
            contract = self._starting_contract(agent, now)
            with self._store.transaction():
                self._store.save_agent(agent)
                self._store.save_ships(frigate, probe)
                self._store.save_contract(contract)
            self._agents[name] = agent
            self._tokens[token] = name
            for ship in (frigate, probe):
                self._ships[ship.symbol] = ship
            self._contracts[name] = [contract]
            frigate_view = self._ship_view(frigate)
            return wire.RegisterData(
                token=token, agent=self._views.agent(agent), contract=self._views.contract(contract),
                faction=self._views.faction(faction_symbol), ships=[frigate_view, self._ship_view(probe)],
                ship=frigate_view)

    def _new_token(self, agent: str, now: float) -> str:
        """A JWT-shaped opaque token (clients that peek at the payload find the agent symbol there)."""
        def part(obj: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()
        payload = {"identifier": agent, "version": VERSION,
                   "reset_date": to_datetime(self.created_at).date().isoformat(), "iat": int(now),
                   "sub": "agent-token"}
        return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(payload)}.{secrets.token_urlsafe(32)}"

    def _new_ship(self, agent: AgentState, ship_type: str, waypoint: str, now: float) -> ShipState:
        """A ship docked at `waypoint`, full of fuel; registered to the agent (in memory only)."""
        spec = catalog.SHIP_SPECS[ship_type]
        agent.ship_seq += 1
        symbol = f"{agent.symbol}-{agent.ship_seq:X}"
        system = self.universe.waypoints[waypoint].system
        ship = ShipState(symbol=symbol, agent=agent.symbol, ship_type=ship_type, system=system, waypoint=waypoint,
                         status="DOCKED", flight_mode="CRUISE", origin=waypoint, destination=waypoint,
                         departure_time=now, arrival=now, fuel=spec.fuel_capacity, seq=agent.ship_seq)
        agent.ships.append(symbol)
        return ship

    def _starting_contract(self, agent: AgentState, now: float) -> ContractState:
        """PROCUREMENT of an ore to the starter market that imports it (facts §8.6)."""
        rng = random.Random(f"contract:{self.seed}:{agent.symbol}")
        candidates = [(good, wp) for wp, spec in self.universe.markets.items()
                      if spec.waypoint.startswith(self.universe.starter_system + "-")
                      for good in spec.imports if good in _CONTRACT_ORES]
        good, destination = rng.choice(sorted(candidates))
        units = rng.randint(40, 60)
        return ContractState(
            id=_random_id("cm"), agent=agent.symbol, faction=agent.faction, type="PROCUREMENT",
            trade_symbol=good, destination=destination, units_required=units, units_fulfilled=0,
            on_accepted=units * rng.randint(30, 40), on_fulfilled=units * rng.randint(180, 220),
            deadline=now + self._wall_seconds(7 * _DAY), deadline_to_accept=now + self._wall_seconds(_DAY))

    def agent_for_token(self, token: str) -> str | None:
        """The agent a bearer token belongs to, or None."""
        return self._tokens.get(token)

    def agent(self, agent: str) -> wire.Agent:
        with self._lock:
            return self._views.agent(self._agent(agent))

    # --- ships: reads -----------------------------------------------------------------------------------------------------

    def ships(self, agent: str, page: int, limit: int) -> tuple[list[wire.Ship], int]:
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            symbols = owner.ships[_page_slice(page, limit)]
            return [self._ship_view(self._settle(self._ships[s], now)) for s in symbols], len(owner.ships)

    def ship(self, agent: str, ship: str) -> wire.Ship:
        with self._lock:
            return self._ship_view(self._own_ship(agent, ship, self._now()))

    def ship_cargo(self, agent: str, ship: str) -> wire.ShipCargo:
        with self._lock:
            return self._views.cargo(self._own_ship(agent, ship, self._now()))

    def ship_nav(self, agent: str, ship: str) -> wire.ShipNav:
        with self._lock:
            return self._views.nav(self._own_ship(agent, ship, self._now()))

    def ship_cooldown(self, agent: str, ship: str) -> wire.Cooldown | None:
        """None (HTTP 204): nothing we implement puts a reactor on cooldown."""
        with self._lock:
            self._own_ship(agent, ship, self._now())
            return None

    # --- ships: movement --------------------------------------------------------------------------------------------------

    def orbit(self, agent: str, ship: str) -> wire.NavData:
        return self._set_status(agent, ship, "IN_ORBIT")

    def dock(self, agent: str, ship: str) -> wire.NavData:
        return self._set_status(agent, ship, "DOCKED")

    def _set_status(self, agent: str, symbol: str, status: str) -> wire.NavData:
        with self._lock:
            now = self._now()
            ship = self._own_ship(agent, symbol, now)
            self._require_not_in_transit(ship, now)
            if ship.status != status:
                ship.status = status
                with self._store.transaction():
                    self._store.save_ships(ship)
            return wire.NavData(nav=self._views.nav(ship))

    def navigate(self, agent: str, ship: str, waypoint: str) -> wire.NavigateData:
        with self._lock:
            now = self._now()
            state = self._own_ship(agent, ship, now)
            if state.status == "IN_TRANSIT":
                raise self._in_transit_error(state, now, NAVIGATE_IN_TRANSIT)
            if state.status != "IN_ORBIT":
                raise GameError(NOT_IN_ORBIT, f"Ship action failed. Ship is not currently in orbit at "
                                              f"{state.waypoint}.", data={"waypointSymbol": state.waypoint})
            target = self.universe.waypoints.get(waypoint) if isinstance(waypoint, str) else None
            if target is None:
                raise GameError(NOT_FOUND, f"Waypoint {waypoint} not found.", status=404,
                                data={"waypointSymbol": waypoint})
            if target.system != state.system:
                raise GameError(OUTSIDE_SYSTEM, f"Navigate request failed. Waypoint {waypoint} is outside the "
                                                f"ship's system {state.system}.",
                                data={"shipSystemSymbol": state.system, "destinationSystemSymbol": target.system})
            if target.symbol == state.waypoint:
                raise GameError(SAME_DESTINATION, f"Navigate request failed. Ship {state.symbol} is currently "
                                                  f"located at the destination.",
                                data={"destinationSymbol": target.symbol})
            here = self.universe.waypoints[state.waypoint]
            dist = distance(here.x, here.y, target.x, target.y)
            spec = catalog.SHIP_SPECS[state.ship_type]
            cost = fuel_cost(dist, state.flight_mode) if spec.fuel_capacity > 0 else 0
            if cost > state.fuel:
                raise GameError(INSUFFICIENT_FUEL, f"Navigate request failed. Ship {state.symbol} requires "
                                                   f"{cost - state.fuel} more fuel for navigation.",
                                data={"shipSymbol": state.symbol, "fuelRequired": cost,
                                      "fuelAvailable": state.fuel})
            seconds = self._wall_seconds(self.settings.travel.flight_seconds(dist, state.flight_mode, spec.speed))
            state.origin, state.destination, state.waypoint = state.waypoint, target.symbol, target.symbol
            state.departure_time, state.arrival = now, now + seconds
            state.status = "IN_TRANSIT"
            state.fuel -= cost
            state.fuel_consumed, state.fuel_consumed_at = cost, now
            with self._store.transaction():
                self._store.save_ships(state)
            return wire.NavigateData(fuel=self._views.fuel(state), nav=self._views.nav(state), events=[])

    def patch_nav(self, agent: str, ship: str, flight_mode: str) -> wire.NavigateData:
        """Change the flight mode; in transit only to a faster mode, paying the extra fuel for the rest of the way
        and arriving earlier."""
        if flight_mode not in catalog.FLIGHT_MODES:
            raise GameError(UNPROCESSABLE, f"Invalid request: {flight_mode!r} is not a flight mode.", status=422,
                            data={"flightMode": ["must be one of DRIFT, STEALTH, CRUISE, BURN"]})
        with self._lock:
            now = self._now()
            state = self._own_ship(agent, ship, now)
            if state.status == "IN_TRANSIT" and flight_mode != state.flight_mode:
                if mode_rank(flight_mode) < mode_rank(state.flight_mode):
                    raise GameError(SLOWER_IN_TRANSIT, "Cannot change to a slower flight mode while in transit.",
                                    data={"flightMode": state.flight_mode, "requestedFlightMode": flight_mode})
                self._speed_up(state, flight_mode, now)
            state.flight_mode = flight_mode
            with self._store.transaction():
                self._store.save_ships(state)
            return wire.NavigateData(fuel=self._views.fuel(state), nav=self._views.nav(state), events=[])

    def _speed_up(self, ship: ShipState, mode: str, now: float) -> None:
        total = ship.arrival - ship.departure_time
        left = (ship.arrival - now) / total if total > 0 else 0.0
        origin = self.universe.waypoints[ship.origin]
        target = self.universe.waypoints[ship.destination]
        dist = distance(origin.x, origin.y, target.x, target.y)
        spec = catalog.SHIP_SPECS[ship.ship_type]
        extra = 0
        if spec.fuel_capacity > 0:
            extra = math.ceil(left * (fuel_cost(dist, mode) - fuel_cost(dist, ship.flight_mode)))
        if extra > ship.fuel:
            raise GameError(INSUFFICIENT_FUEL, f"Ship {ship.symbol} requires {extra - ship.fuel} more fuel to "
                                               f"change to {mode}.",
                            data={"shipSymbol": ship.symbol, "fuelRequired": extra, "fuelAvailable": ship.fuel})
        faster = self._wall_seconds(self.settings.travel.flight_seconds(dist, mode, spec.speed))
        ship.arrival = min(ship.arrival, now + left * faster)
        if extra:
            ship.fuel -= extra
            ship.fuel_consumed, ship.fuel_consumed_at = extra, now

    # --- trade ------------------------------------------------------------------------------------------------------------

    def _docked_market(self, ship: ShipState, now: float) -> MarketState:
        self._require_docked(ship, now)
        market = self._markets.get(ship.waypoint)
        if market is None:
            raise GameError(NO_MARKET, f"Market not found at {ship.waypoint}.",
                            data={"waypointSymbol": ship.waypoint})
        return market

    def purchase_cargo(self, agent: str, ship: str, symbol: str, units: int) -> wire.TradeData:
        units = self._units(units)
        symbol = self._trade_symbol(symbol)
        with self._lock:
            now, owner, state, market, good = self._docked_good(
                agent, ship, symbol, units, NOT_SOLD_HERE, "Market purchase failed. Trade good {symbol} is not "
                                                           "available at {waypoint}.")
            self._check_room(state, symbol, units)
            self._market_now(market, now)
            price, _ = quote(good, self._economy)
            total = price * units
            if total > owner.credits:
                raise GameError(MARKET_CREDITS, f"Market purchase failed. Agent does not have sufficient credits "
                                                f"to purchase {units} unit(s) of {symbol}",
                                data={"agentCredits": owner.credits, "totalPrice": total, "tradeSymbol": symbol,
                                      "units": units, "purchasePrice": price})
            owner.credits -= total
            state.cargo[symbol] = state.cargo.get(symbol, 0) + units
            apply_purchase(good, units)
            return self._settle_trade(owner, state, market,
                                      self._record(market, state, symbol, "PURCHASE", units, price, now))

    def sell_cargo(self, agent: str, ship: str, symbol: str, units: int) -> wire.TradeData:
        units = self._units(units)
        symbol = self._trade_symbol(symbol)
        with self._lock:
            now, owner, state, market, good = self._docked_good(
                agent, ship, symbol, units, NOT_BOUGHT_HERE, "Market sell failed. Trade good {symbol} is not "
                                                             "listed at {waypoint}.")
            self._check_holds(state, symbol, units)
            self._market_now(market, now)
            _, price = quote(good, self._economy)
            owner.credits += price * units
            self._remove_cargo(state, symbol, units)
            apply_sale(good, units)
            return self._settle_trade(owner, state, market,
                                      self._record(market, state, symbol, "SELL", units, price, now))

    def _docked_good(self, agent: str, ship: str, symbol: str, units: int, missing_code: int, missing: str):
        """What a purchase or sale works on: the time, the agent, its docked ship, the market and the good (the
        lot within the trade volume); `missing` (with {symbol} and {waypoint}) when the market lacks the good."""
        now = self._now()
        owner = self._agent(agent)
        state = self._own_ship(agent, ship, now)
        market = self._docked_market(state, now)
        good = market.goods.get(symbol)
        if good is None:
            raise GameError(missing_code, missing.format(symbol=symbol, waypoint=state.waypoint),
                            data={"waypointSymbol": state.waypoint, "tradeSymbol": symbol})
        self._check_volume(good, state.waypoint, units)
        return now, owner, state, market, good

    def _settle_trade(self, owner, state: ShipState, market: MarketState, record) -> wire.TradeData:
        """Commit what a purchase or sale changed, in one transaction, then answer with it."""
        with self._store.transaction():
            self._store.save_agent(owner)
            self._store.save_ships(state)
            self._store.save_market(market)
            self._store.add_market_transaction(record)
        return wire.TradeData(agent=self._views.agent(owner), cargo=self._views.cargo(state),
                              transaction=self._views.transaction(record))

    def refuel(self, agent: str, ship: str, units: int | None = None, from_cargo: bool = False) -> wire.RefuelData:
        """Fill the tank (or add `units` ship fuel): 1 market FUEL = 100 ship fuel, paid per started 100 units."""
        if units is not None:
            units = self._units(units)
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            state = self._own_ship(agent, ship, now)
            self._require_docked(state, now)
            capacity = catalog.SHIP_SPECS[state.ship_type].fuel_capacity
            wanted = capacity - state.fuel if units is None else min(units, capacity - state.fuel)
            wanted = max(0, wanted)
            market_units = math.ceil(wanted / 100)
            if from_cargo:
                if market_units:
                    self._check_holds(state, "FUEL", market_units)
                    self._remove_cargo(state, "FUEL", market_units)
                state.fuel += wanted
                record = TransactionRecord(state.waypoint, state.symbol, "FUEL", "PURCHASE", market_units, 0, 0, now)
                with self._store.transaction():
                    self._store.save_ships(state)
                return wire.RefuelData(agent=self._views.agent(owner), fuel=self._views.fuel(state),
                                       transaction=self._views.transaction(record), cargo=self._views.cargo(state))
            market = self._markets.get(state.waypoint)
            good = market.goods.get("FUEL") if market else None
            if market is None or good is None:
                raise GameError(NOT_SOLD_HERE, f"Market purchase failed. Trade good FUEL is not available at "
                                               f"{state.waypoint}.",
                                data={"waypointSymbol": state.waypoint, "tradeSymbol": "FUEL"})
            self._market_now(market, now)
            price, _ = quote(good, self._economy)
            total = price * market_units
            if total > owner.credits:
                raise GameError(MARKET_CREDITS, f"Refuel failed. Agent does not have sufficient credits to "
                                                f"purchase {market_units} unit(s) of FUEL",
                                data={"agentCredits": owner.credits, "totalPrice": total, "tradeSymbol": "FUEL",
                                      "units": market_units, "purchasePrice": price})
            record = TransactionRecord(state.waypoint, state.symbol, "FUEL", "PURCHASE", market_units, price, total,
                                       now)
            if market_units:
                owner.credits -= total
                state.fuel += wanted
                apply_purchase(good, market_units)
                market.transactions.append(record)
                with self._store.transaction():
                    self._store.save_agent(owner)
                    self._store.save_ships(state)
                    self._store.save_market(market)
                    self._store.add_market_transaction(record)
            return wire.RefuelData(agent=self._views.agent(owner), fuel=self._views.fuel(state),
                                   transaction=self._views.transaction(record))

    def _check_volume(self, good: MarketGood, waypoint: str, units: int) -> None:
        if units > good.trade_volume:
            raise GameError(TRADE_VOLUME, f"Market transaction failed. Trade good {good.symbol} has a limit of "
                                          f"{good.trade_volume} units per transaction.",
                            data={"waypointSymbol": waypoint, "tradeSymbol": good.symbol, "units": units,
                                  "tradeVolume": good.trade_volume})

    @staticmethod
    def _check_room(ship: ShipState, symbol: str, units: int) -> None:
        capacity = catalog.SHIP_SPECS[ship.ship_type].cargo_capacity
        held = ship.cargo_units
        if held + units > capacity:
            raise GameError(CARGO_EXCEEDS, f"Failed to update ship cargo. Ship {ship.symbol} cannot add {units} "
                                           f"unit(s) of {symbol}. Ship cargo is {held}/{capacity}.",
                            data={"shipSymbol": ship.symbol, "tradeSymbol": symbol, "units": units,
                                  "cargoUnits": held, "cargoCapacity": capacity})

    @staticmethod
    def _check_holds(ship: ShipState, symbol: str, units: int) -> None:
        held = ship.cargo.get(symbol, 0)
        if held == 0:
            raise GameError(CARGO_MISSING, f"Failed to update ship cargo. Ship {ship.symbol} does not have any "
                                           f"{symbol} in its cargo.",
                            data={"shipSymbol": ship.symbol, "tradeSymbol": symbol})
        if held < units:
            raise GameError(CARGO_UNITS, f"Failed to update ship cargo. Ship {ship.symbol} has {held} unit(s) of "
                                         f"{symbol}, but {units} unit(s) were requested.",
                            data={"shipSymbol": ship.symbol, "tradeSymbol": symbol, "cargoUnits": held,
                                  "unitsToRemove": units})

    @staticmethod
    def _remove_cargo(ship: ShipState, symbol: str, units: int) -> None:
        left = ship.cargo[symbol] - units
        if left:
            ship.cargo[symbol] = left
        else:
            del ship.cargo[symbol]

    @staticmethod
    def _record(market: MarketState, ship: ShipState, symbol: str, kind: str, units: int, price: int,
                now: float) -> TransactionRecord:
        record = TransactionRecord(market.waypoint, ship.symbol, symbol, kind, units, price, price * units, now)
        market.transactions.append(record)
        return record

    # --- cargo between ships ----------------------------------------------------------------------------------------------

    def transfer(self, agent: str, ship: str, trade_symbol: str, units: int, to_ship: str) -> wire.CargoData:
        units = self._units(units)
        trade_symbol = self._trade_symbol(trade_symbol, "tradeSymbol")
        with self._lock:
            now = self._now()
            sender = self._own_ship(agent, ship, now)
            if to_ship == sender.symbol:
                raise GameError(TRANSFER_SAME_SHIP, "Cannot transfer cargo to the same ship.",
                                data={"shipSymbol": sender.symbol})
            receiver = self._ships.get(to_ship)
            if receiver is None:
                raise GameError(TRANSFER_NOT_FOUND, f"Ship {to_ship} not found.", status=404,
                                data={"shipSymbol": to_ship})
            if receiver.agent != agent:
                raise GameError(TRANSFER_AGENT, f"Cannot transfer cargo to ship {to_ship}: it belongs to another "
                                                "agent.", data={"shipSymbol": to_ship})
            self._settle(receiver, now)
            self._require_not_in_transit(sender, now)
            self._require_not_in_transit(receiver, now)
            if sender.waypoint != receiver.waypoint:
                raise GameError(TRANSFER_LOCATION, f"Ships {sender.symbol} and {receiver.symbol} are not at the "
                                                   "same waypoint.",
                                data={"fromWaypoint": sender.waypoint, "toWaypoint": receiver.waypoint})
            if sender.status != receiver.status:
                raise GameError(TRANSFER_DOCKED_ORBIT, "Both ships must be docked or both in orbit to transfer "
                                                       "cargo.",
                                data={"fromStatus": sender.status, "toStatus": receiver.status})
            self._check_holds(sender, trade_symbol, units)
            self._check_room(receiver, trade_symbol, units)
            self._remove_cargo(sender, trade_symbol, units)
            receiver.cargo[trade_symbol] = receiver.cargo.get(trade_symbol, 0) + units
            with self._store.transaction():
                self._store.save_ships(sender, receiver)
            return wire.CargoData(cargo=self._views.cargo(sender))

    def jettison(self, agent: str, ship: str, symbol: str, units: int) -> wire.CargoData:
        units = self._units(units)
        symbol = self._trade_symbol(symbol)
        with self._lock:
            now = self._now()
            state = self._own_ship(agent, ship, now)
            self._require_not_in_transit(state, now)
            self._check_holds(state, symbol, units)
            self._remove_cargo(state, symbol, units)
            with self._store.transaction():
                self._store.save_ships(state)
            return wire.CargoData(cargo=self._views.cargo(state))

    # --- shipyards ----------------------------------------------------------------------------------------------------------

    def purchase_ship(self, agent: str, ship_type: str, waypoint: str) -> wire.PurchaseShipData:
        if not isinstance(ship_type, str) or ship_type not in catalog.SHIP_TYPES:
            raise GameError(UNPROCESSABLE, f"Invalid request: {ship_type!r} is not a ship type.", status=422,
                            data={"shipType": ["must be a ShipType"]})
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            spec = self.universe.waypoints.get(waypoint) if isinstance(waypoint, str) else None
            if spec is None:
                raise GameError(NOT_FOUND, f"Waypoint {waypoint} not found.", status=404,
                                data={"waypointSymbol": waypoint})
            yard = self._shipyards.get(waypoint)
            if yard is None:
                raise GameError(NO_SHIPYARD, f"Waypoint {waypoint} does not have a shipyard.", status=404,
                                data={"waypointSymbol": waypoint})
            offer = yard.offers.get(ship_type)
            if offer is None:
                raise GameError(SHIP_TYPE_NOT_SOLD, f"Shipyard at {waypoint} does not sell {ship_type}.",
                                data={"waypointSymbol": waypoint, "shipType": ship_type})
            if not self._present(agent, waypoint, now):
                raise GameError(SHIP_NOT_PRESENT, f"Failed to purchase ship. Agent {agent} does not have a ship "
                                                  f"present at {waypoint}.", data={"waypointSymbol": waypoint})
            self._shipyard_now(yard, now)
            price = round(offer.base_price * offer.factor)
            if price > owner.credits:
                raise GameError(SHIP_CREDITS, f"Failed to purchase ship. Agent has insufficient funds: {price} "
                                              f"credits needed.",
                                data={"creditsAvailable": owner.credits, "creditsNeeded": price})
            owner.credits -= price
            ship = self._new_ship(owner, ship_type, waypoint, now)
            offer.factor *= catalog.SHIP_PRICE_STEP
            record = ShipyardTransactionRecord(waypoint, ship_type, price, agent, now)
            yard.transactions.append(record)
            with self._store.transaction():
                self._store.save_agent(owner)
                self._store.save_ships(ship)
                self._store.save_shipyard(yard)
                self._store.add_shipyard_transaction(record)
            self._ships[ship.symbol] = ship
            return wire.PurchaseShipData(agent=self._views.agent(owner), ship=self._ship_view(ship),
                                         transaction=self._views.shipyard_transaction(record))

    def shipyard(self, system: str, waypoint: str, agent: str | None) -> wire.Shipyard:
        with self._lock:
            self._waypoint_in(system, waypoint)
            yard = self._shipyards.get(waypoint)
            if yard is None:
                raise GameError(NO_SHIPYARD, f"Waypoint {waypoint} does not have a shipyard.", status=404,
                                data={"waypointSymbol": waypoint})
            now = self._now()
            visible = self._present(agent, waypoint, now)
            if visible:
                self._shipyard_now(yard, now)
            return self._views.shipyard(yard, visible)

    # --- contracts ------------------------------------------------------------------------------------------------------------

    def contracts(self, agent: str, page: int, limit: int) -> tuple[list[wire.Contract], int]:
        with self._lock:
            self._agent(agent)
            mine = self._contracts.get(agent, [])
            return [self._views.contract(c) for c in mine[_page_slice(page, limit)]], len(mine)

    # --- systems, waypoints, markets -------------------------------------------------------------------------------------------

    def systems(self, page: int, limit: int) -> tuple[list[wire.System], int]:
        with self._lock:
            return [self._views.system(s) for s in self._systems[_page_slice(page, limit)]], len(self._systems)

    def system(self, system: str) -> wire.System:
        with self._lock:
            return self._views.system(self._system(system))

    def waypoints(self, system: str, page: int, limit: int, type: str | None = None,
                  traits: list[str] | None = None) -> tuple[list[wire.Waypoint], int]:
        with self._lock:
            spec = self._system(system)
            found = self._system_waypoints[spec.symbol]
            if type:
                found = [w for w in found if w.type == type]
            if traits:
                wanted = set(traits)
                found = [w for w in found if wanted <= set(w.traits)]
            return [self._views.waypoint(w) for w in found[_page_slice(page, limit)]], len(found)

    def waypoint(self, system: str, waypoint: str) -> wire.Waypoint:
        with self._lock:
            return self._views.waypoint(self._waypoint_in(system, waypoint))

    def market(self, system: str, waypoint: str, agent: str | None) -> wire.Market:
        """The market; tradeGoods and transactions only when one of the agent's ships is there."""
        with self._lock:
            self._waypoint_in(system, waypoint)
            spec = self.universe.markets.get(waypoint)
            if spec is None:
                raise GameError(NO_MARKET, f"Market not found at {waypoint}.", status=404,
                                data={"waypointSymbol": waypoint})
            now = self._now()
            if not self._present(agent, waypoint, now):
                return self._views.market(spec, None)
            return self._views.market(spec, self._market_now(self._markets[waypoint], now))

    def supply_chain(self) -> wire.SupplyChainData:
        return wire.SupplyChainData(
            export_to_import_map={good: list(inputs) for good, inputs in catalog.supply_chain().items()})


def _page_slice(page: int, limit: int) -> slice:
    page = max(1, int(page))
    limit = max(1, int(limit))
    return slice((page - 1) * limit, page * limit)


def _random_id(prefix: str) -> str:
    """A cuid-like id (`cm...`), 25 characters of lower-case letters and digits."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(23))
