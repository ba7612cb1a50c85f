"""A worker whose lease was taken stops before spending, through the real pieces: a real game server process, the
bot's composition root on an SQLite database, and the job run in a real worker process by the real
ProcessWorkerPool, built as the daemon builds it.

Deterministic: the test holds the account's money gate (the file lock every money-moving call of the account
takes), so the worker, once it shows it is buying, cannot spend; meanwhile its operation's lease runs out and
another operation takes the ship. When the gate is let go, the worker's first money-moving call must find that
it no longer holds the ship and stop there: no purchase, no ledger row, the credits unchanged, and the other
operation's hold on the ship untouched.
"""
from __future__ import annotations

import functools
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.daemon.worker_entry import run_logged_worker_job
from adapters.game_server.http_server_process import GameServerProcess
from adapters.workers.process_pool import ProcessWorkerPool
from application.worker_jobs import WorkerJob, WorkerResult
from domain.goods import TradeSymbol
from domain.symbols import WaypointSymbol
from domain.trade_route import TradeRoute
from tests.e2e.bot_run import BotRun
from tests.polling import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SPEED = 60.0
TAKEN = "arb-taken"
TAKER = "arb-taker"


def _wait(what: str, condition, timeout: float = 90.0):
    return wait_until(what, condition, timeout)


def test_a_worker_process_whose_lease_was_taken_stops_before_spending(tmp_path: Path):
    with GameServerProcess(data_dir=tmp_path / "server", seed=1, speed=SPEED, rate_limit="on") as server:
        bot = BotRun.start(server.base_url, tmp_path / "bot", symbol="LEASED", speed=SPEED)
        container = bot.container
        try:
            game, assignments, ledger, clock = (container.game(), container.assignments(), container.ledger(),
                                                container.clock())
            hq = WaypointSymbol(game.agent().headquarters)
            frigate = next(s for s in game.ships() if s.waypoint == hq and s.cargo_capacity > 0)
            assert sum(frigate.inventory.values()) == 0
            # A lane that starts where the frigate is: its first step is a purchase, with no flight before it.
            # (one the worker would buy: without the lease check it spends at once)
            here = game.market(hq)
            min_supply = container.arbitrage_worker().config.min_buy_supply
            good = next(g.symbol for g in sorted(here.trade_goods.values(), key=lambda g: g.symbol)
                        if g.symbol != TradeSymbol.FUEL and g.ask > 0 and g.trade_volume > 0
                        and g.supply >= min_supply)
            elsewhere = next(w.symbol for w in sorted(game.waypoints(hq.system), key=lambda w: w.symbol)
                             if w.symbol != hq)
            now = clock.now()
            lane = TradeRoute(good=good, buy_market=hq, sell_market=elsewhere, ask=10**6, bid=10**7,
                              trade_volume=here.trade_goods[good].trade_volume,
                              buy_supply=here.trade_goods[good].supply, observed_at=now, discovered_at=now)
            job = WorkerJob(operation_id=TAKEN, ship=frigate.symbol, opportunity=None, run_id="run-taken",
                            route=lane)
            assert assignments.try_assign(frigate.symbol, TAKEN, "coordinator-taken", now + timedelta(hours=1), now)
            credits_before = game.agent().credits

            pool = ProcessWorkerPool(functools.partial(run_logged_worker_job, container.runtime()), 1)
            try:
                with container.money_gate().hold():
                    pool.submit(job)
                    # The worker runs in its own process and is about to buy: it waits on the gate we hold.
                    _wait("the worker to start buying", lambda: any(
                        row.operation_id == TAKEN and row.activity.startswith("buying")
                        for row in assignments.assigned()))
                    assert TAKEN in pool.pids()
                    # Its lease runs out (its coordinator could not renew it) and another operation takes the ship.
                    now = clock.now()
                    assignments.renew_operations([TAKEN], now)
                    taker_until = now + timedelta(hours=2)
                    assert assignments.try_assign(frigate.symbol, TAKER, "coordinator-taker", taker_until, now)
                    assignments.set_activity(frigate.symbol, "taken over")
                    [held] = assignments.assigned()
                    assert (held.operation_id, held.holder) == (TAKER, "coordinator-taker")
                results: list[WorkerResult] = _wait("the worker's result", pool.completed)
            finally:
                pool.close(timeout=10.0)

            [result] = results
            assert result.operation_id == TAKEN and not result.success and not result.cancelled, result
            assert "LeaseLost" in result.error and "no longer holds" in result.error, result.error
            assert result.quantity_sold == 0 and (result.revenue, result.cost) == (0, 0)
            # Nothing was spent under the operation that lost the ship, nor at all.
            assert ledger.transactions_of_operation(TAKEN) == []
            assert ledger.open_intents("LEASED") == []
            assert game.agent().credits == credits_before
            assert sum(game.ship(frigate.symbol).inventory.values()) == 0
            # The taker's hold is intact: the stopped worker released only what was its own.
            [held] = assignments.assigned()
            assert (held.ship, held.operation_id, held.holder) == (frigate.symbol, TAKER, "coordinator-taker")
            assert held.lease_until == taker_until and held.activity == "taken over"
            assert assignments.holds(frigate.symbol, TAKER, clock.now())
        finally:
            container.shutdown_resources()
