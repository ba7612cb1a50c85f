"""Benchmark of the storage adapter on SQLite: ledger rows and market snapshots recorded one at a time.

Each record is its own transaction, as the bot writes them (a worker records every trade the moment it happens),
with the pragmas the bot uses (WAL, synchronous=NORMAL). Prints rows per second for: recording 10,000 ledger
transactions, recording them all again (duplicates, kept once), recording 1,000 market snapshots (30 priced
goods each) and reading a system's markets back.

    .venv/bin/python bench/storage.py [--ledger 10000] [--markets 1000] [--url sqlite:///path]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.storage import database as storage
from adapters.storage.ledger_repository import SqlLedgerRepository
from adapters.storage.market_repository import SqlMarketRepository
from domain.goods import SupplyLevel, TradeGoodType, TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType
from domain.market import MarketSnapshot, MarketTradeGood
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol

T0 = datetime(2025, 1, 1, tzinfo=UTC)
SYSTEM = SystemSymbol("X1-DF55")
MARKETS_IN_SYSTEM = 40
GOODS_PER_MARKET = 30


def ledger_rows(count: int) -> list[LedgerTransaction]:
    goods = list(TradeSymbol)
    return [
        LedgerTransaction(
            type=TransactionType.DEBIT if n % 3 else TransactionType.CREDIT,
            category=TransactionCategory.CARGO_TRADE, amount=100 + n % 997,
            occurred_at=T0 + timedelta(milliseconds=250 * n), operation_id=f"op-{n // 40}",
            good=goods[n % len(goods)], units=1 + n % 40, ship=ShipSymbol(f"AGENT-{1 + n % 5}"),
            waypoint=WaypointSymbol(f"X1-DF55-A{n % MARKETS_IN_SYSTEM}"))
        for n in range(count)
    ]


def market_snapshots(count: int) -> list[MarketSnapshot]:
    goods = list(TradeSymbol)
    snapshots = []
    for n in range(count):
        priced = [MarketTradeGood(symbol=goods[(n + k) % len(goods)], type=TradeGoodType.EXCHANGE, trade_volume=20,
                                  supply=SupplyLevel.MODERATE, ask=200 + k, bid=180 + k)
                  for k in range(GOODS_PER_MARKET)]
        snapshots.append(MarketSnapshot(waypoint=WaypointSymbol(f"X1-DF55-A{n % MARKETS_IN_SYSTEM}"),
                                        observed_at=T0 + timedelta(seconds=n),
                                        trade_goods={good.symbol: good for good in priced}))
    return snapshots


def timed(label: str, count: int, action) -> None:
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {count:>7} in {elapsed:6.2f} s  = {count / elapsed:>9,.0f} /s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", type=int, default=10_000)
    parser.add_argument("--markets", type=int, default=1_000)
    parser.add_argument("--url", default="", help="database URL (default: a new SQLite file in a temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="st-bench-storage-") as scratch:
        url = args.url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        db = storage.connect(url)
        ledger, markets = SqlLedgerRepository(db), SqlMarketRepository(db)
        rows, snapshots = ledger_rows(args.ledger), market_snapshots(args.markets)
        print(f"database: {url.split('@')[-1]}")

        def record_all() -> None:
            for row in rows:
                ledger.record(row)

        timed("ledger: record (one transaction each)", len(rows), record_all)
        timed("ledger: record the same rows again (kept once)", len(rows), record_all)
        assert len(ledger.transactions_since(T0)) == len(rows)
        timed("ledger: transactions_since (all rows)", len(rows), lambda: ledger.transactions_since(T0))

        def record_markets() -> None:
            for snapshot in snapshots:
                markets.record(snapshot)

        timed(f"markets: record ({GOODS_PER_MARKET} priced goods each)", len(snapshots), record_markets)
        reads = 200
        timed(f"markets: markets_in_system ({MARKETS_IN_SYSTEM} markets)", reads,
              lambda: [markets.markets_in_system(SYSTEM) for _ in range(reads)])
        db.close()


if __name__ == "__main__":
    main()
