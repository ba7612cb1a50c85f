"""Benchmark of the demand finder on a synthetic galaxy built with the real export-to-import map.

500 systems x 40 markets, each market importing 10 goods (with prices) and exporting or
exchanging a few, so that most trees can be built. Prints the finder's time per system
(mean, median, 95th percentile, worst) and for all systems, for each resolver strategy, for the
coordinator's search (no left-out reasons: only `analyze demand` asks for them).
Target: one 40-market system under 1 ms (PREFER_BUY, the default strategy).

    .venv/bin/python bench/demand_finder.py [--systems 500] [--seed 7]
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from application.demand_finder import DemandFinderConfig, ManufacturingDemandFinder
from application.supply_chain_resolver import AcquisitionStrategy, ResolverConfig
from domain.geometry import Position
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.supply_chain import SupplyChainMap
from domain.symbols import SystemSymbol, WaypointSymbol
from plugins.manager import PluginRanker, build_plugin_manager

MAP_PATH = Path(__file__).resolve().parent.parent / "adapters" / "game_server" / "data" / "supply_chain.json"
MARKETS_PER_SYSTEM = 40
IMPORTS_PER_MARKET = 10
EXPORTS_PER_MARKET = 4
EXCHANGES_PER_MARKET = 2
NOW = datetime(2025, 1, 1, tzinfo=UTC)


class GalaxyMarkets:
    """The MarketRepository port over the synthetic galaxy (a dict of lists)."""

    def __init__(self, systems: dict[SystemSymbol, list[MarketSnapshot]]) -> None:
        self.systems = systems

    def markets_in_system(self, system: SystemSymbol) -> list[MarketSnapshot]:
        return self.systems[system]

    def market(self, waypoint: WaypointSymbol) -> MarketSnapshot | None:
        return next((m for m in self.systems.get(waypoint.system, []) if m.waypoint == waypoint), None)

    def record(self, snapshot: MarketSnapshot) -> None:
        self.systems.setdefault(snapshot.system, []).append(snapshot)


class FixedMap:
    """The SupplyChainSource port answering the bundled map."""

    def __init__(self, supply_chain: SupplyChainMap) -> None:
        self.map = supply_chain

    def supply_chain(self) -> SupplyChainMap:
        return self.map


class FrozenClock:
    def now(self) -> datetime:
        return NOW

    def sleep(self, seconds: float) -> None:
        pass


def build_galaxy(supply_chain: SupplyChainMap, systems: int, seed: int) -> dict[SystemSymbol, list[MarketSnapshot]]:
    """Markets that import the inputs of their exports (so each export is made there), other goods up to 10
    imports, and a few exchange goods."""
    rng = random.Random(seed)
    products = sorted(supply_chain.recipes)
    inputs = sorted({good for needed in supply_chain.recipes.values() for good in needed})
    tradable = sorted(set(products) | set(inputs))
    galaxy: dict[SystemSymbol, list[MarketSnapshot]] = {}
    for s in range(systems):
        system = SystemSymbol(f"X1-S{s:03d}")
        markets = []
        for m in range(MARKETS_PER_SYSTEM):
            chosen = rng.sample(tradable, IMPORTS_PER_MARKET + EXPORTS_PER_MARKET + EXCHANGES_PER_MARKET)
            exports = chosen[:EXPORTS_PER_MARKET]
            exchange = chosen[EXPORTS_PER_MARKET : EXPORTS_PER_MARKET + EXCHANGES_PER_MARKET]
            # As in the real game, a market imports the inputs of what it makes (else the resolver, rightly, does
            # not take it for a factory), then other goods up to its share.
            taken = set(exports) | set(exchange)
            imports = list(dict.fromkeys(g for e in exports for g in supply_chain.inputs_of(e) if g not in taken))
            rest = [g for g in chosen[EXPORTS_PER_MARKET + EXCHANGES_PER_MARKET :] if g not in imports]
            imports += rest[: max(0, IMPORTS_PER_MARKET - len(imports))]
            goods = [_good(rng, g, TradeGoodType.IMPORT) for g in imports]
            goods += [_good(rng, g, TradeGoodType.EXPORT) for g in exports]
            goods += [_good(rng, g, TradeGoodType.EXCHANGE) for g in exchange]
            markets.append(
                MarketSnapshot(
                    waypoint=WaypointSymbol(f"{system}-M{m:02d}"),
                    observed_at=NOW,
                    trade_goods={g.symbol: g for g in goods},
                    position=Position(rng.randint(-780, 780), rng.randint(-780, 780)),
                )
            )
        galaxy[system] = markets
    return galaxy


def _good(rng: random.Random, symbol: TradeSymbol, kind: TradeGoodType) -> MarketTradeGood:
    base = rng.randint(20, 4000)
    bid = base * 3 if kind is TradeGoodType.IMPORT else base
    return MarketTradeGood(
        symbol=symbol,
        type=kind,
        trade_volume=rng.choice((6, 10, 20, 60)),
        supply=rng.choice(list(SupplyLevel)),
        ask=bid * 2,
        bid=bid,
    )


def run(strategy: AcquisitionStrategy, galaxy, supply_chain: SupplyChainMap, ranker) -> None:
    finder = ManufacturingDemandFinder(
        markets=GalaxyMarkets(galaxy),
        supply_chain=FixedMap(supply_chain),
        ranker=ranker,
        clock=FrozenClock(),
        resolver_config=ResolverConfig(strategy=strategy),
    )
    config = DemandFinderConfig()
    finder.find(next(iter(galaxy)), config)  # warm-up: imports, caches of the interpreter
    timings, found, depths = [], 0, []
    started = time.perf_counter()
    for system in galaxy:
        t0 = time.perf_counter()
        report = finder.find(system, config)
        timings.append((time.perf_counter() - t0) * 1000)
        found += len(report.opportunities)
        depths += [o.tree_depth for o in report.opportunities]
    total = (time.perf_counter() - started) * 1000
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{strategy:<17} per system: mean {statistics.fmean(timings):.3f} ms,"
        f" median {statistics.median(timings):.3f} ms, p95 {p95:.3f} ms, max {timings[-1]:.3f} ms | all {len(galaxy)} systems: {total:.0f} ms"
        f" | opportunities {found} (mean depth {statistics.fmean(depths) if depths else 0:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    supply_chain = SupplyChainMap.from_export_to_import(json.loads(MAP_PATH.read_text())["exportToImportMap"])
    t0 = time.perf_counter()
    galaxy = build_galaxy(supply_chain, args.systems, args.seed)
    built = time.perf_counter() - t0
    # The galaxy stands for long-lived state; keep the collector from re-walking it inside the timings.
    gc.collect()
    gc.freeze()
    print(
        f"galaxy: {args.systems} systems x {MARKETS_PER_SYSTEM} markets x {IMPORTS_PER_MARKET} import goods"
        f" (built in {built:.1f} s); ranking through the plugin manager's default_ranking"
    )
    ranker = PluginRanker(build_plugin_manager())
    for strategy in AcquisitionStrategy:
        run(strategy, galaxy, supply_chain, ranker)


if __name__ == "__main__":
    main()
