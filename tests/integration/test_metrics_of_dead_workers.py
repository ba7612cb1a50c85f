"""Metrics of dead worker processes are removed: a scrape of the metrics endpoint in multiprocess mode counts the
live gauges of running worker processes only, whether a worker ended by itself or was killed.

The pool is built as the daemon builds it (ProcessWorkerPool with on_exit=mark_process_dead, spawned worker
processes that inherit PROMETHEUS_MULTIPROC_DIR); each worker records its rate-limiter figures and the workers
gauge through the bot's PrometheusMetrics, then waits to be stopped.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

# Imported before the multiprocess directory is set, so this (pytest's) process keeps its own metrics in memory;
# only the spawned workers write to the directory the endpoint reads.
from prometheus_client.parser import text_string_to_metric_families

from adapters.metrics.exporter import (
    ENV,
    MetricsEndpoint,
    enable_multiprocess,
    mark_process_dead,
)
from adapters.workers.outcomes import cancelled_result, utc_now
from adapters.workers.process_pool import ProcessWorkerPool
from application.worker_jobs import WorkerJob, WorkerResult
from domain.symbols import ShipSymbol
from tests.fake_coordination import make_opportunity
from tests.polling import wait_until

WAIT = "spacetraders_rate_limit_wait_seconds_per_minute"  # liveall: one series per live process
WORKERS = "spacetraders_workers_active"  # livesum
WAITED = {"op-ends": 7.0, "op-killed": 11.0}


def gauge_runner(job: WorkerJob, cancel_event) -> WorkerResult:
    """A worker that reports its rate-limiter wait and itself as an active worker, then waits to be stopped."""
    from adapters.metrics.metrics import PrometheusMetrics

    metrics = PrometheusMetrics()
    metrics.rate_budget(0.25, WAITED[job.operation_id])
    metrics.workers(active=1, maximum=2)
    cancel_event.wait(120)
    return cancelled_result(job, utc_now())


def job(operation_id: str, number: int) -> WorkerJob:
    return WorkerJob(operation_id=operation_id, ship=ShipSymbol(f"AGENT-{number}"),
                     opportunity=make_opportunity("ELECTRONICS", f"X1-TEST-M{number}", 3000), run_id="run-1")


def scrape(url: str) -> dict[str, dict[tuple, float]]:
    """Metric name -> {labels: value} of one scrape."""
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(httpx.get(url, timeout=10).text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def waits_by_pid(metrics: dict[str, dict[tuple, float]]) -> dict[int, float]:
    return {int(dict(labels)["pid"]): value for labels, value in metrics.get(WAIT, {}).items()}


def active(metrics: dict[str, dict[tuple, float]]) -> float:
    return sum(metrics.get(WORKERS, {}).values())


def until(what: str, condition, timeout: float = 60.0):
    return wait_until(what, condition, timeout)


def test_a_scrape_no_longer_counts_worker_processes_that_ended(tmp_path: Path, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path / "prom"))  # restored after the test
    enable_multiprocess(tmp_path / "prom")
    endpoint = MetricsEndpoint("127.0.0.1", 0)
    pool = ProcessWorkerPool(gauge_runner, 2, on_exit=mark_process_dead)
    try:
        pool.submit(job("op-ends", 1))
        pool.submit(job("op-killed", 2))
        pids = pool.pids()
        until("both workers' gauges", lambda: len(waits_by_pid(scrape(endpoint.url))) == 2)
        live = scrape(endpoint.url)
        assert waits_by_pid(live) == {pids["op-ends"]: 7.0, pids["op-killed"]: 11.0}
        assert active(live) == 2.0

        # One worker is killed (the OS, or the pool giving up on it): no result of its own, its files stay behind.
        os.kill(pids["op-killed"], signal.SIGKILL)
        [killed] = until("the killed worker's result", pool.completed)
        assert killed.operation_id == "op-killed" and killed.outcome == "failed", killed
        after_kill = scrape(endpoint.url)
        assert waits_by_pid(after_kill) == {pids["op-ends"]: 7.0}
        assert active(after_kill) == 1.0

        # The other ends by itself.
        pool.cancel_all()
        [ended] = until("the other worker's result", pool.completed)
        assert ended.operation_id == "op-ends"
        after_all = scrape(endpoint.url)
        assert waits_by_pid(after_all) == {}
        assert active(after_all) == 0.0
    finally:
        pool.close(5)
        endpoint.stop()
