"""The Metrics port: what the application reports for dashboards, in its own words.

adapters/metrics/metrics.py PrometheusMetrics implements it; NullMetrics stands in when metrics are off
and in tests that do not look at them.
"""
from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
    """Figures the coordinator, workers and API client report (names follow the Grafana dashboard)."""

    def opportunities_found(self, count: int) -> None:
        """How many opportunities the last discovery cycle kept."""
        ...

    def workers(self, active: int, maximum: int) -> None:
        """Workers running now, and the configured maximum."""
        ...

    def cycle_finished(self, good: str, outcome: str, revenue: int, cost: int) -> None:
        """A manufacturing run ended (`outcome`: completed, cancelled or failed)."""
        ...

    def credits_moved(self, category: str, amount: int) -> None:
        """Credits earned (`amount` > 0) or spent (< 0) under a ledger category."""
        ...

    def agent_credits(self, credits: int) -> None:
        """The agent's balance as last seen on the server."""
        ...

    def api_request(self, endpoint: str, status: int, seconds: float) -> None:
        ...

    def rate_budget(self, used_ratio: float, waited_seconds: float = 0.0) -> None:
        """This process's share of the account's request budget and its seconds waited for the rate limiter,
        both over the last minute."""
        ...

    def ships(self, counts: dict[str, int]) -> None:
        """Ships by what they are doing (working, idle, scouting...)."""
        ...


class NullMetrics:
    """Metrics that go nowhere."""

    def opportunities_found(self, count: int) -> None:
        pass

    def workers(self, active: int, maximum: int) -> None:
        pass

    def cycle_finished(self, good: str, outcome: str, revenue: int, cost: int) -> None:
        pass

    def credits_moved(self, category: str, amount: int) -> None:
        pass

    def agent_credits(self, credits: int) -> None:
        pass

    def api_request(self, endpoint: str, status: int, seconds: float) -> None:
        pass

    def rate_budget(self, used_ratio: float, waited_seconds: float = 0.0) -> None:
        pass

    def ships(self, counts: dict[str, int]) -> None:
        pass
