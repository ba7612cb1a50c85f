"""The agent token on disk: one file per player that only its owner can read.

`<data>/players/<PLAYER>/token.json` holds the token, the agent symbol and the server it belongs to. The file is
created with mode 0600 (never world-readable, not even for an instant: it is opened with that mode and renamed
into place) inside a 0700 directory. The token never appears in a repr, a log line or a message of this module.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from adapters.daemon.paths import RunPaths, ensure_private_dir, normalise_player, players_in
from adapters.daemon.process import write_atomically

log = logging.getLogger(__name__)


class TokenStoreError(Exception):
    """The token file cannot be read or written; the message names the file, never the token."""


class NoAgent(TokenStoreError):
    """No token is stored for the player (or no player could be chosen)."""


@dataclass(frozen=True)
class StoredAgent:
    """A stored token and what it belongs to. `token` is left out of repr so it cannot leak into a log."""

    player: str
    token: str = field(repr=False)
    base_url: str = ""
    registered_at: str = ""


class TokenStore:
    """Tokens of every player under one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    def path_for(self, player: str) -> Path:
        return RunPaths.for_player(self.data_dir, player).token_file

    def save(self, player: str, token: str, base_url: str = "") -> Path:
        """Store `token` for `player` (replacing an older one); returns the file's path."""
        if not token:
            raise TokenStoreError("refusing to store an empty token")
        paths = RunPaths.for_player(self.data_dir, player)
        # The data directory may be the operator's own choice: create it, leave its mode alone.
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ensure_private_dir(paths.root.parent)
        paths.create()
        body = json.dumps({"player": paths.player, "token": token, "base_url": base_url,
                           "registered_at": datetime.now(UTC).isoformat(timespec="seconds")})
        target = paths.token_file
        try:
            write_atomically(target, body)  # mkstemp makes the file 0600 whatever the umask
        except OSError as exc:
            raise TokenStoreError(f"cannot write the token file {target}: {exc.strerror}") from None
        return target

    def load(self, player: str) -> StoredAgent | None:
        """The stored agent of `player`, or None if there is none."""
        path = self.path_for(player)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenStoreError(f"cannot read the token file {path}: {exc.strerror}") from None
        with os.fdopen(fd, "r", encoding="utf-8") as handle:
            mode = os.fstat(handle.fileno()).st_mode & 0o777
            if mode & 0o077:
                # Someone widened it (a copy, a chmod): close it again rather than keep exposing the token.
                log.warning("token file %s was readable by others (mode %o); set it back to 600", path, mode)
                with contextlib.suppress(OSError):
                    os.fchmod(handle.fileno(), 0o600)
            text = handle.read()
        try:
            data = json.loads(text)
            token = str(data["token"])
        except (ValueError, KeyError, TypeError):
            raise TokenStoreError(f"the token file {path} is damaged; register again with "
                                  "`spacetraders agent register`") from None
        return StoredAgent(player=normalise_player(player), token=token, base_url=str(data.get("base_url", "")),
                           registered_at=str(data.get("registered_at", "")))

    def require(self, player: str) -> StoredAgent:
        """Like `load`, but NoAgent when nothing is stored."""
        stored = self.load(player)
        if stored is None:
            raise NoAgent(f"no agent registered for player {normalise_player(player)}; "
                          "register one with `spacetraders agent register`")
        return stored

    def delete(self, player: str) -> bool:
        """Forget the token of `player`; True if there was one."""
        try:
            self.path_for(player).unlink()
        except FileNotFoundError:
            return False
        return True

    def players(self) -> list[str]:
        """Players with a stored token, sorted."""
        return [p for p in players_in(self.data_dir) if (self.data_dir / "players" / p / "token.json").exists()]

    def choose_player(self, requested: str = "") -> str:
        """`requested` if given, else the only player with a token; NoAgent when none or several are stored."""
        if requested:
            return normalise_player(requested)
        stored = self.players()
        if len(stored) == 1:
            return stored[0]
        if not stored:
            raise NoAgent("no agent registered yet; register one with `spacetraders agent register`")
        raise NoAgent(f"several agents are registered ({', '.join(stored)}); choose one with --player")
