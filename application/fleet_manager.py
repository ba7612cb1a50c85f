"""FleetManager: the shared idle pool, and buying light haulers and probes when that pays.

A new agent has a frigate and a probe. Haulers make the money, probes keep prices fresh; both cost credits that
trading needs. A hauler is wanted when all of these hold:

- opportunities wait for a ship (the coordinator counts them) and the fleet has fewer than `max_haulers` haulers
  (a safety cap; the return decides);
- it pays back: its price over the measured return (profit per hour of a ship's time over the runs finished in
  the last `return_window`, see application/fleet_returns.py) is at most `payback`. An agent with no run finished
  in that window buys its first hauler on the price signal instead: the best lot margin of the work no ship does,
  counted as earned once per `signal_run_time`; with a hauler already and nothing measured, it waits for results;
- the last hauler paid: each purchase is a trial. For `trial_period` after a hauler is bought no other is; then the
  fleet's profit per hour over the last `trial_period` must have risen over the `trial_period` before that purchase
  by enough to pay the next price back within `payback`. The average return says what a ship earns; this says what
  one more earns, which in a system whose lanes are all worked is about nothing (a bench bought 7 haulers where 2
  earned as much). The last purchase is read from the ledger, so a restart keeps the trial. A `trial_period` of 0
  turns the trial off.

A probe is wanted while a market worth watching lacks one (the scout counts them) and the fleet has fewer than
`max_probes`. While a hauler is wanted but its price cannot be paid yet, a probe is bought meanwhile only while the
fleet has fewer than `saving_probes_per_ship` probes per cargo ship: the first probes are cheap and make every run
better informed, more of them would keep delaying the hauler that earns.

Money: the agent keeps at least `credit_reserve` after paying the price seen at the shipyard, and at least
`probe_min_credits` after paying for a probe (trading money comes first, a probe only watches prices); cargo in the
holds counts toward those, but the cash left must still fill every ship's tank and cover what running jobs were
allotted and may still spend (the account's one budget keeps both; the coordinator brings the figures). Prices are
visible only where one of our ships is at a shipyard selling that type; when none is, the manager sends one there
(a probe if one is free, else an idle ship whose fuel reaches it) and holds it with a lease until the purchase is
done or no longer wanted. Each purchase raises the next price; the payback test sees the price of the moment.

Every purchase goes through the LedgerRecorder, which writes it to the ledger as SHIP_PURCHASE at once, so the
ledger's net keeps matching the change of the agent's credits. Like the scout, the manager never waits: the
coordinator calls it every assignment cycle. Each check's decision is logged as one sentence saying why.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from application.game_errors import GameError, InsufficientCredits
from application.fleet_returns import fleet_rate, measured_return
from application.game_port import GamePort
from application.ledger_recorder import LedgerRecorder
from application.market_scout import is_probe
from application.metrics_port import Metrics, NullMetrics
from application.ports import Clock
from application.repositories import LedgerRepository, MoneyGate, ShipAssignmentRepository
from application.worker_jobs import WorkerResult
from domain.agent import ShipyardOffer
from domain.errors import InvalidValue
from domain.fleet import ShipNavStatus, ShipRole, ShipSummary, ShipType
from domain.geometry import distance
from domain.goods import TradeSymbol
from domain.ledger import TransactionCategory, TransactionType
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
    """Defaults follow adapters/config/settings.py FleetSettings. Durations are seconds of the injected clock.

    `payback`: the longest a hauler may take to earn its price back at the measured return.
    `return_window`: runs finished this long ago or less make the measured return.
    `signal_run_time`: how often the price signal's lot is assumed earned before any run is measured (one game
      hour: longer than a buy-and-sell trip at the median distance, two legs of ~7 minutes, so it errs low).
    `saving_probes_per_ship`: probes per cargo ship bought while a hauler that would pay is wanted but unaffordable.
    `check_interval`: seconds between purchase checks (each reads the agent and a shipyard).
    `lease_seconds`: how long a ship sent to a shipyard is held before the lease must be renewed.
    `fuel_margin`: fuel a non-probe ship must keep beyond the direct hop to a shipyard.
    `probe_min_credits`: the least the agent keeps after buying a probe (the reserve, if higher).
    """

    credit_reserve: int = 60_000
    probe_min_credits: int = 100_000
    max_haulers: int = 30
    max_probes: int = 40
    payback: float = 3 * 3600.0
    return_window: float = 3 * 3600.0
    signal_run_time: float = 3600.0
    trial_period: float = 3600.0
    saving_probes_per_ship: int = 2
    hauler_type: ShipType = ShipType.SHIP_LIGHT_HAULER
    probe_type: ShipType = ShipType.SHIP_PROBE
    check_interval: float = 300.0
    lease_seconds: float = 1800.0
    fuel_margin: int = 10

    def __post_init__(self) -> None:
        if min(self.credit_reserve, self.max_haulers, self.max_probes, self.probe_min_credits,
               self.saving_probes_per_ship) < 0:
            raise InvalidValue(f"fleet limits cannot be negative: {self}")
        if min(self.payback, self.return_window, self.signal_run_time) <= 0 or self.trial_period < 0:
            raise InvalidValue(f"fleet spans must be positive: {self}")
        object.__setattr__(self, "hauler_type", ShipType(self.hauler_type))
        object.__setattr__(self, "probe_type", ShipType(self.probe_type))


@dataclass(frozen=True, slots=True)
class FleetDecision:
    """What one purchase check concluded (for logs, status and tests)."""

    wanted: ShipType | None
    # "none", "bought", "positioning", "waiting", "too_expensive", "poor_return", "no_shipyard", "failed"
    action: str
    detail: str = ""
    purchase: ShipPurchase | None = None


@dataclass(frozen=True, slots=True)
class _HaulerReturn:
    """What a hauler would earn per second of its time: measured, or else the price signal's estimate."""

    per_second: float
    source: str  # a phrase for the log: where the figure comes from

    def payback_seconds(self, price: int) -> float:
        return price / self.per_second if self.per_second > 0 else float("inf")


@dataclass(frozen=True, slots=True)
class _Want:
    """A ship type a check may buy, and what the hauler's payback test needs (None for a probe)."""

    ship_type: ShipType
    why: str
    returns: _HaulerReturn | None = None


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
        self._fuel_money = 0  # likewise
        self._committed = 0  # likewise
        self._positioning: dict[ShipSymbol, tuple[str, WaypointSymbol]] = {}  # ship -> (operation, shipyard)
        self._hauler_bought_at: tuple[datetime | None] | None = None  # (when the last hauler was bought,), once read

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
        cargo_value: int = 0, results: Iterable[WorkerResult] = (), waiting_lot_profit: int | None = None,
        fuel_money: int = 0, committed: Callable[[], int] = lambda: 0,
    ) -> FleetDecision:
        """Buy one ship if the rules allow it now, or get a ship to a shipyard so a later call can.

        A ship is paid from net worth: the credits plus `cargo_value` (the cargo in the holds at known bids, money
        on its way back) must keep the reserve after the price, and the credits must cover the price itself and
        still leave `fuel_money`, what fills every ship's tank (application/fuel_money.py: cargo cannot be sold
        without fuel), and what `committed` answers, what running jobs were allotted and may still spend
        (application/account_budget.py: the account's one budget promised it to them; it reads their ledger rows,
        so it is asked only when a check runs).
        `results` are the runs the coordinator collected (older ones too: the return window picks), and
        `waiting_lot_profit` the price signal of the work no ship does (application/fleet_returns.py); they decide
        whether a hauler pays back. Runs at most once per `check_interval`; calls in between answer "none".
        """
        self._cargo_value = max(0, cargo_value)
        self._fuel_money = max(0, fuel_money)
        now = self._clock.now()
        if self._next_check is not None and now < self._next_check:
            return FleetDecision(None, "none", "checked recently")
        self._committed = max(0, committed())
        self._next_check = now + timedelta(seconds=self.config.check_interval)
        self._forget_positioning_done()
        wants, why_not = self._wants(ships, waiting_opportunities, probes_useful, results, waiting_lot_profit, now)
        if not wants:
            self._release_positioning()
            self._log.info("fleet: buying no ship: %s", why_not)
            return FleetDecision(None, "none", why_not)
        decision = self._try_wants(wants, ships, now)
        if why_not:
            decision = replace(decision, detail=f"{decision.detail}; {why_not}")
        self._log.info("fleet: %s", decision.detail)
        return decision

    def _try_wants(self, wants: list[_Want], ships: Sequence[ShipState], now: datetime) -> FleetDecision:
        """The first want that can go ahead; a probe after a hauler too dear yet only within the saving limit."""
        decision: FleetDecision | None = None
        for want in wants:
            if want.ship_type == self.config.probe_type and decision is not None \
                    and decision.action == "too_expensive":
                cargo_ships = sum(1 for ship in ships if ship.cargo_capacity > 0)
                probes = sum(1 for ship in ships if is_probe(ship))
                if probes >= self.config.saving_probes_per_ship * cargo_ships:
                    return replace(decision, detail=f"{decision.detail}; no probe meanwhile: {probes} probe(s) "
                                                    f"for {cargo_ships} cargo ship(s) while saving for the hauler")
            try:
                attempt = self._acquire(want, ships, now)
            except GameError as error:
                self._log.warning("fleet: buying a %s failed: %s", want.ship_type, error)
                return FleetDecision(want.ship_type, "failed", f"buying a {want.ship_type} failed: {error}")
            if decision is not None:
                attempt = replace(attempt, detail=f"{decision.detail}; {attempt.detail}")
            decision = attempt
            if attempt.action not in ("too_expensive", "poor_return"):
                break
        assert decision is not None  # wants is never empty here
        return decision

    def _wants(
        self, ships: Sequence[ShipState], waiting: int, probes_useful: int, results: Iterable[WorkerResult],
        signal: int | None, now: datetime,
    ) -> tuple[list[_Want], str]:
        """The ship types worth buying, hauler first, and a sentence on those that are not."""
        haulers = sum(1 for ship in ships if is_hauler(ship))
        probes = sum(1 for ship in ships if is_probe(ship))
        wants: list[_Want] = []
        reasons: list[str] = []
        if waiting <= 0:
            reasons.append("no hauler: no work waits for a ship")
        elif haulers >= self.config.max_haulers:
            reasons.append(f"no hauler: {haulers} already, the most allowed")
        else:
            returns, why = self._hauler_return(haulers, results, signal, now)
            if returns is None:
                reasons.append(f"no hauler: {why}")
            else:
                wants.append(_Want(self.config.hauler_type, f"{waiting} opportunities wait for a ship", returns))
        if probes_useful <= 0:
            reasons.append("no probe: every market worth watching has one")
        elif probes >= self.config.max_probes:
            reasons.append(f"no probe: {probes} already, the most allowed")
        else:
            wants.append(_Want(self.config.probe_type, f"{probes_useful} market(s) worth watching lack a probe"))
        return wants, "; ".join(reasons)

    def _hauler_return(
        self, haulers: int, results: Iterable[WorkerResult], signal: int | None, now: datetime
    ) -> tuple[_HaulerReturn | None, str]:
        """What another hauler would earn per second: measured over the return window, else (first hauler only)
        the price signal; None with the reason when there is nothing to pay it back with."""
        window = self.config.return_window
        results = list(results)
        trial = self._last_trial(results, now)
        if trial is not None:
            return trial
        measured = measured_return(results, since=now - timedelta(seconds=window))
        if measured is not None:
            source = (f"{measured.runs} run(s) finished in the last {window / 3600:.2f} h earned "
                      f"{measured.per_ship_hour:,.0f} per ship-hour")
            if measured.profit <= 0:
                return None, source
            return _HaulerReturn(measured.per_ship_second, source), ""
        if haulers > 0:
            return None, f"no run finished in the last {window / 3600:.2f} h to measure a hauler's return by"
        if signal is None or signal <= 0:
            return None, "no run measured yet and no waiting work with a known margin"
        per_run = self.config.signal_run_time
        source = (f"no run measured yet, so the first hauler goes by the price signal: the best waiting lot earns "
                  f"{signal:,}, counted once per {per_run / 3600:.2f} h")
        return _HaulerReturn(signal / per_run, source), ""

    def _last_trial(self, results: list[WorkerResult], now: datetime) -> tuple[_HaulerReturn | None, str] | None:
        """What the last hauler bought added to the fleet's profit per hour, as the return of the next one; None
        when no hauler was ever bought (the measured return, or the price signal, decides the first)."""
        if self.config.trial_period == 0:
            return None  # the trial is off: the average return decides every purchase
        bought = self._last_hauler_bought()
        if bought is None:
            return None
        trial = timedelta(seconds=self.config.trial_period)
        if now - bought < trial:
            return None, (f"the last hauler, bought {(now - bought).total_seconds() / 3600:.2f} h ago, is on trial "
                          f"for {trial.total_seconds() / 3600:.2f} h")
        # Nothing finished before a purchase (the first hauler, bought on the price signal) counts as earning 0.
        before = fleet_rate(results, since=bought - trial, until=bought)
        after = fleet_rate(results, since=now - trial, until=now)
        source = (f"the fleet earned {after:,.0f} an hour over the last {trial.total_seconds() / 3600:.2f} h against "
                  f"{before:,.0f} before the last hauler")
        if after <= before:
            return None, f"{source}: the last hauler added nothing"
        return _HaulerReturn((after - before) / 3600, source), ""

    def _last_hauler_bought(self) -> datetime | None:
        """When the latest hauler was bought: read from the ledger once (its SHIP_PURCHASE rows name the type), so
        that a restart keeps the trial, then kept as this manager buys."""
        if self._hauler_bought_at is None:
            row = self._ledger.latest(TransactionCategory.SHIP_PURCHASE, TransactionType.DEBIT,
                                      good=TradeSymbol.parse(str(self.config.hauler_type)))
            self._hauler_bought_at = (None if row is None else row.occurred_at,)
        return self._hauler_bought_at[0]

    def _acquire(self, want: _Want, ships: Sequence[ShipState], now: datetime) -> FleetDecision:
        wanted = want.ship_type
        yards = self._yards_selling(wanted)
        if not yards:
            return FleetDecision(wanted, "no_shipyard", f"no shipyard in {self.system} sells {wanted}")
        present = {ship.waypoint for ship in ships if ship.nav_status is not ShipNavStatus.IN_TRANSIT}
        offers = [(yard, offer) for yard in sorted(yards & present)
                  if (offer := self._offer(yard, wanted)) is not None and offer.price > 0]
        if offers:
            yard, offer = min(offers, key=lambda pair: (pair[1].price, pair[0]))
            self._last_price[wanted] = offer.price
            poor = self._poor_return(want, offer.price)
            if poor is not None:
                self._release_positioning()
                return FleetDecision(wanted, "poor_return", poor)
            return self._buy_if_affordable(want, yard, offer.price)
        self._release_positioning(unless_at=yards)
        if self._positioning:
            return FleetDecision(wanted, "waiting", f"a ship is on its way to a shipyard to buy a {wanted}")
        last = self._last_price.get(wanted)
        if last is not None and (poor := self._poor_return(want, last)) is not None:
            return FleetDecision(wanted, "poor_return", poor)
        credits = self._credits()
        short = self._short(credits, last or 0, wanted)
        if short is not None:
            price = f"its last seen price of {last:,}" if last else "its price"
            return FleetDecision(wanted, "too_expensive", f"not buying a {wanted} yet: {price} would leave {short}")
        return self._send_ship_to(yards, wanted, ships, now)

    def _short(self, credits: int, price: int, wanted: ShipType) -> str | None:
        """What paying `price` for a `wanted` ship would leave too little of, in words: net worth (the credits and
        the cargo) below the type's reserve, or cash below the fleet's fuel money and the running jobs'
        commitments; None when neither."""
        reserve = self.reserve_for(wanted)
        if credits + self._cargo_value - price < reserve:
            return (f"{credits + self._cargo_value - price:,} of the {credits:,} credits and {self._cargo_value:,} "
                    f"in cargo, less than the reserve of {reserve:,}")
        kept = self._fuel_money + self._committed
        if credits - price < kept:
            parts = [f"{amount:,} for {what}" for amount, what in (
                (self._fuel_money, "the fleet's fuel"), (self._committed, "what running jobs may still spend"))
                if amount]
            return f"{credits - price:,} of the {credits:,} credits, less than the cash kept ({' and '.join(parts)})"
        return None

    def _poor_return(self, want: _Want, price: int) -> str | None:
        """Why `want` does not pay back at `price` (None when it does, or is a probe)."""
        if want.returns is None:
            return None
        payback = want.returns.payback_seconds(price)
        if payback <= self.config.payback:
            return None
        return (f"not buying a {want.ship_type}: at {price:,} it would pay back in {payback / 3600:.2f} h, more than "
                f"the {self.config.payback / 3600:.2f} h allowed ({want.returns.source})")

    def reserve_for(self, wanted: ShipType) -> int:
        """The credits that must be left after buying a ship of type `wanted`."""
        if wanted == self.config.probe_type:
            return max(self.config.credit_reserve, self.config.probe_min_credits)
        return self.config.credit_reserve

    def _buy_if_affordable(self, want: _Want, yard: WaypointSymbol, price: int) -> FleetDecision:
        wanted = want.ship_type
        credits = self._credits()
        short = self._short(credits, price, wanted)
        if short is not None:
            detail = f"not buying a {wanted} yet: its price of {price:,} at {yard} would leave {short}"
            self._release_positioning()
            return FleetDecision(wanted, "too_expensive", detail)
        recorder = LedgerRecorder(self._game, self._ledger, PURCHASE_PREFIX + uuid.uuid4().hex[:12], self._metrics,
                                  gate=self._gate)
        try:
            purchase = recorder.purchase_ship(wanted, yard)  # the ledger row is written before this returns
        except InsufficientCredits as error:
            return FleetDecision(wanted, "too_expensive", str(error))
        self._release_positioning()
        if wanted == self.config.hauler_type:
            self._hauler_bought_at = (purchase.occurred_at,)
        why = want.why
        if want.returns is not None:
            payback = want.returns.payback_seconds(purchase.price) / 3600
            why += f", and at {purchase.price:,} it pays back in {payback:.2f} h ({want.returns.source})"
        detail = f"bought {wanted} {purchase.ship} at {yard} for {purchase.price:,} credits: {why}"
        return FleetDecision(wanted, "bought", detail, purchase)

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
            # Orbit whatever the listing said: a worker that just let the ship go may have docked it since (orbit
            # is a no-op in orbit), and a refused navigation would leave the purchase waiting a whole check.
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
