"""Cargo no run owns: found by the coordinator, sold by a job of its own, so that no ship stays out of work.

A stop that cancels a run, or a run that fails while the game is down, leaves its ship holding what it bought.
Such a ship is idle (no lease) but may have too little room for a new run; and a ship with room would carry its
goods into the next run it is given. Such cargo is sold by a ClearanceJob of its own (operation `clear-...`), never
inside a run, whose profit (which the loss pauses and the learned ranking read) its money would inflate. The
coordinator starts one for the idle ships its stranded-cargo pass (`StrandedCargoPass.due`) names: a hold too full
for a run (`min_free_cargo`), or cargo that sat idle for `idle_for` seconds; and for a ship picked for a
manufacturing run that holds goods the run has no use for (not in its tree): those are cleared first and the run
goes to another ship. (A ship whose clearance kept goods, for want of a buyer paying their cost, is not held back
again before `idle_for`: it works with them aside, until they have been held for `carry_for`.) Each ClearanceJob is
run in the worker pool by `StrandedCargoSeller`, which sells the goods the job names:

- for each good held, the market to sell at is the known market paying most for it (the nearest on a tie: the
  sellers' one rule, application/sale_markets.py), leaving out the imports someone dumped it into (their bid far
  below their usual one, SaturatedImports): a stranded load must not deepen a dump; when that leaves no market, the
  good is kept, with the reason, unless the hold is too full for the ship to work (`min_free_cargo`): then it is
  sold at the best of them anyway, as said; a good no known market buys is kept, with the reason;
- its cost is what the ship last paid for it according to the ledger, and it is not sold below that cost unless a
  loss is right now (`loss_reason`): the hold is too full for the ship to work, the cargo sat idle for
  `idle_for` (a ship must not stay stranded), or it was bought `carry_for` ago or more (a ship that keeps getting
  runs is never idle, and cargo riding along for good takes its room and its money for nothing). Otherwise what
  does not fetch its cost waits for the next pass (the ship can work with it aside, and a bid that fell comes
  back). A sale planned at a loss says why when it starts; one planned above cost whose bid falls below it lot by
  lot stops there, or, when a loss is right, goes on with a warning naming the bid, the cost and the reason, once
  per good;
- on arrival the market is looked at, and passed over if it is saturated now (ImportSpread, as the workers do);
- it is sold in trade-volume lots, looking at the market after each lot, and stops once the bid fell below
  `min_bid_share` of the first one (the rest waits for the next pass);
- a ship that cannot fly to the buyer (no credits for fuel, or no route its tank allows) sells where it is, if that
  market buys the good, at a loss if need be, saying so: cargo aboard a ship that cannot move is worth nothing, and
  its sale is what buys the fuel.

Every sale goes through the LedgerRecorder of the job's operation (and its lease check), like a worker's.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from application.cargo_costs import COST_LOOKBACK, cargo_costs
from application.game_errors import InsufficientCredits, InsufficientFuel
from application.game_port import GamePort
from application.import_spread import ImportSpread
from application.ledger_recorder import LedgerRecorder
from application.metrics_port import Metrics
from application.navigation import Navigator, NoRoute
from application.ports import Clock, MarketRepository
from application.production_executor import look
from application.repositories import LedgerRepository, MoneyGate, ShipAssignmentRepository
from application.sale_markets import Down, sale_markets
from application.ship_activity import release_ship, show_activity
from application.usual_bids import SaturatedImports
from application.waiting import NEVER, OperationCancelled, check_cancelled
from application.worker_jobs import CancelToken, ClearanceJob, WorkerResult
from domain.goods import TradeSymbol
from domain.ledger import credits_and_debits
from domain.market import MarketSnapshot, MarketTradeGood
from domain.ship_state import ShipState
from domain.symbols import ShipSymbol, WaypointSymbol

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StrandedCargoConfig:
    """`min_free_cargo`: a ship with less free hold than this cannot take a run (the default ship selection's
    threshold), so its cargo is cleared at once. `idle_for`: cargo on an idle ship with room is cleared after
    this long (a run on the ship would have used or sold it first). `carry_for`: cargo bought this long ago is sold
    at a loss too, idle or not (bids that fell recover within hours; cargo still unsold after that rides along for
    nothing). `min_bid_share`: selling stops once the bid fell below this share of the first one seen."""

    min_free_cargo: int = 10
    idle_for: float = 600.0
    carry_for: float = 4 * 3600.0
    min_bid_share: float = 0.5


@dataclass(frozen=True, slots=True)
class SalePlan:
    """Where to sell a good held, at what bid as known, against what cost; `market` None: nowhere known."""

    good: TradeSymbol
    units: int
    market: WaypointSymbol | None
    bid: int | None
    unit_cost: float | None
    reason: str
    into_saturated: bool = False  # every buyer is saturated and the hold too full to wait for one to recover

    @property
    def above_cost(self) -> bool:
        return self.bid is not None and (self.unit_cost is None or self.bid >= self.unit_cost)


def plan_sale(good: TradeSymbol, units: int, unit_cost: float | None, ship: ShipState,
              markets: Iterable[MarketSnapshot], down: Down | None = None, *, hold_full: bool = False) -> SalePlan:
    """The best market for `good` by the sellers' one rule (`sale_markets`: best known bid, the nearest on a
    tie, no floor), and why; an import in `down` (someone dumped `good` into it: SaturatedImports) is left out,
    unless every buyer is and the hold is too full for the ship to work (`hold_full`): then the ship is worth
    more at work than the dump it deepens."""
    found = sale_markets(good, markets, down, near=ship.position)
    passed = found.notes()
    anyway = not found.offers and hold_full and found.saturated
    if not found.offers and not anyway:
        reason = f"no known market buys {good}" if not passed else (
            f"every known market buying {good} is saturated ({'; '.join(passed)}); kept until one recovers")
        return SalePlan(good, units, None, None, unit_cost, reason)
    best = (found.offers or found.saturated)[0]
    if anyway:
        return SalePlan(good, units, best.market, best.bid, unit_cost,
                        f"every known market buying {good} is saturated ({'; '.join(passed)}); sold at "
                        f"{best.market} anyway: the hold is too full for the ship to work", into_saturated=True)
    cost = "unknown cost" if unit_cost is None else f"cost {unit_cost:.0f}/unit"
    if unit_cost is None or best.bid >= unit_cost:
        reason = f"best known bid {best.bid} at {best.market} ({cost})"
    else:
        reason = f"best known bid {best.bid} at {best.market} is below its {cost}"
    if passed:
        reason += f" ({'; '.join(passed)})"
    return SalePlan(good, units, best.market, best.bid, unit_cost, reason)


class StrandedCargoPass:
    """Decides which idle ships get a ClearanceJob (see the module docstring); kept by the coordinator."""

    def __init__(self, config: StrandedCargoConfig | None = None) -> None:
        self.config = config or StrandedCargoConfig()
        self._idle_with_cargo_since: dict[ShipSymbol, datetime] = {}
        self._not_before: dict[ShipSymbol, datetime] = {}

    def due(self, ships: Sequence[ShipState], idle: Iterable[ShipSymbol], now: datetime) -> list[ShipState]:
        """The idle ships whose cargo should be cleared now (not in transit)."""
        idle_set = set(idle)
        due: list[ShipState] = []
        seen: set[ShipSymbol] = set()
        for ship in ships:
            if ship.symbol not in idle_set or not ship.inventory:
                continue
            seen.add(ship.symbol)
            since = self._idle_with_cargo_since.setdefault(ship.symbol, now)
            if ship.nav_status.value == "IN_TRANSIT" or not self.may_clear(ship.symbol, now):
                continue
            full = ship.cargo_capacity - ship.cargo_units < self.config.min_free_cargo
            if full or now - since >= timedelta(seconds=self.config.idle_for):
                due.append(ship)
        for symbol in list(self._idle_with_cargo_since):
            if symbol not in seen:
                del self._idle_with_cargo_since[symbol]
        return due

    def started(self, ship: ShipSymbol) -> None:
        """The ship's clearance was started: its idle time counts afresh should cargo remain afterwards."""
        self._idle_with_cargo_since.pop(ship, None)

    def may_clear(self, ship: ShipSymbol, now: datetime) -> bool:
        """Whether a clearance of `ship` may start now (one that kept cargo is tried again only after a while)."""
        return now >= self._not_before.get(ship, now)

    def finished(self, ship: ShipSymbol, sold_everything: bool, now: datetime) -> None:
        """A clearance ended; one that left cargo (no buyer, a falling bid, a failure) is tried again only after
        `idle_for`, so that a good nobody buys does not start a job on every cycle."""
        if sold_everything:
            self._not_before.pop(ship, None)
        else:
            self._not_before[ship] = now + timedelta(seconds=self.config.idle_for)

    def waiting(self) -> dict[ShipSymbol, datetime]:
        """Idle ships with cargo, and since when (for status)."""
        return dict(self._idle_with_cargo_since)


@dataclass(slots=True)
class _Clearance:
    """One ClearanceJob as it goes: the room the hold has now (it grows with every lot sold), and the goods whose
    sale below their cost was already logged with its reason."""

    job: ClearanceJob
    recorder: LedgerRecorder
    cancel: CancelToken
    free: int
    bought_at: dict[TradeSymbol, datetime] = field(default_factory=dict)
    warned: set[TradeSymbol] = field(default_factory=set)
    stuck: str | None = None  # why the ship cannot fly to a buyer: what it holds is sold where it is


class StrandedCargoSeller:
    """Runs ClearanceJobs: sells the goods a job names where they pay best, below their cost only for a reason
    that holds and is logged (see the module docstring)."""

    def __init__(self, game: GamePort, ledger: LedgerRepository, navigator: Navigator, clock: Clock, *,
                 markets: MarketRepository, assignments: ShipAssignmentRepository | None = None,
                 gate: MoneyGate | None = None, metrics: Metrics | None = None,
                 config: StrandedCargoConfig | None = None, logger: logging.Logger | None = None,
                 saturated: SaturatedImports | None = None) -> None:
        self._game = game
        self._ledger = ledger
        self._navigator = navigator
        self._clock = clock
        self._markets = markets
        self._assignments = assignments
        self._gate = gate
        self._metrics = metrics
        self.config = config or StrandedCargoConfig()
        self._log = logger or _log
        self._saturated = saturated
        self._spread = ImportSpread(game, markets, saturated)
        self._spread_anyway = ImportSpread(game, markets)  # for a plan that sells into a saturated import

    def run(self, job: ClearanceJob, cancel: CancelToken = NEVER) -> WorkerResult:
        """Sell the goods of `job.goods` that `job.ship` holds; never raises."""
        started = self._clock.now()
        assignments = self._assignments
        lease = None if assignments is None else (
            lambda: assignments.holds(job.ship, job.operation_id, self._clock.now()))
        recorder = LedgerRecorder(self._game, self._ledger, job.operation_id, self._metrics, gate=self._gate,
                                  lease=lease, logger=self._log)
        sold, left, cancelled, error = 0, [], False, None
        try:
            ship = self._game.ship(job.ship)
            costs = cargo_costs(self._ledger, job.ship, started - COST_LOOKBACK)
            clearance = _Clearance(job, recorder, cancel, ship.cargo_capacity - ship.cargo_units,
                                   {good: cost.bought_at for good, cost in costs.items()})
            system_markets = self._markets.markets_in_system(ship.system)
            down = {} if self._saturated is None else self._saturated.among(system_markets)
            hold_full = clearance.free < self.config.min_free_cargo
            for good, units in sorted(ship.inventory.items()):
                if good not in job.goods:
                    continue  # not this job's to sell (a run the ship is picked for uses it)
                check_cancelled(cancel)
                cost = costs.get(good)
                plan = plan_sale(good, units, cost.unit_cost if cost is not None else None, ship, system_markets,
                                 down, hold_full=hold_full)
                done, why = self._sell_good(clearance, plan)
                sold += done
                if done < units:
                    left.append(f"{units - done} {good}: {why}")
                    self._log.warning("stranded cargo on %s: keeping %d %s: %s", job.ship, units - done, good, why)
        except OperationCancelled:
            cancelled = True
        except Exception as failure:  # run() hands back a result whatever went wrong
            error = f"{type(failure).__name__}: {' '.join(str(failure).split())}"[:400]
        finally:
            release_ship(self._assignments, job.ship, job.operation_id)
        if error is None and left:
            error = "left in the hold: " + "; ".join(left)
        revenue = cost = 0
        try:
            revenue, cost = credits_and_debits(self._ledger.transactions_of_operation(job.operation_id))
        except Exception:  # the result still says what was sold
            pass
        return WorkerResult(operation_id=job.operation_id, ship=job.ship, good=job.good, started_at=started,
                            finished_at=self._clock.now(), quantity_sold=sold, revenue=revenue, cost=cost,
                            success=error is None and not cancelled, cancelled=cancelled,
                            error=None if cancelled else error)

    def loss_reason(self, clearance: _Clearance, good: TradeSymbol) -> str | None:
        """Why selling `good` of the clearance's cargo below its cost is right now: the hold is too full for the
        ship to work, the cargo sat idle for `idle_for`, or the good was bought `carry_for` ago or more; None when
        none holds (then what does not fetch its cost waits: the ship can work with it aside, and a bid that fell
        comes back)."""
        free, job = clearance.free, clearance.job
        if clearance.stuck is not None:
            return clearance.stuck
        if free < self.config.min_free_cargo:
            return f"the hold is too full for the ship to work ({free} free, {self.config.min_free_cargo} needed)"
        if job.idle_seconds >= self.config.idle_for:
            return f"the cargo sat {job.idle_seconds:.0f} s on an idle ship with no run to use it"
        held = self._held_seconds(clearance, good)
        if held is not None and held >= self.config.carry_for:
            return f"it was bought {held:.0f} s ago and has ridden along unsold since"
        return None

    def _held_seconds(self, clearance: _Clearance, good: TradeSymbol) -> float | None:
        """How long ago the ship last bought `good` (None when the ledger does not say)."""
        bought_at = clearance.bought_at.get(good)
        return None if bought_at is None else (self._clock.now() - bought_at).total_seconds()

    def _sell_good(self, clearance: _Clearance, plan: SalePlan) -> tuple[int, str]:
        """Sell `plan.units` of `plan.good` as planned, logging why; the units sold and why not all."""
        ship, good, units = clearance.job.ship, plan.good, plan.units
        if plan.market is None:
            return 0, plan.reason
        reason = plan.reason
        if not plan.above_cost:
            loss = self.loss_reason(clearance, good)
            if loss is None:
                return 0, f"{reason}; waits for a better bid: {self._no_loss(clearance, good)}"
            reason += f": sold at a loss, as {loss}"
            clearance.warned.add(good)
        log = self._log.info if plan.above_cost and not plan.into_saturated else self._log.warning
        log("stranded cargo on %s: selling %d %s: %s", ship, units, good, reason)
        show_activity(self._assignments, ship, f"selling stranded {units} {good} at {plan.market}")
        spread = self._spread_anyway if plan.into_saturated else self._spread
        sold, why = 0, ""

        def sell_at(at: WaypointSymbol, entry: MarketTradeGood) -> None:
            nonlocal sold, why
            sold, why = self._sell_lots(clearance, good, units, plan.unit_cost, at, entry)

        try:
            outcome = spread.sell(good, (plan.market,), 0, held=lambda: units - sold,
                                  go=lambda at: self._navigator.go(ship, at, clearance.recorder, clearance.cancel),
                                  sell_at=sell_at, chosen=plan.market)
        except (InsufficientCredits, InsufficientFuel, NoRoute) as blocked:
            return self._sell_where_it_is(clearance, plan, sold, blocked)
        return sold, "; ".join([*outcome.notes, why] if why else outcome.notes)

    def _sell_where_it_is(self, clearance: _Clearance, plan: SalePlan, sold: int,
                          blocked: Exception) -> tuple[int, str]:
        """The ship could not fly to the buyer (no credits for fuel, or no route its tank allows): what it holds
        is worth nothing aboard a ship that cannot move, and selling it is how the agent pays for fuel again, so it
        is sold where the ship is, if that market buys it, at a loss if need be, with the reason logged. (A bench
        ended 8 game hours with 163 credits and 163,778 credits of DRUGS aboard a ship whose every clearance
        failed to refuel.)"""
        ship, good = clearance.job.ship, plan.good
        failure = " ".join(str(blocked).split())
        here = self._game.ship(ship).waypoint
        entry = look(self._game, self._markets, here).trade_good(good) if here != plan.market else None
        if entry is None or entry.bid <= 0:
            return sold, f"could not fly to {plan.market} ({failure}) and {here} does not buy {good}"
        clearance.stuck = f"the ship cannot fly to a buyer ({failure})"
        self._navigator.go(ship, here, clearance.recorder, clearance.cancel)  # already there: it docks
        self._log.warning("stranded cargo on %s: cannot fly to %s to sell %s (%s): selling it at %s, where it is",
                          ship, plan.market, good, failure, here)
        more, why = self._sell_lots(clearance, good, plan.units - sold, plan.unit_cost, here, entry)
        return sold + more, why

    def _no_loss(self, clearance: _Clearance, good: TradeSymbol) -> str:
        why = (f"the hold has room to work and the cargo sat idle {clearance.job.idle_seconds:.0f} s, less than the "
               f"{self.config.idle_for:.0f} s after which it is sold at a loss")
        held = self._held_seconds(clearance, good)
        if held is not None:
            why += f", and was bought {held:.0f} s ago, less than the {self.config.carry_for:.0f} s"
        return why

    def _sell_lots(self, clearance: _Clearance, good: TradeSymbol, units: int, unit_cost: float | None,
                   market: WaypointSymbol, entry: MarketTradeGood | None) -> tuple[int, str]:
        """Sell lots at `market`, looking after each, until `units` are sold or the bid fell below `min_bid_share`
        of the first, or below the unit cost while no loss is right (`loss_reason`); a sale below cost for a reason
        is logged once per good, with the bid, the cost and the reason."""
        job = clearance.job
        sold, first_bid = 0, None
        while sold < units:
            check_cancelled(clearance.cancel)
            if entry is None or entry.bid <= 0:
                return sold, f"{market} does not buy {good}"
            first_bid = first_bid or entry.bid
            if entry.bid < self.config.min_bid_share * first_bid:
                return sold, f"the bid fell to {entry.bid} from {first_bid}; the rest waits for the next pass"
            if unit_cost is not None and entry.bid < unit_cost:
                loss = self.loss_reason(clearance, good)
                if loss is None:
                    return sold, (f"the bid {entry.bid} is below its cost {unit_cost:.0f}/unit, and "
                                  f"{self._no_loss(clearance, good)}; the rest waits for the next pass")
                if good not in clearance.warned:
                    clearance.warned.add(good)
                    self._log.warning("stranded cargo on %s: selling %s at %s below its cost: bid %d, cost %.0f/unit: "
                                      "%s", job.ship, good, market, entry.bid, unit_cost, loss)
            trade = clearance.recorder.sell(job.ship, good, min(units - sold, entry.trade_volume))
            sold += trade.units
            clearance.free += trade.units
            if sold < units:
                entry = look(self._game, self._markets, market).trade_good(good)
        return sold, ""
