"""The bot's Prometheus metrics: the names the Grafana dashboard (config/grafana/) is built on.

Works in one process and in prometheus_client's multiprocess mode (coordinator + worker processes): for that,
PROMETHEUS_MULTIPROC_DIR must be set before prometheus_client is first imported, which the daemon does
(see adapters/metrics/exporter.py). Gauges say how their per-process values combine.
"""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PREFIX = "spacetraders_"

OPPORTUNITIES = Gauge(
    PREFIX + "opportunities", "Manufacturing opportunities found by the last discovery cycle",
    multiprocess_mode="livemax")
WORKERS_ACTIVE = Gauge(
    PREFIX + "workers_active", "Manufacturing workers running now", multiprocess_mode="livesum")
WORKERS_MAX = Gauge(
    PREFIX + "workers_max", "Configured maximum of parallel manufacturing workers", multiprocess_mode="livemax")
CYCLES = Counter(
    PREFIX + "manufacturing_cycles", "Manufacturing runs finished, by good and outcome", ["good", "outcome"])
CREDITS = Counter(
    PREFIX + "credits", "Credits moved, by ledger category and direction (earned or spent)",
    ["category", "direction"])
GOOD_CREDITS = Counter(
    PREFIX + "good_credits", "Credits earned or spent by manufacturing runs of each good (profit = earned - spent)",
    ["good", "direction"])
AGENT_CREDITS = Gauge(
    PREFIX + "agent_credits", "The agent's credits as last seen on the server", multiprocess_mode="mostrecent")
API_REQUESTS = Counter(
    PREFIX + "api_requests", "Game API requests, by endpoint and HTTP status", ["endpoint", "status"])
API_RATE_LIMITED = Counter(
    PREFIX + "api_rate_limited", "Game API answers that were 429 (rate limited)")
API_LATENCY = Histogram(
    PREFIX + "api_request_duration_seconds", "Game API request latency", ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
RATE_BUDGET_USED = Gauge(
    PREFIX + "rate_budget_used_ratio", "Share of the account's request budget used over the last minute",
    multiprocess_mode="livesum")  # each process reports its own share
RATE_WAIT = Gauge(
    PREFIX + "rate_limit_wait_seconds_per_minute",
    "Seconds this process waited for the rate limiter over the last minute (one series per process)",
    multiprocess_mode="liveall")
SHIPS = Gauge(
    PREFIX + "ships", "Ships by what they are doing", ["state"], multiprocess_mode="livesum")


class PrometheusMetrics:
    """Implements the application's Metrics port on the metrics above."""

    def opportunities_found(self, count: int) -> None:
        OPPORTUNITIES.set(count)

    def workers(self, active: int, maximum: int) -> None:
        WORKERS_ACTIVE.set(active)
        WORKERS_MAX.set(maximum)

    def cycle_finished(self, good: str, outcome: str, revenue: int, cost: int) -> None:
        CYCLES.labels(good=good, outcome=outcome).inc()
        GOOD_CREDITS.labels(good=good, direction="earned").inc(max(revenue, 0))
        GOOD_CREDITS.labels(good=good, direction="spent").inc(max(cost, 0))

    def credits_moved(self, category: str, amount: int) -> None:
        """`amount` > 0 earned, < 0 spent."""
        direction = "earned" if amount >= 0 else "spent"
        CREDITS.labels(category=category, direction=direction).inc(abs(amount))

    def agent_credits(self, credits: int) -> None:
        AGENT_CREDITS.set(credits)

    def api_request(self, endpoint: str, status: int, seconds: float) -> None:
        API_REQUESTS.labels(endpoint=endpoint, status=str(status)).inc()
        API_LATENCY.labels(endpoint=endpoint).observe(seconds)
        if status == 429:
            API_RATE_LIMITED.inc()

    def rate_budget(self, used_ratio: float, waited_seconds: float = 0.0) -> None:
        """`waited_seconds`: this process's wait over the last minute."""
        RATE_BUDGET_USED.set(used_ratio)
        RATE_WAIT.set(waited_seconds)

    def ships(self, counts: dict[str, int]) -> None:
        for state, count in counts.items():
            SHIPS.labels(state=state).set(count)
