"""A small in-memory SpaceTraders server for the API client's tests, served through `httpx.MockTransport`.

It speaks the real wire shapes (adapters/wire/models.py), keeps one agent's state, and can be told to misbehave
on the next matching request: answer 429 or 5xx, refuse the connection, or apply the call and then lose the
answer (dropped connection, timeout or 5xx after the change), which is what the no-double rule is about.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import msgspec

from adapters.wire import models as wire

SYSTEM = "X1-TEST"
HQ = "X1-TEST-A1"
OTHER = "X1-TEST-B2"
AGENT = "TESTER"


class FakeClock:
    """Manual time in epoch seconds: `sleep` only moves it forward and records the wait."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.t += seconds


class _Refusal(Exception):
    def __init__(self, status: int, code: int, message: str, data: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data or {}


@dataclass
class Fault:
    """What to do to the next request whose method and path match. Kinds: 429, 500, 502-html, connect-refused,
    drop-after (apply, then drop the connection), timeout-after (apply, then time out), 500-after (apply, then
    answer 500)."""

    kind: str
    method: str
    path: str
    retry_after: int = 1


def _ship(symbol: str, waypoint: str, role: str = "COMMAND", cargo_capacity: int = 40,
          fuel_capacity: int = 400, now: datetime | None = None) -> wire.Ship:
    now = now or datetime(2025, 1, 1, tzinfo=UTC)
    place = wire.ShipNavRouteWaypoint(symbol=waypoint, type="PLANET", system_symbol=SYSTEM, x=0, y=0)
    req = wire.ShipRequirements(power=1, crew=1, slots=1)
    return wire.Ship(
        symbol=symbol,
        registration=wire.ShipRegistration(name=symbol, faction_symbol="COSMIC", role=role),
        nav=wire.ShipNav(system_symbol=SYSTEM, waypoint_symbol=waypoint,
                         route=wire.ShipNavRoute(destination=place, origin=place, departure_time=now, arrival=now),
                         status="DOCKED", flight_mode="CRUISE"),
        crew=wire.ShipCrew(current=1, required=1, capacity=2, rotation="STRICT", morale=100, wages=0),
        frame=wire.ShipFrame(symbol="FRAME_FRIGATE", name="Frigate", description="", module_slots=8,
                             mounting_points=5, fuel_capacity=fuel_capacity, requirements=req, condition=1.0,
                             integrity=1.0),
        reactor=wire.ShipReactor(symbol="REACTOR_FISSION_I", name="Reactor", description="", power_output=31,
                                 requirements=req, condition=1.0, integrity=1.0),
        engine=wire.ShipEngine(symbol="ENGINE_ION_DRIVE_II", name="Engine", description="", speed=36,
                               requirements=req, condition=1.0, integrity=1.0),
        cooldown=wire.Cooldown(ship_symbol=symbol, total_seconds=0, remaining_seconds=0),
        modules=[], mounts=[],
        cargo=wire.ShipCargo(capacity=cargo_capacity, units=0, inventory=[]),
        fuel=wire.ShipFuel(current=fuel_capacity, capacity=fuel_capacity),
    )


@dataclass
class FakeGame:
    """The server's state and its request handler (`transport()` gives the MockTransport)."""

    clock: FakeClock
    skew: float = 0.0  # the server's clock runs this many seconds ahead of the client's
    credits: int = 175_000
    faults: list[Fault] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)
    applied: list[tuple[str, str]] = field(default_factory=list)  # mutating calls carried out
    ships: dict[str, wire.Ship] = field(default_factory=dict)
    goods: dict[str, dict[str, wire.MarketTradeGood]] = field(default_factory=dict)
    transactions: dict[str, list[wire.MarketTransaction]] = field(default_factory=dict)
    shipyard_transactions: list[wire.ShipyardTransaction] = field(default_factory=list)
    extra_waypoints: int = 0  # more waypoints, to make listings span pages
    hide_transactions: bool = False  # markets show no history (as if ours had scrolled out of the last 20)

    def __post_init__(self) -> None:
        self.ships = {f"{AGENT}-1": _ship(f"{AGENT}-1", HQ), f"{AGENT}-2": _ship(f"{AGENT}-2", OTHER, "SATELLITE", 0, 0)}
        self.goods = {
            HQ: {g.symbol: g for g in [
                wire.MarketTradeGood(symbol="IRON", type="EXPORT", trade_volume=10, supply="MODERATE",
                                     purchase_price=100, sell_price=50, activity="STRONG"),
                wire.MarketTradeGood(symbol="FUEL", type="EXCHANGE", trade_volume=100, supply="ABUNDANT",
                                     purchase_price=72, sell_price=68),
                wire.MarketTradeGood(symbol="COPPER", type="IMPORT", trade_volume=10, supply="SCARCE",
                                     purchase_price=300, sell_price=250, activity="WEAK"),
            ]},
            OTHER: {"IRON": wire.MarketTradeGood(symbol="IRON", type="IMPORT", trade_volume=10, supply="LIMITED",
                                                 purchase_price=220, sell_price=180, activity="GROWING")},
        }
        self.transactions = {HQ: [], OTHER: []}

    # --- test controls -------------------------------------------------------------------------------------------

    def fail_next(self, kind: str, method: str, path: str, retry_after: int = 1) -> None:
        """Misbehave on the next request matching `method` and the regular expression `path`."""
        self.faults.append(Fault(kind, method, path, retry_after))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now() + self.skew, UTC)

    def trades(self) -> list[wire.MarketTransaction]:
        return [t for txns in self.transactions.values() for t in txns if t.trade_symbol != "FUEL"]

    def cargo_units(self, ship: str, symbol: str) -> int:
        return sum(i.units for i in self.ships[ship].cargo.inventory if i.symbol == symbol)

    # --- the handler ---------------------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v2")
        self.log.append((request.method, path))
        fault = next((f for f in self.faults
                      if f.method == request.method and re.fullmatch(f.path, path)), None)
        if fault is not None:
            self.faults.remove(fault)
            if fault.kind == "429":
                body = {"error": {"code": 429, "message": "You have reached your API limit.",
                                  "data": {"type": "Account", "retryAfter": fault.retry_after}}}
                return self._respond(429, msgspec.json.encode(body), {"Retry-After": str(fault.retry_after)})
            if fault.kind == "500":
                return self._respond(500, b'{"error":{"code":3000,"message":"The server did not return a valid '
                                          b'response."}}')
            if fault.kind == "502-html":
                return self._respond(502, b"<html><body>502 Bad Gateway</body></html>",
                                     {"Content-Type": "text/html"})
            if fault.kind == "connect-refused":
                raise httpx.ConnectError("connection refused", request=request)
        response = self._route(request, path)
        if fault is not None and response.status_code < 400:
            if fault.kind == "drop-after":
                raise httpx.ReadError("connection reset by peer", request=request)
            if fault.kind == "timeout-after":
                raise httpx.ReadTimeout("timed out", request=request)
            if fault.kind == "500-after":
                return self._respond(500, b'{"error":{"code":3000,"message":"lost"}}')
        return response

    def _respond(self, status: int, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        base = {"Content-Type": "application/json", "X-Server-Time": self.now().isoformat()}
        return httpx.Response(status, content=content, headers={**base, **(headers or {})})

    def _route(self, request: httpx.Request, path: str) -> httpx.Response:
        try:
            if path != "/" and not path.startswith("/systems") and path != "/register":
                if request.headers.get("authorization") != "Bearer token-1":
                    raise _Refusal(401, 4103, "Missing Bearer token in the request.")
            body = msgspec.json.decode(request.content) if request.content else {}
            status, data = self._dispatch(request.method, path, request.url.params, body)
        except _Refusal as refusal:
            error = {"error": {"code": refusal.code, "message": refusal.message, "data": refusal.data,
                               "requestId": "req-1"}}
            return self._respond(refusal.status, msgspec.json.encode(error))
        if status == 204:
            return self._respond(204, b"")
        return self._respond(status, msgspec.json.encode(data))

    def _dispatch(self, method: str, path: str, params: httpx.QueryParams, body: dict) -> tuple[int, object]:
        ship_match = re.fullmatch(r"/my/ships/([^/]+)(?:/(\w+))?", path)
        if method == "GET" and path == "/":
            return 200, self._status()
        if method == "POST" and path == "/register":
            return 201, wire.Envelope(data=self._register(body))
        if method == "GET" and path == "/my/agent":
            return 200, wire.Envelope(data=self._agent())
        if path == "/my/ships":
            if method == "GET":
                return 200, self._page(list(self.ships.values()), params)
            return 201, wire.Envelope(data=self._purchase_ship(body["shipType"], body["waypointSymbol"]))
        if method == "GET" and path == "/my/contracts":
            return 200, self._page([self._contract()], params)
        if method == "GET" and path == "/market/supply-chain":
            return 200, wire.Envelope(data=wire.SupplyChainData(export_to_import_map={"IRON": ["IRON_ORE"]}))
        if ship_match:
            return self._ship_call(method, ship_match.group(1), ship_match.group(2), body)
        sys_match = re.fullmatch(r"/systems/([^/]+)(?:/waypoints(?:/([^/]+)(?:/(\w+))?)?)?", path)
        if method == "GET" and sys_match:
            return 200, self._systems_call(sys_match.group(1), sys_match.group(2), sys_match.group(3), params)
        raise _Refusal(404, 404, f"Cannot {method} {path}")

    # --- ships ---------------------------------------------------------------------------------------------------

    def _ship_call(self, method: str, symbol: str, action: str | None, body: dict) -> tuple[int, object]:
        if symbol not in self.ships:
            raise _Refusal(404, 404, f"Ship {symbol} not found")
        ship = self._arrive(symbol)
        if method == "GET":
            data = {None: ship, "cargo": ship.cargo, "nav": ship.nav}[action]
            return 200, wire.Envelope(data=data)
        if action in ("orbit", "dock"):
            if ship.nav.status == "IN_TRANSIT":
                raise _Refusal(400, 4214, "Ship is currently in-transit")
            ship.nav.status = "IN_ORBIT" if action == "orbit" else "DOCKED"
            return 200, wire.Envelope(data=wire.NavData(nav=ship.nav))
        if action == "nav" and method == "PATCH":
            ship.nav.flight_mode = body["flightMode"]
            return 200, wire.Envelope(data=wire.NavigateData(fuel=ship.fuel, nav=ship.nav))
        if action == "navigate":
            return 200, wire.Envelope(data=self._navigate(ship, body["waypointSymbol"]))
        if action in ("purchase", "sell"):
            return 201, wire.Envelope(data=self._trade(ship, action, body["symbol"], body["units"]))
        if action == "refuel":
            return 200, wire.Envelope(data=self._refuel(ship, body.get("units")))
        if action in ("transfer", "jettison"):
            symbol_key = "tradeSymbol" if action == "transfer" else "symbol"
            self._take_cargo(ship, body[symbol_key], body["units"])
            if action == "transfer":
                self._add_cargo(self.ships[body["shipSymbol"]], body[symbol_key], body["units"])
            self.applied.append((action, ship.symbol))
            return 200, wire.Envelope(data=wire.CargoData(cargo=ship.cargo))
        raise _Refusal(404, 404, f"Cannot {method} {action}")

    def _arrive(self, symbol: str) -> wire.Ship:
        ship = self.ships[symbol]
        if ship.nav.status == "IN_TRANSIT" and self.now() >= ship.nav.route.arrival:
            ship.nav.status = "IN_ORBIT"
        return ship

    def _navigate(self, ship: wire.Ship, destination: str) -> wire.NavigateData:
        if ship.nav.status != "IN_ORBIT":
            raise _Refusal(400, 4236 if ship.nav.status == "DOCKED" else 4214, "Ship is not in orbit")
        if destination == ship.nav.waypoint_symbol:
            raise _Refusal(400, 4204, "Ship is already at the destination")
        if ship.fuel.current < 10:
            raise _Refusal(400, 4203, "Ship requires more fuel", {"fuelRequired": 10})
        now = self.now()
        origin = ship.nav.route.destination
        ship.nav.route = wire.ShipNavRoute(
            origin=origin, departure_time=now, arrival=now + timedelta(seconds=60),
            destination=wire.ShipNavRouteWaypoint(symbol=destination, type="MOON", system_symbol=SYSTEM, x=3, y=4))
        ship.nav.waypoint_symbol = destination
        ship.nav.status = "IN_TRANSIT"
        ship.fuel.current -= 10
        ship.fuel.consumed = wire.FuelConsumed(amount=10, timestamp=now)
        self.applied.append(("navigate", ship.symbol))
        return wire.NavigateData(fuel=ship.fuel, nav=ship.nav)

    def _trade(self, ship: wire.Ship, action: str, symbol: str, units: int) -> wire.TradeData:
        if ship.nav.status != "DOCKED":
            raise _Refusal(400, 4244, "Ship is not docked")
        market = self.goods.get(ship.nav.waypoint_symbol)
        if market is None:
            raise _Refusal(400, 4603, "No market here")
        good = market.get(symbol)
        if good is None:
            raise _Refusal(400, 4601 if action == "purchase" else 4602, f"{symbol} is not traded here")
        if units > good.trade_volume:
            raise _Refusal(400, 4604, "Trade volume exceeded", {"tradeVolume": good.trade_volume})
        if action == "purchase":
            price = good.purchase_price
            if price * units > self.credits:
                raise _Refusal(400, 4600, "Insufficient credits")
            self._add_cargo(ship, symbol, units)
            self.credits -= price * units
            good.purchase_price += 5
        else:
            price = good.sell_price
            self._take_cargo(ship, symbol, units)
            self.credits += price * units
            good.sell_price -= 5
        txn = self._record(ship, symbol, "PURCHASE" if action == "purchase" else "SELL", units, price)
        self.applied.append((action, ship.symbol))
        return wire.TradeData(agent=self._agent(), cargo=ship.cargo, transaction=txn)

    def _refuel(self, ship: wire.Ship, units: int | None) -> wire.RefuelData:
        if ship.nav.status != "DOCKED":
            raise _Refusal(400, 4244, "Ship is not docked")
        fuel = self.goods.get(ship.nav.waypoint_symbol, {}).get("FUEL")
        if fuel is None:
            raise _Refusal(400, 4601, "No fuel here")
        wanted = units if units is not None else ship.fuel.capacity - ship.fuel.current
        market_units = math.ceil(wanted / 100)
        self.credits -= market_units * fuel.purchase_price
        ship.fuel.current = min(ship.fuel.capacity, ship.fuel.current + wanted)
        txn = self._record(ship, "FUEL", "PURCHASE", market_units, fuel.purchase_price)
        self.applied.append(("refuel", ship.symbol))
        return wire.RefuelData(agent=self._agent(), fuel=ship.fuel, transaction=txn)

    def _record(self, ship: wire.Ship, symbol: str, kind: str, units: int, price: int) -> wire.MarketTransaction:
        txn = wire.MarketTransaction(waypoint_symbol=ship.nav.waypoint_symbol, ship_symbol=ship.symbol,
                                     trade_symbol=symbol, type=kind, units=units, price_per_unit=price,
                                     total_price=price * units, timestamp=self.now())
        history = self.transactions.setdefault(ship.nav.waypoint_symbol, [])
        history.append(txn)
        del history[:-20]
        return txn

    def _add_cargo(self, ship: wire.Ship, symbol: str, units: int) -> None:
        if ship.cargo.units + units > ship.cargo.capacity:
            raise _Refusal(400, 4217, "Cargo exceeds capacity")
        item = next((i for i in ship.cargo.inventory if i.symbol == symbol), None)
        if item is None:
            ship.cargo.inventory.append(wire.ShipCargoItem(symbol=symbol, name=symbol, description="", units=units))
        else:
            item.units += units
        ship.cargo.units += units

    def _take_cargo(self, ship: wire.Ship, symbol: str, units: int) -> None:
        item = next((i for i in ship.cargo.inventory if i.symbol == symbol), None)
        if item is None:
            raise _Refusal(400, 4218, f"Ship does not hold {symbol}")
        if item.units < units:
            raise _Refusal(400, 4219, f"Ship holds only {item.units} {symbol}")
        item.units -= units
        ship.cargo.units -= units
        if item.units == 0:
            ship.cargo.inventory.remove(item)

    def _purchase_ship(self, ship_type: str, waypoint: str) -> wire.PurchaseShipData:
        if not any(s.nav.waypoint_symbol == waypoint and s.nav.status != "IN_TRANSIT" for s in self.ships.values()):
            raise _Refusal(400, 4245, "No ship of yours at the shipyard")
        price = 50_000
        if price > self.credits:
            raise _Refusal(400, 4216, "Insufficient credits", {"creditsAvailable": self.credits})
        self.credits -= price
        symbol = f"{AGENT}-{len(self.ships) + 1:X}"
        self.ships[symbol] = _ship(symbol, waypoint, "HAULER", 80, 600, self.now())
        txn = wire.ShipyardTransaction(waypoint_symbol=waypoint, ship_symbol=ship_type, ship_type=ship_type,
                                       price=price, agent_symbol=AGENT, timestamp=self.now())
        self.shipyard_transactions.append(txn)
        self.applied.append(("purchase_ship", symbol))
        return wire.PurchaseShipData(agent=self._agent(), ship=self.ships[symbol], transaction=txn)

    # --- agent, systems, markets ---------------------------------------------------------------------------------

    def _agent(self) -> wire.Agent:
        return wire.Agent(symbol=AGENT, headquarters=HQ, credits=self.credits, starting_faction="COSMIC",
                          ship_count=len(self.ships), account_id="acc-1")

    def _contract(self) -> wire.Contract:
        deadline = datetime(2030, 1, 1, tzinfo=UTC)
        return wire.Contract(id="c-1", faction_symbol="COSMIC", type="PROCUREMENT",
                             terms=wire.ContractTerms(deadline=deadline,
                                                      payment=wire.ContractPayment(on_accepted=1000,
                                                                                   on_fulfilled=9000)),
                             accepted=False, fulfilled=False, expiration=deadline)

    def _register(self, body: dict) -> wire.RegisterData:
        faction = wire.Faction(symbol=body["faction"], name="Cosmic", description="", traits=[],
                               is_recruiting=True)
        return wire.RegisterData(token="token-1", agent=self._agent(), contract=self._contract(), faction=faction,
                                 ships=list(self.ships.values()))

    def _status(self) -> wire.ServerStatus:
        return wire.ServerStatus(
            status="ok", version="v2.3.0", reset_date="2025-06-15", description="fake",
            stats=wire.ServerStats(agents=1, ships=2, systems=1, waypoints=2),
            leaderboards=wire.Leaderboards(most_credits=[], most_submitted_charts=[]),
            server_resets=wire.ServerResets(next="2025-06-29T00:00:00Z", frequency="weekly"),
            announcements=[], links=[])

    def _waypoints(self) -> list[wire.Waypoint]:
        def trait(symbol: str) -> wire.WaypointTrait:
            return wire.WaypointTrait(symbol=symbol, name=symbol, description="")
        points = [
            wire.Waypoint(symbol=HQ, type="PLANET", system_symbol=SYSTEM, x=0, y=0, orbitals=[],
                          traits=[trait("MARKETPLACE"), trait("SHIPYARD")], is_under_construction=False),
            wire.Waypoint(symbol=OTHER, type="MOON", system_symbol=SYSTEM, x=3, y=4, orbitals=[],
                          traits=[trait("MARKETPLACE")], is_under_construction=False),
        ]
        points += [wire.Waypoint(symbol=f"{SYSTEM}-X{i}", type="ASTEROID", system_symbol=SYSTEM, x=i, y=i,
                                 orbitals=[], traits=[], is_under_construction=False)
                   for i in range(self.extra_waypoints)]
        return points

    def _systems_call(self, system: str, waypoint: str | None, what: str | None,
                      params: httpx.QueryParams) -> object:
        if system != SYSTEM:
            raise _Refusal(404, 404, "System not found")
        points = self._waypoints()
        if waypoint is None and "page" not in params:
            return wire.Envelope(data=wire.System(
                symbol=SYSTEM, sector_symbol="X1", type="RED_STAR", x=0, y=0, factions=[],
                waypoints=[wire.SystemWaypoint(symbol=p.symbol, type=p.type, x=p.x, y=p.y, orbitals=[])
                           for p in points]))
        if waypoint is None:
            wanted = set(params.get_list("traits"))
            kind = params.get("type")
            chosen = [p for p in points if wanted <= {t.symbol for t in p.traits} and kind in (None, p.type)]
            return self._page(chosen, params)
        point = next((p for p in points if p.symbol == waypoint), None)
        if point is None:
            raise _Refusal(404, 404, "Waypoint not found")
        if what is None:
            return wire.Envelope(data=point)
        present = any(s.nav.waypoint_symbol == waypoint and s.nav.status != "IN_TRANSIT" for s in self.ships.values())
        if what == "market":
            if waypoint not in self.goods:
                raise _Refusal(400, 4603, "No market")
            goods = list(self.goods[waypoint].values())
            listing = [wire.TradeGood(symbol=g.symbol, name=g.symbol, description="") for g in goods]
            return wire.Envelope(data=wire.Market(
                symbol=waypoint, exports=listing, imports=[], exchange=[],
                trade_goods=[msgspec.structs.replace(g) for g in goods] if present else None,
                transactions=([] if self.hide_transactions else list(self.transactions.get(waypoint, [])))
                if present else None))
        if what == "shipyard":
            return wire.Envelope(data=wire.Shipyard(
                symbol=waypoint, ship_types=[wire.ShipyardShipType(type="SHIP_LIGHT_HAULER")], modifications_fee=0,
                transactions=list(self.shipyard_transactions) if present and not self.hide_transactions else None))
        raise _Refusal(404, 404, "Not found")

    @staticmethod
    def _page(items: list, params: httpx.QueryParams) -> wire.Page:
        page, limit = int(params.get("page", 1)), int(params.get("limit", 10))
        if not 1 <= limit <= 20:
            raise _Refusal(400, 3001, "limit must be within 1..20")
        return wire.Page(data=items[(page - 1) * limit: page * limit],
                         meta=wire.Meta(total=len(items), page=page, limit=limit))
