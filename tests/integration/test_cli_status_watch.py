"""`spacetraders manufacturing status --watch` as a user runs it: a real process on a recorded database, into a file
(plain screens one after another) and on a terminal (a pseudo-terminal: redrawn in place), ended by Ctrl-C (SIGINT)
with exit code 0 and no traceback."""
from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.integration.test_cli_manufacturing import seed_run

SPACETRADERS = Path(sys.executable).with_name("spacetraders")
REFRESH = "Refreshed "


@pytest.fixture
def recorded(tmp_path: Path) -> dict[str, str]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    seed_run(data_dir)
    env = {name: value for name, value in os.environ.items() if not name.startswith("ST_") and name != "COLUMNS"}
    env.update(ST_DATA_DIR=str(data_dir), ST_CONFIG=str(tmp_path / "absent.toml"))
    return env


def _ctrl_c_reaches_it() -> None:
    """In the child before it runs: Ctrl-C as on a user's terminal. A suite started in the background of a shell
    without job control (`.ci/run &`, nohup) hands its children SIGINT ignored, and Python then installs no
    KeyboardInterrupt handler: the command would never see the test's Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def command(*extra: str) -> list[str]:
    return [str(SPACETRADERS), "manufacturing", "status", "--watch", "--interval", "0.2s", *extra]


def wait_until(what: str, done, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_watch_into_a_file_prints_each_refresh_until_ctrl_c(recorded: dict[str, str], tmp_path: Path) -> None:
    out_file, err_file = tmp_path / "watch.out", tmp_path / "watch.err"
    with out_file.open("w") as out, err_file.open("w") as err:
        process = subprocess.Popen(command(), env=recorded, stdout=out, stderr=err, preexec_fn=_ctrl_c_reaches_it)
        try:
            wait_until("three refreshes", lambda: out_file.read_text().count(REFRESH) >= 3)
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()

    text = out_file.read_text()
    assert code == 0, err_file.read_text()
    assert err_file.read_text() == ""  # no traceback, no "Aborted!"
    assert "\x1b" not in text  # a file gets plain text
    screens = text.count("Manufacturing Arbitrage Status")
    assert screens >= 3 and screens == text.count(REFRESH)  # whole screens, one after another
    assert "Refreshed " in text and "every 0.2 s; Ctrl-C to stop" in text
    assert "ALPHA-1   mfg-4   flying to X1-T1-A3" in text  # the screen's content, as `status` shows it


def test_watch_on_a_terminal_redraws_in_place_until_ctrl_c(recorded: dict[str, str]) -> None:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 150, 0, 0))
    process = subprocess.Popen(command(), env={**recorded, "TERM": "xterm-256color"}, stdin=slave, stdout=slave,
                               stderr=slave, start_new_session=True, preexec_fn=_ctrl_c_reaches_it)
    os.close(slave)
    seen = b""

    def read_some() -> bool:
        nonlocal seen
        while select.select([master], [], [], 0.05)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                return True
            if not chunk:
                return True
            seen += chunk
        return False

    try:
        wait_until("two redraws", lambda: read_some() or seen.count(REFRESH.encode()) >= 2)
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
        read_some()
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)

    text = seen.decode(errors="replace")
    assert code == 0, text
    assert "Traceback" not in text and "Aborted" not in text
    assert "\x1b[" in text  # a terminal gets escape codes: the cursor moved up and the screen redrawn
    assert "Manufacturing Arbitrage Status" in text and "flying to X1-T1-A3" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--interval", "soon"], "'soon' is not a duration"),
    (["--interval", "0s"], "must be more than 0"),
    (["--json"], "--watch is for people"),
])
def test_watch_refuses_what_it_cannot_do(recorded: dict[str, str], args: list[str], message: str) -> None:
    done = subprocess.run(command(*args), env=recorded, capture_output=True, text=True, timeout=60)

    assert done.returncode == 2, done.stderr  # a usage error, at once
    assert message in done.stderr and "Traceback" not in done.stderr
