"""A small path router for the game server: literal segments and `{name}` parameters, matched by method."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

R = TypeVar("R")


class Router(Generic[R]):
    """Maps (method, path) to a route and its path parameters, in the order the pattern names them.

    Routes are grouped by method and segment count, so a lookup compares only the few patterns that could match.
    """

    def __init__(self, routes: Iterable[tuple[str, str, R]]) -> None:
        self._table: dict[tuple[str, int], list[tuple[tuple[str | None, ...], R]]] = {}
        for method, pattern, route in routes:
            segments = tuple(None if part.startswith("{") else part for part in _split(pattern))
            self._table.setdefault((method, len(segments)), []).append((segments, route))

    def match(self, method: str, path: str) -> tuple[R, tuple[str, ...]] | None:
        parts = _split(path)
        for segments, route in self._table.get((method, len(parts)), ()):
            params = []
            for expected, actual in zip(segments, parts):
                if expected is None:
                    if not actual:
                        break
                    params.append(actual)
                elif expected != actual:
                    break
            else:
                return route, tuple(params)
        return None


def _split(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []
