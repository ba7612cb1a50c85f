"""A fresh agent on the embedded game server makes money on its own, and the ledger accounts for every credit.

The real server runs in its own process on a loopback port, at high speed and with the REAL rate limit; the bot
is the daemon's own composition (bootstrap), the real coordinator with its worker processes. The agent starts with
nothing known: the coordinator scouts the system with its probe, finds demand, sets its ships to work (and buys
ships when that pays). The run stops once a manufacturing run has sold its goods; the workers still running are
given time to finish. No assertion is on time: the limits below only bound how long the test may take.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from adapters.game_server.http_server_process import GameServerProcess
from tests.e2e.bot_run import BotRun, RunRecord

pytestmark = pytest.mark.e2e

SPEED = 120.0  # game seconds per wall second
LIMIT = 150.0  # wall seconds of running at most
DRAIN = 45.0  # wall seconds the running workers get to finish


def _run(root: Path) -> RunRecord:
    with GameServerProcess(data_dir=root / "server", seed=1, speed=SPEED, rate_limit="on") as server:
        bot = BotRun.start(server.base_url, root / "bot", speed=SPEED,
                           env={"ST_ARBITRAGE_ENABLED": "false"})  # manufacturing alone
        coordinator = bot.coordinator

        def sold_something() -> bool:
            return any(r.outcome == "completed" and r.quantity_sold > 0 for r in coordinator.results)

        return bot.run(sold_something, limit=LIMIT, drain=DRAIN)


@pytest.mark.runs_ahead(run=_run, seconds=45)
def test_a_fresh_agent_scouts_manufactures_and_sells_and_the_ledger_matches_its_credits(ran_ahead):
    record = ran_ahead()

    # It scouted: the probe's tour and the ships' stops recorded most markets of the system with prices.
    assert sum(1 for market in record.markets if market.trade_goods) >= 10
    # It manufactured and sold: a run completed, sold its goods, and earned more than it spent.
    completed = [r for r in record.results if r.outcome == "completed" and r.quantity_sold > 0]
    assert completed, [(r.good, r.outcome, r.error) for r in record.results]
    assert all(r.profit > 0 for r in completed), [(r.good, r.profit) for r in completed]
    # Every credit is in the ledger: its net over the run is the change of the agent's credits, to the credit.
    assert record.ledger_net == record.credit_change
    assert any(row.operation_id and row.operation_id.startswith("mfg-") for row in record.ledger_rows)
    # Stopping released every ship.
    assert record.assigned == ()
