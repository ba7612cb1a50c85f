"""domain/ and application/ stay pure: no environment, no files, no library imported behind the linter's back.

Their static imports (no adapter, no httpx, peewee, click, ...) are import-linter contracts in pyproject.toml,
run by `lint-imports`. What a graph of imports cannot show is checked here on the syntax tree of every module:
reading `os.environ`, opening or reading a file, and `importlib.import_module("httpx")`.
"""
import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PURE_PACKAGES = ("domain", "application")
FORBIDDEN_MODULES = frozenset(
    {"httpx", "peewee", "click", "prometheus_client", "multiprocessing", "dependency_injector", "pluggy"}
)
ENVIRONMENT_NAMES = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})
FILE_READERS = frozenset({"read_text", "read_bytes"})


def violations(source: str) -> list[str]:
    """What in `source` breaks the purity rules, one line per offence."""
    found = []

    def forbidden(module: str) -> bool:
        return module.split(".")[0] in FORBIDDEN_MODULES

    for node in ast.walk(ast.parse(source)):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "os":
                found += [f"{where}: imports os.{a.name}" for a in node.names if a.name in ENVIRONMENT_NAMES]
        elif isinstance(node, ast.Attribute):
            if node.attr in ENVIRONMENT_NAMES and isinstance(node.value, ast.Name) and node.value.id == "os":
                found.append(f"{where}: reads os.{node.attr}")
            if node.attr in FILE_READERS:
                found.append(f"{where}: reads a file with .{node.attr}()")
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name == "open":
                found.append(f"{where}: opens a file")
            if name in {"import_module", "__import__"} and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and forbidden(first.value):
                    found.append(f"{where}: imports {first.value} dynamically")
    return found


def pure_modules() -> list[Path]:
    return sorted(path for package in PURE_PACKAGES for path in (REPO_ROOT / package).rglob("*.py"))


def test_the_pure_packages_hold_the_expected_modules():
    names = {path.relative_to(REPO_ROOT).as_posix() for path in pure_modules()}
    assert {"domain/symbols.py", "domain/market.py", "application/demand_finder.py"} <= names


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_module_is_pure(path):
    assert violations(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "__import__('multiprocessing')",
        "import os\nos.environ['X']",
        "import os\nos.getenv('ST_X')",
        "from os import environ",
        "import importlib\nimportlib.import_module('httpx')",
        "open('config.toml')",
        "from pathlib import Path\nPath('x').read_text()",
    ],
)
def test_the_checker_catches_each_kind_of_offence(source):
    assert violations(source), source


def test_the_checker_lets_pure_code_through():
    assert violations("import os.path\nfrom dataclasses import dataclass\nimport enum\nx = {'environ': 1}") == []
