"""A server started for a test or a bench stops by itself when the process that started it dies without stopping it
(SIGKILL, or a SIGTERM with no handler, as when a bench is killed): no orphan keeps its port."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import psutil

from tests.polling import wait_until

_STARTER = """
import sys, time
from adapters.game_server.http_server_process import GameServerProcess
server = GameServerProcess(seed=1).start()
print(server.pid, server.port, flush=True)
time.sleep(600)
"""


def test_a_server_whose_starter_is_killed_exits_by_itself() -> None:
    starter = subprocess.Popen([sys.executable, "-c", _STARTER], stdout=subprocess.PIPE, text=True,
                               cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    try:
        pid, port = (int(part) for part in starter.stdout.readline().split())
        server = psutil.Process(pid)
        family = [server, *server.children(recursive=True)]
        assert any(c.laddr.port == port for p in family for c in p.net_connections() if c.laddr), "not serving"
        starter.send_signal(signal.SIGKILL)
        starter.wait()
        wait_until("the server and its worker to exit", lambda: not any(_alive(p) for p in family), timeout=10.0)
    finally:
        if starter.poll() is None:
            starter.kill()


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
