"""The composition root: the one place where ports meet their adapters.

A `Runtime` says which game, database, agent and system a process works with; a container turns it into the
objects the application runs (dependency-injector), one kind per kind of process: `Container` for the coordinator
(the daemon, and the CLI's commands), `WorkerContainer` (everything but the pool, the fleet and the coordinator)
for each worker process. Workers are spawned and build theirs from the same Runtime (it is picklable), so a worker
has its own HTTP client and Database but shares the account's rate limiter file and the database with everyone
else. Every repository receives the container's Database; nothing holds a database globally.

Nothing outside this module builds an adapter (tests/unit/test_composition_root.py checks it).
"""
from __future__ import annotations

import functools
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from dependency_injector import containers, providers

from adapters.clock import ServerClock
from adapters.config.settings import Settings
from adapters.game_api.client import GameApiClient
from adapters.game_api.gateway import GameGateway, TranslatedClient
from adapters.game_api.rate_limiter import RateLimiter
from adapters.game_api.settings import GameApiSettings
from adapters.storage import database
from adapters.workers.outcomes import EventCancelToken
from adapters.storage.assignment_repository import SqlShipAssignmentRepository
from adapters.storage.dumped_market_repository import SqlDumpedMarketRepository
from adapters.storage.ledger_repository import SqlLedgerRepository
from adapters.storage.market_repository import SqlMarketRepository
from adapters.storage.run_repository import SqlRunRepository
from adapters.storage.supply_chain_repository import SqlSupplyChainRepository
from adapters.storage.usual_bid_repository import SqlUsualBidRepository
from application.arbitrage_worker import ArbitrageWorker, ArbitrageWorkerConfig
from application.coordinator import CoordinatorConfig, ManufacturingArbitrageCoordinator
from application.demand_finder import DemandFinderConfig, ManufacturingDemandFinder
from application.fleet_manager import FleetConfig, FleetManager
from application.loss_pauses import LossPause
from application.market_scout import MarketScout, ScoutConfig
from application.navigation import NavigationConfig, Navigator
from application.production_executor import ProductionConfig, ProductionExecutor
from application.supply_chain_resolver import ResolverConfig
from application.supply_chain_source import StoredSupplyChain
from application.trade_route_finder import RouteFinderConfig, TradeRouteFinder
from application.wind_down import RunWindDown
from application.worker import ManufacturingArbitrageWorker
from application.stranded_cargo import StrandedCargoConfig, StrandedCargoPass, StrandedCargoSeller
from application.usual_bids import RememberingMarkets, SaturatedImports
from application.worker_jobs import ARBITRAGE, MANUFACTURING, ClearanceJob, WorkerJob, WorkerResult
from domain.goods import SupplyLevel
from domain.symbols import SystemSymbol
from domain.usual_bid import UsualBidRule

log = logging.getLogger("spacetraders")

# Intervals never shrink below these (wall seconds), however fast the embedded game runs, unless its rate limit
# speeds up with it (`Runtime.rate_limit_scaled`): then the floors shrink by the same factor.
_MIN_INTERVAL = {"discovery": 10.0, "assignment": 10.0, "poll": 2.0, "slice": 0.5}


@dataclass(frozen=True)
class Runtime:
    """What one process of the bot needs to know to build its objects. Picklable.

    `time_scale` is how much faster than real time the game runs (the embedded server's speed; 1 for the real
    game): the bot's own intervals (discovery, assignment, production polls) shrink by it, within floors.
    `rate_limit_scaled`: the server's rate limit is scaled by the same factor (`spacetraders server --rate-limit
    scaled`), so the floors, which are there to spare the rate limit, shrink too and a game hour holds as many
    requests as in the real game.
    """

    settings: Settings
    base_url: str
    token: str
    player: str
    system: SystemSymbol
    run_dir: Path
    database_url: str
    time_scale: float = 1.0
    rate_limit_scaled: bool = False

    def scaled(self, seconds: float, floor: float) -> float:
        return scaled_seconds(seconds, floor, self.time_scale, self.rate_limit_scaled)


def scaled_seconds(seconds: float, floor: float, time_scale: float, rate_limit_scaled: bool) -> float:
    """`seconds` of game time in wall seconds on a game `time_scale` times fast, at least `floor` (which shrinks with
    the speed too when the game's rate limit does). 0, a span a setting turns off, stays 0: the floor keeps a span
    from shrinking below what the game allows, it must not turn an "off" into a span of a second."""
    if seconds == 0:
        return 0.0
    if rate_limit_scaled:
        floor /= time_scale
    return max(floor, seconds / time_scale)


# --- factories the container calls -------------------------------------------------------------------------------

def _api_settings(runtime: Runtime) -> GameApiSettings:
    api = runtime.settings.api
    return GameApiSettings(base_url=runtime.base_url, token=runtime.token or None,
                           read_timeout=api.timeout, max_attempts=api.max_attempts,
                           rate_limit_margin=api.rate_limit_margin)


def _limiter(runtime: Runtime, api_settings: GameApiSettings) -> RateLimiter:
    return account_limiter(runtime.run_dir, runtime.player, api_settings)


def account_limiter(run_dir: Path, account: str, api_settings: GameApiSettings) -> RateLimiter:
    """The one rate limiter of `account`: every process that names the same run directory and account shares it."""
    return RateLimiter.shared(run_dir, account, api_settings.rate_limit_policy())


def account_client(api_settings: GameApiSettings, run_dir: Path, account: str, *,
                   transport: httpx.BaseTransport | None = None) -> GameApiClient:
    """An API client outside a container (CLI commands, registering an agent) that waits its turn in the
    account's shared limiter, so that it never spends the budget of a bot running beside it."""
    return GameApiClient(api_settings, account_limiter(run_dir, account, api_settings), transport=transport)


def _client(api_settings: GameApiSettings, limiter: RateLimiter, metrics: Any,
            transport: httpx.BaseTransport | None = None):
    """The API client on one httpx.Client whose hooks report every request to `metrics`; `transport` serves
    requests without a socket (tests: the embedded server in process)."""
    from adapters.metrics.http_hooks import event_hooks
    http = httpx.Client(base_url=api_settings.base_url, timeout=api_settings.timeout(), transport=transport,
                        headers={"Accept": "application/json"}, event_hooks=event_hooks(metrics, limiter))
    client = GameApiClient(api_settings, limiter, http=http)  # the client logs its retries itself
    yield client
    http.close()


def _money_gate(runtime: Runtime):
    """The account's money gate, shared by every process of the player through a file beside the limiter's."""
    from adapters.storage.money_gate_file import FileMoneyGate
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in runtime.player) or "agent"
    return FileMoneyGate(Path(runtime.run_dir) / f"money-{safe}.lock", runtime.player)


def _database(url: str):
    """This process's Database of `url` (schema created); every repository of the container receives it."""
    db = database.connect(url)
    yield db
    db.close()


def _metrics(enabled: bool):
    if not enabled:
        from application.metrics_port import NullMetrics
        return NullMetrics()
    from adapters.metrics.metrics import PrometheusMetrics
    return PrometheusMetrics()


def _coordinator_config(runtime: Runtime) -> CoordinatorConfig:
    m, a = runtime.settings.manufacturing, runtime.settings.arbitrage
    pauses = loss_pauses(runtime.settings, runtime.time_scale, runtime.rate_limit_scaled)
    made, traded = pauses[MANUFACTURING], pauses[ARBITRAGE]
    return CoordinatorConfig(
        max_workers=m.max_workers, min_price=m.min_price, max_opportunities=m.max_opportunities,
        min_margin=m.min_margin, discovery_interval=runtime.scaled(m.discovery_interval, _MIN_INTERVAL["discovery"]),
        assignment_interval=runtime.scaled(m.assignment_interval, _MIN_INTERVAL["assignment"]),
        pause_after_losses=made.losses, pause_after_losses_for=made.seconds, pause_after_loss_over=made.loss_over,
        manufacturing_enabled=m.arbitrage_enabled,
        arbitrage_max_workers=worker_caps(runtime.settings)["arbitrage_max_workers"],
        arbitrage_discovery_interval=runtime.scaled(a.discovery_interval, _MIN_INTERVAL["discovery"]),
        credit_reserve=runtime.settings.fleet.trading_reserve, run_budget_share=m.run_budget_share,
        fuel_unit_allowance=runtime.settings.fleet.fuel_unit_allowance,
        arbitrage_pause_after_losses=traded.losses, arbitrage_pause_after_losses_for=traded.seconds,
        arbitrage_pause_after_loss_over=traded.loss_over, arbitrage_run_budget_share=a.run_budget_share)


def worker_caps(settings: Settings) -> dict[str, int]:
    """Each kind of work's most workers at once as the settings give them to a daemon (0: the kind is off); `status`
    shows a daemon whose record predates them against these."""
    m, a = settings.manufacturing, settings.arbitrage
    return {"max_workers": m.max_workers if m.arbitrage_enabled else 0,
            "arbitrage_max_workers": a.max_workers if a.enabled else 0}


def loss_pauses(settings: Settings, time_scale: float = 1.0, rate_limit_scaled: bool = False) -> dict[str, LossPause]:
    """Each kind of work's loss pause rule as a daemon on a game `time_scale` times fast applies it: the settings'
    game-time duration in wall seconds, at least a minute (`status` rebuilds the pauses of a daemon whose record
    predates its rules with these)."""
    m, a = settings.manufacturing, settings.arbitrage
    return {kind: LossPause(losses, scaled_seconds(seconds, 60.0, time_scale, rate_limit_scaled), over)
            for kind, losses, seconds, over in (
                (MANUFACTURING, m.pause_after_losses, m.pause_after_losses_for, m.pause_after_loss_over),
                (ARBITRAGE, a.pause_after_losses, a.pause_after_losses_for, a.pause_after_loss_over))}


def pool_size(settings: Settings) -> int:
    """Worker processes at once: manufacturing's and arbitrage's maxima (each kind is limited by the coordinator)."""
    return settings.manufacturing.max_workers + (settings.arbitrage.max_workers if settings.arbitrage.enabled else 0)


def stop_drain_seconds(runtime: Runtime) -> float:
    """How long a graceful stop lets workers of either kind sell what they hold (wall seconds): one bound for the
    daemon, whose stop waits for every worker."""
    return runtime.scaled(runtime.settings.manufacturing.stop_drain, 5.0)


def _supply_level(value: str, key: str = "min_buy_supply") -> SupplyLevel:
    """The supply level `arbitrage.<key>` names; a ConfigError naming the setting and the levels otherwise."""
    from adapters.config.loader import ConfigError
    try:
        return SupplyLevel(value.strip().upper())
    except ValueError:
        raise ConfigError(f"arbitrage.{key} = {value!r} (ST_ARBITRAGE_{key.upper()}): expected one of "
                          f"{', '.join(level.value for level in SupplyLevel)}") from None


def _route_finder_config(runtime: Runtime) -> RouteFinderConfig:
    a = runtime.settings.arbitrage
    return RouteFinderConfig(min_margin=a.min_margin, min_lot_profit=a.min_lot_profit,
                             min_buy_supply=_supply_level(a.min_buy_supply), max_ask_rise=a.max_ask_rise,
                             saturated_supply=_supply_level(a.saturated_supply, "saturated_supply"),
                             max_age=runtime.scaled(a.max_price_age, 30.0),
                             price_half_life=runtime.scaled(a.price_half_life, 30.0), max_routes=a.max_routes)


def _arbitrage_worker_config(runtime: Runtime) -> ArbitrageWorkerConfig:
    a = runtime.settings.arbitrage
    return ArbitrageWorkerConfig(min_buy_supply=_supply_level(a.min_buy_supply), max_ask_rise=a.max_ask_rise,
                                 min_margin=a.min_margin, min_sell_to_cost=a.min_sell_to_cost,
                                 max_bid_drop=a.max_bid_drop, dump_drop=a.dump_drop,
                                 dump_recovery=runtime.scaled(a.dump_recovery, 60.0))


def _route_ranker(settings: Settings) -> Any:
    """The trade-route ranking `settings.arbitrage.ranking` names; an unknown name is a ConfigError."""
    from adapters.config.loader import ConfigError
    from plugins.manager import UnknownStrategy
    from plugins.trade_route_ranker import PluginRouteRanker

    try:
        return PluginRouteRanker(settings.arbitrage.ranking)
    except UnknownStrategy as exc:
        raise ConfigError(f"arbitrage.ranking = {exc.name!r} (ST_ARBITRAGE_RANKING): no such strategy is "
                          f"installed; known: {', '.join(exc.known) or 'none'}") from None


def check_arbitrage_settings(settings: Settings) -> None:
    """Raise the ConfigError the daemon would meet when it builds trade arbitrage (unknown ranking, bad level)."""
    if settings.arbitrage.enabled:
        _route_ranker(settings)
        _supply_level(settings.arbitrage.min_buy_supply)
        _supply_level(settings.arbitrage.saturated_supply, "saturated_supply")


def _route_finder(runtime: Runtime, markets: Any, clock: Any, dumps: Any, saturated: Any) -> TradeRouteFinder | None:
    if not runtime.settings.arbitrage.enabled:
        return None
    return TradeRouteFinder(markets, _route_ranker(runtime.settings), clock, dumps, _route_finder_config(runtime),
                            saturated)


def _usual_bid_rule(runtime: Runtime) -> UsualBidRule:
    """The saturation rule; its times are game time, so they shrink with the game's speed like the other ones."""
    from domain.usual_bid import FOLLOW_TIME

    a = runtime.settings.arbitrage
    return UsualBidRule(saturated_share=a.saturated_bid_share, dumped_time=runtime.scaled(a.usual_bid_memory, 60.0),
                        warmup=runtime.scaled(a.usual_bid_warmup, 0.0),
                        follow_time=runtime.scaled(FOLLOW_TIME, 30.0))


def _production_config(runtime: Runtime) -> ProductionConfig:
    m = runtime.settings.manufacturing
    return ProductionConfig(
        max_input_price_rise=m.max_input_price_rise, min_sell_to_cost=m.min_sell_to_cost,
        production_poll_interval=runtime.scaled(m.production_poll_interval, _MIN_INTERVAL["poll"]),
        production_timeout=runtime.scaled(m.production_timeout, 60.0),
        max_output_wait=runtime.scaled(m.max_output_wait, _MIN_INTERVAL["poll"]),
        max_poll_interval=runtime.scaled(900.0, _MIN_INTERVAL["poll"]),
        wait_slice=runtime.scaled(5.0, _MIN_INTERVAL["slice"]),
        min_margin=m.min_margin, min_input_profit=m.min_input_profit, run_budget_share=m.run_budget_share)


def _navigation_config(runtime: Runtime) -> NavigationConfig:
    return NavigationConfig(wait_slice=runtime.scaled(5.0, _MIN_INTERVAL["slice"]))


def _fleet_config(runtime: Runtime) -> FleetConfig:
    f = runtime.settings.fleet
    return FleetConfig(credit_reserve=f.credit_reserve, max_haulers=f.max_haulers, max_probes=f.max_probes,
                       probe_min_credits=f.probe_min_credits, saving_probes_per_ship=f.saving_probes_per_ship,
                       payback=runtime.scaled(f.payback, 1.0), return_window=runtime.scaled(f.return_window, 1.0),
                       signal_run_time=runtime.scaled(3600.0, 1.0), trial_period=runtime.scaled(f.trial_period, 1.0),
                       check_interval=runtime.scaled(300.0, 30.0))


def _stranded_config(runtime: Runtime) -> StrandedCargoConfig:
    from plugins.default_ship_selection import MIN_FREE_CARGO
    return StrandedCargoConfig(min_free_cargo=MIN_FREE_CARGO, idle_for=runtime.scaled(600.0, 30.0),
                               carry_for=runtime.scaled(4 * 3600.0, 60.0))


def _scout_config(runtime: Runtime) -> ScoutConfig:
    return ScoutConfig(max_age=runtime.scaled(900.0, 30.0), refresh_after=runtime.scaled(120.0, 5.0))




def select_strategies(settings: Settings) -> Any:
    """The plugin manager answering with the strategies `settings.strategy` names; an unknown name is a
    ConfigError naming the setting and the installed strategies."""
    from adapters.config.loader import ConfigError
    from plugins.manager import RANK_HOOK, UnknownStrategy, build_strategy_manager

    try:
        return build_strategy_manager(settings.strategy.ranking, settings.strategy.ship_selection)
    except UnknownStrategy as exc:
        key = "ranking" if exc.hook == RANK_HOOK else "ship_selection"
        raise ConfigError(f"strategy.{key} = {exc.name!r} (ST_STRATEGY_{key.upper()}): no such strategy is "
                          f"installed; known: {', '.join(exc.known) or 'none'}") from None


def _ranker(manager: Any):
    from plugins.manager import PluginRanker
    return PluginRanker(manager)


def _ship_selector(manager: Any):
    from plugins.manager import PluginShipSelector
    return PluginShipSelector(manager)


def _process_pool(runtime: Runtime, entry: Any = None, on_exit: Any = None):
    """The coordinator's worker processes; each runs `entry(runtime, job, cancel_event)` (by default
    `run_worker_job`), which builds that process's own WorkerContainer."""
    from adapters.workers.process_pool import ProcessWorkerPool
    pool = ProcessWorkerPool(functools.partial(entry or run_worker_job, runtime), pool_size(runtime.settings),
                             on_exit=on_exit)
    yield pool
    pool.close(timeout=30.0)


def strategies_shown(s: Settings) -> str:
    """The strategies in use, as `status` shows them (the trade ranking too when arbitrage runs)."""
    shown = f"ranking={s.strategy.ranking}, ship={s.strategy.ship_selection}"
    return shown + (f", trade ranking={s.arbitrage.ranking}" if s.arbitrage.enabled else "")


class WorkerContainer(containers.DeclarativeContainer):
    """The objects of a worker process (and what the CLI asks for): storage, the game, the workers and the
    services they use. No worker pool and no coordinator: a worker process never starts workers of its own."""

    runtime = providers.Dependency(instance_of=Runtime)
    settings = providers.Callable(lambda r: r.settings, runtime)

    database = providers.Resource(_database, runtime.provided.database_url)
    usual_bids = providers.Singleton(SqlUsualBidRepository, database)
    usual_bid_rule = providers.Callable(_usual_bid_rule, runtime)
    # Every observation recorded through it also moves the usual bids the saturation rule judges by.
    markets = providers.Singleton(RememberingMarkets, providers.Singleton(SqlMarketRepository, database), usual_bids,
                                  usual_bid_rule)
    saturated = providers.Singleton(SaturatedImports, usual_bids, usual_bid_rule)
    ledger = providers.Singleton(SqlLedgerRepository, database)
    assignments = providers.Singleton(SqlShipAssignmentRepository, database)
    runs = providers.Singleton(SqlRunRepository, database)
    supply_chain_store = providers.Singleton(SqlSupplyChainRepository, database)
    dumps = providers.Singleton(SqlDumpedMarketRepository, database)

    metrics = providers.Singleton(_metrics, runtime.provided.settings.metrics.enabled)
    api_settings = providers.Singleton(_api_settings, runtime)
    limiter = providers.Singleton(_limiter, runtime, api_settings)
    money_gate = providers.Singleton(_money_gate, runtime)
    client = providers.Resource(_client, api_settings, limiter, metrics)
    game = providers.Singleton(GameGateway, client)
    translated_client = providers.Singleton(TranslatedClient, client)
    clock = providers.Singleton(ServerClock, client.provided.server_now)

    supply_chain = providers.Singleton(StoredSupplyChain, game, supply_chain_store, clock)
    plugin_manager = providers.Singleton(select_strategies, settings)
    ranker = providers.Singleton(_ranker, plugin_manager)
    ship_selector = providers.Singleton(_ship_selector, plugin_manager)
    demand_finder = providers.Singleton(
        ManufacturingDemandFinder, markets, supply_chain, ranker, clock,
        providers.Factory(ResolverConfig, max_depth=runtime.provided.settings.manufacturing.max_tree_depth),
        providers.Factory(DemandFinderConfig, min_price=runtime.provided.settings.manufacturing.min_price,
                          max_opportunities=runtime.provided.settings.manufacturing.max_opportunities),
        saturated)

    navigator = providers.Singleton(Navigator, game, clock, markets, assignments,
                                    providers.Callable(_navigation_config, runtime))
    executor = providers.Singleton(ProductionExecutor, game, navigator, clock, markets, assignments,
                                   providers.Callable(_production_config, runtime))
    worker = providers.Singleton(ManufacturingArbitrageWorker, game, ledger, navigator, executor, clock,
                                 assignments=assignments, markets=markets, metrics=metrics, gate=money_gate,
                                 saturated=saturated)
    stranded_config = providers.Callable(_stranded_config, runtime)
    stranded_seller = providers.Singleton(StrandedCargoSeller, game, ledger, navigator, clock, markets=markets,
                                          assignments=assignments, gate=money_gate, metrics=metrics,
                                          config=stranded_config, saturated=saturated)
    stranded_pass = providers.Singleton(StrandedCargoPass, stranded_config)

    arbitrage_worker = providers.Singleton(
        ArbitrageWorker, game, ledger, navigator, clock, markets=markets, dumps=dumps, assignments=assignments,
        metrics=metrics, config=providers.Callable(_arbitrage_worker_config, runtime), gate=money_gate,
        saturated=saturated)
    route_finder = providers.Singleton(_route_finder, runtime, markets, clock, dumps, saturated)
    scout = providers.Singleton(MarketScout, game, markets, clock, runtime.provided.system,
                                assignments=assignments, supply_chain=supply_chain,
                                config=providers.Callable(_scout_config, runtime))


class Container(WorkerContainer):
    """Every object of the coordinator's process (the daemon, and the CLI's commands): a WorkerContainer plus
    the worker pool, the fleet and the coordinator."""

    _w = WorkerContainer  # the providers this container adds use the worker's
    pool = providers.Resource(_process_pool, _w.runtime)
    coordinator_config = providers.Callable(_coordinator_config, _w.runtime)
    run_id = providers.Singleton(lambda: f"run-{uuid.uuid4().hex[:16]}")
    fleet = providers.Singleton(FleetManager, _w.game, _w.assignments, _w.ledger, _w.clock,
                                _w.runtime.provided.system, holder=run_id,
                                config=providers.Callable(_fleet_config, _w.runtime), metrics=_w.metrics,
                                gate=_w.money_gate)
    coordinator = providers.Singleton(
        ManufacturingArbitrageCoordinator, player=_w.runtime.provided.player, system=_w.runtime.provided.system,
        game=_w.game, demand_finder=_w.demand_finder, ship_selector=_w.ship_selector, assignments=_w.assignments,
        runs=_w.runs, pool=pool, clock=_w.clock, fleet=fleet, scout=_w.scout, ledger=_w.ledger,
        config=coordinator_config, metrics=_w.metrics, run_id=run_id, pid=providers.Callable(os.getpid),
        stranded=_w.stranded_pass, route_finder=_w.route_finder, markets=_w.markets,
        strategies=providers.Callable(strategies_shown, _w.settings))
    del _w


def build(runtime: Runtime, **overrides: Any) -> Container:
    """A container for `runtime`; `overrides` replace providers by name (tests pass fakes this way)."""
    container = Container(runtime=runtime)
    for name, value in overrides.items():
        getattr(container, name).override(providers.Object(value))
    return container


# --- worker processes ----------------------------------------------------------------------------------------------

def run_worker_job(runtime: Runtime, job: WorkerJob | ClearanceJob, cancel_event: Any) -> WorkerResult:
    """Entry point of a worker process (picklable with functools.partial): build this process's own objects,
    run the job, close everything. Metrics go to the coordinator's endpoint through the multiprocess directory
    the process inherited."""
    container = WorkerContainer(runtime=runtime)
    container.init_resources()
    try:
        cancel = EventCancelToken(cancel_event)
        if isinstance(job, ClearanceJob):
            return container.stranded_seller().run(job, cancel)
        wind_down = RunWindDown(container.runs(), job.run_id, container.clock())
        if job.route is not None:
            return container.arbitrage_worker().run(job, cancel, wind_down)
        return container.worker().run(job, cancel, wind_down)
    finally:
        container.shutdown_resources()


# --- operator surface (CLI and daemon) -----------------------------------------------------------------------------

def build_operator(runtime: Runtime, *, transport: httpx.BaseTransport | None = None, offline: bool = False,
                   **overrides: Any) -> Container:
    """`build(runtime)` with the strategies the settings choose (what the daemon and the CLI run).

    `transport` sends the game API's requests through it (tests: the embedded server in process). `offline`
    builds for a read-only command while no game server runs: the supply-chain map is the stored one and the
    clock is the local one, so nothing waits on a server that is not there.
    """
    container = build(runtime, **overrides)
    if transport is not None:
        container.client.override(providers.Resource(_client, container.api_settings, container.limiter,
                                                     container.metrics, transport))
    if offline:
        from adapters.clock import SystemClock
        container.clock.override(providers.Object(SystemClock()))
        container.supply_chain.override(providers.Singleton(_SavedSupplyChain, container.supply_chain_store))
    return container


def build_daemon(runtime: Runtime) -> Container:
    """The daemon's container: `build_operator(runtime)` whose worker processes log to the daemon's log file and
    whose ends drop their live metrics. Import after prometheus_client's multiprocess mode was chosen."""
    from adapters.daemon.worker_entry import run_logged_worker_job
    from adapters.metrics.exporter import mark_process_dead

    container = build_operator(runtime)
    container.pool.override(providers.Resource(_process_pool, runtime, run_logged_worker_job, mark_process_dead))
    return container


def metrics_endpoint(host: str, port: int) -> Any:
    """The daemon's /metrics endpoint on host:port; a free port when that one is taken (port 0 always picks one)."""
    from adapters.metrics.exporter import MetricsEndpoint

    try:
        endpoint = MetricsEndpoint(host, port)
    except OSError as error:
        if port == 0:
            raise
        log.warning("metrics port %d on %s cannot be used (%s); serving on a free port instead",
                    port, host, error.strerror or error)
        endpoint = MetricsEndpoint(host, 0)
    log.info("metrics at %s", endpoint.url)
    return endpoint


def interactive_client(api_settings: GameApiSettings, run_dir: Path, account: str, *,
                       transport: httpx.BaseTransport | None = None) -> TranslatedClient:
    """`account_client` behind the gateway's error translation: what the CLI's own calls (register, agent,
    system) use, so past the gateway nothing sees the client's errors."""
    return TranslatedClient(account_client(api_settings, run_dir, account, transport=transport))


def check_database(url: str) -> None:
    """Fail (DatabaseUnreachable, one line) unless the database of `url` opens: for commands that must fail
    before they start anything."""
    from adapters.storage.database import check_reachable
    check_reachable(url)


class _SavedSupplyChain:
    """The SupplyChainSource of an offline container: the map as last saved."""

    def __init__(self, store: SqlSupplyChainRepository) -> None:
        self._store = store

    def supply_chain(self) -> Any:
        from application.errors import ApplicationError

        saved = self._store.load()
        if saved is None:
            raise ApplicationError("no supply-chain map stored yet and no game server to ask: start the bot once "
                                   "(`spacetraders manufacturing start`)")
        return saved


@dataclass(frozen=True)
class Storage:
    """The repositories a read-only command needs (`manufacturing status`), without a game or a container, on
    one Database (close with `close()`)."""

    database: database.Database
    runs: SqlRunRepository
    assignments: SqlShipAssignmentRepository
    ledger: SqlLedgerRepository
    markets: SqlMarketRepository

    def close(self) -> None:
        self.database.close()


def open_storage(database_url: str) -> Storage:
    """The repositories of the database of `database_url`, on a Database of their own."""
    db = database.connect(database_url)
    return Storage(db, SqlRunRepository(db), SqlShipAssignmentRepository(db), SqlLedgerRepository(db),
                   SqlMarketRepository(db))
