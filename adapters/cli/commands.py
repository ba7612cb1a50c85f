"""The list of sub-commands `spacetraders` offers; each lives in its own module."""
from __future__ import annotations

import importlib

from adapters.cli.main import cli

# module name -> attribute holding the click command or group
_COMMANDS = {
    "adapters.cli.server_command": "server",
    "adapters.cli.agent_command": "agent",
    "adapters.cli.manufacturing_command": "manufacturing",
    "adapters.cli.analyze_command": "analyze",
}

for _module, _attr in _COMMANDS.items():
    try:
        cli.add_command(getattr(importlib.import_module(_module), _attr))
    except ModuleNotFoundError as exc:  # a command still being built must not break the others
        if exc.name != _module:
            raise
