"""The RouteRanker port answered by the `spacetraders_rank_trade_routes` plugin chosen in the settings.

The strategy is chosen by name (`ST_ARBITRAGE_RANKING`), like the manufacturing ranking; our default answers when
the chosen plugin passes (returns None). Every answer is checked to be drawn from the routes given.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pluggy

from application.errors import StrategyError
from domain.trade_route import TradeRoute
from plugins.manager import UnknownStrategy, build_plugin_manager

TRADE_RANK_HOOK = "spacetraders_rank_trade_routes"
DEFAULT_TRADE_RANKING = "default_trade_ranking"


def trade_ranking_plugins(manager: pluggy.PluginManager) -> list[str]:
    """The plugins that implement the trade-route ranking hook."""
    return sorted(impl.plugin_name for impl in getattr(manager.hook, TRADE_RANK_HOOK).get_hookimpls())


class PluginRouteRanker:
    """Ranks with the plugin named `name`, then our default when it passes."""

    def __init__(self, name: str = DEFAULT_TRADE_RANKING, manager: pluggy.PluginManager | None = None) -> None:
        manager = manager or build_plugin_manager()
        known = trade_ranking_plugins(manager)
        if name not in known:
            raise UnknownStrategy(TRADE_RANK_HOOK, name, known)
        self.name = name
        self._chain: list[tuple[str, Any]] = [(name, getattr(manager.get_plugin(name), TRADE_RANK_HOOK))]
        if name != DEFAULT_TRADE_RANKING and DEFAULT_TRADE_RANKING in known:
            self._chain.append((DEFAULT_TRADE_RANKING,
                                getattr(manager.get_plugin(DEFAULT_TRADE_RANKING), TRADE_RANK_HOOK)))

    def rank(self, routes: Sequence[TradeRoute]) -> list[TradeRoute]:
        if not routes:
            return []
        for plugin, function in self._chain:
            try:
                answer = function(routes=list(routes))
            except Exception as exc:
                raise StrategyError(TRADE_RANK_HOOK, f"raised {type(exc).__name__}: {exc}", plugin) from exc
            if answer is not None:
                return _checked(plugin, answer, routes)
        raise StrategyError(TRADE_RANK_HOOK, "no plugin ranked the routes")


def _checked(plugin: str, answer: Any, given: Sequence[TradeRoute]) -> list[TradeRoute]:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)):
        raise StrategyError(TRADE_RANK_HOOK, f"returned {type(answer).__name__}, expected a list of routes", plugin)
    known = {route.key: route for route in given}
    seen: set[tuple] = set()
    for item in answer:
        if not isinstance(item, TradeRoute) or known.get(item.key) != item:
            raise StrategyError(TRADE_RANK_HOOK, f"returned {item!r:.80}, which it was not given", plugin)
        if item.key in seen:
            raise StrategyError(TRADE_RANK_HOOK, f"returned {item.good} {item.buy_market}->{item.sell_market} "
                                                 "twice", plugin)
        seen.add(item.key)
    return list(answer)
