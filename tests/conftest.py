"""What every test shares: the screens of the CLI are read as a pipe or a file shows them."""
from __future__ import annotations

import os


def pytest_configure(config) -> None:
    # pytest-xdist's workers announce an 80-column terminal (COLUMNS, LINES) that is not there: a screen printed for
    # a pipe would take it for a window's width and wrap its tables, in-process and in the CLI processes a test starts.
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
