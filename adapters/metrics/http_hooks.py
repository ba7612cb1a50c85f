"""httpx event hooks that report every game API request to the Metrics port (endpoint, status, latency)."""
from __future__ import annotations

import re
import time
from typing import Any

import httpx

# /my/ships/X-1/purchase -> ships.purchase ; /systems/S/waypoints/W/market -> waypoints.market
_SYMBOLISH = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")


def endpoint_of(path: str) -> str:
    """A low-cardinality label for a request path: symbols dropped, the rest joined by dots."""
    parts = [p for p in path.split("/") if p and p not in ("v2", "my") and not _SYMBOLISH.match(p)]
    return ".".join(parts[-2:]) if parts else "status"


def event_hooks(metrics: Any) -> dict[str, list]:
    """Hooks for `httpx.Client(event_hooks=...)`."""

    def on_request(request: httpx.Request) -> None:
        request.extensions["spacetraders_started"] = time.perf_counter()

    def on_response(response: httpx.Response) -> None:
        started = response.request.extensions.get("spacetraders_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        metrics.api_request(endpoint_of(response.request.url.path), response.status_code, seconds)

    return {"request": [on_request], "response": [on_response]}
