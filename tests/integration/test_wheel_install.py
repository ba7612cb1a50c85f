"""A wheel built from a clean copy of the project installs into a fresh virtual environment beside the package
index's `spacetraders` client (an unrelated distribution), and both work there.

Costs about a minute (a wheel build, a virtual environment, our dependencies from pip's cache or the index); marked
`packaging` so it can be deselected with `-m "not packaging"` while working on something else.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# The index's client, as tests/game_server/test_independent_client.py uses it. It pins httpx<0.25, which we do not
# share, so it is installed without its dependencies and given the ones it imports (as there).
INDEX_CLIENT = ("spacetraders==0.10.0", "pydantic>=1.10.7,<2", "attrs>=21.3", "python-dateutil>=2.8.2")

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]


def pip(python: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # pip's own cache (the user's) is kept: a second run downloads nothing.
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_NO_CACHE_DIR", "PYTHONPATH")}
    return subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def clean_copy(target: Path) -> Path:
    """The files git tracks, as they are in the working tree: no virtualenv, no egg-info, no caches."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def in_venv(venv: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ST_") and k not in ("PYTHONPATH", "DATABASE_URL")}
    return subprocess.run([str(venv / "bin" / argv[0]), *argv[1:]], capture_output=True, text=True, timeout=120,
                          cwd=venv, env=env)


@dataclass(frozen=True)
class _Installed:
    name: str  # ours, from pyproject.toml
    version: str
    both: subprocess.CompletedProcess[str]  # both packages imported in the virtual environment
    helped: subprocess.CompletedProcess[str]  # spacetraders --help there
    shown_version: subprocess.CompletedProcess[str]  # spacetraders --version there


def _build_and_install(root: Path) -> _Installed:
    if shutil.which("git") is None:
        pytest.skip("git is needed to know the project's files")
    python = Path(sys.executable)
    if pip(python, "download", "-q", "--no-deps", "-d", str(root / "probe"), INDEX_CLIENT[0]).returncode != 0:
        pytest.skip("the package index cannot be reached")
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name, ours_version = project["name"], project["version"]

    source = clean_copy(root / "checkout")
    built = pip(python, "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(source))
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("*.whl")

    venv = root / "venv"
    subprocess.run([str(python), "-m", "venv", str(venv)], check=True, timeout=120)
    ours = pip(venv / "bin" / "python", "install", "-q", str(wheel))
    assert ours.returncode == 0, ours.stderr
    theirs = pip(venv / "bin" / "python", "install", "-q", "--no-deps", *INDEX_CLIENT, "six")
    assert theirs.returncode == 0, theirs.stderr

    both = in_venv(venv, "python", "-c", (
        "import importlib.metadata as m, spacetraders, adapters.cli.main, bootstrap\n"
        "from spacetraders import Client\n"
        f"print(m.version('spacetraders'), m.version('{name}'))\n"
        "from plugins.manager import build_plugin_manager, strategy_plugins\n"
        "print(sorted(n for names in strategy_plugins(build_plugin_manager()).values() for n in names))\n"
        "from adapters.game_server.world import World\n"  # the bundled supply-chain map is in the wheel
        "World.open(None, seed=1).close()\n"))
    return _Installed(name, ours_version, both, in_venv(venv, "spacetraders", "--help"),
                      in_venv(venv, "spacetraders", "--version"))


# Ahead of its test: a minute of pip and a virtual environment, beside the rest of the suite.
@pytest.mark.runs_ahead(run=_build_and_install, seconds=30)
def test_the_wheel_installs_and_runs_beside_the_index_spacetraders_client(ran_ahead) -> None:
    installed = ran_ahead()
    ours_version, both = installed.version, installed.both

    assert installed.name != "spacetraders"
    assert both.returncode == 0, both.stderr
    versions, plugins = both.stdout.splitlines()
    assert versions == f"0.10.0 {ours_version}"
    assert plugins == "['default_ranking', 'default_ship_selection', 'learned_ranking']"

    helped = installed.helped
    assert helped.returncode == 0, helped.stderr
    assert "manufacturing" in helped.stdout and "analyze" in helped.stdout
    version = installed.shown_version
    assert version.returncode == 0 and ours_version in version.stdout, version.stderr
