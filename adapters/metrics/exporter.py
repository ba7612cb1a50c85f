"""The Prometheus endpoint, and the switch into multiprocess mode.

`enable_multiprocess(dir)` must run before prometheus_client is imported anywhere in the process (the daemon
calls it first thing); child processes inherit the environment variable and write their own files there.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def enable_multiprocess(directory: Path) -> None:
    """Point prometheus_client at `directory`, wiped, so worker processes' metrics reach the endpoint.

    Call it in the parent only: a child that ran it again would wipe the files of the processes already running.
    """
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(directory)


def _registry():
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
    if not os.environ.get(ENV):
        return REGISTRY
    # A registry of its own that reads every process's files; never the one metrics register on.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def scrape() -> bytes:
    """One exposition of every process's metrics."""
    from prometheus_client import generate_latest
    return generate_latest(_registry())


def mark_process_dead(pid: int) -> None:
    """Drop a finished worker's live gauges (workers_active and the like)."""
    if os.environ.get(ENV):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(pid)


class MetricsEndpoint:
    """Serves /metrics on host:port (loopback by default) from prometheus_client's own server thread;
    port 0 picks a free port (see `.port`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 9464) -> None:
        from prometheus_client import start_wsgi_server
        self._server, self._thread = start_wsgi_server(port, addr=host, registry=_registry())
        self.host = host
        self.port = self._server.server_port

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/metrics"
