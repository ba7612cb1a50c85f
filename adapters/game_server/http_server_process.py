"""Start the real game server in a child process on a free loopback port (tests, benches, demos).

`with GameServerProcess(data_dir=...) as server:` starts `spacetraders server` in a subprocess, waits until it
answers `GET /v2/`, and stops it on exit (SIGTERM, then SIGKILL). `server.kill()` sends SIGKILL, as a crash would.
A server whose starting process dies without stopping it exits by itself within a second.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx
import psutil

from adapters.game_server.serve import find_free_port

# The first argument is the starting process's pid: the server exits once that process is gone, however it died.
_LAUNCH = ("import sys; from adapters.game_server.serve import exit_when_orphaned; "
           "exit_when_orphaned(int(sys.argv.pop(1))); from adapters.cli.server_command import server; "
           "sys.exit(server.main(prog_name='spacetraders server'))")


class ServerProcessError(Exception):
    """The child server did not come up; the message carries the end of its output."""


class GameServerProcess:
    """A `spacetraders server` child process bound to 127.0.0.1 on a free port.

    `rate_limit` is the server's `--rate-limit`: "off" (default here), "on" (the real limit), "relaxed", "scaled"
    (the real limit times `speed`: the real requests per game hour) or a multiplier.
    """

    def __init__(self, *, data_dir: Path | None = None, seed: int = 1, speed: float = 1.0,
                 rate_limit: str = "off", extra_args: Sequence[str] = (), port: int | None = None,
                 startup_timeout: float = 60.0) -> None:
        self.data_dir = data_dir
        self.seed = seed
        self.speed = speed
        self.rate_limit = rate_limit
        self.extra_args = tuple(extra_args)
        self.port = port or find_free_port()
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def command(self) -> list[str]:
        args = [sys.executable, "-c", _LAUNCH, str(os.getpid()), "--host", "127.0.0.1", "--port", str(self.port),
                "--seed", str(self.seed), "--speed", str(self.speed), "--rate-limit", self.rate_limit]
        if self.data_dir is not None:
            args += ["--data", str(self.data_dir)]
        else:
            args += ["--in-memory"]
        return args + list(self.extra_args)

    def start(self) -> "GameServerProcess":
        """Start the child and wait until it answers; raises ServerProcessError if it dies or times out."""
        if self._process is not None:
            raise ServerProcessError("server already started")
        self._log = tempfile.TemporaryFile()
        # Own process group: stopping the server also stops anything it forked (granian's worker).
        self._process = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True,
                                         cwd=Path(__file__).resolve().parents[2])
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=2.0) as client:
            while True:
                code = self._process.poll()
                if code is not None:
                    self._process = None
                    raise ServerProcessError(f"game server exited with code {code}:\n{self.output()}")
                try:
                    if client.get(self.base_url + "/").status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise ServerProcessError(f"game server not ready after {self.startup_timeout} s:\n"
                                             f"{self.output()}")
                time.sleep(0.05)

    def output(self) -> str:
        """What the child printed so far (stdout and stderr)."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def kill(self, grace: float = 10.0) -> bool:
        """SIGKILL the server's main process only, as a crash or the OOM killer would.

        Waits until every process of its group is gone, so the port and the database are free again. Returns
        False if something outlived the main process for `grace` seconds (an orphan; it is then killed too).
        """
        process = self._process
        if process is None:
            return True
        try:
            process.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        deadline = time.monotonic() + grace
        while _group_alive(process.pid):
            if time.monotonic() > deadline:
                self._signal(signal.SIGKILL)
                return False
            time.sleep(0.02)
        self._process = None
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (SIGTERM), then SIGKILL whatever is left of its process group."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self._signal(signal.SIGKILL)

    def _signal(self, sig: signal.Signals) -> None:
        process = self._process
        if process is None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait()
        self._process = None

    def close(self) -> None:
        self.stop()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "GameServerProcess":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _group_alive(pgid: int) -> bool:
    """Whether a live (not zombie) process is left in process group `pgid`."""
    for pid in psutil.pids():
        try:
            if os.getpgid(pid) == pgid and psutil.Process(pid).status() not in (psutil.STATUS_ZOMBIE,
                                                                                 psutil.STATUS_DEAD):
                return True
        except (OSError, psutil.Error):  # gone meanwhile, or not ours to inspect
            continue
    return False
    return True
