"""MarketScout: keeps the market prices the demand finder works from fresh.

Prices are visible only where one of our ships is. The scout records the market of every waypoint a ship of ours
sits at, parks probes at the markets that matter most (sell markets and factories of current opportunities, then
factories, then markets paying most for their imports) and, when the system has more markets than probes, sends
one probe on a tour that visits the markets never seen first, then the stalest. It also reports coverage and
freshness for the coordinator's start-up check and `manufacturing status`.

The scout never waits: it is called from the coordinator's loop, so a probe is sent off with orbit + navigate
(probes need no fuel, so a direct hop is always possible) and picked up again on a later call once the game no
longer shows it in transit. That is also why it does not use the Navigator, which waits for arrival.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from application.game_errors import GameError
from application.game_port import GamePort
from application.ports import Clock, MarketRepository, SupplyChainSource
from application.repositories import ShipAssignmentRepository
from domain.errors import InvalidValue
from domain.fleet import ShipNavStatus, ShipRole
from domain.geometry import distance
from domain.goods import TradeSymbol
from domain.market import MarketSnapshot
from domain.opportunity import ManufacturingOpportunity
from domain.ship_state import ShipState
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.waypoint import WaypointInfo

_log = logging.getLogger(__name__)


def is_probe(ship: ShipState) -> bool:
    """A satellite (the starting probe, SHIP_PROBE purchases): no cargo, no fuel, made for watching markets."""
    return ship.role is ShipRole.SATELLITE or (ship.cargo_capacity == 0 and ship.fuel_capacity == 0)


@dataclass(frozen=True, slots=True)
class ScoutConfig:
    """`max_age`: prices older than this count as stale in the coverage report (seconds).
    `refresh_after`: a market observed more recently than this is not fetched again (each fetch is a request).
    `waypoints_ttl`: how long the list of the system's marketplaces is reused before it is fetched again.
    """

    max_age: float = 900.0
    refresh_after: float = 120.0
    waypoints_ttl: float = 3600.0

    def __post_init__(self) -> None:
        if self.max_age <= 0 or self.refresh_after < 0 or self.waypoints_ttl < 0:
            raise InvalidValue(f"scout intervals must be positive: {self}")


@dataclass(frozen=True, slots=True)
class MarketCoverage:
    """What we know of the system's markets at `checked_at`.

    `stale` pairs each market whose prices are older than `max_age` with their age in seconds.
    """

    system: SystemSymbol
    checked_at: datetime
    max_age: float
    markets: tuple[WaypointSymbol, ...]
    fresh: tuple[WaypointSymbol, ...]
    stale: tuple[tuple[WaypointSymbol, float], ...]
    never_seen: tuple[WaypointSymbol, ...]

    @property
    def complete(self) -> bool:
        """Every market seen, none stale."""
        return not self.stale and not self.never_seen

    def describe(self) -> list[str]:
        """Lines for the log and `status`: the counts, then what is missing."""
        lines = [
            f"markets in {self.system}: {len(self.markets)}, fresh (under {self.max_age / 60:.0f} min): "
            f"{len(self.fresh)}, stale: {len(self.stale)}, never seen: {len(self.never_seen)}"
        ]
        if not self.markets:
            lines.append(f"no marketplace known in {self.system}: the demand finder has nothing to work from")
        if self.never_seen:
            lines.append("never seen (no prices): " + ", ".join(self.never_seen))
        if self.stale:
            lines.append(
                "stale: " + ", ".join(f"{market} ({age / 60:.0f} min old)" for market, age in self.stale)
            )
        return lines


@dataclass(frozen=True, slots=True)
class ProbeOrder:
    """A probe sent to a market: parked there for good, or visiting it on a tour."""

    ship: ShipSymbol
    market: WaypointSymbol
    purpose: str  # "park" or "tour"
    arrival: datetime


class MarketScout:
    """Records markets our ships see and deploys probes so that every market's prices stay fresh."""

    def __init__(
        self,
        game: GamePort,
        markets: MarketRepository,
        clock: Clock,
        system: SystemSymbol | str,
        *,
        assignments: ShipAssignmentRepository | None = None,
        supply_chain: SupplyChainSource | None = None,
        config: ScoutConfig | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self._game = game
        self._markets = markets
        self._clock = clock
        self.system = SystemSymbol(system)
        self._assignments = assignments
        self._supply_chain = supply_chain
        self.config = config or ScoutConfig()
        self._log = logger or _log
        self._marketplaces: dict[WaypointSymbol, WaypointInfo] = {}
        self._marketplaces_at: datetime | None = None
        self._focus: dict[WaypointSymbol, int] = {}
        self._parked: dict[ShipSymbol, WaypointSymbol] = {}
        self._touring: dict[ShipSymbol, WaypointSymbol] = {}
        self._fetched_at: dict[WaypointSymbol, datetime] = {}
        self._arrivals: dict[ShipSymbol, datetime] = {}

    # --- what the system has -------------------------------------------------------------------

    def marketplaces(self) -> dict[WaypointSymbol, WaypointInfo]:
        """Every waypoint of the system with a MARKETPLACE (fetched once, then reused for `waypoints_ttl`)."""
        now = self._clock.now()
        if self._marketplaces_at is None or now - self._marketplaces_at > timedelta(seconds=self.config.waypoints_ttl):
            waypoints = self._game.waypoints(self.system)
            self._marketplaces = {info.symbol: info for info in waypoints if info.is_market}
            self._marketplaces_at = now
        return self._marketplaces

    def coverage(self) -> MarketCoverage:
        """Which markets have fresh prices, which stale ones, which were never seen with a ship present."""
        now = self._clock.now()
        marketplaces = sorted(self.marketplaces())
        known = self._known_snapshots()
        fresh: list[WaypointSymbol] = []
        stale: list[tuple[WaypointSymbol, float]] = []
        never: list[WaypointSymbol] = []
        for market in marketplaces:
            snapshot = known.get(market)
            if snapshot is None or not snapshot.trade_goods:
                never.append(market)
                continue
            age = (now - snapshot.observed_at).total_seconds()
            if age <= self.config.max_age:
                fresh.append(market)
            else:
                stale.append((market, age))
        return MarketCoverage(self.system, now, self.config.max_age, tuple(marketplaces), tuple(fresh),
                              tuple(stale), tuple(never))

    # --- observing -----------------------------------------------------------------------------

    def observe(self, ships: Iterable[ShipState]) -> list[MarketSnapshot]:
        """Record the market at every waypoint where a ship of ours is (not in transit), unless seen lately.

        A market is fetched at most once per call, however many ships sit there. Snapshots without prices (the game
        hides them when no ship is present, e.g. the ship left meanwhile) are not recorded: they would replace
        priced ones in the repository.
        """
        now = self._clock.now()
        marketplaces = self.marketplaces()
        recorded: list[MarketSnapshot] = []
        present = sorted({ship.waypoint for ship in ships if ship.nav_status is not ShipNavStatus.IN_TRANSIT})
        for waypoint in present:
            info = marketplaces.get(waypoint)
            # The markets where ships are, one by one: a handful, where the whole system is dozens.
            if info is None or not self._due(waypoint, self._markets.market(waypoint), now):
                continue
            try:
                snapshot = self._game.market(waypoint)
            except GameError as error:
                self._log.warning("could not read the market at %s: %s", waypoint, error)
                continue
            self._fetched_at[waypoint] = now
            if not snapshot.trade_goods:
                continue
            if snapshot.position is None:
                snapshot = replace(snapshot, position=info.position)
            self._markets.record(snapshot)
            recorded.append(snapshot)
        return recorded

    def _due(self, waypoint: WaypointSymbol, snapshot: MarketSnapshot | None, now: datetime) -> bool:
        last = self._fetched_at.get(waypoint)
        if snapshot is not None and snapshot.trade_goods:
            last = max(last, snapshot.observed_at) if last is not None else snapshot.observed_at
        return last is None or (now - last).total_seconds() >= self.config.refresh_after

    def _known_snapshots(self) -> dict[WaypointSymbol, MarketSnapshot]:
        return {snapshot.waypoint: snapshot for snapshot in self._markets.markets_in_system(self.system)}

    # --- probes --------------------------------------------------------------------------------

    def focus(self, opportunities: Sequence[ManufacturingOpportunity]) -> None:
        """Markets that matter to the current opportunities are parked at first: sell markets and factories,
        then the markets inputs are bought at."""
        focus: dict[WaypointSymbol, int] = {}
        for opportunity in opportunities:
            focus[opportunity.sell_market] = max(focus.get(opportunity.sell_market, 0), 2)
            for node in opportunity.dependency_tree.walk():
                weight = 2 if node.children else 1
                focus[node.market] = max(focus.get(node.market, 0), weight)
        self._focus = focus

    def probes_useful(self, ships: Iterable[ShipState]) -> int:
        """How many more probes would have a market worth watching of their own (see `markets_worth_watching`)."""
        probes = sum(1 for ship in ships if is_probe(ship))
        return max(0, len(self.markets_worth_watching()) - probes)

    def markets_worth_watching(self) -> list[WaypointSymbol]:
        """Every marketplace but those seen trading nothing but fuel (fuel stations): no run buys or sells there,
        so a probe of its own would watch one price no one trades on. A market never seen counts: it may trade."""
        known = self._known_snapshots()
        return sorted(market for market in self.marketplaces()
                      if (snapshot := known.get(market)) is None or not snapshot.trade_goods
                      or set(snapshot.trade_goods) != {TradeSymbol.FUEL})

    def deploy_probes(self, ships: Sequence[ShipState]) -> list[ProbeOrder]:
        """Send idle probes where they are needed; returns the orders given this call.

        With at least as many probes as markets every market gets a parked probe. Otherwise all probes but one are
        parked at the most important markets and the last one tours the rest; a single probe tours everything.
        Probes held by an operation (the fleet manager sends one to a shipyard) and probes in transit are left alone.
        """
        marketplaces = self.marketplaces()
        if not marketplaces:
            return []
        held = self._held()
        probes = sorted((ship for ship in ships if is_probe(ship) and ship.symbol not in held),
                        key=lambda ship: ship.symbol)
        flying = {probe.symbol for probe in probes if probe.nav_status is ShipNavStatus.IN_TRANSIT}
        self._arrivals = {ship: at for ship, at in self._arrivals.items() if ship in flying}
        if not probes:
            return []
        known = self._known_snapshots()
        ranked = self._ranked_markets(marketplaces, known)
        park_count = len(ranked) if len(probes) >= len(ranked) else len(probes) - 1
        parking = self._match_parking(ranked[:park_count], probes, marketplaces)
        self._parked = parking
        tourers = [probe for probe in probes if probe.symbol not in parking]
        self._touring = {ship: market for ship, market in self._touring.items()
                         if ship in {probe.symbol for probe in tourers}}

        orders: list[ProbeOrder] = []
        for probe in probes:
            target = parking.get(probe.symbol)
            if target is not None and probe.waypoint != target and probe.nav_status is not ShipNavStatus.IN_TRANSIT:
                order = self._send(probe, target, "park")
                if order is not None:
                    orders.append(order)
        parked_markets = set(parking.values())
        for probe in tourers:
            if probe.nav_status is ShipNavStatus.IN_TRANSIT:
                continue
            claimed = parked_markets | {m for s, m in self._touring.items() if s != probe.symbol}
            target = self._next_tour_stop(probe, ranked, claimed, known, marketplaces)
            if target is None or target == probe.waypoint:
                continue
            order = self._send(probe, target, "tour")
            if order is not None:
                self._touring[probe.symbol] = target
                orders.append(order)
        return orders

    def step(self, ships: Sequence[ShipState]) -> list[MarketSnapshot]:
        """One scouting round: record what the ships see, then move the probes on."""
        recorded = self.observe(ships)
        self.deploy_probes(ships)
        return recorded

    @property
    def next_arrival(self) -> datetime | None:
        """When the first probe sent off by this scout arrives (the next moment a `step` has work), if any."""
        return min(self._arrivals.values(), default=None)

    @property
    def parked(self) -> dict[ShipSymbol, WaypointSymbol]:
        """Probe -> the market it is parked at (or flying to, to park)."""
        return dict(self._parked)

    @property
    def touring(self) -> dict[ShipSymbol, WaypointSymbol]:
        """Touring probe -> the market it is visiting next."""
        return dict(self._touring)

    def _held(self) -> set[ShipSymbol]:
        if self._assignments is None:
            return set()
        now = self._clock.now()
        return {a.ship for a in self._assignments.assigned() if a.lease_until > now}

    def _ranked_markets(
        self, marketplaces: dict[WaypointSymbol, WaypointInfo], known: dict[WaypointSymbol, MarketSnapshot]
    ) -> list[WaypointSymbol]:
        """Most important first: focus of the current opportunities, factories, then high import bids."""
        recipes = self._supply_chain.supply_chain() if self._supply_chain is not None else None

        def key(market: WaypointSymbol) -> tuple[int, int, int, str]:
            snapshot = known.get(market)
            factory = bool(snapshot and recipes and any(recipes.is_manufacturable(g) for g in snapshot.exports))
            best_bid = 0
            if snapshot is not None:
                best_bid = max((snapshot.bid(good) or 0 for good in snapshot.imports), default=0)
            return (-self._focus.get(market, 0), -int(factory), -best_bid, str(market))

        return sorted(marketplaces, key=key)

    def _match_parking(
        self, targets: list[WaypointSymbol], probes: list[ShipState], marketplaces: dict[WaypointSymbol, WaypointInfo]
    ) -> dict[ShipSymbol, WaypointSymbol]:
        """Each target market gets one probe: one already there (or on its way), else the nearest free one.

        A probe already parked keeps its post while that market is still a target, so probes do not shuffle
        between markets every cycle.
        """
        parking: dict[ShipSymbol, WaypointSymbol] = {}
        free = {probe.symbol: probe for probe in probes}
        open_targets: list[WaypointSymbol] = []
        for target in targets:
            keeper = next((p for p in free.values() if self._parked.get(p.symbol) == target), None)
            keeper = keeper or next((p for p in free.values() if p.waypoint == target), None)
            if keeper is None:
                open_targets.append(target)
                continue
            parking[keeper.symbol] = target
            del free[keeper.symbol]
        for target in open_targets:
            if not free:
                break
            where = marketplaces[target].position
            nearest = min(free.values(), key=lambda p: (distance(p.position, where), p.symbol))
            parking[nearest.symbol] = target
            del free[nearest.symbol]
        return parking

    def _next_tour_stop(
        self,
        probe: ShipState,
        ranked: list[WaypointSymbol],
        claimed: set[WaypointSymbol],
        known: dict[WaypointSymbol, MarketSnapshot],
        marketplaces: dict[WaypointSymbol, WaypointInfo],
    ) -> WaypointSymbol | None:
        """Never-seen markets first, then the one whose prices are oldest; nearer first among equals."""
        candidates = [m for m in ranked if m not in claimed and m != probe.waypoint]
        if not candidates:
            return None
        now = self._clock.now()

        def key(market: WaypointSymbol) -> tuple[float, float, str]:
            snapshot = known.get(market)
            age = float("inf") if snapshot is None or not snapshot.trade_goods else (
                now - snapshot.observed_at).total_seconds()
            return (-age, distance(probe.position, marketplaces[market].position), str(market))

        return min(candidates, key=key)

    def _send(self, probe: ShipState, target: WaypointSymbol, purpose: str) -> ProbeOrder | None:
        try:
            if probe.nav_status is ShipNavStatus.DOCKED:
                self._game.orbit(probe.symbol)
            departure = self._game.navigate(probe.symbol, target)
        except GameError as error:
            self._log.warning("could not send probe %s to %s: %s", probe.symbol, target, error)
            return None
        self._arrivals[probe.symbol] = departure.arrival
        self._log.info("probe %s %s %s, arriving %s", probe.symbol,
                       "parks at" if purpose == "park" else "tours to", target, departure.arrival.isoformat())
        return ProbeOrder(probe.symbol, target, purpose, departure.arrival)
