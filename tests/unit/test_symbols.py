"""Symbols validate on construction and behave like the strings the API sends."""
import pickle

import pytest

from domain.errors import InvalidSymbol
from domain.goods import SupplyLevel, TradeSymbol
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol


@pytest.mark.parametrize(
    ("waypoint", "system"),
    [("X1-DF55-A1", "X1-DF55"), ("X1-A1", "X1"), ("X1-DF55-20250C", "X1-DF55"), ("X1-B1", "X1")],
)
def test_waypoint_derives_its_system(waypoint, system):
    symbol = WaypointSymbol(waypoint)
    assert symbol.system == system
    assert isinstance(symbol.system, SystemSymbol)


def test_symbols_compare_and_hash_like_the_plain_text():
    symbol = WaypointSymbol("X1-DF55-A1")
    assert symbol == "X1-DF55-A1"
    assert {"X1-DF55-A1": 1}[symbol] == 1
    assert {symbol: 1}["X1-DF55-A1"] == 1
    assert str(symbol) == "X1-DF55-A1"
    assert WaypointSymbol(symbol) is symbol


def test_symbols_survive_pickling_for_worker_processes():
    for symbol in (WaypointSymbol("X1-DF55-A1"), SystemSymbol("X1-DF55"), ShipSymbol("AGENT-1")):
        copy = pickle.loads(pickle.dumps(symbol))
        assert copy == symbol and type(copy) is type(symbol)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "empty"),
        ("x1-df55-a1", "upper case"),
        ("X1-DF55-a1", "upper case"),
        ("X1 DF55-A1", "whitespace"),
        (" X1-DF55-A1", "whitespace"),
        ("X1-DF55-A1\n", "whitespace"),
        ("X1-DF55-A1!", "expected"),
        ("X1_DF55-A1", "expected"),
        ("X1--A1", "expected"),
        ("X1-DF55-", "expected"),
        ("-X1-A1", "expected"),
        ("X1", "expected"),  # a waypoint needs a system part
        (None, "expected text"),
        (42, "expected text"),
    ],
)
def test_malformed_waypoints_are_refused_with_a_typed_error(value, why):
    with pytest.raises(InvalidSymbol, match=why) as caught:
        WaypointSymbol(value)
    assert caught.value.kind == "waypoint symbol"
    assert isinstance(caught.value, ValueError)  # generic handlers still catch it


@pytest.mark.parametrize("value", ["", "x1", "X1-", "X1 DF55", "X1/DF55"])
def test_malformed_systems_are_refused(value):
    with pytest.raises(InvalidSymbol):
        SystemSymbol(value)


@pytest.mark.parametrize("value", ["AGENT-1", "MY_AGENT-1A", "BOT7-12"])
def test_ship_symbols(value):
    assert ShipSymbol(value) == value


@pytest.mark.parametrize("value", ["", "agent-1", "AGENT 1", "AGENT-1!", "AGENT--1"])
def test_malformed_ship_symbols_are_refused(value):
    with pytest.raises(InvalidSymbol):
        ShipSymbol(value)


def test_trade_symbols_parse_with_a_typed_error():
    assert TradeSymbol.parse("ADVANCED_CIRCUITRY") is TradeSymbol.ADVANCED_CIRCUITRY
    assert len(TradeSymbol) == 145
    with pytest.raises(InvalidSymbol):
        TradeSymbol.parse("advanced_circuitry")
    with pytest.raises(InvalidSymbol):
        TradeSymbol.parse("UNOBTAINIUM")


def test_supply_levels_order_from_scarce_to_abundant_not_alphabetically():
    # As plain text, "ABUNDANT" < "SCARCE"; the domain must not inherit that.
    assert SupplyLevel.SCARCE < SupplyLevel.LIMITED < SupplyLevel.MODERATE < SupplyLevel.HIGH < SupplyLevel.ABUNDANT
    assert max(SupplyLevel) is SupplyLevel.ABUNDANT
    assert SupplyLevel.HIGH >= SupplyLevel.MODERATE
    assert not SupplyLevel.ABUNDANT < SupplyLevel.SCARCE
