"""`manufacturing status --watch`: the status screen kept up until Ctrl-C.

On a terminal the screen is redrawn in place (rich Live) and the last one stays when the watch ends. Elsewhere
(a pipe, a log file) each refresh is printed whole after the previous one, so the file reads as a history.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.text import Text

from adapters.durations import format_duration


def watch_status(screen: Callable[[], RenderableType], interval: float, console: Console) -> None:
    """Show `screen()` every `interval` seconds until Ctrl-C, which ends it quietly."""
    every = format_duration(interval) if interval >= 1 else f"{interval:g} s"
    try:
        if console.is_terminal:
            with Live(console=console, auto_refresh=False, transient=False) as live:
                while True:
                    live.update(_framed(screen(), every), refresh=True)
                    time.sleep(interval)
        else:
            while True:
                console.print(_framed(screen(), every))
                console.print()
                console.file.flush()
                time.sleep(interval)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a watch ends: not an error, no traceback


def _framed(screen: RenderableType, every: str) -> Group:
    moment = datetime.now(UTC).strftime("%H:%M:%S")
    return Group(screen, Text(""), Text(f"Refreshed {moment} UTC, every {every}; Ctrl-C to stop", style="dim"))
