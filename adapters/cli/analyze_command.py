"""`spacetraders analyze demand`: the plan's analysis screen, read only.

The goods markets of the system pay well for and that we know how to make, ranked by the configured strategy,
from the stored markets after refreshing the ones where our ships are now (GET requests only, through the
account's shared rate limiter), and every imported good left out with the reason. Works whether the daemon runs
or not; with no game server running at all it works from what is stored and says so.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import click
from rich.console import Group, RenderableType
from rich.text import Text

from adapters.cli.console import IndentedSentence, heading, indented, screen_console, table
from adapters.cli.errors import META_BASE_URL, friendly_errors
from adapters.cli.operator_context import Operator, operator
from adapters.cli.progress import Progress
from adapters.daemon.process import DaemonState
from adapters.daemon.state_file import DaemonInfo, read_daemon_info
from adapters.durations import format_duration
from application.demand_finder import DemandFinderConfig, DemandReport, LeftOutReason
from application.usual_bids import SaturatedImport
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.trade_route import TradeRoute

# Most telling first: what we could sell but ranked out, what pays well but cannot be made here, ...
_REASONS = {
    LeftOutReason.RANKED_OUT: "ranked out",
    LeftOutReason.SATURATED: "dumped into: bid far below its usual",
    LeftOutReason.NO_TREE: "cannot be made from known markets",
    LeftOutReason.NO_PRICE: "no price seen yet",
    LeftOutReason.BELOW_MIN_PRICE: "pays less than the minimum price",
    LeftOutReason.NOT_MANUFACTURABLE: "not manufacturable",
}


@dataclass(frozen=True)
class GameAccess:
    """Where `analyze` reads the game, if anywhere: `base_url` empty = offline (stored data only)."""

    base_url: str
    token: str
    time_scale: float
    how: str  # for the header: "the daemon's game", "the embedded server", "stored data only"
    rate_limit_scaled: bool = False  # as the daemon's Runtime: the embedded server's limit grows with its speed


@click.group("analyze")
def analyze() -> None:
    """Read-only analyses (nothing is bought, sold or moved)."""


@analyze.command("demand")
@click.option("--player", default="", help="Agent symbol (default: the configured player, or the only one).")
@click.option("--system", default="", help="System to analyse (default: the daemon's, the configured one, else the "
                                          "agent's headquarters system).")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="How many opportunities to show (default: ST_MANUFACTURING_MAX_OPPORTUNITIES).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@friendly_errors
def demand(ctx: click.Context, player: str, system: str, top: int | None, as_json: bool) -> None:
    """High-demand goods we can manufacture, ranked, the goods left out and why, and the trade routes."""
    import bootstrap
    from application.metrics_port import NullMetrics

    op = operator(ctx, {"player": player or None, "system": system.upper() or None})
    chosen = op.choose_player()
    paths = op.paths(chosen)
    info = _running_daemon(op, chosen)
    access = _game_access(op, chosen, info)
    if access.base_url:
        ctx.meta[META_BASE_URL] = access.base_url
    target = _system(op, chosen, info, access)
    top = top or op.settings.manufacturing.max_opportunities
    runtime = bootstrap.Runtime(settings=op.settings, base_url=access.base_url or "http://offline.invalid/v2",
                                token=access.token, player=chosen, system=target, run_dir=paths.create().root,
                                database_url=op.daemon_database_url(chosen), time_scale=max(1.0, access.time_scale),
                                rate_limit_scaled=access.rate_limit_scaled)
    container = bootstrap.build_operator(runtime, transport=op.environment.transport, offline=not access.base_url,
                                         metrics=NullMetrics())
    try:
        container.database.init()
        refreshed: list[Any] = []
        if access.base_url:
            container.translated_client().system(str(target))  # an unknown system is refused here, in one line
            with Progress("Refreshing the markets where our ships are", quiet=as_json) as progress:
                refreshed = container.scout().observe(container.game().ships())
                progress.done(f"Refreshed {len(refreshed)} market{'s' * (len(refreshed) != 1)}")
        report = container.demand_finder().find(target, DemandFinderConfig(op.settings.manufacturing.min_price, top),
                                                explain=True)
        markets = [m for m in container.markets().markets_in_system(target) if m.trade_goods]
        finder = container.route_finder()  # None when trade arbitrage is off
        routes = None if finder is None else finder.find(target)
        dumped_into = () if finder is None else finder.left_out
        now = container.clock().now()
    finally:
        container.shutdown_resources()
    ranking = op.settings.strategy.ranking
    if as_json:
        shown = _as_json(report, ranking, access, len(markets), refreshed)
        shown["trade_routes"] = None if routes is None else [_route_json(route, now) for route in routes]
        shown["trade_imports_left_out"] = [{"good": d.good.value, "market": str(d.market), "bid": d.bid,
                                            "usual_bid": round(d.usual), "reason": d.describe()} for d in dumped_into]
        click.echo(json.dumps(shown, indent=2))
        return
    console = screen_console()
    console.print(_render(report, ranking, access, len(markets), refreshed, top))
    console.print(_render_routes(routes, op.settings.arbitrage.ranking, now, dumped_into))


def _running_daemon(op: Operator, player: str) -> DaemonInfo | None:
    status = op.daemon(player).status()
    info = read_daemon_info(op.paths(player))
    if status.state is DaemonState.RUNNING and info is not None and info.pid == status.pid:
        return info
    return None


def _game_access(op: Operator, player: str, info: DaemonInfo | None) -> GameAccess:
    token = op.settings.api.token
    if not token:
        stored = op.store.load(player)
        token = stored.token if stored is not None else ""
    if info is not None:
        return GameAccess(info.base_url, token, info.time_scale, "refreshed where our ships are",
                          info.rate_limit_scaled)
    if op.settings.api.base_url:
        return GameAccess(op.settings.api.base_url, token, 1.0, "refreshed where our ships are")
    server = op.servers.running()
    if server is not None:
        return GameAccess(server.base_url, token, server.speed, "refreshed where our ships are",
                          server.rate_limit_scaled)
    return GameAccess("", "", 1.0, "no game server running: stored prices only")


def _system(op: Operator, player: str, info: DaemonInfo | None, access: GameAccess) -> SystemSymbol:
    if op.settings.system:
        return SystemSymbol(op.settings.system)
    if info is not None:
        return SystemSymbol(info.system)
    if access.base_url and access.token:
        with op.client(access.base_url, access.token, player) as client:
            return WaypointSymbol(client.agent().headquarters).system
    import bootstrap

    database_url = op.daemon_database_url(player)
    if op.settings.database.url or op.paths(player).database_file.exists():
        storage = bootstrap.open_storage(database_url)
        try:
            run = storage.runs.latest_run(player)
        finally:
            storage.close()
        if run is not None:
            return SystemSymbol(run.system)
    raise click.UsageError("no system to analyse: pass --system (no game server runs to ask for the "
                           "headquarters)")


def _render(report: DemandReport, ranking: str, access: GameAccess, priced: int, refreshed: list[Any],
            top: int) -> Group:
    title = f"High-Demand Manufacturables in {report.system}"
    where = f"{priced} markets with prices; {access.how}"
    if access.base_url:
        where += f" ({len(refreshed)} refreshed now)"
    parts: list[RenderableType] = [heading(title), Text("=" * len(title)),
                                   Text(f"ranking: {ranking}; top {top}; {where}"), Text("")]
    if report.opportunities:
        shown = table("#>", "Good", "Import Market", "Purchase Price (cr/unit)>", "Depth>", "Required Inputs")
        for rank, opportunity in enumerate(report.opportunities, start=1):
            inputs = ", ".join(good.value for good in opportunity.required_inputs) or "-"
            depth = opportunity.tree_depth
            shown.add_row(str(rank), str(opportunity.good), str(opportunity.sell_market), f"{opportunity.bid:,}",
                          f"{depth} level{'s' * (depth != 1)}", inputs)
        parts.append(indented(shown))
    else:
        parts.append(Text("No opportunity: no market with known prices pays enough for a good we can make."))
    if report.left_out:
        parts += [Text(""), heading(f"Left Out ({len(report.left_out)} imported goods)")]
        for reason, why in _REASONS.items():
            entries = sorted((e for e in report.left_out if e.reason is reason),
                             key=lambda e: (-(e.bid or 0), e.good, e.market))
            if not entries:
                continue
            left_out = table(f"{why} ({len(entries)})", "Market", "Price (cr/unit)>", "Why")
            for entry in entries:
                left_out.add_row(str(entry.good), str(entry.market), "-" if entry.bid is None else f"{entry.bid:,}",
                                 entry.detail or "-")
            parts += [Text(""), indented(left_out)]
    return Group(*parts)


def _render_routes(routes: list[TradeRoute] | None, ranking: str, now: datetime,
                   dumped_into: Sequence[SaturatedImport] = ()) -> Group:
    """The lanes trade arbitrage would work now, from the same stored prices, and the imports left out because
    someone dumped into them."""
    parts: list[RenderableType] = [Text(""), heading(f"Trade Routes (arbitrage; ranking: {ranking})")]
    if routes is None:
        return Group(*parts, IndentedSentence("trade arbitrage is off (arbitrage.enabled)"))
    if dumped_into:
        left = table(f"Imports left out: dumped into ({len(dumped_into)})", "Market", "Bid>", "Usual Bid>")
        for d in dumped_into:
            left.add_row(str(d.good), str(d.market), f"{d.bid:,}", f"{d.usual:,.0f}")
        parts += [indented(left), Text("")]
    if not routes:
        return Group(*parts, IndentedSentence("none: no export is cheap enough against an import that is not "
                                              "saturated, with fresh prices"))
    shown = table("#>", "Good", "Buy At", "Ask>", "Sell At", "Bid>", "Margin/unit>", "Lot Profit>", "Prices Age>")
    for rank, route in enumerate(routes, start=1):
        shown.add_row(str(rank), str(route.good), str(route.buy_market), f"{route.ask:,}", str(route.sell_market),
                      f"{route.bid:,}", f"{route.margin:+,}", f"{route.lot_profit:+,}",
                      format_duration((now - route.observed_at).total_seconds()))
    return Group(*parts, indented(shown))


def _route_json(route: TradeRoute, now: datetime) -> dict[str, Any]:
    return {"good": route.good.value, "buy_market": str(route.buy_market), "ask": route.ask,
            "sell_market": str(route.sell_market), "bid": route.bid, "margin": route.margin,
            "trade_volume": route.trade_volume, "lot_profit": route.lot_profit, "distance": route.distance,
            "alternatives": [str(m) for m in route.alternatives],
            "age_seconds": round((now - route.observed_at).total_seconds(), 1)}


def _as_json(report: DemandReport, ranking: str, access: GameAccess, priced: int,
             refreshed: list[Any]) -> dict[str, Any]:
    return {
        "system": report.system,
        "discovered_at": report.discovered_at.astimezone(UTC).isoformat(timespec="seconds"),
        "ranking": ranking,
        "markets_priced": priced,
        "markets_refreshed": len(refreshed),
        "offline": not access.base_url,
        "opportunities": [
            {"rank": rank, "good": o.good.value, "market": str(o.sell_market), "price": o.bid,
             "depth": o.tree_depth, "inputs": [g.value for g in o.required_inputs], "trade_volume": o.trade_volume}
            for rank, o in enumerate(report.opportunities, start=1)],
        "left_out": [
            {"good": e.good.value, "market": str(e.market), "price": e.bid, "reason": e.reason.value,
             "detail": e.detail}
            for e in report.left_out],
    }
