"""What an import usually pays for a good, and when its bid now is so far below that someone dumped into it.

After another agent dumps a good into an import its bid falls 40-60% and stays down 12-24 h, yet the supply label
often reads only LIMITED: the label does not tell, the price history does. The usual bid is a time-weighted
moving reference that follows a rise within the hour but a fall only over `fall_time` (a day by default), so one
dump, or our own lots looked at one after the other, hardly moves it, while a slow real drift is followed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from domain.coercion import coerce
from domain.errors import InvalidValue
from domain.goods import TradeSymbol
from domain.symbols import WaypointSymbol
from domain.timestamps import ensure_aware

# Game seconds over which the usual bid closes ~63% of the way up to a higher bid: a recovered or rising market
# is believed within the hour, and a one-off spike (label noise) lifts it only partly.
RISE_TIME = 3600.0


@dataclass(frozen=True, slots=True)
class UsualBidRule:
    """`saturated_share`: a bid below this share of the usual one means the import was dumped into.
    `fall_time`: game seconds over which the usual bid follows a lower bid ~63% of the way."""

    saturated_share: float = 0.7
    fall_time: float = 24 * 3600.0
    rise_time: float = RISE_TIME

    def __post_init__(self) -> None:
        if not 0 < self.saturated_share < 1 or self.fall_time <= 0 or self.rise_time <= 0:
            raise InvalidValue(f"bad usual bid rule: {self}")

    def saturated(self, bid: int, usual: UsualBid | None) -> bool:
        """Whether an import now paying `bid` was dumped into, judged against its `usual` bid (None: never seen)."""
        return usual is not None and bid < self.saturated_share * usual.bid


@dataclass(frozen=True, slots=True)
class UsualBid:
    """`market` usually pays `bid` for `good`; the last observation taken into account was at `seen_at`."""

    market: WaypointSymbol
    good: TradeSymbol
    bid: float
    seen_at: datetime

    def __post_init__(self) -> None:
        if type(self.market) is not WaypointSymbol:
            coerce(self, "market", WaypointSymbol)
        if type(self.good) is not TradeSymbol:
            coerce(self, "good", TradeSymbol)
        ensure_aware(self.seen_at, "usual bid seen at")
        if self.bid < 0:
            raise InvalidValue(f"usual bid of {self.good} at {self.market} cannot be negative: {self.bid}")

    def observed(self, bid: int, at: datetime, rule: UsualBidRule) -> UsualBid:
        """The usual bid once `bid` was seen at `at`; an observation not newer than the last one changes nothing."""
        elapsed = (at - self.seen_at).total_seconds()
        if elapsed <= 0:
            return self
        time_constant = rule.rise_time if bid > self.bid else rule.fall_time
        weight = 1.0 - math.exp(-elapsed / time_constant)
        return UsualBid(self.market, self.good, self.bid + weight * (bid - self.bid), at)
