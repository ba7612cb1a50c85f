"""application/loss_pauses.py: the one rule that pauses a good a kind of work keeps losing on, and the book rebuilt
from stored results, which must hold what a live coordinator holds."""
from __future__ import annotations

from datetime import timedelta

from application.loss_pauses import MAX_STRETCH, RESTORED_RESULTS, LossPause, LossPauses, Pause, rebuilt, stretch
from application.worker_jobs import ARBITRAGE, MANUFACTURING, WorkerResult
from domain.goods import TradeSymbol
from domain.symbols import ShipSymbol
from tests.fakes import DEFAULT_NOW

IRON, COPPER = TradeSymbol.IRON, TradeSymbol.COPPER
RULES = {MANUFACTURING: LossPause(losses=2, seconds=600, loss_over=20_000),
         ARBITRAGE: LossPause(losses=3, seconds=900, loss_over=5_000)}


def rule(kind: str) -> LossPause:
    return RULES[kind]


def ran(operation: str, good: TradeSymbol, minute: float, profit: int, *, success: bool = True,
        cancelled: bool = False) -> WorkerResult:
    finished = DEFAULT_NOW + timedelta(minutes=minute)
    return WorkerResult(operation_id=operation, ship=ShipSymbol("AGENT-1"), good=good,
                        started_at=finished - timedelta(minutes=5), finished_at=finished,
                        revenue=max(0, profit), cost=max(0, -profit), success=success, cancelled=cancelled)


def test_losing_runs_in_a_row_pause_the_good_for_the_kind_s_duration_and_say_why() -> None:
    book = LossPauses(rule)
    assert book.account(ran("mfg-1", IRON, 0, -100), DEFAULT_NOW) is None
    at = DEFAULT_NOW + timedelta(minutes=1)

    pause = book.account(ran("mfg-2", IRON, 1, -100), at)

    assert pause == Pause(MANUFACTURING, IRON, at, at + timedelta(seconds=600), "2 losing runs in a row", 1)
    assert book.paused(MANUFACTURING, at) == {IRON: at + timedelta(seconds=600)}
    assert book.paused(ARBITRAGE, at) == {}  # each kind counts its own
    assert book.paused(MANUFACTURING, at + timedelta(seconds=600)) == {}  # over at its end


def test_one_big_loss_pauses_at_once_with_the_loss_in_the_reason() -> None:
    book = LossPauses(rule)

    pause = book.account(ran("arb-1", COPPER, 0, -25_000), DEFAULT_NOW)

    assert pause is not None and pause.reason == "a run lost 25,000 credits"
    assert pause.until == DEFAULT_NOW + timedelta(seconds=900)  # trading's rule


def test_a_run_that_earned_resets_the_streak_and_the_doubling() -> None:
    book = LossPauses({MANUFACTURING: LossPause(1, 60, 10**9)}.__getitem__)
    lengths = []
    for minute in range(5):
        pause = book.account(ran(f"mfg-{minute}", IRON, minute, -1), DEFAULT_NOW)
        lengths.append((pause.until - pause.since).total_seconds() / 60)
    assert lengths == [1, 2, 4, 8, 8]  # up to MAX_STRETCH times
    assert [stretch(count) for count in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, MAX_STRETCH]
    book.account(ran("mfg-9", IRON, 9, 500), DEFAULT_NOW)
    assert book.account(ran("mfg-10", IRON, 10, -1), DEFAULT_NOW).count == 1


def test_what_does_not_count_as_a_loss() -> None:
    book = LossPauses({MANUFACTURING: LossPause(1, 60, 0), ARBITRAGE: LossPause(1, 60, 0)}.__getitem__)
    assert book.account(ran("mfg-1", IRON, 0, -5_000, cancelled=True), DEFAULT_NOW) is None  # a stop cut it short
    assert book.account(ran("mfg-2", IRON, 0, 0), DEFAULT_NOW) is None  # sold, earned nothing
    assert book.account(ran("arb-1", IRON, 0, 0, success=False), DEFAULT_NOW) is None  # a trade that bought nothing
    # ...but a manufacturing run that failed without spending counts: it would come straight back.
    assert book.account(ran("mfg-3", IRON, 0, 0, success=False), DEFAULT_NOW) is not None


def test_pauses_in_force_by_kind_then_soonest_end() -> None:
    book = LossPauses({MANUFACTURING: LossPause(1, 600, 0), ARBITRAGE: LossPause(1, 300, 0)}.__getitem__)
    started = book.replay([ran("mfg-1", IRON, 2, -1), ran("arb-1", COPPER, 1, -1), ran("mfg-2", COPPER, 0, -1),
                           ran("mfg-3", TradeSymbol.FUEL, -60, -1)])

    assert [(p.kind, p.good) for p in started] == [  # oldest first, each at its own end
        (MANUFACTURING, TradeSymbol.FUEL), (MANUFACTURING, COPPER), (ARBITRAGE, COPPER), (MANUFACTURING, IRON)]
    assert [(p.kind, p.good) for p in book.in_force(DEFAULT_NOW + timedelta(minutes=3))] == [
        (ARBITRAGE, COPPER), (MANUFACTURING, COPPER), (MANUFACTURING, IRON)]  # FUEL's is over


def test_rebuilt_replays_what_the_coordinator_replayed_at_its_start_then_this_run_s_results() -> None:
    started_at = DEFAULT_NOW
    earlier = [ran("mfg-old-1", IRON, -6, -100), ran("mfg-old-2", IRON, -3, -100)]  # paused at start
    # A clearance is no kind's run: the coordinator counts none, of this run or replayed from an earlier one.
    earlier.append(ran("clear-old", COPPER, -2, -100_000))
    own = [ran("arb-1", COPPER, 1, -6_000), ran("clear-1", COPPER, 2, -100_000)]
    after_start_elsewhere = ran("mfg-other", COPPER, 3, -100_000)  # another run's, after this one started: unseen

    book = rebuilt(rule, started_at, own, [after_start_elsewhere, *own, *earlier])

    now = DEFAULT_NOW + timedelta(minutes=4)
    assert set(book.paused(MANUFACTURING, now)) == {IRON}
    assert book.paused(ARBITRAGE, now) == {COPPER: DEFAULT_NOW + timedelta(minutes=1, seconds=900)}


def test_rebuilt_replays_only_the_results_a_coordinator_reads_at_start() -> None:
    # Two losses long ago, then RESTORED_RESULTS results that earned nothing and lost nothing: out of reach.
    losses = [ran("mfg-a", IRON, -10_000, -100), ran("mfg-b", IRON, -9_999, -100)]
    beyond = [ran(f"mfg-{i}", COPPER, -1_000 + i, 0) for i in range(RESTORED_RESULTS)]
    rule_ = {MANUFACTURING: LossPause(2, 10**9, 10**9)}.__getitem__

    assert rebuilt(rule_, DEFAULT_NOW, [], [*losses, *beyond]).paused(MANUFACTURING, DEFAULT_NOW) == {}
    assert set(rebuilt(rule_, DEFAULT_NOW, [], [*losses, *beyond[2:]]).paused(MANUFACTURING, DEFAULT_NOW)) == {IRON}
