"""Trade arbitrage beside manufacturing on one shared fleet, against a real game server process, with the real
coordinator and its worker processes (issue 16).

Before the bot starts, the agent buys a second cargo ship (a light shuttle at the probe's shipyard), and two things
are put into what the bot believes of the markets, as a stale or misleading probe reading would:
- a market that does not trade RELIC_TECH at all is said to pay a fortune for it: the lane from the headquarters
  (which exports RELIC_TECH) is the best-looking one, a worker buys there and finds no buyer, the run loses money,
  and the good must then be paused for trading (pause after one loss);
- the import of MERITIUM at X1-UP2-A4 (next to the MERITIUM export at A2, a very good lane) is said to be
  saturated (supply HIGH): no route may sell MERITIUM there for as long as the bot believes it (until a probe
  sees the market again).
Then both kinds of work must have run on the two ships, and the ledger must equal the change of credits.
No assertion is on time: the limits only bound how long the test may take.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers

from adapters.game_server.http_server_process import GameServerProcess
from domain.fleet import ShipType
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.symbols import WaypointSymbol
from domain.universe import WaypointTrait
from tests.e2e.bot_run import BotRun

pytestmark = pytest.mark.e2e

SPEED = 120.0  # game seconds per wall second
LIMIT = 240.0  # wall seconds of running at most
DRAIN = 45.0  # wall seconds the running workers get to sell what they hold
RELIC, MERITIUM = TradeSymbol.RELIC_TECH, TradeSymbol.MERITIUM
ENV = {"ST_MANUFACTURING_MAX_WORKERS": "1", "ST_ARBITRAGE_MAX_WORKERS": "1", "ST_ARBITRAGE_ENABLED": "true",
       "ST_MANUFACTURING_PAUSE_AFTER_LOSSES": "1", "ST_MANUFACTURING_PAUSE_AFTER_LOSSES_FOR": "24h"}


class RecordingFinder:
    """The bot's own TradeRouteFinder, with what the bot believed of A4's MERITIUM import at each search."""

    def __init__(self, finder, markets, system: str) -> None:
        self._finder = finder
        self._markets = markets
        self._system = system
        self.searches: list[tuple[bool, bool, list]] = []  # (A4 believed saturated, the lane would pay, routes)

    def find(self, system, **kwargs):
        snapshots = {s.waypoint: s for s in self._markets.markets_in_system(self._system)}
        a2, a4 = snapshots.get(WaypointSymbol(f"{self._system}-A2")), snapshots.get(WaypointSymbol(f"{self._system}-A4"))
        export = a2.trade_good(MERITIUM) if a2 else None
        wanted = a4.trade_good(MERITIUM) if a4 else None
        saturated = wanted is not None and wanted.supply >= SupplyLevel.HIGH
        pays = export is not None and wanted is not None and wanted.bid >= export.ask * 1.15
        routes = self._finder.find(system, **kwargs)
        self.searches.append((saturated, pays, list(routes)))
        return routes


def test_arbitrage_and_manufacturing_share_the_fleet_a_losing_good_is_paused_and_a_saturated_import_avoided(
        tmp_path: Path):
    with GameServerProcess(data_dir=tmp_path / "server", seed=1, speed=SPEED, rate_limit="on") as server:
        bot = BotRun.start(server.base_url, tmp_path / "bot", speed=SPEED, env=ENV)
        container = bot.container
        game, markets, clock = container.game(), container.markets(), container.clock()
        system = str(container.runtime().system)
        hq, yard, a4 = (WaypointSymbol(f"{system}-{name}") for name in ("A1", "A2", "A4"))
        game.purchase_ship(ShipType.SHIP_LIGHT_SHUTTLE, yard)  # the probe is there; before the run's ledger
        waypoints = {w.symbol: w for w in game.waypoints(WaypointSymbol(hq).system)}

        home = game.market(hq)  # the frigate is there: prices
        assert home.trade_good(RELIC).type is TradeGoodType.EXPORT
        # A market away from the headquarters that does not trade RELIC_TECH, said to pay 40,000 for it.
        liar = next(w.symbol for w in sorted(waypoints.values(), key=lambda w: w.symbol)
                    if WaypointTrait.MARKETPLACE in w.traits and w.position != waypoints[hq].position
                    and RELIC not in (lists := game.market(w.symbol)).imports | lists.exports | lists.exchange
                    and lists.imports)
        now = clock.now()
        markets.record(MarketSnapshot(liar, now, imports=frozenset({RELIC}), position=waypoints[liar].position,
                                      trade_goods={RELIC: MarketTradeGood(RELIC, TradeGoodType.IMPORT, 6,
                                                                          SupplyLevel.LIMITED, 80_000, 40_000)}))
        # A4's MERITIUM import, believed saturated (its real lists, its bid, supply HIGH).
        real = game.market(a4)
        markets.record(MarketSnapshot(a4, now, imports=real.imports, exports=real.exports, exchange=real.exchange,
                                      position=waypoints[a4].position,
                                      trade_goods={MERITIUM: MarketTradeGood(MERITIUM, TradeGoodType.IMPORT, 60,
                                                                             SupplyLevel.HIGH, 9_400, 4_500)}))
        recorder = RecordingFinder(container.route_finder(), markets, system)
        container.route_finder.override(providers.Object(recorder))
        coordinator = bot.coordinator

        def both_ran_and_the_loss_is_paused() -> bool:
            kinds = {r.kind for r in coordinator.results if r.quantity_sold > 0 and r.profit > 0}
            return {"manufacturing", "arbitrage"} <= kinds and RELIC in coordinator.paused_trades()

        record = bot.run(both_ran_and_the_loss_is_paused, limit=LIMIT, drain=DRAIN)

    summary = [(r.kind, str(r.good), r.outcome, r.profit, r.quantity_sold, r.error) for r in record.results]
    # The lie was taken once, lost money, and RELIC_TECH was paused: no second RELIC_TECH trade was started.
    relic = [r for r in record.results if r.kind == "arbitrage" and r.good == RELIC]
    assert len(relic) == 1 and relic[0].profit < 0 and relic[0].quantity_sold == 0, summary
    assert RELIC in coordinator.paused_trades()
    # While A4's MERITIUM import was believed saturated, and the lane from A2 would otherwise pay, no route sold
    # MERITIUM to A4.
    believed = [(pays, routes) for saturated, pays, routes in recorder.searches if saturated]
    assert any(pays for pays, _ in believed), recorder.searches[:2]
    assert all(not (r.good == MERITIUM and r.sell_market == a4) for _, routes in believed for r in routes)
    # Both kinds of work sold at a profit on the shared fleet, under their own operations and ledger categories.
    for kind in ("manufacturing", "arbitrage"):
        assert any(r.kind == kind and r.quantity_sold > 0 and r.profit > 0 for r in record.results), summary
    categories = {row.category.value for row in record.ledger_rows if row.operation_id
                  and row.operation_id.startswith("arb-") and row.good not in (None, TradeSymbol.FUEL)}
    assert categories == {"TRADE_ARBITRAGE"}
    # Every credit is in the ledger, and stopping released every ship.
    assert record.ledger_net == record.credit_change
    assert record.assigned == ()
