"""A whole bot against a real game server process: a fresh agent, the composition root's objects, the real
coordinator with real worker processes, and what the run left behind (for the end-to-end tests).

`BotRun.start(base_url, root)` registers an agent and builds the container exactly as the daemon does (through
bootstrap.build on a Runtime), with metrics off. `run(until, limit, drain)` runs the coordinator until `until()`
says so or `limit` wall seconds passed, then lets the running workers finish for up to `drain` seconds and shuts
down. The figures the tests assert on are read afterwards from the game and the bot's own storage.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapters.config.loader import load_settings
from adapters.game_api.settings import GameApiSettings
from application.coordinator import ManufacturingArbitrageCoordinator
from application.repositories import ShipAssignment
from application.worker_jobs import WorkerResult
from domain.ledger import LedgerTransaction, net_credits
from domain.market import MarketSnapshot

import bootstrap


class _StopWhen:
    """CancelToken: fires when `until()` is true (asked at most every second) or at the wall-clock deadline."""

    def __init__(self, until: Callable[[], bool], deadline: float) -> None:
        self._until = until
        self._deadline = deadline
        self._next_ask = 0.0

    def cancelled(self) -> bool:
        now = time.monotonic()
        if now >= self._deadline:
            return True
        if now >= self._next_ask:
            self._next_ask = now + 1.0
            return self._until()
        return False


@dataclass(frozen=True)
class RunRecord:
    """What a finished run left: credits before and after, the ledger rows of the run, the results, the ships
    still held, the markets seen, and the limiter's request and 429 counts."""

    credits_before: int
    credits_after: int
    ledger_rows: tuple[LedgerTransaction, ...]
    results: tuple[WorkerResult, ...]
    assigned: tuple[ShipAssignment, ...]
    markets: tuple[MarketSnapshot, ...]
    requests: int
    rate_limited: int
    open_intents: tuple = ()
    wall_seconds: float = 0.0

    @property
    def credit_change(self) -> int:
        return self.credits_after - self.credits_before

    @property
    def ledger_net(self) -> int:
        return net_credits(self.ledger_rows)


class BotRun:
    """A registered agent and its bot's objects, ready to run."""

    def __init__(self, container: bootstrap.Container, symbol: str) -> None:
        self.container = container
        self.symbol = symbol

    @classmethod
    def start(cls, base_url: str, root: Path, *, symbol: str = "E2E", speed: float = 1.0,
              env: dict[str, str] | None = None, rate_limit_scaled: bool = False) -> BotRun:
        """`env`: ST_* settings of this bot (as the daemon would read them from its environment).
        `rate_limit_scaled`: the server runs `--rate-limit scaled` (its pools grow with the game speed)."""
        run_dir = root / "run"
        run_dir.mkdir(parents=True)
        with bootstrap.account_client(GameApiSettings(base_url=base_url), run_dir, symbol) as client:
            registered = client.register(symbol, "COSMIC")
        settings = load_settings(env or {})
        settings = dataclasses.replace(settings, metrics=dataclasses.replace(settings.metrics, enabled=False))
        runtime = bootstrap.Runtime(
            settings=settings, base_url=base_url, token=registered.token, player=symbol,
            system=registered.agent.headquarters.rsplit("-", 1)[0], run_dir=run_dir,
            database_url=f"sqlite:///{root / 'bot.sqlite3'}", time_scale=speed,
            rate_limit_scaled=rate_limit_scaled)
        container = bootstrap.build(runtime)
        container.init_resources()
        return cls(container, symbol)

    def next_run(self) -> BotRun:
        """The bot of the same agent and storage started again (a new coordinator run), after recovery as the
        daemon makes it; call once this run's `run` returned."""
        import logging

        from adapters.daemon.recovery import recover

        container = bootstrap.build(self.container.runtime())
        container.init_resources()
        recover(self.symbol, runs=container.runs(), assignments=container.assignments(), ledger=container.ledger(),
                game=container.game(), now=container.clock().now(), gate=container.money_gate(),
                log=logging.getLogger("spacetraders.daemon"))
        return BotRun(container, self.symbol)

    @property
    def coordinator(self) -> ManufacturingArbitrageCoordinator:
        return self.container.coordinator()

    def run(self, until: Callable[[], bool], *, limit: float, drain: float) -> RunRecord:
        """Run the coordinator (see the module docstring), close everything and report."""
        container = self.container
        try:
            game, limiter = container.game(), container.limiter()
            credits_before = game.agent().credits
            started = container.clock().now()
            requests_before, pauses_before = limiter.stats().requests, limiter.stats().pauses
            began = time.monotonic()
            self.coordinator.run(_StopWhen(until, time.monotonic() + limit), drain=drain)
            credits_after = game.agent().credits
            stats = limiter.stats()
            return RunRecord(
                credits_before=credits_before, credits_after=credits_after,
                ledger_rows=tuple(container.ledger().transactions_since(started)),
                results=tuple(container.runs().results(limit=10_000)),
                assigned=tuple(container.assignments().assigned()),
                markets=tuple(container.markets().markets_in_system(container.runtime().system)),
                requests=stats.requests - requests_before, rate_limited=stats.pauses - pauses_before,
                open_intents=tuple(container.ledger().open_intents(self.symbol)),
                wall_seconds=time.monotonic() - began)
        finally:
            container.shutdown_resources()
