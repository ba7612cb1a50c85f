"""`spacetraders server`: its options and its start-up errors (one clear line, non-zero exit, no traceback)."""
from __future__ import annotations

import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from adapters.cli.server_command import RateLimitParam, server
from adapters.game_server.rate_limit import RateLimitSettings
from adapters.game_server.serve import find_free_port


def invoke(*args: str):
    return CliRunner().invoke(server, list(args), prog_name="spacetraders server")


@pytest.mark.parametrize("text, expected", [
    ("on", RateLimitSettings()),
    ("off", RateLimitSettings.disabled()),
    ("relaxed", RateLimitSettings.relaxed(10)),
    ("2.5", RateLimitSettings(multiplier=2.5)),
])
def test_rate_limit_option_values(text: str, expected: RateLimitSettings) -> None:
    assert RateLimitParam().convert(text, None, None) == expected


@pytest.mark.parametrize("text", ["sometimes", "0", "-3"])
def test_bad_rate_limit_values_are_refused(text: str) -> None:
    with pytest.raises(click.BadParameter):
        RateLimitParam().convert(text, None, None)


def test_the_command_is_registered_on_the_main_group() -> None:
    assert cli.get_command(click.Context(cli), "server") is server


def test_help_lists_the_settings() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for option in ("--host", "--port", "--seed", "--speed", "--data", "--rate-limit", "--fault-429", "--fault-5xx",
                   "--fault-drop", "--fault-slow", "--fault-after-apply"):
        assert option in result.output


def test_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("--port", str(port), "--data", str(tmp_path / "data"))

    assert result.exit_code == 1
    assert result.output.strip() == f"Error: cannot listen on 127.0.0.1:{port}: the port is already in use"
    assert "Traceback" not in result.output


def test_data_dir_that_is_a_file_is_one_clear_line(tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-dir"
    a_file.write_text("x")
    result = invoke("--data", str(a_file))

    assert result.exit_code == 1
    assert result.output.strip() == f"Error: data directory {a_file} is not a directory"


def test_data_dir_under_a_file_is_one_clear_line(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = invoke("--data", str(a_file / "data"))

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot create data directory {a_file / 'data'}")
    assert len(result.output.strip().splitlines()) == 1


def test_fault_rates_adding_up_beyond_one_are_refused(tmp_path: Path) -> None:
    result = invoke("--data", str(tmp_path), "--fault-429", "0.7", "--fault-5xx", "0.7")
    assert result.exit_code == 2
    assert "at most 1" in result.output


def test_out_of_range_fault_rate_is_refused() -> None:
    result = invoke("--fault-drop", "1.5")
    assert result.exit_code == 2
    assert "--fault-drop" in result.output


def test_data_and_in_memory_exclude_each_other(tmp_path: Path) -> None:
    result = invoke("--data", str(tmp_path), "--in-memory")
    assert result.exit_code == 2
    assert "exclude each other" in result.output


def test_unreadable_world_database_is_one_clear_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "world.sqlite3").write_bytes(b"this is not a database" * 100)
    result = invoke("--data", str(data), "--port", str(find_free_port()))

    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: cannot open the game world in {data}")
    assert len(result.output.strip().splitlines()) == 1
