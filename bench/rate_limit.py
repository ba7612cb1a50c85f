"""The rate limiter's own capacity: one account saturated from several processes against a real game server.

Starts `spacetraders server` in a subprocess with its rate limit on, registers a fresh agent, and has `--processes`
processes (the bot's workers are processes) ask `GET /my/agent` as fast as the account's limiter lets them, for
`--seconds` of wall time, mixing HIGH, NORMAL and LOW priorities. Each process builds its client the way the bot
does (`bootstrap.account_client`: the account's limiter shared through a file under the run directory); nothing
tells the limiter the server's limits but the answers' headers. Prints, each on a line of its own:

    regime:                          game speed and the server's limit
    span:                            wall seconds counted (requests granted from the start to the end), processes
    share of the rate budget used:   requests over the points the server gave in that span (every static window,
                                     every burst window begun: the same figure as bench/run.py's)
    requests per second:
    429s:                            answers refused for the rate limit (counted by the shared limiter)

The span is best whole minutes: the budget counts every burst window begun, whole, and LOW and NORMAL requests
leave their burst reserves to HIGH, which drains them within the window but not at once. Aim (issue 16): at least
90% of the budget with 0 429s, in both regimes:

    .venv/bin/python bench/rate_limit.py --speed 20 --rate-limit scaled   # 40/s + 600/60 s: 9,000 per game hour
    .venv/bin/python bench/rate_limit.py --speed 1 --rate-limit on        # the real game: 2/s + 30/60 s
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapters.game_api.rate_limiter import LimiterStats, Priority, RateLimiter, budget_points
from adapters.game_api.settings import GameApiSettings
from adapters.game_server.http_server_process import GameServerProcess

import bootstrap

PLAYER = "LIMITER"
_PRIORITIES = (Priority.HIGH, Priority.NORMAL, Priority.LOW)


def hammer(base_url: str, token: str, run_dir: str, player: str, start: float, until: float, index: int,
           max_attempts: int) -> tuple[int, int]:
    """Child process: from `start` to `until`, ask as fast as the shared limiter allows; (requests, 429s met)."""
    settings = GameApiSettings(base_url=base_url, token=token, max_attempts=max_attempts)
    requests = 0
    with bootstrap.account_client(settings, Path(run_dir), player) as client:
        time.sleep(max(0.0, start - time.time()))
        while time.time() < until:
            client.agent(priority=_PRIORITIES[(requests + index) % len(_PRIORITIES)])
            requests += 1
        return requests, client.rate_limited


@dataclass(frozen=True)
class Load:
    """What `saturate` measured: each process's (requests, 429s met), and the account's shared limiter's
    counters at the span's start, at its end, and once every process was done."""

    counts: list[tuple[int, int]]
    before: LimiterStats
    at_end: LimiterStats
    after: LimiterStats
    seconds: float

    @property
    def granted(self) -> int:
        """Requests granted from the span's start to its end (a request granted later is not counted)."""
        return self.at_end.requests - self.before.requests

    @property
    def budget(self) -> float:
        """The points the server gave the account in the span."""
        return budget_points(self.at_end.per_second, self.at_end.burst, self.seconds)

    @property
    def share(self) -> float:
        """The granted requests over the budget (the figure bench/run.py prints)."""
        return self.granted / self.budget


def saturate(base_url: str, token: str, run_dir: Path, player: str, *, processes: int, seconds: float,
             lead: float, max_attempts: int = 6, beside: Callable[[], None] | None = None) -> Load:
    """Have `processes` processes spend the account's budget for `seconds` of wall time (and call `beside` a third
    of the way in). They all begin `lead` seconds from now: spawned children need a moment to import the bot, by
    when the registration's window is long over and the account's pools are full."""
    limiter = RateLimiter.shared(run_dir, player)
    before = limiter.stats()
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        start = time.time() + lead
        until = start + seconds
        pending = pool.starmap_async(hammer, [(base_url, token, str(run_dir), player, start, until, i, max_attempts)
                                              for i in range(processes)])
        if beside is not None:
            time.sleep(max(0.0, start - time.time()) + seconds / 3)
            beside()
        # The span ends at `until` exactly: a request granted later (a process waiting for a point then) is not
        # counted, nor are the points of a window that would begin after it.
        time.sleep(max(0.0, until - time.time()))
        at_end = limiter.stats()
        counts = pending.get(timeout=seconds + 120)
    return Load(counts, before, at_end, limiter.stats(), seconds)


def measure(*, speed: float, rate_limit: str, seconds: float, processes: int, lead: float) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bench-rate-limit-") as scratch:
        root = Path(scratch)
        run_dir = root / "run"
        with GameServerProcess(data_dir=root / "server", speed=speed, rate_limit=rate_limit) as server:
            with bootstrap.account_client(GameApiSettings(base_url=server.base_url), run_dir, PLAYER) as client:
                token = client.register(PLAYER, "COSMIC").token
            load = saturate(server.base_url, token, run_dir, PLAYER, processes=processes, seconds=seconds, lead=lead)
    idle = sum(1 for requests, _ in load.counts if requests == 0)
    if idle:
        raise SystemExit(f"bench/rate_limit.py: {idle} process(es) made no request: raise --lead")
    at_end, requests, budget = load.at_end, load.granted, load.budget
    met = sum(refused for _, refused in load.counts)
    per_game_hour = (at_end.per_second * 3600 + at_end.burst * 60) / speed
    return [
        f"regime: game speed {speed:g}, rate limit {rate_limit}: {at_end.per_second}/s + burst {at_end.burst}/60 s "
        f"= {per_game_hour:,.0f} requests per game hour (learnt from the headers)",
        f"span: {seconds:g} s wall, {processes} processes, priorities HIGH/NORMAL/LOW in turn",
        f"share of the rate budget used: {load.share:.1%} ({requests} requests of {budget:,.0f} points "
        f"in {seconds:g} s)",
        f"requests per second: {requests / seconds:.1f} (budget {budget / seconds:.1f})",
        f"429s: {load.after.pauses - load.before.pauses} (met by the processes: {met}); model corrections by "
        f"answers: {load.after.corrections - load.before.corrections}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=20.0, help="game seconds per wall second")
    parser.add_argument("--rate-limit", default="scaled", choices=("scaled", "on"),
                        help="the server's limit: the real one times the speed (scaled) or the real one (on)")
    parser.add_argument("--seconds", type=float, default=60.0, help="wall seconds of saturation")
    parser.add_argument("--processes", type=int, default=4, help="processes sharing the account")
    parser.add_argument("--lead", type=float, default=5.0, help="wall seconds given to the processes to start")
    args = parser.parse_args()
    print("\n".join(measure(speed=args.speed, rate_limit=args.rate_limit, seconds=args.seconds,
                            processes=args.processes, lead=args.lead)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
