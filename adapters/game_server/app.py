"""The game server's WSGI application: the SpaceTraders v2 HTTP API in front of a World.

One request goes: rate limit (per agent, or per client IP without a valid token) -> injected faults, if any ->
route -> auth -> query and body validation -> ONE World call -> envelope -> msgspec. Every answer carries the
rate-limit headers, `Access-Control-Allow-Origin: *`, `Date` and `X-Server-Time` (the server clock). Bad input
always gets the real error shape and a 4xx; an unexpected exception becomes 500 code 3000 and is logged, never a
traceback on the wire.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import msgspec

from adapters.game_server import http_responses as responses
from adapters.game_server.errors import GameError
from adapters.game_server.faults import FaultInjector, FaultKind, cut_short, rate_limited
from adapters.game_server.http_endpoints import ENDPOINTS, Auth, Call, Endpoint
from adapters.game_server.http_responses import HttpResponse
from adapters.game_server.http_routing import Router
from adapters.game_server.rate_limit import ACCOUNT, IP_ADDRESS, RateLimiter, RateLimitSettings

if TYPE_CHECKING:
    from adapters.game_server.world import World

log = logging.getLogger(__name__)

API_PREFIX = "/v2"
MAX_PAGE_LIMIT = 20
DEFAULT_PAGE_LIMIT = 10
MAX_BODY_BYTES = 64 * 1024
# The real server is JavaScript: integers beyond 2^31 are not a quantity any rule accepts; refusing them here
# keeps absurd numbers away from the World and its database.
MAX_QUANTITY = 2**31 - 1

_MISSING_TOKEN = ("Missing Bearer token in the request. Did you confirm sending the 'Bearer {token}' as the "
                  "authorization header?")
_INVALID_TOKEN = "Failed to parse token. Token is invalid or belongs to another server reset."
# A token of an earlier era: the real server's answer, word for word (game-api-facts §1, §8.5).
TOKEN_RESET_DATE_MISMATCH = 4113
_TOKEN_RESET = ("Failed to parse token. Token reset_date does not match the server. Server resets happen on a "
                "weekly to bi-weekly frequency during alpha. After a reset, you should re-register your agent. "
                "Expected: {expected}, Actual: {actual}")
_EMPTY_JSON_BODY = ("Invalid request body. The request has Content-Type application/json but no body. "
                    "Send an empty object (e.g. {}) instead.")
_MSGSPEC_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)

StartResponse = Callable[..., Any]


class GameApp:
    """WSGI callable serving the SpaceTraders v2 API (under `/v2`, and also without the prefix) from `world`."""

    def __init__(self, world: "World", *, rate_limiter: RateLimiter | None = None,
                 faults: FaultInjector | None = None, endpoints: Iterable[Endpoint] = ENDPOINTS) -> None:
        self._world = world
        self._limiter = rate_limiter if rate_limiter is not None else RateLimiter(RateLimitSettings())
        self._faults = faults if faults is not None else FaultInjector()
        self._router: Router[Endpoint] = Router((e.method, e.pattern, e) for e in endpoints)
        self._decoders = {e.body: msgspec.json.Decoder(e.body) for e in endpoints if e.body is not None}

    @property
    def world(self) -> "World":
        return self._world

    @property
    def faults(self) -> FaultInjector:
        return self._faults

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._limiter

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        extra_headers: list[tuple[str, str]] = []
        try:
            response = self._respond(environ, extra_headers)
            now = self._world.now()  # after the call: a slow answer reports the time it is sent
        except Exception:  # the last guard: a bug must not put a traceback on the wire
            log.exception("unexpected error serving %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            now = datetime.now().astimezone()
            response = responses.internal_error()
        return _send(response, extra_headers, now, start_response)

    # --- the pipeline ----------------------------------------------------------------------------------------

    def _respond(self, environ: dict[str, Any], extra_headers: list[tuple[str, str]]) -> HttpResponse:
        method = environ["REQUEST_METHOD"]
        full_path = environ.get("PATH_INFO") or "/"
        if method == "OPTIONS":
            return _preflight()
        path = _strip_prefix(full_path)
        token = _bearer(environ.get("HTTP_AUTHORIZATION"))
        agent = self._world.agent_for_token(token) if token else None

        rate_headers: list[tuple[str, str]] = []
        if self._limiter.enabled:
            if agent is not None:
                decision = self._limiter.hit("agent:" + agent, ACCOUNT)
            else:
                decision = self._limiter.hit("ip:" + str(environ.get("REMOTE_ADDR", "?")), IP_ADDRESS)
            rate_headers = decision.headers()
            if not decision.allowed:
                extra_headers.extend(rate_headers)
                return rate_limited(decision)

        faults = self._faults if self._faults.active else None
        if faults is not None:
            fault = faults.before_call()
            if fault is not None:
                if fault.kind is FaultKind.SLOW:
                    faults.delay()
                else:
                    if fault.kind is not FaultKind.RATE_LIMIT:  # an injected 429 carries its own headers
                        extra_headers.extend(rate_headers)
                    return faults.render(fault, self._world.now())
        extra_headers.extend(rate_headers)

        match = self._router.match(method, path)
        if match is None:
            return responses.route_not_found(method, full_path)
        endpoint, params = match

        if endpoint.auth is Auth.NONE:
            agent = None
        elif token is not None and agent is None:
            return self._refuse_token(token)
        elif endpoint.auth is Auth.REQUIRED and token is None:
            return responses.error(401, responses.MISSING_TOKEN, _MISSING_TOKEN)

        call = Call(agent, params)
        query_string = environ.get("QUERY_STRING")
        if query_string:
            call.query = parse_qs(query_string)
        if endpoint.paged:
            refusal = _read_paging(call)
            if refusal is not None:
                return refusal
        if method in ("POST", "PATCH", "PUT"):
            refusal = self._read_body(environ, endpoint, call)
            if refusal is not None:
                return refusal

        try:
            response = endpoint.handler(self._world, call)
        except GameError as exc:
            return responses.error(exc.status, exc.code, exc.message, exc.data)

        if faults is not None and endpoint.mutating and response.status < 300:
            lost = faults.after_apply()
            if lost is not None:
                log.info("fault injection: %s %s applied, answer lost (%s)", method, full_path, lost.kind.value)
                return faults.render(lost, self._world.now(), response)
        return response

    def _refuse_token(self, token: str) -> HttpResponse:
        """401 for a token no agent of this era holds: 4113 if an earlier era issued it, else 4104."""
        issued = self._world.retired_token_date(token)
        if issued is None:
            return responses.error(401, responses.INVALID_TOKEN, _INVALID_TOKEN)
        expected = self._world.reset_date
        return responses.error(401, TOKEN_RESET_DATE_MISMATCH, _TOKEN_RESET.format(expected=expected, actual=issued),
                               {"expected": expected, "actual": issued})

    def _read_body(self, environ: dict[str, Any], endpoint: Endpoint, call: Call) -> HttpResponse | None:
        """Decode the JSON body into the endpoint's request Struct; a refusal (422 3001) if it does not fit."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return responses.unprocessable("Invalid Content-Length header.")
        if length > MAX_BODY_BYTES:
            return responses.unprocessable(f"Request body too large (more than {MAX_BODY_BYTES} bytes).")
        stream = environ.get("wsgi.input")
        raw = stream.read(length) if (stream is not None and length > 0) else b""
        is_json = "json" in (environ.get("CONTENT_TYPE") or "").lower()
        if not raw.strip():
            if is_json:
                return responses.unprocessable(_EMPTY_JSON_BODY)
            if endpoint.body is not None and not endpoint.body_optional:
                return responses.unprocessable("Invalid request body. A JSON object is required.",
                                               {"body": ["Required"]})
            return None
        if endpoint.body is None:
            return None  # body-less actions ignore what is sent
        try:
            body = self._decoders[endpoint.body].decode(raw)
        except msgspec.ValidationError as exc:
            return responses.unprocessable("Invalid request body. " + str(exc), _issues(str(exc)))
        except msgspec.DecodeError as exc:
            return responses.unprocessable("Invalid request body. The body is not valid JSON.",
                                           {"body": [str(exc)]})
        units = getattr(body, "units", None)
        if isinstance(units, int) and units > MAX_QUANTITY:
            return responses.unprocessable("Invalid request body. Expected `int` <= "
                                           f"{MAX_QUANTITY} - at `$.units`", {"units": [f"Must be <= {MAX_QUANTITY}"]})
        call.body = body
        return None


# --- helpers -----------------------------------------------------------------------------------------------------

def _strip_prefix(path: str) -> str:
    if path.startswith(API_PREFIX) and (len(path) == len(API_PREFIX) or path[len(API_PREFIX)] == "/"):
        return path[len(API_PREFIX):] or "/"
    return path


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _read_paging(call: Call) -> HttpResponse | None:
    """page >= 1 and 1 <= limit <= 20 (spec Meta); the real server answers 422 to a limit of 40 (api-docs #113)."""
    query = call.query or {}
    try:
        page = int(query["page"][-1]) if "page" in query else 1
        limit = int(query["limit"][-1]) if "limit" in query else DEFAULT_PAGE_LIMIT
    except ValueError:
        return responses.unprocessable("Invalid query. page and limit must be integers.",
                                       {"page": ["Expected number"], "limit": ["Expected number"]})
    issues: dict[str, list[str]] = {}
    if page < 1:
        issues["page"] = ["Number must be greater than or equal to 1"]
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        issues["limit"] = [f"Number must be between 1 and {MAX_PAGE_LIMIT}"]
    if issues:
        return responses.unprocessable("Invalid query. " + "; ".join(f"{k}: {v[0]}" for k, v in issues.items()),
                                       issues)
    call.page, call.limit = page, limit
    return None


def _issues(message: str) -> dict[str, list[str]]:
    """`Expected int, got str - at $.units` -> {"units": ["Expected int, got str"]} (zod's field errors shape)."""
    found = _MSGSPEC_PATH.match(message)
    if found is None or not found.group("path"):
        return {"body": [message]}
    return {found.group("path").lstrip("."): [found.group("message")]}


def _preflight() -> HttpResponse:
    return HttpResponse(204, b"", [
        ("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE, OPTIONS"),
        ("Access-Control-Allow-Headers", "Authorization, Content-Type"),
        ("Access-Control-Max-Age", "86400"),
    ], content_type=None)


def _send(response: HttpResponse, extra_headers: list[tuple[str, str]], now: datetime,
          start_response: StartResponse) -> Iterable[bytes]:
    body = response.body
    headers = [
        ("Access-Control-Allow-Origin", "*"),
        ("Date", responses.http_date(now)),
        ("X-Server-Time", responses.iso_time(now)),
    ]
    if response.content_type is not None:
        headers.append(("Content-Type", response.content_type))
    if response.status != 204:
        headers.append(("Content-Length", str(len(body))))
    headers.extend(extra_headers)
    headers.extend(response.headers)
    start_response(response.status_line, headers)
    if response.drop:
        return cut_short(body)
    return [body] if response.status != 204 else []
