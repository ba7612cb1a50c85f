"""The sellers' one rule for where a load goes: who counts as a buyer, the order, the floor, the dumped-into ones."""
from __future__ import annotations

from datetime import timedelta

from application.import_spread import ImportSpread
from application.sale_markets import sale_markets
from application.usual_bids import SaturatedImports
from domain.geometry import Position
from domain.goods import TradeGoodType, TradeSymbol
from domain.symbols import SystemSymbol
from domain.usual_bid import UsualBid, UsualBidRule
from tests.fake_game import FakeGame
from tests.fake_repositories import InMemoryUsualBids
from tests.fakes import FakeClock, InMemoryMarketRepository

IRON = TradeSymbol.IRON
A, B, C, D, E, F = (f"X1-{name}" for name in ("A1", "B2", "C3", "D4", "E5", "F6"))


def world() -> FakeGame:
    game = FakeGame(FakeClock())
    for waypoint, x in ((A, 0), (B, 10), (C, 50), (D, 20), (E, 30), (F, 40)):
        game.add_waypoint(waypoint, x, 0)
    game.add_good(B, "IRON", TradeGoodType.IMPORT, ask=400, bid=200)
    game.add_good(C, "IRON", TradeGoodType.EXCHANGE, ask=260, bid=250)  # an exchange buys too
    game.add_good(D, "IRON", TradeGoodType.IMPORT, ask=400, bid=250)  # the same bid as C3, nearer A1
    game.add_good(E, "IRON", TradeGoodType.EXPORT, ask=200, bid=90)  # an export pays, little
    game.add_good(F, "IRON", TradeGoodType.IMPORT, ask=400, bid=0)  # listed, pays nothing
    game.add_good(A, "FUEL", TradeGoodType.EXCHANGE, ask=70, bid=60)
    return game


def usual(game: FakeGame, **bids: int) -> SaturatedImports:
    """What IRON usually fetched at each market (waypoint suffix: bid), from a day of observations."""
    memory = InMemoryUsualBids()
    now = game.clock.now()
    memory.save([UsualBid(f"X1-{suffix}", IRON, float(bid), now, now - timedelta(days=1))
                 for suffix, bid in bids.items()])
    return SaturatedImports(memory, UsualBidRule())


def test_every_market_that_pays_is_a_buyer_best_bid_first_then_nearest_then_by_name():
    markets = world().snapshots()

    assert sale_markets(IRON, markets, near=Position(0, 0)).markets == (D, C, B, E)
    assert sale_markets(IRON, markets, near=Position(50, 0)).markets == (C, D, B, E)
    assert sale_markets(IRON, markets).markets == (C, D, B, E)  # no position: by name on a tie
    assert sale_markets(TradeSymbol.GOLD, markets).offers == ()


def test_the_floor_and_the_excluded_leave_markets_out_and_the_floor_says_why():
    found = sale_markets(IRON, world().snapshots(), floor=200, exclude={D})

    assert found.markets == (C, B)
    assert found.notes() == [f"{E} pays 90, below the floor 200"]


def test_an_import_someone_dumped_into_is_set_apart_with_its_reason():
    game = world()
    markets = game.snapshots()
    down = usual(game, D4=600, B2=250).among(markets)  # D4 pays 42% of its usual bid; B2 80%: not dumped into

    found = sale_markets(IRON, markets, down, near=Position(0, 0))

    assert found.markets == (C, B, E)
    assert [offer.market for offer in found.saturated] == [D]
    assert found.notes() == [f"{D} passed over: saturated: bid 250 is 42% of its usual 600"]


def test_a_spread_takes_the_same_markets_and_does_not_fly_to_one_the_rule_leaves_out():
    game = world()
    repository = InMemoryMarketRepository(game.snapshots())
    spread = ImportSpread(game, repository, usual(game, D4=600))

    assert spread.next_markets(SystemSymbol("X1"), IRON, 100, exclude={B}) == (C,)
    trips: list[str] = []
    outcome = spread.sell(IRON, (F, D, E), 100, held=lambda: 10, go=trips.append, sell_at=lambda *_: None)
    assert trips == []  # F pays nothing, D was dumped into, E pays below the floor
    assert outcome.notes == [f"{F} does not buy IRON", f"{D} passed over: saturated: bid 250 is 42% of its usual 600",
                             f"{E} pays 90, below the floor 100"]
    assert outcome.saturated == [D]
