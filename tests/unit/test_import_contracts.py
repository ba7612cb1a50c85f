"""The layer rules are import-linter contracts (pyproject.toml); these tests show the contracts bite.

Each wrong import is added to a scratch copy of the project, never to the checkout, and `lint-imports` must then
fail naming the contract that forbids it.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PROJECT_PARTS = ("pyproject.toml", "bootstrap.py", "domain", "application", "adapters", "plugins")


def contracts() -> dict[str, dict]:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["name"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def contract_named(start: str) -> dict:
    (found,) = [c for name, c in contracts().items() if name.startswith(start)]
    return found


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    for part in PROJECT_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / part)
    return root


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    # import-linter puts its working directory first on the path, so the copy is analysed, not the checkout.
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120)


def test_the_project_keeps_its_contracts(scratch):
    result = lint(scratch)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


WRONG_IMPORTS = [
    pytest.param("application/demand_finder.py", "from adapters.storage import rows", "Layers:", id="application->adapter"),
    pytest.param("domain/goods.py", "import httpx", "The domain and the application import no", id="domain->httpx"),
    pytest.param("application/worker.py", "import multiprocessing", "The domain and the application import no",
                 id="application->multiprocessing"),
    pytest.param("plugins/default_ranking.py", "from adapters.storage import database",
                 "Only bootstrap imports concrete adapters", id="plugin->adapter"),
    pytest.param("adapters/game_server/economy.py", "from domain import goods",
                 "The embedded game server imports nothing", id="server->domain"),
    pytest.param("adapters/game_server/views.py", "from adapters.config import settings",
                 "The embedded game server imports nothing", id="server->config"),
    pytest.param("adapters/daemon/runner.py", "from adapters.game_server import world",
                 "The bot reaches the game server only over HTTP", id="daemon->server"),
    pytest.param("adapters/cli/analyze_command.py", "from adapters.game_server import world",
                 "The bot reaches the game server only over HTTP", id="cli->server"),
    pytest.param("adapters/cli/agent_command.py", "from adapters.game_api.errors import NotFound",
                 "The game client's errors stop at the gateway", id="cli->client-errors"),
    pytest.param("adapters/storage/rows.py", "from adapters.storage import database",
                 "No import cycles", id="cycle"),
]


@pytest.mark.parametrize(("module", "statement", "contract"), WRONG_IMPORTS)
def test_a_wrong_import_breaks_its_contract(scratch, module, statement, contract):
    path = scratch / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + f"\n{statement}  # deliberately wrong\n", encoding="utf-8")
        result = lint(scratch)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken, result.stdout


def adapter_packages() -> set[str]:
    return {f"adapters.{p.stem if p.is_file() else p.name}" for p in (REPO_ROOT / "adapters").iterdir()
            if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")}


def test_the_server_contract_names_every_part_of_the_bot():
    forbidden = set(contract_named("The embedded game server imports nothing")["forbidden_modules"])
    assert forbidden == {"domain", "application", "plugins"} | adapter_packages() - {"adapters.game_server",
                                                                                      "adapters.wire"}


def test_the_http_only_contract_covers_every_part_of_the_bot():
    sources = set(contract_named("The bot reaches the game server only over HTTP")["source_modules"])
    assert sources == {"domain", "application", "plugins"} | adapter_packages() - {"adapters.game_server"}


def test_the_gateway_contract_covers_every_part_of_the_bot_past_the_gateway():
    sources = set(contract_named("The game client's errors stop at the gateway")["source_modules"])
    assert sources == {"domain", "application", "plugins"} | adapter_packages() - {"adapters.game_server",
                                                                                    "adapters.game_api"}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_bootstrap_does_not_import_the_game_server():
    # bootstrap.py is a lone module, which import-linter cannot take as a root package: checked here instead.
    assert not {m for m in imported_modules(REPO_ROOT / "bootstrap.py") if m.startswith("adapters.game_server")}
