"""Driving the real `spacetraders` CLI in tests: an environment on an in-process embedded server, and a runner."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from adapters.cli.agent_command import CliEnvironment
from adapters.cli.main import cli
from adapters.game_server.app import GameApp
from adapters.game_server.inprocess import BASE_URL, InProcessTransport
from adapters.game_server.rate_limit import RateLimiter, RateLimitSettings
from adapters.game_server.world import World


def cli_environment(data_dir: Path, world: World | None = None, **env: str) -> CliEnvironment:
    """Settings from `env` only (no config file), data under `data_dir`, metrics on a free port; with `world`, the
    game is that World served in-process without a rate limit."""
    variables = {"ST_DATA_DIR": str(data_dir), "ST_METRICS_PORT": "0", **env}
    transport = None
    if world is not None:
        variables.setdefault("ST_API_BASE_URL", BASE_URL)
        transport = InProcessTransport(GameApp(world, rate_limiter=RateLimiter(RateLimitSettings.disabled())))
    return CliEnvironment(env=variables, config_file=data_dir.parent / "absent.toml", transport=transport)


def run_cli(env: CliEnvironment, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=env)
