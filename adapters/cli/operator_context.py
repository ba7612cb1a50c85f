"""What every operator command (`manufacturing ...`, `analyze ...`) works out first: the settings, the data
directory, which player it is about, that player's run files and database, and the embedded game server."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import click

from adapters.cli.agent_command import CliEnvironment, cli_environment
from adapters.cli.embedded_server import EmbeddedServers
from adapters.cli.errors import META_LOG_PATH
from adapters.cli.token_store import NoAgent, TokenStore
from adapters.config.settings import Settings
from adapters.daemon.paths import RunPaths, data_dir_from, normalise_player, players_in
from adapters.daemon.process import DaemonState, DetachedProcess
from adapters.game_api.gateway import TranslatedClient


@dataclass
class Operator:
    """One invocation's view of the configuration and the files under the data directory."""

    environment: CliEnvironment
    settings: Settings
    data_dir: Path

    @property
    def store(self) -> TokenStore:
        return TokenStore(self.data_dir)

    @property
    def servers(self) -> EmbeddedServers:
        return EmbeddedServers(self.data_dir, self.settings.server, self.environment.child_env())

    @property
    def embedded(self) -> bool:
        """No API base URL configured: the bot plays on the embedded game server."""
        return not self.settings.api.base_url

    def paths(self, player: str) -> RunPaths:
        return RunPaths.for_player(self.data_dir, player)

    def daemon(self, player: str) -> DetachedProcess:
        return DetachedProcess(self.paths(player))

    def database_url(self, player: str) -> str:
        """The configured database, else the player's own SQLite file (its ledger is then the player's alone).
        What a daemon is started with."""
        return self.settings.database.url or f"sqlite:///{self.paths(player).database_file}"

    def daemon_database_url(self, player: str) -> str:
        """The database a reading command (`status`, `analyze`) looks at: the configured one, else the one the
        player's daemon last ran on (recorded beside its files, so that a shell without DATABASE_URL still finds
        a PostgreSQL database the daemon was started with), else the player's SQLite file."""
        if self.settings.database.url:
            return self.settings.database.url
        try:
            recorded = self.paths(player).database_record.read_text(encoding="utf-8").strip()
        except OSError:
            recorded = ""
        return recorded or self.database_url(player)

    def record_database(self, player: str, url: str) -> None:
        """Note the database the player's daemon runs on (readable by the owner only: the URL may hold a
        password)."""
        path = self.paths(player).create().database_record
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(url + "\n", encoding="utf-8")

    def known_player(self, player: str) -> bool:
        """Whether anything of `player` exists here: a stored token, run files, or a configured token for it."""
        return (player in self.store.players() or self.paths(player).root.exists()
                or bool(self.settings.api.token))

    def client(self, base_url: str, token: str | None, player: str | None = None) -> TranslatedClient:
        """An API client for an interactive command (few retries: it should fail in seconds); with `player`, its
        requests share that account's rate limiter with the daemon."""
        if player is None:  # no account yet (or not known): a limiter of its own under the data directory
            return self.environment.client(self.settings, base_url, token, run_dir=self.data_dir, account="ANONYMOUS")
        return self.environment.client(self.settings, base_url, token, run_dir=self.paths(player).create().root,
                                       account=player)

    def running_players(self) -> list[str]:
        return [player for player in players_in(self.data_dir)
                if DetachedProcess(RunPaths(self.data_dir, player)).status().state is DaemonState.RUNNING]

    def choose_player(self) -> str:
        """The player named (option or `player` setting), else the only one with a running daemon, else the only
        one with a stored token; NoAgent when that leaves none or several."""
        if self.settings.player:
            return normalise_player(self.settings.player)
        running = self.running_players()
        if len(running) == 1:
            return running[0]
        if len(running) > 1:
            raise NoAgent(f"several players are running ({', '.join(running)}); choose one with --player")
        return self.store.choose_player("")


def operator(ctx: click.Context, overrides: Mapping[str, Any] | None = None) -> Operator:
    """The Operator of this invocation (settings with the command's options as `overrides`)."""
    environment = cli_environment(ctx)
    settings = environment.settings(overrides)
    data_dir = data_dir_from(settings.data_dir)
    ctx.meta[META_LOG_PATH] = str(data_dir / "cli.log")
    return Operator(environment, settings, data_dir)


def shown_database(url: str) -> str:
    """A database URL fit to print: the file of an SQLite URL, no password in any other."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return url[len("sqlite:///"):] if url.startswith("sqlite:///") else url
    host = parsed.hostname or ""
    user = f"{parsed.username}@" if parsed.username else ""
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{user}{host}{port}{parsed.path}"
