"""Manufacturing one good by walking its dependency tree with one ship.

BUY nodes are bought at their market. A FABRICATE node first acquires its inputs (recursively), then delivers them
by selling them to the factory market, waits until the factory offers the output at a price worth paying, and buys
it. Every node's goods have a next buyer: the root's is the sell market, an input's is the factory it feeds. That
buyer's bid is what each purchase is judged against.

Which inputs are carried. The embedded game, like the real one, runs its factories on its own (its imports are
resupplied whether we deliver or not), so the inputs are worth carrying for two reasons only:
- the output is not on offer at a price worth paying (SCARCE, or its ask eats the margin): the factory needs
  feeding, and every input is bought and delivered (the plan's default, also when the factory was never seen),
  while what the feeding is expected to lose (inputs bought at their ask, sold to the factory at its bid) stays
  within what the output can earn (its margin over the ask the opportunity was chosen on, for the units the hold
  takes): feeding a factory whose imports are full costs more than its output ever earns back (a bench lost 200k
  credits a run that way);
- an input leg pays on its own: the factory's known bid for it beats its known ask by `min_margin`, by at least
  `min_input_profit` credits for the input's share of the hold (a leg costs a handful of requests; below that it
  earns less than the requests are worth).
Inputs already in the hold are always delivered. An output already on offer at a good price is bought at once,
without waiting.

Goods left in the hold by an earlier run that are not part of this tree are not this run's: the coordinator has them
sold under an operation of their own before it gives the ship a run (application/stranded_cargo.py), and what it
kept (no buyer paying its cost) stays aside, taking its room. Quantities: the hold is shared out between the inputs
carried (a FABRICATE node gets the whole share of its parent, since its inputs leave the hold before its output
comes in); every purchase and sale is split into lots of the market's trade volume and sized by the free hold, the
credits at hand and the run's budget (`run_budget_share` of the agent's credits at the start, so that no single run
commits most of the money). Units of a tree good already in the hold count as acquired, so a ship that brings inputs
along starts with the delivery.

Requests are the scarce resource (about 2.5 a second for the whole account), so a market is looked at on arrival
and once more after the first lot, which shows what a lot does to the price; later lots are priced from the
previous lot's own price and that step. Only an output whose supply is MODERATE or lower is looked at again between
lots, as it may be one lot from SCARCE. The factory is polled with a growing interval (`poll_backoff`).

Guards (the losses of public bots came from their absence):
- no lot whose (predicted) ask rose past `max_input_price_rise` x the first ask seen in this run;
- no output lot at SCARCE supply;
- no lot, when the purchase must pay for itself, whose ask plus `min_margin` is above what its next buyer is
  expected to pay for it: the buyer's bid lowered by `sale_impact_per_lot` for every trade-volume lot sold there
  before it (facts universe §5: 1-13% per tranche sold into an import);
- (used by the worker) selling into an import stops once its bid is below `min_sell_to_cost` x the units' cost.
Every purchase and sale goes through the LedgerRecorder, so it is in the ledger the moment it happens.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from application.game_errors import CargoFull, InsufficientCredits, TradeVolumeExceeded
from application.game_port import GamePort
from application.ledger_recorder import LedgerRecorder
from application.navigation import Navigator
from application.ports import Clock, MarketRepository
from application.production_errors import (
    FactoryRefusesInput, InputUnavailable, OutputUnavailable, ProductionError, ProductionTimeout)
from application.repositories import ShipAssignmentRepository
from application.waiting import NEVER, check_cancelled, pause
from application.worker_jobs import CancelToken
from domain.fleet import ShipNavStatus
from domain.goods import SupplyLevel, TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.symbols import ShipSymbol, WaypointSymbol
from domain.trade import Trade


@dataclass(frozen=True, slots=True)
class ProductionConfig:
    """The guards, the quantities and the production wait. Defaults are those of adapters/config
    ManufacturingSettings where a setting of the same name exists.

    `wait_slice`: longest single sleep while waiting (cancellation is noticed within it).
    `max_output_wait`: the longest a ship waits at the final factory for its output once the run's deliveries have
    paid for themselves (see ProductionOutcome.fed); `production_timeout` bounds every other wait.
    `production_poll_interval` is the first pause between looks at the factory; each next one is `poll_backoff`
    times longer, up to `max_poll_interval`.
    """

    max_input_price_rise: float = 1.3
    min_sell_to_cost: float = 1.0
    production_poll_interval: float = 30.0
    production_timeout: float = 40 * 60.0
    max_output_wait: float = 300.0
    wait_slice: float = 5.0
    min_margin: float = 0.1
    sale_impact_per_lot: float = 0.06
    min_input_profit: int = 2000
    run_budget_share: float = 0.5
    poll_backoff: float = 1.5
    max_poll_interval: float = 900.0


@dataclass(frozen=True, slots=True)
class ProductionOutcome:
    """`units` of `good` are in the hold, bought at `market`; `notes` say where a guard cut quantities.

    `fed`: the run delivered its inputs, which paid for themselves, and left before the factory offered the output
    at a price worth paying: waiting longer would hold a ship for an output whose making a later run (or a trade
    lane) harvests anyway. A bench measured 28% of manufacturing's ship time spent waiting at factories, some
    waits near an hour of game time. A run whose feeding cost money waits up to `production_timeout`, since only
    its output pays the feeding back."""

    good: TradeSymbol
    units: int
    market: WaypointSymbol
    notes: tuple[str, ...] = ()
    fed: bool = False


@dataclass(frozen=True, slots=True)
class Buyer:
    """Who takes a node's goods next and at what price: the sell market for the root, the factory for an input.

    `bid` is its known bid (None: unknown), `trade_volume` its lot size there (None: use the seller's).
    `guarded`: the purchase must pay for itself against this bid; False when the goods are bought because the
    factory needs them, whatever the leg earns.
    """

    bid: int | None = None
    trade_volume: int | None = None
    guarded: bool = True

    def expected_bid(self, units: int, seller_volume: int, impact: float) -> float | None:
        """What the buyer is expected to pay for the `units`-th unit sold to it (lots sold before it lower it)."""
        if self.bid is None:
            return None
        volume = self.trade_volume or seller_volume
        return self.bid * (1.0 - impact) ** max(0.0, (units - 1) // volume)


@dataclass(slots=True)
class _Run:
    """What one produce() call knows as it goes: the hold, where the ship is, the first asks seen, the money."""

    ship: ShipSymbol
    recorder: LedgerRecorder
    cancel: CancelToken
    capacity: int
    hold: dict[TradeSymbol, int]
    location: WaypointSymbol
    docked: bool
    budget: int | None = None  # the most credits the run may have outstanding at once
    outstanding: int = 0  # credits spent minus credits earned back in this run
    first_ask: dict[TradeSymbol, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # What feeding a factory may lose in this run (None: no limit, the run's sale bid being unknown) and what the
    # feeding bought so far is expected to lose: inputs bought at their ask and sold to the factory at its bid.
    feed_allowance: float | None = None
    feed_loss: float = 0.0
    root: SupplyChainNode | None = None  # the tree's final factory: the only wait a paid feeding may cut short
    delivered_to_root: int = 0  # units delivered into the root factory

    @property
    def feeding_paid(self) -> bool:
        """Whether inputs went into the final factory and the run got back at least what it spent on them (refuels
        are left out: a few hundred credits against lots of thousands)."""
        return self.delivered_to_root > 0 and self.outstanding <= 0

    @property
    def free(self) -> int:
        return self.capacity - sum(self.hold.values())

    def held(self, good: TradeSymbol) -> int:
        return self.hold.get(good, 0)

    def add(self, good: TradeSymbol, units: int) -> None:
        self.hold[good] = self.hold.get(good, 0) + units
        if self.hold[good] <= 0:
            del self.hold[good]

    def traded(self, trade: Trade, bought: bool) -> None:
        self.add(trade.good, trade.units if bought else -trade.units)
        self.outstanding += trade.total if bought else -trade.total


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
        sale_trade_volume: int | None = None,
        budget: int | None = None,
    ) -> ProductionOutcome:
        """Acquire as much of `tree.good` as the hold, the budget and the guards allow. `max_output_ask` is the bid
        the good will be sold at (with `sale_trade_volume`, its lot size there): every output lot must leave the
        margin below it. `budget`: the most the run may have outstanding (its share of the account's one budget);
        without it, `run_budget_share` of the credits at the start. Raises ProductionError subclasses,
        OperationCancelled, or the GamePort's errors; whatever was bought is in the ledger either way."""
        state = self._game.ship(ship)
        self._navigator.remember(state)
        run = _Run(ship=ship, recorder=recorder, cancel=cancel, capacity=state.cargo_capacity,
                   hold=dict(state.inventory), location=state.waypoint,
                   docked=state.nav_status is ShipNavStatus.DOCKED, root=tree)
        tree_goods = {node.good for node in tree.walk()}
        aside = self._set_aside(run, tree_goods)
        room = run.capacity - aside
        if room <= 0:
            raise InputUnavailable(tree.good, tree.market, f"no room in the hold of {ship}")
        if budget is not None:
            run.budget = budget
        elif self.config.run_budget_share < 1.0:
            run.budget = int(self._credits(run) * self.config.run_budget_share)
        buyer = Buyer(bid=max_output_ask, trade_volume=sale_trade_volume, guarded=max_output_ask is not None)
        try:
            units = self._acquire(run, tree, room, buyer)
        except _LeftFed as left:
            return ProductionOutcome(tree.good, left.held, tree.market, (*run.notes, left.note), fed=True)
        return ProductionOutcome(tree.good, units, tree.market, tuple(run.notes))

    # --- walking the tree ------------------------------------------------------------------------

    def _set_aside(self, run: _Run, tree_goods: set[TradeSymbol]) -> int:
        """Leave the goods an earlier run left in the hold that this tree does not use where they are, and return
        the room they take. They are not this run's to sell: the coordinator has them sold under an operation of
        their own (application/stranded_cargo.py), with their cost from the ledger, before the ship gets a run;
        what is still here was kept for want of a buyer paying its cost, and selling it inside this run would count
        its money as this run's profit."""
        aside = {good: units for good, units in run.hold.items() if good not in tree_goods}
        for good, units in sorted(aside.items()):
            run.notes.append(f"left aside {units} {good} an earlier run left in the hold: not this run's to sell")
        return sum(aside.values())

    def _acquire(self, run: _Run, node: SupplyChainNode, room: int, buyer: Buyer) -> int:
        """Bring up to `room` units of `node.good` into the hold for `buyer`; returns the units held."""
        held = run.held(node.good)
        if held >= room:
            return held
        if node.method is AcquisitionMethod.BUY:
            bought = self._buy(run, node.market, node.good, room - held, buyer, is_output=False)
            if held + bought == 0:
                raise InputUnavailable(node.good, node.market, self._last_note(run, "nothing bought"))
            return held + bought
        known = self._known(node.market)
        needed = not self._offered(run, known, node.good, buyer, held)
        if needed and run.feed_allowance is None and buyer.guarded:
            run.feed_allowance = self._feed_allowance(node, known, buyer, room - held)
        carried = [(child, leg) for child in node.children
                   if (leg := self._input_leg(known, child, room - held, len(node.children), needed)) is not None]
        self._acquire_inputs(run, node, carried, room - held)
        self._go(run, node.market)
        snapshot = self._look(node.market)
        for child in node.children:
            delivered = self._deliver(run, node.market, child.good, snapshot)
            if node is run.root:
                run.delivered_to_root += delivered
        snapshot = self._await_output(run, node, buyer, held, snapshot)
        bought = self._buy(run, node.market, node.good, room - held, buyer, is_output=True, snapshot=snapshot)
        if held + bought == 0:
            raise OutputUnavailable(node.good, node.market, self._last_note(run, "nothing bought"))
        return held + bought

    def _acquire_inputs(self, run: _Run, node: SupplyChainNode, carried: list[tuple[SupplyChainNode, Buyer]],
                        room: int) -> None:
        """Acquire the carried inputs of `node`, sharing out the hold and the budget still free between them.

        An input that cannot be had (guards, credits) does not stop the others: whatever was acquired is still
        delivered, which gets its credits back. Only when no input at all is in the hold does the failure stand."""
        failure: ProductionError | None = None
        budget = run.budget
        try:
            for index, ((child, leg), share) in enumerate(zip(carried, _shares(room, len(carried)), strict=True)):
                if budget is not None:
                    # This input may use its part of what the budget still allows, not what the others need.
                    run.budget = run.outstanding + max(0, budget - run.outstanding) // (len(carried) - index)
                try:
                    self._acquire(run, child, share, leg)
                except (InputUnavailable, OutputUnavailable) as error:
                    run.notes.append(str(error))
                    failure = failure or error
        finally:
            run.budget = budget
        if failure is not None and not any(run.held(child.good) for child in node.children):
            raise failure

    def _input_leg(self, factory: MarketSnapshot | None, child: SupplyChainNode, room: int, inputs: int,
                   needed: bool) -> Buyer | None:
        """The factory as buyer of input `child`, or None when the input is not worth carrying."""
        entry = factory.trade_good(child.good) if factory is not None else None
        if needed:
            return Buyer(bid=None if entry is None else entry.bid,
                         trade_volume=None if entry is None else entry.trade_volume, guarded=False)
        ask = self._known_ask(child)
        if entry is None or ask is None:
            return None
        share = room // max(1, inputs)
        gain = (entry.bid / (1 + self.config.min_margin) - ask) * share
        if gain < self.config.min_input_profit:
            return None
        return Buyer(bid=entry.bid, trade_volume=entry.trade_volume, guarded=True)

    def _feed_allowance(self, node: SupplyChainNode, factory: MarketSnapshot | None, buyer: Buyer,
                        units: int) -> float | None:
        """What feeding `node`'s factory may lose, at most: what up to `units` of its output are expected to earn
        sold to `buyer` (the margin kept) at the ask the opportunity was chosen on, else the latest seen unless
        SCARCE (a scarce ask is what feeding brings down). None, no limit, when neither is known (the plan's default
        for a factory never seen). Feeding that loses more than that cannot be earned back by the output it brings."""
        entry = factory.trade_good(node.good) if factory is not None else None
        ask = node.ask
        if ask is None and entry is not None and entry.supply is not SupplyLevel.SCARCE:
            ask = entry.ask
        if ask is None or buyer.bid is None or units <= 0:
            return None
        volume = entry.trade_volume if entry is not None else units
        impact = self.config.sale_impact_per_lot
        # Only the units whose expected bid leaves the margin over their ask are bought (the output guard), so only
        # they earn: a unit past that point adds nothing rather than a loss. The output's ask rises lot after lot as
        # it is bought; the sale's impact per lot stands in for that rise (facts: 3-13% a tranche at an export).
        return sum(max(0.0, (buyer.expected_bid(unit, volume, impact) or 0.0) / (1 + self.config.min_margin)
                       - ask * (1 + impact) ** ((unit - 1) // volume)) for unit in range(1, units + 1))

    def _feed_loss(self, run: _Run, buyer: Buyer, ask: int, units_after: int, volume: int, lot: int) -> float:
        """What `lot` units bought at `ask` for a factory (an unguarded buyer) are expected to lose when
        delivered: the ask over the factory's expected bid for them (all of it when that bid is unknown)."""
        if buyer.guarded or run.feed_allowance is None:
            return 0.0
        expected = buyer.expected_bid(units_after, volume, self.config.sale_impact_per_lot)
        return max(0.0, ask - (expected or 0.0)) * lot

    def _offered(self, run: _Run, snapshot: MarketSnapshot | None, good: TradeSymbol, buyer: Buyer,
                 held: int) -> bool:
        """Whether `snapshot` shows `good` on offer at a price worth paying for its first lot."""
        entry = snapshot.trade_good(good) if snapshot is not None else None
        if entry is None or entry.supply is SupplyLevel.SCARCE:
            return False
        return self._refusal(run, entry, entry.ask, snapshot.waypoint, buyer, held + entry.trade_volume,
                             is_output=True, record_first=False) is None

    def _buy(self, run: _Run, market: WaypointSymbol, good: TradeSymbol, wanted: int, buyer: Buyer,
             *, is_output: bool, snapshot: MarketSnapshot | None = None) -> int:
        """Buy up to `wanted` units at `market` in trade-volume lots while the guards allow."""
        self._go(run, market)
        self._show(run, f"buying {good} at {market}")
        entry = (snapshot or self._look(market)).trade_good(good)
        if entry is None:
            run.notes.append(f"{market} does not sell {good}")
            return 0
        ask, step = entry.ask, None
        bought = 0
        while bought < wanted:
            check_cancelled(run.cancel)
            lot = min(wanted - bought, entry.trade_volume, run.free)
            refusal = self._refusal(run, entry, ask, market, buyer, run.held(good) + lot, is_output=is_output)
            if refusal:
                run.notes.append(refusal)
                break
            lot = min(lot, self._affordable(run, ask))
            if lot <= 0:
                run.notes.append(f"stopped buying {good} at {market}: "
                                 + ("hold full" if run.free <= 0 else f"credits or budget short of {ask}/unit"))
                break
            loss = self._feed_loss(run, buyer, ask, run.held(good) + lot, entry.trade_volume, lot)
            if loss and run.feed_loss + loss > run.feed_allowance:
                run.notes.append(f"stopped buying {good} at {market}: feeding would lose "
                                 f"{run.feed_loss + loss:.0f}, more than the {run.feed_allowance:.0f} its output "
                                 f"can earn")
                break
            try:
                trade = run.recorder.purchase(run.ship, good, lot)
            except (InsufficientCredits, CargoFull, TradeVolumeExceeded) as refused:
                # Another worker spent the credits, or the market changed: keep what was bought.
                run.recorder.last_known_credits = None
                run.notes.append(f"stopped buying {good} at {market}: {refused}")
                break
            bought += trade.units
            run.traded(trade, bought=True)
            run.feed_loss += loss * trade.units / lot
            if bought >= wanted:
                break
            # One fresh look shows what a lot does to the price; later lots are priced from it. An output near
            # SCARCE is looked at every time: the next lot may cross it.
            if step is None or (is_output and entry.supply <= SupplyLevel.MODERATE):
                fresh = self._look(market).trade_good(good)
                if fresh is None:
                    run.notes.append(f"{market} stopped selling {good}")
                    break
                step = max(1.0, fresh.ask / trade.price_per_unit) if trade.price_per_unit > 0 else 1.0
                entry, ask = fresh, fresh.ask
            else:
                ask = math.ceil(trade.price_per_unit * step)
        return bought

    def _refusal(self, run: _Run, entry: MarketTradeGood, ask: int, market: WaypointSymbol, buyer: Buyer,
                 units_after: int, *, is_output: bool, record_first: bool = True) -> str | None:
        """Why a lot at `ask` (the units held reaching `units_after`) must not be bought, or None."""
        first = run.first_ask.get(entry.symbol, entry.ask)
        if record_first:
            run.first_ask.setdefault(entry.symbol, entry.ask)
        cap = self.config.max_input_price_rise * first
        if ask > cap:
            return (f"stopped buying {entry.symbol} at {market}: ask {ask} rose past "
                    f"{self.config.max_input_price_rise:g} x first ask {first}")
        if is_output and entry.supply is SupplyLevel.SCARCE:
            return f"stopped buying {entry.symbol} at {market}: supply SCARCE"
        if buyer.guarded:
            expected = buyer.expected_bid(units_after, entry.trade_volume, self.config.sale_impact_per_lot)
            if expected is not None and ask * (1 + self.config.min_margin) > expected:
                return (f"stopped buying {entry.symbol} at {market}: ask {ask} not {self.config.min_margin:.0%} "
                        f"below the {expected:.0f} expected from its buyer")
        return None

    def _affordable(self, run: _Run, ask: int) -> int:
        if ask <= 0:
            return run.free
        money = self._credits(run)
        if run.budget is not None:
            money = min(money, run.budget - run.outstanding)
        return max(0, money) // ask

    def _credits(self, run: _Run) -> int:
        if run.recorder.last_known_credits is None:
            run.recorder.last_known_credits = self._game.agent().credits
        return run.recorder.last_known_credits

    def _deliver(self, run: _Run, market: WaypointSymbol, good: TradeSymbol, snapshot: MarketSnapshot) -> int:
        """Sell every unit of input `good` in the hold to the factory market, lot by lot; returns the units sold."""
        units = delivered = run.held(good)
        if units <= 0:
            return 0
        self._show(run, f"delivering {good} to {market}")
        entry = snapshot.trade_good(good)
        if entry is None:
            raise FactoryRefusesInput(good, market, f"the factory does not trade its input {good}")
        while units > 0:
            check_cancelled(run.cancel)
            trade = run.recorder.sell(run.ship, good, min(units, entry.trade_volume))
            units -= trade.units
            run.traded(trade, bought=False)
        return delivered

    def _await_output(self, run: _Run, node: SupplyChainNode, buyer: Buyer, held: int,
                      snapshot: MarketSnapshot) -> MarketSnapshot:
        """Look at the factory, with growing pauses, until it offers the output at a price worth paying (for
        `buyer`); returns that look. Raises ProductionTimeout after `production_timeout`."""
        started = self._clock.now()
        interval, timeout = self.config.production_poll_interval, self.config.production_timeout
        self._show(run, f"waiting for {node.good} at {node.market} since {started:%H:%M:%S}")
        while True:
            check_cancelled(run.cancel)
            if self._offered(run, snapshot, node.good, buyer, held):
                return snapshot
            waited = (self._clock.now() - started).total_seconds()
            limit = timeout
            if node is run.root and run.feeding_paid:
                if waited >= self.config.max_output_wait:
                    raise _LeftFed(held, f"left {node.market} after {waited:.0f} s without {node.good}: its "
                                         f"inputs are delivered and earned {-run.outstanding:,} "
                                         f"credits")
                limit = min(timeout, self.config.max_output_wait)
            if waited >= timeout:
                raise ProductionTimeout(node.good, node.market, waited)
            pause(self._clock, min(interval, limit - waited), run.cancel, self.config.wait_slice)
            interval = min(interval * self.config.poll_backoff, max(self.config.max_poll_interval,
                                                                   self.config.production_poll_interval))
            snapshot = self._look(node.market)

    # --- moving and looking ----------------------------------------------------------------------

    def _go(self, run: _Run, market: WaypointSymbol) -> None:
        if run.location == market and run.docked:
            return
        self._navigator.go(run.ship, market, run.recorder, run.cancel)
        run.location, run.docked = market, True

    def _look(self, market: WaypointSymbol) -> MarketSnapshot:
        return look(self._game, self._markets, market)

    def _known(self, market: WaypointSymbol) -> MarketSnapshot | None:
        """The latest priced snapshot of `market` we have (no request), or None."""
        if self._markets is None:
            return None
        snapshot = self._markets.market(market)
        return snapshot if snapshot is not None and snapshot.trade_goods else None

    def _known_ask(self, node: SupplyChainNode) -> int | None:
        """What `node.good` costs where the tree gets it: the latest observation, else the tree's own figure."""
        snapshot = self._known(node.market)
        ask = snapshot.ask(node.good) if snapshot is not None else None
        return ask if ask is not None else node.ask

    def _show(self, run: _Run, activity: str) -> None:
        if self._assignments is not None:
            self._assignments.set_activity(run.ship, activity)

    @staticmethod
    def _last_note(run: _Run, default: str) -> str:
        return run.notes[-1] if run.notes else default


class _LeftFed(Exception):
    """The run leaves the final factory without its output (ProductionOutcome.fed); `held`: units already held."""

    def __init__(self, held: int, note: str) -> None:
        super().__init__(note)
        self.held = held
        self.note = note


def look(game: GamePort, markets: MarketRepository | None, market: WaypointSymbol) -> MarketSnapshot:
    """The market as a ship there sees it now, also recorded for the demand finder when it carries prices."""
    snapshot = game.market(market)
    if markets is not None and snapshot.trade_goods:
        markets.record(snapshot)
    return snapshot


def _shares(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal whole shares, the larger ones first."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]
