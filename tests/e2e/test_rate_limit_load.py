"""One account's rate budget spent by several real processes against a real game server process whose limit is
scaled with its speed: no 429, and most of the budget used; the CLI's own `agent show` beside them draws none.

Each process builds its client the way the bot's processes do (bootstrap hands out the account's shared
limiter), and learns the scaled policy from the answers' headers: nothing in the test tells it the limits.
"""
from __future__ import annotations

import itertools
import multiprocessing
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import bootstrap
from adapters.cli.token_store import TokenStore
from adapters.daemon.paths import RunPaths
from adapters.game_api.rate_limiter import Priority, RateLimiter, budget_points
from adapters.game_api.settings import GameApiSettings
from adapters.game_server.http_server_process import GameServerProcess
from tests.cli_support import cli_environment, run_cli

# undisturbed: the share of the budget the processes reach is the CPU the machine spares them
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240), pytest.mark.undisturbed]

SPEED = 20  # the scaled limit: 40 points a second, a burst of 600 a minute (the real 9,000 per game hour)
PROCESSES = 4


def _hammer(base_url: str, token: str, run_dir: str, player: str, start: float, until: float,
            index: int) -> tuple[int, int]:
    """Child process: from `start` to `until`, ask the game as fast as the account's shared limiter lets it;
    (requests, 429s met)."""
    settings = GameApiSettings(base_url=base_url, token=token, max_attempts=3)
    priorities = [Priority.HIGH, Priority.NORMAL, Priority.LOW]
    requests = 0
    with bootstrap.account_client(settings, Path(run_dir), player) as client:
        time.sleep(max(0.0, start - time.time()))
        while time.time() < until:
            client.agent(priority=priorities[(requests + index) % 3])
            requests += 1
        return requests, client.rate_limited


@pytest.fixture(scope="module")
def server() -> Iterator[GameServerProcess]:
    with GameServerProcess(speed=SPEED, rate_limit="scaled") as started:
        yield started


@dataclass(frozen=True)
class Account:
    data_dir: Path
    player: str
    token: str

    @property
    def run_dir(self) -> Path:
        return RunPaths(self.data_dir, self.player).root


_players = itertools.count(1)


@pytest.fixture
def account(server: GameServerProcess, tmp_path: Path) -> Account:
    """A fresh agent registered through the CLI (its token stored under its data directory)."""
    data_dir, player = tmp_path / "data", f"LOAD{next(_players)}"
    registered = run_cli(cli_environment(data_dir), "agent", "register", "--symbol", player,
                         "--base-url", server.base_url)
    assert registered.exit_code == 0, registered.output
    return Account(data_dir, player, TokenStore(data_dir).require(player).token)


@dataclass(frozen=True)
class Load:
    """What the processes did: (requests, 429s) of each, and the account's requests granted within the span."""

    counts: list[tuple[int, int]]
    granted_in_span: int
    seconds: float


def _run_processes(server: GameServerProcess, account: Account, seconds: float,
                   beside: Callable[[], None] | None = None) -> Load:
    """Run the processes for `seconds` (and `beside` a third of the way in). The span is counted as
    bench/rate_limit.py counts it: requests granted from its start to its end, read from the shared limiter."""
    limiter = RateLimiter.shared(account.run_dir, account.player)
    before = limiter.stats().requests
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        start = time.time() + 3.0  # the children need a moment to start; they all begin then
        until = start + seconds
        results = [pool.apply_async(_hammer, (server.base_url, account.token, str(account.run_dir), account.player,
                                              start, until, i))
                   for i in range(PROCESSES)]
        if beside is not None:
            time.sleep(max(0.0, start - time.time()) + seconds / 3)
            beside()
        time.sleep(max(0.0, until - time.time()))
        granted = limiter.stats().requests - before
        counts = [r.get(timeout=seconds + 60) for r in results]
    return Load(counts, granted, seconds)


def test_several_processes_of_one_account_spend_the_scaled_budget_without_a_429_and_agent_show_beside_draws_none(
        server: GameServerProcess, account: Account) -> None:
    # One run for both claims: the processes' own (no 429, most of the budget used, the policy learnt) and the CLI's
    # `agent show` a third of the way in, while the processes spend the whole budget.
    env = cli_environment(account.data_dir, ST_API_BASE_URL=server.base_url)
    shown = []

    def show_agent() -> None:
        for _ in range(5):
            shown.append(run_cli(env, "agent", "show", "--json"))

    load = _run_processes(server, account, 20.0, beside=show_agent)

    stats = RateLimiter.shared(account.run_dir, account.player).stats()
    refused = sum(r for _, r in load.counts)
    share = load.granted_in_span / budget_points(stats.per_second, stats.burst, load.seconds)
    print(f"\n{PROCESSES} processes, speed {SPEED}, scaled limit {stats.per_second}/s + {stats.burst}/min: "
          f"{load.granted_in_span} requests in {load.seconds:g} s, {share:.1%} of the budget, {refused} 429s, "
          f"{stats.corrections} corrections")
    assert all(n > 0 for n, _ in load.counts)  # every process took part
    assert refused == 0
    assert stats.pauses == 0  # the CLI's own requests would have counted a 429 here too
    assert (stats.per_second, stats.burst) == (2 * SPEED, 30 * SPEED)  # learnt from the headers
    # The processes were spending the whole budget meanwhile: a command with a limiter of its own would be refused.
    # 20 s is a third of the burst window: the static pool is spent to ~98% (a window lasts 1 s after the answer
    # that opened it), but LOW and NORMAL leave their reserves (12/30, 4/30 of the burst) to HIGH, one request in
    # three, which has not drained them yet. Measured 83-89% on a loaded 2-core machine; over whole minutes the
    # same load spends 97-100% (bench/rate_limit.py).
    assert share > 0.75
    assert [r.exit_code for r in shown] == [0] * 5, shown[-1].output
    assert all(f'"symbol": "{account.player}"' in r.output for r in shown)
