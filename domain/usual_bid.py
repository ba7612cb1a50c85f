"""What an import usually pays for a good, and when its bid now is so far below that someone dumped into it.

After another agent dumps a good into an import its bid falls 40-60% and stays down 12-24 h, yet the supply label
often reads only LIMITED: the label does not tell, the price history does. Meanwhile background traffic moves every
market's stock up and down on its own (a label change every ~24 game minutes), which swings a bid by up to about a
third either way around its centre: the usual bid has to be that centre, not a high mark.

So the usual bid is a time-weighted moving average of log-bids (the traffic is symmetric in log-stock, so this is
its centre):
- it follows ordinary observations over `follow_time` (12 game hours: many noise cycles, so noise averages out and
  a slow real drift is followed);
- an observation the rule already judges dumped into counts for little: it is followed only over `dumped_time`
  (a dump keeps its flag while the lane is dead, and only a bid that stays down for days becomes the new usual);
- until `warmup` of history is behind it, the average weighs its observations by time alone and judges nothing
  (a first reading at a noise peak must not make the next ordinary one look like a dump).
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

# Game seconds over which the usual bid follows ordinary observations (~63% of the way): some 30 noise cycles, so
# the noise averages out to a few percent, and a drift of 40% over two days still stays within ~12% of it.
FOLLOW_TIME = 12 * 3600.0


@dataclass(frozen=True, slots=True)
class UsualBidRule:
    """`saturated_share`: a bid below this share of the usual one means the import was dumped into.
    `dumped_time`: game seconds over which such a bid moves the usual one (~63% of the way). `warmup`: game seconds
    of observations needed before anything is judged. `follow_time`: the same for ordinary observations."""

    saturated_share: float = 0.6
    dumped_time: float = 48 * 3600.0
    warmup: float = 2 * 3600.0
    follow_time: float = FOLLOW_TIME

    def __post_init__(self) -> None:
        if (not 0 < self.saturated_share < 1 or self.dumped_time <= 0 or self.follow_time <= 0
                or self.warmup < 0):
            raise InvalidValue(f"bad usual bid rule: {self}")

    def saturated(self, bid: int, usual: UsualBid | None) -> bool:
        """Whether an import now paying `bid` was dumped into, judged against its `usual` bid (None: never seen)."""
        return usual is not None and usual.known_for >= self.warmup and bid < self.saturated_share * usual.bid


@dataclass(frozen=True, slots=True)
class UsualBid:
    """`market` usually pays `bid` for `good`, from observations between `since` and `seen_at` (the latest)."""

    market: WaypointSymbol
    good: TradeSymbol
    bid: float
    seen_at: datetime
    since: datetime

    def __post_init__(self) -> None:
        if type(self.market) is not WaypointSymbol:
            coerce(self, "market", WaypointSymbol)
        if type(self.good) is not TradeSymbol:
            coerce(self, "good", TradeSymbol)
        ensure_aware(self.seen_at, "usual bid seen at")
        ensure_aware(self.since, "usual bid since")
        if self.bid <= 0 or self.since > self.seen_at:
            raise InvalidValue(f"usual bid of {self.good} at {self.market}: bad bid or times ({self.bid})")

    @classmethod
    def first(cls, market: WaypointSymbol, good: TradeSymbol, bid: int, at: datetime) -> UsualBid:
        """The usual bid after one observation."""
        return cls(market, good, float(max(1, bid)), at, at)

    @property
    def known_for(self) -> float:
        """Seconds of observations the usual bid stands on."""
        return (self.seen_at - self.since).total_seconds()

    def observed(self, bid: int, at: datetime, rule: UsualBidRule) -> UsualBid:
        """The usual bid once `bid` was seen at `at`; an observation not newer than the last one changes nothing."""
        elapsed = (at - self.seen_at).total_seconds()
        if elapsed <= 0:
            return self
        if rule.saturated(bid, self):
            weight = 1.0 - math.exp(-elapsed / rule.dumped_time)
        else:
            weight = 1.0 - math.exp(-elapsed / rule.follow_time)
            known = self.known_for
            if known < rule.follow_time:  # a short history: its time-weighted mean, not a pull to its first reading
                weight = max(weight, elapsed / (known + elapsed))
        level = math.log(self.bid) + weight * (math.log(max(1, bid)) - math.log(self.bid))
        return UsualBid(self.market, self.good, math.exp(level), at, self.since)
