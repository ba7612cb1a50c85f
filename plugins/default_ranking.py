"""Default ranking: the plan's rule, highest price paid by the sell market first."""
from __future__ import annotations

from collections.abc import Sequence

from domain.opportunity import ManufacturingOpportunity
from plugins.hookspecs import hookimpl


@hookimpl(trylast=True)
def spacetraders_rank_opportunities(
    opportunities: Sequence[ManufacturingOpportunity],
) -> list[ManufacturingOpportunity]:
    """Highest bid first; ties by shallower tree, then good and market so the order is stable."""
    return sorted(opportunities, key=lambda o: (-o.bid, o.tree_depth, o.good, o.sell_market))
