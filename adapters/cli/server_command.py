"""`spacetraders server`: run the embedded SpaceTraders-compatible game server."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import dataclasses

import click
import platformdirs

from adapters.game_server.economy import EconomySettings
from adapters.game_server.faults import FaultSettings
from adapters.game_server.rate_limit import RateLimitSettings
from adapters.game_server.serve import ServerConfig, ServerStartError, run

RELAXED_MULTIPLIER = 10.0


def default_data_dir() -> Path:
    """Where the world is kept when `--data` is not given."""
    return platformdirs.user_data_path("spacetraders") / "game-server"


class RateLimitParam(click.ParamType):
    """`on` (the real limits), `off`, `relaxed` (10x the points), `scaled` (the real limit times the game speed:
    the real requests per game hour) or a multiplier such as `5` or `0.5`."""
    name = "on|off|relaxed|scaled|MULTIPLIER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> RateLimitSettings:
        if isinstance(value, RateLimitSettings):
            return value
        text = str(value).strip().lower()
        if text in ("on", "real"):
            return RateLimitSettings()
        if text in ("off", "none", "disabled"):
            return RateLimitSettings.disabled()
        if text == "relaxed":
            return RateLimitSettings.relaxed(RELAXED_MULTIPLIER)
        if text == "scaled":
            return RateLimitSettings.scaled()
        try:
            multiplier = float(text)
        except ValueError:
            self.fail(f"{value!r} is not on, off, relaxed, scaled or a number", param, ctx)
        if not multiplier > 0:
            self.fail("the multiplier must be positive", param, ctx)
        return RateLimitSettings(multiplier=multiplier)


_RATE = click.FloatRange(0.0, 1.0)

_UNITS = {"s": 1 / 60, "m": 1.0, "min": 1.0, "h": 60.0, "d": 1440.0}


class GameDurationParam(click.ParamType):
    """A game duration in minutes: `8h`, `90m`, `1.5d`, `30s`, or a bare number of minutes."""
    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        text = str(value).strip().lower()
        number, unit = text, "m"
        for suffix in sorted(_UNITS, key=len, reverse=True):
            if text.endswith(suffix):
                number, unit = text[: -len(suffix)], suffix
                break
        try:
            minutes = float(number) * _UNITS[unit]
        except ValueError:
            self.fail(f"{value!r} is not a duration such as 8h, 90m or 2d", param, ctx)
        if not minutes > 0:
            self.fail("the duration must be positive", param, ctx)
        return minutes


# Economy settings a user may set with --economy NAME=VALUE: the numeric ones (durations take 8h-style values), but
# not the supply-level step, which the labels' thresholds share.
_ECONOMY_FIELDS = {f.name: f for f in dataclasses.fields(EconomySettings)
                   if f.type in ("float", float) and f.name != "level_ratio"}


def _economy_settings(recovery_half_life: float | None, assignments: tuple[str, ...]) -> EconomySettings:
    changes: dict[str, float] = {}
    for assignment in assignments:
        name, sep, raw = assignment.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in _ECONOMY_FIELDS:
            raise click.UsageError(f"--economy takes NAME=VALUE with NAME one of {', '.join(sorted(_ECONOMY_FIELDS))}"
                                   f"; got {assignment!r}")
        try:
            changes[name] = (GameDurationParam().convert(raw, None, None) if name.endswith("_minutes")
                             else float(raw))
        except (ValueError, click.BadParameter) as exc:
            raise click.UsageError(f"--economy {assignment}: {exc}") from exc
    if recovery_half_life is not None:
        changes["recovery_half_life_minutes"] = recovery_half_life
    try:
        return EconomySettings(**changes)
    except (ValueError, click.BadParameter) as exc:
        raise click.UsageError(str(exc)) from exc


@click.command("server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--seed", default=1, show_default=True, type=int, help="Universe seed (same seed, same universe).")
@click.option("--speed", default=1.0, show_default=True, type=click.FloatRange(min=0.0, min_open=True),
              help="Game speed: 1 = real time; 60 makes a minute of game pass in a second.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path),
              help="Directory of the world's database (created if missing). Default: the user data directory.")
@click.option("--in-memory", is_flag=True, help="Keep the world in memory only (lost when the server stops).")
@click.option("--reset", is_flag=True,
              help="Reset the stored world before serving, as the real game resets: a new era starts today (GET / "
                   "resetDate), every agent, ship, contract and market state is wiped, and tokens issued before "
                   "are refused with 401 code 4113 (register again). The universe (seed) stays. A world stored by "
                   "an older server version opens only this way.")
@click.option("--rate-limit", "rate_limit", default="on", show_default=True, type=RateLimitParam(),
              help="The real rate limit (on), none (off), 10x the points (relaxed), the real limit times --speed "
                   "so a game hour has the real 9,000 requests (scaled), or any multiplier.")
@click.option("--fault-429", default=0.0, type=_RATE, help="Share of requests refused with a fake 429.")
@click.option("--fault-5xx", default=0.0, type=_RATE, help="Share of requests answered 500, 502 or 503.")
@click.option("--fault-drop", default=0.0, type=_RATE, help="Share of requests whose connection is cut.")
@click.option("--fault-slow", default=0.0, type=_RATE, help="Share of requests answered late.")
@click.option("--fault-slow-seconds", default=2.0, show_default=True, type=click.FloatRange(min=0.0),
              help="Delay of a slow answer.")
@click.option("--fault-after-apply", default=0.0, type=_RATE,
              help="Share of purchases, sales, navigations... applied whose answer is then lost (5xx or cut).")
@click.option("--fault-seed", default=0, show_default=True, type=int, help="Seed of the fault draws.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 256),
              help="Threads running requests.")
@click.option("--recovery-half-life", type=GameDurationParam(), default=None,
              help="Game time for a dumped import's bid or a bought-down export's price to recover half way "
                   "(e.g. 8h, 90m). Default 6h: facts give 1-1.5 h (reported) to 1-2 days (fitted).")
@click.option("--economy", "economy_options", multiple=True, metavar="NAME=VALUE",
              help="Any numeric economy setting, e.g. line_drain_minutes=75, volume_half_life_minutes=12h, "
                   "input_units_per_output=3 (repeatable; *_minutes take durations).")
def server(host: str, port: int, seed: int, speed: float, data_dir: Path | None, in_memory: bool, reset: bool,
           rate_limit: RateLimitSettings, fault_429: float, fault_5xx: float, fault_drop: float, fault_slow: float,
           fault_slow_seconds: float, fault_after_apply: float, fault_seed: int, threads: int,
           recovery_half_life: float | None, economy_options: tuple[str, ...]) -> None:
    """Run the embedded SpaceTraders-compatible game server (API under /v2)."""
    if in_memory and data_dir is not None:
        raise click.UsageError("--data and --in-memory exclude each other")
    if in_memory and reset:
        raise click.UsageError("--reset needs a stored world: an in-memory world starts new every time")
    try:
        faults = FaultSettings(rate_429=fault_429, rate_5xx=fault_5xx, rate_drop=fault_drop, rate_slow=fault_slow,
                               rate_after_apply=fault_after_apply, slow_seconds=fault_slow_seconds, seed=fault_seed)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    economy = _economy_settings(recovery_half_life, economy_options)
    config = ServerConfig(host=host, port=port, data_dir=None if in_memory else (data_dir or default_data_dir()),
                          seed=seed, speed=speed, rate_limit=rate_limit, faults=faults, threads=threads,
                          reset=reset, economy=economy)
    where = "in memory" if config.data_dir is None else f"data {config.data_dir}"
    limit = rate_limit.describe(speed)
    banner = (f"SpaceTraders game server on {config.base_url} ({where}, seed {seed}, speed {speed:g}, {limit}"
              f"{', faults on' if faults.active else ''}{', reset: a new era starts' if reset else ''})")
    try:
        run(config, on_ready=lambda: click.echo(banner))
    except ServerStartError as exc:
        raise click.ClickException(str(exc)) from exc
