"""Where the screens print: rich on a terminal (colour, tables fitted to the window, live redraws), plain text
anywhere else (a pipe, a file, CI, a test): no escape codes, tables laid out for a fixed width and sentences left
on one line each, as `grep` and log viewers want them.
"""
from __future__ import annotations

import os
import sys
from typing import IO

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

# Wide enough for a completion's error message on one line; `COLUMNS` overrides it.
PLAIN_WIDTH = 120
# Tables sit under their section heading, indented like the lines of the plain screens before them.
INDENT = 2


def is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def screen_console(stream: IO[str] | None = None) -> Console:
    """A console on `stream` (default: the current stdout, which click's test runner replaces)."""
    stream = stream if stream is not None else sys.stdout
    terminal = is_terminal(stream)
    width = None if terminal else _plain_width()
    # Decided here rather than by rich's FORCE_COLOR / TTY_COMPATIBLE: text meant for a file never holds escapes.
    return Console(file=stream, force_terminal=terminal, force_interactive=terminal, width=width,
                   color_system="auto" if terminal else None, highlight=False, markup=False, emoji=False,
                   soft_wrap=not terminal, legacy_windows=False)


def _plain_width() -> int:
    try:
        return max(40, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return PLAIN_WIDTH


def table(*columns: str, footer: tuple[str | Text, ...] = ()) -> Table:
    """A table with a header rule and no borders; a column named "…>" is right-aligned (numbers)."""
    shown = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, header_style="bold", show_footer=bool(footer))
    for index, column in enumerate(columns):
        right = column.endswith(">")
        shown.add_column(column.rstrip(">"), justify="right" if right else "left", overflow="fold",
                         footer=footer[index] if index < len(footer) else "")
    return shown


def indented(renderable: RenderableType) -> Padding:
    """`renderable` under its heading; a sentence that wraps keeps the indent."""
    return Padding(renderable, (0, 0, 0, INDENT), expand=False)


class IndentedSentence:
    """A sentence under a heading: wrapped with its indent on a terminal, one line elsewhere (padding would cut it)."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text = Text(text, style=style)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if console.is_terminal:
            yield indented(self.text)
        else:
            yield Text(" " * INDENT) + self.text


def heading(text: str) -> Text:
    return Text(text, style="bold")


def field(label: str, value: str | Text) -> Text:
    """`Label: value`, the label bold on a terminal."""
    return Text.assemble((f"{label}: ", "bold"), value)


def credits(amount: int) -> Text:
    """A signed amount of credits, green when earned and red when spent (on a terminal)."""
    return Text(f"{amount:+,}", style="green" if amount > 0 else "red" if amount < 0 else "")
