"""One trade-arbitrage run with one ship: buy a good at an export, sell it at imports, count the profit.

Supply-aware, as the real game rewards:
- on arrival at the export the market is looked at: no purchase when its supply fell below `min_buy_supply` or its
  ask ran past `max_ask_rise` times the route's ask (or past what the buyer's bid leaves a margin on); after each lot
  it is looked at again, and buying stops when either happens (each lot raises the ask and lowers the supply);
- the load is sold lot by lot at the route's import, looked at after each lot, down to a floor: the units' cost
  times `min_sell_to_cost`, and `max_bid_drop` below the bid found on arrival (selling further would dump it);
  what is left goes on to the route's alternative imports in turn; an import someone dumped into (its bid far below
  its usual one, SaturatedImports) is passed over, before the trip when its known bid says so, or on arrival;
- a market whose bid our own lots cut by `dump_drop` or more is remembered (DumpedMarketRepository) until
  `dump_recovery` has passed or a probe sees it recovered, so no worker returns to it meanwhile.

Ledger rows carry the job's operation id and the TRADE_ARBITRAGE category; profit is read back from them. A stop
that asks for a wind-down ends the buying at once (a run that bought nothing ends cancelled); selling goes on (only
the hard cancel abandons the cargo).
`run` never raises.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from application.game_port import GamePort
from application.import_spread import ImportSpread, SpreadOutcome
from application.ledger_recorder import LedgerRecorder, lease_check
from application.metrics_port import Metrics
from application.navigation import Navigator
from application.ports import Clock, MarketRepository
from application.production_executor import look
from application.repositories import DumpedMarketRepository, LedgerRepository, MoneyGate, ShipAssignmentRepository
from application.ship_activity import release_ship, show_activity
from application.usual_bids import SaturatedImports
from application.waiting import NEVER, OperationCancelled, check_cancelled
from application.worker_jobs import CancelToken, WorkerJob, WorkerResult, failure_line, ledger_unreadable
from domain.dumped_market import DumpMark
from domain.errors import InvalidValue
from domain.goods import SupplyLevel
from domain.ledger import TransactionCategory, credits_and_debits
from domain.market import MarketTradeGood
from domain.symbols import WaypointSymbol
from domain.trade_route import TradeRoute


@dataclass(frozen=True, slots=True)
class ArbitrageWorkerConfig:
    min_buy_supply: SupplyLevel = SupplyLevel.MODERATE
    max_ask_rise: float = 1.3
    min_margin: float = 0.15
    min_sell_to_cost: float = 1.0
    max_bid_drop: float = 0.3
    dump_drop: float = 0.25
    dump_recovery: float = 6 * 3600.0

    def __post_init__(self) -> None:
        if self.max_ask_rise < 1 or not 0 < self.max_bid_drop < 1 or not 0 < self.dump_drop < 1:
            raise InvalidValue(f"bad arbitrage worker configuration: {self}")


@dataclass(slots=True)
class _Load:
    bought: int = 0
    spent: int = 0
    sold: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def held(self) -> int:
        return self.bought - self.sold


class ArbitrageWorker:
    """Runs WorkerJobs that carry a TradeRoute."""

    def __init__(self, game: GamePort, ledger: LedgerRepository, navigator: Navigator, clock: Clock, *,
                 markets: MarketRepository | None = None, dumps: DumpedMarketRepository | None = None,
                 assignments: ShipAssignmentRepository | None = None, metrics: Metrics | None = None,
                 config: ArbitrageWorkerConfig | None = None, gate: MoneyGate | None = None,
                 saturated: SaturatedImports | None = None) -> None:
        self._game = game
        self._ledger = ledger
        self._navigator = navigator
        self._clock = clock
        self._markets = markets
        self._dumps = dumps
        self._assignments = assignments
        self._metrics = metrics
        self._gate = gate
        self._spread = ImportSpread(game, markets, saturated)
        self.config = config or ArbitrageWorkerConfig()

    def run(self, job: WorkerJob, cancel: CancelToken = NEVER, wind_down: CancelToken = NEVER) -> WorkerResult:
        """Buy and sell along `job.route` with `job.ship`; never raises."""
        started = self._clock.now()
        route = job.route
        load = _Load()
        success, cancelled, error = False, False, None
        try:
            if route is None:
                raise InvalidValue(f"{job.operation_id}: an arbitrage job needs a trade route")
            recorder = LedgerRecorder(self._game, self._ledger, job.operation_id, self._metrics, gate=self._gate,
                                      lease=lease_check(self._assignments, job, self._clock),
                                      trade_category=TransactionCategory.TRADE_ARBITRAGE)
            check_cancelled(cancel)
            self._buy(job, route, recorder, cancel, wind_down, load)
            if load.bought == 0:
                error = "; ".join(load.notes) or "bought nothing"
            else:
                self._sell(job, route, recorder, cancel, load)
                if load.held:
                    error = f"{load.held} {route.good} left unsold: " + "; ".join(load.notes)
                else:
                    success = True
        except OperationCancelled:
            cancelled = True
        except Exception as failure:  # run() must hand back a result whatever went wrong
            error = failure_line(failure)
        finally:
            release_ship(self._assignments, job.ship, job.operation_id)
        revenue = cost = 0
        try:
            revenue, cost = credits_and_debits(self._ledger.transactions_of_operation(job.operation_id))
        except Exception as failure:
            success, error = False, ledger_unreadable(error, failure)
        return WorkerResult(
            operation_id=job.operation_id, ship=job.ship, good=job.good, started_at=started,
            finished_at=self._clock.now(), quantity_sold=load.sold, revenue=revenue, cost=cost,
            success=success and not cancelled, cancelled=cancelled, error=None if cancelled else error)

    # --- buying --------------------------------------------------------------------------------

    def _buy(self, job: WorkerJob, route: TradeRoute, recorder: LedgerRecorder, cancel: CancelToken,
             wind_down: CancelToken, load: _Load) -> None:
        show_activity(self._assignments, job.ship, f"buying {route.good} at {route.buy_market} for {route.sell_market}")
        self._navigator.go(job.ship, route.buy_market, recorder, cancel)
        if wind_down.cancelled():
            raise OperationCancelled("stopping: bought nothing")
        ceiling = min(route.ask * self.config.max_ask_rise, route.bid / (1 + self.config.min_margin))
        entry = self._entry(route.buy_market, route)
        state = self._game.ship(job.ship)
        free = state.cargo_capacity - sum(state.inventory.values())
        while free > 0:
            check_cancelled(cancel)
            if wind_down.cancelled():
                if load.bought == 0:
                    raise OperationCancelled("stopping: bought nothing")
                load.notes.append("stopping: no more purchases")
                return
            if entry is None:
                load.notes.append(f"{route.buy_market} does not sell {route.good}")
                return
            if entry.supply < self.config.min_buy_supply:
                load.notes.append(f"supply at {route.buy_market} is {entry.supply}")
                return
            if entry.ask > ceiling:
                load.notes.append(f"ask {entry.ask} at {route.buy_market} above {ceiling:.0f} "
                                  f"(route ask {route.ask}, bid {route.bid})")
                return
            units = min(free, entry.trade_volume, self._affordable(job, recorder, load, entry.ask))
            if units <= 0:
                load.notes.append("no budget left")
                return
            trade = recorder.purchase(job.ship, route.good, units)
            load.bought += trade.units
            load.spent += trade.total
            free -= trade.units
            if free > 0:
                entry = self._entry(route.buy_market, route)

    def _affordable(self, job: WorkerJob, recorder: LedgerRecorder, load: _Load, ask: int) -> int:
        if ask <= 0:
            return 10**9
        credits = recorder.last_known_credits
        if credits is None:
            credits = self._game.agent().credits
        money = credits if job.budget is None else min(credits, job.budget - load.spent)
        return max(0, money // ask)

    # --- selling -------------------------------------------------------------------------------

    def _sell(self, job: WorkerJob, route: TradeRoute, recorder: LedgerRecorder, cancel: CancelToken,
              load: _Load) -> None:
        unit_cost = load.spent / load.bought
        floor = self.config.min_sell_to_cost * unit_cost

        def go(market: WaypointSymbol) -> None:
            show_activity(self._assignments, job.ship, f"selling {route.good} at {market}")
            self._navigator.go(job.ship, market, recorder, cancel)

        def sell_at(market: WaypointSymbol, entry: MarketTradeGood) -> None:
            self._sell_at(job, route, market, entry, recorder, cancel, load, floor)

        self._spread.sell(route.good, route.sell_markets, floor, held=lambda: load.held, go=go, sell_at=sell_at,
                          chosen=route.sell_market, outcome=SpreadOutcome(load.notes))

    def _sell_at(self, job: WorkerJob, route: TradeRoute, market: WaypointSymbol, entry: MarketTradeGood,
                 recorder: LedgerRecorder, cancel: CancelToken, load: _Load, floor: float) -> None:
        first_bid = entry.bid
        stop_at = max(floor, first_bid * (1 - self.config.max_bid_drop))
        bid = first_bid
        while load.held > 0:
            check_cancelled(cancel)
            if bid < stop_at:
                load.notes.append(f"bid at {market} fell to {bid} (floor {stop_at:.0f})")
                break
            trade = recorder.sell(job.ship, route.good, min(load.held, entry.trade_volume))
            load.sold += trade.units
            entry = self._entry(market, route) or entry
            bid = entry.bid
        if first_bid > 0 and bid <= first_bid * (1 - self.config.dump_drop):
            self._remember_dump(market, route, first_bid, bid)

    def _remember_dump(self, market: WaypointSymbol, route: TradeRoute, before: int, after: int) -> None:
        if self._dumps is None:
            return
        now = self._clock.now()
        mark = DumpMark(market=market, good=route.good, at=now, until=now + timedelta(seconds=self.config.dump_recovery),
                        bid_before=before, bid_after=after)
        try:
            self._dumps.mark(mark)
        except Exception:
            pass  # a memory, not money: the next discovery sees the low bid anyway

    # --- helpers -------------------------------------------------------------------------------

    def _entry(self, market: WaypointSymbol, route: TradeRoute) -> MarketTradeGood | None:
        return look(self._game, self._markets, market).trade_good(route.good)
