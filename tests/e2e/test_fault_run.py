"""The bot on a misbehaving game server: no credit goes unaccounted, no ship stays held.

The server (a real process, real rate limit, high speed) refuses 10% of requests with a fake 429, answers 5% with a
500/502/503, cuts 5% of connections, and on 10% of purchases, sales, navigations and refuels APPLIES the change and
then loses the answer. The bot must retry what can be retried, find out whether a lost trade happened instead of
doubling it, and carry on. The run is stopped after a while or once a manufacturing run has sold its goods; then
the ledger's net over the run must equal the change of the agent's credits, to the credit (no row lost, none
doubled), and no ship may be left assigned.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from adapters.game_server.http_server_process import GameServerProcess
from tests.e2e.bot_run import BotRun

pytestmark = pytest.mark.e2e

SPEED = 120.0
LIMIT = 150.0
DRAIN = 45.0
FAULTS = ("--fault-429", "0.10", "--fault-5xx", "0.05", "--fault-drop", "0.05", "--fault-after-apply", "0.10",
          "--fault-seed", "9")


def test_under_injected_faults_the_run_completes_with_every_credit_in_the_ledger(tmp_path: Path):
    with GameServerProcess(data_dir=tmp_path / "server", seed=1, speed=SPEED, rate_limit="on",
                           extra_args=FAULTS) as server:
        bot = BotRun.start(server.base_url, tmp_path / "bot", symbol="FAULTY", speed=SPEED,
                           env={"ST_ARBITRAGE_ENABLED": "false"})  # manufacturing alone
        coordinator = bot.coordinator

        def sold_something() -> bool:
            return any(r.outcome == "completed" and r.quantity_sold > 0 for r in coordinator.results)

        record = bot.run(sold_something, limit=LIMIT, drain=DRAIN)

    # The faults were there: the server's fake 429s reached the bot (and paused it), and it kept going.
    assert record.rate_limited > 0
    assert record.results, "no manufacturing run was started"
    trades = [row for row in record.ledger_rows if row.operation_id and row.operation_id.startswith("mfg-")]
    assert trades, "the workers never traded"
    # No row lost, none doubled: the ledger's net is the change of the agent's credits, to the credit.
    assert record.ledger_net == record.credit_change
    assert record.assigned == ()
