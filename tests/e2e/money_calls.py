"""A worker-like process for the ledger's end-to-end tests: it builds the composition root's objects for an agent
(as a daemon's worker does) and makes money-moving calls through the LedgerRecorder.

    python -m tests.e2e.money_calls MODE BASE_URL TOKEN PLAYER SYSTEM RUN_DIR DATABASE_URL [COUNT]

MODE `killed`: buy one unit at the frigate's market, and die by SIGKILL after the answer, before its row.
MODE `trade`: buy and sell one unit at the frigate's market COUNT times (another worker trading meanwhile).
MODE `ship`: buy a probe at the shipyard where the starting probe waits.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import sys
from pathlib import Path

import bootstrap
from adapters.config.loader import load_settings
from adapters.storage.ledger_repository import SqlLedgerRepository
from application.ledger_recorder import LedgerRecorder
from domain.fleet import ShipType
from domain.goods import TradeSymbol
from domain.symbols import SystemSymbol


def container_for(base_url: str, token: str, player: str, run_dir: Path, database_url: str,
                  system: str) -> bootstrap.Container:
    # Attempts: the fault test loses half the answers to every call that changes state, docking included, so at the
    # default 6 a dock failed once in 64 (the subject here is the money calls, whose lost answers are not retried).
    settings = load_settings({}, overrides={"api.max_attempts": 16})
    settings = dataclasses.replace(settings, metrics=dataclasses.replace(settings.metrics, enabled=False))
    runtime = bootstrap.Runtime(settings=settings, base_url=base_url, token=token, player=player,
                                system=SystemSymbol(system), run_dir=run_dir, database_url=database_url)
    container = bootstrap.build(runtime)
    container.init_resources()
    return container


def cheapest_good(game, ship) -> TradeSymbol:
    """The cheapest good on offer where `ship` is docked."""
    market = game.market(ship.waypoint)
    offers = [(good.ask, symbol) for symbol, good in market.trade_goods.items()
              if good.ask and symbol != TradeSymbol.FUEL]
    return min(offers)[1]


def main(argv: list[str]) -> None:
    mode, base_url, token, player, system, run_dir, database_url, *rest = argv
    count = int(rest[0]) if rest else 1
    container = container_for(base_url, token, player, Path(run_dir), database_url, system)
    game = container.game()
    recorder = LedgerRecorder(game, container.ledger(), f"mfg-{mode}-{os.getpid()}", gate=container.money_gate())
    ships = game.ships()
    if mode == "ship":
        probe = next(ship for ship in ships if ship.cargo_capacity == 0)
        game.dock(probe.symbol)
        recorder.purchase_ship(ShipType.SHIP_PROBE, probe.waypoint)
        return
    frigate = next(ship for ship in ships if ship.cargo_capacity > 0)
    game.dock(frigate.symbol)
    good = cheapest_good(game, frigate)
    if mode == "killed":
        def die(self, intent_id, transaction, outcome):  # noqa: ARG001 - the answer came; the row never will
            os.kill(os.getpid(), signal.SIGKILL)
        SqlLedgerRepository.close_intent = die  # type: ignore[method-assign]
        recorder.purchase(frigate.symbol, good, 1)
        raise SystemExit("still alive after the purchase")
    for _ in range(count):
        recorder.purchase(frigate.symbol, good, 1)
        recorder.sell(frigate.symbol, good, 1)
    container.shutdown_resources()


if __name__ == "__main__":
    main(sys.argv[1:])
