"""One account's rate budget spent by several real processes against a real game server process whose limit is
scaled with its speed: no 429, and most of the budget used; the CLI's own `agent show` beside them draws none.

Each process builds its client the way the bot's processes do (bootstrap hands out the account's shared
limiter), and learns the scaled policy from the answers' headers: nothing in the test tells it the limits.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.cli.token_store import TokenStore
from adapters.daemon.paths import RunPaths
from adapters.game_api.rate_limiter import RateLimiter
from adapters.game_server.http_server_process import GameServerProcess
from bench.rate_limit import Load, saturate
from tests.cli_support import cli_environment, run_cli

# undisturbed: the share of the budget the processes reach is the CPU the machine spares them
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240), pytest.mark.undisturbed]

SPEED = 20  # the scaled limit: 40 points a second, a burst of 600 a minute (the real 9,000 per game hour)
PROCESSES = 4


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


def _run_processes(server: GameServerProcess, account: Account, seconds: float,
                   beside: Callable[[], None] | None = None) -> Load:
    """The account's budget spent by PROCESSES processes for `seconds`, as bench/rate_limit.py spends and counts
    it (and `beside` a third of the way in)."""
    return saturate(server.base_url, account.token, account.run_dir, account.player, processes=PROCESSES,
                    seconds=seconds, lead=3.0, max_attempts=3, beside=beside)


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
    share = load.share
    print(f"\n{PROCESSES} processes, speed {SPEED}, scaled limit {stats.per_second}/s + {stats.burst}/min: "
          f"{load.granted} requests in {load.seconds:g} s, {share:.1%} of the budget, {refused} 429s, "
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
