"""Throughput of the embedded game server over loopback: a mix of market reads, navigation and trades.

Starts `spacetraders server` in a subprocess (rate limit off, high game speed, world in a temporary data
directory so every change is really committed to SQLite), then drives it from several client processes for a
fixed time. Each client registers its own agent and loops its frigate between two markets:
dock, refuel, read the market (x3), buy one unit, sell it back, orbit, navigate, poll the nav until arrival.
Prints `req/s` and latency percentiles per kind of request. Target: >= 500 req/s on 2 cores; aim: 2,000.

    .venv/bin/python bench/server.py [--seconds 10] [--clients 3] [--threads 4]
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from adapters.game_server.http_server_process import GameServerProcess


class Driver:
    """One client: a keep-alive connection, timings per kind of request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers: dict[str, str] = {}
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def call(self, kind: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        payload = json.dumps(body).encode() if body is not None else None
        headers = dict(self.headers)
        if payload is not None:
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            self.conn.request(method, "/v2" + path, payload, headers)
            answer = self.conn.getresponse()
            raw = answer.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.errors[kind + " (transport)"] += 1
            return 0, {}
        self.timings[kind].append(time.perf_counter() - start)
        decoded = json.loads(raw) if raw else {}
        if answer.status >= 400:
            code = decoded.get("error", {}).get("code") if isinstance(decoded, dict) else None
            self.errors[f"{kind} {answer.status} code {code}"] += 1
        return answer.status, decoded


def setup_agent(driver: Driver, index: int, generation: int) -> tuple[str, str, list[str]]:
    """Register a fresh agent (its credits run out after enough losing round trips); its frigate and two stops."""
    driver.headers.pop("Authorization", None)
    _, registered = driver.call("register", "POST", "/register",
                                {"symbol": f"B{index}G{generation}T{int(time.time()) % 100000}", "faction": "COSMIC"})
    data = registered["data"]
    driver.headers["Authorization"] = "Bearer " + data["token"]
    ship = data["ships"][0]["symbol"]
    home = data["agent"]["headquarters"]
    system = home.rsplit("-", 1)[0]
    _, listed = driver.call("waypoints", "GET", f"/systems/{system}/waypoints?traits=MARKETPLACE&limit=20")
    _, here = driver.call("waypoint", "GET", f"/systems/{system}/waypoints/{home}")
    x, y = here["data"]["x"], here["data"]["y"]
    others = [w for w in listed["data"] if w["symbol"] != home]
    nearest = min(others, key=lambda w: (w["x"] - x) ** 2 + (w["y"] - y) ** 2)["symbol"]
    return system, ship, [home, nearest]


def client_main(port: int, index: int, seconds: float) -> tuple[dict[str, list[float]], dict[str, int]]:
    driver = Driver(port)
    generation = 0
    system, ship, stops = setup_agent(driver, index, generation)
    deadline = time.monotonic() + seconds
    leg = 0
    while time.monotonic() < deadline:
        at = stops[leg % 2]
        driver.call("dock", "POST", f"/my/ships/{ship}/dock")
        driver.call("refuel", "POST", f"/my/ships/{ship}/refuel")
        market = {}
        for _ in range(3):
            _, market = driver.call("market", "GET", f"/systems/{system}/waypoints/{at}/market")
        goods = [g for g in market.get("data", {}).get("tradeGoods", []) if g["symbol"] != "FUEL"]
        if goods:
            good = min(goods, key=lambda g: g["purchasePrice"])["symbol"]
            status, bought = driver.call("purchase", "POST", f"/my/ships/{ship}/purchase",
                                         {"symbol": good, "units": 1})
            driver.call("sell", "POST", f"/my/ships/{ship}/sell", {"symbol": good, "units": 1})
            if status == 201 and bought["data"]["agent"]["credits"] < 30_000:
                generation += 1
                system, ship, stops = setup_agent(driver, index, generation)
                leg = 0
                continue
        driver.call("orbit", "POST", f"/my/ships/{ship}/orbit")
        driver.call("navigate", "POST", f"/my/ships/{ship}/navigate", {"waypointSymbol": stops[(leg + 1) % 2]})
        while time.monotonic() < deadline:
            _, nav = driver.call("nav", "GET", f"/my/ships/{ship}/nav")
            if nav.get("data", {}).get("status") != "IN_TRANSIT":
                break
        leg += 1
    return dict(driver.timings), dict(driver.errors)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=3, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="server threads")
    parser.add_argument("--speed", type=float, default=20000.0, help="game speed (short flights)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir, GameServerProcess(
            data_dir=Path(data_dir), speed=args.speed, rate_limit="off",
            extra_args=["--threads", str(args.threads)]) as server:
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.clients) as pool:
            started = time.perf_counter()
            results = pool.starmap(client_main, [(server.port, i, args.seconds) for i in range(args.clients)])
            elapsed = time.perf_counter() - started

    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for client_timings, client_errors in results:
        for kind, values in client_timings.items():
            timings[kind].extend(values)
        for kind, count in client_errors.items():
            errors[kind] += count
    every = [v for values in timings.values() for v in values]
    print(f"granian, {args.threads} server threads, {args.clients} client processes, "
          f"{args.seconds:g} s, speed {args.speed:g}")
    print(f"{'kind':<10} {'count':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
    for kind in sorted(timings, key=lambda k: -len(timings[k])):
        values = timings[kind]
        print(f"{kind:<10} {len(values):>7} {percentile(values, .5) * 1e3:>8.2f} "
              f"{percentile(values, .9) * 1e3:>8.2f} {percentile(values, .99) * 1e3:>8.2f}")
    print(f"{'all':<10} {len(every):>7} {percentile(every, .5) * 1e3:>8.2f} {percentile(every, .9) * 1e3:>8.2f} "
          f"{percentile(every, .99) * 1e3:>8.2f}   mean {statistics.fmean(every) * 1e3:.2f} ms")
    if errors:
        print("errors: " + ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())))
    print(f"req/s {len(every) / elapsed:.0f}")


if __name__ == "__main__":
    main()
