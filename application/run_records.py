"""What finished runs earned, kept for the coordinator: per kind of work, per lane and per good, per ship-hour.

The coordinator owns one RunRecords and tells it of each result it collects (`add`) and, at start, of the results
of earlier runs the RunRepository still holds (`replay`). From them it answers:
- `per_hour`: credits per hour of a ship's time over every run of a lane (a trade route's export -> import, or a
  good made for one sell market), else over every run of its good; `lane_record` adds the share of their price
  signal the lane's own runs earned (recent runs weighing most): the learned rankings' history;
- `recent_per_hour`: the same with recent runs weighing most (RecentRates), drawn toward what the kind's recent runs
  earned (`KIND_PRIOR_RUNS`), which the work allocation expects a lane to earn next; `tried`: whether a run of a
  kind finished at all;
- `results` (this process's, for status) and `all_results` (earlier runs' too: the fleet's return).

A replayed result names its good but not its lane, so it feeds the good's records only. A cancelled run, or a
stranded-cargo clearance (of no kind of work), is kept among the results but earns no record. A run counts as at
least MIN_HOURS: the rankings compare profit per hour, not per run, whatever the game's speed.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from datetime import datetime
from itertools import chain

from application.work_allocation import MIN_HOURS, KindRecord, RecentRates, shrunk
from application.worker_jobs import WorkerResult
from domain.goods import TradeSymbol
from domain.lane_record import LaneRecord


# How many runs' worth the kind's recent rate counts for beside a lane's own (a lane's recent record weighs at most
# two runs: each run halves the weight of those before it). Its kind's memory is longer: the last twenty or so runs.
KIND_PRIOR_RUNS = 1.0
KIND_KEEP = 0.95
# A lane's share of its price signal: each run halves the weight of those before it, as a lane's recent rate does,
# drawn toward its kind's share (the kind's recent runs) as if that were one more run: one lucky run does not make it.
SHARE_KEEP = 0.5
SHARE_PRIOR_RUNS = 1.0


def _hours(started_at: datetime, finished_at: datetime) -> float:
    return max(0.0, (finished_at - started_at).total_seconds()) / 3600


class RunRecords:
    """Profit and ship-hours of finished runs per (kind, lane) and (kind, good), and the results themselves."""

    def __init__(self) -> None:
        self._totals: dict[tuple[str, Hashable], tuple[int, float]] = {}
        self._recent = RecentRates()
        self._kinds = RecentRates(keep=KIND_KEEP)
        self._lane_shares: dict[tuple[str, Hashable], KindRecord] = {}
        self._kind_shares: dict[str, KindRecord] = {}
        self._results: list[WorkerResult] = []
        self._past_results: list[WorkerResult] = []

    def replay(self, results: Iterable[WorkerResult]) -> None:
        """Results of earlier coordinator runs (this one has none yet): they feed the goods' records, oldest
        first, and the fleet's return."""
        self._past_results = list(results)
        for result in sorted(self._past_results, key=lambda r: r.finished_at):
            if result.counted:
                self._add_good(result)

    def add(self, result: WorkerResult, lane: Hashable | None = None, started_at: datetime | None = None,
            signal: float | None = None) -> None:
        """A result collected in this process; `lane` is its work's lane, which the coordinator started at
        `started_at` (the lane's ship time runs from then) when its prices promised `signal` credits per hour."""
        self._results.append(result)
        if not result.counted:
            return
        if lane is not None and started_at is not None:
            hours = _hours(started_at, result.finished_at)
            self._add((result.kind, lane), result.profit, hours)
            if signal is not None:
                for record in (self._lane_shares.setdefault((result.kind, lane), KindRecord(keep=SHARE_KEEP)),
                               self._kind_shares.setdefault(result.kind, KindRecord(keep=KIND_KEEP))):
                    record.add(result.profit, signal, hours)
        self._add_good(result)

    def per_hour(self, kind: str, lane: Hashable, good: TradeSymbol) -> float | None:
        """Credits per ship-hour of every run of `kind` on `lane`, else of every run of `good` (a lane not run in
        this process); None when neither ran."""
        record = self._totals.get((kind, lane)) or self._totals.get((kind, good))
        if record is None:
            return None
        profit, hours = record
        return profit / max(hours, MIN_HOURS)

    def lane_record(self, kind: str, lane: Hashable, good: TradeSymbol) -> LaneRecord | None:
        """`per_hour` with the share of their price signal the runs of `lane` itself earned (drawn toward the
        share of the kind's runs); None when neither the lane nor its good ran. A lane whose good ran on other lanes
        has no share of its own: its prices are other prices."""
        per_hour = self.per_hour(kind, lane, good)
        if per_hour is None:
            return None
        own = self._lane_shares.get((kind, lane))
        if own is None or own.ratio is None:
            return LaneRecord(per_hour)
        # Every run fed to a lane's share fed its kind's too, so the kind's ratio is known.
        return LaneRecord(per_hour, shrunk(own.ratio, own.runs, self._kind_shares[kind].ratio, SHARE_PRIOR_RUNS))

    def recent_per_hour(self, kind: str, lane: Hashable, good: TradeSymbol) -> float | None:
        """As `per_hour`, recent runs weighing most (RecentRates), drawn toward the rate of the kind's recent runs
        as if it were `KIND_PRIOR_RUNS` more runs of the lane."""
        return self._recent.rate((kind, lane), (kind, good), prior=self._kinds.rate(kind),
                                 prior_runs=KIND_PRIOR_RUNS)

    def tried(self, kind: str) -> bool:
        """Whether a run of `kind` finished (in this process, or replayed)."""
        return self._recent.any_of(kind)

    @property
    def results(self) -> list[WorkerResult]:
        """Every result collected in this process, oldest first."""
        return list(self._results)

    def all_results(self) -> Iterator[WorkerResult]:
        """The replayed results of earlier runs, then this process's."""
        return chain(self._past_results, self._results)

    def _add_good(self, result: WorkerResult) -> None:
        self._add((result.kind, result.good), result.profit, result.seconds / 3600)
        self._kinds.add(result.kind, result.profit, result.seconds / 3600)

    def _add(self, key: tuple[str, Hashable], profit: int, hours: float) -> None:
        total, spent = self._totals.get(key, (0, 0.0))
        self._totals[key] = (total + profit, spent + hours)
        self._recent.add(key, profit, hours)
