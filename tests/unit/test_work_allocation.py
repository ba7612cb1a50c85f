"""The merge of the two kinds' ranked lists by expected profit per ship-hour, the price-signal estimates, and the
market claims both kinds share (application/work_allocation.py)."""
from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from application.work_allocation import (
    EstimateConfig, KindRecord, MarketClaims, RankedWork, RecentRates, RunStage, calibrated, interleave, lane_owners,
    lane_signal_per_hour, manufacturing_claim, realization, realized, route_claim, route_signal_per_hour, run_stage,
    units_per_trip,
)
from domain.geometry import Position
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.symbols import WaypointSymbol
from domain.goods import SupplyLevel, TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.trade_route import TradeRoute
from tests.fake_coordination import SYSTEM, make_opportunity

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def route(good="IRON", buy="A2", sell="B3", ask=100, bid=300, volume=10):
    return TradeRoute(good=TradeSymbol(good), buy_market=f"{SYSTEM}-{buy}", sell_market=f"{SYSTEM}-{sell}", ask=ask,
                      bid=bid, trade_volume=volume, buy_supply=SupplyLevel.MODERATE, observed_at=NOW,
                      discovered_at=NOW)


def queue(kind, items, expected, cap=99, started=None):
    started = started if started is not None else []
    return RankedWork(kind, items, has_room=lambda: sum(1 for k, _ in started if k == kind) < cap,
                      eligible=lambda item: True, expected=lambda item: expected[item])


def test_the_lists_are_merged_by_expected_profit_each_keeping_its_own_order():
    expected = {"m1": 50.0, "m2": 300.0, "r1": 100.0, "r2": 10.0}
    taken = list(interleave([queue("mfg", ["m1", "m2"], expected), queue("arb", ["r1", "r2"], expected)]))
    # m2 is expected to earn most but its ranking put it after m1: the hook's order holds within a kind.
    assert taken == [("arb", "r1"), ("mfg", "m1"), ("mfg", "m2"), ("arb", "r2")]


def test_a_kind_at_its_cap_gives_way_to_the_other():
    expected = {"m1": 500.0, "m2": 400.0, "r1": 1.0}
    started: list = []
    queues = [queue("mfg", ["m1", "m2"], expected, cap=1, started=started), queue("arb", ["r1"], expected)]
    for taken in interleave(queues):
        started.append(taken)
    assert started == [("mfg", "m1"), ("arb", "r1")]


def test_the_earlier_list_wins_a_tie():
    expected = {"m": 1.0, "r": 1.0}
    assert [kind for kind, _ in interleave([queue("mfg", ["m"], expected), queue("arb", ["r"], expected)])] == [
        "mfg", "arb"]


def test_a_nearer_or_wider_lane_promises_more_per_ship_hour():
    config = EstimateConfig()
    near = route_signal_per_hour(route(), None, Position(0, 0), Position(10, 0), config)
    far = route_signal_per_hour(route(), None, Position(0, 0), Position(500, 0), config)
    wide = route_signal_per_hour(route(bid=500), None, Position(0, 0), Position(10, 0), config)
    assert far < near < wide
    assert route_signal_per_hour(route(bid=100), None, Position(0, 0), Position(10, 0), config) == 0


def test_one_trip_buys_the_assumed_ship_s_room_at_most_a_few_lots_as_the_lane_s_signal_counts():
    config = EstimateConfig(lots_per_visit=4, capacity=40)
    assert units_per_trip(route(volume=6), config) == 24  # four lots
    assert units_per_trip(route(volume=20), config) == 40  # the hold
    # The signal `status` shows beside it is the margin on those units over the trip's game hours.
    wider = route(volume=20, bid=500)
    assert lane_signal_per_hour(wider, config) == 2 * lane_signal_per_hour(route(volume=20), config)


def test_a_kind_record_scales_its_estimates_by_what_its_runs_made():
    records = {"mfg": KindRecord(), "arb": KindRecord()}
    # Before any run: each kind is tried once first; a kind known from earlier processes takes its signal as is.
    assert calibrated(records, "mfg", 1000.0, tried=False) == math.inf
    assert calibrated(records, "mfg", 0.0, tried=False) == 0.0
    assert calibrated(records, "mfg", 1000.0, tried=True) == 1000.0
    records["arb"].add(50_000, 200_000.0, 0.5)  # promised 100,000 in half an hour, made half of it
    records["arb"].add(-10_000, 0.0, 1.0)  # no estimate to compare with: ignored
    assert calibrated(records, "arb", 1000.0, tried=True) == 500.0
    # A kind with a record but no run of this process borrows what every run so far made of its promise.
    assert calibrated(records, "mfg", 1000.0, tried=True) == 500.0
    records["mfg"].add(300_000, 100_000.0, 1.0)
    assert calibrated(records, "mfg", 1000.0, tried=False) == 3000.0


def test_claims_keep_one_buyer_and_one_seller_per_good_and_market_across_kinds():
    making = make_opportunity("COPPER", f"{SYSTEM}-C4", 3000, source=f"{SYSTEM}-A2")
    claims = MarketClaims([manufacturing_claim("mfg", making, one_per_factory=True)])

    assert claims.clashes(route_claim("arb", route("COPPER", "D5", "C4")))  # sells COPPER into C4 too
    assert claims.clashes(route_claim("arb", route("IRON", "A2", "B3")))  # buys the run's input at its source
    assert claims.clashes(route_claim("arb", route("IRON", "D5", "F1")))  # delivers the input to its factory
    assert not claims.clashes(route_claim("arb", route("COPPER", "A2", "B3")))
    # Another run of a different good may share the input's source, as before the kinds shared markets.
    other = make_opportunity("MACHINERY", f"{SYSTEM}-M2", 3000, factory=f"{SYSTEM}-F2", source=f"{SYSTEM}-A2")
    assert not claims.clashes(manufacturing_claim("mfg", other, one_per_factory=True))
    same_factory = make_opportunity("COPPER", f"{SYSTEM}-M3", 3000)
    assert claims.clashes(manufacturing_claim("mfg", same_factory, one_per_factory=True))
    assert not claims.clashes(manufacturing_claim("mfg", same_factory, one_per_factory=False))


def test_a_run_holds_the_markets_of_the_legs_its_ledger_rows_have_not_finished():
    making = make_opportunity("COPPER", f"{SYSTEM}-C4", 3000, source=f"{SYSTEM}-A2")  # IRON A2 -> F1, COPPER -> C4

    def row(kind, good, at, category=TransactionCategory.CARGO_TRADE):
        return LedgerTransaction(type=kind, category=category, amount=100, occurred_at=NOW, operation_id="mfg-1",
                                 good=TradeSymbol(good), units=10, waypoint=f"{SYSTEM}-{at}")

    bought_iron, delivered = row(TransactionType.DEBIT, "IRON", "A2"), row(TransactionType.CREDIT, "IRON", "F1")
    assert run_stage(making, []) is RunStage.INPUTS
    assert run_stage(making, [bought_iron]) is RunStage.INPUTS
    assert run_stage(making, [bought_iron, row(TransactionType.DEBIT, "FUEL", "F1", TransactionCategory.REFUEL)]) \
        is RunStage.INPUTS
    assert run_stage(making, [bought_iron, delivered]) is RunStage.DELIVERED
    assert run_stage(making, [bought_iron, delivered, row(TransactionType.DEBIT, "COPPER", "F1")]) is RunStage.OUTPUT
    assert run_stage(making, [row(TransactionType.CREDIT, "COPPER", "C4")]) is RunStage.OUTPUT  # brought along
    assert run_stage(making, [row(TransactionType.DEBIT, "COPPER", "A2")]) is RunStage.INPUTS  # not its factory

    def clashes(stage, lane):
        return MarketClaims([manufacturing_claim("mfg", making, one_per_factory=True, stage=stage)]).clashes(
            route_claim("arb", lane))

    buys_iron_at_a2, delivers_iron_to_f1 = route("IRON", "A2", "B3"), route("IRON", "D5", "F1")
    buys_copper_at_f1, sells_copper_into_c4 = route("COPPER", "F1", "B3"), route("COPPER", "D5", "C4")
    assert [clashes(RunStage.INPUTS, lane) for lane in (buys_iron_at_a2, delivers_iron_to_f1, buys_copper_at_f1,
                                                         sells_copper_into_c4)] == [True, True, True, True]
    assert [clashes(RunStage.DELIVERED, lane) for lane in (buys_iron_at_a2, delivers_iron_to_f1, buys_copper_at_f1,
                                                            sells_copper_into_c4)] == [False, True, True, True]
    assert [clashes(RunStage.OUTPUT, lane) for lane in (buys_iron_at_a2, delivers_iron_to_f1, buys_copper_at_f1,
                                                         sells_copper_into_c4)] == [False, False, True, True]


def test_a_run_whose_sub_tree_shares_the_final_factory_holds_its_inputs_until_it_has_the_output():
    # MODULE made at F1 from MACHINERY (made at F1 too, from IRON bought at S1) and IRON bought at S1: the sub-tree's
    # IRON sold into F1 looks like a final delivery, but the root's own IRON is still to be bought at S1.
    f1, s1 = WaypointSymbol(f"{SYSTEM}-F1"), WaypointSymbol(f"{SYSTEM}-S1")
    iron = SupplyChainNode(good=TradeSymbol.IRON, method=AcquisitionMethod.BUY, market=s1)
    machinery = SupplyChainNode(good=TradeSymbol.MACHINERY, method=AcquisitionMethod.FABRICATE, market=f1,
                                children=(iron,))
    tree = SupplyChainNode(good=TradeSymbol.MODULE_CARGO_HOLD_I, method=AcquisitionMethod.FABRICATE, market=f1,
                           children=(machinery, iron))
    making = ManufacturingOpportunity(good=tree.good, sell_market=WaypointSymbol(f"{SYSTEM}-M1"), bid=9000,
                                      dependency_tree=tree, discovered_at=NOW)

    def row(kind, good, at):
        return LedgerTransaction(type=kind, category=TransactionCategory.CARGO_TRADE, amount=100, occurred_at=NOW,
                                 operation_id="mfg-1", good=good, units=10, waypoint=at)

    rows = [row(TransactionType.DEBIT, TradeSymbol.IRON, s1), row(TransactionType.CREDIT, TradeSymbol.IRON, f1),
            row(TransactionType.DEBIT, TradeSymbol.MACHINERY, f1)]
    assert run_stage(making, rows) is RunStage.INPUTS
    assert run_stage(making, [*rows, row(TransactionType.DEBIT, tree.good, f1)]) is RunStage.OUTPUT


def test_a_kind_put_first_keeps_every_pair_it_wants_and_the_other_kind_keeps_off_them():
    making = manufacturing_claim("mfg", make_opportunity("COPPER", f"{SYSTEM}-C4", 3000, source=f"{SYSTEM}-A2"),
                                 one_per_factory=True).whole
    into_c4 = route_claim("arb", route("COPPER", "D5", "C4")).whole  # sells COPPER into C4 too
    at_source = route_claim("arb", route("IRON", "A2", "B3")).whole  # buys IRON at A2, where the run buys its input
    apart = route_claim("arb", route("COPPER", "A2", "B3")).whole  # no pair in common with the run
    out_of_d5 = manufacturing_claim("mfg", make_opportunity("COPPER", f"{SYSTEM}-M9", 3000, factory=f"{SYSTEM}-D5"),
                                    one_per_factory=True).whole  # buys COPPER at D5, as into_c4 does

    assert lane_owners([("mfg", making), ("arb", into_c4)], first="arb") == [False, True]
    assert lane_owners([("mfg", making), ("arb", at_source)], first="arb") == [False, True]
    assert lane_owners([("mfg", making), ("arb", apart)], first="arb") == [True, True]
    assert lane_owners([("mfg", out_of_d5), ("arb", into_c4)], first="arb") == [False, True]
    # Work of one kind never keeps its own kind off: two lanes on one pair, or two runs, all stay.
    assert lane_owners([("arb", into_c4), ("arb", into_c4), ("mfg", making), ("mfg", out_of_d5)], first="arb") \
        == [True, True, False, False]
    assert lane_owners([("mfg", making), ("mfg", making)], first="arb") == [True, True]


def test_recent_runs_weigh_most_in_a_lanes_rate():
    rates = RecentRates()
    assert rates.rate("lane") is None
    rates.add("lane", 300_000, 1.0)
    assert rates.rate("lane") == 300_000
    rates.add("lane", 0, 1.0)  # the market is worn down: the lane now earns nothing
    assert rates.rate("lane") == 150_000 / 1.5
    rates.add("good", 10, 0.0)  # a run of no time counts as a second
    assert rates.rate("other", "good") == 36_000


def test_a_kinds_realization_is_what_its_runs_made_of_their_records_drawn_toward_one():
    kind = realization()
    assert kind.ratio is None and realized(500_000.0, kind) == 500_000.0
    kind.add(100_000, 400_000.0, 1.0)  # a quarter of its record; two prior runs of 400,000 earned theirs
    assert kind.ratio == (100_000 + 800_000) / (400_000 + 800_000)
    assert realized(500_000.0, kind) == 500_000.0 * 0.75
    assert realized(-50_000.0, kind) == -50_000.0  # a losing record is not made to look better
    kind.add(50_000, -10_000.0, 1.0)  # a lane recorded as losing promised nothing: not counted
    assert kind.runs == 1
    for _ in range(40):
        kind.add(-400_000, 400_000.0, 1.0)  # runs that lose what their records promised to earn
    assert kind.ratio < 0 and realized(500_000.0, kind) == 0.0
    for _ in range(60):
        kind.add(400_000, 400_000.0, 1.0)  # recent runs weigh most: the kind earns its records again
    assert kind.ratio > 0.9


def test_a_short_run_weighs_its_promise_and_one_far_above_its_record_does_not_raise_the_others():
    kind = realization()
    kind.add(900_000, 900_000.0, 1.0)
    kind.add(-300_000, 900_000.0, 1 / 6)  # ten minutes, then a loss: its promise was a sixth of the first's
    made, promised, runs = 900_000 * 0.95 - 300_000, 900_000 * 0.95 + 150_000, 1.95
    prior = 2 * promised / runs  # two runs of the mean promise, each earning just what it promised
    assert kind.ratio == pytest.approx((made + prior) / (promised + prior))  # about 0.78: the short run's loss
    lucky = realization()
    lucky.add(500_000, 100.0, 1.0)  # a record of about nothing, then a rich run
    assert realized(400_000.0, lucky) == 400_000.0  # at most the record itself
