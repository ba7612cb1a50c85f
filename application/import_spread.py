"""Selling one load over several markets in turn, passing over those someone dumped into (SaturatedImports).

Both workers sell this way: the arbitrage worker over its route's import and the route's alternatives, the
manufacturing worker over the next-best known buyers of its good (`next_markets`) when its sell market turns out
saturated on arrival (any market paying at least the floor, not only imports, but never the factory the goods came
from). While units are left, each market is tried in turn:
- before the trip (not for a market already chosen for the run), one the sellers' one rule leaves out as last
  seen (application/sale_markets.py: its known bid is none, below the sale floor, or a saturated one) is
  skipped: a trip there would sell nothing;
- on arrival the market is looked at: one that does not buy the good, or whose bid now is saturated, is passed
  over (dumping more there would sell far under what it usually pays);
- else the worker's own lot-by-lot sale runs there, and decides when to stop.
Every skip leaves a note, so that a run that keeps its goods says why.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from application.game_port import GamePort
from application.ports import MarketRepository
from application.production_executor import look
from application.sale_markets import Down, sale_markets
from application.usual_bids import SaturatedImports
from domain.goods import TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.symbols import SystemSymbol, WaypointSymbol


@dataclass(slots=True)
class SpreadOutcome:
    """What a spread did: `notes` say why markets were skipped, `saturated` which were passed over as dumped into."""

    notes: list[str] = field(default_factory=list)
    saturated: list[WaypointSymbol] = field(default_factory=list)


class ImportSpread:
    """Tries imports in turn for one load (see the module docstring); `saturated` None judges no import dumped."""

    def __init__(self, game: GamePort, markets: MarketRepository | None,
                 saturated: SaturatedImports | None = None) -> None:
        self._game = game
        self._markets = markets
        self._saturated = saturated

    def sell(self, good: TradeSymbol, markets: Iterable[WaypointSymbol], floor: float, *,
             held: Callable[[], int], go: Callable[[WaypointSymbol], None],
             sell_at: Callable[[WaypointSymbol, MarketTradeGood], None],
             chosen: WaypointSymbol | None = None, outcome: SpreadOutcome | None = None) -> SpreadOutcome:
        """Take the load to each of `markets` in turn while `held()` is above zero: `go` flies there, `sell_at`
        sells lots at a market that buys `good` and is not saturated now, from the entry seen on arrival.
        `chosen` is the market the run was planned for: it is flown to without judging its known bid first."""
        outcome = outcome if outcome is not None else SpreadOutcome()
        for market in markets:
            if held() <= 0:
                break
            if market != chosen and self._left_out(market, good, floor, outcome):
                continue
            go(market)
            entry = look(self._game, self._markets, market).trade_good(good)
            if entry is None:
                outcome.notes.append(f"{market} does not buy {good}")
                continue
            if self._passed_over(market, good, entry.bid, outcome):
                continue
            sell_at(market, entry)
        return outcome

    def next_markets(self, system: SystemSymbol, good: TradeSymbol, floor: float, *,
                     exclude: Collection[WaypointSymbol] = ()) -> tuple[WaypointSymbol, ...]:
        """The known buyers of `good` in `system` worth a trip, best known bid first, by the sellers' one rule
        (`sale_markets`): not in `exclude`, a known bid not below `floor`, and not saturated as last seen."""
        if self._markets is None:
            return ()
        snapshots = self._markets.markets_in_system(system)
        return sale_markets(good, snapshots, self._down(snapshots), floor=floor, exclude=exclude).markets

    def _left_out(self, market: WaypointSymbol, good: TradeSymbol, floor: float, outcome: SpreadOutcome) -> bool:
        """Whether the sellers' one rule (`sale_markets`) leaves `market` out as last seen, with the note why; a
        market whose bid for `good` is not known yet is flown to and looked at."""
        snapshot = None if self._markets is None else self._markets.market(market)
        if snapshot is None or snapshot.bid(good) is None:
            return False
        found = sale_markets(good, (snapshot,), self._down((snapshot,)), floor=floor)
        if found.offers:
            return False
        outcome.notes.extend(found.notes() or [f"{market} does not buy {good}"])
        outcome.saturated.extend(offer.market for offer in found.saturated)
        return True

    def _down(self, snapshots: Iterable[MarketSnapshot]) -> Down:
        return {} if self._saturated is None else self._saturated.among(snapshots)

    def _passed_over(self, market: WaypointSymbol, good: TradeSymbol, bid: int, outcome: SpreadOutcome) -> bool:
        found = None if self._saturated is None else self._saturated.at(market, good, bid)
        if found is None:
            return False
        outcome.notes.append(f"{market} passed over: {found.describe()}")
        outcome.saturated.append(market)
        return True
