"""Durations as people write and read them: "30s", "2m", "1h" in configuration; "1 min 35 s" on screens and in logs."""
from __future__ import annotations

import re

_WRITTEN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
# Shown from the largest; `format_duration` gives the first two that apply.
_SHOWN_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def parse_duration(text: str) -> float:
    """Seconds in `text`: a number with an optional unit (ms, s, m, h, d; none means seconds), e.g. "2m" -> 120.0.

    Raises ValueError for anything else."""
    match = _WRITTEN.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 30s, 2m or 1h")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def format_duration(seconds: float, *, smallest: str = "s") -> str:
    """`seconds` (its sign ignored) in its two largest units, none finer than `smallest` past the first minute:
    "45 s", "1 min 35 s" ("1 min" with smallest="min"), "2 h 5 min", "2 h", "3 d 4 h"."""
    left = int(round(abs(seconds)))
    if left < 60:
        return f"{left} s"
    first = next(index for index, (_, size) in enumerate(_SHOWN_UNITS) if left >= size)
    name, size = _SHOWN_UNITS[first]
    shown = f"{left // size} {name}"
    if name == smallest:
        return shown
    finer, finer_size = _SHOWN_UNITS[first + 1]
    count = left % size // finer_size
    return f"{shown} {count} {finer}" if count else shown  # "2 h", not "2 h 0 min"
