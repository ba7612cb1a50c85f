"""Every game API request reaches the metrics: endpoint label, status, latency and the budget share used."""
import httpx

from adapters.metrics.http_hooks import BUDGET_PER_MINUTE, endpoint_of, event_hooks
from tests.fake_coordination import RecordingMetrics


class Recording(RecordingMetrics):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, int]] = []
        self.budget: list[tuple[float, float]] = []

    def api_request(self, endpoint: str, status: int, seconds: float) -> None:
        self.requests.append((endpoint, status))

    def rate_budget(self, used_ratio: float, waited_seconds: float = 0.0) -> None:
        self.budget.append((used_ratio, waited_seconds))


class Limiter:
    seconds_waited = 0.0


def test_endpoint_labels_drop_symbols():
    assert endpoint_of("/v2/my/ships/AGENT-1/purchase") == "ships.purchase"
    assert endpoint_of("/v2/systems/X1-DF55/waypoints/X1-DF55-A1/market") == "waypoints.market"
    assert endpoint_of("/v2/my/agent") == "agent"
    assert endpoint_of("/v2/") == "status"


def test_requests_and_budget_are_reported():
    metrics, limiter = Recording(), Limiter()
    transport = httpx.MockTransport(lambda request: httpx.Response(201 if request.method == "POST" else 200))
    with httpx.Client(base_url="http://game/v2", transport=transport,
                      event_hooks=event_hooks(metrics, limiter)) as http:
        http.get("/my/agent")
        limiter.seconds_waited = 1.5
        http.post("/my/ships/AGENT-1/sell")
    assert metrics.requests == [("agent", 200), ("ships.sell", 201)]
    assert metrics.budget == [(1 / BUDGET_PER_MINUTE, 0.0), (2 / BUDGET_PER_MINUTE, 1.5)]


def test_the_wait_is_this_process_over_the_last_minute(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("adapters.metrics.http_hooks.time.perf_counter", lambda: clock[0])
    metrics, limiter = Recording(), Limiter()
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    with httpx.Client(base_url="http://game/v2", transport=transport,
                      event_hooks=event_hooks(metrics, limiter)) as http:
        limiter.seconds_waited = 2.0
        http.get("/my/agent")
        clock[0] += 30
        limiter.seconds_waited = 3.0
        http.get("/my/agent")
        clock[0] += 45  # the first wait is more than a minute old
        http.get("/my/agent")
    assert [waited for _, waited in metrics.budget] == [2.0, 3.0, 1.0]


def test_the_budget_share_follows_the_policy_the_limiter_learnt():
    # A compressed embedded server at speed 20 with `--rate-limit scaled`: 40 a second plus a burst of 600.
    from adapters.game_api.rate_limiter import LimiterStats

    class Learnt(Limiter):
        def stats(self) -> LimiterStats:
            return LimiterStats(requests=0, seconds_waited=0.0, pauses=0, per_second=40, burst=600)

    metrics = Recording()
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    with httpx.Client(base_url="http://game/v2", transport=transport,
                      event_hooks=event_hooks(metrics, Learnt())) as http:
        http.get("/my/agent")
    assert metrics.budget == [(1 / (40 * 60 + 600), 0.0)]
