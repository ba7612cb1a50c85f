"""Invariants of the domain values the worker and coordinator consume."""
import pickle
from datetime import datetime

import pytest

from domain.errors import InvalidSymbol, InvalidValue
from domain.fleet import ShipNavStatus, ShipRole, ShipSummary
from domain.goods import TradeSymbol as T
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType, net_credits
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from tests.fakes import DEFAULT_NOW, bundled_supply_chain, make_market

IRON = SupplyChainNode(T.IRON, AcquisitionMethod.BUY, "X1-B1", ask=50)
MACHINERY = SupplyChainNode(T.MACHINERY, AcquisitionMethod.FABRICATE, "X1-C1", children=(IRON,))


def test_ledger_net_is_credits_minus_debits_for_one_operation():
    def entry(kind, amount, category=TransactionCategory.CARGO_TRADE):
        return LedgerTransaction(kind, category, amount, DEFAULT_NOW, operation_id="op-1", good="IRON", units=10)

    rows = [
        entry(TransactionType.DEBIT, 500),
        entry(TransactionType.DEBIT, 72, TransactionCategory.REFUEL),
        entry(TransactionType.CREDIT, 2000),
    ]
    assert net_credits(rows) == 2000 - 500 - 72
    assert rows[0].signed_amount == -500 and rows[0].price_per_unit == 50
    assert rows[0].good is T.IRON and rows[0].type is TransactionType.DEBIT


@pytest.mark.parametrize(
    "changes",
    [{"amount": -1}, {"amount": 1.5}, {"units": 0}, {"occurred_at": datetime(2025, 1, 1)}, {"category": "LOTTERY"}],
)
def test_ledger_transactions_refuse_impossible_rows(changes):
    fields = dict(type="DEBIT", category="CARGO_TRADE", amount=10, occurred_at=DEFAULT_NOW) | changes
    with pytest.raises(InvalidValue):
        LedgerTransaction(**fields)


def test_ledger_symbols_are_validated():
    with pytest.raises(InvalidSymbol):
        LedgerTransaction("DEBIT", "REFUEL", 10, DEFAULT_NOW, ship="agent-1")


def test_an_opportunity_exposes_the_plan_fields():
    opportunity = ManufacturingOpportunity("MACHINERY", "X1-A1", 2000, MACHINERY, DEFAULT_NOW)
    assert opportunity.good is T.MACHINERY and opportunity.sell_market == "X1-A1"
    assert opportunity.tree_depth == 1 and opportunity.factory == "X1-C1"
    assert opportunity.first_stop is IRON and opportunity.required_inputs == (T.IRON,)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("ELECTRONICS", "X1-A1", 2000, MACHINERY, DEFAULT_NOW), "rooted at FABRICATE"),
        (("IRON", "X1-A1", 2000, IRON, DEFAULT_NOW), "rooted at FABRICATE"),
        (("MACHINERY", "X2-A1", 2000, MACHINERY, DEFAULT_NOW), "not in the system"),
        (("MACHINERY", "X1-A1", -5, MACHINERY, DEFAULT_NOW), "negative"),
        (("MACHINERY", "X1-A1", 2000, MACHINERY, DEFAULT_NOW.replace(tzinfo=None)), "timezone-aware"),
    ],
)
def test_an_opportunity_refuses_inconsistent_contents(args, problem):
    with pytest.raises(InvalidValue, match=problem):
        ManufacturingOpportunity(*args)


def test_ship_summary():
    ship = ShipSummary("AGENT-1", "X1-A1", 40, 15, 300, 400, 36, "COMMAND", "FRAME_FRIGATE")
    assert ship.free_cargo == 25 and ship.role is ShipRole.COMMAND and ship.nav_status is ShipNavStatus.DOCKED
    probe = ShipSummary("AGENT-2", "X1-A2", 0, 0, 0, 0, 9, "SATELLITE", "FRAME_PROBE")
    assert probe.free_cargo == 0
    with pytest.raises(InvalidValue):
        ShipSummary("AGENT-1", "X1-A1", 40, 41, 300, 400, 36, "COMMAND", "FRAME_FRIGATE")
    with pytest.raises(InvalidValue):
        ShipSummary("AGENT-1", "X1-A1", 40, 0, 401, 400, 36, "COMMAND", "FRAME_FRIGATE")



def test_values_sent_to_worker_processes_survive_pickling():
    values = [
        ManufacturingOpportunity("MACHINERY", "X1-A1", 2000, MACHINERY, DEFAULT_NOW),
        make_market("X1-A1", imports={"IRON": 60}, exports={"MACHINERY": 900}, position=(1, 2)),
        bundled_supply_chain(),
        LedgerTransaction("CREDIT", "CARGO_TRADE", 10, DEFAULT_NOW, ship="AGENT-1"),
        ShipSummary("AGENT-1", "X1-A1", 40, 15, 300, 400, 36, "COMMAND", "FRAME_FRIGATE"),
    ]
    for value in values:
        copy = pickle.loads(pickle.dumps(value))
        assert copy == value
    assert pickle.loads(pickle.dumps(values[0])).tree_depth == 1
