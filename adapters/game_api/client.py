"""The bot's client of the SpaceTraders v2 API: one method per call the bot needs, on one `httpx.Client`.

Every request
- waits for the account's shared `RateLimiter` at the call's priority (HIGH for actions, LOW for market and
  shipyard refreshes unless the caller says otherwise, NORMAL for the rest), and reports its answer's
  `x-ratelimit-*` headers back to it, so the limiter follows the server's policy and its pools;
- is retried with tenacity when a retry may help: 429 (after Retry-After, which also pauses every process through
  the limiter), 5xx, timeouts and dropped connections, with exponential backoff and jitter up to a cap. A 4xx that
  a retry cannot fix is raised at once as its typed error (errors.py);
- decodes its answer with msgspec into the wire Structs (adapters/wire/models.py), leniently;
- notes the server's time (`X-Server-Time`, else `Date`) so that callers can wait by the server's clock.

No doubled trades: the rule for a call whose answer was lost
------------------------------------------------------------
An answer is "lost" when the request may have reached the server but no success answer came back: a timeout or
a connection dropped after sending, or a 5xx. (A 429 or a connection refused means the server did nothing.)
A lost call that changes the game is never simply sent again. Before the next attempt, and once more if the
attempts run out, the client finds out whether it took effect:

- purchase / sell: read the ship's nav, then the market at its waypoint (our ship is there, so `transactions` are
  visible) and look for the newest transaction of this ship, good, type and units, stamped at or after the call's
  start (server time, less `reconcile_tolerance`), that this client has not already accounted for (so that a
  trade split into equal lots does not mistake the previous lot for the lost one). The newest, because the bot
  makes the money-moving calls of an account one at a time (application/ledger_recorder.py): another process's
  trade of the same kind can only be older than the lost call, never newer. Found: read cargo and agent and return
  a TradeData rebuilt from them around that real transaction (the price is exact). Not found: the cargo is the
  second witness. The client keeps the cargo it last saw for each ship (from every answer that carries one; it
  reads it once before a ship's first trade if it has none); if the re-read cargo still holds what it held before
  the call, the call did not happen and is sent again; if it shows the change (the transaction having scrolled out
  of the market's last 20, say), or anything else, OutcomeUnknown is raised rather than risking a double.
- refuel: the same search for a FUEL purchase by the ship; found: return fuel and agent re-read with it.
  Refuelling from cargo leaves no market transaction and is not repeated after a lost answer (OutcomeUnknown).
- navigate: re-read the ship; heading for that destination with a departure at or after the start means it
  happened (return its nav and fuel).
- purchase_ship: the fleet and the agent are read before buying; afterwards a new ship at that waypoint means it
  happened (the shipyard's transaction is returned, or one rebuilt from the credits spent).
- transfer / jettison: the sender's cargo before (as last seen, or read) and after say whether it happened.
- orbit, dock, patch_nav and every GET are idempotent and are simply repeated. register is never repeated after a
  lost answer.

When the outcome cannot be established, `OutcomeUnknown` is raised: the caller must re-read the state.
"""
from __future__ import annotations

import functools
import logging
import random
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
import msgspec
import tenacity
from tenacity import retry_if_exception, stop_after_attempt

from adapters.game_api.errors import (
    GameApiError,
    OutcomeUnknown,
    RateLimited,
    TransientError,
    TransportFailure,
    UnexpectedResponse,
    error_from_response,
)
from adapters.game_api.rate_limiter import Clock, Priority, RateLimiter, RateLimitInfo
from adapters.game_api.settings import GameApiSettings
from adapters.wire import models as wire

log = logging.getLogger(__name__)

T = TypeVar("T")

_KNOWN_TRANSACTIONS = 512


@functools.cache
def _decoder(typ: Any) -> msgspec.json.Decoder:
    """One decoder per wire type, reused."""
    return msgspec.json.Decoder(typ)


_encoder = msgspec.json.Encoder()


def system_of(waypoint: str) -> str:
    """The system symbol of a waypoint symbol (`X1-DF55-A1` -> `X1-DF55`)."""
    return waypoint.rsplit("-", 1)[0]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _transaction_key(txn: wire.MarketTransaction | wire.ShipyardTransaction) -> tuple:
    if isinstance(txn, wire.MarketTransaction):
        return (txn.ship_symbol, txn.trade_symbol, txn.type, txn.units, txn.total_price, _utc(txn.timestamp))
    return (txn.agent_symbol, txn.ship_type, txn.price, _utc(txn.timestamp))


class GameApiClient:
    """The game API, one method per call; see the module docstring for retries and lost answers.

    `limiter` is the account's shared limiter, required: a client with a private limiter would spend the account's
    budget behind the back of every other process (429s); the composition root (bootstrap.py) hands it out.
    `clock` defaults to the limiter's. Pass `http` to share an httpx.Client (its base URL and timeouts are then the
    caller's), or `transport` to test against `httpx.MockTransport` or an in-process `httpx.WSGITransport`.
    `on_retry(error, wait_seconds)` is called before each retry sleep (metrics).
    """

    def __init__(self, settings: GameApiSettings, limiter: RateLimiter, *,
                 clock: Clock | None = None, http: httpx.Client | None = None,
                 transport: httpx.BaseTransport | None = None,
                 on_retry: Callable[[GameApiError, float], None] | None = None,
                 rng: random.Random | None = None) -> None:
        self.settings = settings
        if limiter is None:
            raise TypeError("GameApiClient needs the account's shared RateLimiter (bootstrap.py builds it)")
        self.clock: Clock = clock or limiter.clock
        self.limiter = limiter
        self._owns_http = http is None
        self._http = http or httpx.Client(base_url=settings.base_url, timeout=settings.timeout(),
                                          transport=transport, headers={"Accept": "application/json"})
        self._token = settings.token
        self._on_retry = on_retry
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._known_order: deque[tuple] = deque()
        self._known: set[tuple] = set()
        self._cargo_seen: dict[str, wire.ShipCargo] = {}
        self._retrying = tenacity.Retrying(
            stop=stop_after_attempt(settings.max_attempts), wait=self._wait, sleep=self.clock.sleep,
            before_sleep=self._before_sleep, reraise=True)
        # Counters for metrics.
        self.retries = 0
        self.rate_limited = 0
        self.reconciliations = 0
        # The server's clock as last seen: its time, and its offset from ours in seconds.
        self.server_time: datetime | None = None
        self.clock_offset = 0.0

    # --- lifecycle and time ---------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the httpx client if this object made it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> GameApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def use_token(self, token: str | None) -> None:
        """Send `token` from now on (after registering)."""
        self._token = token

    def server_now(self) -> datetime:
        """Our estimate of the server's current time (our clock plus the offset last observed)."""
        return datetime.fromtimestamp(self.clock.now() + self.clock_offset, UTC)

    # --- server and agent ------------------------------------------------------------------------------------------

    def status(self) -> wire.ServerStatus:
        """GET / (not enveloped, no token sent)."""
        return self._run(lambda: self._decode(self._send("GET", "/", Priority.NORMAL, auth=False),
                                              wire.ServerStatus))

    def register(self, symbol: str, faction: str, email: str | None = None, *,
                 account_token: str | None = None) -> wire.RegisterData:
        """POST /register with the account token (or the current token). Not repeated after a lost answer."""
        body = _encoder.encode(wire.RegisterRequest(symbol=symbol, faction=faction, email=email))
        return self._run(lambda: self._data(self._send("POST", "/register", Priority.HIGH, body=body,
                                                       token=account_token), wire.RegisterData),
                         retry_lost=False)

    def agent(self, *, priority: Priority = Priority.NORMAL) -> wire.Agent:
        """GET /my/agent."""
        return self._get("/my/agent", wire.Agent, priority)

    def contracts(self, *, priority: Priority = Priority.NORMAL) -> list[wire.Contract]:
        """GET /my/contracts, every page."""
        return self._get_all("/my/contracts", wire.Contract, priority)

    def contract(self, contract_id: str, *, priority: Priority = Priority.NORMAL) -> wire.Contract:
        """GET /my/contracts/{id}."""
        return self._get(f"/my/contracts/{contract_id}", wire.Contract, priority)

    # Contract and construction actions are not repeated after a lost answer (a second delivery would hand over
    # the cargo twice): the caller re-reads the contract or the site to learn whether the first one happened.

    def accept_contract(self, contract_id: str) -> wire.ContractAgentData:
        """POST /my/contracts/{id}/accept: pays onAccepted."""
        return self._unrepeated(f"/my/contracts/{contract_id}/accept", wire.ContractAgentData)

    def deliver_contract(self, contract_id: str, ship: str, symbol: str, units: int) -> wire.DeliverContractData:
        """POST /my/contracts/{id}/deliver `units` of `symbol` from `ship`, docked at the destination."""
        body = _encoder.encode(wire.DeliverContractRequest(ship_symbol=ship, trade_symbol=symbol, units=units))
        data = self._unrepeated(f"/my/contracts/{contract_id}/deliver", wire.DeliverContractData, body)
        self._see_cargo(ship, data.cargo)
        return data

    def fulfill_contract(self, contract_id: str) -> wire.ContractAgentData:
        """POST /my/contracts/{id}/fulfill: pays onFulfilled."""
        return self._unrepeated(f"/my/contracts/{contract_id}/fulfill", wire.ContractAgentData)

    def negotiate_contract(self, ship: str) -> wire.Contract:
        """POST /my/ships/{ship}/negotiate/contract: a new offer (refused while another contract is open)."""
        return self._unrepeated(f"/my/ships/{ship}/negotiate/contract", wire.NegotiateContractData).contract

    def construction(self, waypoint: str, *, priority: Priority = Priority.NORMAL) -> wire.Construction:
        """GET /systems/{system}/waypoints/{waypoint}/construction."""
        return self._get(f"/systems/{system_of(waypoint)}/waypoints/{waypoint}/construction", wire.Construction,
                         priority)

    def supply_construction(self, waypoint: str, ship: str, symbol: str, units: int) -> wire.SupplyConstructionData:
        """POST .../construction/supply `units` of `symbol` from `ship`, docked at the site."""
        body = _encoder.encode(wire.SupplyConstructionRequest(ship_symbol=ship, trade_symbol=symbol, units=units))
        data = self._unrepeated(f"/systems/{system_of(waypoint)}/waypoints/{waypoint}/construction/supply",
                                wire.SupplyConstructionData, body)
        self._see_cargo(ship, data.cargo)
        return data

    def _unrepeated(self, path: str, typ: type[T], body: bytes | None = None) -> T:
        return self._run(lambda: self._data(self._send("POST", path, Priority.HIGH, body=body), typ),
                         retry_lost=False)

    def supply_chain(self, *, priority: Priority = Priority.NORMAL) -> wire.SupplyChainData:
        """GET /market/supply-chain."""
        return self._get("/market/supply-chain", wire.SupplyChainData, priority)

    # --- ships: reads ----------------------------------------------------------------------------------------------

    def ships(self, *, priority: Priority = Priority.NORMAL) -> list[wire.Ship]:
        """GET /my/ships, every page."""
        ships = self._get_all("/my/ships", wire.Ship, priority)
        for found in ships:
            self._see_cargo(found.symbol, found.cargo)
        return ships

    def ship(self, ship: str, *, priority: Priority = Priority.NORMAL) -> wire.Ship:
        """GET /my/ships/{ship}."""
        found = self._get(f"/my/ships/{ship}", wire.Ship, priority)
        self._see_cargo(ship, found.cargo)
        return found

    def cargo(self, ship: str, *, priority: Priority = Priority.NORMAL) -> wire.ShipCargo:
        """GET /my/ships/{ship}/cargo."""
        cargo = self._get(f"/my/ships/{ship}/cargo", wire.ShipCargo, priority)
        self._see_cargo(ship, cargo)
        return cargo

    def nav(self, ship: str, *, priority: Priority = Priority.NORMAL) -> wire.ShipNav:
        """GET /my/ships/{ship}/nav."""
        return self._get(f"/my/ships/{ship}/nav", wire.ShipNav, priority)

    # --- ships: idempotent actions ---------------------------------------------------------------------------------

    def orbit(self, ship: str) -> wire.NavData:
        """POST /my/ships/{ship}/orbit (idempotent)."""
        return self._post(f"/my/ships/{ship}/orbit", wire.NavData)

    def dock(self, ship: str) -> wire.NavData:
        """POST /my/ships/{ship}/dock (idempotent)."""
        return self._post(f"/my/ships/{ship}/dock", wire.NavData)

    def patch_nav(self, ship: str, flight_mode: str) -> wire.NavigateData:
        """PATCH /my/ships/{ship}/nav: set the flight mode (setting the same mode again changes nothing)."""
        body = _encoder.encode(wire.PatchNavRequest(flight_mode=flight_mode))  # type: ignore[arg-type]
        return self._run(lambda: self._data(self._send("PATCH", f"/my/ships/{ship}/nav", Priority.HIGH,
                                                       body=body), wire.NavigateData))

    # --- ships: actions reconciled after a lost answer -------------------------------------------------------------

    def navigate(self, ship: str, waypoint: str) -> wire.NavigateData:
        """POST /my/ships/{ship}/navigate to `waypoint` (same system)."""
        body = _encoder.encode(wire.NavigateRequest(waypoint_symbol=waypoint))
        since = self._since_start()

        def reconcile() -> wire.NavigateData | None:
            found = self.ship(ship, priority=Priority.HIGH)
            route = found.nav.route
            if route.destination.symbol == waypoint and _utc(route.departure_time) >= since():
                log.info("the answer to the navigation of %s to %s was lost; reconciled: it is on its way, arriving "
                         "%s", ship, waypoint, _utc(route.arrival).isoformat(timespec="seconds"))
                return wire.NavigateData(fuel=found.fuel, nav=found.nav, events=[])
            return None

        return self._reconciled(lambda: self._post(f"/my/ships/{ship}/navigate", wire.NavigateData, body=body,
                                                   once=True), reconcile)

    def purchase(self, ship: str, symbol: str, units: int) -> wire.TradeData:
        """POST /my/ships/{ship}/purchase: buy `units` of `symbol` from the market where the ship is docked."""
        return self._trade("purchase", "PURCHASE", ship, symbol, units)

    def sell(self, ship: str, symbol: str, units: int) -> wire.TradeData:
        """POST /my/ships/{ship}/sell: sell `units` of `symbol` to the market where the ship is docked."""
        return self._trade("sell", "SELL", ship, symbol, units)

    def refuel(self, ship: str, units: int | None = None, from_cargo: bool = False) -> wire.RefuelData:
        """POST /my/ships/{ship}/refuel: fill the tank (or add `units` ship fuel units)."""
        body = _encoder.encode(wire.RefuelRequest(units=units, from_cargo=True if from_cargo else None))
        since = self._since_start()

        def send() -> wire.RefuelData:
            data = self._post(f"/my/ships/{ship}/refuel", wire.RefuelData, body=body, once=True)
            self._remember(data.transaction)
            if data.cargo is not None:
                self._see_cargo(ship, data.cargo)
            return data

        def reconcile() -> wire.RefuelData | None:
            if from_cargo:
                raise OutcomeUnknown(f"refuel of {ship} from cargo: answer lost", path=f"/my/ships/{ship}/refuel")
            txn = self._find_market_transaction(ship, "FUEL", "PURCHASE", None, since)
            if txn is None:
                return None
            found = self.ship(ship, priority=Priority.HIGH)
            data = wire.RefuelData(agent=self.agent(priority=Priority.HIGH), fuel=found.fuel, transaction=txn)
            self._remember(txn)
            log.info("the answer to the refuel of %s was lost; reconciled: the market shows %d fuel units bought for "
                     "%d credits", ship, txn.units, txn.total_price)
            return data

        return self._reconciled(send, reconcile)

    def transfer(self, ship: str, symbol: str, units: int, to_ship: str) -> wire.CargoData:
        """POST /my/ships/{ship}/transfer `units` of `symbol` to `to_ship`; returns the sender's cargo."""
        body = _encoder.encode(wire.TransferRequest(trade_symbol=symbol, units=units, ship_symbol=to_ship))
        return self._cargo_change(ship, "transfer", body, symbol, units, to_ship)

    def jettison(self, ship: str, symbol: str, units: int) -> wire.CargoData:
        """POST /my/ships/{ship}/jettison `units` of `symbol`."""
        body = _encoder.encode(wire.TradeRequest(symbol=symbol, units=units))
        return self._cargo_change(ship, "jettison", body, symbol, units)

    def purchase_ship(self, ship_type: str, waypoint: str) -> wire.PurchaseShipData:
        """POST /my/ships: buy a ship of `ship_type` at the shipyard at `waypoint` (one of ours must be there)."""
        body = _encoder.encode(wire.PurchaseShipRequest(ship_type=ship_type, waypoint_symbol=waypoint))
        # Read before buying: after a lost answer, a ship not in this list says the purchase happened.
        fleet_before = {s.symbol for s in self.ships(priority=Priority.HIGH)}
        agent_before = self.agent(priority=Priority.HIGH)
        since = self._since_start()

        def send() -> wire.PurchaseShipData:
            data = self._post("/my/ships", wire.PurchaseShipData, body=body, once=True)
            self._remember(data.transaction)
            self._see_cargo(data.ship.symbol, data.ship.cargo)
            return data

        def reconcile() -> wire.PurchaseShipData | None:
            new = [s for s in self.ships(priority=Priority.HIGH)
                   if s.symbol not in fleet_before and s.nav.waypoint_symbol == waypoint]
            if not new:
                return None
            agent = self.agent(priority=Priority.HIGH)
            txn = self._find_shipyard_transaction(waypoint, agent.symbol, ship_type, since)
            if txn is None:
                # The shipyard's history did not show it: the credits spent are the price.
                txn = wire.ShipyardTransaction(
                    waypoint_symbol=waypoint, ship_symbol=ship_type, ship_type=ship_type,
                    price=agent_before.credits - agent.credits, agent_symbol=agent.symbol,
                    timestamp=self.server_now())
            self._remember(txn)
            log.info("the answer to the purchase of a %s at %s was lost; reconciled: the fleet has a new ship %s, "
                     "price %d credits (%s)", ship_type, waypoint, new[0].symbol, txn.price,
                     "the shipyard's transaction" if txn.ship_symbol != ship_type else "from the agent's credits")
            return wire.PurchaseShipData(agent=agent, ship=new[0], transaction=txn)

        return self._reconciled(send, reconcile)

    # --- systems, waypoints, markets, shipyards --------------------------------------------------------------------

    def system(self, system: str, *, priority: Priority = Priority.NORMAL) -> wire.System:
        """GET /systems/{system}."""
        return self._get(f"/systems/{system}", wire.System, priority)

    def waypoints(self, system: str, *, type: str | None = None, traits: list[str] | str | None = None,
                  priority: Priority = Priority.NORMAL) -> list[wire.Waypoint]:
        """GET /systems/{system}/waypoints, every page, filtered by type and traits (all must match)."""
        params: dict[str, Any] = {}
        if type is not None:
            params["type"] = type
        if traits:
            params["traits"] = [traits] if isinstance(traits, str) else list(traits)
        return self._get_all(f"/systems/{system}/waypoints", wire.Waypoint, priority, params)

    def waypoint(self, waypoint: str, *, priority: Priority = Priority.NORMAL) -> wire.Waypoint:
        """GET /systems/{system}/waypoints/{waypoint}."""
        return self._get(f"/systems/{system_of(waypoint)}/waypoints/{waypoint}", wire.Waypoint, priority)

    def market(self, waypoint: str, *, priority: Priority = Priority.LOW) -> wire.Market:
        """GET the market at `waypoint`; prices and transactions only while one of our ships is there.
        LOW by default (refreshes); pass HIGH when a trade waits on it."""
        return self._get(f"/systems/{system_of(waypoint)}/waypoints/{waypoint}/market", wire.Market, priority)

    def shipyard(self, waypoint: str, *, priority: Priority = Priority.LOW) -> wire.Shipyard:
        """GET the shipyard at `waypoint`; ships, prices and transactions only while one of our ships is there."""
        return self._get(f"/systems/{system_of(waypoint)}/waypoints/{waypoint}/shipyard", wire.Shipyard,
                         priority)

    # --- trades and cargo changes ----------------------------------------------------------------------------------

    def _trade(self, action: str, kind: str, ship: str, symbol: str, units: int) -> wire.TradeData:
        body = _encoder.encode(wire.TradeRequest(symbol=symbol, units=units))
        path = f"/my/ships/{ship}/{action}"
        before = self._units_before(ship, symbol)
        since = self._since_start()

        def send() -> wire.TradeData:
            data = self._post(path, wire.TradeData, body=body, once=True)
            self._remember(data.transaction)
            self._see_cargo(ship, data.cargo)
            return data

        def reconcile() -> wire.TradeData | None:
            txn = self._find_market_transaction(ship, symbol, kind, units, since)
            cargo = self.cargo(ship, priority=Priority.HIGH)
            if txn is None:
                held = _units_of(cargo, symbol)
                if held == before:
                    return None
                applied = held == (before + units if kind == "PURCHASE" else before - units)
                raise OutcomeUnknown(
                    f"{action} of {units} {symbol} by {ship}: answer lost, no transaction found, and the cargo went "
                    f"from {before} to {held}" + (" (it looks applied)" if applied else ""),
                    path=path, data={"applied": applied, "before": before, "after": held})
            data = wire.TradeData(agent=self.agent(priority=Priority.HIGH), cargo=cargo, transaction=txn)
            self._remember(txn)
            log.info("the answer to the %s of %d %s by %s was lost; reconciled: the market shows it happened at "
                     "%s for %d credits, the hold now has %d %s, the agent %d credits", action, units, symbol, ship,
                     _utc(txn.timestamp).isoformat(timespec="milliseconds"), txn.total_price,
                     _units_of(cargo, symbol), symbol, data.agent.credits)
            return data

        return self._reconciled(send, reconcile)

    def _cargo_change(self, ship: str, action: str, body: bytes, symbol: str, units: int,
                      to_ship: str | None = None) -> wire.CargoData:
        path = f"/my/ships/{ship}/{action}"
        before = self._units_before(ship, symbol)

        def send() -> wire.CargoData:
            data = self._post(path, wire.CargoData, body=body, once=True)
            self._see_cargo(ship, data.cargo)
            return data

        def reconcile() -> wire.CargoData | None:
            cargo = self.cargo(ship, priority=Priority.HIGH)
            now = _units_of(cargo, symbol)
            if now == before - units:
                return wire.CargoData(cargo=cargo)
            if now == before:
                return None
            raise OutcomeUnknown(f"{action} of {units} {symbol} from {ship}: answer lost and cargo went from "
                                 f"{before} to {now}", path=path)

        try:
            return self._reconciled(send, reconcile)
        finally:
            if to_ship is not None:
                self._forget_cargo(to_ship)  # its hold changed in a way no answer shows

    def _find_market_transaction(self, ship: str, symbol: str, kind: str, units: int | None,
                                 since: Callable[[], datetime]) -> wire.MarketTransaction | None:
        """The newest transaction of `ship` at its market matching the call, not yet accounted for. The caller
        accounts for it (`_remember`) only once it has built its answer: if a read fails on the way, the next
        reconciliation must find the same transaction again."""
        nav = self.nav(ship, priority=Priority.HIGH)
        market = self.market(nav.waypoint_symbol, priority=Priority.HIGH)
        start = since()
        for txn in sorted(market.transactions or [], key=lambda t: _utc(t.timestamp), reverse=True):
            if (txn.ship_symbol == ship and txn.trade_symbol == symbol and txn.type == kind
                    and (units is None or txn.units == units) and _utc(txn.timestamp) >= start
                    and not self._is_known(txn)):
                return txn
        return None

    def _find_shipyard_transaction(self, waypoint: str, agent: str, ship_type: str,
                                   since: Callable[[], datetime]) -> wire.ShipyardTransaction | None:
        shipyard = self.shipyard(waypoint, priority=Priority.HIGH)
        start = since()
        for txn in sorted(shipyard.transactions or [], key=lambda t: _utc(t.timestamp), reverse=True):
            if (txn.agent_symbol == agent and txn.ship_type == ship_type and _utc(txn.timestamp) >= start
                    and not self._is_known(txn)):
                return txn
        return None

    def _see_cargo(self, ship: str, cargo: wire.ShipCargo) -> None:
        with self._lock:
            self._cargo_seen[ship] = cargo

    def _forget_cargo(self, ship: str) -> None:
        with self._lock:
            self._cargo_seen.pop(ship, None)

    def _units_before(self, ship: str, symbol: str) -> int:
        """Units of `symbol` the ship holds before a call: as last seen by this client, else read now."""
        with self._lock:
            cargo = self._cargo_seen.get(ship)
        if cargo is None:
            cargo = self.cargo(ship, priority=Priority.HIGH)
        return _units_of(cargo, symbol)

    def _is_known(self, txn: wire.MarketTransaction | wire.ShipyardTransaction) -> bool:
        with self._lock:
            return _transaction_key(txn) in self._known

    def _remember(self, txn: wire.MarketTransaction | wire.ShipyardTransaction) -> None:
        """Account for a transaction this client has reported, so that it never reports it again."""
        key = _transaction_key(txn)
        with self._lock:
            if key in self._known:
                return
            self._known.add(key)
            self._known_order.append(key)
            if len(self._known_order) > _KNOWN_TRANSACTIONS:
                self._known.discard(self._known_order.popleft())

    def _since_start(self) -> Callable[[], datetime]:
        """The call's start in server time, less the tolerance, as a function: it is converted with the clock
        offset known when it is read, so that the reconciliation's own reads (which note the server's time)
        correct it even when the lost call was the first one."""
        start = self.clock.now()
        tolerance = self.settings.reconcile_tolerance
        return lambda: datetime.fromtimestamp(start + self.clock_offset - tolerance, UTC)

    def _reconciled(self, send: Callable[[], T], reconcile: Callable[[], T | None]) -> T:
        """Run `send` with retries; after a lost answer, ask `reconcile` whether it happened before sending again."""
        lost = False

        def attempt() -> T:
            nonlocal lost
            if lost:
                self.reconciliations += 1
                found = reconcile()
                if found is not None:
                    lost = False
                    return found
                log.info("an answer was lost; the game shows the call did not happen: sending it again")
                lost = False
            try:
                return send()
            except TransientError as exc:
                lost = lost or exc.maybe_applied
                raise

        try:
            return self._run(attempt)
        except TransientError as exc:
            if not lost:
                raise
            self.reconciliations += 1
            try:
                found = reconcile()
            except TransientError as again:
                raise OutcomeUnknown(f"answer lost and the outcome could not be read back: {again}",
                                     path=exc.path) from exc
            if found is not None:
                return found
            raise

    # --- one request -----------------------------------------------------------------------------------------------

    def _get(self, path: str, typ: type[T], priority: Priority, params: dict[str, Any] | None = None) -> T:
        return self._run(lambda: self._data(self._send("GET", path, priority, params=params), typ))

    def _post(self, path: str, typ: type[T], *, body: bytes | None = None, once: bool = False) -> T:
        """POST an action at HIGH priority; `once` sends a single attempt (the caller handles retries)."""
        def attempt() -> T:
            return self._data(self._send("POST", path, Priority.HIGH, body=body), typ)
        return attempt() if once else self._run(attempt)

    def _get_all(self, path: str, typ: type[T], priority: Priority,
                 params: dict[str, Any] | None = None) -> list[T]:
        items: list[T] = []
        page = 1
        while True:
            query = {**(params or {}), "page": page, "limit": self.settings.page_limit}
            result = self._run(lambda: self._decode(self._send("GET", path, priority, params=query),
                                                    wire.Page[typ]))  # type: ignore[valid-type]
            items.extend(result.data)
            if not result.data or len(items) >= result.meta.total:
                return items
            page += 1

    def _run(self, attempt: Callable[[], T], *, retry_lost: bool = True) -> T:
        """Call `attempt` until it succeeds, a non-retryable error occurs or the attempts run out.
        With `retry_lost=False`, a failure that may have been applied is not retried."""
        def retryable(exc: BaseException) -> bool:
            return isinstance(exc, TransientError) and (retry_lost or not exc.maybe_applied)
        return self._retrying.copy(retry=retry_if_exception(retryable))(attempt)

    def _send(self, method: str, path: str, priority: Priority, *, params: dict[str, Any] | None = None,
              body: bytes | None = None, auth: bool = True, token: str | None = None) -> httpx.Response:
        """One HTTP exchange: wait for the limiter, send, map failures to typed errors."""
        grant = self.limiter.acquire(priority)
        headers: dict[str, str] = {}
        bearer = token or self._token
        if auth and bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self._http.request(method, path, params=params, content=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            self.limiter.observe(grant, None)
            raise TransportFailure(f"{method} {path}: {type(exc).__name__}: {exc}", request_sent=False,
                                   path=path) from exc
        except httpx.TransportError as exc:
            self.limiter.observe(grant, None)
            raise TransportFailure(f"{method} {path}: {type(exc).__name__}: {exc}", request_sent=True,
                                   path=path) from exc
        except BaseException:
            self.limiter.observe(grant, None)
            raise
        self._note_server_time(response.headers)
        self.limiter.observe(grant, RateLimitInfo.from_headers(response.headers), server_offset=self.clock_offset)
        if response.status_code >= 400:
            error = error_from_response(response.status_code, response.content, response.headers, path)
            if isinstance(error, RateLimited):
                self.rate_limited += 1
                self.limiter.pause_until(self.clock.now() + self._retry_after(error))
            raise error
        return response

    def _data(self, response: httpx.Response, typ: type[T]) -> T:
        return self._decode(response, wire.Envelope[typ]).data  # type: ignore[valid-type]

    def _decode(self, response: httpx.Response, typ: Any) -> Any:
        try:
            return _decoder(typ).decode(response.content)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise UnexpectedResponse(f"{response.request.method} {response.request.url.path}: {exc}",
                                     status=response.status_code, path=response.request.url.path) from exc

    def _note_server_time(self, headers: httpx.Headers) -> None:
        moment: datetime | None = None
        raw = headers.get("x-server-time")
        if raw:
            try:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                moment = None
        if moment is None and headers.get("date"):
            try:
                moment = parsedate_to_datetime(headers["date"])
            except (TypeError, ValueError, IndexError):
                moment = None
        if moment is not None:
            moment = _utc(moment)
            self.server_time = moment
            self.clock_offset = moment.timestamp() - self.clock.now()

    # --- retry policy ----------------------------------------------------------------------------------------------

    def _retry_after(self, error: RateLimited) -> float:
        wait = error.retry_after if error.retry_after is not None else 1.0
        return min(wait, self.settings.retry_after_cap)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, RateLimited):
            return self._retry_after(error)
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_initial * 2 ** (state.attempt_number - 1))
        return self._rng.uniform(ceiling / 2, ceiling)

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        self.retries += 1
        # INFO: a retry is routine; a command that then succeeds prints nothing of it (the daemon logs it).
        log.info("game API: %s; trying again in %.1f s (attempt %d of %d)", describe_failure(error), wait,
                 state.attempt_number + 1, self.settings.max_attempts)
        if self._on_retry is not None and isinstance(error, GameApiError):
            self._on_retry(error, wait)


def describe_failure(error: BaseException | None) -> str:
    """A failed request as a sentence (no Python repr, no HTML page)."""
    if not isinstance(error, GameApiError):
        return "the request failed" if error is None else f"the request failed: {error}"
    where = error.path or "the request"
    if isinstance(error, RateLimited):
        return f"{where} was refused for the rate limit (429)"
    if isinstance(error, TransportFailure):
        detail = error.message.split(": ", 2)[-1] if ": " in error.message else error.message
        return f"{where} got no complete answer ({detail.rstrip('.')})"
    message = error.message
    if "<html" in message.lower() or not message.strip():
        message = ""
    first = message.split(". ")[0].rstrip(".") if message else ""
    status = f"answered {error.status}" if error.status else "failed"
    return f"{where}: the game {status}" + (f": {first}" if first else "")


def _units_of(cargo: wire.ShipCargo, symbol: str) -> int:
    return sum(item.units for item in cargo.inventory if item.symbol == symbol)
