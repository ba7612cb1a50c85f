"""Benchmark: trade arbitrage ranked by the plain price signal against the ranking learned from the ledger.

For each ranking, a fresh agent on the embedded server (same seed, real rate limit) runs trade arbitrage alone
(manufacturing off) for the same span of game time; prints, per ranking, credits per game hour, the runs and how
many lost money, requests, and the ledger-equals-credits check. The lead picks the default from these figures.

    .venv/bin/python bench/trade_ranking.py [--game-hours 2] [--speed 60] [--seed 1]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.game_server.http_server_process import GameServerProcess  # noqa: E402
from tests.e2e.bot_run import BotRun  # noqa: E402

RANKINGS = ("default_trade_ranking", "learned_ranking")


def run_once(ranking: str, *, game_hours: float, speed: float, seed: int, workers: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix=f"bench-{ranking}-"))
    env = {"ST_MANUFACTURING_ARBITRAGE_ENABLED": "false", "ST_ARBITRAGE_ENABLED": "true",
           "ST_ARBITRAGE_RANKING": ranking, "ST_ARBITRAGE_MAX_WORKERS": str(workers)}
    wall = game_hours * 3600 / speed
    with GameServerProcess(data_dir=root / "server", seed=seed, speed=speed, rate_limit="on") as server:
        bot = BotRun.start(server.base_url, root / "bot", symbol="BENCH", speed=speed, env=env)
        deadline = time.monotonic() + wall
        record = bot.run(lambda: time.monotonic() >= deadline, limit=wall, drain=min(60.0, wall / 4))
    runs = [r for r in record.results if r.kind == "arbitrage" and not r.cancelled]
    return {"ranking": ranking, "credits_per_game_hour": record.credit_change / game_hours, "runs": len(runs),
            "losing_runs": sum(1 for r in runs if r.profit < 0), "profit": sum(r.profit for r in runs),
            "requests": record.requests, "ledger_ok": record.ledger_net == record.credit_change}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game-hours", type=float, default=2.0)
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    print(f"trade arbitrage alone, seed {args.seed}, speed {args.speed:g}, {args.game_hours:g} game hours, "
          f"real rate limit")
    for ranking in RANKINGS:
        figures = run_once(ranking, game_hours=args.game_hours, speed=args.speed, seed=args.seed,
                           workers=args.workers)
        print(f"{ranking}: credits per game hour: {figures['credits_per_game_hour']:,.0f}; runs: {figures['runs']} "
              f"({figures['losing_runs']} losing, profit {figures['profit']:,}); requests: {figures['requests']}; "
              f"ledger equals credits: {figures['ledger_ok']}")


if __name__ == "__main__":
    main()
