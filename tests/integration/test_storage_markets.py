"""SqlMarketRepository on SQLite and PostgreSQL: the latest snapshot per market, prices named ask and bid."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.storage.market_repository import SqlMarketRepository
from domain.geometry import Position
from domain.goods import ActivityLevel, SupplyLevel, TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.symbols import SystemSymbol, WaypointSymbol
from test_storage_backends import database_url, db, postgres_url  # noqa: F401  (pytest fixtures)

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
SYSTEM = SystemSymbol("X1-DF55")


def priced_market(waypoint: str = "X1-DF55-A1", *, at: datetime = T0, iron_ask: int = 50) -> MarketSnapshot:
    goods = [
        MarketTradeGood(symbol=TradeSymbol.IRON, type=TradeGoodType.EXPORT, trade_volume=20,
                        supply=SupplyLevel.HIGH, ask=iron_ask, bid=iron_ask // 2, activity=ActivityLevel.STRONG),
        MarketTradeGood(symbol=TradeSymbol.MACHINERY, type=TradeGoodType.IMPORT, trade_volume=10,
                        supply=SupplyLevel.SCARCE, ask=3_000, bid=2_400, activity=ActivityLevel.WEAK),
        MarketTradeGood(symbol=TradeSymbol.FUEL, type=TradeGoodType.EXCHANGE, trade_volume=100,
                        supply=SupplyLevel.MODERATE, ask=72, bid=68),
    ]
    return MarketSnapshot(waypoint=WaypointSymbol(waypoint), observed_at=at,
                          imports=frozenset({TradeSymbol.MACHINERY, TradeSymbol.COPPER}),
                          trade_goods={good.symbol: good for good in goods}, position=Position(-12, 40))


def test_a_priced_market_comes_back_equal(db) -> None:
    markets = SqlMarketRepository(db)
    snapshot = priced_market()
    markets.record(snapshot)
    [stored] = markets.markets_in_system(SYSTEM)
    assert stored == snapshot
    assert stored.trade_goods == snapshot.trade_goods  # not part of ==: compared on their own
    assert stored.ask(TradeSymbol.IRON) == 50 and stored.bid(TradeSymbol.MACHINERY) == 2_400
    assert stored.trade_good(TradeSymbol.COPPER) is None  # listed, seen without prices
    assert stored.trade_good(TradeSymbol.FUEL).activity is None


def test_a_market_seen_without_a_ship_keeps_its_lists_only(db) -> None:
    markets = SqlMarketRepository(db)
    unpriced = MarketSnapshot(waypoint=WaypointSymbol("X1-DF55-B2"), observed_at=T0,
                              imports=frozenset({TradeSymbol.IRON}), exports=frozenset({TradeSymbol.MACHINERY}),
                              exchange=frozenset({TradeSymbol.FUEL}))
    empty = MarketSnapshot(waypoint=WaypointSymbol("X1-DF55-C3"), observed_at=T0)
    markets.record(unpriced)
    markets.record(empty)
    stored = {snapshot.waypoint: snapshot for snapshot in markets.markets_in_system(SYSTEM)}
    assert stored == {unpriced.waypoint: unpriced, empty.waypoint: empty}
    assert dict(stored[unpriced.waypoint].trade_goods) == {}
    assert stored[empty.waypoint].position is None


def test_the_latest_observation_replaces_the_previous_one(db) -> None:
    markets = SqlMarketRepository(db)
    markets.record(priced_market(iron_ask=50))
    newer = MarketSnapshot(waypoint=WaypointSymbol("X1-DF55-A1"), observed_at=T0 + timedelta(minutes=3),
                           exports=frozenset({TradeSymbol.IRON}))  # goods may disappear too
    markets.record(newer)
    [stored] = markets.markets_in_system(SYSTEM)
    assert stored.observed_at == newer.observed_at and stored.exports == newer.exports
    assert dict(stored.trade_goods) == {}
    # Waypoints do not move: an observation made without knowing the position keeps the stored one.
    assert stored.position == Position(-12, 40)


def test_an_older_observation_never_overwrites_a_newer_one(db) -> None:
    markets = SqlMarketRepository(db)
    markets.record(priced_market(at=T0 + timedelta(minutes=5), iron_ask=80))
    markets.record(priced_market(at=T0, iron_ask=50))  # a worker reporting late
    [stored] = markets.markets_in_system(SYSTEM)
    assert stored.observed_at == T0 + timedelta(minutes=5)
    assert stored.ask(TradeSymbol.IRON) == 80


def test_markets_are_listed_by_system(db) -> None:
    markets = SqlMarketRepository(db)
    here = [priced_market("X1-DF55-A1"), priced_market("X1-DF55-A2", iron_ask=60)]
    elsewhere = priced_market("X1-ZZ9-A1")
    for snapshot in (*here, elsewhere):
        markets.record(snapshot)
    stored = markets.markets_in_system(SYSTEM)
    assert sorted(stored, key=lambda s: s.waypoint) == here
    assert [s.ask(TradeSymbol.IRON) for s in sorted(stored, key=lambda s: s.waypoint)] == [50, 60]
    assert markets.markets_in_system(SystemSymbol("X1-ZZ9")) == [elsewhere]
    assert markets.markets_in_system(SystemSymbol("X1-NONE")) == []


def test_a_market_with_every_good_fits_in_one_recording(db) -> None:
    goods = {symbol: MarketTradeGood(symbol=symbol, type=TradeGoodType.EXCHANGE, trade_volume=10,
                                     supply=SupplyLevel.MODERATE, ask=100 + index, bid=90 + index)
             for index, symbol in enumerate(TradeSymbol)}
    everything = MarketSnapshot(waypoint=WaypointSymbol("X1-DF55-HUB"), observed_at=T0, trade_goods=goods)
    markets = SqlMarketRepository(db)
    markets.record(everything)
    [stored] = markets.markets_in_system(SYSTEM)
    assert dict(stored.trade_goods) == goods


def test_one_market_is_read_alone(db) -> None:
    markets = SqlMarketRepository(db)
    markets.record(priced_market("X1-DF55-A1", iron_ask=50))
    markets.record(priced_market("X1-DF55-A2", iron_ask=70))

    one = markets.market(WaypointSymbol("X1-DF55-A2"))

    assert one is not None and one.waypoint == "X1-DF55-A2"
    assert one.ask(TradeSymbol.IRON) == 70 and one.trade_goods == priced_market("X1-DF55-A2", iron_ask=70).trade_goods
    assert markets.market(WaypointSymbol("X1-DF55-Z9")) is None
