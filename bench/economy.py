"""Does a trade lane saturate? A fixed trading schedule replayed on the embedded game server's World.

One lane of the starter system: a good bought at a market that exports it and sold at one that imports it (the
lane with the best first-lot margin, or --good). Every 60/RATE game minutes one tranche (the export's tradeVolume at
the start: the schedule stays fixed even if the tradeVolume grows) is bought at the exporter and sold at the
importer, as a fleet keeping the lane busy would (travel, fuel and the rate limit are left out: this measures the
markets, not a bot). The World runs in-process on a hand-driven clock, through the same calls the HTTP API makes.

Prints, per rate: the credits the lane earns in game hours 1, 2-6, 7-24 (per game hour), and how far the exporter's
purchasePrice and the importer's sellPrice sit from their start after 1, 6 and 24 game hours. A faithful market
shows the margin shrinking as the lane is worked harder and the prices staying away from their start for hours.

    .venv/bin/python bench/economy.py [--rates 1,2,4,8] [--hours 24] [--seed 1] [--good SYMBOL]
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass

from adapters.game_server.clock import ManualClock
from adapters.game_server.world import World, WorldSettings

AGENT = "BENCH"
BUYER, SELLER = f"{AGENT}-1", f"{AGENT}-2"
CHECKPOINTS = (1, 6, 24)


@dataclass(frozen=True)
class Lane:
    good: str
    exporter: str
    importer: str


def best_lane(world: World, good: str | None) -> Lane:
    """The starter-system lane with the best first-lot margin (importer's sellPrice over exporter's purchasePrice)."""
    system = world.universe.starter_system
    best: tuple[float, Lane] | None = None
    for exporter, spec in world.universe.markets.items():
        if not exporter.startswith(system):
            continue
        for export in spec.goods:
            if export.kind != "EXPORT" or (good and export.symbol != good):
                continue
            for importer, other in world.universe.markets.items():
                if not importer.startswith(system):
                    continue
                for imported in other.goods:
                    if imported.symbol == export.symbol and imported.kind == "IMPORT":
                        margin = imported.base_price / (export.base_price * 2.06)
                        if best is None or margin > best[0]:
                            best = (margin, Lane(export.symbol, exporter, importer))
    if best is None:
        raise SystemExit(f"no lane for {good or 'any good'} in {system}")
    return best[1]


def prices(world: World, lane: Lane) -> tuple[int, int]:
    """(exporter's purchasePrice, importer's sellPrice) as GET market shows them to a ship there."""
    def view(waypoint: str, ship: str) -> tuple[int, int]:
        market = world.market(world.universe.waypoints[waypoint].system, waypoint, AGENT)
        good = next(g for g in market.trade_goods if g.symbol == lane.good)
        return good.purchase_price, good.sell_price
    return view(lane.exporter, BUYER)[0], view(lane.importer, SELLER)[1]


def place(world: World, clock: ManualClock, ship: str, waypoint: str) -> None:
    world.orbit(AGENT, ship)
    if world.ship(AGENT, ship).nav.waypoint_symbol != waypoint:
        clock.set(world.navigate(AGENT, ship, waypoint).nav.route.arrival)
        clock.advance(0.001)
    world.dock(AGENT, ship)


def trade_volume(world: World, waypoint: str, good: str) -> int:
    market = world.market(world.universe.waypoints[waypoint].system, waypoint, AGENT)
    return next(g for g in market.trade_goods if g.symbol == good).trade_volume


def one_tranche(world: World, lane: Lane, volume: int) -> int:
    """Buy `volume` units at the exporter (in lots the hold and the tradeVolume allow), sell them at the importer;
    the credits it made."""
    start = world.agent(AGENT).credits
    volume_here = trade_volume(world, lane.exporter, lane.good)
    capacity = world.ship_cargo(AGENT, BUYER).capacity
    left = volume
    while left:                                 # the buyer's hold is smaller than some tranches: several loads
        units = min(left, capacity, volume_here)
        world.purchase_cargo(AGENT, BUYER, lane.good, units)
        world.jettison(AGENT, BUYER, lane.good, units)
        left -= units
    # The same units arrive at the importer (the hauler's trip is not what this measures).
    import_volume = trade_volume(world, lane.importer, lane.good)
    left = volume
    while left:
        units = min(left, import_volume)
        world._ships[SELLER].cargo[lane.good] = units
        world.sell_cargo(AGENT, SELLER, lane.good, units)
        left -= units
    return world.agent(AGENT).credits - start


def replay(seed: int, rate: int, hours: int, good: str | None) -> dict:
    clock = ManualClock()
    world = World.open(None, clock=clock, settings=WorldSettings(seed=seed, starting_credits=10 ** 10))
    world.register(AGENT, "COSMIC")
    lane = best_lane(world, good)
    place(world, clock, BUYER, lane.exporter)
    place(world, clock, SELLER, lane.importer)
    start = prices(world, lane)
    volume = trade_volume(world, lane.exporter, lane.good)
    interval = 3600.0 / rate
    per_hour: list[int] = []
    away: dict[int, tuple[float, float]] = {}
    for hour in range(1, hours + 1):
        earned = 0
        for _ in range(rate):
            earned += one_tranche(world, lane, volume)
            clock.advance(interval)
        per_hour.append(earned)
        if hour in CHECKPOINTS:
            buy, sell = prices(world, lane)
            away[hour] = (buy / start[0] - 1, sell / start[1] - 1)
    grown = (trade_volume(world, lane.exporter, lane.good), trade_volume(world, lane.importer, lane.good))
    world.close()
    return {"lane": lane, "start": start, "per_hour": per_hour, "away": away, "volume": volume, "grown": grown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="1,2,4,8", help="tranches per game hour, comma-separated")
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--good", default=None)
    args = parser.parse_args()
    for rate in (int(r) for r in args.rates.split(",")):
        result = replay(args.seed, rate, args.hours, args.good)
        lane, per_hour = result["lane"], result["per_hour"]
        print(f"{lane.good}: buy at {lane.exporter} (P {result['start'][0]}), sell at {lane.importer} "
              f"(S {result['start'][1]}); {rate} tranches of {result['volume']} units per game hour; "
              f"tradeVolumes after {args.hours} h: exporter {result['grown'][0]}, importer {result['grown'][1]}")
        spans = [(1, 1), (2, min(6, args.hours)), (7, args.hours)]
        shown = [f"h{a}{'' if a == b else f'-{b}'} {sum(per_hour[a - 1:b]) / (b - a + 1):>10,.0f}"
                 for a, b in spans if a <= b]
        print("  credits per game hour: " + "   ".join(shown))
        for hour, (buy, sell) in result["away"].items():
            print(f"  after {hour:>2} h: exporter P {buy:+6.0%}   importer S {sell:+6.0%}")


if __name__ == "__main__":
    main()
