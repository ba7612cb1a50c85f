"""Errors raised by the application layer (use cases and the ports they call)."""
from __future__ import annotations

from domain.goods import TradeSymbol
from domain.supply_chain import UnresolvableReason


class ApplicationError(Exception):
    """Base of every error the application layer raises."""


class UnresolvableGood(ApplicationError):
    """No dependency tree can be built for `good` from the known markets and the map.

    `path` runs from the requested good to the one that failed, e.g.
    (ADVANCED_CIRCUITRY, ELECTRONICS, COPPER) when no market sells COPPER.
    """

    def __init__(
        self, good: TradeSymbol, reason: UnresolvableReason, detail: str, path: tuple[TradeSymbol, ...] = ()
    ) -> None:
        self.good = good
        self.reason = reason
        self.detail = detail
        self.path = path or (good,)
        super().__init__(f"no tree for {good}: {reason}: {detail}")


class StrategyError(ApplicationError):
    """A strategy (ranking, ship selection) failed or answered nonsense.

    `plugin` names the plugin at fault when one is known, so the operator knows what to
    uninstall or fix; `hook` is the strategy that was being asked.
    """

    def __init__(self, hook: str, problem: str, plugin: str | None = None) -> None:
        self.hook = hook
        self.problem = problem
        self.plugin = plugin
        where = f"plugin {plugin!r}" if plugin else "strategy plugins"
        super().__init__(f"{where} failed in {hook}: {problem}")
