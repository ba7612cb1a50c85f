"""The one PluginManager, and the adapters that put its hooks behind the Ranker and ShipSelector ports.

Plugins, ours included, arrive through the `spacetraders.plugins` entry-point group, exactly as
a third-party package's would. Nothing is loaded at import: `build_plugin_manager` does it when
the composition root asks.

The strategy hooks are `firstresult`, and pluggy alone would not say WHICH plugin raised or
answered nonsense. The adapters therefore call the implementations one by one, in pluggy's
own order (later-registered and `tryfirst` first, `trylast` last), so every error names its
plugin. Hook wrappers are refused for these hooks for the same reason.
"""
from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pluggy

from application.errors import StrategyError
from domain.fleet import ShipSummary
from domain.opportunity import ManufacturingOpportunity
from plugins import hookspecs
from plugins.hookspecs import ENTRY_POINT_GROUP, PROJECT_NAME

RANK_HOOK = "spacetraders_rank_opportunities"
SELECT_HOOK = "spacetraders_select_ship"
STRATEGY_HOOKS = (RANK_HOOK, SELECT_HOOK)


class PluginLoadError(StrategyError):
    """A plugin could not be imported or registered (bad module, misspelt hook, bad signature)."""

    def __init__(self, plugin: str, problem: str) -> None:
        super().__init__("plugin loading", problem, plugin)


def build_plugin_manager(
    *,
    load_entry_points: bool = True,
    blocked: Iterable[str] = (),
    plugins: Mapping[str, object] | None = None,
) -> pluggy.PluginManager:
    """A PluginManager with our hookspecs and the plugins of the entry-point group registered.

    `blocked` names plugins to skip (how configuration switches a strategy off, defaults
    included); `plugins` registers extra plugin objects by name (for the composition root).
    Raises PluginLoadError naming the plugin at fault.
    """
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for name in blocked:
        manager.set_blocked(name)
    if load_entry_points:
        _load_entry_points(manager)
    for name, plugin in (plugins or {}).items():
        register_plugin(manager, plugin, name)
    return manager


def register_plugin(manager: pluggy.PluginManager, plugin: object, name: str) -> None:
    """Register `plugin` under `name`, turning pluggy's complaints into PluginLoadError."""
    try:
        manager.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginLoadError(name, str(exc)) from exc
    except ValueError as exc:  # the name or the object is already registered
        raise PluginLoadError(name, str(exc)) from exc
    try:
        manager.check_pending()  # a misspelt spacetraders_* hook would otherwise be ignored silently
    except pluggy.PluginValidationError as exc:
        culprit = manager.get_name(exc.plugin) or name
        manager.unregister(name=culprit)
        raise PluginLoadError(culprit, str(exc)) from exc


def strategy_plugins(manager: pluggy.PluginManager) -> dict[str, list[str]]:
    """For each strategy hook, the plugins that implement it, in the order they are asked."""
    return {
        hook: [impl.plugin_name for impl in reversed(getattr(manager.hook, hook).get_hookimpls())]
        for hook in STRATEGY_HOOKS
    }


class PluginRanker:
    """The Ranker port, answered by the `spacetraders_rank_opportunities` plugins."""

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self._manager = manager

    def rank(self, opportunities: Sequence[ManufacturingOpportunity]) -> list[ManufacturingOpportunity]:
        """The first plugin answer, checked to be a list drawn from `opportunities` without repeats."""
        if not opportunities:
            return []
        plugin, answer = _first_answer(self._manager, RANK_HOOK, {"opportunities": list(opportunities)})
        if plugin is None:
            raise StrategyError(RANK_HOOK, "no plugin ranked the opportunities")
        return _checked_ranking(plugin, answer, opportunities)


class PluginShipSelector:
    """The ShipSelector port, answered by the `spacetraders_select_ship` plugins."""

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self._manager = manager

    def select(
        self, opportunity: ManufacturingOpportunity, idle_ships: Sequence[ShipSummary]
    ) -> ShipSummary | None:
        """The first plugin answer, checked to be one of `idle_ships`; None when no plugin picks one."""
        if not idle_ships:
            return None
        plugin, answer = _first_answer(
            self._manager, SELECT_HOOK, {"opportunity": opportunity, "idle_ships": list(idle_ships)}
        )
        if plugin is None:
            return None
        if not isinstance(answer, ShipSummary):
            problem = f"returned {type(answer).__name__}, expected a ShipSummary or None"
            raise StrategyError(SELECT_HOOK, problem, plugin)
        if answer not in idle_ships:
            problem = f"returned ship {answer.symbol}, which is not one of the idle ships"
            raise StrategyError(SELECT_HOOK, problem, plugin)
        return answer


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        # Two installs of one distribution (editable and not) list the same name twice.
        if manager.is_blocked(entry_point.name) or manager.has_plugin(entry_point.name):
            continue
        try:
            plugin = entry_point.load()
        except Exception as exc:  # any import-time failure of someone else's code
            raise PluginLoadError(entry_point.name, f"cannot load {entry_point.value}: {exc!r}") from exc
        register_plugin(manager, plugin, entry_point.name)


def _first_answer(
    manager: pluggy.PluginManager, hook: str, arguments: dict[str, Any]
) -> tuple[str | None, Any]:
    """Call the hook's implementations in pluggy's order until one answers non-None."""
    implementations = getattr(manager.hook, hook).get_hookimpls()
    if not implementations:
        raise StrategyError(hook, "no plugin implements it (is the project installed with pip install -e .?)")
    for impl in reversed(implementations):  # pluggy calls the last of this list first
        if impl.hookwrapper or impl.wrapper:
            raise StrategyError(hook, "hook wrappers are not supported for strategy hooks", impl.plugin_name)
        try:
            answer = impl.function(*(arguments[name] for name in impl.argnames))
        except Exception as exc:
            raise StrategyError(hook, f"raised {type(exc).__name__}: {exc}", impl.plugin_name) from exc
        if answer is not None:
            return impl.plugin_name, answer
    return None, None


def _checked_ranking(
    plugin: str, answer: Any, given: Sequence[ManufacturingOpportunity]
) -> list[ManufacturingOpportunity]:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)):
        raise StrategyError(RANK_HOOK, f"returned {type(answer).__name__}, expected a list of opportunities", plugin)
    known = {(o.good, o.sell_market): o for o in given}
    seen: set[tuple[str, str]] = set()
    for item in answer:
        if not isinstance(item, ManufacturingOpportunity):
            raise StrategyError(RANK_HOOK, f"returned a {type(item).__name__} among the opportunities", plugin)
        key = (item.good, item.sell_market)
        if known.get(key) != item:
            problem = f"returned {item.good} at {item.sell_market}, which it was not given"
            raise StrategyError(RANK_HOOK, problem, plugin)
        if key in seen:
            raise StrategyError(RANK_HOOK, f"returned {item.good} at {item.sell_market} twice", plugin)
        seen.add(key)
    return list(answer)


class UnknownStrategy(StrategyError):
    """A configured strategy name that no installed plugin implements."""

    def __init__(self, hook: str, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(hook, f"no installed plugin {name!r}; known: {', '.join(known) or 'none'}")


def build_strategy_manager(ranking: str, ship_selection: str) -> pluggy.PluginManager:
    """A PluginManager whose strategy hooks are answered by the plugins named `ranking` and `ship_selection`.

    Every plugin of the entry-point group is loaded to learn which strategies exist; the manager returned holds
    only the chosen ones (each exposing just the hook it was chosen for) plus our defaults, which are `trylast`
    and so answer only when the chosen plugin passes (returns None). Raises UnknownStrategy for a name no
    installed plugin implements for its hook.
    """
    available = build_plugin_manager()
    implementers = strategy_plugins(available)
    chosen: dict[str, dict[str, Any]] = {}
    for hook, name in ((RANK_HOOK, ranking), (SELECT_HOOK, ship_selection)):
        known = sorted(implementers.get(hook, []))
        if name not in known:
            raise UnknownStrategy(hook, name, known)
        chosen.setdefault(name, {})[hook] = getattr(available.get_plugin(name), hook)
    for hook, default in ((RANK_HOOK, "default_ranking"), (SELECT_HOOK, "default_ship_selection")):
        plugin = available.get_plugin(default)
        if plugin is not None and default not in chosen:
            chosen[default] = {hook: getattr(plugin, hook)}
    manager = build_plugin_manager(load_entry_points=False)
    for name, hooks in chosen.items():
        register_plugin(manager, _HookSubset(name, hooks), name)
    return manager


class _HookSubset:
    """A plugin seen through some of its hooks only (pluggy registers any object with marked functions)."""

    def __init__(self, name: str, hooks: dict[str, Any]) -> None:
        self.__name__ = name
        for hook, function in hooks.items():
            setattr(self, hook, function)
