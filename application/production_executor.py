"""Manufacturing one good by walking its dependency tree with one ship.

BUY nodes are bought at their market. A FABRICATE node first acquires each input (recursively), then delivers the
inputs by selling them to the factory market, polls that market until the output is offered (supply above SCARCE
at a price below what it will sell for), and buys it.

Quantities: the ship's hold is shared out between a node's inputs (a FABRICATE node gets the whole share of its
parent, since its inputs leave the hold before its output comes in); every purchase and sale is split into lots of
the market's trade volume and sized by the free hold and the credits at hand. Units of a tree good already in the
hold count as acquired, so a ship that brings inputs along starts with the delivery.

Guards (the losses of public bots came from their absence):
- an input whose ask rose past `max_input_price_rise` x the first ask seen in this run is not bought any more;
- an output at SCARCE supply is not bought, nor one whose ask is not below the sell market's bid;
- (used by the worker) selling into an import stops once its bid is below `min_sell_to_cost` x the units' cost.
Every purchase and sale goes through the LedgerRecorder, so it is in the ledger the moment it happens.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from application.game_errors import CargoFull, InsufficientCredits, TradeVolumeExceeded
from application.game_port import GamePort
from application.ledger_recorder import LedgerRecorder
from application.navigation import Navigator
from application.ports import Clock, MarketRepository
from application.production_errors import (
    FactoryRefusesInput, InputUnavailable, OutputUnavailable, ProductionTimeout)
from application.repositories import ShipAssignmentRepository
from application.waiting import NEVER, check_cancelled, pause
from application.worker_jobs import CancelToken
from domain.fleet import ShipNavStatus
from domain.goods import SupplyLevel, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.symbols import ShipSymbol, WaypointSymbol


@dataclass(frozen=True, slots=True)
class ProductionConfig:
    """The guards and the production wait. Defaults are those of adapters/config ManufacturingSettings.

    `wait_slice`: longest single sleep while waiting (cancellation is noticed within it).
    """

    max_input_price_rise: float = 1.3
    min_sell_to_cost: float = 1.0
    production_poll_interval: float = 30.0
    production_timeout: float = 3 * 3600.0
    wait_slice: float = 5.0


@dataclass(frozen=True, slots=True)
class ProductionOutcome:
    """`units` of `good` are in the hold, bought at `market`; `notes` say where a guard cut quantities."""

    good: TradeSymbol
    units: int
    market: WaypointSymbol
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class _Run:
    """What one produce() call knows as it goes: the hold, where the ship is, the first asks seen."""

    ship: ShipSymbol
    recorder: LedgerRecorder
    cancel: CancelToken
    capacity: int
    hold: dict[TradeSymbol, int]
    location: WaypointSymbol
    docked: bool
    first_ask: dict[TradeSymbol, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def free(self) -> int:
        return self.capacity - sum(self.hold.values())

    def held(self, good: TradeSymbol) -> int:
        return self.hold.get(good, 0)

    def add(self, good: TradeSymbol, units: int) -> None:
        self.hold[good] = self.hold.get(good, 0) + units
        if self.hold[good] <= 0:
            del self.hold[good]


class ProductionExecutor:
    """Walks a SupplyChainNode tree with one ship until its root good is in the hold."""

    def __init__(
        self,
        game: GamePort,
        navigator: Navigator,
        clock: Clock,
        markets: MarketRepository | None = None,
        assignments: ShipAssignmentRepository | None = None,
        config: ProductionConfig = ProductionConfig(),
    ) -> None:
        self._game = game
        self._navigator = navigator
        self._clock = clock
        self._markets = markets
        self._assignments = assignments
        self.config = config

    def produce(
        self,
        ship: ShipSymbol,
        tree: SupplyChainNode,
        recorder: LedgerRecorder,
        cancel: CancelToken = NEVER,
        *,
        max_output_ask: int | None = None,
    ) -> ProductionOutcome:
        """Acquire as much of `tree.good` as the hold and the guards allow; `max_output_ask` is the bid the good
        will be sold at (its ask must stay below it). Raises ProductionError subclasses, OperationCancelled, or
        the GamePort's errors; whatever was bought is in the ledger either way."""
        state = self._game.ship(ship)
        run = _Run(ship=ship, recorder=recorder, cancel=cancel, capacity=state.cargo_capacity,
                   hold=dict(state.inventory), location=state.waypoint,
                   docked=state.nav_status is ShipNavStatus.DOCKED)
        tree_goods = {node.good for node in tree.walk()}
        budget = run.capacity - sum(units for good, units in run.hold.items() if good not in tree_goods)
        if budget <= 0:
            raise InputUnavailable(tree.good, tree.market, f"no room in the hold of {ship}")
        units = self._acquire(run, tree, budget, max_output_ask)
        return ProductionOutcome(tree.good, units, tree.market, tuple(run.notes))

    # --- walking the tree ------------------------------------------------------------------------

    def _acquire(self, run: _Run, node: SupplyChainNode, budget: int, max_ask: int | None) -> int:
        """Bring up to `budget` units of `node.good` into the hold; returns the units held."""
        held = run.held(node.good)
        if held >= budget:
            return held
        if node.method is AcquisitionMethod.BUY:
            bought = self._buy(run, node.market, node.good, budget - held, max_ask, is_output=False)
            if held + bought == 0:
                raise InputUnavailable(node.good, node.market, self._last_note(run, "nothing bought"))
            return held + bought
        for child, share in zip(node.children, _shares(budget - held, len(node.children)), strict=True):
            self._acquire(run, child, share, None)
        self._go(run, node.market)
        for child in node.children:
            self._deliver(run, node.market, child.good)
        self._await_output(run, node, max_ask)
        bought = self._buy(run, node.market, node.good, budget - held, max_ask, is_output=True)
        if held + bought == 0:
            raise OutputUnavailable(node.good, node.market, self._last_note(run, "nothing bought"))
        return held + bought

    def _buy(self, run: _Run, market: WaypointSymbol, good: TradeSymbol, wanted: int, max_ask: int | None,
             *, is_output: bool) -> int:
        """Buy up to `wanted` units at `market` in trade-volume lots while the guards allow."""
        self._go(run, market)
        self._show(run, f"buying {good} at {market}")
        snapshot = self._look(market)
        bought = 0
        while bought < wanted:
            check_cancelled(run.cancel)
            entry = snapshot.trade_good(good)
            if entry is None:
                run.notes.append(f"{market} does not sell {good}")
                break
            refusal = self._refusal(run, entry, market, max_ask, is_output)
            if refusal:
                run.notes.append(refusal)
                break
            lot = min(wanted - bought, entry.trade_volume, run.free, self._affordable(run, entry.ask))
            if lot <= 0:
                run.notes.append(f"stopped buying {good} at {market}: "
                                 + ("hold full" if run.free <= 0 else f"credits short of {entry.ask}/unit"))
                break
            try:
                trade = run.recorder.purchase(run.ship, good, lot)
            except (InsufficientCredits, CargoFull, TradeVolumeExceeded) as refused:
                # Another worker spent the credits, or the market changed: keep what was bought.
                run.recorder.last_known_credits = None
                run.notes.append(f"stopped buying {good} at {market}: {refused}")
                break
            bought += trade.units
            run.add(good, trade.units)
            if bought < wanted:
                snapshot = self._look(market)
        return bought

    def _refusal(self, run: _Run, entry: MarketTradeGood, market: WaypointSymbol, max_ask: int | None,
                 is_output: bool) -> str | None:
        """Why the next lot must not be bought, or None."""
        first = run.first_ask.setdefault(entry.symbol, entry.ask)
        cap = self.config.max_input_price_rise * first
        if entry.ask > cap:
            return (f"stopped buying {entry.symbol} at {market}: ask {entry.ask} rose past "
                    f"{self.config.max_input_price_rise:g} x first ask {first}")
        if is_output and entry.supply is SupplyLevel.SCARCE:
            return f"stopped buying {entry.symbol} at {market}: supply SCARCE"
        if max_ask is not None and entry.ask >= max_ask:
            return f"stopped buying {entry.symbol} at {market}: ask {entry.ask} not below the sale bid {max_ask}"
        return None

    def _affordable(self, run: _Run, ask: int) -> int:
        if ask <= 0:
            return run.free
        if run.recorder.last_known_credits is None:
            run.recorder.last_known_credits = self._game.agent().credits
        return max(0, run.recorder.last_known_credits) // ask

    def _deliver(self, run: _Run, market: WaypointSymbol, good: TradeSymbol) -> None:
        """Sell every unit of input `good` in the hold to the factory market, lot by lot (at a loss, by design)."""
        units = run.held(good)
        if units <= 0:
            return
        self._show(run, f"delivering {good} to {market}")
        entry = self._look(market).trade_good(good)
        if entry is None:
            raise FactoryRefusesInput(good, market, f"the factory does not trade its input {good}")
        while units > 0:
            check_cancelled(run.cancel)
            trade = run.recorder.sell(run.ship, good, min(units, entry.trade_volume))
            units -= trade.units
            run.add(good, -trade.units)

    def _await_output(self, run: _Run, node: SupplyChainNode, max_ask: int | None) -> None:
        """Poll the factory until the output's supply is above SCARCE at an ask below `max_ask`."""
        started = self._clock.now()
        interval, timeout = self.config.production_poll_interval, self.config.production_timeout
        self._show(run, f"waiting for {node.good} at {node.market} since {started:%H:%M:%S}")
        while True:
            check_cancelled(run.cancel)
            entry = self._look(node.market).trade_good(node.good)
            if (entry is not None and entry.supply > SupplyLevel.SCARCE
                    and (max_ask is None or entry.ask < max_ask)):
                return
            waited = (self._clock.now() - started).total_seconds()
            if waited >= timeout:
                raise ProductionTimeout(node.good, node.market, waited)
            pause(self._clock, min(interval, timeout - waited), run.cancel, self.config.wait_slice)

    # --- moving and looking ----------------------------------------------------------------------

    def _go(self, run: _Run, market: WaypointSymbol) -> None:
        if run.location == market and run.docked:
            return
        self._navigator.go(run.ship, market, run.recorder, run.cancel)
        run.location, run.docked = market, True

    def _look(self, market: WaypointSymbol) -> MarketSnapshot:
        """The market as the ship sees it now, also kept for the demand finder."""
        snapshot = self._game.market(market)
        if self._markets is not None and snapshot.trade_goods:
            self._markets.record(snapshot)
        return snapshot

    def _show(self, run: _Run, activity: str) -> None:
        if self._assignments is not None:
            self._assignments.set_activity(run.ship, activity)

    @staticmethod
    def _last_note(run: _Run, default: str) -> str:
        return run.notes[-1] if run.notes else default


def _shares(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal whole shares, the larger ones first."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]
