"""httpx event hooks that report every game API request to the Metrics port (endpoint, status, latency), and, over
the last minute, this process's share of the account's request budget (the gauge sums the live processes' shares)
and the seconds this process waited for the rate limiter (one series per process: waits of processes that wait
side by side are not added up)."""
from __future__ import annotations

import re
import threading
import time
from collections import deque
from typing import Any

import httpx

# /my/ships/X-1/purchase -> ships.purchase ; /systems/S/waypoints/W/market -> waypoints.market
_SYMBOLISH = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
# The real policy per account: 2 requests a second plus a burst of 30 per minute. The limiter learns the policy the
# server announces (a scaled one on a compressed embedded server); the hooks read it every _POLICY_EVERY seconds.
BUDGET_PER_MINUTE = 2 * 60 + 30
_POLICY_EVERY = 10.0


def endpoint_of(path: str) -> str:
    """A low-cardinality label for a request path: symbols dropped, the rest joined by dots."""
    parts = [p for p in path.split("/") if p and p not in ("v2", "my") and not _SYMBOLISH.match(p)]
    return ".".join(parts[-2:]) if parts else "status"


def event_hooks(metrics: Any, limiter: Any = None) -> dict[str, list]:
    """Hooks for `httpx.Client(event_hooks=...)`; `limiter` (its `seconds_waited`) adds the time spent waiting."""
    sent: deque[float] = deque()
    waits: deque[tuple[float, float]] = deque()
    lock = threading.Lock()
    waited_seen = [0.0]
    budget = [float(BUDGET_PER_MINUTE), -_POLICY_EVERY]  # per minute, and when it was read

    def budget_per_minute(now: float) -> float:
        stats = getattr(limiter, "stats", None)
        if stats is not None and now - budget[1] >= _POLICY_EVERY:
            budget[0], budget[1] = stats().budget_per_second * 60.0, now
        return budget[0]

    def on_request(request: httpx.Request) -> None:
        request.extensions["spacetraders_started"] = time.perf_counter()

    def on_response(response: httpx.Response) -> None:
        now = time.perf_counter()
        started = response.request.extensions.get("spacetraders_started")
        metrics.api_request(endpoint_of(response.request.url.path), response.status_code,
                            now - started if started is not None else 0.0)
        with lock:
            sent.append(now)
            while sent[0] < now - 60.0:
                sent.popleft()
            used = len(sent) / budget_per_minute(now)
            waited_total = getattr(limiter, "seconds_waited", 0.0)
            waited, waited_seen[0] = waited_total - waited_seen[0], waited_total
            if waited > 0:
                waits.append((now, waited))
            while waits and waits[0][0] < now - 60.0:
                waits.popleft()
            waited_last_minute = sum(seconds for _, seconds in waits)
        metrics.rate_budget(used, waited_last_minute)

    return {"request": [on_request], "response": [on_response]}
