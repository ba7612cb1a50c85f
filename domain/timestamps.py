"""Domain times are timezone-aware: naive and aware datetimes cannot be compared or subtracted."""
from __future__ import annotations

from datetime import UTC, datetime

from domain.errors import InvalidValue


def ensure_aware(value: datetime, what: str) -> datetime:
    """Return `value` if it carries a timezone, else raise InvalidValue naming `what`."""
    if value.__class__ is datetime and value.tzinfo is UTC:
        return value  # the common case, decided without asking the zone for its offset (slow, and never None)
    if not isinstance(value, datetime):
        raise InvalidValue(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(f"{what} must be timezone-aware (use UTC), got naive {value.isoformat()}")
    return value
