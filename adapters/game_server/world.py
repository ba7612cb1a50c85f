"""The World: the embedded game server's rules and state behind the HTTP layer (see server_contract.md).

Each public method takes plain arguments, returns the wire Struct of the answer's `data`, raises GameError for
every game rule, and is one critical section: a lock serialises the calls (no lost updates, credits never go
negative, cargo never exceeds capacity), and every change is committed to SQLite before the method returns.

A reset (`reset()`, or `spacetraders server --reset`) starts a new era of the same universe: every agent, ship,
contract, market state and construction site is wiped, and the tokens issued before are refused with 4113. A world
stored by an older server version (storage.SCHEMA_VERSION) opens only that way.

Time comes from the clock. The speed setting divides every game duration (travel, production, drift, contract
deadlines); timestamps stay wall-clock UTC. Ships arrive and markets move lazily, when they are next looked at.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from adapters.game_server.clock import GameClock, WallClock
from adapters.game_server.economy import EconomySettings
from adapters.game_server.market_dynamics import refresh_feeds
from adapters.game_server.market_noise import factor_of_shown, good_key
from adapters.game_server.production import link_factories
from adapters.game_server.rules.agents import AgentRules
from adapters.game_server.rules.codes import STARTING_CREDITS
from adapters.game_server.rules.construction import ConstructionRules
from adapters.game_server.rules.contracts import ContractRules
from adapters.game_server.rules.fleet import FleetRules
from adapters.game_server.rules.resets import ResetRules
from adapters.game_server.rules.shipyards import ShipyardRules
from adapters.game_server.rules.status import StatusRules
from adapters.game_server.rules.systems import SystemRules
from adapters.game_server.rules.trade import TradeRules
from adapters.game_server.state import (
    AgentState, ContractState, MarketGood, MarketState, Recipe, ShipState, ShipyardOffer, ShipyardState,
)
from adapters.game_server.storage import SCHEMA_VERSION, Store
from adapters.game_server.travel import TravelSettings
from adapters.game_server.universe import Universe, generate
from adapters.game_server.views import Views


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


class World(StatusRules, AgentRules, FleetRules, TradeRules, ShipyardRules, ContractRules, ConstructionRules,
            SystemRules, ResetRules):
    """The game's state and rules; thread-safe, persistent, never sleeps."""

    def __init__(self, store: Store, clock: GameClock, settings: WorldSettings, *, new_era: bool = False) -> None:
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
            if not new_era:
                store.require_current()     # before anything reads rows that name the stored universe's places
            seed = int(stored_seed)
            other_systems = int(store.meta("other_systems") or settings.other_systems)
            created_at = float(store.meta("created_at") or now)
        self.settings = settings
        self.seed = seed
        self._economy = settings.economy
        self._speed = float(settings.speed)
        self.universe: Universe = generate(seed, other_systems=other_systems, settings=self._economy)
        self._systems = list(self.universe.systems)
        self._system_waypoints = {s.symbol: [self.universe.waypoints[w] for w in s.waypoints]
                                  for s in self._systems}
        self._retired_tokens = store.load_retired_tokens()
        if new_era and stored_seed is not None:
            # The stored era is not loaded (it may be an older version's): its tokens are read alone and retired.
            self.created_at = created_at
            self._new_era(store.stored_tokens())
        else:
            self._open_era(created_at)

    def _open_era(self, created_at: float) -> None:
        """Load the state of the era born at `created_at` (at open, and after a reset has emptied the store)."""
        store = self._store
        self.created_at = created_at
        self._views = Views(self.universe, self._economy, created_at)
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
        self._constructions = store.load_constructions()
        for site in self._constructions.values():
            if site.is_complete:
                self._views.site_completed(site.waypoint)

    @classmethod
    def open(cls, data_dir: Path | None, *, seed: int = 1, speed: float = 1.0, clock: GameClock | None = None,
             settings: WorldSettings | None = None, new_era: bool = False) -> World:
        """Open (or create) the world stored under data_dir; None = in-memory SQLite (tests).

        A data directory that already holds a world keeps that world's seed; `seed` only names a new one.
        `settings`, when given, overrides seed and speed. `new_era` starts a new era at open (a reset: what
        `spacetraders server --reset` does); it is the only way to open a world stored by an older server version,
        which otherwise raises OutdatedWorld.
        """
        settings = settings or WorldSettings(seed=seed, speed=speed)
        store = Store.in_dir(data_dir)
        try:
            return cls(store, clock or WallClock(), settings, new_era=new_era)
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._store.close()

    # --- time ---------------------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """Server time, aware UTC."""
        return self._clock.now()

    # --- loading ------------------------------------------------------------------------------------------------------

    def _load_markets(self, created_at: float) -> dict[str, MarketState]:
        stored = self._store.load_market_goods()
        growth = self._store.load_market_growth()
        history = self._store.load_market_transactions()
        markets = {}
        for waypoint, spec in self.universe.markets.items():
            goods = {}
            for g in spec.goods:
                # The spec's start is the market's template: where the background trade keeps it (universe §1).
                equilibrium = self._economy.equilibrium_stock(g.kind, g.trade_volume)
                goods[g.symbol] = MarketGood(symbol=g.symbol, kind=g.kind, trade_volume=g.trade_volume,
                                             base_price=g.base_price, equilibrium=equilibrium,
                                             stock=equilibrium * g.initial_ratio, template_ratio=g.initial_ratio,
                                             noise_key=good_key(self.seed, waypoint, g.symbol))
            updated_at = created_at
            if waypoint in stored:
                updated_at, rows = stored[waypoint]
                # The stored stock is the one shown at updated_at; the background traffic's factor then is derived
                # again, so the market goes on from there without a jump.
                at = (updated_at - created_at) * self._speed / 60.0
                for symbol, (stock, trade_volume) in rows.items():
                    good = goods.get(symbol)
                    if good is not None:
                        good.stock = stock
                        good.noise = factor_of_shown(good.noise_key, at, good.kind, self._economy,
                                                     stock / good.template_stock)
                        good.trade_volume = trade_volume
                        good.volume = float(trade_volume)
                        good.equilibrium = self._economy.equilibrium_stock(good.kind, trade_volume)
                for symbol, (volume, pressure) in growth.get(waypoint, {}).items():
                    good = goods.get(symbol)
                    if good is not None:
                        good.volume, good.pressure = volume, pressure
            recipes = tuple(Recipe(export, inputs) for export, inputs in spec.recipes)
            link_factories(goods, recipes)
            market = MarketState(waypoint=waypoint, goods=goods, recipes=recipes, updated_at=updated_at)
            market.transactions.extend(history.get(waypoint, ()))
            refresh_feeds(market)
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

