"""Detached daemon processes: pid file, refusal of a second start, stop of the whole group, stale records."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from adapters.daemon.paths import RunPaths
from adapters.daemon.process import (
    AlreadyRunning,
    DaemonStartFailed,
    DaemonState,
    DetachedProcess,
    NotRunning,
    PidRecord,
    is_alive,
)

# A tiny daemon: starts a child (a worker), announces it is ready, and on SIGTERM leaves its loop through the
# cancel token, says so in its log and exits, leaving the child for `stop` to end.
DAEMON = """
import subprocess, sys, time
from pathlib import Path
from adapters.daemon.paths import RunPaths
from adapters.daemon.process import announce_ready, release
from adapters.daemon.signals import cancel_on_signals

paths = RunPaths(Path(sys.argv[1]), sys.argv[2])
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
(paths.root / "worker.pid").write_text(str(worker.pid))
with cancel_on_signals() as token:
    print("daemon", "up", flush=True)
    announce_ready(paths)
    while not token.wait(5):
        pass
    print(f"stopping on {token.signal_received.name}", flush=True)
release(paths)
"""

STUBBORN = """
import signal, sys, time
from pathlib import Path
from adapters.daemon.paths import RunPaths
from adapters.daemon.process import announce_ready
signal.signal(signal.SIGTERM, signal.SIG_IGN)
announce_ready(RunPaths(Path(sys.argv[1]), sys.argv[2]))
time.sleep(600)
"""


@pytest.fixture
def paths(tmp_path: Path) -> RunPaths:
    return RunPaths.for_player(tmp_path / "data", "tester")


@pytest.fixture
def daemon(paths: RunPaths):
    process = DetachedProcess(paths)
    yield process
    if process.status().state is not DaemonState.STOPPED:
        try:
            process.stop(timeout=2)
        except NotRunning:
            pass


def start_daemon(daemon: DetachedProcess, paths: RunPaths) -> PidRecord:
    return daemon.start([sys.executable, "-c", DAEMON, str(paths.data_dir), paths.player], ready_timeout=60)


def worker_pid(paths: RunPaths) -> int:
    return int((paths.root / "worker.pid").read_text())


def wait_until_gone(pid: int) -> bool:
    # Bounded wait for a process that is being killed by someone else; not a timing assertion.
    for _ in range(400):
        if not is_alive(pid):
            return True
        time.sleep(0.025)
    return False


def test_start_writes_the_pid_file_and_detaches(daemon: DetachedProcess, paths: RunPaths) -> None:
    record = start_daemon(daemon, paths)

    data = json.loads(paths.pid_file().read_text())
    assert data["pid"] == record.pid
    assert (paths.pid_file().stat().st_mode & 0o777) == 0o600
    assert daemon.status().state is DaemonState.RUNNING
    assert daemon.status().pid == record.pid
    # Its own session and process group: closing the terminal (SIGHUP to the terminal's group) cannot reach it.
    assert os.getsid(record.pid) == record.pid
    assert os.getpgid(record.pid) == record.pid
    assert "daemon up" in paths.log_file().read_text()
    assert (paths.root.stat().st_mode & 0o777) == 0o700


def test_a_second_start_is_refused(daemon: DetachedProcess, paths: RunPaths) -> None:
    first = start_daemon(daemon, paths)

    with pytest.raises(AlreadyRunning) as refused:
        start_daemon(daemon, paths)

    assert refused.value.pid == first.pid
    assert daemon.status().pid == first.pid
    assert "already running" in str(refused.value)


def test_stop_ends_the_daemon_and_its_children(daemon: DetachedProcess, paths: RunPaths) -> None:
    record = start_daemon(daemon, paths)
    worker = worker_pid(paths)
    assert is_alive(worker)

    result = daemon.stop(timeout=10)

    assert result.pid == record.pid
    assert not is_alive(record.pid)
    assert wait_until_gone(worker)
    assert not paths.pid_file().exists()
    assert daemon.status().state is DaemonState.STOPPED
    assert "stopping on SIGTERM" in paths.log_file().read_text()
    with pytest.raises(NotRunning):
        daemon.stop()


def test_a_process_ignoring_sigterm_is_killed_after_the_timeout(daemon: DetachedProcess, paths: RunPaths) -> None:
    record = daemon.start([sys.executable, "-c", STUBBORN, str(paths.data_dir), paths.player], ready_timeout=60)

    result = daemon.stop(timeout=0.5)

    assert not result.graceful
    assert record.pid in result.killed
    assert not is_alive(record.pid)


def test_a_stale_pid_file_is_cleaned_on_start(daemon: DetachedProcess, paths: RunPaths) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    paths.create()
    paths.pid_file().write_text(json.dumps({"pid": gone.pid, "pgid": gone.pid, "created": None}))
    assert daemon.status().state is DaemonState.STALE

    record = start_daemon(daemon, paths)

    assert daemon.status().state is DaemonState.RUNNING
    assert json.loads(paths.pid_file().read_text())["pid"] == record.pid


def test_stop_with_a_stale_pid_file_says_not_running_and_removes_it(daemon: DetachedProcess,
                                                                     paths: RunPaths) -> None:
    paths.create()
    paths.pid_file().write_text("999999999\n")

    with pytest.raises(NotRunning) as refused:
        daemon.stop()

    assert refused.value.stale_removed
    assert not paths.pid_file().exists()


def test_a_reused_pid_is_not_taken_for_the_daemon(daemon: DetachedProcess, paths: RunPaths) -> None:
    # Our own pid is alive, but it was not started at the recorded moment.
    paths.create()
    paths.pid_file().write_text(json.dumps({"pid": os.getpid(), "pgid": os.getpid(), "created": 1.0}))

    assert daemon.status().state is DaemonState.STALE


def test_after_the_daemon_is_killed_its_orphans_are_ended(daemon: DetachedProcess, paths: RunPaths) -> None:
    record = start_daemon(daemon, paths)
    worker = worker_pid(paths)
    os.kill(record.pid, signal.SIGKILL)  # a crash: the worker is left behind
    assert wait_until_gone(record.pid)

    status = daemon.status()
    assert status.state is DaemonState.STALE
    assert worker in status.orphans

    result = daemon.stop(timeout=5)

    assert result.pid == record.pid
    assert wait_until_gone(worker)
    assert daemon.status().state is DaemonState.STOPPED


def test_a_restart_after_a_crash_ends_the_old_orphans(daemon: DetachedProcess, paths: RunPaths) -> None:
    record = start_daemon(daemon, paths)
    old_worker = worker_pid(paths)
    os.kill(record.pid, signal.SIGKILL)
    assert wait_until_gone(record.pid)

    second = start_daemon(daemon, paths)

    assert second.pid != record.pid
    assert wait_until_gone(old_worker)
    assert daemon.status().state is DaemonState.RUNNING


def test_a_daemon_dying_at_start_up_is_reported_with_its_last_log_line(daemon: DetachedProcess,
                                                                      paths: RunPaths) -> None:
    with pytest.raises(DaemonStartFailed) as failed:
        daemon.start([sys.executable, "-c", "import sys; print('cannot open', 'the database'); sys.exit(3)"],
                     ready_timeout=60)

    assert "cannot open the database" in str(failed.value)
    assert "\n" not in str(failed.value)
    assert not paths.pid_file().exists()
    assert daemon.status().state is DaemonState.STOPPED


def test_processes_of_one_player_have_separate_records(paths: RunPaths) -> None:
    server = DetachedProcess(paths, "server")
    coordinator = DetachedProcess(paths)
    record = server.start([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        assert server.status().state is DaemonState.RUNNING
        assert coordinator.status().state is DaemonState.STOPPED
        assert paths.pid_file("server").exists()
    finally:
        server.stop(timeout=2)
    assert not is_alive(record.pid)
