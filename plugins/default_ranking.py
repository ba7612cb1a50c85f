"""Default ranking: the plan's rule, highest price paid by the sell market first."""
from __future__ import annotations

import operator
from collections.abc import Sequence

from domain.opportunity import ManufacturingOpportunity
from plugins.hookspecs import hookimpl

_BID = operator.attrgetter("bid")


@hookimpl(trylast=True)
def spacetraders_rank_opportunities(
    opportunities: Sequence[ManufacturingOpportunity],
) -> list[ManufacturingOpportunity]:
    """Highest bid first; ties by shallower tree, then good and market so the order is stable."""
    # By bid alone first (a C-level key), then only the runs of equal bids by the full key: ties are rare, and the
    # demand finder ranks a few hundred opportunities every discovery cycle.
    ranked = sorted(opportunities, key=_BID, reverse=True)
    start = 0
    while start < len(ranked):
        end = start + 1
        while end < len(ranked) and ranked[end].bid == ranked[start].bid:
            end += 1
        if end - start > 1:
            ranked[start:end] = sorted(ranked[start:end], key=lambda o: (o.tree_depth, o.good, o.sell_market))
        start = end
    return ranked
