"""ProcessWorkerPool with real spawned processes (and InlineWorkerPool on the same contract).

Every wait below is bounded by a deadline and only waits for results to arrive; no assertion is on time.
"""
from __future__ import annotations

import os
import pickle
import time

import pytest

from adapters.workers.inline_pool import InlineWorkerPool
from adapters.workers.outcomes import EventCancelToken, PoolClosed
from adapters.workers.process_pool import ProcessWorkerPool
from application.worker_jobs import WorkerJob
from domain.symbols import ShipSymbol
from tests.fake_coordination import (
    make_opportunity, pid_runner, profitable_runner, raising_runner, stubborn_runner, suicidal_runner,
    waiting_runner,
)

SYSTEM = "X1-TEST"


def job(number: int, good: str = "ELECTRONICS", bid: int = 3000) -> WorkerJob:
    return WorkerJob(operation_id=f"op-{number}", ship=ShipSymbol(f"AGENT-{number}"),
                     opportunity=make_opportunity(good, f"{SYSTEM}-M{number}", bid), run_id="run-1")


def collect(pool, count: int, deadline: float = 60.0):
    """Results until `count` have arrived (or the deadline passed)."""
    results = []
    end = time.monotonic() + deadline
    while len(results) < count and time.monotonic() < end:
        results += pool.completed()
        if len(results) < count:
            time.sleep(0.05)
    return results


def wait_running(pool: ProcessWorkerPool, count: int, deadline: float = 60.0) -> None:
    end = time.monotonic() + deadline
    while sum(1 for pid in pool.pids().values() if pid) < count and time.monotonic() < end:
        time.sleep(0.02)


@pytest.fixture
def pools():
    made = []

    def make(runner, max_workers=2, kind="process"):
        pool = (ProcessWorkerPool if kind == "process" else InlineWorkerPool)(runner, max_workers)
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.cancel_all()
        pool.close(5)


def test_a_job_crosses_into_a_process_intact():
    original = job(1)
    assert pickle.loads(pickle.dumps(original)) == original


def test_results_come_back_from_other_processes(pools):
    pool = pools(pid_runner, max_workers=2)
    for number in (1, 2, 3):
        pool.submit(job(number))
    assert pool.active() == 3
    results = collect(pool, 3)
    assert sorted(r.operation_id for r in results) == ["op-1", "op-2", "op-3"]
    assert all(r.success for r in results)
    assert os.getpid() not in {r.quantity_sold for r in results}  # pid_runner reports its pid there
    assert pool.active() == 0


def test_profit_fields_survive_the_trip(pools):
    pool = pools(profitable_runner, max_workers=1)
    pool.submit(job(1, bid=2000))
    (result,) = collect(pool, 1)
    assert (result.revenue, result.cost, result.profit, result.outcome) == (20_000, 10_000, 10_000, "completed")


def test_no_more_processes_than_max_workers(pools):
    pool = pools(waiting_runner, max_workers=2)
    for number in (1, 2, 3):
        pool.submit(job(number))
    assert len(pool.pids()) == 2
    pool.cancel_all()
    results = collect(pool, 3)
    assert sorted(r.outcome for r in results) == ["cancelled"] * 3


def test_cancel_reaches_running_workers(pools):
    pool = pools(waiting_runner, max_workers=2)
    pool.submit(job(1))
    wait_running(pool, 1)
    pool.cancel_all()
    (result,) = collect(pool, 1)
    assert result.cancelled and result.error is None


def test_a_killed_child_gives_a_failed_result_not_a_hang(pools):
    pool = pools(suicidal_runner, max_workers=1)
    pool.submit(job(1))
    (result,) = collect(pool, 1)
    assert result.outcome == "failed"
    assert "died" in result.error and "-9" in result.error
    assert result.ship == "AGENT-1" and result.operation_id == "op-1"


def test_a_runner_that_raises_gives_a_failed_result(pools):
    pool = pools(raising_runner, max_workers=1)
    pool.submit(job(1))
    (result,) = collect(pool, 1)
    assert result.outcome == "failed" and result.error == "RuntimeError: no route to X1-TEST-M1"


def test_close_terminates_stragglers_and_refuses_new_jobs(pools):
    pool = pools(stubborn_runner, max_workers=1)
    pool.submit(job(1))
    pool.submit(job(2))  # waits for a slot, never starts
    wait_running(pool, 1)
    pool.cancel_all()
    pool.close(timeout=0.5)
    results = {r.operation_id: r for r in pool.completed()}
    assert results["op-1"].outcome == "failed" and "terminated" in results["op-1"].error
    assert not results["op-1"].may_still_run  # the process is gone: its ship may go back to the pool
    assert results["op-2"].outcome == "cancelled"
    assert pool.pids() == {}
    with pytest.raises(PoolClosed):
        pool.submit(job(3))


@pytest.mark.parametrize("runner, outcome", [(profitable_runner, "completed"), (raising_runner, "failed")])
def test_the_inline_pool_keeps_the_same_contract(pools, runner, outcome):
    pool = pools(runner, max_workers=1, kind="inline")
    pool.submit(job(1))
    pool.submit(job(2))
    results = collect(pool, 2)
    assert [r.outcome for r in results] == [outcome, outcome]


def test_the_inline_pool_cancels_and_gives_up_on_stragglers(pools):
    pool = pools(waiting_runner, max_workers=1, kind="inline")
    pool.submit(job(1))
    pool.submit(job(2))
    pool.cancel_all()
    results = {r.operation_id: r for r in collect(pool, 2)}
    assert results["op-1"].cancelled and results["op-2"].cancelled
    stuck = pools(stubborn_runner, max_workers=1, kind="inline")
    stuck.submit(job(3))
    stuck.close(timeout=0.1)
    (result,) = stuck.completed()
    assert result.outcome == "failed" and "abandoned" in result.error
    assert result.may_still_run  # a thread cannot be stopped: its ship must stay held


def test_the_pool_reports_every_worker_process_that_ended():
    ended: list[int] = []
    pool = ProcessWorkerPool(pid_runner, 2, on_exit=ended.append)
    try:
        for number in (1, 2):
            pool.submit(job(number))
        results = collect(pool, 2)
    finally:
        pool.close(5)
    assert sorted(ended) == sorted(result.quantity_sold for result in results)  # the pids the jobs ran in

    died: list[int] = []
    pool = ProcessWorkerPool(suicidal_runner, 1, on_exit=died.append)
    try:
        pool.submit(job(3))
        (result,) = collect(pool, 1)
    finally:
        pool.close(5)
    assert result.outcome == "failed" and len(died) == 1


def test_the_cancel_token_reads_the_event():
    import threading

    event = threading.Event()
    token = EventCancelToken(event)
    assert not token.cancelled()
    event.set()
    assert token.cancelled()


def test_worker_processes_start_clean_never_forked():
    """A forked worker would inherit the coordinator's open database and HTTP connections; spawn inherits none."""
    import multiprocessing

    with pytest.raises(ValueError, match="start clean"):
        ProcessWorkerPool(pid_runner, 1, context=multiprocessing.get_context("fork"))
    pool = ProcessWorkerPool(pid_runner, 1)
    try:
        assert pool._ctx.get_start_method() == "spawn"
    finally:
        pool.close(timeout=5)
