"""The operator's path, end to end, with the real `spacetraders` command from an empty home directory: `manufacturing
start` (embedded game server, agent, daemon with real worker processes), `status` while it runs, a metrics scrape,
`analyze demand`, a SIGKILL of the daemon mid-cycle and a new start that recovers, `stop`, and the one-line errors.

The tests of this module run in order on one bot (a module fixture); nothing but HOME and XDG_* is set, so the
bot runs with its defaults (embedded server at speed 60 with the real rate limit scaled to it, 9,000 requests per
game hour as in the real game; metrics on 9464 or a free port).
"""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from adapters.daemon.process import DetachedProcess, group_members, is_alive
from adapters.daemon.paths import RunPaths
from adapters.game_server.serve import find_free_port
from tests.screen_text import table_rows

SPACETRADERS = Path(sys.executable).with_name("spacetraders")
# Settings and leftovers of the shell that runs the tests must not reach the bot: it starts from nothing.
_NOT_PASSED = ("DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME",
               "XDG_CACHE_HOME")
_T = TypeVar("_T")

pytestmark = pytest.mark.timeout(600)


@dataclass
class Bot:
    home: Path
    env: dict[str, str]
    player: str = ""
    first_run: str = ""
    seen: dict[str, Any] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.home / ".local" / "share" / "spacetraders"

    @property
    def paths(self) -> RunPaths:
        return RunPaths.for_player(self.data_dir, self.player)

    def cli(self, *args: str, env: dict[str, str] | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
        return subprocess.run([str(SPACETRADERS), *args], env=env or self.env, capture_output=True, text=True,
                              timeout=timeout, cwd=self.home)

    def status(self) -> dict[str, Any]:
        done = self.cli("manufacturing", "status", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def daemon_info(self) -> dict[str, Any]:
        return json.loads(self.paths.info_file().read_text())

    def query(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.paths.database_file, timeout=30) as db:
            return db.execute(sql).fetchall()


def wait_for(what: str, probe: Callable[[], _T | None], timeout: float, every: float = 1.0) -> _T:
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting {timeout:g} s for {what}")
        time.sleep(every)


def one_error_line(done: subprocess.CompletedProcess, code: int) -> str:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    home = tmp_path_factory.mktemp("home")
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("ST_") and name not in _NOT_PASSED}
    env.update(HOME=str(home))
    made = Bot(home, env)
    yield made
    # Whatever happened, leave nothing running.
    if made.player:
        made.cli("manufacturing", "stop", timeout=180)
        for name in ("daemon", "server"):
            process = DetachedProcess(made.paths, name)
            record = process.read_record()
            if record is not None and group_members(record.pgid):
                os.killpg(record.pgid, signal.SIGKILL)


def test_zero_config_start_from_an_empty_home(bot: Bot) -> None:
    done = bot.cli("manufacturing", "start")

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"Embedded game server up on http://127\.0\.0\.1:\d+/v2", out), out
    registered = re.search(r"Registered agent (\w+) \(COSMIC\), headquarters (X1-[A-Z0-9]+)-\w+", out)
    assert registered, out
    bot.player = registered.group(1)
    assert f"Manufacturing started for {bot.player} in {registered.group(2)}" in out
    assert f"  log:      {bot.paths.log_file()}" in out
    assert f"  database: {bot.paths.database_file}" in out
    assert re.search(r"  metrics:  http://127\.0\.0\.1:\d+/metrics", out), out
    token_file = bot.paths.token_file
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert json.loads(token_file.read_text())["token"] not in out + done.stderr
    assert (bot.data_dir / "game-server").is_dir()
    assert bot.daemon_info()["embedded"] is True and bot.daemon_info()["time_scale"] == 60
    # The real game's proportions: the server's limit is scaled with its speed, and the daemon knows it.
    assert re.search(r"  game:     http://\S+ \(embedded, speed 60, rate limit scaled, world in ", out), out
    assert json.loads(bot.paths.info_file("server").read_text())["rate_limit"] == "scaled"
    assert bot.daemon_info()["rate_limit_scaled"] is True


def test_a_second_start_is_refused_while_running(bot: Bot) -> None:
    line = one_error_line(bot.cli("manufacturing", "start"), 4)

    assert "already running" in line


def test_status_while_running(bot: Bot) -> None:
    def working() -> str | None:
        done = bot.cli("manufacturing", "status")
        assert done.returncode == 0, done.stderr
        running = re.search(r"Active Workers: manufacturing [1-5]/5", done.stdout)
        ranked = running and table_rows(done.stdout, "Discovered Opportunities")
        return done.stdout if ranked and ranked[0][0] == "1" else None

    # The probe tours the system's markets one by one: manufacturing needs a factory, its inputs' sources and a buyer
    # seen, which in the real templates takes a few game hours of touring (arbitrage starts sooner). The status shown
    # while a manufacturing worker runs is read from one answer: a worker seen running by one look may be done by
    # the next (a run that finds its input's ask gone up stops within seconds at this speed).
    out = wait_for("a manufacturing worker to start", working, timeout=300)
    bot.first_run = bot.status()["run"]["id"]

    assert "Manufacturing Arbitrage Status" in out
    assert re.search(rf"Status: RUNNING \(pid {bot.daemon_info()['pid']}, since ", out), out
    assert re.search(r"Active Workers: manufacturing [1-5]/5, arbitrage (\d|10)/10", out), out
    ships = table_rows(out, "Ships Assigned (")
    assert ships and all(re.fullmatch(rf"{bot.player}-\d+", ship[0]) for ship in ships), out
    assert all(len(ship) == 4 and ship[2] for ship in ships), out  # its work, what it is doing now, until when
    opportunity = table_rows(out, "Discovered Opportunities")[0]
    assert opportunity[0] == "1" and re.fullmatch(r"X1-[A-Z0-9]+-\w+", opportunity[2]), out
    assert re.fullmatch(r"[\d,]+", opportunity[3]) and opportunity[4].isdigit(), out
    total = table_rows(out, "Profit (this run)")[-1]
    assert total[0] == "Total Profit (session)" and re.fullmatch(r"[+-]?[\d,]+", total[1]), out
    assert re.search(r"Market Coverage: \d+ markets priced", out), out
    assert f"Metrics: {bot.daemon_info()['metrics_url']}" in out


def scrape(bot: Bot) -> dict[str, float]:
    text = httpx.get(bot.daemon_info()["metrics_url"], timeout=10).text
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def scrape_if(bot: Bot, condition: Callable[[dict[str, float]], float]) -> dict[str, float] | None:
    samples = scrape(bot)
    return samples if condition(samples) else None


def total(samples: dict[str, float], prefix: str, **labels: str) -> float:
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    return sum(value for name, value in samples.items()
               if (name == prefix or name.startswith(prefix + "{")) and all(label in name for label in wanted))


def test_metrics_during_the_run(bot: Bot) -> None:
    # Inputs are bought by worker processes only: seeing those requests proves their metrics reach the endpoint.
    # (A trade worker may buy within seconds of the start: wait for some traffic too.)
    samples = wait_for("a worker's purchases in the metrics", lambda: scrape_if(
        bot, lambda s: total(s, "spacetraders_api_requests_total", endpoint="ships.purchase")
        and total(s, "spacetraders_api_request_duration_seconds_count") > 20), timeout=120)

    assert total(samples, "spacetraders_api_requests_total") > 20
    assert total(samples, "spacetraders_api_request_duration_seconds_count") > 20
    assert total(samples, "spacetraders_api_request_duration_seconds_bucket", le="+Inf") > 20
    # One limiter for every process of the account, learning the server's policy from its headers: no 429 at all.
    assert samples["spacetraders_api_rate_limited_total"] == 0
    assert 0 < samples["spacetraders_rate_budget_used_ratio"] <= 1.05  # a share of 150 requests a minute
    assert samples["spacetraders_workers_max"] == 5
    assert "spacetraders_workers_active" in samples
    assert samples["spacetraders_opportunities"] >= 1
    assert samples["spacetraders_agent_credits"] > 0
    assert total(samples, "spacetraders_ships") >= 2
    # A finished run adds its cycle, and the credits its good earned and cost.
    samples = wait_for("a manufacturing cycle to finish", lambda: scrape_if(
        bot, lambda s: total(s, "spacetraders_manufacturing_cycles_total")), timeout=300)
    assert total(samples, "spacetraders_manufacturing_cycles_total") >= 1
    assert total(samples, "spacetraders_good_credits_total", direction="spent") > 0


def test_analyze_demand_while_running(bot: Bot) -> None:
    done = bot.cli("analyze", "demand", "--top", "3")

    assert done.returncode == 0, done.stderr
    out = done.stdout
    system = bot.daemon_info()["system"]
    assert f"High-Demand Manufacturables in {system}" in out
    assert "ranking: default_ranking; top 3" in out
    ranked = table_rows(out, "#")
    assert 1 <= len(ranked) <= 3 and [row[0] for row in ranked] == [str(n) for n in range(1, len(ranked) + 1)], out
    for _, good, market, price, depth, inputs in ranked:
        assert re.fullmatch(r"[A-Z_]+", good) and market.startswith("X1-") and re.fullmatch(r"[\d,]+", price), out
        assert re.fullmatch(r"\d+ levels?", depth) and re.fullmatch(r"[A-Z_, ]+|-", inputs), out
    assert re.search(r"Left Out \(\d+ imported goods\)", out), out


def test_sigkill_mid_cycle_then_a_new_start_recovers(bot: Bot) -> None:
    def mid_cycle() -> list[tuple] | None:
        return bot.query("SELECT ship, operation_id FROM ship_assignment WHERE operation_id LIKE 'mfg-%'") or None

    held = wait_for("a worker mid-cycle", mid_cycle, timeout=300, every=0.5)
    daemon = bot.daemon_info()
    os.kill(daemon["pid"], signal.SIGKILL)
    wait_for("the daemon to die", lambda: not is_alive(daemon["pid"]), timeout=10, every=0.1)
    assert bot.status()["state"] == "CRASHED"

    done = bot.cli("manufacturing", "start")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Using the embedded game server on" in done.stdout
    log = bot.paths.log_file().read_text()
    assert f"recovery: run {daemon['run_id']} (pid {daemon['pid']}) ended without shutting down; marked CRASHED" \
        in log
    old_run = daemon["run_id"]
    assert bot.query(f"SELECT state FROM coordinator_run WHERE run_id = '{old_run}'") == [("CRASHED",)]
    assert bot.query(f"SELECT ship FROM ship_assignment WHERE holder = '{old_run}'") == []
    for ship, operation in held:
        # Released by the recovery (reconciled with the game first), or by its worker before the restart ended it.
        assert f"recovery: released {ship} (held by {operation})" in log or \
            bot.query(f"SELECT ship FROM ship_assignment WHERE operation_id = '{operation}'") == []
    new = bot.daemon_info()
    assert new["pid"] != daemon["pid"] and new["run_id"] != old_run
    assert_no_duplicate_ledger_rows(bot)


def assert_no_duplicate_ledger_rows(bot: Bot) -> None:
    rows = bot.query("SELECT ship, occurred_at, category, type, good, units, amount, COUNT(*) FROM ledger_transaction "
                     "GROUP BY ship, occurred_at, category, type, good, units, amount HAVING COUNT(*) > 1")
    assert rows == []
    assert bot.query("SELECT COUNT(*) FROM ledger_transaction")[0][0] > 0


def test_stop_ends_every_process_and_releases_every_ship(bot: Bot) -> None:
    records = {name: DetachedProcess(bot.paths, name).read_record() for name in ("daemon", "server")}
    assert all(records.values())

    done = bot.cli("manufacturing", "stop")

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Stopped the manufacturing daemon of {bot.player} (pid {records['daemon'].pid}) gracefully" in done.stdout
    assert f"Stopped the embedded game server (pid {records['server'].pid})" in done.stdout
    for record in records.values():
        assert not is_alive(record.pid) and group_members(record.pgid) == []
    assert bot.query("SELECT ship FROM ship_assignment") == []
    runs = bot.query("SELECT run_id, state FROM coordinator_run ORDER BY started_at")
    assert runs[-1][1] == "STOPPED" and all(state in ("STOPPED", "CRASHED") for _, state in runs)
    assert_no_duplicate_ledger_rows(bot)
    assert bot.status()["state"] == "STOPPED"


def test_stop_when_nothing_runs(bot: Bot) -> None:
    line = one_error_line(bot.cli("manufacturing", "stop"), 3)

    assert f"the manufacturing daemon of {bot.player} is not running" in line


def test_a_start_that_fails_stops_the_server_it_started(bot: Bot) -> None:
    done = bot.cli("manufacturing", "start", "--system", "X1-NOPE")

    line = one_error_line(done, 65)
    assert "unknown system X1-NOPE" in line
    assert "Embedded game server up on" in done.stdout
    server = DetachedProcess(bot.paths, "server")
    assert server.read_record() is None  # stopped and forgotten
    assert DetachedProcess(bot.paths).read_record() is None  # no daemon was started


def test_start_with_the_server_unreachable(bot: Bot) -> None:
    url = f"http://127.0.0.1:{find_free_port()}/v2"
    env = {**bot.env, "ST_API_BASE_URL": url, "ST_API_TOKEN": "not-a-token", "ST_API_MAX_ATTEMPTS": "1"}

    line = one_error_line(bot.cli("manufacturing", "start", env=env), 69)

    assert f"cannot reach the game server at {url}" in line
