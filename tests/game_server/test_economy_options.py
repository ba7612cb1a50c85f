"""`spacetraders server` economy options: durations in game time, any numeric setting, refused nonsense."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from adapters.cli import server_command
from adapters.cli.server_command import GameDurationParam, server
from adapters.game_server.economy import EconomySettings
from adapters.game_server.serve import ServerConfig, open_world


@pytest.mark.parametrize("text, minutes", [("8h", 480.0), ("90m", 90.0), ("1.5d", 2160.0), ("30s", 0.5),
                                           ("45", 45.0), ("2min", 2.0)])
def test_durations_are_game_minutes(text: str, minutes: float) -> None:
    assert GameDurationParam().convert(text, None, None) == minutes


@pytest.mark.parametrize("text", ["soon", "0h", "-2h", "h"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(click.BadParameter):
        GameDurationParam().convert(text, None, None)


def started_with(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[object, ServerConfig | None]:
    seen: list[ServerConfig] = []
    monkeypatch.setattr(server_command, "run", lambda config, on_ready=None: seen.append(config))
    result = CliRunner().invoke(server, ["--in-memory", *args], prog_name="spacetraders server")
    return result, (seen[0] if seen else None)


def test_economy_options_reach_the_world(monkeypatch: pytest.MonkeyPatch) -> None:
    result, config = started_with(monkeypatch, "--recovery-half-life", "8h", "--economy", "volume_half_life_minutes=1d",
                                  "--economy", "input_units_per_output=2.5")
    assert result.exit_code == 0, result.output
    assert config is not None
    assert config.economy == EconomySettings(recovery_half_life_minutes=480.0, volume_half_life_minutes=1440.0,
                                             input_units_per_output=2.5)
    world = open_world(config)
    try:
        assert world.settings.economy.recovery_half_life_minutes == 480.0
    finally:
        world.close()


def test_the_defaults_are_the_economy_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    result, config = started_with(monkeypatch)
    assert result.exit_code == 0 and config is not None and config.economy == EconomySettings()


@pytest.mark.parametrize("args", [("--economy", "nonsense=3"), ("--economy", "full_feed"),
                                  ("--economy", "line_drain_minutes=-5"),
                                  ("--economy", "full_feed=lots"), ("--recovery-half-life", "never")])
def test_bad_economy_options_are_one_clear_line(monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    result, config = started_with(monkeypatch, *args)
    assert result.exit_code == 2 and config is None
    assert "Traceback" not in result.output


def test_help_documents_the_economy_options() -> None:
    result = CliRunner().invoke(server, ["--help"], prog_name="spacetraders server")
    assert "--recovery-half-life" in result.output and "--economy" in result.output
