"""The embedded game server as a background process of the operator's: started by `manufacturing start` when no
API base URL is configured, stopped by `manufacturing stop` once no daemon uses it.

It runs as `spacetraders server` detached (DetachedProcess, name `server`) under the player who started it, keeps
its world in `<data>/game-server`, listens on loopback (a free port unless `server.port` is set), limits requests
as `server.rate_limit` says (by default the real limit times its speed: the real game's requests per game hour)
and is described in `server.json` beside its pid file. One data directory has at most one embedded server: a
second player's start finds the running one and uses it (its speed and rate limit, whatever is configured now). A
world stored by an older version of the server cannot be opened as it is (the universe changed under it): the start
then begins a new era of it (`spacetraders server --reset`) and says so; the players' stored tokens are then refused
as from before a reset, and `manufacturing start` registers them again.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
import httpx

from adapters.cli.errors import ExitCode, register_error
from adapters.cli.progress import Progress
from adapters.config.settings import EmbeddedServerSettings
from adapters.daemon.paths import RunPaths, players_in
from adapters.daemon.process import DaemonState, DetachedProcess, StopResult, last_log_line
from adapters.daemon.state_file import SERVER, ServerInfo, read_daemon_info, read_server_info, remove_info, write_info

WORLD_DIR = "game-server"
STARTUP_TIMEOUT = 120.0
_POLL = 0.1


class EmbeddedServerFailed(Exception):
    """The embedded game server did not come up; the message is one line naming its log."""


register_error(EmbeddedServerFailed, ExitCode.UNAVAILABLE)


def cli_argv(*args: str) -> list[str]:
    """The argv that runs `spacetraders <args>` with this interpreter (no reliance on PATH)."""
    return [sys.executable, "-m", "adapters.cli", *args]


@dataclass(frozen=True)
class EmbeddedServers:
    """The embedded game server of one data directory."""

    data_dir: Path
    settings: EmbeddedServerSettings
    child_env: Mapping[str, str]

    @property
    def world_dir(self) -> Path:
        return self.data_dir / WORLD_DIR

    def running(self) -> ServerInfo | None:
        """The embedded server running for any player of this data directory, if one answers to its pid."""
        for player in players_in(self.data_dir):
            paths = RunPaths(self.data_dir, player)
            status = DetachedProcess(paths, SERVER).status()
            info = read_server_info(paths)
            if status.state is DaemonState.RUNNING and info is not None and info.pid == status.pid:
                return info
        return None

    def ensure(self, owner: str) -> tuple[ServerInfo, bool]:
        """The running embedded server, or a new one started for `owner`; the flag says it was started now."""
        found = self.running()
        if found is not None:
            return found, False
        return self.start(owner), True

    def start(self, owner: str) -> ServerInfo:
        """Start the server for `owner` and wait until it answers (with a progress indicator)."""
        from adapters.game_server.serve import find_free_port  # only when a server is wanted: it loads the app
        from adapters.game_server.storage import outdated_world

        paths = RunPaths.for_player(self.data_dir, owner)
        port = self.settings.port or find_free_port(self.settings.host)
        host = f"[{self.settings.host}]" if ":" in self.settings.host else self.settings.host
        base_url = f"http://{host}:{port}/v2"
        process = DetachedProcess(paths, SERVER)
        argv = cli_argv("server", "--host", self.settings.host, "--port", str(port),
                        "--data", str(self.world_dir), "--speed", f"{self.settings.speed:g}",
                        "--seed", str(self.settings.seed), "--rate-limit", self.settings.rate_limit)
        if outdated_world(self.world_dir) is not None:
            argv.append("--reset")
            click.echo(f"The embedded game world in {self.world_dir} was made by an older version of the game "
                       "server; starting a new era of it (its agents register again)")
        with Progress(f"Starting the embedded game server on {base_url}") as progress:
            # Its own working directory: a background process must not pin wherever the operator stood.
            record = process.start(argv, env=self.child_env, cwd=self.data_dir)
            try:
                self._await_answer(process, base_url, progress)
            except BaseException:
                if process.status().state is DaemonState.RUNNING:
                    process.stop(timeout=10.0)
                raise
            progress.done(f"Embedded game server up on {base_url}")
        info = ServerInfo(pid=record.pid, owner=paths.player, base_url=base_url, data_dir=str(self.world_dir),
                          speed=self.settings.speed, seed=self.settings.seed,
                          started_at=datetime.now(UTC).isoformat(timespec="seconds"),
                          log_file=str(process.log_file), rate_limit=self.settings.rate_limit)
        write_info(paths, info, SERVER)
        return info

    def users(self, info: ServerInfo, *, besides: str = "") -> list[str]:
        """Players other than `besides` whose running daemon plays on the server `info`."""
        using = []
        for player in players_in(self.data_dir):
            if player == besides:
                continue
            paths = RunPaths(self.data_dir, player)
            daemon = read_daemon_info(paths)
            if (daemon is not None and daemon.base_url == info.base_url
                    and DetachedProcess(paths).status().state is DaemonState.RUNNING):
                using.append(player)
        return using

    def stop(self, info: ServerInfo, timeout: float = 30.0) -> StopResult:
        """Stop the server `info` describes (graceful first) and forget its record."""
        paths = RunPaths(self.data_dir, info.owner)
        try:
            return DetachedProcess(paths, SERVER).stop(timeout=timeout)
        finally:
            remove_info(paths, SERVER)

    def _await_answer(self, process: DetachedProcess, base_url: str, progress: Progress) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with httpx.Client(timeout=2.0) as client:
            while True:
                if process.status().state is not DaemonState.RUNNING:
                    raise EmbeddedServerFailed(f"the embedded game server exited during start-up: "
                                               f"{last_log_line(process.log_file)} (log: {process.log_file})")
                try:
                    if client.get(base_url + "/").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise EmbeddedServerFailed(f"the embedded game server did not answer within "
                                               f"{STARTUP_TIMEOUT:g} s (log: {process.log_file})")
                progress.tick()
                time.sleep(_POLL)
