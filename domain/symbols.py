"""System, waypoint and ship symbols that validate when they are built.

They are `str` subclasses: they compare and hash like the plain text the API sends, so
they can key dicts, be pickled to worker processes and be written to storage unchanged.

Accepted forms: the game's `X1-DF55` (system) and `X1-DF55-A1` (waypoint), and the plan's
short `X1-A1` (waypoint of system `X1`). A waypoint's system is always derived from the
waypoint (everything before its last `-`), never passed alongside it.
"""
from __future__ import annotations

import re
from typing import ClassVar

from domain.errors import InvalidSymbol

_MAX_LENGTH = 64


def _check(kind: str, value: object, pattern: re.Pattern[str], shape: str) -> str:
    """Return `value` if it is a well-formed symbol, else raise InvalidSymbol saying why."""
    if isinstance(value, str) and len(value) <= _MAX_LENGTH and pattern.fullmatch(value):
        return value  # the common case, checked once; the tests below only explain a refusal
    if not isinstance(value, str):
        raise InvalidSymbol(kind, value, f"expected text, got {type(value).__name__}")
    if not value:
        raise InvalidSymbol(kind, value, "empty")
    if any(ch.isspace() for ch in value):
        raise InvalidSymbol(kind, value, "contains whitespace")
    if value != value.upper():
        raise InvalidSymbol(kind, value, "must be upper case")
    if len(value) > _MAX_LENGTH:
        raise InvalidSymbol(kind, value, f"longer than {_MAX_LENGTH} characters")
    if not pattern.fullmatch(value):
        raise InvalidSymbol(kind, value, f"expected {shape}")
    return value


class SystemSymbol(str):
    """A star system, e.g. `X1-DF55` (or `X1` in the plan's short notation)."""

    __slots__ = ()
    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")

    def __new__(cls, value: str) -> SystemSymbol:
        if type(value) is cls:
            return value  # already validated
        return super().__new__(cls, _check("system symbol", value, cls._PATTERN, "segments of A-Z/0-9 joined by '-'"))

    def __repr__(self) -> str:
        return f"SystemSymbol({str.__repr__(self)})"


class WaypointSymbol(str):
    """A waypoint, e.g. `X1-DF55-A1`; its system is the part before the last `-`."""

    __slots__ = ()
    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)+")

    def __new__(cls, value: str) -> WaypointSymbol:
        if type(value) is cls:
            return value
        return super().__new__(
            cls, _check("waypoint symbol", value, cls._PATTERN, "at least two segments of A-Z/0-9 joined by '-'")
        )

    @property
    def system(self) -> SystemSymbol:
        """The system this waypoint belongs to (`X1-DF55-A1` -> `X1-DF55`, `X1-A1` -> `X1`)."""
        # The part before the last '-' of a valid waypoint is always a valid system: skip the check.
        return str.__new__(SystemSymbol, self.rsplit("-", 1)[0])

    def __repr__(self) -> str:
        return f"WaypointSymbol({str.__repr__(self)})"


class ShipSymbol(str):
    """A ship, e.g. `AGENT-1` or `MY_AGENT-1A` (agent symbol, `-`, a number in hex)."""

    __slots__ = ()
    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"[A-Z0-9_]+(?:-[A-Z0-9_]+)*")

    def __new__(cls, value: str) -> ShipSymbol:
        if type(value) is cls:
            return value
        return super().__new__(
            cls, _check("ship symbol", value, cls._PATTERN, "segments of A-Z/0-9/_ joined by '-'")
        )

    def __repr__(self) -> str:
        return f"ShipSymbol({str.__repr__(self)})"
