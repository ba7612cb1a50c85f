"""`spacetraders agent register | show`: the player's agent, and the token stored for it.

The token is written by TokenStore (0600, never printed). Commands find what they take from the outside world in
a `CliEnvironment` (environment variables, config file, and for tests an HTTP transport): the one given as click's
`obj`, else one built from this process.
"""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import httpx
import platformdirs

from adapters.cli.errors import META_BASE_URL, META_LOG_PATH, friendly_errors
from adapters.cli.token_store import TokenStore
from adapters.config.loader import ConfigError, config_path, load_settings
from adapters.config.settings import Settings
from adapters.daemon.paths import APP_NAME, RunPaths, data_dir_from, normalise_player
from adapters.game_api.gateway import TranslatedClient
from adapters.game_api.settings import DEFAULT_BASE_URL, GameApiSettings

DEFAULT_FACTION = "COSMIC"
# An interactive command should fail in seconds, not after the daemon's full retry budget.
INTERACTIVE_MAX_ATTEMPTS = 3
_ENV_KEY = "spacetraders.environment"
# The limiter account of a command that has a token but no player name (its agent is not known before asking).
_TOKEN_ACCOUNT = "TOKEN"
# Set by the daemon for itself (prometheus_client's multiprocess directory): never handed down from a shell.
_NOT_INHERITED = ("PROMETHEUS_MULTIPROC_DIR",)


class NoGameServer(ConfigError):
    """No base URL is configured and none is known for the agent."""

    def __init__(self) -> None:
        super().__init__("no game server configured: pass --base-url or set ST_API_BASE_URL "
                         f"(the real game is {DEFAULT_BASE_URL}); `spacetraders manufacturing start` "
                         "starts the embedded one")


@dataclass
class CliEnvironment:
    """What a CLI command takes from outside: the environment variables, the config file and (tests) an
    httpx transport to reach the game without a socket."""

    env: Mapping[str, str]
    config_file: Path | None = None
    transport: httpx.BaseTransport | None = None

    @classmethod
    def from_process(cls) -> CliEnvironment:
        """The real process environment: the one place the CLI looks at os.environ (and then only to hand it
        to the configuration loader)."""
        return cls(env=dict(os.environ))

    def child_env(self) -> dict[str, str]:
        """The environment of a background process a command starts: this process's own (PATH, HOME...) without
        its bot settings, then this environment's variables (which a test may have given), and the config file
        in ST_CONFIG, so the child reads the very configuration the command read."""
        inherited = {name: value for name, value in os.environ.items()
                     if not name.startswith("ST_") and name not in _NOT_INHERITED and name != "DATABASE_URL"}
        inherited.update(self.env)
        if self.config_file is not None and "ST_CONFIG" not in self.env:
            inherited["ST_CONFIG"] = str(self.config_file)
        for name in _NOT_INHERITED:
            inherited.pop(name, None)
        return inherited

    def settings(self, overrides: Mapping[str, Any] | None = None) -> Settings:
        default = self.config_file or platformdirs.user_config_path(APP_NAME) / "config.toml"
        return load_settings(self.env, config_path(self.env, default), overrides)

    def client(self, settings: Settings, base_url: str, token: str | None, *, run_dir: Path,
               account: str) -> TranslatedClient:
        """An interactive client (few retries) that waits its turn in `account`'s shared rate limiter under
        `run_dir` (the composition root builds both), so a command run beside the daemon does not draw 429s. It raises
        application.game_errors, like every reader of the game past the gateway."""
        import bootstrap  # the composition root; imported late, like the other commands do

        api = GameApiSettings(base_url=base_url, token=token or None, read_timeout=settings.api.timeout,
                              max_attempts=min(settings.api.max_attempts, INTERACTIVE_MAX_ATTEMPTS),
                              rate_limit_margin=settings.api.rate_limit_margin)
        return bootstrap.interactive_client(api, run_dir, account, transport=self.transport)


def cli_environment(ctx: click.Context) -> CliEnvironment:
    """The CliEnvironment given as click's `obj`, else one for this process (made once per invocation)."""
    given = ctx.find_object(CliEnvironment)
    if given is not None:
        return given
    return ctx.meta.setdefault(_ENV_KEY, CliEnvironment.from_process())


def _prepare(ctx: click.Context, overrides: Mapping[str, Any] | None = None) -> tuple[CliEnvironment, Settings,
                                                                                      Path]:
    environment = cli_environment(ctx)
    settings = environment.settings(overrides)
    data_dir = data_dir_from(settings.data_dir)
    ctx.meta[META_LOG_PATH] = str(data_dir / "cli.log")
    return environment, settings, data_dir


@click.group("agent")
def agent() -> None:
    """Register an agent and show it (the token is kept in a file only you can read)."""


@agent.command("register")
@click.option("--symbol", default="", help="Agent symbol, 3 to 14 characters. Default: the configured player, "
                                          "else a generated one.")
@click.option("--faction", default=DEFAULT_FACTION, show_default=True, help="Starting faction.")
@click.option("--base-url", default="", help="Game server API URL (default: ST_API_BASE_URL).")
@click.option("--account-token-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding your account token (the real game needs one to register).")
@click.pass_context
@friendly_errors
def register(ctx: click.Context, symbol: str, faction: str, base_url: str,
             account_token_file: Path | None) -> None:
    """Register a new agent and store its token."""
    environment, settings, data_dir = _prepare(ctx, {"api.base_url": base_url or None})
    url = settings.api.base_url
    if not url:
        raise NoGameServer()
    ctx.meta[META_BASE_URL] = url
    symbol = (symbol or settings.player or f"ST{secrets.token_hex(4)}").upper()
    if not 3 <= len(symbol) <= 14:
        raise click.BadParameter(f"{symbol!r} must have 3 to 14 characters", param_hint="--symbol")
    account_token = account_token_file.read_text(encoding="utf-8").strip() if account_token_file else None
    paths = RunPaths.for_player(data_dir, symbol)  # the new agent's own limiter
    with environment.client(settings, url, None, run_dir=paths.create().root, account=paths.player) as client:
        registered = client.register(symbol, faction.upper(), account_token=account_token)
    saved = TokenStore(data_dir).save(registered.agent.symbol, registered.token, base_url=url)
    agent_ = registered.agent
    click.echo(f"Registered agent {agent_.symbol} ({agent_.starting_faction}) on {url}")
    click.echo(f"Headquarters: {agent_.headquarters}")
    click.echo(f"Credits:      {agent_.credits:,}")
    click.echo(f"Token saved to {saved} (readable by you only)")


@agent.command("show")
@click.option("--player", default="", help="Agent symbol (default: the configured player, or the only one "
                                          "registered).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@friendly_errors
def show(ctx: click.Context, player: str, as_json: bool) -> None:
    """Show the agent: symbol, headquarters, credits and number of ships."""
    environment, settings, data_dir = _prepare(ctx, {"player": player or None})
    store = TokenStore(data_dir)
    token, stored_url, player_ = _token_for(settings, store)
    url = settings.api.base_url or stored_url
    if not url:
        raise NoGameServer()
    ctx.meta[META_BASE_URL] = url
    paths = RunPaths.for_player(data_dir, player_)  # the account's limiter, shared with its running bot
    with environment.client(settings, url, token, run_dir=paths.create().root, account=paths.player) as client:
        found = client.agent()
    if as_json:
        click.echo(json.dumps({"symbol": found.symbol, "headquarters": found.headquarters, "credits": found.credits,
                               "ships": found.ship_count, "faction": found.starting_faction}))
        return
    click.echo(f"Agent:        {found.symbol}")
    click.echo(f"Headquarters: {found.headquarters}")
    click.echo(f"Credits:      {found.credits:,}")
    click.echo(f"Ships:        {found.ship_count}")


def _token_for(settings: Settings, store: TokenStore) -> tuple[str, str, str]:
    """(token, base URL it was stored with, player): a configured ST_API_TOKEN wins over the stored one."""
    if settings.api.token:
        stored = store.load(settings.player) if settings.player else None
        player = normalise_player(settings.player) if settings.player else _TOKEN_ACCOUNT
        return settings.api.token, stored.base_url if stored else "", player
    player = store.choose_player(settings.player)
    stored = store.require(player)
    return stored.token, stored.base_url, player
