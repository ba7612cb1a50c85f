"""The game server's one error type.

Every rule the game enforces fails with a GameError; the HTTP layer renders it
as the real envelope `{"error": {"code", "message", "data", "requestId"}}` with
`status` as the HTTP status. Codes are the game's own (game-api-facts §3).
"""
from __future__ import annotations

from typing import Any


class GameError(Exception):
    """A game rule was broken; `code` is the SpaceTraders error code."""

    def __init__(self, code: int, message: str, *, status: int = 400,
                 data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = data if data is not None else {}

    def __repr__(self) -> str:
        return f"GameError({self.code}, {self.message!r}, status={self.status})"
