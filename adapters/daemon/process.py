"""Detached background processes with a pid file: start, status, stop.

`DetachedProcess(paths, name)` runs one named process of a player (the coordinator is `daemon`; the embedded game
server can be another name) so that it outlives the terminal: it gets its own session and process group
(`start_new_session=True`, so no controlling terminal and no SIGHUP when the terminal closes), stdin from
/dev/null, stdout and stderr appended to its log file.

The pid file is a small JSON record (pid, process group, the process's creation time, argv) written atomically
(temporary file + rename), so a reader never sees half a record, and a pid reused by an unrelated process after a
reboot or a crash is not taken for ours (its creation time differs). Processes are inspected with psutil.

Starting and stopping hold an exclusive lock on `<name>.lock`, so two `start`s at once cannot both pass the
"already running?" check.

`stop` sends SIGTERM to the leader only (the coordinator stops its own workers gracefully), waits, then ends what
is left of the process group: SIGTERM, a short grace, SIGKILL. After a crash (leader gone, workers orphaned) the
next `start` or `stop` ends the orphans of the old group first.
"""
from __future__ import annotations

import contextlib
import enum
import fcntl
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from adapters.daemon.paths import DAEMON, RunPaths

_POLL = 0.05
_ORPHAN_GRACE = 5.0
_KILL_WAIT = 10.0
# Two processes with one pid created less than this apart would need the pid space to wrap within it.
_SAME_CREATION = 1.0
_GONE = (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)


class DaemonError(Exception):
    """Base of the daemon errors; messages are one line meant for people."""


class AlreadyRunning(DaemonError):
    """A start was refused because the recorded process is alive."""

    def __init__(self, name: str, player: str, pid: int) -> None:
        self.name, self.player, self.pid = name, player, pid
        super().__init__(f"the {name} of {player} is already running (pid {pid}); "
                         f"stop it first with `spacetraders manufacturing stop --player {player}`")


class NotRunning(DaemonError):
    """A stop (or a question for a running daemon) found no live process."""

    def __init__(self, name: str, player: str, stale_removed: bool = False) -> None:
        self.name, self.player, self.stale_removed = name, player, stale_removed
        extra = " (removed a stale pid file)" if stale_removed else ""
        super().__init__(f"the {name} of {player} is not running{extra}; "
                         f"start it with `spacetraders manufacturing start --player {player}`")


class DaemonStartFailed(DaemonError):
    """The process died during start-up or never said it was ready."""


class DaemonState(enum.Enum):
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"
    STALE = "STALE"  # a pid file whose process is gone (crash, kill -9, reboot)


@dataclass(frozen=True)
class PidRecord:
    """What the pid file holds."""

    pid: int
    pgid: int
    created: float | None  # psutil's creation time of the pid (epoch seconds); None when it could not be read
    argv: tuple[str, ...] = ()
    started_at: str = ""

    def to_json(self) -> str:
        return json.dumps({"pid": self.pid, "pgid": self.pgid, "created": self.created,
                           "argv": list(self.argv), "started_at": self.started_at})

    @classmethod
    def from_json(cls, text: str) -> PidRecord | None:
        """The record, or None for an unreadable file (treated like a stale one)."""
        try:
            data = json.loads(text)
            return cls(pid=int(data["pid"]), pgid=int(data.get("pgid", data["pid"])),
                       created=None if data.get("created") is None else float(data["created"]),
                       argv=tuple(str(a) for a in data.get("argv", ())), started_at=str(data.get("started_at", "")))
        except (ValueError, KeyError, TypeError):
            # An old-style pid file holding just the number still names a process.
            stripped = text.strip()
            return cls(pid=int(stripped), pgid=int(stripped), created=None) if stripped.isdigit() else None


@dataclass(frozen=True)
class DaemonStatus:
    """The state of one named process; `record` is None when STOPPED."""

    state: DaemonState
    record: PidRecord | None = None
    orphans: tuple[int, ...] = field(default=())  # live members of a STALE record's process group

    @property
    def pid(self) -> int | None:
        return self.record.pid if self.record else None


@dataclass(frozen=True)
class StopResult:
    """How a stop went: `graceful` when everything ended within the timeout after SIGTERM."""

    pid: int
    graceful: bool
    killed: tuple[int, ...] = ()  # pids that needed SIGKILL


class DetachedProcess:
    """One named background process of one player (see the module docstring)."""

    def __init__(self, paths: RunPaths, name: str = DAEMON) -> None:
        self.paths = paths
        self.name = name
        self.pid_file = paths.pid_file(name)
        self.log_file = paths.log_file(name)
        self.ready_file = paths.ready_file(name)
        self._lock_file = paths.lock_file(name)

    # --- questions -------------------------------------------------------------------------------------------

    def read_record(self) -> PidRecord | None:
        try:
            return PidRecord.from_json(self.pid_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def status(self) -> DaemonStatus:
        """RUNNING, STOPPED or STALE; never changes anything."""
        if not self.pid_file.exists():
            return DaemonStatus(DaemonState.STOPPED)
        record = self.read_record()
        if record is not None and is_alive(record.pid, record.created):
            return DaemonStatus(DaemonState.RUNNING, record)
        orphans = tuple(group_members(record.pgid)) if record is not None else ()
        return DaemonStatus(DaemonState.STALE, record, orphans)

    def is_ready(self) -> bool:
        """Whether the running process announced it is ready (see `announce_ready`)."""
        return self.ready_file.exists()

    # --- start -----------------------------------------------------------------------------------------------

    def start(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
              ready_timeout: float | None = None) -> PidRecord:
        """Start `argv` detached; returns its record.

        Refuses (AlreadyRunning) while the recorded process is alive; cleans a stale record and the orphans of
        its group first. With `ready_timeout`, waits until the process calls `announce_ready` and raises
        DaemonStartFailed if it exits or stays silent that long (it is then stopped).
        """
        if not argv:
            raise ValueError("argv must not be empty")
        self.paths.create()
        with self._locked():
            current = self.status()
            if current.state is DaemonState.RUNNING:
                assert current.record is not None
                raise AlreadyRunning(self.name, self.paths.player, current.record.pid)
            if current.state is DaemonState.STALE:
                if current.record is not None:
                    _end_group(current.record.pgid, _ORPHAN_GRACE)
                _remove(self.pid_file)
            _remove(self.ready_file)
            record = self._spawn(argv, env, cwd)
            write_atomically(self.pid_file, record.to_json())
        if ready_timeout is not None:
            self._await_ready(record, ready_timeout)
        return record

    def _spawn(self, argv: Sequence[str], env: Mapping[str, str] | None, cwd: Path | None) -> PidRecord:
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        fd = os.open(self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab", buffering=0) as log:
            log.write(f"--- {started_at} starting {self.name}: {' '.join(argv)}\n".encode())
            process = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True, close_fds=True,
                                       env=dict(env) if env is not None else None, cwd=cwd)
        _CHILDREN[process.pid] = process
        return PidRecord(pid=process.pid, pgid=process.pid, created=_created(process.pid),
                         argv=tuple(argv), started_at=started_at)

    def _await_ready(self, record: PidRecord, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready_file.exists():
            if not is_alive(record.pid, record.created):
                _end_group(record.pgid, _ORPHAN_GRACE)
                _remove(self.pid_file)
                raise DaemonStartFailed(f"the {self.name} of {self.paths.player} exited during start-up"
                                        f"{_exit_note(record.pid)}: {last_log_line(self.log_file)} "
                                        f"(log: {self.log_file})")
            if time.monotonic() > deadline:
                self.stop(timeout=_ORPHAN_GRACE)
                raise DaemonStartFailed(f"the {self.name} of {self.paths.player} was not ready after {timeout:g} s "
                                        f"and was stopped (log: {self.log_file})")
            time.sleep(_POLL)

    # --- stop ------------------------------------------------------------------------------------------------

    def stop(self, timeout: float = 30.0, sig: signal.Signals = signal.SIGTERM) -> StopResult:
        """Send `sig` (SIGTERM) to the process, wait up to `timeout` seconds for it and its group, then SIGKILL what
        is left.

        Raises NotRunning when nothing was running (a stale pid file is removed on the way, and the orphans
        of its group ended).
        """
        with self._locked():
            current = self.status()
            record = current.record
            if current.state is DaemonState.STOPPED or record is None:
                if current.state is DaemonState.STALE:
                    _remove(self.pid_file)
                raise NotRunning(self.name, self.paths.player, stale_removed=current.state is DaemonState.STALE)
            if current.state is DaemonState.STALE:
                orphans_killed = _end_group(record.pgid, _ORPHAN_GRACE)
                self._forget()
                if not current.orphans:
                    raise NotRunning(self.name, self.paths.player, stale_removed=True)
                return StopResult(record.pid, graceful=not orphans_killed, killed=orphans_killed)
            deadline = time.monotonic() + timeout
            _signal_pid(record.pid, sig)
            while is_alive(record.pid, record.created) and time.monotonic() < deadline:
                time.sleep(_POLL)
            killed: tuple[int, ...] = ()
            if is_alive(record.pid, record.created):
                killed = _kill_group(record.pgid)
            else:
                # The leader is gone; whatever it left in its group must not outlive it.
                killed = _end_group(record.pgid, max(0.0, min(_ORPHAN_GRACE, deadline - time.monotonic())))
            _reap(record.pid)
            self._forget()
            return StopResult(record.pid, graceful=not killed, killed=killed)

    def _forget(self) -> None:
        _remove(self.pid_file)
        _remove(self.ready_file)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.paths.create()
        fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing drops the lock


# --- calls made inside the daemon ------------------------------------------------------------------------------

def announce_ready(paths: RunPaths, name: str = DAEMON) -> None:
    """Called by the daemon once it is up: lets a `start(..., ready_timeout=...)` return."""
    write_atomically(paths.ready_file(name), datetime.now(UTC).isoformat(timespec="seconds"))


def release(paths: RunPaths, name: str = DAEMON) -> None:
    """Called by the daemon as it exits cleanly: removes its pid and ready files if they are its own."""
    process = DetachedProcess(paths, name)
    record = process.read_record()
    if record is not None and record.pid == os.getpid():
        _remove(process.pid_file)
        _remove(process.ready_file)


# --- processes -------------------------------------------------------------------------------------------------

# Processes this process started: reaped here, so a finished child is not mistaken for a live one (a zombie).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def is_alive(pid: int, created: float | None = None) -> bool:
    """Whether `pid` is a live process (not a zombie) and, when `created` is given, the one created then."""
    _reap(pid)
    try:
        process = psutil.Process(pid)
        if process.status() in _GONE:
            return False
        return created is None or abs(process.create_time() - created) < _SAME_CREATION
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:  # someone else's process: alive, and not ours to judge further
        return created is None


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group `pgid`."""
    members = []
    for pid in psutil.pids():
        try:
            if os.getpgid(pid) == pgid and psutil.Process(pid).status() not in _GONE:
                members.append(pid)
        except (OSError, psutil.Error):  # gone meanwhile, or not ours to inspect
            continue
    return members


def last_log_line(path: Path, limit: int = 300) -> str:
    """The last non-empty line of a log file, shortened (for one-line error messages)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8192))
            lines = [line.strip() for line in handle.read().decode(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "(no log)"
    if not lines:
        return "(nothing logged)"
    line = lines[-1]
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _end_group(pgid: int, grace: float) -> tuple[int, ...]:
    """SIGTERM every live member of the group, wait `grace`, SIGKILL the rest; returns the pids killed."""
    if not group_members(pgid):
        return ()
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while group_members(pgid) and time.monotonic() < deadline:
        time.sleep(_POLL)
    return _kill_group(pgid) if group_members(pgid) else ()


def _kill_group(pgid: int) -> tuple[int, ...]:
    members = tuple(group_members(pgid))
    if not members:
        return ()
    _signal_group(pgid, signal.SIGKILL)
    deadline = time.monotonic() + _KILL_WAIT
    while group_members(pgid) and time.monotonic() < deadline:
        for pid in members:
            _reap(pid)
        time.sleep(_POLL / 5)
    return members


def _signal_pid(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _reap(pid: int) -> None:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is not None:
            del _CHILDREN[pid]
        return
    # A child started by someone else in this process (or before a re-exec): reap without blocking.
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _exit_note(pid: int) -> str:
    child = _CHILDREN.get(pid)
    if child is not None and child.returncode is not None:
        return f" with code {child.returncode}"
    return ""


def _created(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


# --- files -----------------------------------------------------------------------------------------------------

def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a part (mode 0600)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        _remove(Path(tmp))
        raise


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
