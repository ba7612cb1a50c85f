"""Serving the game server over HTTP: configuration, start-up checks, and the HTTP server itself.

Granian is the default: its Rust HTTP stack leaves the Python thread to the game. On this 2-core machine
bench/server.py (market reads, navigation, trades; 3 client processes on the same cores) measured about 3,600-4,000
req/s with granian against 3,000 with waitress, whose HTTP parsing runs in Python beside the game; with a trivial
world the gap is 11,000 against 5,000 req/s. So granian is the one server (waitress was measured, not kept).

Granian runs the app in a worker PROCESS forked from a supervisor. The World lives only in that worker (SQLite
connections must not cross a fork), and exactly one worker runs because the World's hot state is in memory.
A worker outliving a SIGKILLed supervisor would keep the port and the database, so the worker asks the kernel to
kill it when its parent dies (PR_SET_PDEATHSIG) and, where that is unavailable, watches its parent itself.
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from adapters.game_server.app import GameApp
from adapters.game_server.economy import EconomySettings
from adapters.game_server.faults import FaultInjector, FaultSettings
from adapters.game_server.rate_limit import RateLimiter, RateLimitSettings

class ServerStartError(Exception):
    """The server cannot start (port in use, unusable data directory...); the message is one clear line."""


@dataclass(frozen=True)
class ServerConfig:
    """Everything `spacetraders server` needs; `data_dir=None` keeps the world in memory (lost on exit)."""
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path | None = None
    seed: int = 1
    speed: float = 1.0
    rate_limit: RateLimitSettings = field(default_factory=RateLimitSettings)
    faults: FaultSettings = field(default_factory=FaultSettings)
    threads: int = 4
    reset: bool = False
    """Start a new era of the stored world before serving (tokens issued before it then get 4113)."""
    economy: EconomySettings = field(default_factory=EconomySettings)

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v2"


def open_world(config: ServerConfig, *, new_era: bool = False) -> Any:
    """Open (or create) the world of `config`, starting a new era in it when `new_era`; a failure becomes a
    ServerStartError."""
    from adapters.game_server.storage import OutdatedWorld  # late: the CLI must load without the world's deps
    from adapters.game_server.world import World, WorldSettings

    try:
        return World.open(config.data_dir, settings=WorldSettings(seed=config.seed, speed=config.speed,
                                                                  economy=config.economy), new_era=new_era)
    except OutdatedWorld as exc:
        raise ServerStartError(str(exc)) from exc
    except Exception as exc:  # any failure to open the data is a start-up error, reported in one line
        where = f"in {config.data_dir}" if config.data_dir is not None else "in memory"
        raise ServerStartError(f"cannot open the game world {where}: {exc}") from exc


def build_app(config: ServerConfig, world: Any | None = None) -> GameApp:
    """The WSGI app of `config`, on `world` or on the world opened from `config.data_dir`."""
    return GameApp(world if world is not None else open_world(config),
                   rate_limiter=RateLimiter(config.rate_limit, speed=config.speed),
                   faults=FaultInjector(config.faults))


def check_can_start(config: ServerConfig) -> None:
    """Fail early, in one line, on what would otherwise fail deep inside the server: port, data dir."""
    if config.data_dir is not None:
        _check_data_dir(config.data_dir)
    ensure_port_free(config.host, config.port)


def _check_data_dir(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise ServerStartError(f"data directory {data_dir} is not a directory")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServerStartError(f"cannot create data directory {data_dir}: {exc.strerror or exc}") from exc
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise ServerStartError(f"data directory {data_dir} is not writable")


def ensure_port_free(host: str, port: int) -> None:
    """Raise ServerStartError when nothing can listen on host:port (in use, or an address we do not have)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT leftovers, like servers do
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "the port is already in use" if exc.errno in (98, 48, 10048) else (exc.strerror or str(exc))
            raise ServerStartError(f"cannot listen on {host}:{port}: {reason}") from exc


def find_free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def run(config: ServerConfig, on_ready: Callable[[], None] | None = None) -> None:
    """Serve until interrupted (SIGINT/SIGTERM). Checks first; `on_ready` runs once nothing can fail any more."""
    check_can_start(config)
    # Open once here so a bad data directory fails now, in one line, and a new universe is generated before the
    # port opens; the serving process opens it again (a cheap load of the saved state).
    if config.data_dir is not None:
        open_world(config, new_era=config.reset).close()
    if on_ready is not None:
        on_ready()
    _run_granian(config)


def _run_granian(config: ServerConfig) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    server = Granian(
        "spacetraders-game-server",  # only a label: the app comes from target_loader
        address=config.host,
        port=config.port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=max(1, config.threads),
        log_level="warning",
        log_access=False,
    )
    server.serve(target_loader=partial(_granian_worker_app, config=config, supervisor_pid=os.getpid()))


def _granian_worker_app(_target: str, *, config: ServerConfig, supervisor_pid: int) -> GameApp:
    """Runs in granian's worker process: tie its life to the supervisor, then build the app there."""
    _die_with_parent(supervisor_pid)
    return build_app(config)


def _die_with_parent(parent_pid: int) -> None:
    if os.getppid() != parent_pid:  # the supervisor died before we got here
        os._exit(1)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # 1 = PR_SET_PDEATHSIG
                if os.getppid() != parent_pid:
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    exit_when_orphaned(parent_pid)


def exit_when_orphaned(parent_pid: int) -> None:
    """Exit this process (at once, without clean-up) once `parent_pid` is no longer its parent.

    For a server started by a test or a bench (http_server_process.py): when that process dies without stopping it
    (SIGKILL, a SIGTERM without handler), the server must not live on holding its port and data. Polled by a
    thread rather than PR_SET_PDEATHSIG, which fires when the THREAD that started the child ends."""
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
