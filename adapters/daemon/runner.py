"""The body of the manufacturing daemon (`spacetraders manufacturing run`, started detached by `start`).

In order:
1. (the caller, before anything imports prometheus_client) prometheus_client's multiprocess mode on the player's
   metrics directory, so worker processes' metrics reach the endpoint;
2. the log: timestamped lines on stdout, which is the daemon's log file;
3. SIGTERM/SIGINT handlers that only set a cancel token (see signals.py);
4. the container of this process from a Runtime (time scale = the embedded server's speed, 1 for the real game;
   its rate limit scaled only when the embedded server scales its own), worker processes that log to the same file;
5. recovery from a predecessor that crashed or was killed (recovery.py);
6. the metrics endpoint (settings.metrics; a free port when the configured one is taken);
7. the coordinator's start, `daemon.json` (what `status` reads), the ready file `start` waits for;
8. the coordinator's loop until the cancel token is set, then (a graceful stop) no new work and up to
   `manufacturing.stop_drain` for the workers to sell what they hold, unless `stop --now` abandons; then its
   shutdown: workers abandon their current step, their results are recorded, every ship is released, the run is
   marked STOPPED;
9. the endpoint, the database and the HTTP client closed, the pid file released.
"""
from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.config.settings import Settings
from adapters.daemon.activity_log import ActivityLog
from adapters.daemon.daemon_log import configure_logging
from adapters.daemon.paths import RunPaths
from adapters.daemon.process import announce_ready, release
from adapters.daemon.recovery import recover
from adapters.daemon.signals import SignalCancelToken, cancel_on_signals
from adapters.daemon.state_file import DaemonInfo, remove_info, write_info

log = logging.getLogger("spacetraders.daemon")


@dataclass(frozen=True)
class DaemonRequest:
    """Everything the daemon is started with (the token comes from the token store or the settings, never argv)."""

    settings: Settings
    paths: RunPaths
    player: str
    system: str
    base_url: str
    token: str = field(repr=False)
    embedded: bool
    time_scale: float
    database_url: str = field(repr=False)  # may hold a password
    database_shown: str = ""
    # The embedded server's rate limit is the real one times its speed (`--rate-limit scaled`); ignored otherwise.
    rate_limit_scaled: bool = False


def daemon_runtime(request: DaemonRequest) -> Any:
    """The bootstrap.Runtime of `request`. Its intervals' floors, there to spare the rate limit, shrink with the
    game's speed only when the limit grows with it: never against the real API or a server started elsewhere,
    whose limit this process cannot know to be scaled. Call it once the metrics mode was chosen (bootstrap)."""
    import bootstrap
    from domain.symbols import SystemSymbol

    return bootstrap.Runtime(settings=request.settings, base_url=request.base_url, token=request.token,
                             player=request.player, system=SystemSymbol(request.system),
                             run_dir=request.paths.root, database_url=request.database_url,
                             time_scale=max(1.0, request.time_scale),
                             rate_limit_scaled=request.embedded and request.rate_limit_scaled)


def kinds_of_work(coordinator: Any) -> dict[str, Any]:
    """What the record says of the coordinator's two kinds of work: each one's worker cap (0 when off) and loss
    pause rule, which `status` shows the workers against and rebuilds the paused goods with."""
    from application.worker_jobs import ARBITRAGE, MANUFACTURING

    config = coordinator.config
    return {"max_workers": config.max_workers if config.manufacturing_enabled else 0,
            "arbitrage_max_workers": config.arbitrage_max_workers if coordinator.arbitrage_enabled else 0,
            "loss_pauses": {kind: dataclasses.asdict(config.loss_pause(kind)) for kind in (MANUFACTURING, ARBITRAGE)}}


def run_daemon(request: DaemonRequest) -> None:
    """Run the coordinator of `request.player` until SIGTERM or SIGINT; raises what made it fail (logged)."""
    configure_logging()
    log.info("manufacturing daemon of %s starting (pid %d) in %s on %s", request.player, os.getpid(),
             request.system, request.base_url)
    try:
        with cancel_on_signals() as stop:
            _serve(request, stop)
    except Exception:
        log.exception("the manufacturing daemon of %s failed", request.player)
        raise
    finally:
        remove_info(request.paths, pid=os.getpid())
        release(request.paths)
    log.info("manufacturing daemon of %s stopped", request.player)


def _serve(request: DaemonRequest, stop: SignalCancelToken) -> None:
    import bootstrap  # after the metrics mode was chosen: bootstrap's providers import prometheus_client

    settings = request.settings
    runtime = daemon_runtime(request)
    container = bootstrap.build_daemon(runtime)
    container.init_resources()
    endpoint: Any = None
    activity: ActivityLog | None = None
    try:
        recover(request.player, runs=container.runs(), assignments=container.assignments(),
                ledger=container.ledger(), game=container.game(), now=container.clock().now(),
                gate=container.money_gate(), log=log,
                intent_retention=timedelta(seconds=settings.database.closed_intent_retention))
        if settings.metrics.enabled:
            endpoint = bootstrap.metrics_endpoint(settings.metrics.host, settings.metrics.port)
        coordinator = container.coordinator()
        if stop.cancelled():
            return
        coordinator.start()
        try:
            info = DaemonInfo(
                pid=os.getpid(), player=request.player, system=request.system, base_url=request.base_url,
                embedded=request.embedded, time_scale=runtime.time_scale, run_id=coordinator.run_id,
                started_at=datetime.now(UTC).isoformat(timespec="seconds"),
                log_file=str(request.paths.log_file()), database=request.database_shown,
                metrics_url=endpoint.url if endpoint is not None else "",
                strategies=bootstrap.strategies_shown(settings), rate_limit_scaled=runtime.rate_limit_scaled,
                **kinds_of_work(coordinator))
            write_info(request.paths, info)
            announce_ready(request.paths)
            activity = ActivityLog(container.assignments(), request.player, on_exit=container.database().close).start()
            log.info("ready: run %s, metrics %s", coordinator.run_id, info.metrics_url or "off")
        except BaseException:
            coordinator.shutdown(state="CRASHED")
            raise
        # A graceful stop gives the workers a bounded time to sell what they hold; `stop --now` abandons at once.
        coordinator.run(stop, drain=bootstrap.stop_drain_seconds(runtime), abandon=stop.abandon)
        if stop.signal_received is not None:
            log.info("stopped on %s", stop.signal_received.name)
    finally:
        if activity is not None:
            activity.stop()
        if endpoint is not None:
            endpoint.stop()
        container.shutdown_resources()

