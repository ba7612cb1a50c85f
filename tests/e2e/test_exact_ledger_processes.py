"""The ledger stays exact through the faults of real processes: a worker SIGKILLed between a trade's answer and
its row (recovery settles it), and a ship purchase whose answer is lost while another worker process trades.

Each test runs a real game server process and worker-like processes (tests/e2e/money_calls.py) built by the
composition root, sharing the account's money gate file and an SQLite database.
"""
from __future__ import annotations

import logging
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import bootstrap
from adapters.daemon.recovery import recover
from adapters.game_api.settings import GameApiSettings
from adapters.game_server.http_server_process import GameServerProcess
from domain.ledger import TransactionCategory, TransactionType, net_credits
from tests.e2e.money_calls import container_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]


class Account:
    def __init__(self, server: GameServerProcess, root: Path, symbol: str) -> None:
        self.run_dir = root / "run"
        self.run_dir.mkdir(parents=True)
        with bootstrap.account_client(GameApiSettings(base_url=server.base_url), self.run_dir, symbol) as client:
            registered = client.register(symbol, "COSMIC")
        self.base_url = server.base_url
        self.token = registered.token
        self.player = symbol
        self.system = registered.agent.headquarters.rsplit("-", 1)[0]
        self.database_url = f"sqlite:///{root / 'bot.sqlite3'}"
        self.container = container_for(self.base_url, self.token, symbol, self.run_dir, self.database_url,
                                       self.system)

    def spawn(self, mode: str, count: int = 1) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.money_calls", mode, self.base_url, self.token, self.player,
             self.system, str(self.run_dir), self.database_url, str(count)], cwd=REPO,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def credits(self) -> int:
        return self.container.game().agent().credits

    def rows(self):
        return self.container.ledger().transactions_since(self.started)


def test_a_worker_killed_between_the_answer_and_its_row_is_settled_by_recovery(tmp_path: Path, caplog):
    with GameServerProcess(data_dir=tmp_path / "server", seed=1, speed=10.0, rate_limit="on") as server:
        account = Account(server, tmp_path / "bot", "KILLED")
        before = account.credits()
        account.started = account.container.clock().now()

        worker = account.spawn("killed")
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == -signal.SIGKILL, output

        ledger = account.container.ledger()
        assert account.rows() == []  # the money moved, the row was never written
        [intent] = ledger.open_intents("KILLED")
        assert (intent.category, intent.expected, intent.units) == (
            TransactionCategory.CARGO_TRADE, TransactionType.DEBIT, 1)
        spent = before - account.credits()
        assert spent > 0

        c = account.container
        with caplog.at_level(logging.WARNING):
            report = recover("KILLED", runs=c.runs(), assignments=c.assignments(), ledger=ledger, game=c.game(),
                             now=c.clock().now(), gate=c.money_gate(), log=logging.getLogger("test.recovery"))

        [row] = account.rows()
        assert (row.type, row.amount, row.units, row.operation_id) == (
            TransactionType.DEBIT, spent, 1, intent.operation_id)
        assert ledger.open_intents("KILLED") == []
        assert net_credits(account.rows()) == account.credits() - before
        assert len(report.settled) == 1 and f"credits {before} -> {before - spent}" in report.settled[0]
        assert "recovery: settled" in caplog.text
        c.shutdown_resources()


@dataclass(frozen=True)
class _Bought:
    ships_before: int
    ships_after: int
    rows: list  # the ledger rows since the processes started
    open_intents: list
    credit_change: int


def _lost_ship_purchase(root: Path) -> _Bought:
    # Half of the answers to purchases, sales and ship purchases are lost after the server applied them.
    faults = ("--fault-after-apply", "0.5", "--fault-seed", "3")
    with GameServerProcess(data_dir=root / "server", seed=1, speed=10.0, rate_limit="on",
                           extra_args=faults) as server:
        account = Account(server, root / "bot", "BUYER")
        before = account.credits()
        ships_before = len(account.container.game().ships())
        account.started = account.container.clock().now()

        traders = [account.spawn("trade", 6) for _ in range(2)]
        buyer = account.spawn("ship")
        for process in (buyer, *traders):
            output, _ = process.communicate(timeout=240)
            assert process.returncode == 0, output

        bought = _Bought(ships_before, len(account.container.game().ships()), account.rows(),
                         account.container.ledger().open_intents("BUYER"), account.credits() - before)
        account.container.shutdown_resources()
        return bought


@pytest.mark.runs_ahead(run=_lost_ship_purchase, seconds=40)
def test_a_lost_ship_purchase_is_exact_while_another_worker_trades(ran_ahead):
    bought = ran_ahead()
    rows = bought.rows

    assert bought.ships_after == bought.ships_before + 1  # one probe bought, never two
    [ship_row] = [row for row in rows if row.category is TransactionCategory.SHIP_PURCHASE]
    assert ship_row.amount > 0
    shown = "\n".join(f"{r.occurred_at.isoformat()} {r.type} {r.amount} {r.operation_id}" for r in rows)
    assert len([row for row in rows if row.category is TransactionCategory.CARGO_TRADE]) == 2 * 6 * 2, shown
    assert bought.open_intents == []
    assert net_credits(rows) == bought.credit_change
