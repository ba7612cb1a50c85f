"""What the fleet's work earns, as the fleet manager weighs another hauler against its price.

Two figures: the measured return (profit per hour of a ship's time over the runs finished lately, from the
coordinator's results) and, for an agent that has none yet, the price signal of the work waiting (the best lot
margin among the lanes no ship works). Times are those of the injected clock: in a compressed game they are
compressed too, and so are the spans compared with them (bootstrap scales both).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from application.worker_jobs import WorkerResult
from domain.opportunity import ManufacturingOpportunity
from domain.trade_route import TradeRoute


@dataclass(frozen=True, slots=True)
class MeasuredReturn:
    """The profit of `runs` runs over the `ship_seconds` of ship time they took."""

    profit: int
    ship_seconds: float
    runs: int

    @property
    def per_ship_second(self) -> float:
        return self.profit / self.ship_seconds if self.ship_seconds > 0 else 0.0

    @property
    def per_ship_hour(self) -> float:
        return self.per_ship_second * 3600


def measured_return(results: Iterable[WorkerResult], *, since: datetime) -> MeasuredReturn | None:
    """The return of the manufacturing and trade runs that finished at `since` or later; None when there is none.

    Total profit over total ship time, so each run weighs by the time it held its ship: a long losing run is not
    outweighed by a quick small win, and the figure is what an hour of a working ship earned. Cancelled runs (a
    stop cut them short, their cargo unsold) and stranded-cargo clearances (no lane's work) are left out; failed
    runs count with the money their ledger rows moved, which is what they cost.
    """
    profit, seconds, runs = 0, 0.0, 0
    for result in results:
        if not result.counted or result.finished_at < since:
            continue
        profit += result.profit
        seconds += result.seconds
        runs += 1
    return MeasuredReturn(profit, seconds, runs) if runs else None


def fleet_rate(results: Iterable[WorkerResult], *, since: datetime, until: datetime) -> float:
    """The whole fleet's profit per hour of game clock over [since, until]: each run of a kind of work that finished
    by `until` counts with the share of its profit its time spent in the span (a run that finished at the edge would
    otherwise move a span's figure by a whole run's profit), whatever ship made it; 0 when none ran then. Runs still
    going at `until` are left out, as a span ending now cannot count them either: two spans compare alike. Unlike
    `measured_return`, per hour of the clock, not of a ship: what one more hauler adds is the change of this figure,
    since in a system whose lanes are all worked the new ship's runs take profit from the others' rather than adding
    their own."""
    hours = (until - since).total_seconds() / 3600
    if hours <= 0:
        return 0.0
    profit = 0.0
    for result in results:
        if not result.counted or result.finished_at > until:
            continue
        took = result.seconds
        if took <= 0:
            profit += result.profit if since <= result.finished_at else 0
            continue
        inside = (min(result.finished_at, until) - max(result.started_at, since)).total_seconds()
        profit += result.profit * max(0.0, inside) / took
    return profit / hours


def opportunity_lot_profit(opportunity: ManufacturingOpportunity) -> int | None:
    """The sell market's bid over the factory's ask, times one lot of the sell market; None when either is unknown
    (a manufacturing opportunity carries no profit estimate of its own)."""
    ask = opportunity.dependency_tree.ask
    if ask is None or not opportunity.trade_volume:
        return None
    return (opportunity.bid - ask) * opportunity.trade_volume


def waiting_lot_profit(routes: Iterable[TradeRoute], opportunities: Iterable[ManufacturingOpportunity]
                       ) -> int | None:
    """The price signal of the work no ship does: the best lot margin among `routes` and `opportunities` (those
    without a worker, as the caller knows); None when none has one."""
    signals = [route.lot_profit for route in routes]
    signals += [profit for opportunity in opportunities if (profit := opportunity_lot_profit(opportunity)) is not None]
    return max(signals, default=None)
