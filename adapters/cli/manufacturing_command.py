"""`spacetraders manufacturing start | status | stop`: the manufacturing daemon of a player.

`start` needs nothing configured: with no API base URL it starts the embedded game server in the background,
registers an agent when the player has none, and starts the coordinator as a detached daemon (the hidden
`manufacturing run`), then says in a few lines what it did and where the log, the database and the metrics are.
`stop` ends the daemon gracefully, and the embedded server once no daemon plays on it. `status` prints the
plan's status screen from the database and the daemon's own record (kept up with --watch); it never asks the game.
"""
from __future__ import annotations

import json
import secrets

import click

from adapters.cli.agent_command import DEFAULT_FACTION
from adapters.cli.embedded_server import cli_argv
from adapters.cli.errors import META_BASE_URL, friendly_errors
from adapters.cli.operator_context import Operator, operator, shown_database
from adapters.cli.console import screen_console
from adapters.cli.progress import Progress
from adapters.cli.status_report import gather_status, render_status, status_json
from adapters.cli.status_watch import watch_status
from adapters.cli.token_store import NoAgent
from adapters.config.loader import ConfigError
from adapters.daemon.paths import normalise_player, players_in
from adapters.daemon.process import AlreadyRunning, DaemonState, NotRunning
from adapters.daemon.state_file import ServerInfo, read_daemon_info
from adapters.durations import parse_duration
from application.game_errors import GameAuthError
from domain.symbols import SystemSymbol, WaypointSymbol

# The daemon is ready once recovery ran, the metrics endpoint is up and the coordinator started.
START_TIMEOUT = 180.0
# Workers finish or abandon their current step (a trade, a poll) and release their ships within this.
STOP_TIMEOUT = 120.0


@click.group("manufacturing")
def manufacturing() -> None:
    """Run manufacturing arbitrage in the background: start, status, stop."""


# --- start ----------------------------------------------------------------------------------------------------------

@manufacturing.command("start")
@click.option("--player", default="", help="Agent symbol (default: the configured player, the only one registered, "
                                          "or, on the embedded server, a new one).")
@click.option("--system", default="", help="System to work in (default: the configured one, else the agent's "
                                          "headquarters system).")
@click.pass_context
@friendly_errors
def start(ctx: click.Context, player: str, system: str) -> None:
    """Start the manufacturing daemon (and the embedded game server when no API is configured)."""
    import bootstrap

    op = operator(ctx, {"player": player or None, "system": system.upper() or None})
    # What would make the daemon fail at once fails here instead, in one line, before anything is started.
    bootstrap.select_strategies(op.settings)
    if op.settings.database.url:  # a configured database that is down stops us before a server or an agent exists
        bootstrap.check_database(op.settings.database.url)
    bootstrap.check_arbitrage_settings(op.settings)
    if op.settings.system:
        SystemSymbol(op.settings.system)
    if op.settings.api.base_url:
        ctx.meta[META_BASE_URL] = op.settings.api.base_url
    chosen = _start_player(op)
    status = op.daemon(chosen).status()
    if status.state is DaemonState.RUNNING:
        assert status.pid is not None
        raise AlreadyRunning("manufacturing daemon", chosen, status.pid)
    server: ServerInfo | None = None
    started_server = False
    try:
        if op.embedded:
            server, started_server = op.servers.ensure(chosen)
            if not started_server:
                click.echo(f"Using the embedded game server on {server.base_url} (started by {server.owner})")
        base_url = server.base_url if server is not None else op.settings.api.base_url
        ctx.meta[META_BASE_URL] = base_url
        headquarters = _agent_ready(op, chosen, base_url)
        target = SystemSymbol(op.settings.system) if op.settings.system else WaypointSymbol(headquarters).system
        with op.client(base_url, None) as client:
            client.system(str(target))  # an unknown system is refused here, in one line
        _start_daemon(op, chosen, target, base_url, server)
    except BaseException:
        if started_server and server is not None:
            op.servers.stop(server, timeout=10.0)
        raise
    _describe_start(op, chosen, server)


def _start_player(op: Operator) -> str:
    """The player to start: named, else the only one registered, else (embedded) a new symbol, else the agent of
    the configured token."""
    if op.settings.player:
        return normalise_player(op.settings.player)
    stored = op.store.players()
    if len(stored) == 1 and not op.settings.api.token:
        return stored[0]
    if len(stored) > 1:
        raise NoAgent(f"several agents are registered ({', '.join(stored)}); choose one with --player")
    if op.settings.api.token:
        with op.client(op.settings.api.base_url or _no_url(), op.settings.api.token) as client:
            return normalise_player(client.agent().symbol)
    if op.embedded:
        return f"ST{secrets.token_hex(4)}".upper()
    raise NoAgent(f"no agent registered for the game at {op.settings.api.base_url}; register one with "
                  "`spacetraders agent register` or set ST_API_TOKEN")


def _no_url() -> str:
    raise ConfigError("ST_API_TOKEN is set but ST_API_BASE_URL is not: the token belongs to a game server; set "
                      "its URL (the real game is https://api.spacetraders.io/v2)")


def _agent_ready(op: Operator, player: str, base_url: str) -> str:
    """Make sure `player` has a token the game accepts (registering on the embedded server when needed); returns
    the agent's headquarters."""
    token = op.settings.api.token
    stored = None if token else op.store.load(player)
    if token or stored is not None:
        with op.client(base_url, token or stored.token, player) as client:  # type: ignore[union-attr]
            try:
                agent = client.agent()
            except GameAuthError:
                if token or not op.embedded:
                    raise
                # The embedded world was reset (its data deleted, another seed): the old token means nothing there.
                click.echo(f"The embedded game no longer knows {player} (its world was reset); registering it again")
                return _register(op, player, base_url)
        if agent.symbol.upper() != player:
            raise ConfigError(f"the configured token belongs to agent {agent.symbol}, not {player}; "
                              "fix --player / ST_PLAYER or ST_API_TOKEN")
        return agent.headquarters
    if not op.embedded:
        raise NoAgent(f"no agent registered for player {player}; register one with `spacetraders agent register` "
                      "or set ST_API_TOKEN")
    return _register(op, player, base_url)


def _register(op: Operator, player: str, base_url: str) -> str:
    with op.client(base_url, None) as client:
        registered = client.register(player, DEFAULT_FACTION)
    saved = op.store.save(registered.agent.symbol, registered.token, base_url=base_url)
    agent = registered.agent
    click.echo(f"Registered agent {agent.symbol} ({agent.starting_faction}), headquarters {agent.headquarters}, "
               f"{agent.credits:,} credits; token in {saved} (readable by you only)")
    return agent.headquarters


def daemon_argv(player: str, system: SystemSymbol, base_url: str, server: ServerInfo | None) -> list[str]:
    """The command line of the daemon (`manufacturing run`) of `player`, playing on the embedded `server` if given.
    The game's speed and whether its rate limit grows with it come from the server's record, not from the settings:
    a server found running may have been started with others."""
    argv = cli_argv("manufacturing", "run", "--player", player, "--system", str(system), "--base-url", base_url,
                    "--time-scale", f"{server.speed if server is not None else 1.0:g}")
    if server is not None:
        argv.append("--embedded")
        if server.rate_limit_scaled:
            argv.append("--rate-limit-scaled")
    return argv


def _start_daemon(op: Operator, player: str, system: SystemSymbol, base_url: str, server: ServerInfo | None) -> None:
    argv = daemon_argv(player, system, base_url, server)
    with Progress(f"Starting the manufacturing daemon of {player} in {system}") as progress:
        record = op.daemon(player).start(argv, env=op.environment.child_env(), cwd=op.paths(player).create().root,
                                         ready_timeout=START_TIMEOUT)
        progress.done(f"Manufacturing daemon of {player} running (pid {record.pid})")


def _describe_start(op: Operator, player: str, server: ServerInfo | None) -> None:
    paths = op.paths(player)
    info = read_daemon_info(paths)
    game = (f"{server.base_url} (embedded, speed {server.speed:g}, rate limit {server.rate_limit}, world in "
            f"{server.data_dir})" if server else op.settings.api.base_url)
    click.echo(f"Manufacturing started for {player} in {info.system if info else '?'}"
               + (f" ({info.strategies})" if info and info.strategies else ""))
    click.echo(f"  game:     {game}")
    click.echo(f"  log:      {paths.log_file()}")
    click.echo(f"  database: {shown_database(op.database_url(player))}")
    click.echo(f"  metrics:  {(info.metrics_url if info else '') or 'off'}")
    click.echo(f"Watch it with `spacetraders manufacturing status --player {player}`, "
               f"stop it with `spacetraders manufacturing stop --player {player}`.")


# --- stop -----------------------------------------------------------------------------------------------------------

@manufacturing.command("stop")
@click.option("--player", default="", help="Agent symbol (default: the configured player, or the only one "
                                          "running).")
@click.option("--now", is_flag=True, help="Abandon at once: workers do not get time to sell what they hold.")
@click.pass_context
@friendly_errors
def stop(ctx: click.Context, player: str, now: bool) -> None:
    """Stop the daemon gracefully (no new work; workers get up to `manufacturing.stop_drain` to sell what they hold,
    then release their ships), or at once with --now; and the embedded game server it played on once no other
    daemon uses it."""
    op = operator(ctx, {"player": player or None})
    chosen = op.choose_player()
    daemon = op.daemon(chosen)
    info = read_daemon_info(op.paths(chosen))
    state = daemon.status().state
    stopped = False
    if state is DaemonState.RUNNING:
        import signal

        scale = max(1.0, info.time_scale) if info is not None else 1.0
        drain = 0.0 if now else max(5.0, op.settings.manufacturing.stop_drain / scale)
        what = "at once" if now else f"letting workers sell what they hold for up to {drain:.0f} s"
        with Progress(f"Stopping the manufacturing daemon of {chosen} ({what})") as progress:
            result = daemon.stop(timeout=STOP_TIMEOUT + drain, sig=signal.SIGUSR1 if now else signal.SIGTERM)
            how = "gracefully" if result.graceful else f"after killing {len(result.killed)} process(es)"
            progress.done(f"Stopped the manufacturing daemon of {chosen} (pid {result.pid}) {how}")
        stopped = True
    elif state is DaemonState.STALE:
        try:
            daemon.stop(timeout=10.0)  # ends what the crashed daemon left behind
            click.echo(f"The manufacturing daemon of {chosen} had crashed; ended the processes it left")
            stopped = True
        except NotRunning:
            pass
    server = op.servers.running()
    if server is not None and (info is None or info.embedded or server.owner == chosen):
        others = op.servers.users(server, besides=chosen)
        if others:
            click.echo(f"The embedded game server on {server.base_url} keeps running for {', '.join(others)}")
        else:
            with Progress(f"Stopping the embedded game server on {server.base_url}") as progress:
                op.servers.stop(server)
                progress.done(f"Stopped the embedded game server (pid {server.pid})")
            stopped = True
    if not stopped:
        raise NotRunning("manufacturing daemon", chosen)


# --- status ---------------------------------------------------------------------------------------------------------

@manufacturing.command("status")
@click.option("--player", default="", help="Agent symbol (default: the configured player, or the only one).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--watch", is_flag=True, help="Keep the screen up, refreshed every --interval, until Ctrl-C.")
@click.option("--interval", default="2s", show_default=True, metavar="DURATION",
              help="How often --watch refreshes (30s, 1m, ...).")
@click.pass_context
@friendly_errors
def status(ctx: click.Context, player: str, as_json: bool, watch: bool, interval: str) -> None:
    """Show what the daemon is doing: each kind of work's workers, ships, opportunities and trade routes, paused goods,
    completions and profit."""
    op = operator(ctx, {"player": player or None})
    chosen = op.choose_player()
    if not op.known_player(chosen):
        known = sorted(set(op.store.players()) | set(players_in(op.data_dir)))
        raise NoAgent(f"no player {chosen} here (data directory {op.data_dir}); "
                      + (f"known players: {', '.join(known)}" if known else "none is registered yet"))
    if watch:
        if as_json:
            raise click.UsageError("--watch is for people; scripts poll `status --json` instead")
        try:
            seconds = parse_duration(interval)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--interval") from None
        if seconds <= 0:
            raise click.BadParameter("must be more than 0", param_hint="--interval")
        watch_status(lambda: render_status(gather_status(op, chosen)), seconds, screen_console())
        return
    report = gather_status(op, chosen)
    if as_json:
        click.echo(json.dumps(status_json(report), indent=2))
        return
    screen_console().print(render_status(report))


# --- the daemon itself ----------------------------------------------------------------------------------------------

@manufacturing.command("run", hidden=True)
@click.option("--player", required=True)
@click.option("--system", required=True)
@click.option("--base-url", required=True)
@click.option("--time-scale", type=float, default=1.0)
@click.option("--embedded", is_flag=True)
@click.option("--rate-limit-scaled", is_flag=True, help="The embedded server's rate limit is scaled with its speed.")
@click.pass_context
@friendly_errors
def run(ctx: click.Context, player: str, system: str, base_url: str, time_scale: float, embedded: bool,
        rate_limit_scaled: bool) -> None:
    """The daemon's body (what `start` runs in the background): the coordinator until SIGTERM."""
    op = operator(ctx, {"player": player, "system": system})
    chosen = normalise_player(player)
    paths = op.paths(chosen).create()
    ctx.meta[META_BASE_URL] = base_url
    if op.settings.metrics.enabled:
        # Before anything imports prometheus_client, or worker processes' metrics would never reach the endpoint.
        from adapters.metrics.exporter import enable_multiprocess
        enable_multiprocess(paths.metrics_dir)
    from adapters.daemon.runner import DaemonRequest, run_daemon

    token = op.settings.api.token or op.store.require(chosen).token
    database_url = op.database_url(chosen)
    op.record_database(chosen, database_url)
    run_daemon(DaemonRequest(settings=op.settings, paths=paths, player=chosen, system=system, base_url=base_url,
                             token=token, embedded=embedded, time_scale=time_scale, database_url=database_url,
                             database_shown=shown_database(database_url), rate_limit_scaled=rate_limit_scaled))
