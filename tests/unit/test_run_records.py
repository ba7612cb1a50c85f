"""RunRecords: what finished runs earned per kind, lane and good, per ship-hour, and the results kept."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from application.run_records import RunRecords
from application.worker_jobs import ARBITRAGE, MANUFACTURING, WorkerResult
from domain.goods import TradeSymbol
from domain.lane_record import LaneRecord
from domain.symbols import ShipSymbol, WaypointSymbol

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
IRON, GOLD, COPPER = TradeSymbol.IRON, TradeSymbol.GOLD, TradeSymbol.COPPER
A, B, C = (WaypointSymbol(f"X1-T1-{name}") for name in ("A", "B", "C"))
LANE, OTHER_LANE = (IRON, A, B), (IRON, A, C)


def result(operation: str, profit: int, hours: float, *, good: TradeSymbol = IRON, at: float = 0.0,
           cancelled: bool = False) -> WorkerResult:
    started = T0 + timedelta(hours=at)
    return WorkerResult(operation_id=operation, ship=ShipSymbol("AGENT-1"), good=good, started_at=started,
                        finished_at=started + timedelta(hours=hours), revenue=max(profit, 0), cost=max(-profit, 0),
                        success=not cancelled, cancelled=cancelled)


def test_a_lane_answers_from_its_own_runs_and_an_unrun_lane_from_its_goods():
    records = RunRecords()
    records.add(result("arb-1", 6_000, 2.0), LANE, T0)
    records.add(result("arb-2", 1_000, 1.0, at=3), OTHER_LANE, T0 + timedelta(hours=3))

    assert records.per_hour(ARBITRAGE, LANE, IRON) == 3_000
    assert records.per_hour(ARBITRAGE, (IRON, B, C), IRON) == 7_000 / 3  # every IRON trade
    assert records.per_hour(ARBITRAGE, (GOLD, A, B), GOLD) is None
    assert records.per_hour(MANUFACTURING, (IRON, B), IRON) is None  # a kind's records are its own
    assert [r.operation_id for r in records.results] == ["arb-1", "arb-2"]


def test_the_lanes_ship_time_runs_from_when_the_coordinator_started_it():
    records = RunRecords()
    records.add(result("mfg-1", 4_000, 1.0, at=1), (IRON, B), T0)  # started an hour before the worker began

    assert records.per_hour(MANUFACTURING, (IRON, B), IRON) == 2_000
    assert records.per_hour(MANUFACTURING, (IRON, C), IRON) == 4_000


def test_a_run_of_no_time_counts_as_a_second():
    records = RunRecords()
    records.add(result("arb-1", 10, 0.0), LANE, T0)
    assert records.per_hour(ARBITRAGE, LANE, IRON) == 36_000


def test_cancelled_runs_and_stranded_cargo_are_kept_but_earn_no_record():
    records = RunRecords()
    records.add(result("arb-1", -5_000, 1.0, cancelled=True), LANE, T0)
    records.add(result("clear-1", 900, 1.0))

    assert records.per_hour(ARBITRAGE, LANE, IRON) is None
    assert records.per_hour(MANUFACTURING, (IRON, B), IRON) is None
    assert not records.tried(ARBITRAGE) and not records.tried(MANUFACTURING)
    assert [r.operation_id for r in records.results] == ["arb-1", "clear-1"]


def test_replayed_results_feed_the_goods_records_and_the_fleet_but_not_this_runs_results():
    records = RunRecords()
    records.replay([result("mfg-2", 3_000, 1.0, at=5), result("mfg-1", 1_000, 1.0)])
    records.add(result("arb-9", 500, 1.0, at=7), LANE, T0 + timedelta(hours=7))

    assert records.per_hour(MANUFACTURING, (IRON, B), IRON) == 2_000
    assert records.tried(MANUFACTURING)
    assert [r.operation_id for r in records.results] == ["arb-9"]
    assert [r.operation_id for r in records.all_results()] == ["mfg-2", "mfg-1", "arb-9"]


def test_the_recent_rate_weighs_the_latest_runs_most_and_the_total_does_not():
    records = RunRecords()
    records.add(result("arb-1", 300_000, 1.0), LANE, T0)
    records.add(result("arb-2", 0, 1.0, at=1), LANE, T0 + timedelta(hours=1))  # the market is worn down

    assert records.per_hour(ARBITRAGE, LANE, IRON) == 150_000
    # The lane's recent record: 150,000 over 1.5 decayed hours, from 1.5 decayed runs; the kind's, with its longer
    # memory, 285,000 over 1.95 hours, counted as one run more.
    lane, kind = 150_000 / 1.5, 285_000 / 1.95
    assert records.recent_per_hour(ARBITRAGE, LANE, IRON) == pytest.approx((lane * 1.5 + kind) / 2.5)
    assert records.recent_per_hour(ARBITRAGE, OTHER_LANE, IRON) == pytest.approx((lane * 1.5 + kind) / 2.5)  # good's
    assert records.recent_per_hour(ARBITRAGE, (GOLD, A, B), GOLD) is None


def test_a_lucky_run_is_drawn_toward_what_its_kind_usually_earns():
    records = RunRecords()
    for index in range(10):
        records.add(result(f"mfg-{index}", 100_000, 1.0, at=index), (COPPER, B), T0 + timedelta(hours=index))
    records.add(result("mfg-lucky", 900_000, 1.0, at=10), LANE, T0 + timedelta(hours=10))

    expected = records.recent_per_hour(MANUFACTURING, LANE, IRON)
    assert 100_000 < expected < 600_000  # one run of 900,000 beside ten of 100,000
    assert 100_000 < records.recent_per_hour(MANUFACTURING, (COPPER, B), IRON) < 150_000  # the steady lane


def test_a_lanes_share_is_what_its_runs_made_of_what_their_signals_promised_recent_runs_first():
    records = RunRecords()
    records.add(result("arb-1", 6_000, 2.0), LANE, T0, signal=6_000.0)  # promised 12,000: half of it
    assert records.lane_record(ARBITRAGE, LANE, IRON) == LaneRecord(3_000, 0.5)
    records.add(result("arb-2", 4_000, 1.0, at=2), LANE, T0 + timedelta(hours=2), signal=2_000.0)  # twice
    # Each run halves the weight of those before it: (6,000 / 2 + 4,000) / (12,000 / 2 + 2,000) over 1.5 runs,
    # drawn toward the kind's share as if it were one more run (the kind keeps 0.95 of each earlier run).
    kind = (6_000 * 0.95 + 4_000) / (12_000 * 0.95 + 2_000)
    assert records.lane_record(ARBITRAGE, LANE, IRON).share == pytest.approx((7_000 / 8_000 * 1.5 + kind) / 2.5)
    # A lane whose good ran only elsewhere has its good's profit per hour but no share: its prices are other prices.
    assert records.lane_record(ARBITRAGE, OTHER_LANE, IRON) == LaneRecord(10_000 / 3, None)
    assert records.lane_record(ARBITRAGE, (GOLD, A, B), GOLD) is None


def test_one_lucky_run_is_drawn_toward_what_the_kinds_runs_made_of_their_signals():
    records = RunRecords()
    for index in range(4):
        records.add(result(f"arb-{index}", 1_000, 1.0, at=index), OTHER_LANE, T0 + timedelta(hours=index),
                    signal=2_000.0)
    records.add(result("arb-9", 12_000, 1.0, at=5), LANE, T0 + timedelta(hours=5), signal=2_000.0)  # six times
    # The kind's share counts the lucky run too (each earlier run kept at 0.95 of its weight).
    weights = [0.95 ** n for n in range(4, 0, -1)]
    kind = (1_000 * sum(weights) + 12_000) / (2_000 * sum(weights) + 2_000)
    assert records.lane_record(ARBITRAGE, LANE, IRON).share == pytest.approx((6.0 + kind) / 2)  # about 3.9, not 6


def test_runs_without_a_signal_give_a_record_without_a_share():
    records = RunRecords()
    records.replay([result("arb-1", 3_000, 1.0)])
    records.add(result("arb-2", 1_000, 1.0, at=2), LANE, T0 + timedelta(hours=2))
    assert records.lane_record(ARBITRAGE, LANE, IRON) == LaneRecord(1_000, None)
    assert records.lane_record(ARBITRAGE, OTHER_LANE, IRON) == LaneRecord(2_000, None)
