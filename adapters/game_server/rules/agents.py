"""Agents: registration, tokens, the starting fleet and contract."""
from __future__ import annotations

import base64
import json
import random
import secrets
from typing import Any

from adapters.game_server import catalog
from adapters.game_server.errors import GameError
from adapters.game_server.rules.codes import (
    AGENT_SYMBOL, CONTRACT_ORES, DAY_SECONDS, SYMBOL_TAKEN, UNPROCESSABLE, VERSION,
)
from adapters.game_server.rules.contracts import procurable
from adapters.game_server.rules.core import WorldCore, _random_id
from adapters.game_server.state import AgentState, ContractState, ShipState
from adapters.game_server.views import to_datetime
from adapters.wire import models as wire


class AgentRules(WorldCore):
    """Agents: registration, tokens, the starting fleet and contract."""

    # --- agents -----------------------------------------------------------------------------------------------------------

    def register(self, symbol: str, faction: str, email: str | None = None) -> wire.RegisterData:
        """A new agent: token, 175,000 credits, a command frigate at HQ, a probe at the shipyard moon, a contract."""
        name = symbol.strip().upper() if isinstance(symbol, str) else ""
        if not AGENT_SYMBOL.fullmatch(name):
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
        """PROCUREMENT of an ore to the starter market that imports it (facts §8.6), one some starter market sells
        (`procurable`)."""
        rng = random.Random(f"contract:{self.seed}:{agent.symbol}")
        ores = CONTRACT_ORES & procurable(self.universe, self.universe.starter_system)
        candidates = [(good, wp) for wp, spec in self.universe.markets.items()
                      if spec.waypoint.startswith(self.universe.starter_system + "-")
                      for good in spec.imports if good in ores]
        good, destination = rng.choice(sorted(candidates))
        units = rng.randint(40, 60)
        return ContractState(
            id=_random_id("cm"), agent=agent.symbol, faction=agent.faction, type="PROCUREMENT",
            trade_symbol=good, destination=destination, units_required=units, units_fulfilled=0,
            on_accepted=units * rng.randint(30, 40), on_fulfilled=units * rng.randint(180, 220),
            deadline=now + self._wall_seconds(7 * DAY_SECONDS), deadline_to_accept=now + self._wall_seconds(DAY_SECONDS))

    def agent_for_token(self, token: str) -> str | None:
        """The agent a bearer token belongs to, or None."""
        return self._tokens.get(token)

    def agent(self, agent: str) -> wire.Agent:
        with self._lock:
            return self._views.agent(self._agent(agent))

