"""What a daemon does first after its predecessor crashed or was killed: nothing it left half-way stays so.

By the time this runs, `DetachedProcess.start` has ended every process left in the old daemon's group (its
workers), so nobody of this player works any more and every lease of the player's ships is a dead one, however
long it still has to run. Recovery therefore

- marks the previous run of the player CRASHED when it never reached a final state (so `status` tells the truth
  and the run's results stay apart from the new run's);
- settles, before anything trades again, every money-moving call left open (a LedgerIntent: a worker killed
  between a trade's answer and its row, or whose answer was lost while the game was down): holding the account's
  money gate, the agent's credits now minus those the intent noted before its call is exactly what that call
  moved, and that is written to the ledger (application/ledger_recorder.py);
- reconciles each ship still held with its real state from the game (where it is, in transit or not, what its
  hold carries) and what its operation spent and earned according to the ledger, writes that to the log, and
  releases the ship, so the new coordinator may give it work again at once (cargo it holds is then used or sold
  by the coordinator's stranded-cargo pass, application/stranded_cargo.py);
- deletes the intents closed longer ago than the retention (`database.closed_intent_retention`): once closed an
  intent is only the trace of how a call was settled, its money is in the ledger rows, and the table would
  otherwise grow by one row per money-moving call for ever.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.game_errors import GameError
from application.game_port import GamePort
from application.ledger_recorder import settle_open_intents
from application.repositories import (
    LedgerRepository, MoneyGate, RunRepository, ShipAssignment, ShipAssignmentRepository,
)
from domain.fleet import ShipNavStatus
from domain.ledger import credits_and_debits
from domain.symbols import ShipSymbol

FINAL_STATES = frozenset({"STOPPED", "CRASHED"})

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveryReport:
    """What recovery found: the run it marked CRASHED (if any), the ships it released with what each was, and the
    money-moving calls it settled, and how many closed intents it deleted."""

    crashed_run: str | None
    released: tuple[ShipSymbol, ...]
    notes: tuple[str, ...]
    settled: tuple[str, ...] = ()
    purged: int = 0


def recover(player: str, *, runs: RunRepository, assignments: ShipAssignmentRepository, ledger: LedgerRepository,
            game: GamePort, now: datetime, gate: MoneyGate | None = None, log: logging.Logger | None = None,
            intent_retention: timedelta | None = None) -> RecoveryReport:
    """Close what the previous daemon of `player` left open (see the module docstring). Open intents that cannot
    be settled now (the game does not answer) stay open: the first money-moving call settles them before it sends
    anything. Intents closed before `now - intent_retention` are deleted (none when it is None)."""
    log = log or _log
    settled = _settle_intents(player, ledger, game, gate, log)
    purged = 0 if intent_retention is None else ledger.purge_closed_intents(now - intent_retention)
    if purged:
        log.info("recovery: deleted %d ledger intent(s) closed more than %s ago", purged, intent_retention)
    crashed = None
    previous = runs.latest_run(player)
    if previous is not None and previous.state not in FINAL_STATES:
        runs.set_state(previous.run_id, "CRASHED", now)
        crashed = previous.run_id
        log.warning("recovery: run %s (pid %s) ended without shutting down; marked CRASHED",
                    previous.run_id, previous.pid)
    held = [a for a in assignments.assigned() if a.ship.startswith(f"{player}-")]
    released: list[ShipSymbol] = []
    notes: list[str] = []
    for assignment in held:
        note = f"{assignment.ship} (held by {assignment.operation_id}): {_where(game, assignment.ship)}" \
               f"{_money(ledger, assignment)}"
        assignments.release(assignment.ship, assignment.operation_id)
        released.append(assignment.ship)
        notes.append(note)
        log.warning("recovery: released %s", note)
    if not held and crashed is None and not settled:
        log.info("recovery: nothing to recover")
    return RecoveryReport(crashed, tuple(released), tuple(notes), tuple(settled), purged)


def _settle_intents(player: str, ledger: LedgerRepository, game: GamePort, gate: MoneyGate | None,
                    log: logging.Logger) -> list[str]:
    if gate is None:
        return []
    with gate.hold() as memo:
        # A new daemon trusts no balance a predecessor noted: the first money call reads it afresh.
        memo.credits = None
        try:
            settled = settle_open_intents(game, ledger, gate.account or player, memo, log)
        except GameError as error:
            open_ = ledger.open_intents(gate.account or player)
            log.warning("recovery: %d money-moving call(s) left open cannot be settled now (%s); the first "
                        "money-moving call settles them before it sends anything", len(open_), error)
            return []
        memo.credits = None
    for line in settled:
        log.warning("recovery: settled %s", line)
    return settled


def _where(game: GamePort, ship: ShipSymbol) -> str:
    """Where the ship really is and what it carries, as the game says now."""
    try:
        state = game.ship(ship)
    except GameError as error:
        return f"its state could not be read ({error})"
    if state.nav_status is ShipNavStatus.IN_TRANSIT:
        arrival = "" if state.arrival is None else f", arriving {state.arrival:%H:%M:%S}"
        place = f"in transit to {state.waypoint}{arrival}"
    else:
        place = f"{state.nav_status.value.lower().replace('_', ' ')} at {state.waypoint}"
    hold = ", ".join(f"{units} {good}" for good, units in sorted(state.inventory.items())) or "nothing"
    return f"{place}, holding {hold}"


def _money(ledger: LedgerRepository, assignment: ShipAssignment) -> str:
    rows: Sequence = ledger.transactions_of_operation(assignment.operation_id)
    if not rows:
        return ""
    earned, spent = credits_and_debits(rows)
    return f"; its operation spent {spent:,} and earned {earned:,} credits (ledger)"
