"""Contracts over the HTTP API as a player meets them: accepted, delivered and fulfilled for exactly the promised
payment, negotiated one at a time, and every refusal with the real game's code (game-api-facts §3.4, §4.4)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from adapters.game_server.clock import ManualClock
from adapters.game_server.world import World, WorldSettings
from adapters.wire import models as wire
from tests.game_server.api_player import Player, open_world, registered

AGENT = "TRADER"
FRIGATE = f"{AGENT}-1"
HOLD = 40


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def player(clock: ManualClock) -> Iterator[Player]:
    with registered(clock, AGENT) as p:
        yield p


def the_contract(p: Player) -> wire.Contract:
    (contract,) = p.contracts()
    return contract


def terms(contract: wire.Contract) -> wire.ContractDeliverGood:
    (deliver,) = contract.terms.deliver
    return deliver


def deliver(p: Player, contract: wire.Contract, units: int, *, ship: str = FRIGATE,
            symbol: str | None = None) -> wire.DeliverContractData:
    return p.post(f"/my/contracts/{contract.id}/deliver", wire.DeliverContractData,
                  {"shipSymbol": ship, "tradeSymbol": symbol or terms(contract).trade_symbol, "units": units})


def at_destination_with_goods(p: Player, contract: wire.Contract, units: int) -> int:
    """The frigate docked at the contract's destination holding `units` of its good (bought there); the cost."""
    p.fly(FRIGATE, terms(contract).destination_symbol)
    return p.buy(FRIGATE, terms(contract).trade_symbol, units)


def seconds_until(p: Player, moment: datetime) -> float:
    return (moment - p.clock.now()).total_seconds()


# --- the whole life of a contract ---------------------------------------------------------------------------------

def test_a_contract_is_accepted_delivered_and_fulfilled_for_the_promised_payment(player: Player) -> None:
    p = player
    offered = the_contract(p)
    assert offered.type == "PROCUREMENT" and not offered.accepted and not offered.fulfilled
    assert p.get(f"/my/contracts/{offered.id}", wire.Contract) == offered
    payment = offered.terms.payment
    required = terms(offered).units_required
    start = p.credits

    accepted = p.post(f"/my/contracts/{offered.id}/accept", wire.ContractAgentData)
    assert accepted.contract.accepted and not accepted.contract.fulfilled
    assert accepted.agent.credits == start + payment.on_accepted
    assert p.credits == start + payment.on_accepted

    spent = 0
    delivered = 0
    first = True
    while delivered < required:
        lot = min(HOLD, required - delivered)
        spent += at_destination_with_goods(p, offered, lot) if first else p.buy(FRIGATE, terms(offered).trade_symbol,
                                                                                lot)
        first = False
        before = p.credits
        answer = deliver(p, offered, lot)
        delivered += lot
        assert terms(answer.contract).units_fulfilled == delivered
        assert answer.cargo.units == 0 and p.cargo(FRIGATE) == {}
        assert p.credits == before, "delivering pays nothing"
    assert p.get(f"/my/contracts/{offered.id}", wire.Contract).terms.deliver[0].units_fulfilled == required

    before = p.credits
    fulfilled = p.post(f"/my/contracts/{offered.id}/fulfill", wire.ContractAgentData)
    assert fulfilled.contract.fulfilled and fulfilled.contract.accepted
    assert fulfilled.agent.credits == before + payment.on_fulfilled
    assert p.credits == start + payment.on_accepted + payment.on_fulfilled - spent


def test_contracts_survive_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    settings = WorldSettings(seed=1, other_systems=3)
    world = World.open(tmp_path, clock=clock, settings=settings)
    p = Player(world, clock)
    p.register(AGENT)
    contract = the_contract(p)
    p.post(f"/my/contracts/{contract.id}/accept", wire.ContractAgentData)
    at_destination_with_goods(p, contract, 5)
    deliver(p, contract, 5)
    p.close()
    world.close()

    reopened = World.open(tmp_path, clock=clock, settings=settings)
    try:
        again = Player(reopened, clock)
        again.use(p.token)
        stored = the_contract(again)
        assert stored.accepted and terms(stored).units_fulfilled == 5
        again.close()
    finally:
        reopened.close()


# --- refusals -----------------------------------------------------------------------------------------------------

def test_a_contract_must_be_accepted_before_delivery_or_fulfilment(player: Player) -> None:
    p = player
    contract = the_contract(p)
    at_destination_with_goods(p, contract, 1)
    body = {"shipSymbol": FRIGATE, "tradeSymbol": terms(contract).trade_symbol, "units": 1}
    p.refused("POST", f"/my/contracts/{contract.id}/deliver", 400, 4505, body)
    p.refused("POST", f"/my/contracts/{contract.id}/fulfill", 400, 4505)
    p.post(f"/my/contracts/{contract.id}/accept", wire.ContractAgentData)
    credits = p.credits
    p.refused("POST", f"/my/contracts/{contract.id}/accept", 400, 4501)
    assert p.credits == credits, "a refused accept pays nothing"


def test_delivery_refusals_leave_cargo_and_contract_untouched(player: Player) -> None:
    p = player
    contract = the_contract(p)
    p.post(f"/my/contracts/{contract.id}/accept", wire.ContractAgentData)
    good, destination = terms(contract).trade_symbol, terms(contract).destination_symbol
    path = f"/my/contracts/{contract.id}/deliver"

    # Not at the destination: the frigate is still at headquarters, holding nothing.
    p.refused("POST", path, 400, 4510, {"shipSymbol": FRIGATE, "tradeSymbol": good, "units": 1})
    at_destination_with_goods(p, contract, 10)
    other = next(s for s in ("IRON_ORE", "COPPER_ORE", "ALUMINUM_ORE", "QUARTZ_SAND") if s != good)
    p.refused("POST", path, 400, 4508, {"shipSymbol": FRIGATE, "tradeSymbol": other, "units": 1})
    p.refused("POST", path, 422, 3001, {"shipSymbol": FRIGATE, "tradeSymbol": "NOT_A_GOOD", "units": 1})
    p.refused("POST", path, 422, 3001, {"shipSymbol": FRIGATE, "tradeSymbol": good, "units": 0})
    p.refused("POST", path, 400, 4219, {"shipSymbol": FRIGATE, "tradeSymbol": good, "units": 11})
    p.refused("POST", path, 404, 404, {"shipSymbol": "NOBODY-1", "tradeSymbol": good, "units": 1})
    p.post(f"/my/ships/{FRIGATE}/orbit", wire.NavData)
    p.refused("POST", path, 400, 4244, {"shipSymbol": FRIGATE, "tradeSymbol": good, "units": 1})
    p.post(f"/my/ships/{FRIGATE}/dock", wire.NavData)
    assert p.cargo(FRIGATE) == {good: 10}
    assert terms(the_contract(p)).units_fulfilled == 0

    # More than the contract still needs: the whole delivery is refused.
    deliver(p, contract, 10)
    done = 10
    required = terms(contract).units_required
    while required - done >= HOLD:
        p.buy(FRIGATE, good, HOLD - 1)
        deliver(p, contract, HOLD - 1)
        done += HOLD - 1
    left = required - done
    p.buy(FRIGATE, good, left + 1)
    error = p.refused("POST", path, 400, 4509, {"shipSymbol": FRIGATE, "tradeSymbol": good, "units": left + 1})
    assert error.data["unitsFulfilled"] == done
    assert p.cargo(FRIGATE) == {good: left + 1}
    assert terms(the_contract(p)).units_fulfilled == done
    p.refused("POST", f"/my/contracts/{contract.id}/fulfill", 400, 4502)
    deliver(p, contract, left)
    assert p.cargo(FRIGATE) == {good: 1}
    p.post(f"/my/contracts/{contract.id}/fulfill", wire.ContractAgentData)
    assert p.get(f"/my/ships/{FRIGATE}/nav", wire.ShipNav).waypoint_symbol == destination

    # A fulfilled contract takes nothing more.
    p.refused("POST", f"/my/contracts/{contract.id}/accept", 400, 4504)
    p.refused("POST", path, 400, 4504, {"shipSymbol": FRIGATE, "tradeSymbol": good, "units": 1})
    p.refused("POST", f"/my/contracts/{contract.id}/fulfill", 400, 4504)


def test_cargo_the_ship_does_not_hold_is_refused(player: Player) -> None:
    p = player
    contract = the_contract(p)
    p.post(f"/my/contracts/{contract.id}/accept", wire.ContractAgentData)
    p.fly(FRIGATE, terms(contract).destination_symbol)
    p.refused("POST", f"/my/contracts/{contract.id}/deliver", 400, 4218,
              {"shipSymbol": FRIGATE, "tradeSymbol": terms(contract).trade_symbol, "units": 1})


def test_deadlines(player: Player) -> None:
    p = player
    contract = the_contract(p)
    p.clock.advance(seconds_until(p, contract.deadline_to_accept) + 1)
    credits = p.credits
    p.refused("POST", f"/my/contracts/{contract.id}/accept", 400, 4503)
    assert p.credits == credits


def test_delivery_after_the_deadline_is_refused(player: Player) -> None:
    p = player
    contract = the_contract(p)
    p.post(f"/my/contracts/{contract.id}/accept", wire.ContractAgentData)
    at_destination_with_goods(p, contract, 1)
    p.clock.advance(seconds_until(p, contract.terms.deadline) + 1)
    p.refused("POST", f"/my/contracts/{contract.id}/deliver", 400, 4503,
              {"shipSymbol": FRIGATE, "tradeSymbol": terms(contract).trade_symbol, "units": 1})
    p.refused("POST", f"/my/contracts/{contract.id}/fulfill", 400, 4503)


def test_another_agents_contract(player: Player) -> None:
    p = player
    contract = the_contract(p)
    rival = Player(p.world, p.clock)
    try:
        rival.register("RIVAL")
        rival.refused("GET", f"/my/contracts/{contract.id}", 404, 404)
        rival.refused("POST", f"/my/contracts/{contract.id}/accept", 400, 4500)
        rival.refused("POST", f"/my/contracts/{contract.id}/fulfill", 400, 4506)
        rival.refused("POST", f"/my/contracts/{contract.id}/deliver", 400, 4506,
                      {"shipSymbol": "RIVAL-1", "tradeSymbol": terms(contract).trade_symbol, "units": 1})
        rival.refused("GET", "/my/contracts/cmnosuchcontract0000000000", 404, 404)
    finally:
        rival.close()
    assert not the_contract(p).accepted


# --- negotiation ----------------------------------------------------------------------------------------------------

def test_one_contract_at_a_time(player: Player) -> None:
    p = player
    first = the_contract(p)
    p.refused("POST", f"/my/ships/{FRIGATE}/negotiate/contract", 400, 4511)
    p.post(f"/my/contracts/{first.id}/accept", wire.ContractAgentData)
    p.refused("POST", f"/my/ships/{FRIGATE}/negotiate/contract", 400, 4511)

    # Once the offer it holds is fulfilled, a ship at a faction's waypoint gets another offer.
    required = terms(first).units_required
    done = 0
    at_destination_with_goods(p, first, min(HOLD, required))
    while True:
        lot = min(HOLD, required - done)
        deliver(p, first, lot)
        done += lot
        if done == required:
            break
        p.buy(FRIGATE, terms(first).trade_symbol, min(HOLD, required - done))
    p.post(f"/my/contracts/{first.id}/fulfill", wire.ContractAgentData)
    credits = p.credits
    second = p.post(f"/my/ships/{FRIGATE}/negotiate/contract", wire.NegotiateContractData, status=201).contract
    assert p.credits == credits, "negotiating costs nothing"
    assert second.id != first.id and not second.accepted and not second.fulfilled
    assert second.terms.payment.on_accepted > 0 and second.terms.payment.on_fulfilled > second.terms.payment.on_accepted
    assert 20 <= terms(second).units_required <= 60 and terms(second).units_fulfilled == 0
    market = p.get(f"/systems/{p.world.universe.starter_system}/waypoints/{terms(second).destination_symbol}/market",
                   wire.Market)
    assert terms(second).trade_symbol in {g.symbol for g in market.imports}
    assert [c.id for c in p.contracts()] == [first.id, second.id]
    p.refused("POST", f"/my/ships/{FRIGATE}/negotiate/contract", 400, 4511)


def test_an_offer_left_to_expire_frees_the_slot(player: Player) -> None:
    p = player
    offer = the_contract(p)
    p.clock.advance(seconds_until(p, offer.deadline_to_accept) + 1)
    p.post(f"/my/ships/{FRIGATE}/negotiate/contract", wire.NegotiateContractData, status=201)
    assert len(p.contracts()) == 2


def test_negotiation_needs_a_faction_and_a_docked_ship(player: Player) -> None:
    p = player
    offer = the_contract(p)
    p.clock.advance(seconds_until(p, offer.deadline_to_accept) + 1)
    world = p.world
    lonely = next(w.symbol for w in world.universe.waypoints.values()
                  if w.system == world.universe.starter_system and w.faction is None)
    p.post(f"/my/ships/{FRIGATE}/orbit", wire.NavData)
    p.refused("POST", f"/my/ships/{FRIGATE}/negotiate/contract", 400, 4244)
    p.call("PATCH", f"/my/ships/{FRIGATE}/nav", 200, wire.Envelope[wire.NavigateData], {"flightMode": "DRIFT"})
    p.post(f"/my/ships/{FRIGATE}/navigate", wire.NavigateData, {"waypointSymbol": lonely})
    p.refused("POST", f"/my/ships/{FRIGATE}/negotiate/contract", 400, 4214)
    nav = p.get(f"/my/ships/{FRIGATE}/nav", wire.ShipNav)
    p.clock.set(nav.route.arrival)
    p.clock.advance(1)
    p.post(f"/my/ships/{FRIGATE}/dock", wire.NavData)
    p.refused("POST", f"/my/ships/{FRIGATE}/negotiate/contract", 400, 4700)
    p.refused("POST", "/my/ships/NOBODY-1/negotiate/contract", 404, 404)
    assert len(p.contracts()) == 1


def test_contracts_ask_only_for_goods_some_market_of_the_system_sells(clock: ManualClock) -> None:
    """The server has no mining, so a good the starter system only imports (the precious ores, the headquarters'
    high-tech import) could never be delivered; the real game's procurement contracts can be met."""
    world = open_world(clock)
    p = Player(world, clock)
    try:
        system = world.universe.starter_system
        markets = [p.get(f"/systems/{system}/waypoints/{waypoint}/market", wire.Market)
                   for waypoint in world.universe.markets if waypoint.startswith(system + "-")]
        sold = {g.symbol for m in markets for g in m.exports + m.exchange}
        only_imported = {g.symbol for m in markets for g in m.imports} - sold
        assert {"GOLD_ORE", "SILVER_ORE", "PLATINUM_ORE"} <= only_imported
        offers = [p.register(f"MINER{i}").contract for i in range(12)]
        for _ in range(60):                  # one agent negotiates again and again, letting each offer expire
            p.clock.advance(seconds_until(p, offers[-1].deadline_to_accept) + 1)
            offers.append(p.post("/my/ships/MINER11-1/negotiate/contract", wire.NegotiateContractData,
                                 status=201).contract)
        asked = [terms(offer).trade_symbol for offer in offers]
        assert set(asked) <= sold, set(asked) - sold
        assert len(set(asked[12:])) >= 10                                       # many goods, not a few
    finally:
        p.close()
        world.close()
