"""Where the bot itself dumped a good: the import's bid fell under our own sales, so stay away until it recovers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.coercion import coerce
from domain.errors import InvalidValue
from domain.goods import TradeSymbol
from domain.symbols import WaypointSymbol
from domain.timestamps import ensure_aware

# An observed bid back at this share of the bid before the dump counts as recovered, whatever the clock says.
RECOVERED_SHARE = 0.9


@dataclass(frozen=True, slots=True)
class DumpMark:
    """Our sales of `good` at `market` took its bid from `bid_before` to `bid_after` at `at`; avoid the pair until
    `until` or until a probe sees the bid back near `bid_before`."""

    market: WaypointSymbol
    good: TradeSymbol
    at: datetime
    until: datetime
    bid_before: int
    bid_after: int

    def __post_init__(self) -> None:
        if type(self.market) is not WaypointSymbol:
            coerce(self, "market", WaypointSymbol)
        if type(self.good) is not TradeSymbol:
            coerce(self, "good", TradeSymbol)
        ensure_aware(self.at, "dump at")
        ensure_aware(self.until, "dump until")
        if self.until < self.at or self.bid_before < 0 or self.bid_after < 0:
            raise InvalidValue(f"dump mark of {self.good} at {self.market}: bad times or bids")

    @property
    def drop(self) -> float:
        """The share of the bid our sales took away (0.4 = the bid fell 40%)."""
        return 0.0 if self.bid_before <= 0 else max(0.0, 1 - self.bid_after / self.bid_before)

    def holds(self, now: datetime, bid_seen: int | None = None, seen_at: datetime | None = None) -> bool:
        """Whether the market is still to be avoided at `now`; a bid seen after the dump that is back near the
        old one ends the mark early."""
        if now >= self.until:
            return False
        recovered = (bid_seen is not None and seen_at is not None and seen_at > self.at
                     and bid_seen >= RECOVERED_SHARE * self.bid_before)
        return not recovered
