"""An independent SpaceTraders client, generated from the official OpenAPI spec, plays against our server unchanged.

The client is PyPI's `spacetraders` 0.10.0 (github marcoceppi/python-spacetraders): openapi-python-client with
pydantic templates, generated from the official spec as it was at the end of 2023 (v2.1: supply and activity
levels, construction sites; no supply-chain endpoint yet). It cannot be an ordinary test dependency: its
distribution name is our project's own and it pins httpx<0.25 and pydantic<2. So it lives in its own directory,
installed without dependencies:

    .venv/bin/pip install --no-deps --target .venv/independent-client \
        'spacetraders==0.10.0' 'pydantic>=1.10.7,<2' 'attrs>=21.3'

This module installs it there when it is missing (pip reaches PyPI on our machines and in CI) and appends that
directory to the END of sys.path (it shadows nothing of ours); only when the install fails (no network) do the
tests skip, saying so. SPACETRADERS_INDEPENDENT_CLIENT names another directory.

Every request goes through the SDK's own endpoint functions against the real server process on a loopback port
(the SDK calls `httpx.request` itself, so it needs a socket). Each success must have the status the spec lists
and parse into the SDK's response model (`raise_on_unexpected_status=True` turns any other status into an
exception, pydantic raises on a field that does not fit); each error must come back as the SDK's ApiError with the
game's code. Where the SDK is older than spec 2.3.0 (which our server follows), the test works around it here:
- PATCH .../nav answered `data: ShipNav` in v2.1 and answers `{nav, fuel, events}` in 2.3.0: the SDK builds the
  request, and `nav` and `fuel` are parsed with the SDK's ShipNav and ShipFuel models (it has none for events).
- GET /market/supply-chain is not in the SDK: fetched with httpx, every symbol checked against the SDK's
  TradeSymbol enum, which lacks one 2.3.0 symbol (SHIP_BULK_FREIGHTER, added to the spec later).
- GET /: with raise_on_error the SDK returns `parsed.data`, which the unwrapped status answer has not (an SDK bug:
  the real server does not wrap it either); it is read with raise_on_error=False.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.game_server.http_server_process import GameServerProcess

CLIENT_DIR = Path(os.environ.get("SPACETRADERS_INDEPENDENT_CLIENT") or Path(sys.prefix) / "independent-client")
CLIENT_REQUIREMENTS = ("spacetraders==0.10.0", "pydantic>=1.10.7,<2", "attrs>=21.3")


def _install_client() -> None:
    """Install the generated client into CLIENT_DIR, without touching the project's own environment."""
    import subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                    "--target", str(CLIENT_DIR), *CLIENT_REQUIREMENTS],
                   check=False, capture_output=True, timeout=300)


if not (CLIENT_DIR / "spacetraders").is_dir():
    _install_client()
if (CLIENT_DIR / "spacetraders").is_dir() and str(CLIENT_DIR) not in sys.path:
    sys.path.append(str(CLIENT_DIR))

sdk = pytest.importorskip(
    "spacetraders.client",
    reason=f"the generated client could not be installed in {CLIENT_DIR} (no network?): see this module's docstring")

from spacetraders import errors as sdk_errors  # noqa: E402
from spacetraders.api.agents import get_my_agent  # noqa: E402
from spacetraders.api.contracts import (  # noqa: E402
    accept_contract, deliver_contract, fulfill_contract, get_contract, get_contracts,
)
from spacetraders.api.default import get_status, register  # noqa: E402
from spacetraders.api.fleet import (  # noqa: E402
    dock_ship, get_my_ship, get_my_ship_cargo, get_my_ships, get_ship_cooldown, get_ship_nav, jettison,
    navigate_ship, negotiate_contract, orbit_ship, patch_ship_nav, purchase_cargo, purchase_ship, refuel_ship,
    sell_cargo, transfer_cargo,
)
from spacetraders.api.systems import (  # noqa: E402
    get_construction, get_market, get_shipyard, get_system, get_system_waypoints, get_systems, get_waypoint,
    supply_construction,
)
from spacetraders.models.patch_ship_nav_json_body import PatchShipNavJsonBody  # noqa: E402
from spacetraders.models.ship_fuel import ShipFuel  # noqa: E402
from spacetraders.models.ship_nav import ShipNav  # noqa: E402
from spacetraders.models.ship_nav_flight_mode import ShipNavFlightMode  # noqa: E402
from spacetraders.models.ship_nav_status import ShipNavStatus  # noqa: E402
from spacetraders.models.ship_role import ShipRole  # noqa: E402
from spacetraders.models.ship_type import ShipType  # noqa: E402
from spacetraders.models.trade_symbol import TradeSymbol  # noqa: E402
from spacetraders.models.waypoint_trait_symbol import WaypointTraitSymbol  # noqa: E402
from spacetraders.models.waypoint_type import WaypointType  # noqa: E402
from spacetraders.types import ApiError, Unset  # noqa: E402

# The SDK passes cookies per request, which httpx 0.28 deprecates; that is the SDK's business, not a failure.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ARRIVAL_DEADLINE_S = 60.0
SDK_KNOWN_TRADE_SYMBOLS = {symbol.value for symbol in TradeSymbol}
# Trade symbols of spec 2.3.0 that the SDK's (older) TradeSymbol enum lacks.
TRADE_SYMBOLS_NEWER_THAN_SDK = {"SHIP_BULK_FREIGHTER"}


@pytest.fixture(scope="module")
def server() -> Iterator[GameServerProcess]:
    # Speed 200: a flight across the starter system takes well under a second of wall time.
    with GameServerProcess(seed=7, speed=200) as process:
        yield process


def sdk_client(server: GameServerProcess, token: str | None = None, *, strict: bool = True) -> Any:
    """The SDK's client; `strict` makes a status the spec does not list for the endpoint raise."""
    if token is None:
        return sdk.Client(base_url=server.base_url, timeout=30.0, raise_on_unexpected_status=strict)
    return sdk.AuthenticatedClient(base_url=server.base_url, token=token, timeout=30.0,
                                   raise_on_unexpected_status=strict)


def ok(endpoint: Any, *args: Any, status: HTTPStatus = HTTPStatus.OK, **kwargs: Any) -> Any:
    """Call an SDK endpoint: the answer must have `status` and parse into the SDK's own model."""
    try:
        response = endpoint.sync_detailed(*args, raise_on_error=False, **kwargs)
    except sdk_errors.UnexpectedStatus as exc:
        pytest.fail(f"{endpoint.__name__}: unexpected {exc.status_code}: {exc.content[:500]!r}")
    assert response.status_code == status, response.content[:500]
    if status == HTTPStatus.NO_CONTENT:
        assert response.parsed is None and not response.content
        return None
    assert response.parsed is not None, f"{endpoint.__name__}: the SDK did not parse {response.content[:300]!r}"
    return response.parsed


def game_error(endpoint: Any, *args: Any, status: int, code: int, **kwargs: Any) -> Any:
    """Call an SDK endpoint that must fail: the SDK raises its ApiError carrying the game's status and code."""
    with pytest.raises(ApiError) as raised:
        endpoint.sync_detailed(*args, raise_on_error=True, **kwargs)
    error = raised.value.args[0]
    assert (error.status_code, error.code) == (status, str(code)), error
    assert error.message
    return error


def register_agent(server: GameServerProcess, symbol: str) -> Any:
    answer = ok(register, _client=sdk_client(server), symbol=symbol, faction="COSMIC", status=HTTPStatus.CREATED)
    return answer.data


def wait_for_arrival(client: Any, ship: str) -> Any:
    """Poll the ship's nav (through the SDK) until it has arrived; arrival is real, at the server's speed."""
    deadline = time.monotonic() + ARRIVAL_DEADLINE_S
    while True:
        nav = ok(get_ship_nav, ship, _client=client).data
        if nav.status != ShipNavStatus.IN_TRANSIT:
            return nav
        assert time.monotonic() < deadline, f"{ship} still in transit after {ARRIVAL_DEADLINE_S} s"
        time.sleep(0.05)


def patch_nav(client: Any, ship: str, mode: ShipNavFlightMode) -> tuple[Any, Any, list[Any]]:
    """PATCH nav, the SDK building the request; its v2.1 answer model is out of date, so the parts of the 2.3.0
    answer are parsed with the SDK's ShipNav and ShipFuel models instead."""
    kwargs = patch_ship_nav._get_kwargs(ship, _client=client, json_body=PatchShipNavJsonBody(flightMode=mode))
    answer = httpx.request(**kwargs)
    assert answer.status_code == HTTPStatus.OK, answer.text
    data = answer.json()["data"]
    # The SDK predates ship condition events (it has no model for them): they stay plain JSON here.
    return ShipNav(**data["nav"]), ShipFuel(**data["fuel"]), data["events"]


def test_a_session_played_with_the_generated_client(server: GameServerProcess) -> None:
    anonymous = sdk_client(server)
    status = ok(get_status, _client=anonymous)
    assert status.stats.systems >= 1 and status.version

    registered = register_agent(server, "INDEPENDENT")
    client = sdk_client(server, registered.token)
    assert registered.agent.credits_ == 175_000
    assert registered.ship.registration.role == ShipRole.COMMAND  # the v2.1 `ship`, still sent for such clients
    frigate = registered.ship.symbol
    home = registered.agent.headquarters
    system = home.rsplit("-", 1)[0]

    # --- agent and fleet, paged -------------------------------------------------------------------------------
    assert ok(get_my_agent, _client=client).data.credits_ == 175_000
    first = ok(get_my_ships, _client=client, page=1, limit=1)
    second = ok(get_my_ships, _client=client, page=2, limit=1)
    assert (first.meta.total, first.meta.page, first.meta.limit) == (2, 1, 1)
    fleet = {ship.symbol: ship for ship in first.data + second.data}
    assert len(fleet) == 2 and frigate in fleet
    probe = next(ship for ship in fleet.values() if ship.registration.role == ShipRole.SATELLITE)
    yard = probe.nav.waypoint_symbol
    assert ok(get_my_ship, frigate, _client=client).data.symbol == frigate
    assert ok(get_my_ship_cargo, frigate, _client=client).data.capacity == 40
    nav = ok(get_ship_nav, frigate, _client=client).data
    assert nav.status == ShipNavStatus.DOCKED and nav.waypoint_symbol == home
    ok(get_ship_cooldown, frigate, _client=client, status=HTTPStatus.NO_CONTENT)
    contracts = ok(get_contracts, _client=client)
    assert contracts.meta.total == 1 and contracts.data[0].terms.deliver

    # --- systems and waypoints, paged and filtered --------------------------------------------------------------
    systems = ok(get_systems, _client=client, page=1, limit=20)
    later = ok(get_systems, _client=client, page=2, limit=20)
    assert systems.meta.limit == 20 and len(systems.data) == 20
    assert not {s.symbol for s in systems.data} & {s.symbol for s in later.data}
    assert ok(get_system, system, _client=client).data.symbol == system
    markets = ok(get_system_waypoints, system, _client=client, limit=20, traits=WaypointTraitSymbol.MARKETPLACE)
    assert markets.data and all(WaypointTraitSymbol.MARKETPLACE in {t.symbol for t in w.traits}
                                for w in markets.data)
    yards = ok(get_system_waypoints, system, _client=client,
               traits=[WaypointTraitSymbol.MARKETPLACE, WaypointTraitSymbol.SHIPYARD])
    assert yards.data and all({WaypointTraitSymbol.MARKETPLACE, WaypointTraitSymbol.SHIPYARD}
                              <= {t.symbol for t in w.traits} for w in yards.data)
    moons = ok(get_system_waypoints, system, _client=client, type=WaypointType.MOON)
    assert moons.data and all(w.type == WaypointType.MOON for w in moons.data)
    assert ok(get_waypoint, system, home, _client=client).data.symbol == home

    # --- market and shipyard: live numbers only where one of our ships is -----------------------------------------
    market = ok(get_market, system, home, _client=client).data
    assert not isinstance(market.trade_goods, Unset) and market.trade_goods
    elsewhere = next(w.symbol for w in markets.data if w.symbol not in (home, yard))
    blind = ok(get_market, system, elsewhere, _client=client).data
    assert isinstance(blind.trade_goods, Unset) and isinstance(blind.transactions, Unset)
    shipyard = ok(get_shipyard, system, yard, _client=client).data
    assert not isinstance(shipyard.ships, Unset) and shipyard.ships

    chain = httpx.get(server.base_url + "/market/supply-chain",
                      headers={"Authorization": f"Bearer {registered.token}"}, timeout=30)
    assert chain.status_code == HTTPStatus.OK
    export_to_import = chain.json()["data"]["exportToImportMap"]
    assert export_to_import
    symbols = set(export_to_import) | {symbol for imports in export_to_import.values() for symbol in imports}
    assert symbols - SDK_KNOWN_TRADE_SYMBOLS <= TRADE_SYMBOLS_NEWER_THAN_SDK

    # --- trading at headquarters --------------------------------------------------------------------------------
    good = min((g for g in market.trade_goods if g.symbol != TradeSymbol.FUEL and g.trade_volume >= 3),
               key=lambda g: g.purchase_price)
    bought = ok(purchase_cargo, frigate, _client=client, symbol=good.symbol, units=3,
                status=HTTPStatus.CREATED).data
    assert (bought.transaction.type.value, bought.transaction.units) == ("PURCHASE", 3)
    assert bought.agent.credits_ == 175_000 - bought.transaction.total_price
    sold = ok(sell_cargo, frigate, _client=client, symbol=good.symbol, units=1, status=HTTPStatus.CREATED).data
    assert sold.transaction.type.value == "SELL"
    assert sold.transaction.price_per_unit < bought.transaction.price_per_unit
    thrown = ok(jettison, frigate, _client=client, symbol=good.symbol, units=1).data
    assert thrown.cargo.units == 1

    # --- flight ---------------------------------------------------------------------------------------------------
    assert ok(orbit_ship, frigate, _client=client).data.nav.status == ShipNavStatus.IN_ORBIT
    patched, fuel, events = patch_nav(client, frigate, ShipNavFlightMode.CRUISE)
    assert patched.flight_mode == ShipNavFlightMode.CRUISE and fuel.capacity > 0 and events == []
    flight = ok(navigate_ship, frigate, _client=client, waypointSymbol=yard).data
    assert flight.nav.status == ShipNavStatus.IN_TRANSIT and flight.nav.route.destination.symbol == yard
    assert flight.fuel.current < flight.fuel.capacity
    arrived = wait_for_arrival(client, frigate)
    assert arrived.status == ShipNavStatus.IN_ORBIT and arrived.waypoint_symbol == yard
    assert ok(dock_ship, frigate, _client=client).data.nav.status == ShipNavStatus.DOCKED
    refuel = ok(refuel_ship, frigate, _client=client).data
    assert refuel.fuel.current == refuel.fuel.capacity and refuel.transaction.trade_symbol == "FUEL"

    # --- a new ship, and a transfer to it --------------------------------------------------------------------------
    offers = ok(get_shipyard, system, yard, _client=client).data.ships
    affordable = [offer for offer in offers if offer.purchase_price <= refuel.agent.credits_]
    with_hold = [offer for offer in affordable if offer.type in (ShipType.SHIP_LIGHT_SHUTTLE,
                                                                   ShipType.SHIP_LIGHT_HAULER)]
    assert with_hold, "the starter shipyard sells a shuttle or a hauler within the starting credits"
    purchase = ok(purchase_ship, _client=client, shipType=with_hold[0].type, waypointSymbol=yard,
                  status=HTTPStatus.CREATED).data
    assert purchase.agent.ship_count == 3 and purchase.transaction.price == with_hold[0].purchase_price
    hauler = purchase.ship.symbol
    if purchase.ship.nav.status != ShipNavStatus.DOCKED:
        ok(dock_ship, hauler, _client=client)
    moved = ok(transfer_cargo, frigate, _client=client, tradeSymbol=good.symbol, units=1, shipSymbol=hauler).data
    assert moved.cargo.units == 0
    received = ok(get_my_ship_cargo, hauler, _client=client).data
    assert [(item.symbol, item.units) for item in received.inventory] == [(good.symbol, 1)]
    assert ok(get_my_ships, _client=client).meta.total == 3


def test_a_contract_and_the_jump_gate_with_the_generated_client(server: GameServerProcess) -> None:
    registered = register_agent(server, "CONTRACTOR")
    client = sdk_client(server, registered.token)
    lax = sdk_client(server, registered.token, strict=False)   # for the refusals: the SDK raises its ApiError
    frigate, home = registered.ship.symbol, registered.agent.headquarters
    system = home.rsplit("-", 1)[0]
    start = ok(get_my_agent, _client=client).data.credits_

    # --- the starting contract: accepted, delivered, fulfilled, for the promised payment ---------------------------
    contract = ok(get_contracts, _client=client).data[0]
    assert ok(get_contract, contract.id, _client=client).data == contract
    terms, payment = contract.terms.deliver[0], contract.terms.payment
    game_error(fulfill_contract, contract.id, _client=lax, status=400, code=4505)
    accepted = ok(accept_contract, contract.id, _client=client).data
    assert accepted.contract.accepted and accepted.agent.credits_ == start + payment.on_accepted
    game_error(negotiate_contract, frigate, _client=lax, status=400, code=4511)
    ok(orbit_ship, frigate, _client=client)
    ok(navigate_ship, frigate, _client=client, waypointSymbol=terms.destination_symbol)
    wait_for_arrival(client, frigate)
    ok(dock_ship, frigate, _client=client)
    market = ok(get_market, system, terms.destination_symbol, _client=client).data
    volume = next(g.trade_volume for g in market.trade_goods if g.symbol == terms.trade_symbol)
    spent = delivered = 0
    while delivered < terms.units_required:
        lot = min(volume, 40, terms.units_required - delivered)   # 40: the frigate's hold
        spent += ok(purchase_cargo, frigate, _client=client, symbol=terms.trade_symbol, units=lot,
                    status=HTTPStatus.CREATED).data.transaction.total_price
        done = ok(deliver_contract, contract.id, _client=client, shipSymbol=frigate, tradeSymbol=terms.trade_symbol,
                  units=lot).data
        delivered += lot
        assert done.contract.terms.deliver[0].units_fulfilled == delivered and done.cargo.units == 0
    fulfilled = ok(fulfill_contract, contract.id, _client=client).data
    assert fulfilled.contract.fulfilled
    assert fulfilled.agent.credits_ == start + payment.on_accepted + payment.on_fulfilled - spent
    offered = ok(negotiate_contract, frigate, _client=client, status=HTTPStatus.CREATED).data.contract
    assert not offered.accepted and offered.terms.deliver

    # --- the jump gate: readable by anyone; supplied only from a ship docked there ------------------------------------
    gates = ok(get_system_waypoints, system, _client=client, type=WaypointType.JUMP_GATE).data
    assert [gate.is_under_construction for gate in gates] == [True]
    site = ok(get_construction, system, gates[0].symbol, _client=sdk_client(server)).data
    assert site.symbol == gates[0].symbol and not site.is_complete
    assert {m.trade_symbol.value: (m.required, m.fulfilled) for m in site.materials} == {
        "FAB_MATS": (1600, 0), "ADVANCED_CIRCUITRY": (400, 0), "QUANTUM_STABILIZERS": (1, 1)}
    game_error(supply_construction, system, gates[0].symbol, _client=lax, shipSymbol=frigate, tradeSymbol="FAB_MATS",
               units=1, status=400, code=4802)


def test_errors_reach_the_generated_client_as_game_errors(server: GameServerProcess) -> None:
    registered = register_agent(server, "MISHAPS")
    client = sdk_client(server, registered.token, strict=False)
    frigate, home = registered.ship.symbol, registered.agent.headquarters
    system = home.rsplit("-", 1)[0]

    game_error(register, _client=sdk_client(server, strict=False), symbol="MISHAPS", faction="COSMIC",
               status=409, code=4111)
    game_error(get_my_agent, _client=sdk_client(server, strict=False), status=401, code=4103)
    game_error(get_my_ships, _client=client, limit=50, status=422, code=3001)
    game_error(get_my_ship, "NOBODY-1", _client=client, status=404, code=404)

    market = ok(get_market, system, home, _client=client).data
    good = min((g for g in market.trade_goods if g.symbol != TradeSymbol.FUEL), key=lambda g: g.purchase_price)
    game_error(purchase_cargo, frigate, _client=client, symbol=good.symbol, units=good.trade_volume + 1,
               status=400, code=4604)
    game_error(sell_cargo, frigate, _client=client, symbol=good.symbol, units=1, status=400, code=4218)
    traded = {g.symbol for g in market.trade_goods}
    not_traded = next(symbol for symbol in TradeSymbol if symbol not in traded)
    ok(purchase_cargo, frigate, _client=client, symbol=good.symbol, units=1, status=HTTPStatus.CREATED)
    game_error(sell_cargo, frigate, _client=client, symbol=not_traded, units=1, status=400, code=4602)
    game_error(transfer_cargo, frigate, _client=client, tradeSymbol=good.symbol, units=1, shipSymbol=frigate,
               status=400, code=4233)

    probe = next(ship for ship in ok(get_my_ships, _client=client).data if ship.symbol != frigate)
    yard = probe.nav.waypoint_symbol
    shipyard = ok(get_shipyard, system, yard, _client=client).data
    sold_here = {offer.type for offer in shipyard.ship_types}
    not_sold = next(ship_type for ship_type in ShipType if ship_type not in sold_here)
    game_error(purchase_ship, _client=client, shipType=not_sold, waypointSymbol=yard, status=400, code=4605)
    yards = ok(get_system_waypoints, system, _client=client, traits=WaypointTraitSymbol.SHIPYARD).data
    unattended = next(w.symbol for w in yards if w.symbol not in (yard, home))
    sold_there = ok(get_shipyard, system, unattended, _client=client).data.ship_types
    game_error(purchase_ship, _client=client, shipType=sold_there[0].type, waypointSymbol=unattended,
               status=400, code=4245)

    game_error(navigate_ship, frigate, _client=client, waypointSymbol=yard, status=400, code=4236)
    ok(orbit_ship, frigate, _client=client)
    game_error(purchase_cargo, frigate, _client=client, symbol=good.symbol, units=1, status=400, code=4244)
    game_error(navigate_ship, frigate, _client=client, waypointSymbol=home, status=400, code=4204)
    # In transit: to the farthest waypoint listed, drifting, so that the flight outlasts the next call even on a
    # loaded machine (at speed 200 a cruise to the yard next door is over in a tenth of a second).
    here = ok(get_waypoint, system, yard, _client=client).data
    far = max(ok(get_system_waypoints, system, _client=client, limit=20).data,
              key=lambda w: (w.x - here.x) ** 2 + (w.y - here.y) ** 2)
    patch_nav(client, frigate, ShipNavFlightMode.DRIFT)
    ok(navigate_ship, frigate, _client=client, waypointSymbol=far.symbol)
    game_error(dock_ship, frigate, _client=client, status=400, code=4214)


def test_the_generated_clients_extra_body_keys_are_ignored(server: GameServerProcess) -> None:
    """Its request models add `additional_properties: {}` to every body; the real game ignores unknown keys."""
    body = PatchShipNavJsonBody(flightMode=ShipNavFlightMode.DRIFT)
    assert "additional_properties" in body.dict(by_alias=True)
    registered = register_agent(server, "EXTRAKEYS")
    client = sdk_client(server, registered.token)
    ok(orbit_ship, registered.ship.symbol, _client=client)
    nav, _, _ = patch_nav(client, registered.ship.symbol, ShipNavFlightMode.DRIFT)
    assert nav.flight_mode == ShipNavFlightMode.DRIFT
