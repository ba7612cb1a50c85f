"""Strategy hooks: defaults arrive through the entry-point group, plugins can replace them,
and a plugin that fails or answers nonsense is named in a clear error."""
import pluggy
import pytest

from application.errors import StrategyError
from domain.fleet import ShipNavStatus, ShipRole, ShipSummary
from domain.geometry import Position
from domain.goods import TradeSymbol as T
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from plugins import default_ranking, default_ship_selection
from plugins.hookspecs import hookimpl
from plugins.manager import (
    RANK_HOOK,
    PluginLoadError,
    PluginRanker,
    PluginShipSelector,
    Strategies,
    UnknownStrategy,
    build_plugin_manager,
    strategy_plugins,
)
from tests.fakes import DEFAULT_NOW


def opportunity(good, market, bid, first_stop_at=(0, 0)):
    source = SupplyChainNode(T.IRON, AcquisitionMethod.BUY, "X1-S1", position=Position(*first_stop_at))
    tree = SupplyChainNode(good, AcquisitionMethod.FABRICATE, "X1-F1", children=(source,))
    return ManufacturingOpportunity(good, market, bid, tree, DEFAULT_NOW)


def ship(symbol, at=(0, 0), capacity=40, units=0, waypoint="X1-Z9", status=ShipNavStatus.DOCKED):
    return ShipSummary(
        symbol=symbol,
        waypoint=waypoint,
        cargo_capacity=capacity,
        cargo_units=units,
        fuel_current=0,
        fuel_capacity=400,
        engine_speed=30,
        role=ShipRole.HAULER,
        frame="FRAME_LIGHT_FREIGHTER",
        nav_status=status,
        position=None if at is None else Position(*at),
    )


OPPORTUNITIES = [
    opportunity(T.MACHINERY, "X1-A2", 2000),
    opportunity(T.ADVANCED_CIRCUITRY, "X1-A3", 8000),
    opportunity(T.ELECTRONICS, "X1-A1", 3000),
]


@pytest.fixture(scope="module")
def manager():
    return build_plugin_manager()


def test_our_defaults_are_registered_through_the_entry_point_group(manager):
    assert strategy_plugins(manager) == {
        "spacetraders_rank_opportunities": ["learned_ranking", "default_ranking"],
        "spacetraders_select_ship": ["default_ship_selection"],
    }
    assert manager.get_plugin("default_ranking") is default_ranking
    assert manager.get_plugin("default_ship_selection") is default_ship_selection


def test_without_the_entry_points_no_strategy_answers():
    bare = build_plugin_manager(load_entry_points=False)
    with pytest.raises(StrategyError, match="no plugin implements"):
        PluginRanker(bare).rank(OPPORTUNITIES)


def test_a_blocked_default_is_not_loaded():
    manager = build_plugin_manager(blocked=["default_ranking"])
    assert strategy_plugins(manager)["spacetraders_rank_opportunities"] == ["learned_ranking"]


def test_the_default_ranking_puts_the_best_paid_first(manager):
    ranked = PluginRanker(manager).rank(OPPORTUNITIES)
    assert [o.bid for o in ranked] == [8000, 3000, 2000]


def test_a_registered_ranking_plugin_replaces_the_default(manager):
    class CheapestFirst:
        @hookimpl
        def spacetraders_rank_opportunities(self, opportunities):
            return sorted(opportunities, key=lambda o: o.bid)

    manager.register(CheapestFirst(), name="cheapest-first")
    try:
        assert strategy_plugins(manager)["spacetraders_rank_opportunities"] == [
            "cheapest-first", "learned_ranking", "default_ranking"]
        assert [o.bid for o in PluginRanker(manager).rank(OPPORTUNITIES)] == [2000, 3000, 8000]
    finally:
        manager.unregister(name="cheapest-first")
    assert [o.bid for o in PluginRanker(manager).rank(OPPORTUNITIES)] == [8000, 3000, 2000]


def test_a_plugin_answering_none_leaves_the_decision_to_the_next(manager):
    class NoOpinion:
        @hookimpl
        def spacetraders_rank_opportunities(self, opportunities):
            return None

    manager.register(NoOpinion(), name="no-opinion")
    try:
        assert [o.bid for o in PluginRanker(manager).rank(OPPORTUNITIES)] == [8000, 3000, 2000]
    finally:
        manager.unregister(name="no-opinion")


def test_a_ranking_plugin_may_drop_opportunities(manager):
    class OnlyTheBest:
        @hookimpl
        def spacetraders_rank_opportunities(self, opportunities):
            return [max(opportunities, key=lambda o: o.bid)]

    manager.register(OnlyTheBest(), name="only-the-best")
    try:
        assert [o.good for o in PluginRanker(manager).rank(OPPORTUNITIES)] == [T.ADVANCED_CIRCUITRY]
    finally:
        manager.unregister(name="only-the-best")


class Raising:
    @hookimpl
    def spacetraders_rank_opportunities(self, opportunities):
        raise KeyError("bid")


class ReturnsText:
    @hookimpl
    def spacetraders_rank_opportunities(self, opportunities):
        return "ADVANCED_CIRCUITRY"


class ReturnsSymbols:
    @hookimpl
    def spacetraders_rank_opportunities(self, opportunities):
        return [o.good for o in opportunities]


class InventsOne:
    @hookimpl
    def spacetraders_rank_opportunities(self, opportunities):
        return [opportunity(T.JEWELRY, "X1-A9", 99999), *opportunities]


class Repeats:
    @hookimpl
    def spacetraders_rank_opportunities(self, opportunities):
        return [opportunities[0], opportunities[0]]


@pytest.mark.parametrize(
    ("plugin", "problem"),
    [
        (Raising(), "raised KeyError"),
        (ReturnsText(), "returned str"),
        (ReturnsSymbols(), "returned a TradeSymbol"),
        (InventsOne(), "not given"),
        (Repeats(), "twice"),
    ],
)
def test_a_broken_ranking_plugin_is_named_in_the_error(manager, plugin, problem):
    manager.register(plugin, name="broken-ranking")
    try:
        with pytest.raises(StrategyError, match=problem) as caught:
            PluginRanker(manager).rank(OPPORTUNITIES)
    finally:
        manager.unregister(name="broken-ranking")
    assert caught.value.plugin == "broken-ranking"
    assert caught.value.hook == "spacetraders_rank_opportunities"
    assert "'broken-ranking'" in str(caught.value)


def test_a_misspelt_hook_is_refused_at_load_time_naming_the_plugin():
    class Misspelt:
        @hookimpl
        def spacetraders_rank_oportunities(self, opportunities):
            return opportunities

    with pytest.raises(PluginLoadError) as caught:
        build_plugin_manager(plugins={"typo-plugin": Misspelt()})
    assert caught.value.plugin == "typo-plugin"


def test_a_hook_wrapper_sees_and_may_change_the_answer(manager):
    class Reverser:
        @hookimpl(wrapper=True)
        def spacetraders_rank_opportunities(self, opportunities):
            return list(reversed((yield)))

    manager.register(Reverser(), name="reverser")
    try:
        assert [o.bid for o in PluginRanker(manager).rank(OPPORTUNITIES)] == [2000, 3000, 8000]
    finally:
        manager.unregister(name="reverser")


def test_the_default_selection_takes_the_nearest_ship_with_room(manager):
    target = opportunity(T.MACHINERY, "X1-A2", 2000, first_stop_at=(100, 0))
    ships = [
        ship("AGENT-1", at=(0, 0)),
        ship("AGENT-2", at=(90, 0)),
        ship("AGENT-3", at=(100, 0), capacity=0),  # a probe: no hold
        ship("AGENT-4", at=(100, 1), capacity=40, units=35),  # nearly full
        ship("AGENT-5", at=(100, 0), status=ShipNavStatus.IN_TRANSIT),
        ship("AGENT-6", at=None),
    ]
    assert PluginShipSelector(manager).select(target, ships).symbol == "AGENT-2"
    assert PluginShipSelector(manager).select(target, [ships[5], ships[0]]).symbol == "AGENT-1"
    at_the_stop = ship("AGENT-7", at=None, waypoint="X1-S1")
    assert PluginShipSelector(manager).select(target, ships + [at_the_stop]).symbol == "AGENT-7"
    assert PluginShipSelector(manager).select(target, ships[2:5]) is None
    assert PluginShipSelector(manager).select(target, []) is None


def test_a_selection_plugin_must_answer_one_of_the_idle_ships(manager):
    class Stranger:
        @hookimpl
        def spacetraders_select_ship(self, idle_ships):  # may take fewer arguments than the spec
            return ship("OTHER-1")

    manager.register(Stranger(), name="stranger")
    try:
        with pytest.raises(StrategyError, match="not one of the idle ships") as caught:
            PluginShipSelector(manager).select(OPPORTUNITIES[0], [ship("AGENT-1")])
    finally:
        manager.unregister(name="stranger")
    assert caught.value.plugin == "stranger"


class CheapestFirst:
    @hookimpl
    def spacetraders_rank_opportunities(self, opportunities):
        return sorted(opportunities, key=lambda o: o.bid)


class PassesOnMachinery:
    """Ranks only when MACHINERY is not among the opportunities; otherwise leaves it to the next plugin."""

    @hookimpl
    def spacetraders_rank_opportunities(self, opportunities):
        if any(o.good == T.MACHINERY for o in opportunities):
            return None
        return list(opportunities)


def test_a_chosen_strategy_is_asked_alone_then_its_default():
    manager = build_plugin_manager(plugins={"cheapest-first": CheapestFirst(), "passes": PassesOnMachinery()})
    assert strategy_plugins(manager)[RANK_HOOK] == ["passes", "cheapest-first", "learned_ranking", "default_ranking"]

    chosen = Strategies(manager, {RANK_HOOK: "passes"})

    assert strategy_plugins(chosen)[RANK_HOOK] == ["passes", "default_ranking"]
    assert strategy_plugins(chosen)["spacetraders_select_ship"] == ["default_ship_selection"]
    # "passes" passes on these, and the default (not cheapest-first, which was not chosen) answers.
    assert [o.bid for o in PluginRanker(chosen).rank(OPPORTUNITIES)] == [8000, 3000, 2000]
    assert [o.bid for o in PluginRanker(Strategies(manager, {RANK_HOOK: "cheapest-first"})).rank(OPPORTUNITIES)] == [
        2000, 3000, 8000]


def test_choosing_a_plugin_that_does_not_implement_the_hook_names_the_ones_that_do():
    manager = build_plugin_manager(plugins={"cheapest-first": CheapestFirst()})

    with pytest.raises(UnknownStrategy) as caught:
        Strategies(manager, {RANK_HOOK: "default_ship_selection"})
    assert caught.value.known == ("cheapest-first", "default_ranking", "learned_ranking")


def test_a_strategy_hook_the_manager_never_heard_of_is_chosen_the_same_way():
    spec = pluggy.HookspecMarker("spacetraders")

    class NewHooks:
        @spec(firstresult=True)
        def spacetraders_rank_routes(self, routes):
            """A strategy hook added later (say, for trade routes)."""

    class Shortest:
        @hookimpl
        def spacetraders_rank_routes(self, routes):
            return sorted(routes, key=len)

    class Longest:
        @hookimpl
        def spacetraders_rank_routes(self, routes):
            return sorted(routes, key=len, reverse=True)

    manager = build_plugin_manager(load_entry_points=False)
    manager.add_hookspecs(NewHooks)
    manager.register(Shortest(), name="shortest")
    manager.register(Longest(), name="longest")

    assert Strategies(manager, {"spacetraders_rank_routes": "shortest"}).caller("spacetraders_rank_routes")(
        routes=["abc", "a", "ab"]) == ["a", "ab", "abc"]


def test_the_default_ranking_breaks_equal_bids_by_depth_then_good_then_market():
    shallow = opportunity(T.MACHINERY, "X1-B2", 5000)
    same_bid = [opportunity(T.MACHINERY, "X1-B3", 5000), opportunity(T.ELECTRONICS, "X1-B9", 5000), shallow]
    deeper_tree = SupplyChainNode(T.ADVANCED_CIRCUITRY, AcquisitionMethod.FABRICATE, "X1-F1",
                                  children=(shallow.dependency_tree,))
    deep = ManufacturingOpportunity(T.ADVANCED_CIRCUITRY, "X1-B1", 5000, deeper_tree, DEFAULT_NOW)
    ranked = default_ranking.spacetraders_rank_opportunities([*same_bid, deep, opportunity(T.JEWELRY, "X1-B4", 9000)])

    assert [(o.good, o.sell_market) for o in ranked] == [
        (T.JEWELRY, "X1-B4"), (T.ELECTRONICS, "X1-B9"), (T.MACHINERY, "X1-B2"), (T.MACHINERY, "X1-B3"),
        (T.ADVANCED_CIRCUITRY, "X1-B1")]
