"""The bot's earnings from a fresh agent on the embedded game server, at the real game's proportions.

Starts `spacetraders server` in a subprocess (fixed seed, compressed time, and by default `--rate-limit scaled`:
the real limit times the speed, so the bot has the real game's 9,000 requests per game hour), registers a fresh
agent, and runs the real coordinator with real worker processes for a span of GAME time. Then it stops giving out
work, lets the running workers sell what they hold (`--drain`, wall seconds), and prints over the whole run, each on
a line of its own:

    credits per game hour:              the agent's credit change (ship purchases included) per game hour
    net worth per game hour:            the change of credits + ships bought at their price + cargo at known bids
    net credits per request:            the credit change over every request the bot's processes made
    requests per game hour:
    requests per manufactured unit sold: every request over the units manufacturing runs sold (traded units are not
                                        manufactured; an arbitrage-only run has none)
    share of the rate budget used:      requests over the points the server gave in that wall time (learnt from
                                        its headers: every static window, every burst window begun)
    429s:                               answers refused for the rate limit (counted by the shared limiter)
    ledger equals credits:              whether the ledger's net equals the credit change, to the credit

and first the regime it ran in (game speed, rate limit). Aims (issue 16): net worth +150,000 per game hour over the
first 8 game hours, 0 429s, at least 90% of the budget used, the ledger equal to the credit change.

    .venv/bin/python bench/run.py [--game-hours 8] [--speed 20] [--rate-limit scaled] [--ops manufacturing]
    .venv/bin/python bench/run.py --regime-check [--game-hours 1] [--speed 20]
    .venv/bin/python bench/run.py --economy import_surplus_half_life_minutes=27h   # a harsher universe

`--economy NAME=VALUE` changes one of the server's economy settings (`spacetraders server --economy`), to measure
the bot where the facts leave a figure open (recovery half-lives: 1-1.5 h reported, 27-47 h fitted).

`--regime-check` runs the same span twice, compressed at `--speed` (10 or more) and at speed 1, both with the
scaled limit, and says whether their credits per game hour agree within a factor of 2 (the compression keeps the
game's proportions). The speed-1 leg takes the span, and the drain (the same game time as the fast leg's), in real
time.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.config.loader import load_settings
from adapters.config.settings import Settings
from adapters.game_api.rate_limiter import budget_points
from adapters.game_api.settings import GameApiSettings
from adapters.game_server.http_server_process import GameServerProcess, ServerProcessError
from application.worker_jobs import MANUFACTURING, kind_of_operation
from domain.ledger import TransactionCategory, TransactionType, net_credits

import bootstrap

OPERATIONS = ("manufacturing", "arbitrage")
PLAYER = "BENCH"


class BenchError(Exception):
    """The bench cannot run as asked; the message is one line."""


class StopAt:
    """A CancelToken that fires at a wall-clock moment."""

    def __init__(self, at: float) -> None:
        self.at = at

    def cancelled(self) -> bool:
        return time.time() >= self.at


@dataclass(frozen=True)
class Figures:
    """What one run measured."""

    speed: float
    rate_limit: str
    game_hours: float
    wall: float
    credits_before: int
    credits_after: int
    ships_bought: int
    ships_spent: int
    fleet: dict[str, int]  # ship role -> how many the agent owns at the end
    cargo_value: int
    cargo_unpriced: int
    requests: int
    per_second: int
    burst: int
    refused: int
    sold: int
    made_sold: int  # of `sold`, the units manufacturing runs sold
    runs: Counter[str]
    completed_profit: int
    # kind of work -> (profit of its finished runs, how many, the seconds of ship time they took on the bot's
    # clock, which is the wall clock: the game's own times are `speed` times longer)
    by_kind: dict[str, tuple[int, int, float]]
    ledger_net: int
    still_assigned: int

    @property
    def net(self) -> int:
        return self.credits_after - self.credits_before

    @property
    def net_worth_change(self) -> int:
        # The starting ships count the same at both ends; bought ships at their price, cargo at the best known bid.
        return self.net + self.ships_spent + self.cargo_value

    @property
    def budget(self) -> float:
        """Points the server gave over the run's wall time: every static window and every burst window begun."""
        return budget_points(self.per_second, self.burst, self.wall)

    def regime(self) -> str:
        if self.rate_limit == "off":
            limit = "rate limit off"
        else:
            per_game_hour = (self.per_second * 3600 + self.burst * 60) / self.speed
            limit = (f"rate limit {self.rate_limit}: {self.per_second}/s + burst {self.burst}/60 s "
                     f"= {per_game_hour:,.0f} requests per game hour")
        return f"regime: game speed {self.speed:g}, {limit}"

    def lines(self) -> list[str]:
        hours = self.game_hours
        share = (f"{self.requests / self.budget:.0%} ({self.requests} requests of {self.budget:,.0f} points in "
                 f"{self.wall:.0f} s)" if self.rate_limit != "off" else "n/a (rate limit off)")
        per_unit = (f"{self.requests / self.made_sold:.1f}" if self.made_sold
                    else "n/a (no manufactured unit sold)")
        ledger_ok = "yes" if self.ledger_net == self.net else "NO"
        return [
            self.regime(),
            f"span: {hours:.2f} game hours = {self.wall:.0f} s wall (trading + drain); credits "
            f"{self.credits_before:,} -> {self.credits_after:,}, {self.ships_bought} ship(s) bought for "
            f"{self.ships_spent:,}, cargo held worth {self.cargo_value:,} at known bids"
            f"{f' ({self.cargo_unpriced} units with no known bid)' if self.cargo_unpriced else ''}; fleet at the end: "
            + ", ".join(f"{n} {role.lower()}" for role, n in sorted(self.fleet.items())),
            f"credits per game hour: {self.net / hours:,.0f}",
            f"net worth per game hour: {self.net_worth_change / hours:,.0f}",
            f"net credits per request: {self.net / max(1, self.requests):,.0f}",
            f"requests per game hour: {self.requests / hours:,.0f}",
            f"requests per manufactured unit sold: {per_unit}",
            f"share of the rate budget used: {share}",
            f"429s: {self.refused}",
            f"ledger equals credits: {ledger_ok} (ledger net {self.ledger_net:+,}, credit change {self.net:+,}); "
            f"ships still assigned: {self.still_assigned}",
            f"runs: {sum(self.runs.values())} ({', '.join(f'{n} {o}' for o, n in sorted(self.runs.items()))}); "
            f"units sold: {self.sold}; profit of completed runs: {self.completed_profit:,}",
            "profit by kind of work (failed runs included, their unsold cargo counted at its cost; what clearing it "
            "fetched later counts under no kind): " + (", ".join(
                f"{kind} {profit:+,} in {n} runs ({profit * 3600 / (seconds * self.speed) if seconds else 0:+,.0f} per "
                f"ship-hour)"
                for kind, (profit, n, seconds) in sorted(self.by_kind.items())) or "none"),
        ]


def parse_ops(text: str) -> frozenset[str]:
    ops = frozenset(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = ops - set(OPERATIONS)
    if not ops or unknown:
        raise BenchError(f"--ops takes a comma-separated list of {', '.join(OPERATIONS)}; got {text!r}")
    return ops


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """`--set manufacturing.max_workers=8` pairs as the dotted overrides the settings loader takes."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BenchError(f"--set takes SECTION.NAME=VALUE; got {pair!r}")
        overrides[key.strip()] = value.strip()
    return overrides


def settings_for(ops: frozenset[str], overrides: dict[str, str] | None = None) -> Settings:
    """The default settings (with `overrides`) with metrics off and only the chosen operations on."""
    try:
        settings = load_settings({}, overrides=overrides or {})
    except ValueError as error:  # the loader's own one-line message names the setting
        raise BenchError(str(error)) from error
    settings = dataclasses.replace(settings, metrics=dataclasses.replace(settings.metrics, enabled=False))
    settings = dataclasses.replace(settings, manufacturing=dataclasses.replace(
        settings.manufacturing, arbitrage_enabled="manufacturing" in ops))
    arbitrage = getattr(settings, "arbitrage", None)
    if arbitrage is None or not hasattr(arbitrage, "enabled"):
        if "arbitrage" in ops or "manufacturing" not in ops:
            raise BenchError("--ops: this build has no trade arbitrage (no [arbitrage] settings section with "
                             "`enabled`); run with --ops manufacturing")
        return settings
    return dataclasses.replace(settings, arbitrage=dataclasses.replace(arbitrage, enabled="arbitrage" in ops))


def run_once(*, game_hours: float, speed: float, seed: int, rate_limit: str, ops: frozenset[str],
             drain: float, overrides: dict[str, str] | None = None, economy: Sequence[str] = ()) -> Figures:
    """One fresh agent for `game_hours` of game time on a new embedded server; the figures of that run.

    `economy` are the server's `--economy NAME=VALUE` assignments (its defaults when empty)."""
    settings = settings_for(ops, overrides)
    with tempfile.TemporaryDirectory(prefix="bench-run-") as scratch:
        root = Path(scratch)
        economy_args = [arg for assignment in economy for arg in ("--economy", assignment)]
        with GameServerProcess(data_dir=root / "server", seed=seed, speed=speed, rate_limit=rate_limit,
                               extra_args=economy_args) as server:
            return _run_bot(server.base_url, root, settings, game_hours=game_hours, speed=speed,
                            rate_limit=rate_limit, drain=drain)


def _run_bot(base_url: str, root: Path, settings: Settings, *, game_hours: float, speed: float, rate_limit: str,
             drain: float) -> Figures:
    run_dir = root / "run"
    run_dir.mkdir()
    with bootstrap.account_client(GameApiSettings(base_url=base_url), run_dir, PLAYER) as client:
        registered = client.register(PLAYER, "COSMIC")
    runtime = bootstrap.Runtime(
        settings=settings, base_url=base_url, token=registered.token, player=PLAYER,
        system=registered.agent.headquarters.rsplit("-", 1)[0], run_dir=run_dir,
        database_url=f"sqlite:///{root / 'bot.sqlite3'}", time_scale=speed, rate_limit_scaled=rate_limit == "scaled")
    container = bootstrap.build(runtime)
    container.init_resources()
    try:
        game, limiter = container.game(), container.limiter()
        credits_before = game.agent().credits
        cargo_before = _cargo_value(game.ships(), container.markets(), runtime.system)
        started = container.clock().now()
        before = limiter.stats()
        wall_started = time.time()
        container.coordinator().run(StopAt(wall_started + game_hours * 3600 / speed), drain=drain)
        wall = time.time() - wall_started
        after = limiter.stats()
        credits_after = game.agent().credits
        ships = game.ships()
        cargo_after = _cargo_value(ships, container.markets(), runtime.system)
        rows = container.ledger().transactions_since(started)
        results = container.runs().results(limit=100_000)
        assigned = container.assignments().assigned()
    finally:
        container.shutdown_resources()

    purchases = [row for row in rows if row.category is TransactionCategory.SHIP_PURCHASE]
    spent_on_ships = sum(row.amount if row.type is TransactionType.DEBIT else -row.amount for row in purchases)
    return Figures(
        speed=speed, rate_limit=rate_limit, game_hours=wall * speed / 3600, wall=wall,
        credits_before=credits_before, credits_after=credits_after,
        ships_bought=sum(1 for row in purchases if row.type is TransactionType.DEBIT), ships_spent=spent_on_ships,
        fleet=dict(Counter(str(ship.role) for ship in ships)),
        cargo_value=cargo_after[0] - cargo_before[0], cargo_unpriced=cargo_after[1],
        requests=after.requests - before.requests, per_second=after.per_second, burst=after.burst,
        refused=after.pauses - before.pauses, sold=sum(r.quantity_sold for r in results),
        made_sold=sum(r.quantity_sold for r in results if kind_of_operation(r.operation_id) == MANUFACTURING),
        runs=Counter(r.outcome for r in results),
        completed_profit=sum(r.profit for r in results if r.outcome == "completed"),
        by_kind=_profit_by_kind(results),
        ledger_net=net_credits(rows), still_assigned=len(assigned))


def _profit_by_kind(results: Any) -> dict[str, tuple[int, int, float]]:
    by_kind: dict[str, tuple[int, int, float]] = {}
    for result in results:
        if result.counted:
            profit, n, seconds = by_kind.get(result.kind, (0, 0, 0.0))
            by_kind[result.kind] = (profit + result.profit, n + 1, seconds + result.seconds)
    return by_kind


def _cargo_value(ships: Any, markets: Any, system: Any) -> tuple[int, int]:
    """(credits the cargo held would fetch at the best bid known for each good, units with no known bid)."""
    best: dict[Any, int] = {}
    for snapshot in markets.markets_in_system(system):
        for symbol, good in snapshot.trade_goods.items():
            best[symbol] = max(best.get(symbol, 0), good.bid)
    value = unpriced = 0
    for ship in ships:
        for good, units in ship.inventory.items():
            if good in best:
                value += best[good] * units
            else:
                unpriced += units
    return value, unpriced


def regime_check(args: argparse.Namespace, ops: frozenset[str]) -> list[str]:
    if args.speed < 10:
        raise BenchError("--regime-check compares a run at --speed 10 or more with one at speed 1")
    lines = []
    figures = []
    for speed in (args.speed, 1.0):
        # The same drain in GAME time for both legs: the drain counts in the game hours divided by.
        measured = run_once(game_hours=args.game_hours, speed=speed, seed=args.seed, rate_limit="scaled", ops=ops,
                            economy=args.economy,
                            drain=args.drain * args.speed / speed, overrides=parse_overrides(args.set))
        figures.append(measured)
        lines += [f"--- speed {speed:g} ---", *measured.lines()]
    fast, real = (f.net / f.game_hours for f in figures)
    lines.append(f"regime check: credits per game hour {fast:,.0f} at speed {args.speed:g} vs {real:,.0f} at "
                 f"speed 1: {regime_verdict(fast, real)}")
    return lines


def regime_verdict(fast: float, real: float) -> str:
    """Whether credits per game hour at the compressed speed and at speed 1 agree within a factor of 2.

    A leg that earned nothing (or lost) says nothing of the regime: the span was too short for runs to complete,
    or the runs failed; calling that agreement would pass a check that measured nothing."""
    if min(fast, real) <= 0:
        return "CANNOT compare: a leg earned nothing or lost (run a longer span)"
    ratio = max(fast, real) / min(fast, real)
    return f"{'agree' if ratio <= 2.0 else 'DO NOT agree'} within a factor of 2 (ratio {ratio:.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game-hours", type=float, default=None,
                        help="span of game time to trade for (default 8; 1 with --regime-check)")
    parser.add_argument("--speed", type=float, default=20.0, help="game seconds per wall second")
    parser.add_argument("--rate-limit", default="scaled", choices=("scaled", "on", "off"),
                        help="the server's limit: the real one times the speed (scaled), the real one (on), none")
    parser.add_argument("--ops", default="manufacturing",
                        help="operations to run, comma-separated: manufacturing, arbitrage")
    parser.add_argument("--seed", type=int, default=1, help="universe seed")
    parser.add_argument("--drain", type=float, default=60.0, help="wall seconds to let workers finish at the end")
    parser.add_argument("--regime-check", action="store_true",
                        help="run the span at --speed and at speed 1 and compare credits per game hour")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.NAME=VALUE",
                        help="a setting other than its default, e.g. arbitrage.max_workers=8 (repeatable)")
    parser.add_argument("--economy", action="append", default=[], metavar="NAME=VALUE",
                        help="an economy setting of the server other than its default, e.g. "
                             "import_surplus_half_life_minutes=27h (repeatable; `spacetraders server --economy`)")
    parser.add_argument("--verbose", action="store_true", help="log the coordinator's decisions")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(processName)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        ops = parse_ops(args.ops)
        settings_for(ops, parse_overrides(args.set))  # fail before starting anything
        if args.regime_check:
            # Shorter spans end before a first run completes (0.15 game hours earned nothing at either speed).
            args.game_hours = 1.0 if args.game_hours is None else args.game_hours
            lines = regime_check(args, ops)
        else:
            figures = run_once(game_hours=8.0 if args.game_hours is None else args.game_hours, speed=args.speed,
                               seed=args.seed, rate_limit=args.rate_limit, ops=ops, drain=args.drain,
                               overrides=parse_overrides(args.set), economy=args.economy)
            changed = "".join(f"; {pair}" for pair in args.set) + "".join(f"; economy {a}" for a in args.economy)
            lines = [f"operations: {', '.join(sorted(ops))}; seed {args.seed}{changed}", *figures.lines()]
    except BenchError as exc:
        print(f"bench/run.py: {exc}", file=sys.stderr)
        return 2
    except ServerProcessError as exc:
        # The server's own last line says why (e.g. a bad --economy assignment).
        last = [line for line in str(exc).splitlines() if line.strip()][-1]
        print(f"bench/run.py: the game server did not start: {last}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
