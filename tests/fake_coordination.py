"""In-memory fakes for the coordinator, fleet manager, market scout and worker pools.

What tests/fakes.py, tests/fake_game.py and tests/fake_repositories.py do not have: a RunRepository, a WorkerPool
whose jobs end when the test says so, recording metrics, a demand finder with fixed answers, stop tokens, ship and
market builders on FakeGame, and module-level (picklable) runners for the real pools. Assert on their state.
"""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from application.demand_finder import DemandFinderConfig, DemandReport
from application.repositories import RunInfo
from application.worker_jobs import WorkerJob, WorkerResult
from domain.fleet import ShipType
from domain.goods import TradeGoodType, TradeSymbol
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.trade_route import TradeRoute
from tests.fake_game import SHIP_SPECS, FakeGame
from tests.fakes import DEFAULT_NOW

# --- RunRepository -------------------------------------------------------------------------------


class InMemoryRuns:
    """Runs, their latest opportunities and trade routes, and results."""

    def __init__(self, past_results: Iterable[WorkerResult] = ()) -> None:
        self.runs: dict[str, RunInfo] = {}
        self.states: list[tuple[str, str]] = []
        self.saved: dict[str, list[ManufacturingOpportunity]] = {}
        self.saved_routes: dict[str, list[TradeRoute]] = {}
        self.recorded: list[tuple[str | None, WorkerResult]] = [(None, r) for r in past_results]

    def start_run(self, run: RunInfo) -> None:
        self.runs[run.run_id] = run
        self.states.append((run.run_id, run.state))

    def set_state(self, run_id: str, state: str, at: datetime) -> None:
        self.runs[run_id] = replace(self.runs[run_id], state=state,
                                    finished_at=at if state in {"STOPPED", "CRASHED"} else None)
        self.states.append((run_id, state))

    def latest_run(self, player: str) -> RunInfo | None:
        runs = [run for run in self.runs.values() if run.player == player]
        return max(runs, key=lambda run: run.started_at, default=None)

    def save_opportunities(self, run_id: str, opportunities: Sequence[ManufacturingOpportunity]) -> None:
        self.saved[run_id] = list(opportunities)

    def opportunities(self, run_id: str) -> list[ManufacturingOpportunity]:
        return list(self.saved.get(run_id, []))

    def save_routes(self, run_id: str, routes: Sequence[TradeRoute]) -> None:
        self.saved_routes[run_id] = list(routes)

    def routes(self, run_id: str) -> list[TradeRoute]:
        return list(self.saved_routes.get(run_id, []))

    def record_result(self, run_id: str, result: WorkerResult) -> None:
        if all(r.operation_id != result.operation_id for _, r in self.recorded):
            self.recorded.append((run_id, result))

    def results(self, run_id: str | None = None, limit: int = 50) -> list[WorkerResult]:
        rows = [r for rid, r in self.recorded if run_id is None or rid == run_id]
        return sorted(rows, key=lambda r: r.finished_at, reverse=True)[:limit]

    def run_state(self, run_id: str) -> str | None:
        run = self.runs.get(run_id)
        return None if run is None else run.state


# --- WorkerPool ------------------------------------------------------------------------------------


class ScriptedPool:
    """A WorkerPool whose jobs run until the test ends them (`complete`, `fail`), like a slow worker would."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.submitted: list[WorkerJob] = []
        self.running: dict[str, WorkerJob] = {}
        self.finished: list[WorkerResult] = []
        self.most_running = 0
        self.cancel_requested = False
        self.closed = False
        self.refuse_submissions = False

    def submit(self, job: WorkerJob) -> None:
        if self.closed or self.refuse_submissions:
            raise RuntimeError("pool refuses jobs")
        self.submitted.append(job)
        self.running[job.operation_id] = job
        self.most_running = max(self.most_running, len(self.running))

    def completed(self) -> list[WorkerResult]:
        results, self.finished = self.finished, []
        return results

    def active(self) -> int:
        return len(self.running) + len(self.finished)

    def cancel_all(self) -> None:
        self.cancel_requested = True

    def close(self, timeout: float) -> None:
        self.closed = True
        # A well-behaved worker stops at its next step when cancelled: every running job ends cancelled.
        for operation_id in list(self.running):
            self.end(operation_id, cancelled=True)

    def job_of(self, ship: str) -> WorkerJob:
        return next(job for job in self.running.values() if job.ship == ship)

    def end(self, operation_id: str, *, revenue: int = 0, cost: int = 0, sold: int = 0, success: bool = False,
            cancelled: bool = False, error: str | None = None, started_at: datetime | None = None) -> WorkerResult:
        """`started_at`: when the worker says it started (now unless given)."""
        job = self.running.pop(operation_id)
        result = WorkerResult(operation_id=operation_id, ship=job.ship, good=job.good,
                              started_at=started_at or self.clock.now(), finished_at=self.clock.now(),
                              quantity_sold=sold,
                              revenue=revenue, cost=cost, success=success, cancelled=cancelled, error=error)
        self.finished.append(result)
        return result

    def complete(self, operation_id: str, *, revenue: int, cost: int, sold: int = 10,
                 started_at: datetime | None = None) -> WorkerResult:
        return self.end(operation_id, revenue=revenue, cost=cost, sold=sold, success=True, started_at=started_at)

    def fail(self, operation_id: str, *, cost: int = 0, error: str = "boom") -> WorkerResult:
        return self.end(operation_id, cost=cost, error=error)


# --- Metrics ---------------------------------------------------------------------------------------


class RecordingMetrics:
    """Keeps the last value of each gauge and every counted event."""

    def __init__(self) -> None:
        self.opportunities = None
        self.active_workers = None
        self.max_workers = None
        self.cycles: list[tuple[str, str, int, int]] = []
        self.credits: list[tuple[str, int]] = []
        self.balance = None
        self.ship_counts: dict[str, int] = {}

    def opportunities_found(self, count: int) -> None:
        self.opportunities = count

    def workers(self, active: int, maximum: int) -> None:
        self.active_workers, self.max_workers = active, maximum

    def cycle_finished(self, good: str, outcome: str, revenue: int, cost: int) -> None:
        self.cycles.append((str(good), outcome, revenue, cost))

    def credits_moved(self, category: str, amount: int) -> None:
        self.credits.append((category, amount))

    def agent_credits(self, credits: int) -> None:
        self.balance = credits

    def api_request(self, endpoint: str, status: int, seconds: float) -> None:
        pass

    def rate_budget(self, used_ratio: float, waited_seconds: float = 0.0) -> None:
        pass

    def ships(self, counts: dict[str, int]) -> None:
        self.ship_counts = dict(counts)


class StopAt:
    """A CancelToken that fires once the clock reaches `moment` (seconds after the clock's start)."""

    def __init__(self, clock, seconds: float) -> None:
        self.clock = clock
        self.moment = clock.now() + timedelta(seconds=seconds)

    def cancelled(self) -> bool:
        return self.clock.now() >= self.moment


class StopAfter:
    """A CancelToken that fires once it has been asked `checks` times."""

    def __init__(self, checks: int) -> None:
        self.left = checks

    def cancelled(self) -> bool:
        self.left -= 1
        return self.left < 0


# --- Ships and markets on tests/fake_game.FakeGame ----------------------------------------------------

SYSTEM = SystemSymbol("X1-TEST")

_KINDS = {"hauler": ShipType.SHIP_LIGHT_HAULER, "probe": ShipType.SHIP_PROBE, "frigate": ShipType.SHIP_COMMAND_FRIGATE}


def add_ship(game: FakeGame, symbol: str, waypoint: str, kind: str = "hauler", **overrides) -> None:
    """A ship as bought (kind: hauler, probe or frigate) at `waypoint` of the FakeGame."""
    role, frame, cargo, fuel, speed = SHIP_SPECS[_KINDS[kind]]
    spec = dict(cargo_capacity=cargo, fuel_capacity=fuel, engine_speed=speed, role=role, frame=frame)
    spec.update(overrides)
    game.add_ship(symbol, waypoint, **spec)


def add_market(game: FakeGame, waypoint: str, *, imports: dict[str, int] | None = None,
               exports: dict[str, int] | None = None) -> None:
    """`imports` maps a good to what the market pays (bid), `exports` to what it asks."""
    for good, bid in (imports or {}).items():
        game.add_good(waypoint, good, TradeGoodType.IMPORT, ask=bid * 2, bid=bid)
    for good, ask in (exports or {}).items():
        game.add_good(waypoint, good, TradeGoodType.EXPORT, ask=ask, bid=ask // 2)


# --- Opportunities -----------------------------------------------------------------------------------


def make_opportunity(good: str, market: str, bid: int, *, factory: str | None = None,
                     source: str | None = None, at: datetime = DEFAULT_NOW) -> ManufacturingOpportunity:
    """`good` fabricated at `factory` from IRON bought at `source`, sold to `market` for `bid` a unit."""
    market = WaypointSymbol(market)
    system = market.system
    tree = SupplyChainNode(
        good=TradeSymbol(good), method=AcquisitionMethod.FABRICATE, market=WaypointSymbol(factory or f"{system}-F1"),
        children=(SupplyChainNode(good=TradeSymbol.IRON, method=AcquisitionMethod.BUY,
                                  market=WaypointSymbol(source or f"{system}-S1"), ask=50),))
    return ManufacturingOpportunity(good=TradeSymbol(good), sell_market=market, bid=bid, dependency_tree=tree,
                                    discovered_at=at)


class FixedDemand:
    """A demand finder that answers the opportunities it was given (best first), top N as asked; with a `ranker`,
    like the real finder, it hands the ranker the opportunities with their recorded profit per hour (`history`)."""

    def __init__(self, clock, opportunities: Sequence[ManufacturingOpportunity] = (), ranker=None) -> None:
        self.clock = clock
        self.opportunities = list(opportunities)
        self.ranker = ranker
        self.asked: list[DemandFinderConfig | None] = []

    def find(self, system, config: DemandFinderConfig | None = None, *, history=None) -> DemandReport:
        self.asked.append(config)
        limit = config.max_opportunities if config else 10
        found = self.opportunities
        if history is not None:
            found = [o if (made := history(o)) is None
                     else replace(o, recorded_profit_per_hour=made.per_hour, recorded_share=made.share) for o in found]
        if self.ranker is not None:
            found = self.ranker.rank(found)
        return DemandReport(SystemSymbol(system), self.clock.now(), tuple(found[:limit]), ())


# --- Runners for the real pools (module level, so a spawned process can import them) ------------------


def _result(job: WorkerJob, **fields) -> WorkerResult:
    now = datetime.now(UTC)
    return WorkerResult(operation_id=job.operation_id, ship=job.ship, good=job.opportunity.good,
                        started_at=now, finished_at=now, **fields)


def profitable_runner(job: WorkerJob, cancel) -> WorkerResult:
    """Sells 10 units at the opportunity's bid for half of it: profit = 5 x bid."""
    return _result(job, quantity_sold=10, revenue=10 * job.opportunity.bid, cost=5 * job.opportunity.bid,
                   success=True)


def waiting_runner(job: WorkerJob, cancel) -> WorkerResult:
    """Works until cancelled (at most 60 s), then exits cleanly as cancelled."""
    deadline = time.monotonic() + 60
    while not cancel.is_set() and time.monotonic() < deadline:
        time.sleep(0.02)
    return _result(job, cancelled=cancel.is_set(), error=None if cancel.is_set() else "never cancelled")


def suicidal_runner(job: WorkerJob, cancel) -> WorkerResult:
    """Its process is killed mid-run (as by the OOM killer or `kill -9`)."""
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(30)
    raise AssertionError("still alive after SIGKILL")


def raising_runner(job: WorkerJob, cancel) -> WorkerResult:
    raise RuntimeError(f"no route to {job.opportunity.sell_market}")


def stubborn_runner(job: WorkerJob, cancel) -> WorkerResult:
    """Ignores cancellation for a long time (a worker stuck in a call)."""
    time.sleep(60)
    return _result(job, success=True)


def pid_runner(job: WorkerJob, cancel) -> WorkerResult:
    """Reports the process it ran in as `quantity_sold` (to prove jobs run in other processes)."""
    return _result(job, success=True, quantity_sold=os.getpid())
