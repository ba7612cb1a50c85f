"""FleetManager: the shared idle pool, and buying light haulers and probes when that pays.

A new agent has a frigate and a probe. Haulers make the money, probes keep prices fresh; both cost credits that
trading needs, so a purchase happens only when all of these hold:

- the agent keeps at least `credit_reserve` credits after paying the price seen at the shipyard, and at least
  `probe_min_credits` after paying for a probe: trading money comes first, a probe only watches prices;
- the fleet has fewer than `max_haulers` haulers (resp. `max_probes` probes);
- a hauler is bought only while opportunities wait for a ship, a probe only while a market lacks one;
- one of our ships is at a shipyard selling that type (prices are visible only then). When none is, the
  manager sends one there (a probe if one is free, else an idle ship whose fuel reaches it) and holds it with a
  lease until the purchase is done or no longer wanted.

Every purchase goes through the LedgerRecorder, which writes it to the ledger as SHIP_PURCHASE at once, so the
ledger's net keeps matching the change of the agent's credits. Like the scout, the manager never waits: the coordinator calls it every assignment cycle.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.game_errors import GameError, InsufficientCredits
from application.game_port import GamePort
from application.ledger_recorder import LedgerRecorder
from application.market_scout import is_probe
from application.metrics_port import Metrics, NullMetrics
from application.ports import Clock
from application.repositories import LedgerRepository, MoneyGate, ShipAssignmentRepository
from domain.agent import ShipyardOffer
from domain.errors import InvalidValue
from domain.fleet import ShipNavStatus, ShipRole, ShipSummary, ShipType
from domain.geometry import distance
from domain.ship_state import ShipState
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.trade import ShipPurchase
from domain.waypoint import WaypointInfo

_log = logging.getLogger(__name__)

# Operation ids of ships the fleet manager holds start with this, so `status` can tell them from workers.
POSITIONING_PREFIX = "fleet-position-"
PURCHASE_PREFIX = "fleet-purchase-"


def is_hauler(ship: ShipState) -> bool:
    """A ship registered as a hauler (SHIP_LIGHT_HAULER and bigger freighters)."""
    return ship.role is ShipRole.HAULER


@dataclass(frozen=True, slots=True)
class FleetConfig:
    """Defaults follow adapters/config/settings.py FleetSettings.

    `check_interval`: seconds between purchase checks (each reads the agent and a shipyard).
    `lease_seconds`: how long a ship sent to a shipyard is held before the lease must be renewed.
    `fuel_margin`: fuel a non-probe ship must keep beyond the direct hop to a shipyard.
    `probe_min_credits`: the least the agent keeps after buying a probe (the reserve, if higher).
    """

    credit_reserve: int = 60_000
    probe_min_credits: int = 250_000
    max_haulers: int = 4
    max_probes: int = 3
    hauler_type: ShipType = ShipType.SHIP_LIGHT_HAULER
    probe_type: ShipType = ShipType.SHIP_PROBE
    check_interval: float = 300.0
    lease_seconds: float = 1800.0
    fuel_margin: int = 10

    def __post_init__(self) -> None:
        if min(self.credit_reserve, self.max_haulers, self.max_probes, self.probe_min_credits) < 0:
            raise InvalidValue(f"fleet limits cannot be negative: {self}")
        object.__setattr__(self, "hauler_type", ShipType(self.hauler_type))
        object.__setattr__(self, "probe_type", ShipType(self.probe_type))


@dataclass(frozen=True, slots=True)
class FleetDecision:
    """What one purchase check concluded (for logs, status and tests)."""

    wanted: ShipType | None
    action: str  # "none", "bought", "positioning", "waiting", "too_expensive", "no_shipyard", "failed"
    detail: str = ""
    purchase: ShipPurchase | None = None


class FleetManager:
    """Knows which ships are idle, and grows the fleet when that pays."""

    def __init__(
        self,
        game: GamePort,
        assignments: ShipAssignmentRepository,
        ledger: LedgerRepository,
        clock: Clock,
        system: SystemSymbol | str,
        *,
        holder: str,
        config: FleetConfig | None = None,
        metrics: Metrics | None = None,
        logger: logging.Logger | None = None,
        gate: MoneyGate | None = None,
    ) -> None:
        self._game = game
        self._gate = gate
        self._assignments = assignments
        self._ledger = ledger
        self._clock = clock
        self.system = SystemSymbol(system)
        self.holder = holder
        self.config = config or FleetConfig()
        self._metrics = metrics or NullMetrics()
        self._log = logger or _log
        self._next_check: datetime | None = None
        self._shipyards: dict[WaypointSymbol, WaypointInfo] | None = None
        self._types_sold: dict[WaypointSymbol, frozenset[str]] = {}
        self._last_price: dict[str, int] = {}
        self._cargo_value = 0  # of the latest consider_purchase call (see there)
        self._positioning: dict[ShipSymbol, tuple[str, WaypointSymbol]] = {}  # ship -> (operation, shipyard)

    # --- the idle pool -------------------------------------------------------------------------

    def held_ships(self, now: datetime | None = None) -> set[ShipSymbol]:
        """Ships an operation holds under a live lease."""
        now = now or self._clock.now()
        return {a.ship for a in self._assignments.assigned() if a.lease_until > now}

    def idle_ships(self, ships: Iterable[ShipState] | None = None, now: datetime | None = None) -> list[ShipSummary]:
        """The shared idle pool: every ship with cargo capacity that no operation holds (a lease run out counts
        as free). `ships` saves a request when the caller already listed the fleet."""
        ships = self._game.ships() if ships is None else ships
        held = self.held_ships(now)
        return [ship.summary() for ship in ships if ship.cargo_capacity > 0 and ship.symbol not in held]

    # --- buying ships --------------------------------------------------------------------------

    def consider_purchase(
        self, ships: Sequence[ShipState], *, waiting_opportunities: int, probes_useful: int,
        cargo_value: int = 0,
    ) -> FleetDecision:
        """Buy one ship if the rules allow it now, or get a ship to a shipyard so a later call can.

        A ship is paid from net worth: the credits plus `cargo_value` (the cargo in the holds at known bids, money
        on its way back) must keep the reserve after the price, and the credits must cover the price itself.
        Runs at most once per `check_interval`; calls in between answer "none".
        """
        self._cargo_value = max(0, cargo_value)
        now = self._clock.now()
        if self._next_check is not None and now < self._next_check:
            return FleetDecision(None, "none", "checked recently")
        self._next_check = now + timedelta(seconds=self.config.check_interval)
        self._forget_positioning_done()
        wanted = self._wanted(ships, waiting_opportunities, probes_useful)
        if wanted is None:
            self._release_positioning()
            return FleetDecision(None, "none", "no ship wanted")
        try:
            return self._acquire(wanted, ships, now)
        except GameError as error:
            self._log.warning("fleet: buying a %s failed: %s", wanted, error)
            return FleetDecision(wanted, "failed", str(error))

    def _wanted(self, ships: Sequence[ShipState], waiting: int, probes_useful: int) -> ShipType | None:
        haulers = sum(1 for ship in ships if is_hauler(ship))
        probes = sum(1 for ship in ships if is_probe(ship))
        if waiting > 0 and haulers < self.config.max_haulers:
            return self.config.hauler_type
        if probes_useful > 0 and probes < self.config.max_probes:
            return self.config.probe_type
        return None

    def _acquire(self, wanted: ShipType, ships: Sequence[ShipState], now: datetime) -> FleetDecision:
        yards = self._yards_selling(wanted)
        if not yards:
            return FleetDecision(wanted, "no_shipyard", f"no shipyard in {self.system} sells {wanted}")
        present = {ship.waypoint for ship in ships if ship.nav_status is not ShipNavStatus.IN_TRANSIT}
        offers = [(yard, offer) for yard in sorted(yards & present)
                  if (offer := self._offer(yard, wanted)) is not None and offer.price > 0]
        if offers:
            yard, offer = min(offers, key=lambda pair: (pair[1].price, pair[0]))
            return self._buy_if_affordable(wanted, yard, offer.price)
        self._release_positioning(unless_at=yards)
        if self._positioning:
            return FleetDecision(wanted, "waiting", "a ship is on its way to a shipyard")
        credits = self._credits()
        floor = self.reserve_for(wanted) + self._last_price.get(wanted, 0)
        if credits + self._cargo_value <= floor or credits < self._last_price.get(wanted, 0):
            return FleetDecision(wanted, "too_expensive",
                                 f"{credits} credits, keeping {self.reserve_for(wanted)} in reserve")
        return self._send_ship_to(yards, wanted, ships, now)

    def reserve_for(self, wanted: ShipType) -> int:
        """The credits that must be left after buying a ship of type `wanted`."""
        if wanted == self.config.probe_type:
            return max(self.config.credit_reserve, self.config.probe_min_credits)
        return self.config.credit_reserve

    def _buy_if_affordable(self, wanted: ShipType, yard: WaypointSymbol, price: int) -> FleetDecision:
        self._last_price[wanted] = price
        credits = self._credits()
        reserve = self.reserve_for(wanted)
        if credits + self._cargo_value - price < reserve or credits < price:
            detail = (f"{wanted} costs {price} at {yard}; {credits} credits and {self._cargo_value} in cargo would "
                      f"leave less than the reserve of {reserve}")
            self._log.info("fleet: not buying: %s", detail)
            self._release_positioning()
            return FleetDecision(wanted, "too_expensive", detail)
        recorder = LedgerRecorder(self._game, self._ledger, PURCHASE_PREFIX + uuid.uuid4().hex[:12], self._metrics,
                                  gate=self._gate)
        try:
            purchase = recorder.purchase_ship(wanted, yard)  # the ledger row is written before this returns
        except InsufficientCredits as error:
            return FleetDecision(wanted, "too_expensive", str(error))
        self._release_positioning()
        self._log.info("fleet: bought %s %s at %s for %d credits", wanted, purchase.ship, yard, purchase.price)
        return FleetDecision(wanted, "bought", f"{purchase.ship} for {purchase.price}", purchase)

    def _credits(self) -> int:
        credits = self._game.agent().credits
        self._metrics.agent_credits(credits)
        return credits

    def _send_ship_to(
        self, yards: set[WaypointSymbol], wanted: ShipType, ships: Sequence[ShipState], now: datetime
    ) -> FleetDecision:
        """Hold the best free ship and send it to the nearest shipyard selling `wanted`."""
        held = self.held_ships(now)
        shipyards = self._shipyard_infos()
        candidates: list[tuple[tuple, ShipState, WaypointSymbol]] = []
        for ship in ships:
            if ship.symbol in held or ship.nav_status is ShipNavStatus.IN_TRANSIT:
                continue
            for yard in yards:
                gap = distance(ship.position, shipyards[yard].position)
                if gap == float("inf"):
                    continue
                if ship.needs_fuel and ship.fuel_current < round(gap) + self.config.fuel_margin:
                    continue
                # Probes first (they do nothing but watch), then ships without cargo, then the nearest.
                candidates.append(((not is_probe(ship), ship.cargo_capacity > 0, gap, ship.symbol, yard), ship, yard))
        if not candidates:
            return FleetDecision(wanted, "no_shipyard", "no free ship can reach a shipyard")
        _, ship, yard = min(candidates, key=lambda c: c[0])
        operation_id = POSITIONING_PREFIX + uuid.uuid4().hex[:12]
        lease_until = now + timedelta(seconds=self.config.lease_seconds)
        if not self._assignments.try_assign(ship.symbol, operation_id, self.holder, lease_until, now):
            return FleetDecision(wanted, "waiting", f"{ship.symbol} was taken meanwhile")
        try:
            if ship.nav_status is ShipNavStatus.DOCKED:
                self._game.orbit(ship.symbol)
            departure = self._game.navigate(ship.symbol, yard)
        except GameError:
            self._assignments.release(ship.symbol, operation_id)
            raise
        self._positioning[ship.symbol] = (operation_id, yard)
        self._assignments.set_activity(ship.symbol, f"flying to shipyard {yard} to buy a {wanted}", departure.arrival)
        self._log.info("fleet: sending %s to shipyard %s to buy a %s", ship.symbol, yard, wanted)
        return FleetDecision(wanted, "positioning", f"{ship.symbol} -> {yard}")

    def _forget_positioning_done(self) -> None:
        """Drop positioning records whose lease is gone (reclaimed or released elsewhere)."""
        held = {a.ship: a.operation_id for a in self._assignments.assigned()}
        for ship, (operation_id, _) in list(self._positioning.items()):
            if held.get(ship) != operation_id:
                del self._positioning[ship]

    def _release_positioning(self, unless_at: set[WaypointSymbol] | None = None) -> None:
        """Give back the ships held for a purchase, except those headed to a shipyard in `unless_at`."""
        for ship, (operation_id, yard) in list(self._positioning.items()):
            if unless_at is not None and yard in unless_at:
                continue
            self._assignments.release(ship, operation_id)
            del self._positioning[ship]

    # --- shipyards -----------------------------------------------------------------------------

    def _shipyard_infos(self) -> dict[WaypointSymbol, WaypointInfo]:
        if self._shipyards is None:
            self._shipyards = {w.symbol: w for w in self._game.waypoints(self.system) if w.is_shipyard}
        return self._shipyards

    def _yards_selling(self, wanted: ShipType) -> set[WaypointSymbol]:
        """Shipyards whose list includes `wanted` (types are listed even without a ship present)."""
        yards = set()
        for yard in self._shipyard_infos():
            if yard not in self._types_sold:
                try:
                    self._types_sold[yard] = frozenset(o.ship_type for o in self._game.shipyard(yard))
                except GameError as error:
                    self._log.warning("fleet: could not read shipyard %s: %s", yard, error)
                    continue
            if wanted in self._types_sold[yard]:
                yards.add(yard)
        return yards

    def _offer(self, yard: WaypointSymbol, wanted: ShipType) -> ShipyardOffer | None:
        return next((o for o in self._game.shipyard(yard) if o.ship_type == wanted), None)
