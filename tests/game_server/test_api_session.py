"""A scripted session over EVERY endpoint of issue 8 item 1, in process, each answer checked against the wire models.

Each success body is decoded strictly with its wire Struct (`msgspec.json.decode(body, type=Envelope[X])`) and
re-encoded: the result must equal the JSON received, so a field the models do not know (or lose) is a mismatch
too. The expected error cases are checked the same way against `ErrorResponse`. The session counts mismatches
and must end with none.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest

from adapters.game_server.app import GameApp
from adapters.game_server.clock import ManualClock
from adapters.game_server.http_endpoints import ENDPOINTS
from adapters.game_server.http_responses import RouteNotFound
from adapters.game_server.http_routing import Router
from adapters.game_server.inprocess import in_process_client
from adapters.game_server.rate_limit import RateLimiter, RateLimitSettings
from adapters.game_server.world import World
from adapters.wire import models as wire
from adapters.wire.models import Envelope, ErrorResponse, Page

ROUTE_TYPES = ("PLANET", "MOON", "ASTEROID")


class Session:
    """Sends requests and checks every answer against its expected status and wire type."""

    def __init__(self, client: httpx.Client, clock: ManualClock) -> None:
        self.client = client
        self.clock = clock
        self.mismatches: list[str] = []
        self.checked: list[str] = []
        self.covered: set[tuple[str, str]] = set()
        self._router = Router((e.method, e.pattern, e) for e in ENDPOINTS)

    def expect(self, method: str, path: str, status: int, kind: Any, **request: Any) -> Any:
        answer = self.client.request(method, path, **request)
        label = f"{method} {path} -> {status}"
        self.checked.append(label)
        route = self._router.match(method, path.partition("?")[0])
        if route is not None and 200 <= status < 300:
            self.covered.add((route[0].method, route[0].pattern))
        if answer.status_code != status:  # the script cannot go on from an unexpected answer
            pytest.fail(f"{label}: got {answer.status_code} {answer.text[:500]}")
        for header in ("Date", "X-Server-Time", "Access-Control-Allow-Origin"):
            if header not in answer.headers:
                self.mismatches.append(f"{label}: no {header} header")
        if kind is None:
            if answer.content:
                self.mismatches.append(f"{label}: expected no body, got {answer.text[:100]}")
            return None
        try:
            decoded = msgspec.json.decode(answer.content, type=kind)
        except msgspec.ValidationError as exc:
            pytest.fail(f"{label}: the body does not match {kind}: {exc}\n{answer.text[:500]}")
        if json.loads(answer.content) != json.loads(msgspec.json.encode(decoded)):
            self.mismatches.append(f"{label}: body does not round-trip through {kind}: {answer.text[:300]}")
        return decoded

    def error(self, method: str, path: str, status: int, code: int, **request: Any) -> None:
        body = self.expect(method, path, status, ErrorResponse, **request)
        if body is not None and body.error.code != code:
            self.mismatches.append(f"{method} {path}: error code {body.error.code}, expected {code}")
        if body is not None and not body.error.request_id:
            self.mismatches.append(f"{method} {path}: error without requestId")

    def drift(self, ship: str, destination: str) -> None:
        """Fly `ship` to `destination` at DRIFT (1 fuel whatever the distance), wait for it and dock."""
        self.expect("POST", f"/my/ships/{ship}/orbit", 200, Envelope[wire.NavData])
        self.expect("PATCH", f"/my/ships/{ship}/nav", 200, Envelope[wire.NavigateData], json={"flightMode": "DRIFT"})
        self.expect("POST", f"/my/ships/{ship}/navigate", 200, Envelope[wire.NavigateData],
                    json={"waypointSymbol": destination})
        self.arrive(ship)
        self.expect("POST", f"/my/ships/{ship}/dock", 200, Envelope[wire.NavData])

    def arrive(self, ship: str) -> wire.ShipNav:
        nav = self.expect("GET", f"/my/ships/{ship}/nav", 200, Envelope[wire.ShipNav]).data
        if nav.status == "IN_TRANSIT":
            self.clock.set(nav.route.arrival)
            self.clock.advance(1)
            nav = self.expect("GET", f"/my/ships/{ship}/nav", 200, Envelope[wire.ShipNav]).data
        return nav


@pytest.fixture
def session() -> Iterator[Session]:
    clock = ManualClock()
    world = World.open(None, seed=5, clock=clock)
    app = GameApp(world, rate_limiter=RateLimiter(RateLimitSettings.disabled()))
    with in_process_client(app) as client:
        yield Session(client, clock)
    world.close()


def test_scripted_session_over_every_endpoint(session: Session) -> None:
    s = session
    # --- server and registration -------------------------------------------------------------------------------
    status = s.expect("GET", "/", 200, wire.ServerStatus)
    assert status is not None and status.stats.systems >= 1
    registered = s.expect("POST", "/register", 201, Envelope[wire.RegisterData],
                          json={"symbol": "session", "faction": "COSMIC"}).data
    s.client.headers["Authorization"] = f"Bearer {registered.token}"
    assert registered.agent.symbol == "SESSION"
    assert registered.agent.credits == 175_000
    frigate, probe = registered.ships[0].symbol, registered.ships[1].symbol
    home = registered.agent.headquarters
    system = home.rsplit("-", 1)[0]
    s.error("POST", "/register", 409, 4111, json={"symbol": "SESSION", "faction": "COSMIC"})

    # --- agent, fleet, contracts ----------------------------------------------------------------------------------
    agent = s.expect("GET", "/my/agent", 200, Envelope[wire.Agent]).data
    assert agent.credits == 175_000
    fleet = s.expect("GET", "/my/ships", 200, Page[wire.Ship])
    assert fleet.meta.total == 2 and {ship.symbol for ship in fleet.data} == {frigate, probe}
    second_page = s.expect("GET", "/my/ships?page=2&limit=1", 200, Page[wire.Ship])
    assert [ship.symbol for ship in second_page.data] == [fleet.data[1].symbol]
    s.expect("GET", f"/my/ships/{frigate}", 200, Envelope[wire.Ship])
    cargo = s.expect("GET", f"/my/ships/{frigate}/cargo", 200, Envelope[wire.ShipCargo]).data
    assert cargo.capacity == 40
    nav = s.expect("GET", f"/my/ships/{frigate}/nav", 200, Envelope[wire.ShipNav]).data
    assert nav.status == "DOCKED" and nav.waypoint_symbol == home
    cooldown = s.client.get(f"/my/ships/{frigate}/cooldown")
    if cooldown.status_code == 204:
        s.expect("GET", f"/my/ships/{frigate}/cooldown", 204, None)
    else:
        s.expect("GET", f"/my/ships/{frigate}/cooldown", 200, Envelope[wire.Cooldown])
    contracts = s.expect("GET", "/my/contracts", 200, Page[wire.Contract])
    assert contracts.meta.total >= 1

    # --- systems and waypoints --------------------------------------------------------------------------------
    systems = s.expect("GET", "/systems?limit=20", 200, Page[wire.System])
    assert systems.meta.limit == 20 and systems.meta.total >= len(systems.data) >= 1
    s.expect("GET", f"/systems/{system}", 200, Envelope[wire.System])
    waypoints = s.expect("GET", f"/systems/{system}/waypoints", 200, Page[wire.Waypoint])
    assert waypoints.meta.limit == 10 and len(waypoints.data) <= 10
    markets = s.expect("GET", f"/systems/{system}/waypoints?traits=MARKETPLACE&limit=20", 200, Page[wire.Waypoint])
    assert markets.data and all(any(t.symbol == "MARKETPLACE" for t in w.traits) for w in markets.data)
    yards = s.expect("GET", f"/systems/{system}/waypoints?traits=MARKETPLACE&traits=SHIPYARD", 200,
                     Page[wire.Waypoint])
    assert all({"MARKETPLACE", "SHIPYARD"} <= {t.symbol for t in w.traits} for w in yards.data)
    moons = s.expect("GET", f"/systems/{system}/waypoints?type=MOON&limit=20", 200, Page[wire.Waypoint])
    assert all(w.type == "MOON" for w in moons.data)
    s.expect("GET", f"/systems/{system}/waypoints/{home}", 200, Envelope[wire.Waypoint])

    # --- market and shipyard: prices only where a ship of ours is ---------------------------------------------
    market = s.expect("GET", f"/systems/{system}/waypoints/{home}/market", 200, Envelope[wire.Market]).data
    assert market.trade_goods, "the frigate is at HQ, so prices are visible"
    elsewhere = next(w.symbol for w in markets.data if w.symbol not in (home, registered.ships[1].nav.waypoint_symbol))
    blind = s.expect("GET", f"/systems/{system}/waypoints/{elsewhere}/market", 200, Envelope[wire.Market]).data
    assert blind.trade_goods is None and blind.transactions is None
    yard = registered.ships[1].nav.waypoint_symbol
    shipyard = s.expect("GET", f"/systems/{system}/waypoints/{yard}/shipyard", 200, Envelope[wire.Shipyard]).data
    assert shipyard.ships, "the probe is at the shipyard, so its ships are visible"
    chain = s.expect("GET", "/market/supply-chain", 200, Envelope[wire.SupplyChainData]).data
    assert chain.export_to_import_map

    # --- trading at HQ -------------------------------------------------------------------------------------------
    good = min((g for g in market.trade_goods if g.symbol != "FUEL"), key=lambda g: g.purchase_price)
    s.error("POST", f"/my/ships/{frigate}/purchase", 400, 4604,
            json={"symbol": good.symbol, "units": good.trade_volume + 1})
    units = min(3, good.trade_volume)
    bought = s.expect("POST", f"/my/ships/{frigate}/purchase", 201, Envelope[wire.TradeData],
                      json={"symbol": good.symbol, "units": units}).data
    assert bought.transaction.type == "PURCHASE" and bought.transaction.units == units
    assert bought.agent.credits == 175_000 - bought.transaction.total_price
    sold = s.expect("POST", f"/my/ships/{frigate}/sell", 201, Envelope[wire.TradeData],
                    json={"symbol": good.symbol, "units": 1}).data
    assert sold.transaction.type == "SELL"
    assert sold.transaction.price_per_unit < bought.transaction.price_per_unit  # the spread
    jettisoned = s.expect("POST", f"/my/ships/{frigate}/jettison", 200, Envelope[wire.CargoData],
                          json={"symbol": good.symbol, "units": 1}).data
    assert jettisoned.cargo.units == units - 2
    not_held = next(g.symbol for g in market.trade_goods if g.symbol != good.symbol)
    s.error("POST", f"/my/ships/{frigate}/sell", 400, 4218, json={"symbol": not_held, "units": 1})
    traded_here = {g.symbol for g in market.trade_goods}
    not_traded = next(symbol for symbol in ("DIAMONDS", "QUANTUM_DRIVES", "FRAME_CARRIER") if symbol not in traded_here)
    s.error("POST", f"/my/ships/{frigate}/sell", 400, 4602, json={"symbol": not_traded, "units": 1})

    # --- navigation ----------------------------------------------------------------------------------------------
    s.error("POST", f"/my/ships/{frigate}/navigate", 400, 4236, json={"waypointSymbol": yard})
    s.expect("POST", f"/my/ships/{frigate}/orbit", 200, Envelope[wire.NavData])
    s.error("POST", f"/my/ships/{frigate}/purchase", 400, 4244, json={"symbol": good.symbol, "units": 1})
    s.error("POST", f"/my/ships/{frigate}/navigate", 400, 4204, json={"waypointSymbol": home})
    patched = s.expect("PATCH", f"/my/ships/{frigate}/nav", 200, Envelope[wire.NavigateData],
                       json={"flightMode": "CRUISE"}).data
    assert patched.nav.flight_mode == "CRUISE"
    flight = s.expect("POST", f"/my/ships/{frigate}/navigate", 200, Envelope[wire.NavigateData],
                      json={"waypointSymbol": yard}).data
    assert flight.nav.status == "IN_TRANSIT" and flight.nav.route.destination.symbol == yard
    s.error("POST", f"/my/ships/{frigate}/dock", 400, 4214)
    arrived = s.arrive(frigate)
    assert arrived.status == "IN_ORBIT" and arrived.waypoint_symbol == yard
    s.expect("POST", f"/my/ships/{frigate}/dock", 200, Envelope[wire.NavData])
    refuel = s.expect("POST", f"/my/ships/{frigate}/refuel", 200, Envelope[wire.RefuelData]).data
    assert refuel.fuel.current == refuel.fuel.capacity
    assert refuel.transaction.trade_symbol == "FUEL"

    # --- a new ship, and a transfer to it -------------------------------------------------------------------------
    credits = refuel.agent.credits
    affordable = [ship for ship in shipyard.ships if ship.purchase_price <= credits]
    # A ship with a hold if we can pay for one (to try a transfer), else the cheapest.
    ship_type = next((ship.type for ship in affordable if ship.type in ("SHIP_LIGHT_SHUTTLE", "SHIP_LIGHT_HAULER")),
                     min(affordable, key=lambda ship: ship.purchase_price).type)
    purchase = s.expect("POST", "/my/ships", 201, Envelope[wire.PurchaseShipData],
                        json={"shipType": ship_type, "waypointSymbol": yard}).data
    hauler = purchase.ship.symbol
    assert purchase.agent.ship_count == 3
    assert purchase.ship.cargo.capacity > 0 and units - 2 > 0
    if purchase.ship.nav.status != "DOCKED":
        s.expect("POST", f"/my/ships/{hauler}/dock", 200, Envelope[wire.NavData])
    moved = s.expect("POST", f"/my/ships/{frigate}/transfer", 200, Envelope[wire.CargoData],
                     json={"tradeSymbol": good.symbol, "units": 1, "shipSymbol": hauler}).data
    assert moved.cargo.units == units - 3
    received = s.expect("GET", f"/my/ships/{hauler}/cargo", 200, Envelope[wire.ShipCargo]).data
    assert [(item.symbol, item.units) for item in received.inventory] == [(good.symbol, 1)]
    s.error("POST", f"/my/ships/{frigate}/transfer", 400, 4233,
            json={"tradeSymbol": good.symbol, "units": 1, "shipSymbol": frigate})
    assert s.expect("GET", "/my/ships", 200, Page[wire.Ship]).meta.total == 3

    # --- the starting contract: accepted, delivered (bought at its destination), fulfilled; then a new one ---------
    contract = contracts.data[0]
    terms = contract.terms.deliver[0]
    assert s.expect("GET", f"/my/contracts/{contract.id}", 200, Envelope[wire.Contract]).data == contract
    s.error("POST", f"/my/contracts/{contract.id}/fulfill", 400, 4505)
    credits = s.expect("GET", "/my/agent", 200, Envelope[wire.Agent]).data.credits
    accepted = s.expect("POST", f"/my/contracts/{contract.id}/accept", 200, Envelope[wire.ContractAgentData]).data
    assert accepted.agent.credits == credits + contract.terms.payment.on_accepted
    s.error("POST", f"/my/ships/{frigate}/negotiate/contract", 400, 4511)
    for item in s.expect("GET", f"/my/ships/{frigate}/cargo", 200, Envelope[wire.ShipCargo]).data.inventory:
        s.expect("POST", f"/my/ships/{frigate}/jettison", 200, Envelope[wire.CargoData],
                 json={"symbol": item.symbol, "units": item.units})
    s.drift(frigate, terms.destination_symbol)
    delivered = 0
    while delivered < terms.units_required:
        lot = min(10, terms.units_required - delivered)
        s.expect("POST", f"/my/ships/{frigate}/purchase", 201, Envelope[wire.TradeData],
                 json={"symbol": terms.trade_symbol, "units": lot})
        done = s.expect("POST", f"/my/contracts/{contract.id}/deliver", 200, Envelope[wire.DeliverContractData],
                        json={"shipSymbol": frigate, "tradeSymbol": terms.trade_symbol, "units": lot}).data
        delivered += lot
        assert done.contract.terms.deliver[0].units_fulfilled == delivered and done.cargo.units == 0
    credits = s.expect("GET", "/my/agent", 200, Envelope[wire.Agent]).data.credits
    fulfilled = s.expect("POST", f"/my/contracts/{contract.id}/fulfill", 200, Envelope[wire.ContractAgentData]).data
    assert fulfilled.contract.fulfilled
    assert fulfilled.agent.credits == credits + contract.terms.payment.on_fulfilled
    s.expect("POST", f"/my/ships/{frigate}/negotiate/contract", 201, Envelope[wire.NegotiateContractData])
    assert s.expect("GET", "/my/contracts", 200, Page[wire.Contract]).meta.total == 2

    # --- the jump gate under construction ------------------------------------------------------------------------
    gates = s.expect("GET", f"/systems/{system}/waypoints?type=JUMP_GATE", 200, Page[wire.Waypoint]).data
    assert [g.is_under_construction for g in gates] == [True]
    gate = gates[0].symbol
    site = s.expect("GET", f"/systems/{system}/waypoints/{gate}/construction", 200, Envelope[wire.Construction]).data
    assert not site.is_complete
    s.error("GET", f"/systems/{system}/waypoints/{home}/construction", 404, 404)
    def exports(waypoint: str) -> set[str]:
        market = s.expect("GET", f"/systems/{system}/waypoints/{waypoint}/market", 200, Envelope[wire.Market]).data
        return {g.symbol for g in market.exports}
    fab_mats = next(m.symbol for m in markets.data if "FAB_MATS" in exports(m.symbol))
    s.drift(frigate, fab_mats)
    s.expect("POST", f"/my/ships/{frigate}/purchase", 201, Envelope[wire.TradeData],
             json={"symbol": "FAB_MATS", "units": 2})
    s.error("POST", f"/systems/{system}/waypoints/{gate}/construction/supply", 400, 4802,
            json={"shipSymbol": frigate, "tradeSymbol": "FAB_MATS", "units": 2})
    s.drift(frigate, gate)
    supplied = s.expect("POST", f"/systems/{system}/waypoints/{gate}/construction/supply", 201,
                        Envelope[wire.SupplyConstructionData],
                        json={"shipSymbol": frigate, "tradeSymbol": "FAB_MATS", "units": 2}).data
    assert {m.trade_symbol: m.fulfilled for m in supplied.construction.materials}["FAB_MATS"] == 2
    assert supplied.cargo.units == 0

    # --- protocol errors ---------------------------------------------------------------------------------------------
    s.expect("GET", "/my/ships/NOBODY-9", 404, ErrorResponse)
    s.error("GET", "/my/ships?limit=50", 422, 3001)
    s.error("POST", f"/my/ships/{frigate}/purchase", 422, 3001, json={"symbol": good.symbol, "units": -1})
    s.expect("GET", "/nothing/here", 404, RouteNotFound)
    anonymous = dict(headers={"Authorization": ""})
    s.error("GET", "/my/agent", 401, 4103, **anonymous)

    assert s.covered == {(e.method, e.pattern) for e in ENDPOINTS}, "every endpoint answered with success"
    assert s.mismatches == []



def test_buying_through_the_api_raises_the_price(session: Session) -> None:
    """Price impact seen over HTTP: each purchase of a good makes the next one dearer."""
    s = session
    registered = s.expect("POST", "/register", 201, Envelope[wire.RegisterData],
                          json={"symbol": "IMPACT", "faction": "COSMIC"}).data
    s.client.headers["Authorization"] = f"Bearer {registered.token}"
    frigate, home = registered.ships[0].symbol, registered.agent.headquarters
    market_path = f"/systems/{home.rsplit('-', 1)[0]}/waypoints/{home}/market"
    goods = s.expect("GET", market_path, 200, Envelope[wire.Market]).data.trade_goods
    # The headquarters only imports (dear goods): three lots must be affordable with the starting credits.
    good = min((g for g in goods if g.symbol != "FUEL"), key=lambda g: g.purchase_price)
    units = min(good.trade_volume, 13, registered.agent.credits // (4 * good.purchase_price))

    paid = []
    for _ in range(3):
        trade = s.expect("POST", f"/my/ships/{frigate}/purchase", 201, Envelope[wire.TradeData],
                         json={"symbol": good.symbol, "units": units}).data
        paid.append(trade.transaction.price_per_unit)
    after = next(g for g in s.expect("GET", market_path, 200, Envelope[wire.Market]).data.trade_goods
                 if g.symbol == good.symbol)

    assert paid[0] == good.purchase_price
    assert paid[0] < paid[1] < paid[2] < after.purchase_price
    assert s.mismatches == []
