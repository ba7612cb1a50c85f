"""The plan's status screen, from live data: the daemon's process and record, and the database it writes.

Everything comes from storage (runs, ranked opportunities and trade routes, worker results, ship assignments with
their current activity, the ledger, stored markets), so `status` costs no request of the account's rate budget and
works while the game is away. The goods paused after losing runs are the running daemon's own state: they are rebuilt
from the stored results by the coordinator's rule (application/loss_pauses.py) and the rules in the daemon's record.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from adapters.cli.console import IndentedSentence, credits, field, heading, indented, table
from adapters.cli.operator_context import Operator, shown_database
from adapters.daemon.process import DaemonState
from adapters.daemon.recovery import FINAL_STATES
from adapters.daemon.state_file import DaemonInfo, read_daemon_info
from adapters.durations import format_duration
from application.loss_pauses import Pause, rebuilt
from application.repositories import RunInfo
from application.work_allocation import lane_signal_per_hour, units_per_trip
from application.worker_jobs import ARBITRAGE, CLEARANCE_PREFIX, MANUFACTURING, kind_of_operation
from domain.ledger import CARGO_CATEGORIES, TransactionCategory, TransactionType, net_credits
from domain.trade_route import TradeRoute

RECENT_COMPLETIONS = 5
TOP_ROUTES = 10
# A market's prices count as fresh for this long (game time), as for the coordinator's scout.
FRESH_GAME_SECONDS = 900.0
_MIN_FRESH_SECONDS = 30.0
CLEARANCE = "clearance"  # the work of a stranded-cargo clearance, on the screen and in --json
# How far back the ledger is read for cargo bought and never sold.
STRANDED_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class ShipLine:
    ship: str
    operation_id: str
    activity: str
    until: datetime | None


@dataclass(frozen=True)
class OpportunityLine:
    rank: int
    good: str
    market: str
    price: int
    depth: int
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class RouteLine:
    """A trade route as the last route discovery ranked it: `units` one trip buys, what one lot of it earns at
    these prices (`lot_profit`, what the default trade ranking orders by, weighed by the prices' age) and the
    credits per hour of a ship's game time they promise (`signal`, work_allocation.lane_signal_per_hour: what the
    learned ranking compares lanes by), for the ship the estimates assume; `seen`: when the older of its two prices
    was seen."""

    rank: int
    good: str
    buy_market: str
    sell_market: str
    ask: int
    bid: int
    units: int
    signal: float
    seen: datetime
    lot_profit: int = 0


@dataclass(frozen=True)
class CompletionLine:
    good: str
    ship: str
    outcome: str
    profit: int
    quantity_sold: int
    finished_at: datetime
    error: str | None
    kind: str = "manufacturing"  # or arbitrage


@dataclass(frozen=True)
class GoodProfit:
    good: str
    profit: int
    runs: int
    completed: int


@dataclass(frozen=True)
class StrandedLine:
    """Cargo an idle ship holds according to the ledger: bought and not sold (nor delivered) by any run."""

    ship: str
    good: str
    units: int
    cost: int


@dataclass(frozen=True)
class Coverage:
    """Stored markets of the system: how many have prices, how many are fresh."""

    priced: int
    fresh: int
    fresh_within: float
    oldest_age: float | None


@dataclass(frozen=True)
class WorkerCount:
    """The workers of one kind of work running now, against the kind's own maximum (0: the kind is off)."""

    kind: str
    active: int
    maximum: int


@dataclass(frozen=True)
class StatusReport:
    player: str
    state: str
    now: datetime
    pid: int | None
    run: RunInfo | None
    info: DaemonInfo | None
    system: str
    max_workers: int  # manufacturing's (0: off)
    strategies: str
    log_file: str
    database: str
    ships: tuple[ShipLine, ...] = ()
    opportunities: tuple[OpportunityLine, ...] = ()
    routes: tuple[RouteLine, ...] = ()
    completions: tuple[CompletionLine, ...] = ()
    by_good: tuple[GoodProfit, ...] = ()
    session_profit: int | None = None
    ship_purchases: int = 0  # signed: what the session's ship purchases took
    ships_bought: int = 0
    cleared: tuple[int, int] = (0, 0)  # stranded-cargo clearances finished: (their money, how many)
    stranded: tuple[StrandedLine, ...] = ()
    by_kind: tuple[tuple[str, int, int, int], ...] = ()  # (kind of work, profit, runs, working now)
    coverage: Coverage | None = None
    orphans: int = 0  # processes a crashed daemon left running (its workers)
    arbitrage_max_workers: int = 0  # 0: off
    # Goods a kind of work has paused after losing runs, soonest end first per kind; None when not known (no daemon
    # runs: the pauses are its state, and a start rebuilds them under its own rules).
    paused: tuple[Pause, ...] | None = None

    @property
    def workers(self) -> tuple[WorkerCount, ...]:
        """Each kind of work's workers (ships held by its operations) against its own maximum."""
        working = [kind_of_operation(line.operation_id) for line in self.ships]
        return (WorkerCount(MANUFACTURING, working.count(MANUFACTURING), self.max_workers),
                WorkerCount(ARBITRAGE, working.count(ARBITRAGE), self.arbitrage_max_workers))

    @property
    def clearances(self) -> int:
        """Stranded-cargo clearances running now (workers of no kind of work)."""
        return sum(1 for line in self.ships if line.operation_id.startswith(CLEARANCE_PREFIX))

    @property
    def other_money(self) -> int:
        """Session profit not in profit by good nor in ship purchases: runs still going, fuel of scouting."""
        if self.session_profit is None:
            return 0
        return self.session_profit - sum(g.profit for g in self.by_good) - self.ship_purchases - self.cleared[0]

    @property
    def strategy_choices(self) -> dict[str, str]:
        """`ranking=a, ship=b` as {"ranking": "a", "ship": "b"}."""
        pairs = (part.split("=", 1) for part in self.strategies.split(",") if "=" in part)
        return {key.strip(): value.strip() for key, value in pairs}


def gather_status(op: Operator, player: str, now: datetime | None = None) -> StatusReport:
    """Read everything the status screen shows for `player`."""
    import bootstrap

    now = now or datetime.now(UTC)
    paths = op.paths(player)
    process = op.daemon(player).status()
    info = read_daemon_info(paths)
    if info is not None and (process.state is not DaemonState.RUNNING or info.pid != process.pid):
        info = None  # the record of a daemon that is gone
    database_url = op.daemon_database_url(player)
    if database_url == op.database_url(player) and not op.settings.database.url and not paths.database_file.exists():
        return _without_runs(op, player, now, process.state, info, database_url)
    storage = bootstrap.open_storage(database_url)
    try:
        run = storage.runs.latest_run(player)
        state = _state(process.state, run)
        system = (info.system if info else "") or (run.system if run else "") or op.settings.system
        report = StatusReport(
            player=player, state=state, now=now, pid=process.pid if process.state is DaemonState.RUNNING else None,
            run=run, info=info, system=system, **_worker_caps(op.settings, info),
            strategies=(info.strategies if info else "") or (run.strategies if run else "") or
            f"ranking={op.settings.strategy.ranking}, ship={op.settings.strategy.ship_selection}",
            log_file=str(paths.log_file()), database=shown_database(database_url), orphans=len(process.orphans))
        if run is None:
            return report
        prefix = f"{player}-"
        ships = tuple(ShipLine(a.ship, a.operation_id, a.activity, a.activity_until)
                      for a in storage.assignments.assigned() if a.ship.startswith(prefix))
        opportunities = tuple(
            OpportunityLine(rank, o.good.value, str(o.sell_market), o.bid, o.tree_depth,
                            tuple(g.value for g in o.required_inputs))
            for rank, o in enumerate(storage.runs.opportunities(run.run_id), start=1))
        routes = tuple(_route_line(rank, route) for rank, route in enumerate(storage.runs.routes(run.run_id), start=1))
        results = list(storage.runs.results(run.run_id, limit=10_000))
        stored = list(storage.runs.results(None, limit=10_000))
        completions = tuple(CompletionLine(r.good.value, str(r.ship), r.outcome, r.profit, r.quantity_sold,
                                           r.finished_at, r.error, _work(r.operation_id) or r.kind)
                            for r in results[:RECENT_COMPLETIONS])
        rows = [row for row in storage.ledger.transactions_since(run.started_at)
                if row.ship is None or row.ship.startswith(prefix)]
        bought = [row for row in rows if row.category is TransactionCategory.SHIP_PURCHASE]
        fresh_within = max(_MIN_FRESH_SECONDS, FRESH_GAME_SECONDS / max(1.0, info.time_scale if info else 1.0))
        sold_out = {r.operation_id for r in stored if r.success}
        stranded = _stranded([row for row in storage.ledger.transactions_since(now - STRANDED_LOOKBACK)
                              if row.operation_id not in sold_out], prefix, {line.ship for line in ships})
        return replace(report, ships=ships, opportunities=opportunities, routes=routes, completions=completions,
                       by_good=_by_good(results), cleared=_cleared(results), session_profit=net_credits(rows),
                       ship_purchases=net_credits(bought), ships_bought=len(bought), stranded=stranded,
                       by_kind=_by_kind(results, ships),
                       coverage=_coverage(storage.markets, run.system, now, fresh_within),
                       paused=_paused(op.settings, info, run, results, stored, now))
    finally:
        storage.close()


def _without_runs(op: Operator, player: str, now: datetime, process: DaemonState, info: DaemonInfo | None,
                  database_url: str) -> StatusReport:
    """The report of a player whose database does not exist yet (never started here)."""
    paths = op.paths(player)
    return StatusReport(
        player=player, state=_state(process, None), now=now, pid=None, run=None, info=info,
        system=op.settings.system, **_worker_caps(op.settings, None),
        strategies=f"ranking={op.settings.strategy.ranking}, ship={op.settings.strategy.ship_selection}",
        log_file=str(paths.log_file()), database=shown_database(database_url))


def _route_line(rank: int, route: TradeRoute) -> RouteLine:
    return RouteLine(rank, route.good.value, str(route.buy_market), str(route.sell_market), route.ask, route.bid,
                     units_per_trip(route), lane_signal_per_hour(route), route.observed_at, route.lot_profit)


def _worker_caps(settings: Any, info: DaemonInfo | None) -> dict[str, int]:
    """Each kind's maximum of workers: the running daemon's, else (or where its older record does not say) what
    the settings give a daemon started now."""
    import bootstrap

    caps = bootstrap.worker_caps(settings)
    if info is not None:
        caps["max_workers"] = info.max_workers
        if info.arbitrage_max_workers is not None:
            caps["arbitrage_max_workers"] = info.arbitrage_max_workers
    return caps


def _paused(settings: Any, info: DaemonInfo | None, run: RunInfo, results: list[Any], stored: list[Any],
            now: datetime) -> tuple[Pause, ...] | None:
    """The pauses the running daemon holds, rebuilt from what it stored by the one rule it applies
    (application/loss_pauses.py) with its own rules (its record's; the settings', scaled to its game's speed, for a
    record that predates them). None without a running daemon."""
    import bootstrap

    if info is None:
        return None
    fallback = bootstrap.loss_pauses(settings, max(1.0, info.time_scale), info.rate_limit_scaled)
    book = rebuilt(lambda kind: info.loss_pause(kind) or fallback[kind], run.started_at, results, stored)
    return tuple(book.in_force(now))


def _state(process: DaemonState, run: RunInfo | None) -> str:
    if process is DaemonState.RUNNING:
        return "STOPPING" if run is not None and run.state == "STOPPING" else "RUNNING"
    if process is DaemonState.STALE:
        return "CRASHED"
    if run is None:
        return "NOT STARTED"
    # No process, yet the run never reached a final state: it was killed (the next start recovers it).
    return run.state if run.state in FINAL_STATES else "CRASHED"


def _by_good(results: list[Any]) -> tuple[GoodProfit, ...]:
    """The runs of both kinds by good (clearances of stranded cargo are no good's runs: see `_cleared`)."""
    profit: dict[str, int] = defaultdict(int)
    runs: dict[str, int] = defaultdict(int)
    completed: dict[str, int] = defaultdict(int)
    for result in results:
        if result.operation_id.startswith(CLEARANCE_PREFIX):
            continue
        good = result.good.value
        profit[good] += result.profit
        runs[good] += 1
        completed[good] += result.outcome == "completed"
    return tuple(GoodProfit(good, profit[good], runs[good], completed[good])
                 for good in sorted(profit, key=lambda g: (-profit[g], g)))


def _cleared(results: list[Any]) -> tuple[int, int]:
    """What the finished clearances of stranded cargo fetched (their sales less nothing: the cargo was paid for by
    the run that left it), and how many there were."""
    cleared = [result for result in results if result.operation_id.startswith(CLEARANCE_PREFIX)]
    return sum(result.profit for result in cleared), len(cleared)


def _stranded(rows: Any, prefix: str, held: set[str]) -> tuple[StrandedLine, ...]:
    """Per idle ship and good: units bought minus units sold over `rows` (those of runs that did not sell out),
    where positive."""
    units: dict[tuple[str, str], int] = defaultdict(int)
    cost: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if (row.category not in CARGO_CATEGORIES or row.ship is None or row.good is None
                or not row.units or not row.ship.startswith(prefix)):
            continue
        key = (str(row.ship), row.good.value)
        if row.type is TransactionType.DEBIT:
            units[key] += row.units
            cost[key] += row.amount
        else:
            units[key] -= row.units
            if units[key] <= 0:
                units[key], cost[key] = 0, 0
    return tuple(StrandedLine(ship, good, count, cost[(ship, good)])
                 for (ship, good), count in sorted(units.items()) if count > 0 and ship not in held)


def _work(operation_id: str) -> str | None:
    """What an operation is: a kind of work's run, a clearance of stranded cargo (whose stored result alone would
    say manufacturing), or None (the scout's, the fleet's)."""
    return CLEARANCE if operation_id.startswith(CLEARANCE_PREFIX) else kind_of_operation(operation_id)


def _by_kind(results: list[Any], ships: tuple[ShipLine, ...]) -> tuple[tuple[str, int, int, int], ...]:
    """Manufacturing and trade arbitrage side by side: profit and runs from the results, ships working now; then
    the clearances of stranded cargo when any ran, whose money is no kind of work's."""
    done = [_work(r.operation_id) or r.kind for r in results]
    working = [_work(line.operation_id) for line in ships]
    rows = tuple((kind, sum(r.profit for r, work in zip(results, done, strict=True) if work == kind),
                  done.count(kind), working.count(kind)) for kind in (MANUFACTURING, ARBITRAGE, CLEARANCE))
    return rows if rows[-1][2] or rows[-1][3] else rows[:-1]


def _coverage(markets: Any, system: str, now: datetime, fresh_within: float) -> Coverage:
    from domain.symbols import SystemSymbol

    snapshots = [m for m in markets.markets_in_system(SystemSymbol(system)) if m.trade_goods]
    ages = [(now - m.observed_at).total_seconds() for m in snapshots]
    return Coverage(priced=len(snapshots), fresh=sum(1 for age in ages if age <= fresh_within),
                    fresh_within=fresh_within, oldest_age=max(ages) if ages else None)


# --- showing it -----------------------------------------------------------------------------------------------------

_STATE_STYLES = {"RUNNING": "green", "STOPPING": "yellow", "STOPPED": "yellow", "CRASHED": "bold red"}


def render_status(report: StatusReport) -> Group:
    """The screen: the daemon and where to find things in `Label: value` lines, the rest in tables."""
    title = "Manufacturing Arbitrage Status"
    parts: list[RenderableType] = [heading(title), Text("=" * len(title))]
    state = report.state
    if report.pid is not None:
        state += f" (pid {report.pid}"
        state += f", since {_ago(report.run.started_at, report.now)})" if report.run else ")"
    elif report.run is not None and report.run.finished_at is not None:
        state += f" (since {_ago(report.run.finished_at, report.now)})"
    parts.append(field("Status", Text(state, style=_STATE_STYLES.get(report.state, ""))))
    parts.append(field("Player", report.player))
    parts.append(field("System", report.system or "-"))
    if report.info is not None:
        scale = f", speed {report.info.time_scale:g}" if report.info.embedded else ""
        parts.append(field("Game", f"{report.info.base_url} ({'embedded' if report.info.embedded else 'remote'}"
                                   f"{scale})"))
    parts.append(field("Strategies", report.strategies))
    if report.run is None:
        parts += [Text(""), Text(f"No manufacturing run yet: start one with `spacetraders manufacturing start "
                                 f"--player {report.player}`")]
        return Group(*parts, *_where(report))
    parts.append(field("Active Workers", _workers(report)))
    if report.state == "CRASHED":
        left = f"; {report.orphans} of its processes still run" if report.orphans else ""
        parts.append(Text(f"The daemon is gone without shutting down{left}: `spacetraders manufacturing start "
                          f"--player {report.player}` ends them, reconciles the ships still held and releases them.",
                          style="red"))
    parts += (_ships(report) + _opportunities(report) + _routes(report) + _paused_goods(report) + _completions(report)
              + _money(report) + _stranded_cargo(report))
    if report.coverage is not None:
        c = report.coverage
        oldest = "" if c.oldest_age is None else f", oldest {_duration(c.oldest_age)} old"
        parts += [Text(""), field("Market Coverage", f"{c.priced} markets priced, {c.fresh} fresh (under "
                                                     f"{_duration(c.fresh_within)}){oldest}")]
    return Group(*parts, *_where(report))


def _workers(report: StatusReport) -> str:
    """`manufacturing 2/5, arbitrage 1/3`: each kind against its own maximum, with clearances when any run."""
    kinds = [f"{w.kind} {w.active}/{w.maximum}" if w.maximum else f"{w.kind} off" + (f" ({w.active} still working)"
                                                                                     if w.active else "")
             for w in report.workers]
    if report.clearances:
        kinds.append(f"clearing stranded cargo {report.clearances}")
    return ", ".join(kinds)


def _ships(report: StatusReport) -> list[RenderableType]:
    if not report.ships:
        return [Text(""), heading("Ships Assigned: none")]
    shown = table("Ship", "Work", "Doing", "Until")
    for line in report.ships:
        shown.add_row(line.ship, line.operation_id, line.activity or f"held by {line.operation_id}",
                      _until(line.until, report.now))
    return [Text(""), heading(f"Ships Assigned ({len(report.ships)})"), indented(shown)]


def _opportunities(report: StatusReport) -> list[RenderableType]:
    parts: list[RenderableType] = [Text(""), heading("Discovered Opportunities (manufacturing)")]
    if not report.opportunities:
        return parts + [IndentedSentence(_none_found(report, report.max_workers))]
    shown = table("#>", "Good", "Market", "Price (credits/unit)>", "Depth>", "Inputs")
    for o in report.opportunities:
        shown.add_row(str(o.rank), o.good, o.market, f"{o.price:,}", str(o.depth), ", ".join(o.inputs) or "-")
    return parts + [indented(shown)]


def _routes(report: StatusReport) -> list[RenderableType]:
    """The trade routes arbitrage chooses from, best first, beside manufacturing's opportunities."""
    shown_routes = report.routes[:TOP_ROUTES]
    more = f" (top {len(shown_routes)} of {len(report.routes)})" if len(report.routes) > len(shown_routes) else ""
    parts: list[RenderableType] = [Text(""), heading(f"Trade Routes (arbitrage){more}")]
    if not shown_routes:
        return parts + [IndentedSentence(_none_found(report, report.arbitrage_max_workers))]
    shown = table("#>", "Good", "Buy -> Sell", "Ask>", "Bid>", "Units/Trip>", "Lot Profit>",
                  "Signal (credits/game h)>", "Prices Seen")
    for r in shown_routes:
        shown.add_row(str(r.rank), r.good, f"{r.buy_market} -> {r.sell_market}", f"{r.ask:,}", f"{r.bid:,}",
                      f"{r.units:,}", f"{r.lot_profit:,}", f"{r.signal:,.0f}", _ago(r.seen, report.now))
    return parts + [indented(shown)]


def _none_found(report: StatusReport, maximum: int) -> str:
    """Why a kind of work's list is empty: the kind is off, or nothing was found yet."""
    if not maximum:
        return "none: this kind of work is off"
    return "none yet" + (" (markets are still being scouted)" if report.state == "RUNNING" else "")


def _paused_goods(report: StatusReport) -> list[RenderableType]:
    """What each kind of work will not take for now, after losing runs: when it takes it again and why."""
    if report.paused is None:
        return []
    parts: list[RenderableType] = [Text(""), heading("Paused Goods (after losing runs)")]
    if not report.paused:
        return parts + [IndentedSentence("none")]
    shown = table("Good", "Work", "Ends", "Why")
    for pause in report.paused:
        again = f"; paused {pause.count} times in a row, so {pause.stretch}x as long" if pause.count > 1 else ""
        shown.add_row(pause.good.value, pause.kind, _until(pause.until, report.now), pause.reason + again)
    return parts + [indented(shown)]


def _completions(report: StatusReport) -> list[RenderableType]:
    parts: list[RenderableType] = [Text(""), heading("Recent Completions")]
    if not report.completions:
        return parts + [IndentedSentence("none yet")]
    shown = table("Good", "Work", "Profit>", "Outcome", "Finished", "Ship", "Sold>")
    for c in report.completions:
        outcome = Text(c.outcome + (f": {c.error}" if c.error else ""),
                       style="" if c.outcome == "completed" else "red")
        shown.add_row(c.good, c.kind, credits(c.profit), outcome, _ago(c.finished_at, report.now), c.ship,
                      str(c.quantity_sold))
    return parts + [indented(shown)]


def _money(report: StatusReport) -> list[RenderableType]:
    """Profit by good, ship purchases and the rest of the session's money, with their sum (the ledger's net) as
    the footer; then the same runs by kind of work."""
    parts: list[RenderableType] = []
    if report.session_profit is not None:
        assert report.run is not None
        total = credits(report.session_profit)
        shown = table("Profit (this run)", "Credits>", "Detail", footer=(
            "Total Profit (session)", total,
            f"ledger since {report.run.started_at:%Y-%m-%d %H:%M:%S} UTC"))
        for g in report.by_good:
            shown.add_row(g.good, credits(g.profit), f"{g.runs} run{'s' * (g.runs != 1)}, {g.completed} completed")
        if report.ship_purchases:
            shown.add_row("Ship purchases", credits(report.ship_purchases),
                          f"{report.ships_bought} ship{'s' * (report.ships_bought != 1)}")
        money, count = report.cleared
        if count:
            shown.add_row("Stranded cargo cleared", credits(money), f"{count} clearance{'s' * (count != 1)}")
        if report.other_money:
            shown.add_row("Runs in progress, other fuel", credits(report.other_money), "-")
        parts += [Text(""), indented(shown)]
    if any(runs or working for _, _, runs, working in report.by_kind):
        kinds = table("Kind of Work (this run)", "Profit>", "Runs>", "Working now>")
        for kind, profit, runs, working in report.by_kind:
            kinds.add_row(kind, credits(profit), str(runs), str(working))
        parts += [Text(""), indented(kinds)]
    return parts


def _stranded_cargo(report: StatusReport) -> list[RenderableType]:
    if not report.stranded:
        return []
    shown = table("Ship", "Good", "Units>", "Cost (credits)>")
    for line in report.stranded:
        shown.add_row(line.ship, line.good, str(line.units), f"{line.cost:,}")
    when = "" if report.state == "RUNNING" else " once the daemon runs"
    return [Text(""), heading("Cargo No Run Owns (bought and not sold, by the ledger)"),
            IndentedSentence(f"What happens to it{when}: the stranded-cargo pass sells it at the known market paying "
                             "most, under an operation of its own (at once when the hold is too full for a run or "
                             "the ship is picked for a run that has no use for it, else after a while idle; below "
                             "its cost only for one of those reasons, logged), unless a run on that ship uses it "
                             "first."), indented(shown)]


def _where(report: StatusReport) -> list[Text]:
    lines = [Text(""), field("Log", report.log_file), field("Database", report.database)]
    if report.info is not None and report.info.metrics_url:
        lines.append(field("Metrics", report.info.metrics_url))
    return lines


def _until(until: datetime | None, now: datetime) -> str:
    if until is None:
        return "-"
    left = (until - now).total_seconds()
    return f"in {_duration(left)}" if left > 0 else "due now"


def _ago(moment: datetime, now: datetime) -> str:
    seconds = (now - moment).total_seconds()
    return "just now" if seconds < 1 else f"{_duration(seconds)} ago"


def _duration(seconds: float) -> str:
    """Whole minutes past the first one: the status screen is read at a glance."""
    return format_duration(seconds, smallest="min")


def status_json(report: StatusReport) -> dict[str, Any]:
    """The same data for scripts (times in ISO 8601 UTC, money in credits)."""
    run = report.run
    info = report.info
    return {
        "player": report.player,
        "state": report.state,
        "pid": report.pid,
        "system": report.system or None,
        "run": None if run is None else {
            "id": run.run_id, "state": run.state, "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at)},
        "game": None if info is None else {"base_url": info.base_url, "embedded": info.embedded,
                                           "time_scale": info.time_scale},
        "strategies": report.strategy_choices,
        "workers": {**{w.kind: {"active": w.active, "max": w.maximum} for w in report.workers},
                    "clearances": report.clearances},
        "ships": [{"ship": s.ship, "operation_id": s.operation_id, "activity": s.activity,
                   "until": _iso(s.until)} for s in report.ships],
        "opportunities": [{"rank": o.rank, "good": o.good, "market": o.market, "price": o.price,
                           "depth": o.depth, "inputs": list(o.inputs)} for o in report.opportunities],
        "trade_routes": [{"rank": r.rank, "good": r.good, "buy_market": r.buy_market, "sell_market": r.sell_market,
                          "ask": r.ask, "bid": r.bid, "units_per_trip": r.units, "lot_profit": r.lot_profit,
                          "signal_per_game_hour": round(r.signal), "prices_seen_at": _iso(r.seen)}
                         for r in report.routes],
        "paused_goods": None if report.paused is None else [
            {"good": p.good.value, "kind": p.kind, "since": _iso(p.since), "until": _iso(p.until), "reason": p.reason,
             "pauses_in_a_row": p.count} for p in report.paused],
        "recent_completions": [{"good": c.good, "kind": c.kind, "ship": c.ship, "outcome": c.outcome,
                                "profit": c.profit,
                                "quantity_sold": c.quantity_sold, "finished_at": _iso(c.finished_at),
                                "error": c.error} for c in report.completions],
        "profit_by_good": {g.good: {"profit": g.profit, "runs": g.runs, "completed": g.completed}
                           for g in report.by_good},
        "ship_purchases": {"credits": report.ship_purchases, "ships": report.ships_bought},
        "stranded_cargo_cleared": {"credits": report.cleared[0], "clearances": report.cleared[1]},
        "other_money": report.other_money,
        "session_profit": report.session_profit,
        "stranded_cargo": [{"ship": s.ship, "good": s.good, "units": s.units, "cost": s.cost}
                           for s in report.stranded],
        "profit_by_kind": {kind: {"profit": profit, "runs": runs, "working": working}
                           for kind, profit, runs, working in report.by_kind},
        "market_coverage": None if report.coverage is None else {
            "priced": report.coverage.priced, "fresh": report.coverage.fresh,
            "fresh_within_seconds": report.coverage.fresh_within, "oldest_age_seconds": report.coverage.oldest_age},
        "orphan_processes": report.orphans,
        "log": report.log_file,
        "database": report.database,
        "metrics": info.metrics_url if info is not None and info.metrics_url else None,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")
