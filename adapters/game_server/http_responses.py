"""Answers of the game server's HTTP layer: one msgspec encoder, the real envelopes and error shapes.

Success bodies use the wire models' `Envelope`/`Page`; errors use `ErrorResponse` (game-api-facts §3.1) with a
`requestId`; an unknown path gets the router's own shape `{message, error, statusCode}` (§3.1, api-docs #119).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from http import HTTPStatus
from typing import Any

import msgspec

from adapters.wire.models import Envelope, ErrorBody, ErrorResponse, Meta, Page

JSON = "application/json; charset=utf-8"

# One encoder for the whole server (msgspec perf tips: reuse it; encode() keeps no state between calls).
_encoder = msgspec.json.Encoder()
encode = _encoder.encode

_REASONS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}

UNPROCESSABLE = 3001
SERVER_ERROR = 3000
MISSING_TOKEN = 4103
INVALID_TOKEN = 4104


class RouteNotFound(msgspec.Struct, rename="camel"):
    """The router's 404 body for a path the API does not have; it is not the game's error envelope."""
    message: str
    error: str
    status_code: int


@dataclass(slots=True)
class HttpResponse:
    """A complete answer before WSGI framing; `drop` makes the server cut the connection mid-answer."""
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = JSON
    drop: bool = False

    @property
    def status_line(self) -> str:
        return _REASONS.get(self.status) or f"{self.status} Unknown"


def ok(data: Any, status: int = 200) -> HttpResponse:
    """`{"data": ...}`."""
    return HttpResponse(status, encode(Envelope(data=data)))


def page(items: list[Any], total: int, page_number: int, limit: int) -> HttpResponse:
    """`{"data": [...], "meta": {"total", "page", "limit"}}`."""
    return HttpResponse(200, encode(Page(data=items, meta=Meta(total=total, page=page_number, limit=limit))))


def unwrapped(data: Any) -> HttpResponse:
    """GET /, the one answer whose fields sit at the top level."""
    return HttpResponse(200, encode(data))


def no_content() -> HttpResponse:
    return HttpResponse(204, b"", content_type=None)


def new_request_id() -> str:
    return str(uuid.uuid4())


def error(status: int, code: int, message: str, data: dict[str, Any] | None = None) -> HttpResponse:
    """The game's error envelope `{"error": {"code", "message", "data", "requestId"}}`."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message, data=data if data is not None else {},
                                         request_id=new_request_id()))
    return HttpResponse(status, encode(body))


def unprocessable(message: str, data: dict[str, Any] | None = None) -> HttpResponse:
    """422 code 3001: the payload or the query did not validate."""
    return error(422, UNPROCESSABLE, message, data)


def route_not_found(method: str, path: str) -> HttpResponse:
    return HttpResponse(404, encode(RouteNotFound(message=f"Route {method}:{path} not found", error="Not Found",
                                                  status_code=404)))


def internal_error() -> HttpResponse:
    return error(500, SERVER_ERROR, "The server did not return a valid response. If you want to help you can file "
                                    "an issue here: https://github.com/SpaceTradersAPI/api-docs.")


def iso_time(moment: datetime) -> str:
    """`2025-01-21T23:36:33.435Z`: the server's ISO form (X-Server-Time, rate-limit reset)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def http_date(moment: datetime) -> str:
    """RFC 9110 `Date` header value."""
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)
