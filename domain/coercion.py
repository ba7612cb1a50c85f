"""Frozen values accept plain text for their symbols and enums, and store the typed form.

Values are built in hot loops (a tree per good, an opportunity per import), so a field that
already has the right type is left alone and only foreign input is converted and checked.
"""
from __future__ import annotations

import enum
from typing import Any

from domain.errors import InvalidValue


def coerce(instance: object, name: str, kind: type) -> None:
    """Make `instance.name` a `kind`: enums by value (InvalidValue if unknown), symbols by validation."""
    value = getattr(instance, name)
    if type(value) is kind:
        return
    object.__setattr__(instance, name, convert(kind, value))


def coerce_optional(instance: object, name: str, kind: type) -> None:
    """As `coerce`, leaving None alone."""
    if getattr(instance, name) is not None:
        coerce(instance, name, kind)


def convert(kind: type, value: Any) -> Any:
    """`value` as a `kind`; a bad value raises a domain error, never a bare ValueError."""
    parse = getattr(kind, "parse", None)
    if parse is not None:
        return parse(value)
    if issubclass(kind, enum.Enum):
        try:
            return kind(value)
        except ValueError:
            raise InvalidValue(f"unknown {kind.__name__} {value!r}") from None
    return kind(value)
