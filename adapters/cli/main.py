"""The `spacetraders` command: one click group, sub-commands added from their own modules."""
from __future__ import annotations

import click

from adapters.cli.errors import FriendlyGroup


@click.group(cls=FriendlyGroup)
@click.version_option(package_name="spacetraders")
def cli() -> None:
    """Manufacturing-arbitrage bot for SpaceTraders."""


def _register_commands() -> None:
    # Each command module owns its group; importing them here keeps this file small.
    from adapters.cli import commands  # noqa: F401  (populates `cli`)


_register_commands()
