"""SupplyChainResolver: trees from the export-to-import map and the known markets."""
import pytest

from application.errors import UnresolvableGood
from application.supply_chain_resolver import AcquisitionStrategy, ResolverConfig, SupplyChainResolver
from domain.errors import InvalidValue
from domain.geometry import Position
from domain.goods import SupplyLevel, TradeSymbol as T
from domain.market import MarketSnapshot
from domain.supply_chain import AcquisitionMethod, SupplyChainMap, SupplyChainNode, UnresolvableReason
from tests.fakes import DEFAULT_NOW, bundled_supply_chain, make_market

BUY, FABRICATE = AcquisitionMethod.BUY, AcquisitionMethod.FABRICATE


def recipes(**inputs):
    return SupplyChainMap({good: tuple(goods) for good, goods in inputs.items()})


def one_exporter_per_good(goods, supply_chain, ask=100):
    """A market exporting each good and importing its inputs (so each good has a source, and each good with a
    recipe a factory)."""
    return [
        make_market(f"X1-M{index}", exports={good: ask}, imports={str(needed): 20 for needed in
                                                                  supply_chain.inputs_of(T.parse(good))},
                    position=(index * 10, 0))
        for index, good in enumerate(sorted(goods))
    ]


def paths(node, prefix=()):
    """Every root-to-leaf path of goods."""
    here = prefix + (node.good,)
    if not node.children:
        yield here
    for child in node.children:
        yield from paths(child, here)


def test_machinery_from_iron_is_a_depth_one_tree():
    resolver = SupplyChainResolver(recipes(MACHINERY=["IRON"]))
    markets = [make_market("X1-F1", exports={"MACHINERY": 900}, imports={"IRON": 60}),
               make_market("X1-B1", exports={"IRON": 50})]

    tree = resolver.resolve(T.MACHINERY, markets)

    assert (tree.good, tree.method, tree.market) == (T.MACHINERY, FABRICATE, "X1-F1")
    assert tree.depth == 1
    [iron] = tree.children
    assert (iron.good, iron.method, iron.market, iron.ask) == (T.IRON, BUY, "X1-B1", 50)


def test_the_cheapest_source_wins_then_the_nearest_to_the_factory():
    resolver = SupplyChainResolver(recipes(MACHINERY=["IRON"]))
    factory = make_market("X1-F1", exports={"MACHINERY": 900}, imports={"IRON": 60}, position=(0, 0))
    dear = make_market("X1-S1", exports={"IRON": 80}, position=(1, 0))
    cheap_far = make_market("X1-S2", exports={"IRON": 50}, position=(500, 0))
    cheap_near = make_market("X1-S3", exchange={"IRON": 50}, position=(0, 30))  # exchange counts as a source
    unpriced = MarketSnapshot("X1-S4", DEFAULT_NOW, exports=frozenset({T.IRON}), position=Position(0, 1))

    tree = resolver.resolve(T.MACHINERY, [factory, dear, cheap_far, cheap_near, unpriced])
    assert tree.children[0].market == "X1-S3"

    # With no known price anywhere, distance decides.
    tree = resolver.resolve(T.MACHINERY, [factory, unpriced])
    assert tree.children[0].market == "X1-S4" and tree.children[0].ask is None


def test_the_factory_is_the_exporter_with_the_cheapest_output():
    resolver = SupplyChainResolver(recipes(MACHINERY=["IRON"]))
    markets = [
        make_market("X1-F1", exports={"MACHINERY": 900}, imports={"IRON": 60}),
        make_market("X1-F2", exports={"MACHINERY": 700}, imports={"IRON": 60}),
        make_market("X1-B1", exports={"IRON": 50}),
    ]
    assert resolver.resolve(T.MACHINERY, markets).market == "X1-F2"


@pytest.mark.parametrize(
    ("supply_chain", "markets", "reason", "path"),
    [
        (recipes(MACHINERY=["IRON"]), [], UnresolvableReason.NOT_MANUFACTURABLE, (T.ELECTRONICS,)),
        (recipes(ELECTRONICS=["COPPER"]), [], UnresolvableReason.NO_FACTORY, (T.ELECTRONICS,)),
        (
            recipes(ELECTRONICS=["SILICON_CRYSTALS", "COPPER"]),
            [make_market("X1-F1", exports={"ELECTRONICS": 1}, imports={"SILICON_CRYSTALS": 1, "COPPER": 1}),
             make_market("X1-S1", exports={"SILICON_CRYSTALS": 1})],
            UnresolvableReason.NO_SOURCE,
            (T.ELECTRONICS, T.COPPER),
        ),
    ],
)
def test_missing_recipe_factory_or_source_is_a_typed_outcome(supply_chain, markets, reason, path):
    with pytest.raises(UnresolvableGood) as caught:
        SupplyChainResolver(supply_chain).resolve(T.ELECTRONICS, markets)
    assert caught.value.reason is reason
    assert caught.value.path == path
    assert caught.value.good is T.ELECTRONICS


def test_an_input_that_is_only_imported_somewhere_is_no_source():
    # Importing markets consume a good; they are not where we buy it.
    resolver = SupplyChainResolver(recipes(MACHINERY=["IRON"]))
    markets = [make_market("X1-F1", exports={"MACHINERY": 900}, imports={"IRON": 60})]
    with pytest.raises(UnresolvableGood) as caught:
        resolver.resolve(T.MACHINERY, markets)
    assert caught.value.reason is UnresolvableReason.NO_SOURCE


def test_a_good_needed_to_make_itself_is_a_cycle_and_bought_instead():
    # MACHINERY <- IRON <- MACHINERY: fabricating IRON would need the MACHINERY being made, so IRON is bought.
    supply_chain = recipes(MACHINERY=["IRON"], IRON=["MACHINERY"])
    resolver = SupplyChainResolver(supply_chain, ResolverConfig(strategy=AcquisitionStrategy.PREFER_FABRICATE))
    tree = resolver.resolve(T.MACHINERY, one_exporter_per_good(["MACHINERY", "IRON"], supply_chain))
    assert [(n.good, n.method) for n in tree.walk()] == [(T.MACHINERY, FABRICATE), (T.IRON, BUY)]

    # A good that is its own input has no factory at all: no market imports what it exports.
    with pytest.raises(UnresolvableGood) as caught:
        SupplyChainResolver(recipes(MACHINERY=["MACHINERY"])).resolve(
            T.MACHINERY, [make_market("X1-M0", exports={"MACHINERY": 100})])
    assert caught.value.reason is UnresolvableReason.NO_FACTORY


@pytest.mark.parametrize("strategy", list(AcquisitionStrategy))
def test_cycles_of_the_real_map_end_every_tree(strategy):
    real = bundled_supply_chain()
    everything = set(real.recipes) | {good for inputs in real.recipes.values() for good in inputs}
    resolver = SupplyChainResolver(real, ResolverConfig(max_depth=32, strategy=strategy))
    trees = resolver.for_markets(one_exporter_per_good(everything, real))

    for good in real.recipes:
        tree = trees.tree(good)  # every good has a factory and every input a source: all resolve
        assert tree.method is FABRICATE and tree.depth <= 32
        for path in paths(tree):
            assert len(path) == len(set(path)), f"{good}: {path} repeats a good"


def test_prefer_fabricate_stops_the_real_cycle_by_buying():
    # ELECTRONICS <- COPPER <- COPPER_ORE <- EXPLOSIVES <- LIQUID_HYDROGEN <- MACHINERY <- IRON <- IRON_ORE,
    # and IRON_ORE needs EXPLOSIVES again: IRON_ORE must be bought, not fabricated.
    real = bundled_supply_chain()
    everything = set(real.recipes) | {good for inputs in real.recipes.values() for good in inputs}
    resolver = SupplyChainResolver(real, ResolverConfig(max_depth=32, strategy=AcquisitionStrategy.PREFER_FABRICATE))
    tree = resolver.resolve(T.ELECTRONICS, one_exporter_per_good(everything, real))

    chain = [T.COPPER, T.COPPER_ORE, T.EXPLOSIVES, T.LIQUID_HYDROGEN, T.MACHINERY, T.IRON, T.IRON_ORE]
    node = tree
    for good in chain:
        node = next(child for child in node.children if child.good is good)
    assert node.method is BUY
    assert tree.depth == len(chain)


def test_deep_trees_fabricate_every_level_when_preferred():
    supply_chain = recipes(
        ADVANCED_CIRCUITRY=["ELECTRONICS", "MICROPROCESSORS"],
        ELECTRONICS=["SILICON_CRYSTALS", "COPPER"],
        MICROPROCESSORS=["SILICON_CRYSTALS", "COPPER"],
        COPPER=["COPPER_ORE"],
    )
    markets = one_exporter_per_good(
        ["ADVANCED_CIRCUITRY", "ELECTRONICS", "MICROPROCESSORS", "SILICON_CRYSTALS", "COPPER", "COPPER_ORE"],
        supply_chain,
    )

    deep = SupplyChainResolver(supply_chain, ResolverConfig(strategy=AcquisitionStrategy.PREFER_FABRICATE))
    tree = deep.resolve(T.ADVANCED_CIRCUITRY, markets)
    assert tree.depth == 3
    assert [(n.good, n.method) for n in tree.walk()] == [
        (T.ADVANCED_CIRCUITRY, FABRICATE),
        (T.ELECTRONICS, FABRICATE),
        (T.SILICON_CRYSTALS, BUY),
        (T.COPPER, FABRICATE),
        (T.COPPER_ORE, BUY),
        (T.MICROPROCESSORS, FABRICATE),
        (T.SILICON_CRYSTALS, BUY),
        (T.COPPER, FABRICATE),
        (T.COPPER_ORE, BUY),
    ]
    assert [leaf.good for leaf in tree.leaves()] == [T.SILICON_CRYSTALS, T.COPPER_ORE] * 2

    shallow = SupplyChainResolver(supply_chain)  # PREFER_BUY: every input is sold somewhere
    tree = shallow.resolve(T.ADVANCED_CIRCUITRY, markets)
    assert tree.depth == 1 and {c.method for c in tree.children} == {BUY}


def test_the_depth_limit_cuts_fabrication_short_and_buys_instead():
    supply_chain = recipes(ELECTRONICS=["COPPER"], COPPER=["COPPER_ORE"], COPPER_ORE=["EXPLOSIVES"])
    markets = one_exporter_per_good(["ELECTRONICS", "COPPER", "COPPER_ORE", "EXPLOSIVES"], supply_chain)
    config = ResolverConfig(max_depth=2, strategy=AcquisitionStrategy.PREFER_FABRICATE)

    tree = SupplyChainResolver(supply_chain, config).resolve(T.ELECTRONICS, markets)

    assert tree.depth == 2
    assert [(n.good, n.method) for n in tree.walk()] == [
        (T.ELECTRONICS, FABRICATE),
        (T.COPPER, FABRICATE),
        (T.COPPER_ORE, BUY),
    ]


def test_a_depth_limit_that_leaves_no_room_for_inputs_is_a_typed_outcome():
    supply_chain = recipes(MACHINERY=["IRON"])
    resolver = SupplyChainResolver(supply_chain, ResolverConfig(max_depth=0))
    with pytest.raises(UnresolvableGood) as caught:
        resolver.resolve(T.MACHINERY, one_exporter_per_good(["MACHINERY", "IRON"], supply_chain))
    assert caught.value.reason is UnresolvableReason.DEPTH_LIMIT


def test_smart_fabricates_around_thin_supply_and_buys_healthy_supply():
    supply_chain = recipes(MACHINERY=["IRON"], IRON=["IRON_ORE"])
    config = ResolverConfig(strategy=AcquisitionStrategy.SMART)

    def markets(iron_supply):
        return [
            make_market("X1-F1", exports={"MACHINERY": 900}, imports={"IRON": 60}),
            make_market("X1-F2", exports={"IRON": 50}, imports={"IRON_ORE": 15}, supply=iron_supply),
            make_market("X1-S1", exports={"IRON_ORE": 10}),
        ]

    thin = SupplyChainResolver(supply_chain, config).resolve(T.MACHINERY, markets(SupplyLevel.SCARCE))
    assert thin.children[0].method is FABRICATE and thin.children[0].market == "X1-F2"
    healthy = SupplyChainResolver(supply_chain, config).resolve(T.MACHINERY, markets(SupplyLevel.HIGH))
    assert healthy.children[0].method is BUY


def test_trees_are_built_once_per_good():
    supply_chain = recipes(MACHINERY=["IRON"])
    resolver = SupplyChainResolver(supply_chain)
    trees = resolver.for_markets(one_exporter_per_good(["MACHINERY", "IRON"], supply_chain))
    assert trees.tree(T.MACHINERY) is trees.tree(T.MACHINERY)
    failure = trees.outcome(T.ELECTRONICS)
    assert isinstance(failure, UnresolvableGood) and trees.outcome(T.ELECTRONICS) is failure
    raised = pytest.raises(UnresolvableGood, trees.tree, T.ELECTRONICS).value
    assert (raised.reason, raised.path) == (failure.reason, failure.path)


def test_resolver_config_is_validated():
    with pytest.raises(InvalidValue):
        ResolverConfig(max_depth=33)
    with pytest.raises(InvalidValue):
        ResolverConfig(max_depth=-1)
    with pytest.raises(ValueError):
        ResolverConfig(strategy="CHEAPEST")


def test_tree_nodes_keep_their_invariants():
    leaf = SupplyChainNode(T.IRON, BUY, "X1-B1")
    with pytest.raises(InvalidValue):
        SupplyChainNode(T.IRON, BUY, "X1-B1", children=(leaf,))
    with pytest.raises(InvalidValue):
        SupplyChainNode(T.MACHINERY, FABRICATE, "X1-F1")
    assert SupplyChainNode(T.MACHINERY, FABRICATE, "X1-F1", children=(leaf,)).depth == 1


def test_the_map_parses_symbols_and_rejects_empty_recipes():
    real = bundled_supply_chain()
    assert real.inputs_of(T.ELECTRONICS) == (T.SILICON_CRYSTALS, T.COPPER)
    assert T.FUEL in real and real.is_manufacturable(T.SHIP_PROBE)
    assert real.inputs_of(T.FRAME_PROBE) == () and not real.is_manufacturable(T.FRAME_PROBE)
    with pytest.raises(InvalidValue):
        SupplyChainMap.from_export_to_import({"IRON": []})


def test_a_market_that_imports_other_goods_but_not_the_inputs_is_no_factory_of_its_export():
    # The real templates have such markets (J58 exports DRUGS beside imports of consumer goods): inputs delivered
    # there are refused, so the tree must make the good where its inputs are imported.
    resolver = SupplyChainResolver(recipes(DRUGS=["AMMONIA_ICE"]))
    reseller = make_market("X1-J58", exports={"DRUGS": 3000}, imports={"FOOD": 4000})
    factory = make_market("X1-H51", exports={"DRUGS": 3500}, imports={"AMMONIA_ICE": 120})
    ice = make_market("X1-B7", exchange={"AMMONIA_ICE": 40})

    tree = resolver.resolve(T.DRUGS, [reseller, factory, ice])
    assert (tree.method, tree.market) == (FABRICATE, "X1-H51")

    with pytest.raises(UnresolvableGood) as refused:
        resolver.resolve(T.DRUGS, [reseller, ice])
    assert refused.value.reason is UnresolvableReason.NO_FACTORY

    # Nor is a market that lists no imports at all: nothing it makes could be delivered to it.
    silent = make_market("X1-K1", exports={"DRUGS": 2000})
    with pytest.raises(UnresolvableGood) as refused:
        resolver.resolve(T.DRUGS, [silent, ice])
    assert refused.value.reason is UnresolvableReason.NO_FACTORY
