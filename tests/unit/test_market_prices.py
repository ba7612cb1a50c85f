"""The two prices of a market good are mapped from the API once, and cannot be swapped unnoticed.

purchasePrice is what WE PAY to buy (domain `ask`); sellPrice is what THE MARKET PAYS US
(domain `bid`), which is the plan's "purchase price" of an import market (facts sheet 7.1).
"""
from dataclasses import dataclass
from datetime import datetime

import msgspec
import pytest

from adapters.wire import models as wire
from domain.errors import InvalidSymbol, InvalidValue
from domain.goods import ActivityLevel, SupplyLevel, TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood, market_snapshot_from_api, trade_good_from_api
from tests.fakes import DEFAULT_NOW

# A real answer (acdtunes' SHIP_PLATING): buying costs 2802, selling earns 1392.
MARKET_JSON = b"""{
  "symbol": "X1-DF55-B7",
  "exports": [{"symbol": "SHIP_PLATING", "name": "Ship Plating", "description": "."}],
  "imports": [{"symbol": "ELECTRONICS", "name": "Electronics", "description": "."}],
  "exchange": [{"symbol": "FUEL", "name": "Fuel", "description": "."}],
  "tradeGoods": [
    {"symbol": "SHIP_PLATING", "type": "EXPORT", "tradeVolume": 10, "supply": "HIGH",
     "activity": "STRONG", "purchasePrice": 2802, "sellPrice": 1392},
    {"symbol": "ELECTRONICS", "type": "IMPORT", "tradeVolume": 20, "supply": "SCARCE",
     "activity": "GROWING", "purchasePrice": 6400, "sellPrice": 3100},
    {"symbol": "FUEL", "type": "EXCHANGE", "tradeVolume": 100, "supply": "MODERATE",
     "purchasePrice": 72, "sellPrice": 68}
  ]
}"""


@dataclass
class ApiGood:
    """Stands for the wire struct: the API's names, snake_cased."""

    symbol: str
    type: str
    trade_volume: int
    supply: str
    purchase_price: int
    sell_price: int
    activity: str | None = None


def test_purchase_price_is_what_we_pay_and_sell_price_is_what_the_market_pays_us():
    good = trade_good_from_api(
        ApiGood("SHIP_PLATING", "EXPORT", 10, "HIGH", purchase_price=2802, sell_price=1392, activity="STRONG")
    )
    assert good.ask == 2802  # we pay this to buy
    assert good.bid == 1392  # the market pays us this when we sell


def test_a_swap_of_the_api_prices_changes_the_domain_prices():
    # Feeding the same numbers the other way round must not give the same result.
    straight = trade_good_from_api(ApiGood("IRON", "EXPORT", 10, "HIGH", purchase_price=100, sell_price=40))
    swapped = trade_good_from_api(ApiGood("IRON", "EXPORT", 10, "HIGH", purchase_price=40, sell_price=100))
    assert (straight.ask, straight.bid) == (100, 40)
    assert (swapped.ask, swapped.bid) == (40, 100)


def test_a_real_market_answer_decoded_by_the_wire_models_maps_to_the_right_prices():
    market = msgspec.json.decode(MARKET_JSON, type=wire.Market)
    snapshot = market_snapshot_from_api(market, observed_at=DEFAULT_NOW)

    assert snapshot.waypoint == "X1-DF55-B7" and snapshot.system == "X1-DF55"
    assert snapshot.imports == {TradeSymbol.ELECTRONICS}
    assert snapshot.exports == {TradeSymbol.SHIP_PLATING}
    assert snapshot.exchange == {TradeSymbol.FUEL}
    # The import market pays us 3100 per unit of ELECTRONICS (the plan's "purchase price").
    assert snapshot.bid(TradeSymbol.ELECTRONICS) == 3100
    assert snapshot.ask(TradeSymbol.ELECTRONICS) == 6400
    assert snapshot.ask(TradeSymbol.SHIP_PLATING) == 2802
    assert snapshot.bid(TradeSymbol.SHIP_PLATING) == 1392
    fuel = snapshot.trade_good(TradeSymbol.FUEL)
    assert fuel.type is TradeGoodType.EXCHANGE and fuel.activity is None and fuel.trade_volume == 100
    plating = snapshot.trade_good(TradeSymbol.SHIP_PLATING)
    assert plating.supply is SupplyLevel.HIGH and plating.activity is ActivityLevel.STRONG


def test_a_market_seen_without_a_ship_has_lists_but_no_prices():
    market = msgspec.json.decode(
        b'{"symbol": "X1-A1", "exports": [], "imports": [{"symbol": "IRON", "name": "", "description": ""}],'
        b' "exchange": []}',
        type=wire.Market,
    )
    snapshot = market_snapshot_from_api(market, observed_at=DEFAULT_NOW)
    assert snapshot.imports == {TradeSymbol.IRON}
    assert snapshot.bid(TradeSymbol.IRON) is None and snapshot.trade_goods == {}


def test_unknown_goods_and_levels_from_the_api_are_typed_errors():
    with pytest.raises(InvalidSymbol):
        trade_good_from_api(ApiGood("UNOBTAINIUM", "EXPORT", 10, "HIGH", 1, 1))
    with pytest.raises(InvalidValue, match="SupplyLevel"):
        trade_good_from_api(ApiGood("IRON", "EXPORT", 10, "PLENTY", 1, 1))


def test_trade_good_invariants():
    with pytest.raises(InvalidValue):
        MarketTradeGood(TradeSymbol.IRON, TradeGoodType.EXPORT, 0, SupplyLevel.HIGH, ask=10, bid=5)
    with pytest.raises(InvalidValue):
        MarketTradeGood(TradeSymbol.IRON, TradeGoodType.EXPORT, 10, SupplyLevel.HIGH, ask=-1, bid=5)


def test_a_good_cannot_be_in_two_categories_of_one_market():
    with pytest.raises(InvalidValue, match="more than one category"):
        MarketSnapshot("X1-A1", DEFAULT_NOW, imports=frozenset({"IRON"}), exports=frozenset({"IRON"}))


def test_snapshots_need_an_aware_time():
    with pytest.raises(InvalidValue, match="timezone-aware"):
        MarketSnapshot("X1-A1", datetime(2025, 1, 1))
