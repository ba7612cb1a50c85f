"""Contracts: listing, reading, accepting, delivering, fulfilling and negotiating (game-api-facts §4.4).

Credits move as in the real game: `onAccepted` is paid when the contract is accepted, `onFulfilled` when it is
fulfilled; delivering pays nothing. An agent holds at most one open contract (an offer still acceptable, or an
accepted contract neither fulfilled nor past its deadline): negotiating another one is refused with 4511.
"""
from __future__ import annotations

import random

from adapters.game_server.errors import GameError
from adapters.game_server.rules.codes import (
    CONTRACT_ACCEPT_CONFLICT, CONTRACT_ACCEPT_NOT_AUTHORIZED, CONTRACT_DEADLINE, CONTRACT_DELIVERY_INCOMPLETE,
    CONTRACT_FULFILLED, CONTRACT_NOT_ACCEPTED, CONTRACT_NOT_AUTHORIZED, DAY_SECONDS, DELIVER_INVALID_LOCATION,
    DELIVER_TERMS, DELIVER_UNITS_EXCEED, EXISTING_CONTRACT, NOT_FOUND, WAYPOINT_NO_FACTION,
)
from adapters.game_server.rules.core import WorldCore, _page_slice, _random_id
from adapters.game_server.rules.trade import TradeRules
from adapters.game_server.state import AgentState, ContractState, ShipState
from adapters.game_server.universe import Universe
from adapters.game_server.views import iso
from adapters.wire import models as wire

# A negotiated contract pays its units at this multiple of the destination's usual price, a sixth on acceptance:
# the real starting contract (46 ALUMINUM_ORE for about 1.6k + 9.2k, facts §8.6) pays several times the ore's
# price, and later ones pay more than buying the goods costs, which is why players run them.
_REWARD_OVER_PRICE = (1.3, 1.8)
_SHARE_ON_ACCEPTED = 1 / 6
_UNITS = (20, 60)
_DEADLINE_DAYS = 7
_ACCEPT_WITHIN_DAYS = 1


class ContractRules(WorldCore):
    """Contracts: listing, reading, accepting, delivering, fulfilling and negotiating."""

    # --- reads ----------------------------------------------------------------------------------------------------

    def contracts(self, agent: str, page: int, limit: int) -> tuple[list[wire.Contract], int]:
        with self._lock:
            self._agent(agent)
            mine = self._contracts.get(agent, [])
            return [self._views.contract(c) for c in mine[_page_slice(page, limit)]], len(mine)

    def contract(self, agent: str, contract_id: str) -> wire.Contract:
        with self._lock:
            return self._views.contract(self._own_contract(agent, contract_id))

    # --- actions --------------------------------------------------------------------------------------------------

    def accept_contract(self, agent: str, contract_id: str) -> wire.ContractAgentData:
        """Accept an offer before its deadlineToAccept; pays onAccepted."""
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            contract = self._own_contract(agent, contract_id, CONTRACT_ACCEPT_NOT_AUTHORIZED)
            self._require_not_fulfilled(contract)
            if contract.accepted:
                raise GameError(CONTRACT_ACCEPT_CONFLICT, f"Contract {contract.id} has already been accepted.",
                                data={"contractId": contract.id})
            if now > contract.deadline_to_accept:
                raise self._deadline_error(contract, contract.deadline_to_accept, "accept")
            contract.accepted = True
            owner.credits += contract.on_accepted
            with self._store.transaction():
                self._store.save_contract(contract)
                self._store.save_agent(owner)
            return wire.ContractAgentData(agent=self._views.agent(owner), contract=self._views.contract(contract))

    def deliver_contract(self, agent: str, contract_id: str, ship: str, trade_symbol: str,
                         units: int) -> wire.DeliverContractData:
        """Hand over cargo from a ship docked at the destination; unitsFulfilled grows, no credits move."""
        units = self._units(units)
        trade_symbol = self._trade_symbol(trade_symbol, "tradeSymbol")
        with self._lock:
            now = self._now()
            contract = self._open_accepted(agent, contract_id, now)
            if trade_symbol != contract.trade_symbol:
                raise GameError(DELIVER_TERMS, f"Failed to update contract. Contract {contract.id} does not require "
                                               f"delivery of {trade_symbol}.",
                                data={"contractId": contract.id, "tradeSymbol": trade_symbol})
            state = self._own_ship(agent, ship, now)
            self._require_not_in_transit(state, now)
            if state.waypoint != contract.destination:
                raise GameError(DELIVER_INVALID_LOCATION,
                                f"Failed to deliver contract. Ship {state.symbol} is not at the delivery location "
                                f"{contract.destination}.",
                                data={"contractId": contract.id, "shipSymbol": state.symbol,
                                      "waypointSymbol": state.waypoint, "destinationSymbol": contract.destination})
            self._require_docked(state, now)
            TradeRules._check_holds(state, trade_symbol, units)
            if units > contract.units_left:
                raise GameError(DELIVER_UNITS_EXCEED,
                                f"Failed to update contract. Contract {contract.id} needs {contract.units_left} more "
                                f"unit(s) of {trade_symbol}, but {units} unit(s) were delivered.",
                                data={"contractId": contract.id, "tradeSymbol": trade_symbol, "units": units,
                                      "unitsRequired": contract.units_required,
                                      "unitsFulfilled": contract.units_fulfilled})
            TradeRules._remove_cargo(state, trade_symbol, units)
            contract.units_fulfilled += units
            with self._store.transaction():
                self._store.save_contract(contract)
                self._store.save_ships(state)
            return wire.DeliverContractData(contract=self._views.contract(contract), cargo=self._views.cargo(state))

    def fulfill_contract(self, agent: str, contract_id: str) -> wire.ContractAgentData:
        """Close a contract whose deliveries are complete, before its deadline; pays onFulfilled."""
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            contract = self._open_accepted(agent, contract_id, now)
            if contract.units_left > 0:
                raise GameError(CONTRACT_DELIVERY_INCOMPLETE,
                                f"Failed to fulfill contract. Contract {contract.id} still needs "
                                f"{contract.units_left} unit(s) of {contract.trade_symbol} delivered.",
                                data={"contractId": contract.id, "tradeSymbol": contract.trade_symbol,
                                      "unitsRequired": contract.units_required,
                                      "unitsFulfilled": contract.units_fulfilled})
            contract.fulfilled = True
            owner.credits += contract.on_fulfilled
            with self._store.transaction():
                self._store.save_contract(contract)
                self._store.save_agent(owner)
            return wire.ContractAgentData(agent=self._views.agent(owner), contract=self._views.contract(contract))

    def negotiate_contract(self, agent: str, ship: str) -> wire.NegotiateContractData:
        """A new PROCUREMENT offer from the faction of the ship's waypoint, when the agent holds no open contract."""
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            state = self._own_ship(agent, ship, now)
            self._require_not_in_transit(state, now)
            faction = self.universe.waypoints[state.waypoint].faction
            if faction is None:
                raise GameError(WAYPOINT_NO_FACTION, f"Waypoint {state.waypoint} has no faction present to "
                                                     "negotiate a contract with.",
                                data={"waypointSymbol": state.waypoint})
            self._require_docked(state, now)
            mine = self._contracts.setdefault(agent, [])
            held = [c for c in mine if c.is_open(now)]
            if held:
                raise GameError(EXISTING_CONTRACT, f"Agent {agent} already has an active contract "
                                                   f"{held[0].id}: the maximum is 1.",
                                data={"contractId": held[0].id})
            contract = self._offer(owner, faction, state, now, len(mine))
            with self._store.transaction():
                self._store.save_contract(contract)
            mine.append(contract)
            return wire.NegotiateContractData(contract=self._views.contract(contract))

    # --- helpers --------------------------------------------------------------------------------------------------

    def _own_contract(self, agent: str, contract_id: str, not_yours: int | None = None) -> ContractState:
        """The agent's contract; another agent's is refused with `not_yours` (None: as if it did not exist)."""
        self._agent(agent)
        for contract in self._contracts.get(agent, ()):
            if contract.id == contract_id:
                return contract
        if not_yours is not None and any(c.id == contract_id for cs in self._contracts.values() for c in cs):
            raise GameError(not_yours, f"Contract {contract_id} does not belong to agent {agent}.",
                            data={"contractId": contract_id, "agentSymbol": agent})
        raise GameError(NOT_FOUND, f"Contract {contract_id} not found.", status=404,
                        data={"contractId": contract_id})

    def _open_accepted(self, agent: str, contract_id: str, now: float) -> ContractState:
        """The agent's contract, accepted, not fulfilled and within its deadline (deliver and fulfill need it)."""
        contract = self._own_contract(agent, contract_id, CONTRACT_NOT_AUTHORIZED)
        self._require_not_fulfilled(contract)
        if not contract.accepted:
            raise GameError(CONTRACT_NOT_ACCEPTED, f"Contract {contract.id} has not been accepted.",
                            data={"contractId": contract.id})
        if now > contract.deadline:
            raise self._deadline_error(contract, contract.deadline, "update")
        return contract

    @staticmethod
    def _require_not_fulfilled(contract: ContractState) -> None:
        if contract.fulfilled:
            raise GameError(CONTRACT_FULFILLED, f"Contract {contract.id} has already been fulfilled.",
                            data={"contractId": contract.id})

    @staticmethod
    def _deadline_error(contract: ContractState, deadline: float, action: str) -> GameError:
        return GameError(CONTRACT_DEADLINE, f"Failed to {action} contract. Contract {contract.id} has passed its "
                                            f"deadline {iso(deadline)}.",
                         data={"contractId": contract.id, "deadline": iso(deadline)})

    def _offer(self, owner: AgentState, faction: str, ship: ShipState, now: float, seq: int) -> ContractState:
        """A PROCUREMENT of a good some market of the ship's system imports, delivered to that market, and that
        another market of the system sells (`procurable`)."""
        rng = random.Random(f"negotiate:{self.seed}:{owner.symbol}:{self.created_at!r}:{seq}")
        prefix = ship.system + "-"
        sold = procurable(self.universe, ship.system)
        candidates = sorted((good.symbol, spec.waypoint, good.base_price)
                            for spec in self.universe.markets.values() if spec.waypoint.startswith(prefix)
                            for good in spec.goods if good.kind == "IMPORT" and good.symbol in sold)
        good, destination, price = rng.choice(candidates)
        units = rng.randint(*_UNITS)
        reward = round(units * price * rng.uniform(*_REWARD_OVER_PRICE))
        on_accepted = round(reward * _SHARE_ON_ACCEPTED)
        return ContractState(
            id=_random_id("cm"), agent=owner.symbol, faction=faction, type="PROCUREMENT", trade_symbol=good,
            destination=destination, units_required=units, units_fulfilled=0, on_accepted=on_accepted,
            on_fulfilled=reward - on_accepted, deadline=now + self._wall_seconds(_DEADLINE_DAYS * DAY_SECONDS),
            deadline_to_accept=now + self._wall_seconds(_ACCEPT_WITHIN_DAYS * DAY_SECONDS))


def procurable(universe: Universe, system: str) -> frozenset[str]:
    """Goods some market of `system` exports or exchanges: the goods a procurement contract there may ask for. The
    real game's contracts can be met by buying; this server has no mining, so a good the system only imports (the
    precious ores, the headquarters' high-tech import) could never be delivered."""
    prefix = system + "-"
    return frozenset(good for spec in universe.markets.values() if spec.waypoint.startswith(prefix)
                     for good in spec.exports + spec.exchange)
