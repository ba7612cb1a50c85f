"""The bot's earnings on the embedded game server, with the real rate limit: what a request is worth.

Starts `spacetraders server` in a subprocess (fixed seed, high game speed, the REAL rate limit of 2 req/s plus 30
per minute), registers a fresh agent, and runs the real coordinator with real worker processes for a fixed span of
GAME time. Then it stops giving out work, lets the running workers sell what they hold (`--drain`, wall seconds),
and prints, over the whole run:

- credits earned per game hour (the agent's credits at the end minus at the start, ship purchases included);
- `net credits per request` (the same net over every request the bot's processes made);
- requests per manufactured unit sold;
- the share of the rate budget used (requests over 2.5 x wall seconds, the policy's sustained rate);
- `429s: N` (answers the server refused for the rate limit; the shared limiter counts them);
- and, as a check, whether the ledger's net equals the change of credits.

Aims (issue 9): more than 300 net credits per request, at least 90% of the budget used, no 429.

    .venv/bin/python bench/run.py [--game-hours 8] [--speed 120] [--seed 1] [--drain 60]
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import tempfile
import time
from collections import Counter
from pathlib import Path

from adapters.config.loader import load_settings
from adapters.game_api.client import GameApiClient
from adapters.game_api.settings import GameApiSettings
from adapters.game_server.http_server_process import GameServerProcess
from domain.ledger import TransactionCategory, net_credits

import bootstrap

# The policy's sustained rate: a static pool of 2 a second plus a burst pool of 30 a minute.
BUDGET_PER_SECOND = 2.0 + 30 / 60


class StopAt:
    """A CancelToken that fires at a wall-clock moment."""

    def __init__(self, at: float) -> None:
        self.at = at

    def cancelled(self) -> bool:
        return time.time() >= self.at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game-hours", type=float, default=8.0, help="span of game time to trade for")
    parser.add_argument("--speed", type=float, default=120.0, help="game seconds per wall second")
    parser.add_argument("--seed", type=int, default=1, help="universe seed")
    parser.add_argument("--drain", type=float, default=60.0, help="wall seconds to let workers finish at the end")
    parser.add_argument("--verbose", action="store_true", help="log the coordinator's decisions")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(processName)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="bench-run-") as scratch:
        root = Path(scratch)
        with GameServerProcess(data_dir=root / "server", seed=args.seed, speed=args.speed,
                               rate_limit="on") as server:
            report = run_bot(server.base_url, root, args)
    print(report)


def run_bot(base_url: str, root: Path, args: argparse.Namespace) -> str:
    with GameApiClient(GameApiSettings(base_url=base_url)) as client:
        registered = client.register("BENCH", "COSMIC")
    settings = load_settings({})
    settings = dataclasses.replace(settings, metrics=dataclasses.replace(settings.metrics, enabled=False))
    (root / "run").mkdir()
    runtime = bootstrap.Runtime(
        settings=settings, base_url=base_url, token=registered.token, player="BENCH",
        system=registered.agent.headquarters.rsplit("-", 1)[0], run_dir=root / "run",
        database_url=f"sqlite:///{root / 'bot.sqlite3'}", time_scale=args.speed)
    container = bootstrap.build(runtime)
    container.init_resources()
    try:
        game, limiter = container.game(), container.limiter()
        credits_before = game.agent().credits
        started = container.clock().now()
        requests_before = limiter.stats().requests
        wall_started = time.time()
        span = args.game_hours * 3600 / args.speed
        container.coordinator().run(StopAt(wall_started + span), drain=args.drain)
        wall = time.time() - wall_started
        stats = limiter.stats()
        credits_after = game.agent().credits
        rows = container.ledger().transactions_since(started)
        results = container.runs().results(limit=10_000)
        assigned = container.assignments().assigned()
    finally:
        container.shutdown_resources()

    requests = stats.requests - requests_before
    net = credits_after - credits_before
    game_hours = wall * args.speed / 3600
    sold = sum(result.quantity_sold for result in results)
    outcomes = Counter(result.outcome for result in results)
    ships = sum(1 for row in rows if row.category is TransactionCategory.SHIP_PURCHASE)
    ledger_net = net_credits(rows)
    lines = [
        f"seed {args.seed}, speed {args.speed:g}: {args.game_hours:g} game hours of trading + drain "
        f"= {wall:.0f} s wall, {game_hours:.2f} game hours",
        f"credits {credits_before} -> {credits_after}: net {net:+d} ({ships} ship(s) bought)",
        f"credits earned per game hour: {net / game_hours:,.0f}",
        f"net credits per request: {net / max(1, requests):,.0f}",
        f"requests per manufactured unit sold: {requests / sold:.1f}" if sold else
        "requests per manufactured unit sold: n/a (nothing sold)",
        f"share of the rate budget used: {requests / (BUDGET_PER_SECOND * wall):.0%} "
        f"({requests} requests in {wall:.0f} s)",
        f"429s: {stats.pauses}",
        f"runs: {sum(outcomes.values())} ({', '.join(f'{n} {o}' for o, n in sorted(outcomes.items()))}); "
        f"units sold: {sold}; profit of completed runs: "
        f"{sum(r.profit for r in results if r.outcome == 'completed'):,}",
        f"ledger net {ledger_net:+d} {'==' if ledger_net == net else '!='} credit change {net:+d}; "
        f"ships still assigned: {len(assigned)}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
