"""The only way the bot moves credits: each GamePort call that spends or earns is written to the ledger, exactly.

The honesty check (ledger net == change of the agent's credits on the server) holds by construction:

1. every money-moving call (purchase, sale, refuel, ship purchase) is made while the account's MoneyGate is held,
   so no other call of the account, in any process, moves money at the same time;
2. before it is sent, the call is written down as a LedgerIntent carrying the agent's credits at that moment (the
   memo the previous holder left from its answer, else read from the game), and the memo is cleared;
3. the answer (which carries the agent's new credits) closes the intent with its ledger row in one write;
4. a call that fails in any way (answer lost and not matched, game refusal, dropped connection) is settled from
   the agent's credits read at once: credits now minus credits before is exactly what that call moved, since
   nothing else could move money meanwhile. If even that read fails, the intent stays open and is settled the
   same way by the next money-moving call of the account, before it sends anything, or by recovery.

A worker killed between its answer and its row leaves an open intent: settled the same way. A write of the row
that fails leaves the intent open as well (and raises LedgerWriteFailed): the next holder settles it.

`lease`, when given, is asked while the gate is held, just before each call: a worker whose ship was taken from
it (its lease ran out and another operation holds the ship) stops there with LeaseLost, before spending.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from application.errors import ApplicationError
from application.game_port import GamePort
from application.metrics_port import Metrics, NullMetrics
from application.ports import Clock
from application.money_gate import LocalMoneyGate
from application.repositories import CreditMemo, LedgerIntent, LedgerRepository, MoneyGate, ShipAssignmentRepository
from application.worker_jobs import WorkerJob
from domain.fleet import ShipType
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.symbols import ShipSymbol, WaypointSymbol
from domain.trade import Refuel, ShipPurchase, Trade, TradeSide

_log = logging.getLogger(__name__)
# Closing an intent is idempotent (an intent closes once, a row recorded twice is kept once): a failed write is
# simply tried again.
_WRITE_ATTEMPTS = 3

_A = TypeVar("_A")


class LedgerWriteFailed(ApplicationError):
    """Credits moved on the server but the ledger row could not be written; `transaction` is the lost row.
    Its intent stays open, so the next money-moving call of the account (or recovery) settles it."""

    def __init__(self, transaction: LedgerTransaction, cause: Exception) -> None:
        self.transaction = transaction
        super().__init__(
            f"{transaction.type} {transaction.amount} ({transaction.category}) happened but was not recorded: {cause}")


class LeaseLost(ApplicationError):
    """The operation no longer holds its ship (its lease ran out and the ship may have been given to another):
    it must stop before spending anything more."""


def lease_check(assignments: ShipAssignmentRepository | None, job: WorkerJob, clock: Clock
                ) -> Callable[[], bool] | None:
    """What a worker's recorder asks before each money-moving call: does this operation still hold its ship?
    None without an assignment repository (tests, one-off tools)."""
    if assignments is None:
        return None
    return lambda: assignments.holds(job.ship, job.operation_id, clock.now())


class LedgerRecorder:
    """Wraps the credit-moving GamePort calls; every row carries `operation_id` (see the module docstring).

    `last_known_credits` is the agent's balance from the latest answer that carried it (None until one did);
    callers use it to size purchases without asking the server again.
    """

    def __init__(self, game: GamePort, ledger: LedgerRepository, operation_id: str | None = None,
                 metrics: Metrics | None = None, *, gate: MoneyGate | None = None,
                 lease: Callable[[], bool] | None = None, logger: logging.Logger | None = None,
                 trade_category: TransactionCategory = TransactionCategory.CARGO_TRADE) -> None:
        self._game = game
        # Trade arbitrage books its cargo under its own category, so its profit is told apart from manufacturing's.
        self._trade_category = trade_category
        self._ledger = ledger
        self.operation_id = operation_id
        self._metrics = metrics or NullMetrics()
        # Without a gate of the account (tests, one-off tools) the recorder serialises only its own calls.
        self._gate: MoneyGate = gate or LocalMoneyGate()
        self._lease = lease
        self._log = logger or _log
        self.last_known_credits: int | None = None

    def for_operation(self, operation_id: str | None) -> LedgerRecorder:
        """A recorder on the same game, ledger, metrics and gate that tags rows with `operation_id`."""
        return LedgerRecorder(self._game, self._ledger, operation_id, self._metrics, gate=self._gate,
                              lease=self._lease, logger=self._log, trade_category=self._trade_category)

    # --- the money-moving calls ------------------------------------------------------------------------------------

    def purchase(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        """Buy at the docked market; a DEBIT CARGO_TRADE row for the total paid."""
        return self._moved(self._trade_category, TransactionType.DEBIT, ship, good, units,
                           lambda: self._game.purchase(ship, good, units), self._trade_row,
                           lambda trade: trade.agent_credits)

    def sell(self, ship: ShipSymbol, good: TradeSymbol, units: int) -> Trade:
        """Sell at the docked market; a CREDIT CARGO_TRADE row for the total received."""
        return self._moved(self._trade_category, TransactionType.CREDIT, ship, good, units,
                           lambda: self._game.sell(ship, good, units), self._trade_row,
                           lambda trade: trade.agent_credits)

    def refuel(self, ship: ShipSymbol, fuel_units: int | None = None) -> Refuel:
        """Buy fuel at the docked market (None fills the tank); a DEBIT REFUEL row in FUEL market units."""
        return self._moved(TransactionCategory.REFUEL, TransactionType.DEBIT, ship, TradeSymbol.FUEL, None,
                           lambda: self._game.refuel(ship, fuel_units), self._refuel_row,
                           lambda refuel: refuel.agent_credits)

    def purchase_ship(self, ship_type: ShipType, waypoint: WaypointSymbol) -> ShipPurchase:
        """Buy a ship at a shipyard; a DEBIT SHIP_PURCHASE row naming the new ship (its type as the good)."""
        return self._moved(TransactionCategory.SHIP_PURCHASE, TransactionType.DEBIT, None, _ship_good(ship_type), 1,
                           lambda: self._game.purchase_ship(ship_type, waypoint), self._ship_row,
                           lambda purchase: purchase.agent_credits, waypoint=waypoint)

    # --- rows from answers -----------------------------------------------------------------------------------------

    def _trade_row(self, trade: Trade) -> LedgerTransaction:
        kind = TransactionType.DEBIT if trade.side is TradeSide.PURCHASE else TransactionType.CREDIT
        return LedgerTransaction(
            type=kind, category=self._trade_category, amount=trade.total,
            occurred_at=trade.occurred_at, operation_id=self.operation_id, good=trade.good, units=trade.units,
            ship=trade.ship, waypoint=trade.waypoint)

    def _refuel_row(self, refuel: Refuel) -> LedgerTransaction | None:
        if refuel.total <= 0:  # a full tank costs nothing and moves nothing: no row
            return None
        return LedgerTransaction(
            type=TransactionType.DEBIT, category=TransactionCategory.REFUEL, amount=refuel.total,
            occurred_at=refuel.occurred_at, operation_id=self.operation_id, good=TradeSymbol.FUEL,
            units=refuel.market_units if refuel.market_units > 0 else None, ship=refuel.ship,
            waypoint=refuel.waypoint)

    def _ship_row(self, purchase: ShipPurchase) -> LedgerTransaction:
        return LedgerTransaction(
            type=TransactionType.DEBIT, category=TransactionCategory.SHIP_PURCHASE, amount=purchase.price,
            occurred_at=purchase.occurred_at, operation_id=self.operation_id,
            good=_ship_good(purchase.ship_type), units=1, ship=purchase.ship, waypoint=purchase.waypoint)

    # --- the protocol ----------------------------------------------------------------------------------------------

    def _moved(self, category: TransactionCategory, expected: TransactionType, ship: ShipSymbol | None,
               good: TradeSymbol | None, units: int | None, call: Callable[[], _A],
               row_of: Callable[[_A], LedgerTransaction | None], credits_of: Callable[[_A], int | None],
               waypoint: WaypointSymbol | None = None) -> _A:
        with self._gate.hold() as memo:
            settle_open_intents(self._game, self._ledger, self._gate.account, memo, self._log, self._metrics)
            if self._lease is not None and not self._lease():
                raise LeaseLost(f"operation {self.operation_id} no longer holds {ship}: stopping before "
                                f"{category} {expected} of {units or ''} {good or ''}".replace("  ", " "))
            before = memo.credits
            if before is None:
                before = self._game.agent().credits
            intent = LedgerIntent(
                intent_id=uuid.uuid4().hex, account=self._gate.account, category=category, expected=expected,
                credits_before=before, opened_at=self._game.server_time(), operation_id=self.operation_id,
                ship=ship, good=good, units=units, waypoint=waypoint)
            self._ledger.open_intent(intent)
            memo.credits = None  # until this call's outcome is known: a holder killed now leaves no stale memo
            try:
                answer = call()
            except Exception as error:
                self._settle_failed(intent, memo, error)
                raise
            after = credits_of(answer)
            self._note_credits(after)
            row = row_of(answer)
            moved = 0 if row is None else row.signed_amount
            if after is not None and after != before + moved:
                # An answer rebuilt after a lost one that names the wrong transaction, or money moved by someone
                # else: the change of credits is what this call (the only one of the account) moved.
                self._log.warning("%s: the answer says %d moved but the credits went from %d to %d; recording the "
                                  "change of credits", intent.describe(), moved, before, after)
                _settle(intent, after, self._game.server_time(), self._ledger, self._log, self._metrics,
                        why="its answer did not match the credits")
            else:
                self._close(intent, row, "answered")
            memo.credits = after
            return answer

    def _settle_failed(self, intent: LedgerIntent, memo: CreditMemo, error: Exception) -> None:
        """After a call that failed: its outcome from the agent's credits, read now (see the module docstring)."""
        try:
            now = self._game.agent().credits
        except Exception as read_error:  # the game is down: the next money call or recovery settles it
            self._log.warning("%s failed (%s) and the agent's credits cannot be read (%s): its outcome will be "
                              "settled from the credits by the next money-moving call or at recovery",
                              intent.describe(), _sentence(error), _sentence(read_error))
            return
        self._note_credits(now)
        _settle(intent, now, self._game.server_time(), self._ledger, self._log, self._metrics,
                why=f"the call failed ({_sentence(error)})")
        memo.credits = now

    def _close(self, intent: LedgerIntent, row: LedgerTransaction | None, outcome: str) -> None:
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                self._ledger.close_intent(intent.intent_id, row, outcome)
                break
            except Exception as error:  # storage of any kind: the caller must learn the money moved regardless
                if attempt + 1 < _WRITE_ATTEMPTS:
                    continue
                self._log.error("ledger row NOT recorded after %d attempts (%s): %r; its intent stays open and is "
                                "settled from the credits later", _WRITE_ATTEMPTS, error, row)
                if row is None:
                    raise
                raise LedgerWriteFailed(row, error) from error
        if row is not None:
            # Dashboards count what the ledger holds: credits by category, from the same rows.
            self._metrics.credits_moved(row.category.value, row.signed_amount)

    def _note_credits(self, credits: int | None) -> None:
        if credits is not None:
            self.last_known_credits = credits
            self._metrics.agent_credits(credits)


def settle_open_intents(game: GamePort, ledger: LedgerRepository, account: str, memo: CreditMemo,
                        log: logging.Logger | None = None, metrics: Metrics | None = None) -> list[str]:
    """Settle the account's open intents from the agent's credits; call while holding the account's gate.

    An open intent seen by a holder of the gate belongs to a call that is over (its caller died, lost the answer
    and could not read the credits, or failed to write its row): the agent's credits now minus those before it
    are exactly what it moved. Raises the game's error when the credits cannot be read (nothing may be sent
    then). Returns one line per intent settled, and leaves the memo at the credits read."""
    log = log or _log
    intents = ledger.open_intents(account)
    if not intents:
        return []
    now = game.agent().credits
    at = game.server_time()
    notes: list[str] = []
    first, *others = intents
    if others:  # cannot happen while every money call goes through the gate; say so rather than guess quietly
        log.error("%d intents open at once for %s; the whole change of credits goes to the oldest (%s)",
                  len(intents), account, first.describe())
    notes.append(_settle(first, now, at, ledger, log, metrics or NullMetrics(),
                         why="left open by a call that did not finish"))
    for intent in others:
        ledger.close_intent(intent.intent_id, None, "closed with no row: several intents were open")
        notes.append(f"{intent.describe()}: closed with no row (several intents were open)")
    memo.credits = now
    return notes


def _settle(intent: LedgerIntent, credits_now: int, at: datetime, ledger: LedgerRepository, log: logging.Logger,
            metrics: Metrics, *, why: str) -> str:
    """Close `intent` with the row the change of credits says (none when they did not change)."""
    delta = credits_now - intent.credits_before
    row = None
    if delta != 0:
        kind = TransactionType.CREDIT if delta > 0 else TransactionType.DEBIT
        row = LedgerTransaction(
            type=kind, category=intent.category, amount=abs(delta), occurred_at=at, operation_id=intent.operation_id,
            good=intent.good, units=intent.units, ship=intent.ship,
            waypoint=None if intent.waypoint is None else WaypointSymbol(intent.waypoint))
    found = (f"credits {intent.credits_before} -> {credits_now}: "
             + ("it did not happen (no row)" if row is None else f"it happened: {row.type} {row.amount} recorded"))
    closed = ledger.close_intent(intent.intent_id, row, f"settled from credits: {found}")
    line = f"{intent.describe()}: {why}; {found}"
    if not closed:
        return f"{intent.describe()}: already settled"
    if row is not None:
        metrics.credits_moved(row.category.value, row.signed_amount)
        if row.type is not intent.expected:
            log.warning("settled %s the other way than expected: credits moved outside this bot?", intent.describe())
    log.warning("ledger: settled %s", line)
    return line


def _sentence(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _ship_good(ship_type: ShipType) -> TradeSymbol | None:
    try:
        return TradeSymbol(str(ship_type))
    except ValueError:
        return None
