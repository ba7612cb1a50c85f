"""The usual-bid memory and the saturation rule (issue 16): a dump into an import is told from its price history,
not from its supply label; a slow real drift and background noise are not taken for a dump; a recovery takes the
import back."""
from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from application.usual_bids import RememberingMarkets, SaturatedImports
from domain.errors import InvalidValue
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.symbols import SystemSymbol, WaypointSymbol
from domain.usual_bid import UsualBid, UsualBidRule
from tests.fake_repositories import InMemoryUsualBids
from tests.fakes import FakeClock, InMemoryMarketRepository

B2 = WaypointSymbol("X1-UB-B2")
IRON, COPPER = TradeSymbol.IRON, TradeSymbol.COPPER
RULE = UsualBidRule()  # the defaults: below 60% of usual, 48 h for a dumped bid to become usual, 2 h warm-up
MINUTE, HOUR = 60.0, 3600.0


class Memory:
    """A market repository recording through RememberingMarkets, as the bot's composition root builds it."""

    def __init__(self, rule: UsualBidRule = RULE) -> None:
        self.clock = FakeClock()
        self.usual = InMemoryUsualBids()
        self.markets = RememberingMarkets(InMemoryMarketRepository(), self.usual, rule)
        self.saturated = SaturatedImports(self.usual, rule)

    def see(self, bid: int, *, good: TradeSymbol = IRON, kind: TradeGoodType = TradeGoodType.IMPORT,
            supply: SupplyLevel = SupplyLevel.LIMITED) -> None:
        entry = MarketTradeGood(good, kind, 10, supply, ask=bid * 2, bid=bid)
        listed = {"imports" if kind is TradeGoodType.IMPORT else "exports": frozenset({good})}
        self.markets.record(MarketSnapshot(B2, self.clock.now(), trade_goods={good: entry}, **listed))

    def normal_for(self, hours: float, bid: int = 1000) -> None:
        for _ in range(round(hours * 6) + 1):
            self.see(bid)
            self.clock.advance(10 * MINUTE)

    def down(self) -> bool:
        return (B2, IRON) in self.saturated.among([self.markets.market(B2)])

    def usual_bid(self) -> float:
        return next(u.bid for u in self.usual.of_market(B2) if u.good == IRON)


def test_a_dump_is_detected_though_the_supply_label_reads_only_limited():
    memory = Memory()
    memory.normal_for(2)  # probes see the import's normal bid for a couple of hours
    assert not memory.down()

    for bid in (900, 780, 650, 540, 480):  # another agent sells tranche after tranche: the bid falls 52%
        memory.see(bid, supply=SupplyLevel.LIMITED)
        memory.clock.advance(2 * MINUTE)

    assert memory.down()
    assert memory.usual_bid() > 960  # the looks after each tranche hardly move the reference
    found = memory.saturated.among([memory.markets.market(B2)])[(B2, IRON)]
    assert found.bid == 480 and found.describe().startswith("saturated: bid 480 is 4")
    assert memory.saturated.at(B2, IRON, 480) == found
    assert memory.saturated.at(B2, IRON, 800) is None


def test_a_slow_real_drift_is_not_taken_for_a_dump():
    memory = Memory()
    bid = 1000.0
    for _ in range(48 * 6):  # two days, 10 minutes apart: the bid drifts down 40% in all
        memory.see(round(bid))
        assert not memory.down(), (round(bid), memory.usual_bid())
        bid *= 0.6 ** (1 / (48 * 6))
        memory.clock.advance(10 * MINUTE)
    assert memory.usual_bid() < 700


def noise(seed: int, knots: int) -> list[float]:
    """Background traffic as the embedded server makes it: a log-stock offset drawn in [-0.5, 0.5] every 12 game
    minutes (the first one 0), straight lines between; the bid moves as stock ** -0.8."""
    draw = random.Random(seed)
    return [0.0] + [draw.uniform(-0.5, 0.5) for _ in range(knots)]


def noisy_bid(offsets: list[float], minutes: float, centre: float = 1000.0) -> int:
    slot, into = divmod(minutes, 12.0)
    low, high = offsets[int(slot)], offsets[int(slot) + 1]
    return math.floor(centre * math.exp(-0.8 * (low + (high - low) * into / 12.0)))


def test_background_noise_that_moves_a_label_every_24_minutes_is_not_taken_for_a_dump():
    """Twenty markets read every 3, 7 or 31 minutes for three days: bids from 0.67 to 1.49 of their centre. A flag
    is all but never raised, and never where the bid is not in a deep trough (where selling pays little anyway)."""
    readings = flagged = 0
    for seed in range(20):
        every = (3, 7, 31)[seed % 3]
        memory = Memory()
        offsets = noise(seed, 3 * 24 * 5 + 1)
        for minute in range(0, 3 * 24 * 60, every):
            bid = noisy_bid(offsets, minute)
            memory.see(bid)
            readings += 1
            if memory.down():
                flagged += 1
                assert bid < 700, (seed, minute, bid, memory.usual_bid())
            memory.clock.advance(every * MINUTE)
        assert 0.93 < memory.usual_bid() / 1000 < 1.07
    assert flagged <= readings // 2000, (flagged, readings)


def test_a_dump_under_that_noise_is_detected_whenever_the_noise_does_not_lift_the_bid_back():
    memory = Memory()
    offsets = noise(7, 200)
    for minute in range(0, 6 * 60, 6):
        memory.see(noisy_bid(offsets, minute))
        memory.clock.advance(6 * MINUTE)
    flagged = 0
    for minute in range(6 * 60, 8 * 60, 6):  # dumped: the bid's centre fell 50%
        bid = noisy_bid(offsets, minute, centre=500.0)
        memory.see(bid)
        assert memory.down() == (bid < 0.6 * memory.usual_bid())
        flagged += memory.down()
        memory.clock.advance(6 * MINUTE)
    assert flagged >= 10  # of 20 looks


def test_recovery_lifts_the_flag():
    memory = Memory()
    memory.normal_for(12)
    memory.see(450)
    assert memory.down()

    bid, hours = 450.0, 0
    while memory.down():  # the market recovers with a half-life of 6 hours toward 1000
        memory.clock.advance(HOUR)
        hours += 1
        bid = 1000 - (1000 - bid) * 0.5 ** (1 / 6)
        memory.see(round(bid))
        assert hours < 24
    # Taken back once the bid is back at 60% of what it was, not because the reference sank to meet it.
    assert hours == 3 and 600 <= bid < 650 and memory.usual_bid() > 900


def test_a_dump_that_lasts_becomes_the_usual_bid_only_after_most_of_a_day():
    memory = Memory()
    memory.normal_for(2)
    for hour in range(40):
        memory.see(450)
        if hour <= 18:
            assert memory.down(), hour
        memory.clock.advance(HOUR)
    assert not memory.down()


def test_nothing_is_judged_before_the_warm_up():
    memory = Memory()
    memory.see(1490)  # a first reading at a noise peak
    memory.clock.advance(20 * MINUTE)
    memory.see(700)
    assert not memory.down()
    memory.clock.advance(90 * MINUTE)
    memory.see(700)
    assert not memory.down()


def test_only_what_a_market_buys_is_remembered_and_an_older_observation_changes_nothing():
    memory = Memory()
    memory.see(500, good=COPPER, kind=TradeGoodType.EXPORT)
    assert memory.usual.of_market(B2) == []
    memory.see(1000)
    now = memory.clock.now()
    late = memory.usual.of_market(B2)[0].observed(10, now - timedelta(minutes=5), RULE)
    assert late.bid == 1000 and late.seen_at == now
    assert [u.market for u in memory.usual.in_system(SystemSymbol("X1-UB"))] == [B2]


def test_a_lasting_rise_is_followed_over_hours():
    start = FakeClock().now()
    usual = UsualBid(B2, IRON, 1000.0, start, start - timedelta(days=2))
    risen = usual.observed(1500, start + timedelta(hours=6), RULE)  # half of follow_time
    assert 1150 < risen.bid < 1200  # 39% of the way in log terms: 1000 * 1.5 ** 0.39 (1 - e ** -0.5)


@pytest.mark.parametrize("rule", [dict(saturated_share=1.0), dict(saturated_share=0.0), dict(dumped_time=0.0),
                                  dict(warmup=-1.0)])
def test_a_bad_rule_is_refused(rule):
    with pytest.raises(InvalidValue):
        UsualBidRule(**rule)
