"""The `spacetraders` command: one click group; each sub-command lives in its own module."""
from __future__ import annotations

import click

from adapters.cli.agent_command import agent
from adapters.cli.analyze_command import analyze
from adapters.cli.errors import FriendlyGroup
from adapters.cli.manufacturing_command import manufacturing
from adapters.cli.server_command import server

# The distribution's name on the package index (not "spacetraders", an unrelated client's).
DISTRIBUTION = "spacetraders-arbitrage"


@click.group(cls=FriendlyGroup)
@click.version_option(package_name=DISTRIBUTION)
def cli() -> None:
    """Manufacturing-arbitrage bot for SpaceTraders."""


for _command in (server, agent, manufacturing, analyze):
    cli.add_command(_command)
