"""Default trade-route ranking: the price signal, the margin on one lot, discounted by the age of the prices."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from domain.trade_route import TradeRoute
from plugins.hookspecs import hookimpl

# A delivery that also grows a short export at the factory it feeds is worth this much more. A constant of this
# ranking, not a setting: a ranking is chosen by name and its hook is given only the routes, so weighing feeders
# otherwise is another ranking (ST_ARBITRAGE_RANKING), not a knob of this one.
FEEDER_BONUS = 1.1


def signal_weight(route: TradeRoute, now: datetime | None = None) -> float:
    """How much a route's price signal counts: its freshness (half for every `price_half_life` the older price has
    aged; the real game's imports and exports drift back over hours), times the feeder bonus."""
    return route.freshness(now or route.discovered_at) * (FEEDER_BONUS if route.feeds else 1.0)


def price_score(route: TradeRoute, now: datetime | None = None) -> float:
    """The lot profit, weighed by signal_weight."""
    return route.lot_profit * signal_weight(route, now)


@hookimpl(trylast=True)
def spacetraders_rank_trade_routes(routes: Sequence[TradeRoute]) -> list[TradeRoute]:
    """Highest discounted lot profit first; ties by shorter trip, then good and markets so the order is stable."""
    now = max((route.discovered_at for route in routes), default=datetime.now(UTC))
    return sorted(routes, key=lambda r: (-price_score(r, now), r.distance if r.distance is not None else 1e18,
                                         r.good, r.buy_market, r.sell_market))
