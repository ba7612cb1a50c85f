"""Every endpoint the game server answers (issue 8 item 1): path, auth, body type, and the one World call.

Paths are relative to the API base (`/v2`). Success codes follow game-api-facts §1: 201 for register, buying a
ship, buying and selling cargo, negotiating a contract and supplying a construction site; 200 for the rest; 204 for
a ship without cooldown.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from adapters.game_server import http_responses as responses
from adapters.game_server.http_responses import HttpResponse
from adapters.wire import models as wire

if TYPE_CHECKING:
    from adapters.game_server.world import World


class Auth(Enum):
    NONE = "none"  # the token is not looked at (GET /, POST /register: no account tokens offline)
    OPTIONAL = "optional"  # public reads; a valid agent token shows that agent's view (market prices)
    REQUIRED = "required"  # /my/** and /market/supply-chain: 401 4103 without a token


@dataclass(slots=True)
class Call:
    """What a handler gets: the caller, the path parameters, the decoded body and the query."""
    agent: str | None
    params: tuple[str, ...]
    body: Any = None
    query: dict[str, list[str]] | None = None
    page: int = 1
    limit: int = 10


Handler = Callable[["World", Call], HttpResponse]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    pattern: str
    handler: Handler
    auth: Auth = Auth.OPTIONAL
    body: type | None = None
    body_optional: bool = False
    paged: bool = False
    mutating: bool = False
    """A call that changes the world: eligible for the after-apply faults."""


def _status(world: "World", call: Call) -> HttpResponse:
    return responses.unwrapped(world.server_status())


def _register(world: "World", call: Call) -> HttpResponse:
    body: wire.RegisterRequest = call.body
    return responses.ok(world.register(body.symbol, body.faction, body.email), 201)


def _agent(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.agent(call.agent))


def _ships(world: "World", call: Call) -> HttpResponse:
    items, total = world.ships(call.agent, call.page, call.limit)
    return responses.page(items, total, call.page, call.limit)


def _purchase_ship(world: "World", call: Call) -> HttpResponse:
    body: wire.PurchaseShipRequest = call.body
    return responses.ok(world.purchase_ship(call.agent, body.ship_type, body.waypoint_symbol), 201)


def _ship(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.ship(call.agent, call.params[0]))


def _cargo(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.ship_cargo(call.agent, call.params[0]))


def _nav(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.ship_nav(call.agent, call.params[0]))


def _patch_nav(world: "World", call: Call) -> HttpResponse:
    # The spec's body is optional and so is its one field; an absent mode is the spec's default, CRUISE.
    body: wire.PatchNavRequest = call.body or wire.PatchNavRequest()
    return responses.ok(world.patch_nav(call.agent, call.params[0], body.flight_mode or "CRUISE"))


def _cooldown(world: "World", call: Call) -> HttpResponse:
    cooldown = world.ship_cooldown(call.agent, call.params[0])
    return responses.no_content() if cooldown is None else responses.ok(cooldown)


def _orbit(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.orbit(call.agent, call.params[0]))


def _dock(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.dock(call.agent, call.params[0]))


def _navigate(world: "World", call: Call) -> HttpResponse:
    body: wire.NavigateRequest = call.body
    return responses.ok(world.navigate(call.agent, call.params[0], body.waypoint_symbol))


def _refuel(world: "World", call: Call) -> HttpResponse:
    body: wire.RefuelRequest = call.body or wire.RefuelRequest()
    return responses.ok(world.refuel(call.agent, call.params[0], units=body.units,
                                     from_cargo=bool(body.from_cargo)))


def _purchase(world: "World", call: Call) -> HttpResponse:
    body: wire.TradeRequest = call.body
    return responses.ok(world.purchase_cargo(call.agent, call.params[0], body.symbol, body.units), 201)


def _sell(world: "World", call: Call) -> HttpResponse:
    body: wire.TradeRequest = call.body
    return responses.ok(world.sell_cargo(call.agent, call.params[0], body.symbol, body.units), 201)


def _transfer(world: "World", call: Call) -> HttpResponse:
    body: wire.TransferRequest = call.body
    return responses.ok(world.transfer(call.agent, call.params[0], body.trade_symbol, body.units,
                                       body.ship_symbol))


def _jettison(world: "World", call: Call) -> HttpResponse:
    body: wire.TradeRequest = call.body
    return responses.ok(world.jettison(call.agent, call.params[0], body.symbol, body.units))


def _contracts(world: "World", call: Call) -> HttpResponse:
    items, total = world.contracts(call.agent, call.page, call.limit)
    return responses.page(items, total, call.page, call.limit)


def _contract(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.contract(call.agent, call.params[0]))


def _accept_contract(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.accept_contract(call.agent, call.params[0]))


def _deliver_contract(world: "World", call: Call) -> HttpResponse:
    body: wire.DeliverContractRequest = call.body
    return responses.ok(world.deliver_contract(call.agent, call.params[0], body.ship_symbol, body.trade_symbol,
                                               body.units))


def _fulfill_contract(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.fulfill_contract(call.agent, call.params[0]))


def _negotiate_contract(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.negotiate_contract(call.agent, call.params[0]), 201)


def _construction(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.construction(call.params[0], call.params[1]))


def _supply_construction(world: "World", call: Call) -> HttpResponse:
    body: wire.SupplyConstructionRequest = call.body
    return responses.ok(world.supply_construction(call.agent, call.params[0], call.params[1], body.ship_symbol,
                                                  body.trade_symbol, body.units), 201)


def _systems(world: "World", call: Call) -> HttpResponse:
    items, total = world.systems(call.page, call.limit)
    return responses.page(items, total, call.page, call.limit)


def _system(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.system(call.params[0]))


def _waypoints(world: "World", call: Call) -> HttpResponse:
    query = call.query or {}
    types = query.get("type")
    # `traits` comes as repeated keys (OpenAPI form/explode); a comma list is accepted too.
    traits = [trait for value in query.get("traits", ()) for trait in value.split(",") if trait]
    # Both filters are enums in the spec: the real server refuses other values (422) instead of finding nothing.
    issues: dict[str, list[str]] = {}
    if types and types[-1] not in wire.WAYPOINT_TYPES:
        issues["type"] = [f"Invalid enum value '{types[-1]}': expected a WaypointType"]
    unknown = [trait for trait in traits if trait not in wire.WAYPOINT_TRAITS]
    if unknown:
        issues["traits"] = [f"Invalid enum value '{trait}': expected a WaypointTraitSymbol" for trait in unknown]
    if issues:
        return responses.unprocessable("Invalid query. " + "; ".join(f"{k}: {v[0]}" for k, v in issues.items()),
                                       issues)
    items, total = world.waypoints(call.params[0], call.page, call.limit, type=types[-1] if types else None,
                                   traits=traits or None)
    return responses.page(items, total, call.page, call.limit)


def _waypoint(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.waypoint(call.params[0], call.params[1]))


def _market(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.market(call.params[0], call.params[1], call.agent))


def _shipyard(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.shipyard(call.params[0], call.params[1], call.agent))


def _supply_chain(world: "World", call: Call) -> HttpResponse:
    return responses.ok(world.supply_chain())


_SHIP = "/my/ships/{ship}"
_WAYPOINT = "/systems/{system}/waypoints/{waypoint}"
_CONTRACT = "/my/contracts/{contract}"
_REQUIRED = Auth.REQUIRED

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/", _status, Auth.NONE),
    Endpoint("POST", "/register", _register, Auth.NONE, body=wire.RegisterRequest),
    Endpoint("GET", "/my/agent", _agent, _REQUIRED),
    Endpoint("GET", "/my/ships", _ships, _REQUIRED, paged=True),
    Endpoint("POST", "/my/ships", _purchase_ship, _REQUIRED, body=wire.PurchaseShipRequest, mutating=True),
    Endpoint("GET", _SHIP, _ship, _REQUIRED),
    Endpoint("GET", _SHIP + "/cargo", _cargo, _REQUIRED),
    Endpoint("GET", _SHIP + "/nav", _nav, _REQUIRED),
    Endpoint("PATCH", _SHIP + "/nav", _patch_nav, _REQUIRED, body=wire.PatchNavRequest, body_optional=True,
             mutating=True),
    Endpoint("GET", _SHIP + "/cooldown", _cooldown, _REQUIRED),
    Endpoint("POST", _SHIP + "/orbit", _orbit, _REQUIRED, mutating=True),
    Endpoint("POST", _SHIP + "/dock", _dock, _REQUIRED, mutating=True),
    Endpoint("POST", _SHIP + "/navigate", _navigate, _REQUIRED, body=wire.NavigateRequest, mutating=True),
    Endpoint("POST", _SHIP + "/refuel", _refuel, _REQUIRED, body=wire.RefuelRequest, body_optional=True,
             mutating=True),
    Endpoint("POST", _SHIP + "/purchase", _purchase, _REQUIRED, body=wire.TradeRequest, mutating=True),
    Endpoint("POST", _SHIP + "/sell", _sell, _REQUIRED, body=wire.TradeRequest, mutating=True),
    Endpoint("POST", _SHIP + "/transfer", _transfer, _REQUIRED, body=wire.TransferRequest, mutating=True),
    Endpoint("POST", _SHIP + "/jettison", _jettison, _REQUIRED, body=wire.TradeRequest, mutating=True),
    Endpoint("POST", _SHIP + "/negotiate/contract", _negotiate_contract, _REQUIRED, mutating=True),
    Endpoint("GET", "/my/contracts", _contracts, _REQUIRED, paged=True),
    Endpoint("GET", _CONTRACT, _contract, _REQUIRED),
    Endpoint("POST", _CONTRACT + "/accept", _accept_contract, _REQUIRED, mutating=True),
    Endpoint("POST", _CONTRACT + "/deliver", _deliver_contract, _REQUIRED, body=wire.DeliverContractRequest,
             mutating=True),
    Endpoint("POST", _CONTRACT + "/fulfill", _fulfill_contract, _REQUIRED, mutating=True),
    Endpoint("GET", "/systems", _systems, paged=True),
    Endpoint("GET", "/systems/{system}", _system),
    Endpoint("GET", "/systems/{system}/waypoints", _waypoints, paged=True),
    Endpoint("GET", _WAYPOINT, _waypoint),
    Endpoint("GET", _WAYPOINT + "/market", _market),
    Endpoint("GET", _WAYPOINT + "/shipyard", _shipyard),
    Endpoint("GET", _WAYPOINT + "/construction", _construction),
    Endpoint("POST", _WAYPOINT + "/construction/supply", _supply_construction, _REQUIRED,
             body=wire.SupplyConstructionRequest, mutating=True),
    Endpoint("GET", "/market/supply-chain", _supply_chain, _REQUIRED),
)
