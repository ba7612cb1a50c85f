"""What can go wrong when the application asks the game for something.

The game API adapter translates its own errors into these, so application code branches on meaning
("not enough credits") and never on HTTP statuses or library exceptions.
"""
from __future__ import annotations

from application.errors import ApplicationError


class GameError(ApplicationError):
    """Base of every failure reported by the GamePort."""

    def __init__(self, message: str, *, code: int | None = None, data: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data or {}


class GameUnavailable(GameError):
    """The game could not be reached or kept failing after retries (server down, 5xx, dropped connections)."""


class GameUnreachable(GameUnavailable):
    """Nothing reached the game: connection refused, no route, no answer at all."""


class GameAuthError(GameError):
    """The token was refused (missing, invalid, or from before a reset of the game)."""


class GameRuleError(GameError):
    """The game refused the action under its rules; retrying the same call will not help."""


class InvalidRequest(GameRuleError):
    """The game refused the request itself (a malformed or out-of-range value)."""


class SymbolTaken(GameRuleError):
    """The agent symbol asked for is registered already."""


class InsufficientCredits(GameRuleError):
    pass


class CargoFull(GameRuleError):
    pass


class TradeVolumeExceeded(GameRuleError):
    pass


class GoodNotTraded(GameRuleError):
    """The market neither buys nor sells the good."""


class InsufficientFuel(GameRuleError):
    pass


class ShipBusy(GameRuleError):
    """The ship is in transit or on cooldown."""


class WrongShipState(GameRuleError):
    """Not docked or not in orbit when the action needs it."""


class NotFound(GameRuleError):
    """Unknown ship, waypoint, market or system."""
