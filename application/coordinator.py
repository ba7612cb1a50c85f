"""ManufacturingArbitrageCoordinator: finds demand, hands ships to workers, collects what they earned.

The plan's coordinator, as a loop on an injected Clock instead of Go tickers and channels:

- discovery every `discovery_interval`: refresh the markets our ships see, run the demand finder (which ranks
  through the Ranker port, each opportunity with the profit per hour recorded on its lane), drop goods paused after
  losing runs (application/loss_pauses.py), save the ranked list in the RunRepository;
- assignment every `assignment_interval`, and at once when a worker finishes or a probe the scout sent arrives
  (so the interval can be long without leaving ships idle, and the fleet is listed only when there is work): the
  idle pool is every ship with cargo that no live lease holds; for
  each opportunity in rank order, the ShipSelector picks a ship, `try_assign` holds it under a lease owned by this
  run, and a WorkerJob goes to the WorkerPool. At most `max_workers` run at once, at most one worker per
  opportunity (good + sell market) and, unless configured otherwise, one per good made at one factory;
- completions, every turn of the loop: release the ship, record the result (what each lane and good earned per
  ship-hour, kept in application/run_records.py and replayed from earlier runs at start), report metrics, count
  losses;
- lease renewal of this run's live operations only (a worker the coordinator no longer hears from keeps no
  ship), so a crashed coordinator's ships come back once its leases run out;
- the stranded-cargo pass (application/stranded_cargo.py): an idle ship holding cargo no run owns gets a
  ClearanceJob that sells it, so a full hold never keeps a ship out of work; a ship picked for a manufacturing run
  that holds goods the run has no use for gets one first (leftovers are sold under an operation of their own,
  never inside a run, whose profit they would inflate).

Trade arbitrage is the second kind of work on the same idle pool (issue 16): with a TradeRouteFinder, discovery also
ranks export -> import lanes (every `arbitrage_discovery_interval`; the ranked list is saved in the RunRepository too),
and assignment gives each idle ship to the work of either kind expected to earn more per ship-hour (the two ranked
lists merged, application/work_allocation.py), at most `max_workers` manufacturing and `arbitrage_max_workers`
trading, and, whatever the kind, one worker buying a good at one market and one selling a good into one market.
Both kinds draw on one AccountBudget: each job is allotted its share of the credits above the reserve that running
jobs have not been promised.

`drain()` (a graceful stop) marks the run DRAINING, so workers buy nothing more and sell what they hold, and gives
out no new work (running clearances of stranded cargo are waited for within the same bound); `shutdown()` cancels
every worker, waits for them (bounded), records their results and releases every ship but those of workers that may
still be running (their leases run out instead; their lease check stops them).
"""
from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

from application.account_budget import AccountBudget, Commitment, commitment, lot_ceiling
from application.demand_finder import DemandFinderConfig, ManufacturingDemandFinder
from application.errors import ApplicationError, StrategyError
from application.fleet_manager import FleetManager
from application.fleet_returns import waiting_lot_profit
from application.fuel_money import fuel_money
from application.loss_pauses import RESTORED_RESULTS, LossPause, LossPauses, Pause
from application.game_port import GamePort
from application.market_scout import MarketScout, is_probe
from application.metrics_port import Metrics, NullMetrics
from application.ports import Clock, MarketRepository, ShipSelector
from application.repositories import LedgerRepository, RunInfo, RunRepository, ShipAssignmentRepository
from application.run_records import RunRecords
from application.stranded_cargo import StrandedCargoPass
from application.trade_route_finder import TradeRouteFinder
from application.wind_down import DRAINING
from application.work_allocation import (
    Claim, EstimateConfig, Expectation, KindRecord, MarketClaims, RankedWork, RunStage, calibrated, interleave,
    lane_owners, manufacturing_claim, manufacturing_signal_per_hour, nearest, nearest_first, realization, realized,
    route_claim, route_signal_per_hour, run_stage,
)
from application.worker_jobs import (
    ARBITRAGE, CLEARANCE_PREFIX, MANUFACTURING, OPERATION_PREFIX, CancelToken, ClearanceJob, WorkerJob, WorkerPool,
    WorkerResult,
)
from domain.errors import DomainError, InvalidValue
from domain.fleet import ShipSummary
from domain.geometry import Position
from domain.goods import TradeSymbol
from domain.lane_record import LaneRecord
from domain.ledger import credits_and_debits
from domain.opportunity import ManufacturingOpportunity
from domain.ship_state import ShipState
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.trade_route import LaneKey, TradeRoute

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

OpportunityKey = tuple[TradeSymbol, WaypointSymbol]
_SHIPS_FRESH_FOR = timedelta(seconds=1)
# Operation ids of the jobs the pool runs (their leases are renewed only while the coordinator waits for them).
_WORKER_PREFIXES = (*OPERATION_PREFIX.values(), CLEARANCE_PREFIX)


def opportunity_key(opportunity: ManufacturingOpportunity) -> OpportunityKey:
    """What "one worker per opportunity" counts by: the good and the market it is sold to."""
    return (opportunity.good, opportunity.sell_market)


@dataclass(frozen=True, slots=True)
class CoordinatorConfig:
    """The plan's ST_MANUFACTURING_* values (same names as adapters/config ManufacturingSettings) and a few more.

    `min_margin`: an opportunity whose factory's known ask for the good is not this share below the sell market's
    bid is skipped (it cannot pay; the worker would only wait for a price that is not coming). An opportunity whose
    factory price is unknown is kept: the worker's own guards judge it on the spot.
    `one_worker_per_factory`: also at most one worker buying a good at the same factory (a second one would arrive
    to the price the first one pushed up, or wait for the factory to make more).
    `lease_seconds`: how long a ship stays held if this coordinator dies (renewed every third of it while alive).
    `tick_seconds`: the longest the loop sleeps between looks at the pool.
    `shutdown_timeout`: how long `shutdown()` waits for cancelled workers before the pool ends them.
    `manufacturing_enabled` (ST_MANUFACTURING_ARBITRAGE_ENABLED) and `arbitrage_max_workers` (0 = no trade
    arbitrage; ST_ARBITRAGE_MAX_WORKERS when enabled): the two kinds of work; `max_workers` bounds manufacturing only.
    `credit_reserve`: credits no job is allotted (ST_FLEET_TRADING_RESERVE); `fuel_unit_allowance`: credits a unit
    of every ship's tank no job is allotted and no ship purchase spends (application/fuel_money.py;
    ST_FLEET_FUEL_UNIT_ALLOWANCE, 0 here for tests of the other arithmetic); `run_budget_share`: the most of the
    free credits one job is allotted, so ships can still be bought from the rest.
    The loss pause (`pause_after_*`) and `run_budget_share` are manufacturing's; the `arbitrage_` ones, with the same
    meaning, trade runs' (ST_ARBITRAGE_*). `assignment_interval` is one for both: one cycle weighs the two kinds.
    """

    max_workers: int = 5
    discovery_interval: float = 120.0
    assignment_interval: float = 30.0
    min_price: int = 1000
    max_opportunities: int = 10
    min_margin: float = 0.1
    one_worker_per_factory: bool = True
    lease_seconds: float = 300.0
    pause_after_losses: int = 2
    pause_after_losses_for: float = 3600.0
    pause_after_loss_over: int = 20_000
    tick_seconds: float = 1.0
    shutdown_timeout: float = 60.0
    manufacturing_enabled: bool = True
    arbitrage_max_workers: int = 0
    arbitrage_discovery_interval: float = 120.0
    credit_reserve: int = 0
    fuel_unit_allowance: int = 0
    run_budget_share: float = 0.5
    arbitrage_pause_after_losses: int = 2
    arbitrage_pause_after_losses_for: float = 3600.0
    arbitrage_pause_after_loss_over: int = 20_000
    arbitrage_run_budget_share: float = 0.5

    def __post_init__(self) -> None:
        if min(self.max_workers, self.max_opportunities, self.pause_after_losses,
               self.arbitrage_pause_after_losses) < 1:
            raise InvalidValue("max_workers, max_opportunities, pause_after_losses and arbitrage_pause_after_losses "
                               f"must be at least 1: {self}")
        if min(self.run_budget_share, self.arbitrage_run_budget_share) <= 0:
            raise InvalidValue(f"run budget shares must be positive: {self}")
        if self.arbitrage_max_workers < 0 or self.credit_reserve < 0:
            raise InvalidValue(f"arbitrage_max_workers and credit_reserve cannot be negative: {self}")
        if min(self.discovery_interval, self.assignment_interval, self.lease_seconds, self.tick_seconds,
               self.arbitrage_discovery_interval, self.pause_after_losses_for,
               self.arbitrage_pause_after_losses_for) <= 0:
            raise InvalidValue(f"intervals must be positive: {self}")

    def loss_pause(self, kind: str) -> LossPause:
        """When `kind` of work stops taking a good that lost (each kind counts its own losses)."""
        if kind == ARBITRAGE:
            return LossPause(self.arbitrage_pause_after_losses, self.arbitrage_pause_after_losses_for,
                             self.arbitrage_pause_after_loss_over)
        return LossPause(self.pause_after_losses, self.pause_after_losses_for, self.pause_after_loss_over)

    def budget_share(self, kind: str) -> float:
        """The most of the free credits one job of `kind` is allotted."""
        return self.arbitrage_run_budget_share if kind == ARBITRAGE else self.run_budget_share


@dataclass(frozen=True, slots=True)
class ActiveWork:
    """A worker the coordinator started and has not heard back from. `signal`: the credits per ship-hour its
    prices promised the ship it was given to (None when they could not be worked out: a factory's ask unknown), what
    its lane's record is kept against."""

    job: WorkerJob
    started_at: datetime
    signal: float | None = None

    @property
    def key(self) -> OpportunityKey | LaneKey:
        if self.job.route is not None:
            return self.job.route.key
        return opportunity_key(self.job.opportunity)


@dataclass(frozen=True, slots=True)
class CoordinatorStatus:
    """A snapshot for `manufacturing status` and tests."""

    run_id: str
    system: SystemSymbol
    active_workers: int
    max_workers: int
    assigned: dict[ShipSymbol, TradeSymbol]
    opportunities: tuple[ManufacturingOpportunity, ...]
    paused: dict[TradeSymbol, datetime]
    results: tuple[WorkerResult, ...] = field(default=())
    routes: tuple[TradeRoute, ...] = field(default=())
    paused_trades: dict[TradeSymbol, datetime] = field(default_factory=dict)

    @property
    def total_profit(self) -> int:
        return sum(result.profit for result in self.results)

    def profit_of(self, kind: str) -> int:
        """The profit of the results of one kind of work (manufacturing or arbitrage)."""
        return sum(result.profit for result in self.results if result.kind == kind)


class ManufacturingArbitrageCoordinator:
    """Runs manufacturing arbitrage in one system for one player (one coordinator run)."""

    def __init__(
        self,
        *,
        player: str,
        system: SystemSymbol | str,
        game: GamePort,
        demand_finder: ManufacturingDemandFinder,
        ship_selector: ShipSelector,
        assignments: ShipAssignmentRepository,
        runs: RunRepository,
        pool: WorkerPool,
        clock: Clock,
        fleet: FleetManager,
        scout: MarketScout | None = None,
        ledger: LedgerRepository | None = None,
        config: CoordinatorConfig | None = None,
        metrics: Metrics | None = None,
        logger: logging.Logger | None = None,
        run_id: str | None = None,
        pid: int | None = None,
        strategies: str = "",
        new_id: Callable[[], str] | None = None,
        stranded: StrandedCargoPass | None = None,
        route_finder: TradeRouteFinder | None = None,
        markets: MarketRepository | None = None,
    ) -> None:
        self.player = player
        self.system = SystemSymbol(system)
        self._game = game
        self._finder = demand_finder
        self._selector = ship_selector
        self._assignments = assignments
        self._runs = runs
        self._pool = pool
        self._clock = clock
        self._fleet = fleet
        self._scout = scout
        self._ledger = ledger
        self.config = config or CoordinatorConfig()
        self._metrics = metrics or NullMetrics()
        self._log = logger or _log
        self._new_id = new_id or (lambda: uuid.uuid4().hex[:16])
        self.run_id = run_id or f"run-{self._new_id()}"
        self.holder = self.run_id
        self._pid = pid
        self._strategies = strategies

        self._route_finder = route_finder
        self._markets = markets
        self._budget = AccountBudget()
        self._routes: list[TradeRoute] = []
        self._records = RunRecords()  # what finished runs earned, and the results themselves
        self._next_route_discovery: datetime | None = None
        # What each started job was expected to earn per ship-hour and from what, and per kind how finished runs
        # compared with their signals and with their lanes' records (work_allocation.KindRecord, realization).
        self._estimates = EstimateConfig()
        self._expected: dict[str, Expectation] = {}
        self._kind_records = {MANUFACTURING: KindRecord(), ARBITRAGE: KindRecord()}
        self._realization = {MANUFACTURING: realization(), ARBITRAGE: realization()}
        self._draining = False
        self._opportunities: list[ManufacturingOpportunity] = []
        self._active: dict[str, ActiveWork] = {}
        self._stages: dict[str, RunStage] = {}  # how far each running manufacturing job has got (its claims)
        self._stranded = stranded
        self._clearing: dict[str, ClearanceJob] = {}
        self._maybe_running: set[str] = set()
        self._losses = LossPauses(lambda kind: self.config.loss_pause(kind))  # config may be replaced meanwhile
        self._next_discovery: datetime | None = None
        self._next_assignment: datetime | None = None
        self._next_renewal: datetime | None = None
        self._ships_seen: tuple[datetime, list[ShipState]] | None = None
        self._arrival_seen: datetime | None = None
        self._started = False
        self._finished = False

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Register the run, take back ships whose holder died, restore loss pauses, check market coverage."""
        if self._started:
            return
        self._started = True
        now = self._clock.now()
        reclaimed = self._assignments.reclaim_expired(now)
        if reclaimed:
            self._log.info("reclaimed %d ship(s) whose lease ran out: %s", len(reclaimed), ", ".join(reclaimed))
        self._runs.start_run(RunInfo(run_id=self.run_id, player=self.player, system=self.system, state="RUNNING",
                                     started_at=now, pid=self._pid, strategies=self._strategies))
        self._restore_loss_history()
        self._check_coverage()
        self._metrics.workers(0, self.config.max_workers)
        self._log.info("manufacturing coordinator %s started in %s (max %d workers)",
                       self.run_id, self.system, self.config.max_workers)

    def run(self, stop: CancelToken, *, drain: float = 0.0, abandon: CancelToken | None = None) -> None:
        """Loop until `stop` is cancelled, then shut down. A crash still shuts down (state CRASHED) and re-raises.

        `drain` > 0: once stopped, give out no more work and let the running workers finish (sell what they hold)
        for up to `drain` seconds before cancelling what is left; `abandon` firing ends the drain at once."""
        self.start()
        state = "STOPPED"
        try:
            while not stop.cancelled():
                self.tick()
                if stop.cancelled():
                    break
                self._clock.sleep(self._sleep_for())
            if drain > 0 and not (abandon is not None and abandon.cancelled()):
                self.drain(drain, abandon=abandon)
        except Exception:
            state = "CRASHED"
            self._log.exception("manufacturing coordinator %s crashed", self.run_id)
            raise
        finally:
            self.shutdown(state=state)

    def tick(self) -> None:
        """One turn of the loop: completions, lease renewal, and whichever cycle is due."""
        self.start()
        self._guarded("collecting results", self.collect_completions)
        now = self._clock.now()
        if self._next_renewal is None or now >= self._next_renewal:
            self._guarded("renewing leases", self._renew_leases)
        if self._next_discovery is None or now >= self._next_discovery:
            self._next_discovery = now + timedelta(seconds=self.config.discovery_interval)
            self._guarded("discovery", self.discovery_cycle)
        if self.arbitrage_enabled and (self._next_route_discovery is None or now >= self._next_route_discovery):
            self._next_route_discovery = now + timedelta(seconds=self.config.arbitrage_discovery_interval)
            self._guarded("route discovery", self.route_discovery_cycle)
        arrival = self._scout.next_arrival if self._scout is not None else None
        probe_arrived = arrival is not None and now >= arrival and arrival != self._arrival_seen
        if self._next_assignment is None or now >= self._next_assignment or probe_arrived:
            self._next_assignment = now + timedelta(seconds=self.config.assignment_interval)
            if probe_arrived:
                self._arrival_seen = arrival  # once per arrival, should the game still show the probe flying
            self._guarded("assignment", self.assignment_cycle)

    def drain(self, timeout: float, *, abandon: CancelToken | None = None) -> list[WorkerResult]:
        """Start no new work and tell the workers to wind down (the run turns DRAINING: they buy nothing more and
        sell what they hold); collect results (renewing leases) until no worker runs, `timeout` seconds passed or
        `abandon` fires. Clearances of stranded cargo running are waited for alike: they are selling what a hold
        has, which is what the drain is for, and cut off they would leave it there. Returns the results collected
        meanwhile."""
        self._draining = True
        now = self._clock.now()
        self._guarded("marking the run as draining", lambda: self._runs.set_state(self.run_id, DRAINING, now),
                      anything=True)
        deadline = now + timedelta(seconds=timeout)
        if self._selling():
            self._log.info("draining: waiting up to %.0f s for %d worker(s) to sell what they hold", timeout,
                           self._selling())
        collected: list[WorkerResult] = []
        while self._selling() and now < deadline and not (abandon is not None and abandon.cancelled()):
            collected += self._guarded("collecting results", self.collect_completions) or []
            if self._next_renewal is None or now >= self._next_renewal:
                self._guarded("renewing leases", self._renew_leases)
            if not self._selling():
                break
            self._clock.sleep(max(0.001, min(self.config.tick_seconds, (deadline - now).total_seconds())))
            now = self._clock.now()
        return collected

    def _selling(self) -> int:
        """The jobs started and not yet heard back from: workers and clearances (what a drain waits for)."""
        return len(self._active) + len(self._clearing)

    def shutdown(self, state: str = "STOPPED") -> None:
        """Cancel every worker, wait for them (at most `shutdown_timeout`), record their results, release every
        ship this run holds, and mark the run `state`. Safe to call twice."""
        if self._finished:
            return
        self._finished = True
        self._guarded("marking the run as stopping",
                      lambda: self._runs.set_state(self.run_id, "STOPPING", self._clock.now()), anything=True)
        self._guarded("cancelling workers", self._pool.cancel_all, anything=True)
        self._guarded("closing the worker pool", lambda: self._pool.close(self.config.shutdown_timeout),
                      anything=True)
        self._guarded("collecting results", self.collect_completions, anything=True)
        if self._active or self._clearing:
            unheard = [(w.job.operation_id, w.job.ship, w.job.good) for w in self._active.values()]
            unheard += [(job.operation_id, job.ship, job.good) for job in self._clearing.values()]
            self._log.warning("no result from %d worker(s) at shutdown; their ships stay held until their leases "
                              "run out: %s", len(unheard), ", ".join(f"{ship} ({good})" for _, ship, good in unheard))
            self._maybe_running.update(operation for operation, _, _ in unheard)
            self._active.clear()
            self._clearing.clear()
        keep = frozenset(self._maybe_running)
        released = self._guarded("releasing ships", lambda: self._assignments.release_holder(self.holder, keep),
                                 anything=True) or []
        if released:
            self._log.info("released %s", ", ".join(released))
        self._guarded("marking the run as finished",
                      lambda: self._runs.set_state(self.run_id, state, self._clock.now()), anything=True)
        self._metrics.workers(0, self.config.max_workers)
        self._log.info("manufacturing coordinator %s %s", self.run_id, state.lower())

    # --- discovery -----------------------------------------------------------------------------

    def discovery_cycle(self) -> list[ManufacturingOpportunity]:
        """Refresh what our ships see, find and rank opportunities, skip paused goods, save them."""
        now = self._clock.now()
        if self._scout is not None:
            self._guarded("observing markets", lambda: self._scout.observe(self._ships(now)))
        if not self.config.manufacturing_enabled:
            return []
        paused = self._paused_goods(now)
        wanted = self.config.max_opportunities
        # Ask for more than wanted, so that paused goods and those without a margin do not shrink the list.
        report = self._finder.find(self.system, DemandFinderConfig(self.config.min_price, 3 * wanted + len(paused)),
                                   history=self.manufacturing_lane_record)
        kept = [o for o in report.opportunities if o.good not in paused and self.has_margin(o)][:wanted]
        skipped = sorted({o.good for o in report.opportunities if o.good in paused})
        if skipped:
            self._log.info("skipping paused goods: %s", ", ".join(skipped))
        thin = [o for o in report.opportunities if o.good not in paused and not self.has_margin(o)]
        if thin:
            self._log.debug("skipping %d opportunities without a margin over the factory's ask", len(thin))
        self._opportunities = kept
        self._runs.save_opportunities(self.run_id, kept)
        self._metrics.opportunities_found(len(kept))
        if self._scout is not None:
            self._scout.focus(kept)
        self._log.info("discovery: %d opportunities%s", len(kept), "".join(
            f"; {o.good} @ {o.sell_market} {o.bid}" for o in kept[:3]))
        return kept

    @property
    def arbitrage_enabled(self) -> bool:
        return self._route_finder is not None and self.config.arbitrage_max_workers > 0

    def route_discovery_cycle(self) -> list[TradeRoute]:
        """Find and rank trade routes from what the probes saw, with what the ledger recorded for each lane; skip
        goods whose trading is paused after losses; save them (for `manufacturing status`)."""
        if self._route_finder is None:
            return []
        now = self._clock.now()
        paused = self._paused_trades_at(now)
        routes = [r for r in self._route_finder.find(self.system, history=self.lane_record)
                  if r.good not in paused]
        self._routes = routes
        self._runs.save_routes(self.run_id, routes)
        self._log.info("route discovery: %d routes%s", len(routes), "".join(
            f"; {r.good} {r.buy_market}->{r.sell_market} {r.ask}->{r.bid}" for r in routes[:3]))
        return routes

    def lane_record(self, route: TradeRoute) -> LaneRecord | None:
        """Credits per hour of a ship's time the ledger recorded on `route`'s lane (or, for a lane not run in this
        process, on its good), with the share of their price signal its runs earned; None when never tried."""
        return self._records.lane_record(ARBITRAGE, route.key, route.good)

    def manufacturing_lane_record(self, opportunity: ManufacturingOpportunity) -> LaneRecord | None:
        """As `lane_record`, for making `opportunity`'s good for its sell market."""
        return self._records.lane_record(MANUFACTURING, opportunity_key(opportunity), opportunity.good)

    def has_margin(self, opportunity: ManufacturingOpportunity) -> bool:
        """Whether the sell market's bid beats the factory's known ask for the good by `min_margin` (True when
        the factory's ask is unknown)."""
        ask = opportunity.dependency_tree.ask
        return ask is None or opportunity.bid >= ask * (1 + self.config.min_margin)

    # --- assignment ----------------------------------------------------------------------------

    def assignment_cycle(self) -> list[WorkerJob]:
        """Give idle ships to the work without a worker, of either kind: manufacturing opportunities (at most
        `max_workers`) and trade routes (at most `arbitrage_max_workers`). The two ranked lists (each in its own
        ranking hook's order) are merged by expected profit per ship-hour (application/work_allocation.py): the
        next ship goes to the kind whose next item is expected to earn more, from what the ledger recorded for its
        lane or good (times the share of their records its kind's runs have earned), else from its price signal.
        Whatever its kind, at most one worker buys a good at one market and one sells a good into one market, and
        manufacturing takes no market pair a listed trade lane works. Returns the jobs started."""
        now = self._clock.now()
        ships = self._ships(now)
        idle = self._fleet.idle_ships(ships, now)
        self._guarded("clearing stranded cargo", lambda: self._clear_stranded(ships, idle, now))
        spawned: list[WorkerJob] = []
        waiting = 0
        # A full tank for every ship stays in cash: a run allotted it, or a ship bought with it, could leave a ship
        # unable to refuel to sell its cargo.
        fuel = fuel_money(ships, self.config.fuel_unit_allowance)
        budgets = _Budgets(self, idle, fuel) if not self._draining else None
        held = [self._held_claim(work.job) for work in self._active.values()] if budgets else []
        claims = MarketClaims(held)
        positions = self._positions() if budgets else {}
        for kind, work in interleave(self._ranked_work(now, idle, claims, held, positions) if budgets else ()):
            if kind == MANUFACTURING:
                expected = self._expected_manufacturing(work, idle)
                job = self._assign(work, idle, now, budgets)
            else:
                expected = self._expected_route(work, idle, positions)
                job = self._assign_route(work, idle, now, budgets, positions)
            if job is None:
                waiting += 1
                continue
            self._expected[job.operation_id] = expected
            spawned.append(job)
            claims.add(self._claim(job))
        probes_useful = 0
        if self._scout is not None:
            probes_useful = self._guarded("counting markets", lambda: self._scout.probes_useful(ships)) or 0
        self._guarded("fleet purchase", lambda: self._fleet.consider_purchase(
            ships, waiting_opportunities=waiting, probes_useful=probes_useful, cargo_value=self._cargo_value(ships),
            results=self._records.all_results(), waiting_lot_profit=self._waiting_lot_profit(), fuel_money=fuel,
            committed=lambda: sum(c.still_to_spend for c in self._commitments())))
        if self._scout is not None:
            # After the fleet manager: a probe it just took to a shipyard is held, and the scout leaves it alone.
            self._guarded("scouting", lambda: self._scout.step(ships))
        self._ships_seen = None  # ships were sent off or bought: the next look must list the fleet again
        self._metrics.workers(self.active_workers(), self.config.max_workers)
        self._metrics.ships({"working": len(self._active), "idle": len(idle),
                             "probes": sum(1 for ship in ships if is_probe(ship))})
        if spawned:
            self._log.info("assignment: started %s", "; ".join(
                f"{job.ship} -> {job.kind} {job.good} @ {job.sell_market} (budget {job.budget}, expected "
                f"{_rate_text(self._expected[job.operation_id].value)})" for job in spawned))
        return spawned

    def _ranked_work(self, now: datetime, idle: list[ShipSummary], claims: MarketClaims, held: list[Claim],
                     positions: dict[WaypointSymbol, Position]) -> list[RankedWork]:
        """Each enabled kind's ranked list, with its cap, what keeps an item out now, and its expected figure."""
        queues: list[RankedWork] = []
        owned = self._owned_work(now, held)
        if self.config.manufacturing_enabled:
            queues.append(RankedWork(
                MANUFACTURING, owned[MANUFACTURING],
                has_room=lambda: self._manufacturing_slots_taken() < self.config.max_workers,
                eligible=lambda o: not claims.clashes(self._claim_of_opportunity(o)),
                expected=lambda o: self._expected_manufacturing(o, idle).value))
        if self.arbitrage_enabled:
            queues.append(RankedWork(
                ARBITRAGE, owned[ARBITRAGE],
                has_room=lambda: self.active_of(ARBITRAGE) < self.config.arbitrage_max_workers,
                eligible=lambda r: not claims.clashes(route_claim(ARBITRAGE, r)),
                expected=lambda r: self._expected_route(r, idle, positions).value))
        return queues

    def _owned_work(self, now: datetime, held: list[Claim]) -> dict[str, list]:
        """Each kind's work that is not paused, less the manufacturing opportunities that would trade a good at a
        market a trade lane trades it at (lane_owners, trading first). An opportunity being worked counts with the
        pairs its run still holds (`held`, in the order of the active work), not those it has given back."""
        items: dict[str, list] = {MANUFACTURING: [], ARBITRAGE: []}
        if self.config.manufacturing_enabled:
            paused = self._paused_goods(now)
            running = {opportunity_key(work.job.opportunity): claim.whole
                       for work, claim in zip(self._active.values(), held, strict=True) if work.job.route is None}
            for o in self._opportunities:
                if o.good not in paused:
                    footprint = running.get(opportunity_key(o))
                    whole = footprint if footprint is not None else self._claim_of_opportunity(o).whole
                    items[MANUFACTURING].append((o, whole))
        if self.arbitrage_enabled:
            paused = self._paused_trades_at(now)
            items[ARBITRAGE] = [(r, route_claim(ARBITRAGE, r).whole) for r in self._routes if r.good not in paused]
        flat = [(kind, item, footprint) for kind, listed in items.items() for item, footprint in listed]
        owned = lane_owners([(kind, footprint) for kind, _, footprint in flat], first=ARBITRAGE)
        kept: dict[str, list] = {kind: [] for kind in items}
        for (kind, item, _), keep in zip(flat, owned, strict=True):
            if keep:
                kept[kind].append(item)
        left = len(items[MANUFACTURING]) - len(kept[MANUFACTURING])
        if left:
            self._log.debug("left %d manufacturing opportunities off markets a trade lane works", left)
        return kept

    def _expected_manufacturing(self, opportunity: ManufacturingOpportunity, idle: list[ShipSummary]) -> Expectation:
        """Credits per ship-hour `opportunity` is expected to earn: the ledger's record for its lane or good (recent
        runs weighing most) times the share of their records manufacturing's runs have earned (`realized`), else
        its price signal scaled by how manufacturing's finished runs compared with their own signals (infinite
        before any did: the kind is tried once)."""
        recorded = self._records.recent_per_hour(MANUFACTURING, opportunity_key(opportunity), opportunity.good)
        return self._expectation(MANUFACTURING, recorded, lambda: manufacturing_signal_per_hour(
            opportunity, nearest(idle, opportunity.first_stop.position), self._estimates))

    def _expected_route(self, route: TradeRoute, idle: list[ShipSummary],
                        positions: dict[WaypointSymbol, Position]) -> Expectation:
        """As `_expected_manufacturing`, for a trade route."""
        recorded = self._records.recent_per_hour(ARBITRAGE, route.key, route.good)
        buy_at, sell_at = positions.get(route.buy_market), positions.get(route.sell_market)
        return self._expectation(ARBITRAGE, recorded, lambda: route_signal_per_hour(
            route, nearest(idle, buy_at), buy_at, sell_at, self._estimates))

    def _expectation(self, kind: str, recorded: float | None, signal: Callable[[], float]) -> Expectation:
        """Either kind's expectation: its lane's `recorded` rate scaled by the kind's realization, else the price
        `signal` (worked out only then) scaled by the kind's record against its signals."""
        if recorded is not None:
            return Expectation(realized(recorded, self._realization[kind]), record=recorded)
        value = signal()
        return Expectation(calibrated(self._kind_records, kind, value, tried=self._records.tried(kind)), signal=value)

    def _claim_of_opportunity(self, opportunity: ManufacturingOpportunity) -> Claim:
        return manufacturing_claim(MANUFACTURING, opportunity, one_per_factory=self.config.one_worker_per_factory)

    def _claim(self, job: WorkerJob) -> Claim:
        if job.route is not None:
            return route_claim(ARBITRAGE, job.route)
        return self._claim_of_opportunity(job.opportunity)

    def _held_claim(self, job: WorkerJob) -> Claim:
        """What a running worker still holds: a manufacturing run gives back the markets of the legs its ledger
        rows show it has finished (work_allocation.RunStage). A run whose rows cannot be read holds them all."""
        if job.route is not None or self._ledger is None:
            return self._claim(job)
        stage = self._stages.get(job.operation_id, RunStage.INPUTS)
        if stage is not RunStage.OUTPUT:
            rows = self._guarded("reading a run's ledger rows",
                                 lambda: self._ledger.transactions_of_operation(job.operation_id))
            stage = run_stage(job.opportunity, rows) if rows is not None else stage
            self._stages[job.operation_id] = stage
        return manufacturing_claim(MANUFACTURING, job.opportunity, one_per_factory=self.config.one_worker_per_factory,
                                   stage=stage)

    def _positions(self) -> dict[WaypointSymbol, Position]:
        """Every known market's position, read once per assignment cycle."""
        if self._markets is None:
            return {}
        snapshots = self._guarded("reading markets", lambda: self._markets.markets_in_system(self.system)) or []
        return {s.waypoint: s.position for s in snapshots if s.position is not None}

    def _assign_route(self, route: TradeRoute, idle: list[ShipSummary], now: datetime, budgets: _Budgets,
                      positions: dict[WaypointSymbol, Position]) -> WorkerJob | None:
        for ship in nearest_first(idle, positions.get(route.buy_market)):
            budget = budgets.next(ARBITRAGE, lot_ceiling(ship.cargo_capacity, route.bid))
            if budget is None:
                return None
            operation_id = f"{OPERATION_PREFIX[ARBITRAGE]}{self._new_id()}"
            job = WorkerJob(operation_id=operation_id, ship=ship.symbol, opportunity=None, run_id=self.run_id,
                            route=route, budget=budget)
            signal = route_signal_per_hour(route, ship, positions.get(route.buy_market),
                                           positions.get(route.sell_market), self._estimates)
            if self._start(job, idle, ship, now, f"trading {route.good} {route.buy_market} -> {route.sell_market}",
                           signal):
                budgets.taken(budget)
                return job
        return None

    def _start(self, job: WorkerJob, idle: list[ShipSummary], ship: ShipSummary, now: datetime, activity: str,
               signal: float | None) -> bool:
        """Hold `ship` for `job` and submit it; False when the ship was taken meanwhile or the pool refused."""
        lease_until = now + timedelta(seconds=self.config.lease_seconds)
        if not self._assignments.try_assign(ship.symbol, job.operation_id, self.holder, lease_until, now):
            idle.remove(ship)  # another operation took it since the pool was listed
            return False
        try:
            self._pool.submit(job)
        except Exception as error:  # whatever the pool adapter raises, the ship must not stay held
            self._assignments.release(ship.symbol, job.operation_id)
            self._log.error("could not start a worker for %s on %s: %s", job.good, ship.symbol, error)
            return False
        idle.remove(ship)
        self._active[job.operation_id] = ActiveWork(job, now, signal)
        self._guarded("recording activity", lambda: self._assignments.set_activity(ship.symbol, activity))
        return True

    def _assign(self, opportunity: ManufacturingOpportunity, idle: list[ShipSummary], now: datetime,
                budgets: _Budgets | None = None) -> WorkerJob | None:
        """Pick a ship for `opportunity`, hold it and submit the job; None when no ship could be had."""
        candidates = list(idle)
        while candidates:
            try:
                ship = self._selector.select(opportunity, candidates)
            except StrategyError as error:
                self._log.warning("ship selection for %s failed: %s", opportunity.good, error)
                return None
            if ship is None:
                return None
            if ship not in candidates:
                self._log.warning("ship selection returned %s, which is not idle; ignored", ship.symbol)
                return None
            if self._clears_first(ship, opportunity, idle, now):
                if self._manufacturing_slots_taken() >= self.config.max_workers:
                    return None  # the clearance took the run's slot: the run waits for a later cycle
                candidates.remove(ship)
                continue
            asks = (node.ask for node in opportunity.dependency_tree.walk())
            budget = (budgets.next(MANUFACTURING, lot_ceiling(ship.cargo_capacity, opportunity.bid, *asks))
                      if budgets is not None else None)
            if budgets is not None and budget is None:
                return None
            operation_id = f"{OPERATION_PREFIX[MANUFACTURING]}{self._new_id()}"
            job = WorkerJob(operation_id=operation_id, ship=ship.symbol, opportunity=opportunity, run_id=self.run_id,
                            budget=budget)
            # A margin guessed from the bid alone (the factory's ask unknown) is no promise to hold a record against.
            signal = (manufacturing_signal_per_hour(opportunity, ship, self._estimates)
                      if opportunity.dependency_tree.ask is not None else None)
            if not self._start(job, idle, ship, now,
                               f"manufacturing {opportunity.good} for {opportunity.sell_market}", signal):
                if ship in candidates:
                    candidates.remove(ship)
                    continue
                return None
            if budgets is not None and budget is not None:
                budgets.taken(budget)
            return job
        return None

    def _clear_stranded(self, ships: list[ShipState], idle: list[ShipSummary], now: datetime) -> None:
        """Give each idle ship whose cargo no run owns a ClearanceJob (takes it out of `idle`)."""
        if self._stranded is None:
            return
        waiting = self._stranded.waiting()
        for ship in self._stranded.due(ships, [summary.symbol for summary in idle], now):
            since = waiting.get(ship.symbol, now)
            self._start_clearance(ship, tuple(sorted(ship.inventory)), idle, now, "that no run owns",
                                  idle_seconds=max(0.0, (now - since).total_seconds()))

    def _clears_first(self, ship: ShipSummary, opportunity: ManufacturingOpportunity, idle: list[ShipSummary],
                      now: datetime) -> bool:
        """Whether `ship`, picked for `opportunity`, must not start it now: it holds goods an earlier run left that
        this run has no use for (none of its tree's goods), which get a ClearanceJob first. Leftovers are sold
        under an operation of their own (their cost from the ledger, a loss only for a reason logged), never inside
        a run, whose profit their money would inflate. A ship whose clearance kept such goods (no market paid their
        cost) is not held back again before the stranded-cargo pass allows: it works with them aside."""
        if self._stranded is None:
            return False
        state = next((s for s in self._ships(now) if s.symbol == ship.symbol), None)
        uses = {node.good for node in opportunity.dependency_tree.walk()}
        foreign = tuple(sorted(good for good in state.inventory if good not in uses)) if state is not None else ()
        if not foreign or not self._stranded.may_clear(ship.symbol, now):
            return False
        # Started or not (the ship was taken meanwhile), the run goes to another ship if a slot is left.
        self._start_clearance(state, foreign, idle, now, f"that a run of {opportunity.good} has no use for",
                              instead_of_run=True)
        return True

    def _start_clearance(self, ship: ShipState, goods: tuple[TradeSymbol, ...], idle: list[ShipSummary],
                         now: datetime, whose: str, *, idle_seconds: float = 0.0, instead_of_run: bool = False) -> None:
        """Hold `ship` for a ClearanceJob selling `goods` and submit it (takes the ship out of `idle`); `whose`
        says in the log why the cargo is cleared. A clearance takes a manufacturing slot: one `instead_of_run` takes
        the slot of the run it comes before (which manufacturing's cap allowed), any other waits for a free one."""
        if not instead_of_run and self._manufacturing_slots_taken() >= self.config.max_workers:
            self._log.info("stranded cargo on %s waits for a free worker", ship.symbol)
            return
        operation_id = f"{CLEARANCE_PREFIX}{self._new_id()}"
        lease_until = now + timedelta(seconds=self.config.lease_seconds)
        if not self._assignments.try_assign(ship.symbol, operation_id, self.holder, lease_until, now):
            return
        job = ClearanceJob(operation_id=operation_id, ship=ship.symbol, goods=goods, run_id=self.run_id,
                           idle_seconds=idle_seconds)
        try:
            self._pool.submit(job)
        except Exception as error:  # whatever the pool adapter raises, the ship must not stay held
            self._assignments.release(ship.symbol, operation_id)
            self._log.error("could not start clearing the cargo of %s: %s", ship.symbol, error)
            return
        self._clearing[operation_id] = job
        if self._stranded is not None:
            self._stranded.started(ship.symbol)
        idle[:] = [summary for summary in idle if summary.symbol != ship.symbol]
        held = ", ".join(f"{ship.inventory[good]} {good}" for good in goods)
        self._log.info("stranded cargo: %s holds %s %s; selling it (%s)", ship.symbol, held, whose, operation_id)
        self._guarded("recording activity", lambda: self._assignments.set_activity(
            ship.symbol, f"clearing stranded cargo: {held}"))

    # --- completions ---------------------------------------------------------------------------

    def collect_completions(self) -> list[WorkerResult]:
        """Take the results that arrived: release each ship, record the result, count losses.

        Each result is booked on its own: a storage error on one must not lose the others, which have already
        left the pool."""
        results = [self._with_ledger_money(result) for result in self._pool.completed()]
        for result in results:
            try:
                self._book(result)
            except Exception:  # noqa: BLE001 - logged with its traceback; the next results still get booked
                self._log.exception("could not book the result of %s on %s", result.operation_id, result.ship)
        if results:
            self._metrics.workers(self.active_workers(), self.config.max_workers)
            # A ship just came free: give it work on this turn of the loop rather than at the next interval.
            self._next_assignment = None
            self._ships_seen = None
        return results

    def _book(self, result: WorkerResult) -> None:
        work = self._active.pop(result.operation_id, None)
        clearing = self._clearing.pop(result.operation_id, None)
        self._stages.pop(result.operation_id, None)
        expected = self._expected.pop(result.operation_id, None)
        if work is not None and not result.cancelled and expected is not None:
            hours = max(0.0, (result.finished_at - work.started_at).total_seconds()) / 3600
            if expected.signal is not None:
                self._kind_records[work.job.kind].add(result.profit, expected.signal, hours)
            elif expected.record is not None:
                realization = self._realization[work.job.kind]
                realization.add(result.profit, expected.record, hours)
                if realization.ratio is not None:
                    self._log.info("%s runs chosen on their lane's record now earn %.0f%% of it (recent runs first)",
                                   work.job.kind, 100 * realization.ratio)
        if work is not None and work.job.route is not None:
            # The lane's prices are not what the route said any more (the run traded them, or found them moved and
            # did nothing): it waits for a route discovery from what the run saw, which is due at once. Without this
            # a route whose ask had run away went straight back to the ship still parked at its export, to fail
            # again every few seconds.
            self._routes = [route for route in self._routes if route.key != work.job.route.key]
            self._next_route_discovery = None
        elif work is not None and work.job.opportunity is not None:
            # Likewise an opportunity: its run moved the factory's ask and the sell market's bid (or found them
            # moved), so it is listed again only by a discovery from what the run saw (due at once). That alone does
            # not stop one failing at once from coming back (a failed CLOTHING went back to the ship at its factory
            # ten times): _account counts such failures as losing runs, which pauses the good.
            key = opportunity_key(work.job.opportunity)
            self._opportunities = [o for o in self._opportunities if opportunity_key(o) != key]
            self._next_discovery = None
        if result.may_still_run:
            # Its worker may still trade: the ship stays held until the lease (no longer renewed) runs out.
            self._maybe_running.add(result.operation_id)
        else:
            self._assignments.release(result.ship, result.operation_id)
        self._runs.record_result(self.run_id, result)
        if work is None:
            self._records.add(result)
        else:
            self._records.add(result, work.key, work.started_at, signal=work.signal)
        self._metrics.cycle_finished(result.good, result.outcome, result.revenue, result.cost)
        if clearing is not None:
            if self._stranded is not None:
                self._stranded.finished(result.ship, result.success, self._clock.now())
            self._log.info("stranded cargo of %s: %s, sold %d for %d credits%s", result.ship, result.outcome,
                           result.quantity_sold, result.revenue, f" ({result.error})" if result.error else "")
            return
        self._account(result, result.finished_at)
        where = f" @ {work.job.sell_market}" if work else ""
        if result.outcome == "failed":
            self._log.warning("worker failed: %s%s on %s, profit %d credits: %s", result.good, where,
                              result.ship, result.profit, result.error)
        else:
            self._log.info("%s worker %s: %s%s on %s, sold %d, profit %d credits", result.kind, result.outcome,
                           result.good, where, result.ship, result.quantity_sold, result.profit)

    def _with_ledger_money(self, result: WorkerResult) -> WorkerResult:
        """A worker that died (killed, crashed) reports no money; its ledger rows say what it really spent and
        earned, so losses are counted and the good can be paused."""
        if self._ledger is None or result.success or result.revenue or result.cost:
            return result
        rows = self._guarded("reading a dead worker's ledger",
                             lambda: self._ledger.transactions_of_operation(result.operation_id), anything=True)
        if not rows:
            return result
        revenue, cost = credits_and_debits(rows)
        return replace(result, revenue=revenue, cost=cost)

    def _account(self, result: WorkerResult, at: datetime) -> None:
        """Count `result` in the loss bookkeeping (application/loss_pauses.py: each kind of work pauses a good by its
        own rule, config.loss_pause)."""
        pause = self._losses.account(result, at)
        if pause is not None:
            self._apply_pause(pause)

    def _apply_pause(self, pause: Pause) -> None:
        """A pause still in force takes its good off its kind's list at once."""
        if pause.until <= self._clock.now():
            return
        if pause.kind == ARBITRAGE:
            self._routes = [r for r in self._routes if r.good != pause.good]
        else:
            self._opportunities = [o for o in self._opportunities if o.good != pause.good]
        self._log.warning("pausing %s of %s until %s: %s", pause.kind, pause.good, pause.until.isoformat(),
                          pause.reason)

    def _restore_loss_history(self) -> None:
        """Replay recent results (of earlier runs too) so a restart does not forget a good's losses."""
        recent = self._guarded("reading past results", lambda: self._runs.results(None, limit=RESTORED_RESULTS)) or []
        self._records.replay(recent)  # this run has none yet: it starts just now
        for pause in self._losses.replay(recent):
            self._apply_pause(pause)

    # --- queries -------------------------------------------------------------------------------

    def active_workers(self) -> int:
        return max(len(self._active) + len(self._clearing), self._pool.active())

    def _manufacturing_slots_taken(self) -> int:
        """Manufacturing workers and clearances running: clearances take manufacturing's slots, so the two kinds'
        maxima bound every job the pool runs (its size is their sum)."""
        return self.active_of(MANUFACTURING) + len(self._clearing)

    def active_of(self, kind: str) -> int:
        """Workers of one kind (manufacturing or arbitrage) started and not yet collected."""
        return sum(1 for work in self._active.values() if work.job.kind == kind)

    @property
    def routes(self) -> list[TradeRoute]:
        return list(self._routes)

    def paused_trades(self) -> dict[TradeSymbol, datetime]:
        """Goods whose trading is paused now, with the time each pause ends."""
        return self._losses.paused(ARBITRAGE, self._clock.now())

    @property
    def opportunities(self) -> list[ManufacturingOpportunity]:
        return list(self._opportunities)

    @property
    def results(self) -> list[WorkerResult]:
        """Every result this coordinator collected, oldest first."""
        return self._records.results

    def paused_goods(self) -> dict[TradeSymbol, datetime]:
        """Goods paused now, with the time each pause ends."""
        return self._losses.paused(MANUFACTURING, self._clock.now())

    def status(self) -> CoordinatorStatus:
        return CoordinatorStatus(
            run_id=self.run_id, system=self.system, active_workers=self.active_workers(),
            max_workers=self.config.max_workers,
            assigned={work.job.ship: work.job.good for work in self._active.values()},
            opportunities=tuple(self._opportunities), paused=self.paused_goods(), results=tuple(self._records.results),
            routes=tuple(self._routes), paused_trades=self.paused_trades())

    # --- helpers -------------------------------------------------------------------------------

    def _commitments(self) -> list[Commitment]:
        """What each running job was allotted and what its cargo has outstanding so far, from its ledger rows (the
        whole allotment spent once it sold its good: account_budget.commitment)."""
        commitments = []
        for operation, work in self._active.items():
            if work.job.budget is None:
                continue
            rows = []
            if self._ledger is not None:
                rows = self._guarded("reading a worker's ledger",
                                     lambda: self._ledger.transactions_of_operation(operation)) or []
            commitments.append(commitment(work.job.budget, rows, work.job.good))
        return commitments

    def _cargo_value(self, ships: list[ShipState]) -> int:
        """The cargo in every hold at the best bid known for each good (0 for goods with no known bid)."""
        if self._markets is None or not any(ship.inventory for ship in ships):
            return 0
        best: dict[TradeSymbol, int] = {}
        for snapshot in self._guarded("reading markets", lambda: self._markets.markets_in_system(self.system)) or []:
            for good, entry in snapshot.trade_goods.items():
                best[good] = max(best.get(good, 0), entry.bid)
        return sum(units * best.get(good, 0) for ship in ships for good, units in ship.inventory.items())

    def _waiting_lot_profit(self) -> int | None:
        """The price signal of the work no ship does now (for a first hauler, before any run is measured)."""
        busy = {work.key for work in self._active.values()}
        return waiting_lot_profit([route for route in self._routes if route.key not in busy],
                                  [o for o in self._opportunities if opportunity_key(o) not in busy])

    def _paused_goods(self, now: datetime) -> set[TradeSymbol]:
        return set(self._losses.paused(MANUFACTURING, now))

    def _paused_trades_at(self, now: datetime) -> set[TradeSymbol]:
        return set(self._losses.paused(ARBITRAGE, now))

    def _ships(self, now: datetime) -> list[ShipState]:
        """The fleet, listed at most once a second (discovery and assignment of one turn share it); a worker's
        completion makes the next call list it afresh."""
        if self._ships_seen is None or not timedelta(0) <= now - self._ships_seen[0] < _SHIPS_FRESH_FOR:
            self._ships_seen = (now, list(self._game.ships()))
        return self._ships_seen[1]

    def _renew_leases(self) -> None:
        """Renew the leases of live operations only: this run's workers still running, and the ships its scout
        and fleet manager hold. A worker operation the coordinator no longer waits for keeps no lease."""
        now = self._clock.now()
        live = {
            held.operation_id for held in self._assignments.assigned()
            if held.holder == self.holder and (
                held.operation_id in self._active or held.operation_id in self._clearing
                or not held.operation_id.startswith(_WORKER_PREFIXES))}
        self._assignments.renew_operations(live, now + timedelta(seconds=self.config.lease_seconds))
        self._next_renewal = now + timedelta(seconds=self.config.lease_seconds / 3)

    def _check_coverage(self) -> None:
        if self._scout is None:
            self._log.warning("no market scout: prices come only from markets the workers visit")
            return
        coverage = self._guarded("checking market coverage", self._scout.coverage)
        if coverage is None:
            return
        level = logging.INFO if coverage.complete else logging.WARNING
        for line in coverage.describe():
            self._log.log(level, "market coverage: %s", line)

    def _sleep_for(self) -> float:
        now = self._clock.now()
        arrival = self._scout.next_arrival if self._scout is not None else None
        if arrival == self._arrival_seen:
            arrival = None
        route_due = self._next_route_discovery if self.arbitrage_enabled else None
        due = [moment for moment in (self._next_discovery, self._next_assignment, self._next_renewal, arrival,
                                     route_due) if moment]
        until_next = min(((moment - now).total_seconds() for moment in due), default=self.config.tick_seconds)
        return max(0.001, min(self.config.tick_seconds, until_next))

    def _guarded(self, what: str, action: Callable[[], _T], *, anything: bool = False) -> _T | None:
        """Run `action`; a failure the application knows about (game down, strategy broken, bad data) is logged
        and the loop carries on, so one bad cycle does not stop the run. `anything` also swallows unexpected
        errors (at shutdown, where every step must get its turn)."""
        try:
            return action()
        except (ApplicationError, DomainError) as error:
            self._log.warning("%s failed: %s", what, error)
            return None
        except Exception:
            if not anything:
                raise
            self._log.exception("%s failed", what)
            return None



def _rate_text(per_hour: float) -> str:
    return "untried kind" if math.isinf(per_hour) else f"{per_hour:,.0f}/h"


class _Budgets:
    """The account's one budget, shared out during one assignment cycle: the agent's credits are asked once, when
    the first job is about to start; each job gets the free credits divided by the jobs that may still start."""

    def __init__(self, coordinator: ManufacturingArbitrageCoordinator, idle: list[ShipSummary], fuel: int) -> None:
        self._coordinator = coordinator
        self._idle = idle
        self._fuel = fuel
        self._free: int | None = None

    def __bool__(self) -> bool:
        return True

    def next(self, kind: str, ceiling: int) -> int | None:
        """The budget of the next job, of `kind`, at most `ceiling` (what the job can spend, lot_ceiling); None
        when the account has nothing to spare."""
        c = self._coordinator
        if self._free is None:
            credits = c._guarded("reading the agent's credits", lambda: c._game.agent().credits)
            if credits is None:
                return None
            budget = AccountBudget(replace(c._budget.config, credit_reserve=c.config.credit_reserve))
            self._free = max(0, budget.free(credits, c._commitments()) - self._fuel)
        slots = (c.config.max_workers if c.config.manufacturing_enabled else 0) + (
            c.config.arbitrage_max_workers if c.arbitrage_enabled else 0)
        starting = max(1, min(len(self._idle), slots - len(c._active)))
        # No one job gets more than its kind's share of what is free: ships are bought from the rest.
        share = int(min(self._free // starting, self._free * c.config.budget_share(kind), ceiling))
        return share if share > 0 else None

    def taken(self, amount: int) -> None:
        if self._free is not None:
            self._free = max(0, self._free - amount)
