"""The only way the bot moves credits: each GamePort call that spends or earns is written to the ledger at once.

The honesty check (ledger net == change of the agent's credits on the server) holds only if no purchase, sale,
refuel or ship purchase bypasses this class. A row is written the moment the server's answer arrives, before the
caller does anything else, so a worker that is cancelled or fails afterwards still leaves a complete ledger.
"""
from __future__ import annotations

import logging

from application.errors import ApplicationError
from application.metrics_port import Metrics, NullMetrics
from application.game_port import GamePort
from application.repositories import LedgerRepository
from domain.fleet import ShipType
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.symbols import ShipSymbol, WaypointSymbol
from domain.trade import Refuel, ShipPurchase, Trade, TradeSide


_log = logging.getLogger(__name__)
# Recording is idempotent (the same row twice is kept once), so a failed write is simply tried again.
_WRITE_ATTEMPTS = 3


class LedgerWriteFailed(ApplicationError):
    """Credits moved on the server but the ledger row could not be written; `transaction` is the lost row."""

    def __init__(self, transaction: LedgerTransaction, cause: Exception) -> None:
        self.transaction = transaction
        super().__init__(
            f"{transaction.type} {transaction.amount} ({transaction.category}) happened but was not recorded: {cause}")


class LedgerRecorder:
    """Wraps the credit-moving GamePort calls; every row carries `operation_id` and the server's timestamp.

    `last_known_credits` is the agent's balance from the latest answer that carried it (None until one did);
    callers use it to size purchases without asking the server again.
    """

    def __init__(self, game: GamePort, ledger: LedgerRepository, operation_id: str | None = None,
                 metrics: Metrics | None = None, *,
                 trade_category: TransactionCategory = TransactionCategory.CARGO_TRADE) -> None:
        self._game = game
        # Trade arbitrage books its cargo under its own category, so its profit is told apart from manufacturing's.
        self._trade_category = trade_category
        self._ledger = ledger
        self.operation_id = operation_id
        self._metrics = metrics or NullMetrics()
        self.last_known_credits: int | None = None

    def for_operation(self, operation_id: str | None) -> LedgerRecorder:
        """A recorder on the same game, ledger and metrics that tags rows with `operation_id`."""
        return LedgerRecorder(self._game, self._ledger, operation_id, self._metrics)

    def purchase(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        """Buy at the docked market; a DEBIT CARGO_TRADE row for the total paid."""
        trade = self._game.purchase(ship, good, units)
        self._record_trade(trade)
        return trade

    def sell(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        """Sell at the docked market; a CREDIT CARGO_TRADE row for the total received."""
        trade = self._game.sell(ship, good, units)
        self._record_trade(trade)
        return trade

    def refuel(self, ship: ShipSymbol, fuel_units: int | None = None) -> Refuel:
        """Buy fuel at the docked market (None fills the tank); a DEBIT REFUEL row in FUEL market units."""
        refuel = self._game.refuel(ship, fuel_units)
        self._note_credits(refuel.agent_credits)
        if refuel.total > 0:  # a full tank costs nothing and moves nothing: no row
            self._write(LedgerTransaction(
                type=TransactionType.DEBIT, category=TransactionCategory.REFUEL, amount=refuel.total,
                occurred_at=refuel.occurred_at, operation_id=self.operation_id, good=TradeSymbol.FUEL,
                units=refuel.market_units if refuel.market_units > 0 else None, ship=refuel.ship,
                waypoint=refuel.waypoint))
        return refuel

    def purchase_ship(self, ship_type: ShipType, waypoint: WaypointSymbol) -> ShipPurchase:
        """Buy a ship at a shipyard; a DEBIT SHIP_PURCHASE row naming the new ship (its type as the good)."""
        purchase = self._game.purchase_ship(ship_type, waypoint)
        self._note_credits(purchase.agent_credits)
        self._write(LedgerTransaction(
            type=TransactionType.DEBIT, category=TransactionCategory.SHIP_PURCHASE, amount=purchase.price,
            occurred_at=purchase.occurred_at, operation_id=self.operation_id,
            good=_ship_good(purchase.ship_type), units=1, ship=purchase.ship, waypoint=purchase.waypoint))
        return purchase

    def _record_trade(self, trade: Trade) -> None:
        self._note_credits(trade.agent_credits)
        kind = TransactionType.DEBIT if trade.side is TradeSide.PURCHASE else TransactionType.CREDIT
        self._write(LedgerTransaction(
            type=kind, category=self._trade_category, amount=trade.total,
            occurred_at=trade.occurred_at, operation_id=self.operation_id, good=trade.good, units=trade.units,
            ship=trade.ship, waypoint=trade.waypoint))

    def _note_credits(self, credits: int | None) -> None:
        if credits is not None:
            self.last_known_credits = credits
            self._metrics.agent_credits(credits)

    def _write(self, transaction: LedgerTransaction) -> None:
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                self._ledger.record(transaction)
                break
            except Exception as error:  # storage of any kind: the caller must learn the money moved regardless
                if attempt + 1 < _WRITE_ATTEMPTS:
                    continue
                # The full row goes to the log, so the money that moved can be replayed into the ledger by hand.
                _log.error("ledger row NOT recorded after %d attempts (%s): %r", _WRITE_ATTEMPTS, error, transaction)
                raise LedgerWriteFailed(transaction, error) from error
        # Dashboards count what the ledger holds: credits by category, from the same rows.
        self._metrics.credits_moved(transaction.category.value, transaction.signed_amount)


def _ship_good(ship_type: ShipType) -> TradeSymbol | None:
    try:
        return TradeSymbol(str(ship_type))
    except ValueError:
        return None
