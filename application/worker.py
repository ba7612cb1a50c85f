"""One manufacturing run with one ship: make the good, fly it to the import market, sell it, count the profit.

The plan's worker workflow. Profit is never estimated: revenue and cost are the sums of the ledger rows written
under the job's operation id, which the LedgerRecorder wrote as each trade and refuel happened. `run` never raises:
cancellation ends the run quietly (cancelled, no error), any other failure becomes a one-line error in the result.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from application.cargo_costs import COST_LOOKBACK, unit_costs
from application.game_port import GamePort
from application.import_spread import ImportSpread, SpreadOutcome
from application.ledger_recorder import LedgerRecorder, lease_check
from application.metrics_port import Metrics
from application.navigation import Navigator
from application.ports import Clock, MarketRepository
from application.production_executor import ProductionExecutor, look
from application.repositories import LedgerRepository, MoneyGate, ShipAssignmentRepository
from application.ship_activity import release_ship, show_activity
from application.usual_bids import SaturatedImports
from application.waiting import NEVER, OperationCancelled, check_cancelled
from application.wind_down import EitherToken
from application.worker_jobs import CancelToken, WorkerJob, WorkerResult, failure_line, ledger_unreadable
from domain.ledger import credits_and_debits, output_unit_cost, purchase_unit_cost
from domain.goods import TradeSymbol
from domain.market import MarketSnapshot, MarketTradeGood
from domain.opportunity import ManufacturingOpportunity
from domain.ship_state import ShipState
from domain.symbols import ShipSymbol, WaypointSymbol

_log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Sale:
    """Units of the good sold so far in this run (kept when the run stops half way)."""

    units: int = 0


@dataclass(slots=True)
class _Load:
    """Units of one good being sold across markets: `left` to sell, lot by lot while the bid is not below `floor`
    (`below` says why one is), counted into `sale`; `doing` names it in the ship's activity; `notes` say why units
    were kept (each with its market, when `name_market`)."""

    job: WorkerJob
    good: TradeSymbol
    left: int
    floor: float
    below: Callable[[int], str]
    sale: _Sale
    doing: str
    name_market: bool = False
    notes: list[str] = field(default_factory=list)


class ManufacturingArbitrageWorker:
    """Runs WorkerJobs: ProductionExecutor, Navigator to the sell market, sale in trade-volume lots, ledger totals.

    When an assignment repository is given, the worker shows what the ship is doing and, at the end, releases the
    ship it was given (idempotent: the coordinator releases it too when it collects the result).
    """

    def __init__(
        self,
        game: GamePort,
        ledger: LedgerRepository,
        navigator: Navigator,
        executor: ProductionExecutor,
        clock: Clock,
        *,
        assignments: ShipAssignmentRepository | None = None,
        markets: MarketRepository | None = None,
        metrics: Metrics | None = None,
        gate: MoneyGate | None = None,
        saturated: SaturatedImports | None = None,
    ) -> None:
        self._game = game
        self._ledger = ledger
        self._navigator = navigator
        self._executor = executor
        self._clock = clock
        self._assignments = assignments
        self._markets = markets
        self._metrics = metrics
        self._gate = gate
        # Where the load goes when the sell market does not take it all; `saturated` None judges no market dumped.
        self._spread = ImportSpread(game, markets, saturated)

    def run(self, job: WorkerJob, cancel: CancelToken = NEVER, wind_down: CancelToken = NEVER) -> WorkerResult:
        """Manufacture and sell `job.opportunity.good` with `job.ship`; never raises.

        `wind_down` (a graceful stop) ends the making at its next step; the inputs the ship then holds go where
        they fetch at least their cost (`_sell_inputs`) and what it holds of the good is still taken to the sell
        market and sold (the run counts as cancelled, its money as earned). Only `cancel` abandons the cargo."""
        started = self._clock.now()
        recorder = LedgerRecorder(self._game, self._ledger, job.operation_id, self._metrics, gate=self._gate,
                                  lease=lease_check(self._assignments, job, self._clock))
        sale = _Sale()
        success, cancelled, error = False, False, None
        try:
            check_cancelled(cancel)
            opportunity = job.opportunity
            wound_down = False
            try:
                outcome = self._executor.produce(
                    job.ship, opportunity.dependency_tree, recorder, EitherToken(cancel, wind_down),
                    max_output_ask=self._sale_bid(opportunity), sale_trade_volume=opportunity.trade_volume,
                    budget=job.budget)
                units, outcome_notes, fed = outcome.units, outcome.notes, outcome.fed
            except OperationCancelled:
                check_cancelled(cancel)  # the hard stop: abandon
                wound_down = True
                units, outcome_notes, fed = self._game.ship(job.ship).inventory.get(opportunity.good, 0), (), False
            if wound_down and units == 0:
                self._wind_down_inputs(job, recorder, cancel)
                raise OperationCancelled("stopping: nothing made yet")
            if fed and units == 0:
                # The deliveries paid and the factory was left to make the output for a later run: nothing to sell.
                _log.info("%s on %s: %s", job.operation_id, job.ship, outcome_notes[-1])
                success = True
            else:
                if wound_down:
                    # The output is worth most: only inputs a market here takes go before it, the rest after it,
                    # so the drain's bound never cuts its sale short for a trip with an input.
                    self._wind_down_inputs(job, recorder, cancel, here_only=True)
                self._navigator.go(job.ship, opportunity.sell_market, recorder, cancel)
                left, why = self._sell(job, units, recorder, cancel, sale)
                if wound_down:
                    self._wind_down_inputs(job, recorder, cancel)
                    raise OperationCancelled(f"stopping: sold the {sale.units} {opportunity.good} held")
                if left:
                    notes = "; ".join(outcome_notes)
                    error = f"{left} {opportunity.good} left unsold at {opportunity.sell_market}: {why}" + (
                        f" ({notes})" if notes else "")
                elif sale.units == 0:
                    error = f"no {opportunity.good} in the hold to sell"
                else:
                    success = True
        except OperationCancelled:
            cancelled = True
        except Exception as failure:  # run() must hand back a result whatever went wrong
            error = failure_line(failure) + self._hold_note(job.ship)
        finally:
            release_ship(self._assignments, job.ship, job.operation_id)
        revenue = cost = 0
        try:
            revenue, cost = credits_and_debits(self._ledger.transactions_of_operation(job.operation_id))
        except Exception as failure:
            success = False
            error = ledger_unreadable(error, failure)
        return WorkerResult(
            operation_id=job.operation_id, ship=job.ship, good=job.opportunity.good, started_at=started,
            finished_at=self._clock.now(), quantity_sold=sale.units, revenue=revenue, cost=cost,
            success=success and not cancelled, cancelled=cancelled, error=None if cancelled else error)

    def _sell(self, job: WorkerJob, held: int, recorder: LedgerRecorder, cancel: CancelToken,
              sale: _Sale) -> tuple[int, str]:
        """Sell the `held` units of the good while the bid covers their cost; returns the units left and why.

        Their cost is what the output itself was bought for: what feeding the factory lost is spent whatever the
        sale does (keeping the goods does not earn it back, and a bench run held 25 units for a bid above their
        price because the feeding was counted in).

        The market is looked at on arrival and once more after the first lot, which shows what a lot does to the
        bid; later lots are priced from the previous lot's own price and that step, and the market is looked at
        again only when the predicted bid is below the floor. A sell market someone dumped into (its bid on arrival
        far below its usual one) gets nothing. What the sell market does not take (dumped into, or its bid at the
        floor) goes to the next-best known buyers of the good in the system that are not saturated and pay at least
        the floor (ImportSpread.next_markets, the sellers' one rule), or is kept."""
        opportunity = job.opportunity
        good, market = opportunity.good, opportunity.sell_market
        if held <= 0:
            return 0, ""
        config = self._executor.config
        unit_cost = output_unit_cost(self._ledger.transactions_of_operation(job.operation_id), good, held)
        floor = config.min_sell_to_cost * unit_cost

        def below(bid: int) -> str:
            return f"bid {bid} below {floor:.0f} ({config.min_sell_to_cost:g} x cost {unit_cost:.0f}/unit)"

        load = _Load(job, good, held, floor, below, sale, "selling")
        spread = self._sell_across(load, (market,), recorder, cancel, chosen=market)
        if load.left > 0:  # dumped into, or its bid fell below the floor: the rest goes where it still pays
            # Not back to the factory it was bought at either: its bid is the export's, below what was paid.
            others = self._spread.next_markets(market.system, good, floor, exclude={market, opportunity.factory})
            if others:
                self._sell_across(load, others, recorder, cancel, outcome=spread)
            else:
                load.notes.append(f"no other known market in {market.system} pays {floor:.0f} or more for {good} "
                                  "and is not saturated")
        return load.left, "; ".join(load.notes) if load.left > 0 else ""

    def _sell_across(self, load: _Load, buyers: Sequence[WaypointSymbol], recorder: LedgerRecorder,
                     cancel: CancelToken, *, chosen: WaypointSymbol | None = None,
                     outcome: SpreadOutcome | None = None) -> SpreadOutcome:
        """Sell `load` at `buyers` in turn (ImportSpread.sell: flying to each, passing over one saturated on
        arrival), lot by lot while the bid is not below its floor; the spread's outcome."""
        def go(at: WaypointSymbol) -> None:
            show_activity(self._assignments, load.job.ship, f"{load.doing} {load.good} at {at}")
            self._navigator.go(load.job.ship, at, recorder, cancel)

        def sell_at(at: WaypointSymbol, entry: MarketTradeGood) -> None:
            load.left, why = self._sell_lots(load.job, load.good, at, entry, load.left, load.floor, load.below,
                                             recorder, cancel, load.sale)
            if why:
                load.notes.append(f"{at}: {why}" if load.name_market else why)

        return self._spread.sell(load.good, buyers, load.floor, held=lambda: load.left, go=go, sell_at=sell_at,
                                 chosen=chosen,
                                 outcome=outcome if outcome is not None else SpreadOutcome(load.notes))

    def _sell_lots(self, job: WorkerJob, good: TradeSymbol, market: WaypointSymbol, entry: MarketTradeGood,
                   held: int, floor: float, below: Callable[[int], str], recorder: LedgerRecorder,
                   cancel: CancelToken, sale: _Sale) -> tuple[int, str]:
        """Sell lots of `good` at `market`, from the `entry` seen on arrival, while the bid is not below `floor`;
        returns the units left and why (`below` says it for a bid)."""
        bid, step = entry.bid, None
        while held > 0:
            check_cancelled(cancel)
            if bid < floor and step is not None:
                entry = self._look(market).trade_good(good) or entry
                bid = entry.bid
            if bid < floor:
                return held, below(bid)
            trade = recorder.sell(job.ship, good, min(held, entry.trade_volume))
            held -= trade.units
            sale.units += trade.units
            if held <= 0:
                break
            price = trade.price_per_unit
            if step is None:
                entry = self._look(market).trade_good(good) or entry
                step = min(1.0, entry.bid / price) if price > 0 else 1.0
                bid = entry.bid
            else:
                bid = math.floor(price * step)
        return 0, ""

    def _wind_down_inputs(self, job: WorkerJob, recorder: LedgerRecorder, cancel: CancelToken,
                          here_only: bool = False) -> None:
        """`_sell_inputs` on a graceful stop, whose failure leaves the inputs in the hold (for the stranded-cargo
        clearance) but neither the output's sale nor the run's stop: a stopped run is cancelled, never failed."""
        try:
            self._sell_inputs(job, recorder, cancel, here_only)
        except OperationCancelled:
            raise
        except Exception as failure:
            _log.warning("%s on %s: stopping: could not sell the inputs held: %s%s", job.operation_id, job.ship,
                         failure_line(failure), self._hold_note(job.ship))

    def _sell_inputs(self, job: WorkerJob, recorder: LedgerRecorder, cancel: CancelToken,
                     here_only: bool = False) -> None:
        """On a graceful stop, sell the inputs the ship holds (the goods of the tree it feeds into a factory) where
        they fetch most, never below their cost.

        An input's buyers are the known markets paying at least `min_sell_to_cost` x its cost and not saturated,
        best known bid first (ImportSpread.next_markets, the sellers' one rule): the factory it was bought for when
        its bid is the best, and first whatever its rank when the ship is there (a sale without a trip is the one
        the drain's bound leaves time for). `here_only`: sell only where the ship is (before the output's sale). Its
        cost is what this run paid for it, else what the ship last paid (units that came along from an earlier
        run); an input whose cost is not known is kept, since no floor can be set for it. What no market takes at
        its cost stays in the hold, with the reason logged: a loss on cargo no run owns is the stranded-cargo
        clearance's to take, for a reason it logs (application/stranded_cargo.py)."""
        tree = job.opportunity.dependency_tree
        factories = {child.good: node.market for node in tree.walk() for child in node.children}
        held = self._game.ship(job.ship).inventory
        for good in sorted(g for g in held if g in factories):
            check_cancelled(cancel)
            ship = self._game.ship(job.ship)  # where the last input's sale left it
            units = ship.inventory.get(good, 0)
            if units <= 0:
                continue
            cost = self._input_cost(job, good)
            if cost is None:
                _log.warning("%s on %s: stopping: keeping %d %s: what they cost is not in the ledger",
                             job.operation_id, job.ship, units, good)
                continue
            left, why = self._sell_input(job, ship, good, units, factories[good], cost, recorder, cancel, here_only)
            if here_only and left == units:
                continue  # nothing taken here: the pass after the output's sale says why
            sold = f"stopping: sold {units - left} of the {units} {good} held (cost {cost:.0f}/unit)"
            if left:
                _log.warning("%s on %s: %s; keeping %d: %s", job.operation_id, job.ship, sold, left, why)
            else:
                _log.info("%s on %s: %s", job.operation_id, job.ship, sold)

    def _sell_input(self, job: WorkerJob, ship: ShipState, good: TradeSymbol, units: int, factory: WaypointSymbol,
                    cost: float, recorder: LedgerRecorder, cancel: CancelToken, here_only: bool) -> tuple[int, str]:
        """Sell `units` of input `good` (see `_sell_inputs`); returns the units left and why."""
        ratio = self._executor.config.min_sell_to_cost
        floor = ratio * cost
        floor_text = f"{floor:.0f} (its cost {cost:.0f}/unit x {ratio:g})"
        buyers = self._spread.next_markets(ship.system, good, floor)
        if ship.waypoint == factory:
            buyers = (factory, *(market for market in buyers if market != factory))
        if here_only:
            buyers = tuple(market for market in buyers if market == ship.waypoint)
            if not buyers:
                return units, ""
        load = _Load(job, good, units, floor, lambda bid: f"bid {bid} below {floor_text}", _Sale(),
                     "stopping: selling", name_market=True)
        self._sell_across(load, buyers, recorder, cancel, chosen=factory if ship.waypoint == factory else None)
        if load.left and not buyers:
            load.notes.append(f"no known market in {ship.system} pays {floor_text} or more and is not saturated")
        return load.left, "; ".join(load.notes)

    def _input_cost(self, job: WorkerJob, good: TradeSymbol) -> float | None:
        """What a unit of input `good` cost: this run's purchases of it, else the ship's last one in the ledger."""
        paid = purchase_unit_cost(self._ledger.transactions_of_operation(job.operation_id), good)
        if paid is None:
            paid = unit_costs(self._ledger, job.ship, self._clock.now() - COST_LOOKBACK).get(good)
        return paid

    def _sale_bid(self, opportunity: ManufacturingOpportunity) -> int:
        """What the sell market pays for the good: the opportunity's bid, or a newer observation of it."""
        bid = opportunity.bid
        if self._markets is None:
            return bid
        snapshot = self._markets.market(opportunity.sell_market)
        latest = None if snapshot is None else snapshot.bid(opportunity.good)
        if latest is not None and snapshot.observed_at > opportunity.discovered_at:  # type: ignore[union-attr]
            bid = latest
        return bid

    def _look(self, market: WaypointSymbol) -> MarketSnapshot:
        return look(self._game, self._markets, market)

    def _hold_note(self, ship: ShipSymbol) -> str:
        """What the ship still carries, for the error line (best effort: the game may be what failed)."""
        try:
            inventory = self._game.ship(ship).inventory
        except Exception:
            return ""
        if not inventory:
            return ""
        return "; hold: " + ", ".join(f"{units} {good}" for good, units in sorted(inventory.items()))
