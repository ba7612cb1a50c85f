"""Typed errors of the game API client, mapped from the API's `error.code`.

The bot branches on these classes, never on HTTP statuses: the same game rule has been sent with different
statuses over the game's versions (game-api-facts §3.2). The status is only consulted when the body carries no
game code at all (router 404s, the DDoS layer's 502, infrastructure 429s, which may not even be JSON), or for an
unknown code on a 5xx answer.

The hierarchy:

    GameApiError
    ├── TransientError              a retry may succeed; `maybe_applied` says whether the server may have acted
    │   ├── RateLimited             code 429 (with `retry_after` seconds)
    │   ├── ServerUnavailable       5xx, 502 DDoS, 503/3100 maintenance, 3000/3002, 3200 reset in progress
    │   └── TransportFailure        timeouts, refused or dropped connections
    ├── Unauthorized                41xx token errors
    │   └── TokenReset              4113: token from an earlier reset, re-register
    ├── InvalidPayload              3001 (and 5000 unsupported media type)
    ├── NotFound                    404 without a game code
    │   └── ShipNotFound            404 on /my/ships/{ship}... (unless its data names a waypoint), 4231
    ├── UnexpectedResponse          a success answer that does not decode into the wire model
    ├── OutcomeUnknown              an answer was lost and the client could not learn whether the call happened
    └── GameRuleError               the 4xxx game rules; the ones the bot branches on have their own class
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import msgspec

from adapters.wire.models import ErrorResponse


class GameApiError(Exception):
    """Base of every error the game API client raises.

    `code` is the game's `error.code` (None when the body had none), `status` the HTTP status (None when no answer
    arrived), `data` the error's `data` object (empty when absent), `path` the request path it answered.
    """

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None,
                 data: Mapping[str, Any] | None = None, request_id: str | None = None,
                 path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.data: dict[str, Any] = dict(data or {})
        self.request_id = request_id
        self.path = path

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, status={self.status}, message={self.message!r})"


# --- errors a retry may fix ---------------------------------------------------------------------------------------

class TransientError(GameApiError):
    """A failure a later attempt may not meet. `maybe_applied` is True when the server may have carried out the
    request although we got no good answer (a 5xx, or a connection lost after the request was sent)."""

    retryable: ClassVar[bool] = True
    maybe_applied: bool = False


class RateLimited(TransientError):
    """The rate limiter refused the request (code 429); nothing was applied. `retry_after` in seconds, if known."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerUnavailable(TransientError):
    """The server failed or is unavailable (5xx, DDoS 502, maintenance, reset in progress). The request may have
    been applied before the failure, so mutating calls must be reconciled before they are repeated."""

    maybe_applied = True


class TransportFailure(TransientError):
    """No usable answer arrived: a timeout, a refused connection, a connection dropped mid-answer."""

    def __init__(self, message: str, *, request_sent: bool, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.request_sent = request_sent
        # Only a request that never left (connect failure, pool timeout) is known not to have been applied.
        self.maybe_applied = request_sent


# --- errors a retry cannot fix ------------------------------------------------------------------------------------

class Unauthorized(GameApiError):
    """The token is missing, invalid or for another account (41xx)."""


class TokenReset(Unauthorized):
    """The token belongs to an earlier reset of the game (4113): the agent must register again."""

    @property
    def server_reset_date(self) -> str | None:
        """The game's current reset date (`data.expected`), when the answer gave it."""
        value = self.data.get("expected")
        return value if isinstance(value, str) else None

    @property
    def token_reset_date(self) -> str | None:
        """The reset date the token was issued under (`data.actual`), when the answer gave it."""
        value = self.data.get("actual")
        return value if isinstance(value, str) else None


class InvalidPayload(GameApiError):
    """The server refused the request body or parameters (3001; `data` holds the validation issues)."""


class NotFound(GameApiError):
    """The path or the object it names does not exist."""


class ShipNotFound(NotFound):
    """The ship does not exist or is not ours."""


class UnexpectedResponse(GameApiError):
    """A success answer whose body does not match the wire model (a protocol change or a broken proxy)."""


class OutcomeUnknown(GameApiError):
    """The answer to a mutating call was lost and the client could not find out whether it took effect.
    Re-read the state (ship, cargo, agent) before deciding what to do."""


class GameRuleError(GameApiError):
    """A game rule refused the action (4xxx). Subclasses name the rules the bot branches on."""


class ShipOnCooldown(GameRuleError):
    """4000: the ship's reactor is cooling down; `data["cooldown"]` holds the cooldown."""


class NotDocked(GameRuleError):
    """4244: the action (trade, refuel) needs the ship docked."""


class NotInOrbit(GameRuleError):
    """4236: the action (navigate) needs the ship in orbit."""


class InTransit(GameRuleError):
    """4214/4200: the ship is travelling; `data` may carry `arrival` and `secondsToArrival`."""


class InsufficientFuel(GameRuleError):
    """4203: not enough fuel for the flight (`data`: fuelRequired, fuelAvailable)."""


class SameDestination(GameRuleError):
    """4204: the ship is already at the destination."""


class InsufficientCredits(GameRuleError):
    """4600/4216/4265 (and module/mount purchases): the agent cannot pay."""


class CargoFull(GameRuleError):
    """4217/4228: the cargo would exceed the hold's capacity."""


class CargoMissing(GameRuleError):
    """4218/4219: the ship does not hold the good, or not that many units."""


class TradeVolumeExceeded(GameRuleError):
    """4604: more units than the market's trade volume in one transaction; nothing moved."""


class GoodNotTraded(GameRuleError):
    """4601/4602: the market does not trade this good."""


class MarketNotFound(GameRuleError):
    """4603: no market at this waypoint."""


class ShipNotPresent(GameRuleError):
    """4245: buying a ship needs one of our ships at the shipyard."""


class ShipTypeNotSold(GameRuleError):
    """4605: the shipyard does not sell this ship type."""


class AgentSymbolTaken(GameRuleError):
    """4111 (and 4109 on older servers): the agent symbol is already registered."""


class NavigationRefused(GameRuleError):
    """4201/4202/4269: invalid destination, destination in another system, or slowing down in transit."""


ERROR_CLASSES: dict[int, type[GameApiError]] = {
    # rate limit and server health
    429: RateLimited,
    503: ServerUnavailable,
    3000: ServerUnavailable,
    3002: ServerUnavailable,
    3100: ServerUnavailable,
    3200: ServerUnavailable,
    # payload
    3001: InvalidPayload,
    5000: InvalidPayload,
    # tokens (4110-4112 are registration rules, not token errors)
    **{code: Unauthorized for code in (4100, 4101, 4102, 4103, 4104, 4105, 4106, 4107, 4108, 4114, 4115, 4116)},
    4113: TokenReset,
    4109: AgentSymbolTaken,
    4111: AgentSymbolTaken,
    # game rules the bot branches on
    4000: ShipOnCooldown,
    4200: InTransit,
    4214: InTransit,
    4201: NavigationRefused,
    4202: NavigationRefused,
    4269: NavigationRefused,
    4203: InsufficientFuel,
    4204: SameDestination,
    4216: InsufficientCredits,
    4248: InsufficientCredits,
    4265: InsufficientCredits,
    4268: InsufficientCredits,
    4600: InsufficientCredits,
    4217: CargoFull,
    4228: CargoFull,
    4218: CargoMissing,
    4219: CargoMissing,
    4231: ShipNotFound,
    4236: NotInOrbit,
    4244: NotDocked,
    4245: ShipNotPresent,
    4601: GoodNotTraded,
    4602: GoodNotTraded,
    4603: MarketNotFound,
    4604: TradeVolumeExceeded,
    4605: ShipTypeNotSold,
    404: NotFound,
}
"""The one table from the API's error code to the class raised."""

_SHIP_PATH = re.compile(r"^/my/ships/[^/?]+(?:/|$)")


class _RouterError(msgspec.Struct):
    """The router's 404 shape `{message, error, statusCode}`, which carries no game code."""
    message: str | None = None
    error: str | None = None


def error_from_response(status: int, body: bytes, headers: Mapping[str, str], path: str) -> GameApiError:
    """Build the typed error for an HTTP error answer.

    `headers` must be case-insensitive (httpx.Headers is) or use lower-case names.
    """
    code: int | None = None
    message = ""
    data: dict[str, Any] = {}
    request_id: str | None = None
    try:
        envelope = msgspec.json.decode(body, type=ErrorResponse)
    except (msgspec.DecodeError, msgspec.ValidationError):
        message = _fallback_message(body, status)
    else:
        code = envelope.error.code
        message = envelope.error.message
        data = dict(envelope.error.data or {})
        request_id = envelope.error.request_id

    cls = _class_for(code, status, path, data)
    kwargs: dict[str, Any] = dict(code=code, status=status, data=data, request_id=request_id, path=path)
    if cls is RateLimited:
        return RateLimited(message or "rate limited", retry_after=_retry_after(headers, data), **kwargs)
    return cls(message or f"HTTP {status}", **kwargs)


def _class_for(code: int | None, status: int, path: str, data: Mapping[str, Any]) -> type[GameApiError]:
    cls = ERROR_CLASSES.get(code) if code is not None else None
    if cls is None:
        # No known game code: fall back on the status, the only thing a non-game answer carries.
        if status == 429:
            cls = RateLimited
        elif status >= 500:
            cls = ServerUnavailable
        elif status == 404:
            cls = NotFound
        elif status in (401, 403) and code is None:
            cls = Unauthorized
        elif status == 422 and code is None:
            cls = InvalidPayload
        elif code is not None and 4000 <= code < 5000:
            cls = GameRuleError
        else:
            cls = GameApiError
    if cls is NotFound and _SHIP_PATH.match(path):
        # Under /my/ships/{ship} a 404 is about the ship, unless its data names something else (a navigate
        # to an unknown waypoint also answers 404).
        names_other = bool({"waypointSymbol", "systemSymbol"} & data.keys()) and "shipSymbol" not in data
        if not names_other:
            cls = ShipNotFound
    return cls


def _fallback_message(body: bytes, status: int) -> str:
    try:
        router = msgspec.json.decode(body, type=_RouterError)
    except (msgspec.DecodeError, msgspec.ValidationError):
        text = body[:200].decode("utf-8", "replace").strip()
        return f"HTTP {status}: {text}" if text else f"HTTP {status}"
    return router.message or router.error or f"HTTP {status}"


def _retry_after(headers: Mapping[str, str], data: Mapping[str, Any]) -> float | None:
    """Seconds to wait: the Retry-After header (seconds, or an HTTP date read against the answer's own Date
    header so that no local clock is involved), else the body's `data.retryAfter`."""
    raw = headers.get("retry-after")
    if raw:
        raw = raw.strip()
        try:
            return max(0.0, float(raw))
        except ValueError:
            try:
                until = parsedate_to_datetime(raw)
                sent = parsedate_to_datetime(headers["date"]) if headers.get("date") else None
            except (TypeError, ValueError, IndexError):
                until = sent = None
            if until is not None and sent is not None:
                return max(0.0, (until - sent).total_seconds())
    value = data.get("retryAfter")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return max(0.0, float(value))
    return None
