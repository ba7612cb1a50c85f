"""Where a load of one good may be sold: the one rule every seller follows.

The manufacturing worker (the next-best markets when its sell market does not take the whole load), the trade
worker (its route's import and alternatives, judged again before each trip, in ImportSpread) and the stranded-cargo
seller all choose markets with `sale_markets`. (Which imports a trade route lists as alternatives is the route
finder's choice, made at discovery from the imports only; this rule judges them again before each trip.)
- a market is a buyer when its last known bid for the good is above zero (an import, an exchange, or an export
  that pays: what pays is what counts, the market's role does not);
- one in `exclude`, or paying below `floor`, is left out (a note says so for the floor);
- one someone dumped the good into (`down`, from SaturatedImports) is set apart in `saturated` with its reason:
  selling there deepens the dump, so the workers never go there and the stranded-cargo seller only when the hold
  is too full for the ship to work;
- the rest are `offers`, best known bid first, then the nearest to `near` (when given), then by symbol.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from application.usual_bids import SaturatedImport
from domain.geometry import Position, distance
from domain.goods import TradeSymbol
from domain.market import MarketSnapshot
from domain.symbols import WaypointSymbol

Down = Mapping[tuple[WaypointSymbol, TradeSymbol], SaturatedImport]


@dataclass(frozen=True, slots=True)
class SaleOffer:
    """`market` paid `bid` for the good when last seen; `saturated` says why it is dumped into, if it is."""

    market: WaypointSymbol
    bid: int
    saturated: SaturatedImport | None = None

    def note(self) -> str:
        """What is known of the offer, in a run's notes and the logs."""
        if self.saturated is None:
            return f"{self.market} pays {self.bid}"
        return f"{self.market} passed over: {self.saturated.describe()}"


@dataclass(frozen=True, slots=True)
class SaleMarkets:
    """The markets a load of `good` may go to (see the module docstring)."""

    good: TradeSymbol
    offers: tuple[SaleOffer, ...] = ()
    saturated: tuple[SaleOffer, ...] = ()
    below_floor: tuple[str, ...] = ()

    @property
    def markets(self) -> tuple[WaypointSymbol, ...]:
        """The markets worth a trip, best first."""
        return tuple(offer.market for offer in self.offers)

    def notes(self) -> list[str]:
        """Why each known buyer left out was, by market."""
        return sorted([*(offer.note() for offer in self.saturated), *self.below_floor])


def sale_markets(good: TradeSymbol, snapshots: Iterable[MarketSnapshot], down: Down | None = None, *,
                 floor: float = 0.0, exclude: Collection[WaypointSymbol] = (),
                 near: Position | None = None) -> SaleMarkets:
    """Where a load of `good` may be sold among the markets last seen in `snapshots` (see the module docstring)."""
    down = down or {}
    offers: list[tuple[SaleOffer, MarketSnapshot]] = []
    saturated: list[tuple[SaleOffer, MarketSnapshot]] = []
    below: list[str] = []
    for snapshot in snapshots:
        bid = snapshot.bid(good)
        if not bid or snapshot.waypoint in exclude:
            continue
        if bid < floor:
            below.append(f"{snapshot.waypoint} pays {bid}, below the floor {floor:.0f}")
            continue
        dumped = down.get((snapshot.waypoint, good))
        (offers if dumped is None else saturated).append((SaleOffer(snapshot.waypoint, bid, dumped), snapshot))

    def best_first(found: list[tuple[SaleOffer, MarketSnapshot]]) -> tuple[SaleOffer, ...]:
        found.sort(key=lambda pair: (-pair[0].bid, distance(near, pair[1].position) if near is not None else 0.0,
                                     pair[0].market))
        return tuple(offer for offer, _ in found)

    return SaleMarkets(good, best_first(offers), best_first(saturated), tuple(below))
