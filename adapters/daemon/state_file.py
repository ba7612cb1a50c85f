"""What a running background process says about itself, in `<name>.json` beside its pid file.

The daemon writes a `DaemonInfo` once it is up (which game, system, metrics URL, database...), so `status`, `stop`
and a second `start` can tell without asking it; the embedded game server's record is a `ServerInfo` written by
the CLI that started it. Both are removed when their process ends cleanly; a record whose process is gone is
ignored by its readers (they check the pid file first).
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from adapters.daemon.paths import DAEMON, RunPaths
from adapters.daemon.process import write_atomically
from application.loss_pauses import LossPause

SERVER = "server"
_T = TypeVar("_T")


@dataclass(frozen=True)
class DaemonInfo:
    """The manufacturing daemon of one player, as it described itself when it was ready.

    `max_workers` and `arbitrage_max_workers`: the most workers of each kind of work at once (0: the kind is off);
    `loss_pauses`: each kind's loss pause rule as its coordinator applies it (durations in wall seconds), by kind.
    A record of an older daemon has neither of the last two (None, empty): readers fall back on the settings."""

    pid: int
    player: str
    system: str
    base_url: str
    embedded: bool
    time_scale: float
    run_id: str
    started_at: str
    log_file: str
    database: str  # shown form: never a password
    metrics_url: str = ""
    max_workers: int = 0
    strategies: str = ""
    rate_limit_scaled: bool = False  # the game's rate limit is scaled with time_scale (the embedded server's)
    arbitrage_max_workers: int | None = None
    loss_pauses: dict[str, dict[str, float]] = field(default_factory=dict)

    def loss_pause(self, kind: str) -> LossPause | None:
        """The daemon's loss pause rule of `kind` of work; None when its record does not say (or says nonsense)."""
        rule = self.loss_pauses.get(kind) if isinstance(self.loss_pauses, dict) else None
        try:
            return LossPause(int(rule["losses"]), float(rule["seconds"]), int(rule["loss_over"]))  # type: ignore
        except (TypeError, KeyError, ValueError):
            return None


@dataclass(frozen=True)
class ServerInfo:
    """An embedded game server started by `manufacturing start` for `owner`."""

    pid: int
    owner: str
    base_url: str
    data_dir: str
    speed: float
    seed: int
    started_at: str
    log_file: str
    # Its `--rate-limit` (scaled, on or off); a record without one is of a server started before the option was
    # passed, which ran the real, unscaled limit.
    rate_limit: str = "on"

    @property
    def rate_limit_scaled(self) -> bool:
        """Its limit is the real one times its speed: a daemon playing on it may shrink its floors with the speed."""
        return self.rate_limit == "scaled"


def write_info(paths: RunPaths, info: DaemonInfo | ServerInfo, name: str = DAEMON) -> Path:
    """Store `info` as the record of process `name` of the player (atomically, mode 0600)."""
    paths.create()
    target = paths.info_file(name)
    write_atomically(target, json.dumps(dataclasses.asdict(info), indent=1))
    return target


def read_daemon_info(paths: RunPaths) -> DaemonInfo | None:
    return _read(paths.info_file(DAEMON), DaemonInfo)


def read_server_info(paths: RunPaths) -> ServerInfo | None:
    return _read(paths.info_file(SERVER), ServerInfo)


def remove_info(paths: RunPaths, name: str = DAEMON, pid: int | None = None) -> None:
    """Remove the record of process `name`; with `pid`, only if it is that process's record."""
    target = paths.info_file(name)
    if pid is not None:
        record = _read(target, dict)
        if record is not None and record.get("pid") != pid:
            return
    with contextlib.suppress(FileNotFoundError):
        target.unlink()


def _read(path: Path, kind: type[_T]) -> _T | None:
    """The record in `path`, or None when it is missing or unreadable (treated as no record)."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if kind is dict:
        return data  # type: ignore[return-value]
    names = {f.name for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    try:
        return kind(**{key: value for key, value in data.items() if key in names})
    except TypeError:
        return None
