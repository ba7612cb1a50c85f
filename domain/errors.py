"""Errors raised by the domain layer: a value that cannot exist is refused where it is built."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises."""


class InvalidSymbol(DomainError, ValueError):
    """A system, waypoint, ship or trade symbol that the game would never produce.

    Raised at the edge (where text becomes a domain value) so that a typo fails there
    and not three calls later inside a worker.
    """

    def __init__(self, kind: str, value: object, why: str) -> None:
        self.kind = kind
        self.value = value
        self.why = why
        super().__init__(f"invalid {kind} {value!r}: {why}")


class InvalidValue(DomainError, ValueError):
    """A domain value built with contents that break its invariants (negative price, bad tree...)."""
