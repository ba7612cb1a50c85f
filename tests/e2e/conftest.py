"""The end-to-end tests: a real game server process, the real bot. Selected with `pytest -m e2e`."""
from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "e2e: the whole bot against a real game server process (minutes)")
