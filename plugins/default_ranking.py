"""Default ranking: the plan's rule, highest price paid by the sell market first."""
from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import compress, islice

from domain.opportunity import ManufacturingOpportunity
from plugins.hookspecs import hookimpl

_BID = operator.attrgetter("bid")


@hookimpl(trylast=True)
def spacetraders_rank_opportunities(
    opportunities: Sequence[ManufacturingOpportunity],
) -> list[ManufacturingOpportunity]:
    """Highest bid first; ties by shallower tree, then good and market so the order is stable."""
    # By bid alone first (a C-level key), then only the runs of equal bids by the full key: ties are few, and the
    # demand finder ranks a few hundred opportunities every discovery cycle.
    ranked = sorted(opportunities, key=_BID, reverse=True)
    bids = list(map(_BID, ranked))
    # Where a bid equals the one before it, found without a Python-level step per opportunity.
    repeats = compress(range(1, len(bids)), map(operator.eq, bids, islice(bids, 1, None)))
    end = 0
    for index in repeats:
        if index < end:
            continue  # inside a run already sorted
        start, end = index - 1, index + 1
        while end < len(bids) and bids[end] == bids[start]:
            end += 1
        ranked[start:end] = sorted(ranked[start:end], key=lambda o: (o.tree_depth, o.good, o.sell_market))
    return ranked
