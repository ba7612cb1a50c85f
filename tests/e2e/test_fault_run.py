"""The bot on a misbehaving game server: no credit goes unaccounted, no ship stays held, no request is refused.

The server (a real process at high speed, with the real rate limit scaled by the speed, so the bot has the real
game's requests per game hour) answers 5% of requests with a 500/502/503, cuts 5%
of connections, and on 20% of purchases, sales, navigations and refuels APPLIES the change and then loses the
answer. The bot must retry what can be retried, find out whether a lost trade happened instead of doubling it
(or settle it from the agent's credits), and carry on, for at least 30 game minutes and until a manufacturing
run has sold its goods. Then the ledger's net over the run must equal the change of the agent's credits, to the
credit (no row lost, none doubled), no intent may be left open, no ship may be left assigned, and the server
must never have refused a request for the rate limit (no fake 429s are injected here: every 429 is real).
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from adapters.game_server.http_server_process import GameServerProcess
from tests.e2e.bot_run import BotRun, RunRecord

pytestmark = pytest.mark.e2e

SPEED = 120.0
GAME_MINUTES = 30.0
LIMIT = 150.0
DRAIN = 45.0
FAULTS = ("--fault-5xx", "0.05", "--fault-drop", "0.05", "--fault-after-apply", "0.20", "--fault-seed", "9")


def _run(root: Path) -> RunRecord:
    with GameServerProcess(data_dir=root / "server", seed=1, speed=SPEED, rate_limit="scaled",
                           extra_args=FAULTS) as server:
        bot = BotRun.start(server.base_url, root / "bot", symbol="FAULTY", speed=SPEED,
                           env={"ST_ARBITRAGE_ENABLED": "false"})  # manufacturing alone
        coordinator = bot.coordinator
        long_enough = time.monotonic() + GAME_MINUTES * 60 / SPEED

        def sold_something() -> bool:
            return time.monotonic() >= long_enough and any(
                r.outcome == "completed" and r.quantity_sold > 0 for r in coordinator.results)

        return bot.run(sold_something, limit=LIMIT, drain=DRAIN)


@pytest.mark.runs_ahead(run=_run, seconds=25)
def test_under_injected_faults_the_run_completes_with_every_credit_in_the_ledger(ran_ahead):
    record = ran_ahead()
    assert record.wall_seconds * SPEED >= GAME_MINUTES * 60
    assert record.results, "no manufacturing run was started"
    trades = [row for row in record.ledger_rows if row.operation_id and row.operation_id.startswith("mfg-")]
    assert trades, "the workers never traded"
    # No row lost, none doubled: the ledger's net is the change of the agent's credits, to the credit.
    assert record.ledger_net == record.credit_change
    assert record.open_intents == ()
    assert record.assigned == ()
    assert record.rate_limited == 0
