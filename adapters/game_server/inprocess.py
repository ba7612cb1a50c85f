"""The game server without a socket: an `httpx.Client` wired straight to the WSGI app (for tests and demos).

httpx's WSGITransport calls the app in the caller's thread and takes whatever body it returns. A real HTTP
client also checks that the body is as long as its Content-Length says; this transport does the same, so a
dropped-connection fault (a body cut short) raises `httpx.RemoteProtocolError` here exactly as it does over a
socket, and client code sees the same failure in both modes.
"""
from __future__ import annotations

from typing import Any

import httpx

BASE_URL = "http://game-server.local/v2"


class InProcessTransport(httpx.BaseTransport):
    """httpx transport that serves requests from a WSGI app in this process."""

    def __init__(self, app: Any, remote_addr: str = "127.0.0.1") -> None:
        self._inner = httpx.WSGITransport(app=app, remote_addr=remote_addr)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        try:
            body = b"".join(response.stream)
        finally:
            response.close()
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and len(body) < int(declared):
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body "
                f"(received {len(body)} bytes, expected {declared})", request=request)
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)


def in_process_client(app: Any, *, token: str | None = None, base_url: str = BASE_URL,
                      remote_addr: str = "127.0.0.1", **client_options: Any) -> httpx.Client:
    """An `httpx.Client` on `app` (base URL ends in `/v2`, like the real one); `token` sets the bearer header."""
    headers = dict(client_options.pop("headers", {}) or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(transport=InProcessTransport(app, remote_addr), base_url=base_url, headers=headers,
                        **client_options)
