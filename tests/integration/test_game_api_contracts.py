"""The bot's API client on contracts and construction, against the embedded game server in process: typed answers,
exact payments, typed refusals, and an action whose answer is lost is not sent twice."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.game_api import errors
from adapters.game_api.client import GameApiClient
from adapters.game_api.rate_limiter import RateLimiter
from adapters.game_api.settings import GameApiSettings
from adapters.game_server.app import GameApp
from adapters.game_server.clock import ManualClock
from adapters.game_server.faults import FaultInjector, FaultSettings
from adapters.game_server.inprocess import BASE_URL, InProcessTransport
from adapters.game_server.rate_limit import RateLimiter as ServerLimiter
from adapters.game_server.rate_limit import RateLimitSettings
from adapters.game_server.world import World, WorldSettings


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def world(clock: ManualClock) -> Iterator[World]:
    opened = World.open(None, clock=clock, settings=WorldSettings(seed=1, other_systems=3))
    yield opened
    opened.close()


def client_on(world: World, faults: FaultInjector | None = None) -> GameApiClient:
    app = GameApp(world, rate_limiter=ServerLimiter(RateLimitSettings.disabled()), faults=faults)
    return GameApiClient(GameApiSettings(base_url=BASE_URL, backoff_initial=0.01, backoff_cap=0.05),
                         RateLimiter.in_memory(), transport=InProcessTransport(app))


def drift_to(api: GameApiClient, clock: ManualClock, ship: str, waypoint: str) -> None:
    api.orbit(ship)
    api.patch_nav(ship, "DRIFT")
    arrival = api.navigate(ship, waypoint).nav.route.arrival
    clock.set(arrival)
    clock.advance(0.001)
    api.dock(ship)


def test_a_contract_through_the_bots_client(world: World, clock: ManualClock) -> None:
    with client_on(world) as api:
        registered = api.register("CLIENTK", "COSMIC")
        api.use_token(registered.token)
        ship = registered.ships[0].symbol
        contract = api.contract(registered.contract.id)
        assert contract == registered.contract
        terms, payment = contract.terms.deliver[0], contract.terms.payment
        start = api.agent().credits

        with pytest.raises(errors.GameRuleError) as refused:
            api.deliver_contract(contract.id, ship, terms.trade_symbol, 1)
        assert refused.value.code == 4505
        assert api.accept_contract(contract.id).agent.credits == start + payment.on_accepted

        drift_to(api, clock, ship, terms.destination_symbol)
        volume = next(g.trade_volume for g in api.market(terms.destination_symbol).trade_goods
                      if g.symbol == terms.trade_symbol)
        spent = delivered = 0
        while delivered < terms.units_required:
            lot = min(volume, 40, terms.units_required - delivered)
            spent += api.purchase(ship, terms.trade_symbol, lot).transaction.total_price
            answer = api.deliver_contract(contract.id, ship, terms.trade_symbol, lot)
            delivered += lot
            assert answer.contract.terms.deliver[0].units_fulfilled == delivered
        done = api.fulfill_contract(contract.id)
        assert done.contract.fulfilled
        assert done.agent.credits == start + payment.on_accepted + payment.on_fulfilled - spent

        offer = api.negotiate_contract(ship)
        assert not offer.accepted and [c.id for c in api.contracts()] == [contract.id, offer.id]
        with pytest.raises(errors.GameRuleError) as refused:
            api.negotiate_contract(ship)
        assert refused.value.code == 4511


def test_construction_through_the_bots_client(world: World, clock: ManualClock) -> None:
    gate = next(w.symbol for w in world.universe.waypoints.values()
                if w.system == world.universe.starter_system and w.type == "JUMP_GATE")
    with client_on(world) as api:
        registered = api.register("CLIENTG", "COSMIC")
        api.use_token(registered.token)
        ship = registered.ships[0].symbol
        site = api.construction(gate)
        assert site.symbol == gate and not site.is_complete
        with pytest.raises(errors.GameRuleError) as refused:
            api.supply_construction(gate, ship, "FAB_MATS", 1)
        assert refused.value.code == 4802
        seller = next(m.waypoint for m in world.universe.markets.values()
                      if m.waypoint.startswith(world.universe.starter_system + "-")
                      and "FAB_MATS" in m.exports)
        drift_to(api, clock, ship, seller)
        api.purchase(ship, "FAB_MATS", 2)
        drift_to(api, clock, ship, gate)
        supplied = api.supply_construction(gate, ship, "FAB_MATS", 2)
        assert {m.trade_symbol: m.fulfilled for m in supplied.construction.materials}["FAB_MATS"] == 2
        assert api.cargo(ship).units == 0


def test_a_delivery_whose_answer_is_lost_is_not_sent_again(world: World, clock: ManualClock) -> None:
    with client_on(world) as clean, \
            client_on(world, FaultInjector(FaultSettings(rate_after_apply=1.0, seed=3))) as lossy:
        registered = clean.register("CLIENTL", "COSMIC")
        clean.use_token(registered.token)
        lossy.use_token(registered.token)
        ship = registered.ships[0].symbol
        contract = registered.contract
        terms = contract.terms.deliver[0]
        clean.accept_contract(contract.id)
        drift_to(clean, clock, ship, terms.destination_symbol)
        clean.purchase(ship, terms.trade_symbol, 4)

        with pytest.raises(errors.TransientError):
            lossy.deliver_contract(contract.id, ship, terms.trade_symbol, 2)

        assert clean.contract(contract.id).terms.deliver[0].units_fulfilled == 2
        assert clean.cargo(ship).units == 2
