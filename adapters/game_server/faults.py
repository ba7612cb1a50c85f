"""Fault injection for reliability tests: the game server misbehaves on purpose, at seeded random rates.

Kinds, each with its own rate (a probability per request, 0 = never):
- `rate_429`: a rate-limit refusal with the real 429 body and headers, although the pools were not empty;
- `rate_5xx`: a 500 (code 3000), 502 (the DDoS layer's HTML page) or 503 (maintenance) instead of the answer;
- `rate_drop`: the connection is cut before the answer is complete;
- `rate_slow`: the answer comes `slow_seconds` late;
- `rate_after_apply`: on a mutating call (purchase, sell, navigate, refuel, ...) the World APPLIES the change and
  then the answer is lost (a 5xx or a cut connection). This is what tempts clients into doubling their trades.
The first four are drawn before the call and exclude each other; the after-apply draw is separate. All off by
default. The generator is seeded so a failing run can be replayed.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from adapters.game_server import http_responses as responses
from adapters.game_server.http_responses import HttpResponse
from adapters.game_server.rate_limit import ACCOUNT, RateLimitDecision


class FaultKind(StrEnum):
    RATE_LIMIT = "429"
    SERVER_ERROR = "5xx"
    DROP = "drop"
    SLOW = "slow"


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """Rates per fault kind (probabilities in 0..1) and the seed of the draws; all zero = no faults."""
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_drop: float = 0.0
    rate_slow: float = 0.0
    rate_after_apply: float = 0.0
    slow_seconds: float = 2.0
    seed: int = 0

    def __post_init__(self) -> None:
        rates = (self.rate_429, self.rate_5xx, self.rate_drop, self.rate_slow, self.rate_after_apply)
        if any(not 0.0 <= rate <= 1.0 for rate in rates):
            raise ValueError("fault rates must be between 0 and 1")
        if self.rate_429 + self.rate_5xx + self.rate_drop + self.rate_slow > 1.0:
            raise ValueError("the 429, 5xx, drop and slow rates must add up to at most 1")
        if self.slow_seconds < 0:
            raise ValueError("slow_seconds must not be negative")

    @property
    def active(self) -> bool:
        return any((self.rate_429, self.rate_5xx, self.rate_drop, self.rate_slow, self.rate_after_apply))


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault; `status` is the HTTP status of a SERVER_ERROR."""
    kind: FaultKind
    status: int = 0
    after_apply: bool = False


_SERVER_ERROR_STATUSES = (500, 502, 503)

_BAD_GATEWAY_PAGE = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                     b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")

_MAINTENANCE = ("SpaceTraders is currently in maintenance mode and unavailable. This will hopefully only last a "
                "few minutes while we update or upgrade our servers.")


class FaultInjector:
    """Draws faults for requests; thread-safe; `sleep` is injectable so tests need not wait."""

    def __init__(self, settings: FaultSettings | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._settings = settings or FaultSettings()
        self._sleep = sleep
        self._random = random.Random(self._settings.seed)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        """How many faults of each kind were injected (`"after-apply <kind>"` for the after-apply ones)."""

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    @property
    def active(self) -> bool:
        return self._settings.active

    def before_call(self) -> Fault | None:
        """The fault to inject instead of (or, for SLOW, before) the call, if any."""
        s = self._settings
        with self._lock:
            draw = self._random.random()
            kind = None
            for rate, candidate in ((s.rate_429, FaultKind.RATE_LIMIT), (s.rate_5xx, FaultKind.SERVER_ERROR),
                                    (s.rate_drop, FaultKind.DROP), (s.rate_slow, FaultKind.SLOW)):
                if draw < rate:
                    kind = candidate
                    break
                draw -= rate
            if kind is None:
                return None
            status = self._random.choice(_SERVER_ERROR_STATUSES) if kind is FaultKind.SERVER_ERROR else 0
            self.injected[kind.value] += 1
        return Fault(kind, status)

    def after_apply(self) -> Fault | None:
        """After a mutating call succeeded: the fault that loses its answer, if any (a 5xx or a cut)."""
        with self._lock:
            if self._random.random() >= self._settings.rate_after_apply:
                return None
            if self._random.random() < 0.5:
                fault = Fault(FaultKind.DROP, after_apply=True)
            else:
                fault = Fault(FaultKind.SERVER_ERROR, self._random.choice(_SERVER_ERROR_STATUSES), after_apply=True)
            self.injected[f"after-apply {fault.kind.value}"] += 1
        return fault

    def delay(self) -> None:
        """Hold the answer back (the SLOW fault)."""
        self._sleep(self._settings.slow_seconds)

    def render(self, fault: Fault, now: datetime, answer: HttpResponse | None = None) -> HttpResponse:
        """The answer the client gets for `fault`; `answer` is the real one a DROP cuts short."""
        if fault.kind is FaultKind.RATE_LIMIT:
            refusal = _fake_refusal(now)
            answer_429 = rate_limited(refusal)
            answer_429.headers.extend(refusal.headers())
            return answer_429
        if fault.kind is FaultKind.DROP:
            cut = answer or HttpResponse(200, b'{"data":{}}')
            return HttpResponse(cut.status, cut.body, list(cut.headers), cut.content_type, drop=True)
        if fault.status == 502:
            return HttpResponse(502, _BAD_GATEWAY_PAGE, content_type="text/html")
        if fault.status == 503:
            # The real maintenance body has no requestId and no data.
            return HttpResponse(503, responses.encode({"error": {"message": _MAINTENANCE, "code": 503}}))
        return responses.internal_error()


def rate_limited(decision: RateLimitDecision) -> HttpResponse:
    """429 with the real body (game-api-facts §2.3); the caller adds the decision's headers."""
    return responses.error(429, 429, "You have reached your API limit.", decision.error_data())


def _fake_refusal(now: datetime) -> RateLimitDecision:
    reset = (now + timedelta(seconds=1)).timestamp()
    return RateLimitDecision(allowed=False, limit_type=ACCOUNT, limit_per_second=2, limit_burst=30, remaining=0,
                             reset=reset, retry_after=1.0)


def cut_short(body: bytes) -> Iterator[bytes]:
    """A streamed WSGI body that ends after half of `body` although its Content-Length promised all of it.

    The HTTP server cannot complete the answer and closes the connection (granian and waitress both do), so
    the client gets a transport error ("peer closed connection without sending complete message body") and no
    answer, without any exception in the app or traceback in the server's log.
    """
    yield body[: len(body) // 2]
