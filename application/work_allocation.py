"""Which idle ship does which work: the two kinds' ranked lists merged by expected profit per ship-hour (issue 16).

Manufacturing opportunities and trade routes each come ranked by their own pluggy hook. The coordinator walks both
lists at once and, at each step, gives the next ship to whichever list's next item is expected to earn more per hour
of a ship's time; each list keeps its hook's order, only the interleaving is decided here. The expected figure is
what the ledger recorded for the lane (or its good), recent runs weighing most, else an estimate from the price
signal: the margin times the units one trip can move, over the trip's game hours (flights from the ship's position
at cruise, a pause at each stop, and for manufacturing the wait for the factory's output). Estimates of one kind are
scaled by how far that kind's finished runs fell short of (or beat) their own estimates, so neither kind wins by a
more hopeful formula; a kind never run is tried once first.

Also here: the markets each piece of work buys and sells a good at (`Claim`), which the coordinator keeps one worker
per, whatever its kind (`MarketClaims`), so a manufacturing run and a trade lane do not push each other's prices. A
manufacturing run gives its markets back as it moves on (`RunStage`, read from its ledger rows): half of a run's time
is spent after its inputs are delivered (a bench, measured on its ledger), and holding their markets for it kept
trade lanes idle that no one was working.
"""
from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from application.travel import TravelModel, game_round, travel_distance
from domain.fleet import ShipNavFlightMode, ShipSummary
from domain.geometry import Position, distance
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.symbols import WaypointSymbol
from domain.trade_route import TradeRoute

MarketGood = tuple[TradeSymbol, WaypointSymbol]
_W = TypeVar("_W")


@dataclass(frozen=True, slots=True)
class EstimateConfig:
    """The figures of the price-signal estimate (before each kind's record scales it).

    `lots_per_visit`: lots of a market's trade volume one visit trades before its price has moved too far (the
    workers stop at a bid drop or an ask rise of some tens of percent, a few lots). `stop_seconds`: game time at each
    market (docking, looking, trading lot by lot). `production_seconds`: the wait for the factory's output (often
    at hand; else one supply level of a fed factory takes 18-34 game minutes). `unknown_margin`: the share of the bid
    taken as the margin when the factory's ask is unknown. `capacity` and `engine_speed`: the ship assumed when none
    is idle. The scale of these figures matters less than their proportions: each kind's record rescales them."""

    lots_per_visit: int = 4
    stop_seconds: float = 60.0
    production_seconds: float = 600.0
    unknown_margin: float = 0.15
    capacity: int = 40
    engine_speed: int = 10
    travel: TravelModel = TravelModel()


def _flight_seconds(a: Position | None, b: Position | None, speed: int, travel: TravelModel) -> float:
    """One cruise flight; unknown positions count as a short hop (the floor of the game's formula)."""
    apart = travel_distance(a, b) if a is not None and b is not None else 0
    return travel.flight_seconds(apart, ShipNavFlightMode.CRUISE, speed)


def _trip_hours(start: Position | None, stops: Iterable[Position | None], ship: ShipSummary | None,
                config: EstimateConfig, extra_seconds: float = 0.0) -> float:
    speed = ship.engine_speed if ship is not None else config.engine_speed
    seconds, here = extra_seconds, start
    for stop in stops:
        seconds += _flight_seconds(here, stop, speed, config.travel) + config.stop_seconds
        here = stop if stop is not None else here
    return max(seconds, 60.0) / 3600


def _room(ship: ShipSummary | None, config: EstimateConfig) -> int:
    return ship.cargo_capacity - ship.cargo_units if ship is not None else config.capacity


def _route_units(route: TradeRoute, ship: ShipSummary | None, config: EstimateConfig) -> int:
    """What one visit to the export can buy: the ship's room (the assumed ship's, for none), at most
    `lots_per_visit` of its lots."""
    return min(_room(ship, config), config.lots_per_visit * route.trade_volume)


def units_per_trip(route: TradeRoute, config: EstimateConfig = EstimateConfig()) -> int:
    """What one visit to `route`'s export buys for the ship the estimates assume: the units its lane's own signal
    (`lane_signal_per_hour`) counts."""
    return _route_units(route, None, config)


def route_signal_per_hour(route: TradeRoute, ship: ShipSummary | None, buy_at: Position | None,
                          sell_at: Position | None, config: EstimateConfig = EstimateConfig()) -> float:
    """Credits per ship-hour the prices promise on `route` for `ship`: the margin on what one visit can buy (the
    ship's room, at most `lots_per_visit` of the export's lots) over the flights ship -> export -> import."""
    units = _route_units(route, ship, config)
    start = ship.position if ship is not None else buy_at
    return route.margin * units / _trip_hours(start, (buy_at, sell_at), ship, config)


def lane_signal_per_hour(route: TradeRoute, config: EstimateConfig = EstimateConfig()) -> float:
    """The lane's own promise, whichever ship takes it: route_signal_per_hour's for a ship docked at the export
    (no hop to it, no floor), from the lane's length (unknown counts as a short hop). The learned ranking compares
    lanes by it."""
    units = _route_units(route, None, config)
    apart = game_round(route.distance) if route.distance is not None else 0
    seconds = 2 * config.stop_seconds + config.travel.flight_seconds(apart, ShipNavFlightMode.CRUISE,
                                                                     config.engine_speed)
    return route.margin * units / (seconds / 3600)


def manufacturing_signal_per_hour(opportunity: ManufacturingOpportunity, ship: ShipSummary | None,
                                  config: EstimateConfig = EstimateConfig()) -> float:
    """Credits per ship-hour the prices promise for making `opportunity` with `ship`: the sell market's bid over the
    factory's ask (or `unknown_margin` of the bid) on what one run can sell (the ship's room, at most
    `lots_per_visit` of the sell market's lots), over the flights to every input's source, the factory and the sell
    market, plus the wait for the output."""
    tree = opportunity.dependency_tree
    margin = opportunity.bid - tree.ask if tree.ask is not None else opportunity.bid * config.unknown_margin
    room = _room(ship, config)
    units = min(room, config.lots_per_visit * opportunity.trade_volume) if opportunity.trade_volume else room
    stops = [*_visits(tree), opportunity.sell_position]
    start = ship.position if ship is not None else tree.position
    return margin * units / _trip_hours(start, stops, ship, config, config.production_seconds)


def signal_per_hour(work: TradeRoute | ManufacturingOpportunity) -> float:
    """A lane's own price signal in credits per ship-hour, whichever ship takes it: what the learned ranking
    compares lanes by. (Each run is recorded against what its prices promised the ship it was given to, from where
    that ship was; the share of it the run earned carries to this.)"""
    if isinstance(work, TradeRoute):
        return lane_signal_per_hour(work)
    return manufacturing_signal_per_hour(work, None)


def _visits(node: SupplyChainNode) -> list[Position | None]:
    """The markets a run visits for `node`, in the order the tree is executed: inputs first, then the factory."""
    if node.method is not AcquisitionMethod.FABRICATE:
        return [node.position]
    return [position for child in node.children for position in _visits(child)] + [node.position]


@dataclass(frozen=True, slots=True)
class Footprint:
    """The (good, market) pairs a piece of work buys at and sells into."""

    buys: frozenset[MarketGood] = frozenset()
    sells: frozenset[MarketGood] = frozenset()

    def meets(self, other: Footprint) -> bool:
        """Whether both buy one good at one market, or both sell one good into one market."""
        return not (self.buys.isdisjoint(other.buys) and self.sells.isdisjoint(other.sells))


@dataclass(frozen=True, slots=True)
class Claim:
    """What one worker holds: `whole`, every pair its run trades, kept from work of the other kind; `own`, the pairs
    kept from work of its own kind (the per-kind rules the coordinator had before the kinds shared markets)."""

    kind: str
    whole: Footprint
    own: Footprint


def route_claim(kind: str, route: TradeRoute) -> Claim:
    """A lane: its good bought at the export, sold into the import (one worker per export and per import)."""
    whole = Footprint(frozenset({(route.good, route.buy_market)}), frozenset({(route.good, route.sell_market)}))
    return Claim(kind, whole, whole)


class RunStage(enum.IntEnum):
    """How far a manufacturing run has got, which says the markets it still needs. INPUTS: every market of its
    tree. DELIVERED: it has sold an input into the final factory, so its input purchases are over (a run acquires
    every input before it delivers any); what it still needs is that factory, for the rest of its deliveries and the
    output, and the sell market. OUTPUT: it holds the output (bought at the factory, or sold somewhere already);
    only the output's factory and its sell market are left."""

    INPUTS = 1
    DELIVERED = 2
    OUTPUT = 3


def run_stage(opportunity: ManufacturingOpportunity, transactions: Iterable[LedgerTransaction]) -> RunStage:
    """The stage of a run of `opportunity`, from the ledger rows of its operation so far. Where a sub-tree's factory
    is the final factory too, a sale there does not tell its deliveries from the final ones, and the run holds its
    inputs' markets until it has the output."""
    tree = opportunity.dependency_tree
    inputs = {child.good for child in tree.children}
    if any(node is not tree and node.method is AcquisitionMethod.FABRICATE and node.market == tree.market
           for node in tree.walk()):
        inputs = set()
    stage = RunStage.INPUTS
    for row in transactions:
        if row.category in (TransactionCategory.REFUEL, TransactionCategory.SHIP_PURCHASE):
            continue
        if row.good == opportunity.good and (row.type is TransactionType.CREDIT or row.waypoint == opportunity.factory):
            return RunStage.OUTPUT
        if row.type is TransactionType.CREDIT and row.waypoint == opportunity.factory and row.good in inputs:
            stage = RunStage.DELIVERED
    return stage


def manufacturing_claim(kind: str, opportunity: ManufacturingOpportunity, *, one_per_factory: bool,
                        stage: RunStage = RunStage.INPUTS) -> Claim:
    """A run: the output bought at its factory and sold at the sell market, and until `stage` has gone past them,
    every input bought at its source and delivered (sold) into the factory that consumes it. Against other
    manufacturing runs only the output counts (runs of different goods may share an input's source), its factory
    only when `one_per_factory`."""
    buys = {(opportunity.good, opportunity.factory)}
    sells = {(opportunity.good, opportunity.sell_market)}
    own = Footprint(frozenset(buys) if one_per_factory else frozenset(), frozenset(sells))
    tree = opportunity.dependency_tree
    if stage is RunStage.DELIVERED:
        sells.update((child.good, tree.market) for child in tree.children)
    elif stage is RunStage.INPUTS:
        for node in tree.walk():
            for child in node.children:
                sells.add((child.good, node.market))
                if child.method is not AcquisitionMethod.FABRICATE:
                    buys.add((child.good, child.market))
    return Claim(kind, Footprint(frozenset(buys), frozenset(sells)), own)


def lane_owners(items: Sequence[tuple[str, Footprint]], *, first: str) -> list[bool]:
    """Which of `items` (kind, footprint) keep their market pairs when work of both kinds wants them: work of kind
    `first` (the coordinator passes arbitrage) keeps every pair it wants, and work of another kind that buys one of
    the same goods at one of the same markets, or sells one into one of the same markets, is left out whatever either
    is expected to earn. Why: in one system the markets' recovery bounds what trading earns, and manufacturing wears
    the markets it shares with the trade lanes: on four seeds (8 game hours each) making goods on shared markets left
    the fleet 3% poorer on average than trading alone, sharing them out by expected profit per ship-hour too, and
    giving trading every ship it could use 4.5%; keeping manufacturing to markets no lane works left it 0.4% poorer
    (-1.6% / -3.0% / +2.7% / +0.2%). Returns one flag per item, in order."""
    firsts = [footprint for kind, footprint in items if kind == first]
    held = Footprint(frozenset().union(*(f.buys for f in firsts)), frozenset().union(*(f.sells for f in firsts)))
    return [kind == first or not held.meets(footprint) for kind, footprint in items]


class MarketClaims:
    """The claims of the running workers: at most one worker buying a good at one market and one selling a good
    into one market, whatever its kind (a second would meet the price the first one moved)."""

    def __init__(self, claims: Iterable[Claim] = ()) -> None:
        self._claims = list(claims)

    def clashes(self, claim: Claim) -> bool:
        return any((held.own.meets(claim.own) if held.kind == claim.kind else held.whole.meets(claim.whole))
                   for held in self._claims)

    def add(self, claim: Claim) -> None:
        self._claims.append(claim)


# A run counts as at least a second (no division by zero). Not a minute: where game time runs faster than the bot's
# clock (the embedded server at --speed 20) every run lasts seconds by that clock, and a minute's floor would rank
# work by profit per run instead of per hour, the longer runs first.
MIN_HOURS = 1 / 3600


class RecentRates:
    """Profit per ship-hour of the runs finished on each key (a lane, or a good), recent runs first: each run
    halves the weight of those before it (`keep`), so work whose markets our own sales wore down is judged by what it
    earns now rather than by its first runs."""

    def __init__(self, keep: float = 0.5) -> None:
        self._keep = keep
        self._sums: dict[object, tuple[float, float, float]] = {}  # key -> (profit, hours, runs), each decayed

    def add(self, key: object, profit: int, hours: float) -> None:
        made, spent, runs = self._sums.get(key, (0.0, 0.0, 0.0))
        self._sums[key] = (made * self._keep + profit, spent * self._keep + max(hours, MIN_HOURS),
                           runs * self._keep + 1)

    def rate(self, *keys: object, prior: float | None = None, prior_runs: float = 0.0) -> float | None:
        """The rate of the first of `keys` with a finished run; None when none has one. With a `prior` (a rate
        known from more runs, such as the kind's), the key's rate is drawn toward it as if `prior_runs` runs had
        earned it: see shrunk()."""
        for key in keys:
            if key in self._sums:
                made, spent, runs = self._sums[key]
                own = made / spent
                return own if prior is None else shrunk(own, runs, prior, prior_runs)
        return None

    def any_of(self, kind: str) -> bool:
        """Whether a run of `kind` finished (keys are (kind, lane or good))."""
        return any(key[0] == kind for key in self._sums if isinstance(key, tuple))


def shrunk(own: float, runs: float, prior: float, prior_runs: float) -> float:
    """A rate measured on `runs` runs drawn toward `prior` as if `prior_runs` more runs had earned it.

    Why: the allocation gives each ship to the work expected to earn most, and the most of many estimates made from
    one or two runs each is mostly the luckiest. Manufacturing's runs vary more than a lane's (a factory's output
    on offer or not, waits from none to an hour), so it won the comparison more often than it earned: four benches
    measured its runs at 190-500k a ship-hour beside trade runs at 575-870k, and the trade lanes it took ships from
    earned more than it did."""
    return (own * runs + prior * prior_runs) / (runs + prior_runs) if runs + prior_runs > 0 else prior


class KindRecord:
    """How one kind of work's finished runs compared with what they were expected to earn when they started: the
    profit they made over the profit their expectations promised for the hours they took. With `keep` below 1 each
    run multiplies the weight of those before it by `keep` (recent runs weigh most); `prior_runs` draws the ratio
    toward 1 as if that many more runs (of the mean promise) had earned just what they promised."""

    def __init__(self, *, keep: float = 1.0, prior_runs: float = 0.0) -> None:
        self._keep = keep
        self._prior_runs = prior_runs
        self.made = 0.0
        self.promised = 0.0
        self.runs = 0.0

    def add(self, profit: int, estimate_per_hour: float, hours: float) -> None:
        if estimate_per_hour > 0:
            self.made = self.made * self._keep + profit
            self.promised = self.promised * self._keep + estimate_per_hour * max(hours, MIN_HOURS)
            self.runs = self.runs * self._keep + 1

    @property
    def ratio(self) -> float | None:
        """Made over promised; None until a run of the kind with an estimate finished."""
        if self.promised <= 0:
            return None
        prior = self._prior_runs * self.promised / self.runs
        return (self.made + prior) / (self.promised + prior)


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a piece of work is expected to earn per ship-hour (`value`), and what that came from: its price signal
    unscaled (`signal`) when no run of its lane or good had finished, else its lane's record as recorded (`record`),
    before the kind's realization scaled it."""

    value: float
    signal: float | None = None
    record: float | None = None


# A kind's realization: the last twenty or so runs chosen on a record, its first runs moving it only part of the way.
REALIZATION_KEEP = 0.95
REALIZATION_PRIOR_RUNS = 2.0


def realization() -> KindRecord:
    """How a kind's runs chosen on their lane's record compared with that record. Why it is kept: the work
    allocation takes, of many lanes, the one whose record looks best, and the best of many noisy records is mostly
    the luckiest; the more a kind's runs vary, the less its next run earns of what its best record says. On a bench
    (seed 1, 8 game hours) manufacturing's runs earned 40% of what they were expected to when they started, trading's
    80%, so records alone handed manufacturing ships that trading would have earned more with. With the share, both
    kinds led trading alone by 1.8% on average over eight seeds (two runs each; 12 of 16 runs ahead)."""
    return KindRecord(keep=REALIZATION_KEEP, prior_runs=REALIZATION_PRIOR_RUNS)


def realized(rate: float, record: KindRecord) -> float:
    """A lane's recorded `rate` times the share of their records its kind's runs earned (`record`, a realization()):
    at most all of it (the aim is to correct records that promise too much) and never below nothing. A losing record
    stays as it is: scaling it down would make it look better."""
    ratio = record.ratio
    if rate <= 0 or ratio is None:
        return rate
    return rate * min(1.0, max(0.0, ratio))


def calibrated(records: dict[str, KindRecord], kind: str, signal: float, *, tried: bool) -> float:
    """What `kind`'s price signal `signal` is expected to earn: scaled by the kind's own record (how its finished
    runs compared with their signals). A kind that never ran (`tried` False) goes first once, whatever its signal
    promises (infinite), so that its formula is checked against a real run instead of losing every ship to a kind
    already measured; a kind known only from earlier processes' results borrows the ratio of every kind's runs
    together (1 before any run)."""
    own = records[kind].ratio
    if own is not None:
        return signal * own
    if not tried and signal > 0:
        return math.inf
    made = sum(record.made for record in records.values())
    promised = sum(record.promised for record in records.values())
    return signal * (made / promised if promised > 0 else 1.0)


@dataclass(slots=True)
class RankedWork(Generic[_W]):
    """One kind's work, in its hook's order. `has_room()`: whether the kind may start another worker (its cap);
    `eligible(item)`: whether the item may be started now (not paused, its markets not claimed); `expected(item)`:
    credits per ship-hour it is expected to earn."""

    kind: str
    items: Sequence[_W]
    has_room: Callable[[], bool]
    eligible: Callable[[_W], bool]
    expected: Callable[[_W], float]
    _next: int = 0

    def head(self) -> _W | None:
        """The first item still eligible, skipping those that are not (they stay out for this cycle: claims only
        grow while it runs); None when the kind is closed or has nothing left."""
        if not self.has_room():
            return None
        while self._next < len(self.items):
            item = self.items[self._next]
            if self.eligible(item):
                return item
            self._next += 1
        return None

    def take(self) -> None:
        self._next += 1


def interleave(queues: Sequence[RankedWork]) -> Iterator[tuple[str, object]]:
    """Every eligible item of every queue, each queue in its own order (its ranking hook's), as (kind, item): at each
    step the queue whose next item is expected to earn more per ship-hour goes first, the earlier queue on a tie.
    Heads are judged again at each step, as the caller's starting work changes claims, caps and idle ships."""
    while True:
        heads = [(queue, item) for queue in queues if (item := queue.head()) is not None]
        if not heads:
            return
        best = max(range(len(heads)), key=lambda i: (heads[i][0].expected(heads[i][1]), -i))
        queue, item = heads[best]
        queue.take()
        yield queue.kind, item


def nearest_first(ships: Iterable[ShipSummary], where: Position | None) -> list[ShipSummary]:
    """The idle ships with room, nearest to `where` first (the biggest hold on a tie)."""
    return sorted((ship for ship in ships if ship.cargo_capacity > ship.cargo_units),
                  key=lambda ship: (distance(ship.position, where), -ship.cargo_capacity, ship.symbol))


def nearest(ships: Sequence[ShipSummary], where: Position | None) -> ShipSummary | None:
    """The idle ship with room nearest to `where` (the biggest hold on a tie), None when none has room."""
    ordered = nearest_first(ships, where)
    return ordered[0] if ordered else None
