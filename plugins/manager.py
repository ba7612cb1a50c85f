"""The one PluginManager, the strategies chosen from it, and the adapters that put its hooks behind the Ranker and
ShipSelector ports.

Plugins, ours included, arrive through the `spacetraders.plugins` entry-point group, exactly as a third-party
package's would. Nothing is loaded at import: `build_plugin_manager` does it when the composition root asks.

Hooks are called through pluggy (`manager.hook.<name>(...)`, keyword arguments, pluggy's order and wrappers). A
configured strategy is a subset hook caller of the same manager (`subset_hook_caller`): the chosen plugin and the
default of its hook, every other implementer left out. The manager knows no hook by name beyond the table of
defaults, so a new strategy hook in hookspecs.py is chosen and called the same way.
"""
from __future__ import annotations

import importlib.metadata
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

import pluggy
from pluggy import HookCaller

from application.errors import StrategyError
from domain.fleet import ShipSummary
from domain.opportunity import ManufacturingOpportunity
from plugins import hookspecs
from plugins.hookspecs import ENTRY_POINT_GROUP, PROJECT_NAME

RANK_HOOK = "spacetraders_rank_opportunities"
SELECT_HOOK = "spacetraders_select_ship"
# Each strategy hook and our plugin that answers it when the chosen one passes (returns None).
DEFAULT_STRATEGIES: dict[str, str] = {RANK_HOOK: "default_ranking", SELECT_HOOK: "default_ship_selection"}
STRATEGY_HOOKS = tuple(DEFAULT_STRATEGIES)


class PluginLoadError(StrategyError):
    """A plugin could not be imported or registered (bad module, misspelt hook, bad signature)."""

    def __init__(self, plugin: str, problem: str) -> None:
        super().__init__("plugin loading", problem, plugin)


class UnknownStrategy(StrategyError):
    """A configured strategy name that no installed plugin implements."""

    def __init__(self, hook: str, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(hook, f"no installed plugin {name!r}; known: {', '.join(known) or 'none'}")


def build_plugin_manager(
    *,
    load_entry_points: bool = True,
    blocked: Iterable[str] = (),
    plugins: Mapping[str, object] | None = None,
) -> pluggy.PluginManager:
    """A PluginManager with our hookspecs and the plugins of the entry-point group registered.

    `blocked` names plugins to skip (how configuration switches a strategy off, defaults included); `plugins`
    registers extra plugin objects by name. Raises PluginLoadError naming the plugin at fault.
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
    except (pluggy.PluginValidationError, ValueError) as exc:  # ValueError: name or object registered already
        raise PluginLoadError(name, str(exc)) from exc
    try:
        manager.check_pending()  # a misspelt spacetraders_* hook would otherwise be ignored silently
    except pluggy.PluginValidationError as exc:
        culprit = manager.get_name(exc.plugin) or name
        manager.unregister(name=culprit)
        raise PluginLoadError(culprit, str(exc)) from exc


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    # Not manager.load_setuptools_entrypoints: when a plugin fails to import, it does not say which one.
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        # Two installs of one distribution (editable and not) list the same name twice.
        if manager.is_blocked(entry_point.name) or manager.has_plugin(entry_point.name):
            continue
        try:
            plugin = entry_point.load()
        except Exception as exc:  # any import-time failure of someone else's code
            raise PluginLoadError(entry_point.name, f"cannot load {entry_point.value}: {exc!r}") from exc
        register_plugin(manager, plugin, entry_point.name)


class Strategies:
    """The strategies in force: for each strategy hook, the hook caller that asks only the chosen plugin and
    then that hook's default. Hooks not chosen are asked of every registered plugin."""

    def __init__(self, manager: pluggy.PluginManager, chosen: Mapping[str, str]) -> None:
        """`chosen` maps strategy hooks to plugin names; UnknownStrategy for a name that does not implement its hook."""
        self.manager = manager
        self._callers: dict[str, HookCaller] = {}
        for hook, name in chosen.items():
            implementers = {impl.plugin_name: impl.plugin for impl in getattr(manager.hook, hook).get_hookimpls()}
            if name not in implementers:
                raise UnknownStrategy(hook, name, sorted(implementers))
            keep = {name, DEFAULT_STRATEGIES.get(hook)}
            others = [plugin for plugin_name, plugin in implementers.items() if plugin_name not in keep]
            self._callers[hook] = manager.subset_hook_caller(hook, remove_plugins=others)

    def caller(self, hook: str) -> HookCaller:
        """The hook caller answering `hook` under the chosen strategies."""
        return self._callers.get(hook) or getattr(self.manager.hook, hook)


def build_strategy_manager(ranking: str, ship_selection: str, others: Mapping[str, str] | None = None) -> Strategies:
    """The strategies named `ranking` and `ship_selection` (and `others`: hook name -> plugin name), from every
    plugin of the entry-point group.

    Our defaults are `trylast`, so they answer only when the chosen plugin passes (returns None). Raises
    UnknownStrategy for a name no installed plugin implements for its hook.
    """
    return Strategies(build_plugin_manager(), {RANK_HOOK: ranking, SELECT_HOOK: ship_selection, **(others or {})})


Hooks = pluggy.PluginManager | Strategies


def hook_caller(hooks: Hooks, hook: str) -> HookCaller:
    """The caller of `hook`: the chosen strategy's when `hooks` are Strategies, else every plugin's."""
    return hooks.caller(hook) if isinstance(hooks, Strategies) else getattr(hooks.hook, hook)


def strategy_plugins(hooks: Hooks) -> dict[str, list[str]]:
    """For each strategy hook, the plugins asked, in the order pluggy asks them (wrappers excepted)."""
    return {hook: [impl.plugin_name for impl in _asked(hook_caller(hooks, hook))] for hook in STRATEGY_HOOKS}


class PluginRanker:
    """The Ranker port, answered by the `spacetraders_rank_opportunities` plugins."""

    def __init__(self, hooks: Hooks) -> None:
        self._hooks = hooks

    def rank(self, opportunities: Sequence[ManufacturingOpportunity]) -> list[ManufacturingOpportunity]:
        """The first plugin answer, checked to be a list drawn from `opportunities` without repeats."""
        if not opportunities:
            return []
        caller = hook_caller(self._hooks, RANK_HOOK)
        arguments = {"opportunities": list(opportunities)}
        answer = _call(caller, arguments)
        if answer is None:
            raise StrategyError(RANK_HOOK, "no plugin ranked the opportunities")
        problem = _ranking_problem(answer, opportunities)
        if problem:
            raise StrategyError(RANK_HOOK, problem, _answerer(caller, arguments))
        return list(answer)


class PluginShipSelector:
    """The ShipSelector port, answered by the `spacetraders_select_ship` plugins."""

    def __init__(self, hooks: Hooks) -> None:
        self._hooks = hooks

    def select(
        self, opportunity: ManufacturingOpportunity, idle_ships: Sequence[ShipSummary]
    ) -> ShipSummary | None:
        """The first plugin answer, checked to be one of `idle_ships`; None when no plugin picks one."""
        if not idle_ships:
            return None
        caller = hook_caller(self._hooks, SELECT_HOOK)
        arguments = {"opportunity": opportunity, "idle_ships": list(idle_ships)}
        answer = _call(caller, arguments)
        if answer is None:
            return None
        if not isinstance(answer, ShipSummary):
            problem = f"returned {type(answer).__name__}, expected a ShipSummary or None"
        elif answer not in idle_ships:
            problem = f"returned ship {answer.symbol}, which is not one of the idle ships"
        else:
            return answer
        raise StrategyError(SELECT_HOOK, problem, _answerer(caller, arguments))


def _asked(caller: HookCaller) -> list[Any]:
    # get_hookimpls lists the implementations in the reverse of the order pluggy calls them.
    return [impl for impl in reversed(caller.get_hookimpls()) if not (impl.wrapper or impl.hookwrapper)]


def _call(caller: HookCaller, arguments: dict[str, Any]) -> Any:
    if not caller.get_hookimpls():
        raise StrategyError(caller.name, "no plugin implements it (is the project installed with pip install -e .?)")
    try:
        return caller(**arguments)
    except Exception as exc:  # someone else's code: the error names it
        plugin = _raiser(caller, exc.__traceback__)
        raise StrategyError(caller.name, f"raised {type(exc).__name__}: {exc}", plugin) from exc


def _raiser(caller: HookCaller, trace: TracebackType | None) -> str | None:
    """The plugin whose implementation is on the traceback pluggy let through."""
    codes = {_code(impl.function): impl.plugin_name for impl in caller.get_hookimpls()}
    while trace is not None:
        if trace.tb_frame.f_code in codes:
            return codes[trace.tb_frame.f_code]
        trace = trace.tb_next
    return None


def _code(function: Callable[..., Any]) -> Any:
    return getattr(inspect.unwrap(getattr(function, "__func__", function)), "__code__", None)


def _answerer(caller: HookCaller, arguments: dict[str, Any]) -> str | None:
    """The plugin whose answer was rejected: the first to answer when asked again one by one, on this error path
    only (strategy hooks answer questions, they do not act). None when a wrapper may have made the answer."""
    if any(impl.wrapper or impl.hookwrapper for impl in caller.get_hookimpls()):
        return None
    for impl in _asked(caller):
        try:
            given = impl.function(*(arguments[name] for name in impl.argnames))
        except Exception:  # it answered the first time: whatever it does now, it is not the one we look for
            continue
        if given is not None:
            return impl.plugin_name
    return None


def _ranking_problem(answer: Any, given: Sequence[ManufacturingOpportunity]) -> str | None:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)):
        return f"returned {type(answer).__name__}, expected a list of opportunities"
    # The usual answer holds the very objects it was given, each once: checked by identity, without comparing trees.
    given_ids = set(map(id, given))
    answered_ids = set(map(id, answer))
    if len(answered_ids) == len(answer) and answered_ids <= given_ids:
        return None
    known = {(o.good, o.sell_market): o for o in given}
    seen: set[tuple[str, str]] = set()
    for item in answer:
        if not isinstance(item, ManufacturingOpportunity):
            return f"returned a {type(item).__name__} among the opportunities"
        key = (item.good, item.sell_market)
        if known.get(key) != item:
            return f"returned {item.good} at {item.sell_market}, which it was not given"
        if key in seen:
            return f"returned {item.good} at {item.sell_market} twice"
        seen.add(key)
    return None
