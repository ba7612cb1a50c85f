"""Pausing a good that a kind of work keeps losing on: the one rule, for the coordinator and for `status`.

Each kind of work (manufacturing, trade arbitrage) counts its own losses per good, by its own rule (`LossPause`):
`losses` losing runs of a good in a row, or one run that lost more than `loss_over` credits, pause the good for that
kind; each pause before the good earns again is twice as long as the one before (up to MAX_STRETCH times).

The coordinator keeps one `LossPauses`: it replays the results storage still holds at its start (RESTORED_RESULTS of
them, of earlier runs too, so a restart does not forget a good's losses) and accounts each result it collects.
`manufacturing status` runs in another process and reads only storage, so it rebuilds the same book from the same
stored results (`rebuilt`) rather than from a copy of the pauses: one rule, and nothing more for the daemon to write.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.worker_jobs import ARBITRAGE, CLEARANCE_PREFIX, WorkerResult
from domain.goods import TradeSymbol

# How many of the most recent stored results a coordinator replays at its start.
RESTORED_RESULTS = 200
# A good paused again and again before it earns waits at most this many times the rule's duration.
MAX_STRETCH = 8


@dataclass(frozen=True, slots=True)
class LossPause:
    """A kind of work pauses a good after `losses` losing runs in a row, or one that lost more than `loss_over`
    credits, for `seconds` (twice as long each pause before the good earns again)."""

    losses: int
    seconds: float
    loss_over: int


@dataclass(frozen=True, slots=True)
class Pause:
    """`kind` of work takes no `good` from `since` (when the run that decided it finished) until `until`, because
    of `reason` ("2 losing runs in a row", "a run lost 25,000 credits"). `count`: the pauses of the good in a row
    without a run that earned between them, this one included (each twice as long as the one before)."""

    kind: str
    good: TradeSymbol
    since: datetime
    until: datetime
    reason: str
    count: int = 1

    @property
    def stretch(self) -> int:
        """How many times the rule's duration this pause lasts."""
        return stretch(self.count)


def stretch(count: int) -> int:
    """The factor of the `count`-th pause in a row: 1, 2, 4... up to MAX_STRETCH."""
    return min(MAX_STRETCH, 2 ** (count - 1))


class LossPauses:
    """The loss bookkeeping of one coordinator: losing streaks, pauses in a row and the pauses themselves, per kind
    of work and good. `rule(kind)` is the kind's LossPause, asked at each result (the coordinator's config)."""

    def __init__(self, rule: Callable[[str], LossPause]) -> None:
        self._rule = rule
        self._streak: dict[tuple[str, TradeSymbol], int] = {}
        self._count: dict[tuple[str, TradeSymbol], int] = {}  # pauses in a row
        self._pauses: dict[tuple[str, TradeSymbol], Pause] = {}  # the latest of each, over or not

    def account(self, result: WorkerResult, at: datetime) -> Pause | None:
        """Count `result` (which finished `at`); the pause it starts, if any (already over when `at` is long past,
        as for a replayed result).

        A cancelled run does not count: a stop cut it short; nor does a stranded-cargo clearance, which sells cargo
        no run owns. A failed manufacturing run counts even when it spent nothing: an opportunity that fails at once
        (its factory needs feeding that would not pay, which the demand finder cannot see) comes straight back from
        the discovery due at once. A trade that bought nothing does not count: its lane comes back only if the
        prices its run saw still make it one. Unsold cargo counts at its cost: a run that kept its goods found no
        known import paying what they cost, which is reason enough to stop buying them for a while."""
        if result.cancelled or result.operation_id.startswith(CLEARANCE_PREFIX):
            return None
        kind = result.kind
        key = (kind, result.good)
        if result.profit > 0:
            self._streak[key] = 0
            self._count.pop(key, None)
            return None
        if result.profit == 0 and (result.success or kind == ARBITRAGE):
            return None
        rule = self._rule(kind)
        streak = self._streak.get(key, 0) + 1
        big = -result.profit > rule.loss_over
        if streak < rule.losses and not big:
            self._streak[key] = streak
            return None
        self._streak[key] = 0
        count = self._count[key] = self._count.get(key, 0) + 1
        until = at + timedelta(seconds=rule.seconds * stretch(count))
        why = f"a run lost {-result.profit:,} credits" if big else f"{streak} losing runs in a row"
        pause = self._pauses[key] = Pause(kind, result.good, at, until, why, count)
        return pause

    def replay(self, results: Iterable[WorkerResult]) -> list[Pause]:
        """Account stored `results` (of any order) in the order they finished, each at its own end; the pauses they
        started, in that order (clearances count for nothing here either: a stored one sold below cost once read
        as a losing manufacturing run and could pause its good after a restart)."""
        started = (self.account(result, result.finished_at) for result in sorted(results, key=lambda r: r.finished_at))
        return [pause for pause in started if pause is not None]

    def paused(self, kind: str, now: datetime) -> dict[TradeSymbol, datetime]:
        """The goods `kind` of work has paused at `now`, with the time each pause ends."""
        return {pause.good: pause.until for pause in self.in_force(now) if pause.kind == kind}

    def in_force(self, now: datetime) -> list[Pause]:
        """Every pause not over at `now`, by kind of work, then the soonest to end first."""
        return sorted((pause for pause in self._pauses.values() if pause.until > now),
                      key=lambda pause: (pause.kind, pause.until, pause.good))


def rebuilt(rule: Callable[[str], LossPause], started_at: datetime, this_run: Iterable[WorkerResult],
            stored: Iterable[WorkerResult]) -> LossPauses:
    """The book of a coordinator that started at `started_at` and has collected `this_run`'s results since,
    rebuilt from storage (for `manufacturing status`, which cannot ask the daemon).

    As the coordinator did at its start, it replays the RESTORED_RESULTS most recent of the `stored` results (every
    run's) that had finished by then; then it accounts this run's own, in the order they finished, but for the
    stranded-cargo clearances: they are no kind of work's runs, and the coordinator books them apart."""
    own = list(this_run)
    ids = {result.operation_id for result in own}
    earlier = sorted((result for result in stored if result.operation_id not in ids
                      and result.finished_at <= started_at), key=lambda r: r.finished_at, reverse=True)
    book = LossPauses(rule)
    book.replay(earlier[:RESTORED_RESULTS])
    book.replay(own)
    return book
