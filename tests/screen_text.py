"""Reading the screens' plain-text tables in tests: rows as lists of cells, found by the section that holds them."""
from __future__ import annotations

import re

_RULE = re.compile(r"^\s*[─━-]{3,}\s*$")


def cells(line: str) -> list[str]:
    """The cells of a table row: columns are at least two spaces apart and no cell holds two spaces."""
    return re.split(r"\s{2,}", line.strip())


def table_rows(text: str, heading: str) -> list[list[str]]:
    """The rows (footer included) of the first table after the line starting with `heading` (which may be the
    table's own first column header), up to the next blank line; the header row and the rules are left out."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(heading))
    rows: list[list[str]] = []
    ruled = False
    for line in lines[start + 1:]:
        if not line.strip():
            break
        if _RULE.match(line):
            ruled = True
            continue
        if ruled:
            rows.append(cells(line))
    return rows


def row(text: str, heading: str, first: str) -> list[str]:
    """The row of the table under `heading` whose first cell is `first`."""
    found = [cells_ for cells_ in table_rows(text, heading) if cells_[0] == first]
    assert len(found) == 1, (heading, first, table_rows(text, heading))
    return found[0]
