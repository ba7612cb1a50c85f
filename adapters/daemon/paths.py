"""Where a player's run files live: one directory per player under the data directory.

    <data>/players/<PLAYER>/
        daemon.pid      the coordinator's pid record (process.py), written atomically
        daemon.log      its stdout and stderr
        daemon.lock     held while a start or stop is in progress
        daemon.ready    written by the daemon once it is up (optional handshake)
        daemon.json     what the running daemon works on: system, game URL, metrics URL... (state_file.py)
        spacetraders.sqlite3  the player's database (unless a database URL is configured)
        metrics/        prometheus_client multiprocess files
        token.json      the agent token (0600; the directory is 0700)

Other detached processes of the same player (the embedded game server) get their own `<name>.pid`,
`<name>.log`... beside the daemon's, by passing another `name`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "spacetraders"
DAEMON = "daemon"
# Agent symbols are 3-14 of [A-Z0-9_-]; a little more room, but nothing that could climb out of the directory.
_PLAYER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class InvalidPlayerName(ValueError):
    """A player name that cannot be a directory name (empty, a path, odd characters)."""

    def __init__(self, player: str) -> None:
        self.player = player
        super().__init__(f"invalid player name {player!r}: use the agent symbol (letters, digits, - and _)")


def default_data_dir() -> Path:
    """The user's data directory for the bot (e.g. ~/.local/share/spacetraders)."""
    return platformdirs.user_data_path(APP_NAME)


def data_dir_from(setting: str) -> Path:
    """The data directory named by the `data_dir` setting, or the user's data directory when it is empty."""
    return Path(setting).expanduser() if setting else default_data_dir()


def normalise_player(player: str) -> str:
    """The player's key (the agent symbol, upper case); raises InvalidPlayerName for anything else."""
    player = player.strip()
    if not _PLAYER.match(player):
        raise InvalidPlayerName(player)
    return player.upper()


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) if missing; `path` itself ends up 0700 whatever the umask."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if (path.stat().st_mode & 0o777) != 0o700:
        os.chmod(path, 0o700)
    return path


@dataclass(frozen=True)
class RunPaths:
    """The run files of one player. Nothing is created until `create()`."""

    data_dir: Path
    player: str

    @classmethod
    def for_player(cls, data_dir: Path, player: str) -> RunPaths:
        return cls(Path(data_dir), normalise_player(player))

    @property
    def root(self) -> Path:
        return self.data_dir / "players" / self.player

    def pid_file(self, name: str = DAEMON) -> Path:
        return self.root / f"{_checked(name)}.pid"

    def log_file(self, name: str = DAEMON) -> Path:
        return self.root / f"{_checked(name)}.log"

    def lock_file(self, name: str = DAEMON) -> Path:
        return self.root / f"{_checked(name)}.lock"

    def ready_file(self, name: str = DAEMON) -> Path:
        return self.root / f"{_checked(name)}.ready"

    def info_file(self, name: str = DAEMON) -> Path:
        """What a running process says about itself (JSON), beside its pid file."""
        return self.root / f"{_checked(name)}.json"

    @property
    def database_file(self) -> Path:
        """The player's SQLite database, used when no database URL is configured."""
        return self.root / "spacetraders.sqlite3"

    @property
    def database_record(self) -> Path:
        """The database URL the player's daemon last ran on (for `status` and `analyze`; owner-only)."""
        return self.root / "database-url"

    @property
    def metrics_dir(self) -> Path:
        return self.root / "metrics"

    @property
    def token_file(self) -> Path:
        return self.root / "token.json"

    def create(self) -> RunPaths:
        """Create the player's directory (0700: it holds the token and the logs)."""
        ensure_private_dir(self.root)
        return self


def players_in(data_dir: Path) -> list[str]:
    """Players that have a run directory under `data_dir`, sorted."""
    base = Path(data_dir) / "players"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and _PLAYER.match(p.name))


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"invalid process name {name!r}")
    return name
