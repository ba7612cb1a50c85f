"""The one place that reads configuration: defaults < TOML file < `ST_*` environment variables.

Every bad key or value fails with one `ConfigError` line that names the key and the value, e.g.
`ST_MANUFACTURING_MAX_WORKERS=abc: expected a whole number`.
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_type_hints

from adapters.config.settings import Settings
from adapters.durations import parse_duration

ENV_PREFIX = "ST_"
# Environment variables that are about configuration but are not settings themselves.
_NOT_SETTINGS = {"ST_CONFIG"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A configuration key or value is wrong; the message is one line meant for people."""


def load_settings(env: Mapping[str, str], toml_path: Path | None = None,
                  overrides: Mapping[str, Any] | None = None) -> Settings:
    """Build Settings from defaults, then the TOML file (if given and present), then `env`, then `overrides`
    (dotted keys such as `"manufacturing.max_workers"`, used by CLI options)."""
    values: dict[str, Any] = {}
    if toml_path is not None and toml_path.exists():
        _merge_toml(values, _read_toml(toml_path), source=str(toml_path))
    _merge_env(values, env)
    for dotted, value in (overrides or {}).items():
        if value is not None:
            option = "--" + dotted.split(".")[-1].replace("_", "-")
            _check_known(dotted.split("."), shown=f"{option} {value}")
            _put(values, dotted.split("."), value, shown=f"{option} {value}")
    return _build(Settings, values, prefix=[])


def config_path(env: Mapping[str, str], default: Path) -> Path:
    """The TOML file to read: `ST_CONFIG` if set, else `default`."""
    return Path(env["ST_CONFIG"]).expanduser() if env.get("ST_CONFIG") else default


# --- reading ------------------------------------------------------------------------------------------------------

def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def _check_known(path: list[str], shown: str) -> None:
    """An override must name a setting that exists (a misspelt one would be ignored without a word)."""
    cls: Any = Settings
    for depth, key in enumerate(path):
        fields = {f.name: f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
        if key not in fields:
            raise ConfigError(f"{shown}: unknown setting {'.'.join(path[:depth + 1])!r}")
        cls = get_type_hints(cls)[key]


def _merge_toml(values: dict[str, Any], data: Mapping[str, Any], source: str,
                cls: type = Settings, path: list[str] | None = None) -> None:
    path = path or []
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = get_type_hints(cls)
    for key, value in data.items():
        name = key.replace("-", "_")
        if name not in fields:
            raise ConfigError(f"{source}: unknown key {'.'.join(path + [key])!r}")
        if dataclasses.is_dataclass(hints[name]):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{source}: {'.'.join(path + [key])} must be a table")
            _merge_toml(values, value, source, hints[name], path + [name])
        else:
            _put(values, path + [name], value, shown=f"{source}: {'.'.join(path + [key])} = {value!r}")


def _merge_env(values: dict[str, Any], env: Mapping[str, str]) -> None:
    known = dict(_env_names(Settings, []))
    if env.get("DATABASE_URL") and "ST_DATABASE_URL" not in env:
        _put(values, ["database", "url"], env["DATABASE_URL"], shown="DATABASE_URL")
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name in _NOT_SETTINGS:
            continue
        if name not in known:
            raise ConfigError(f"{name}: unknown setting (see README, Configuration)")
        _put(values, known[name], value, shown=f"{name}={value}")


def _env_names(cls: type, path: list[str]):
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            yield from _env_names(hints[f.name], path + [f.name])
        else:
            yield ENV_PREFIX + "_".join(path + [f.name]).upper(), path + [f.name]


def _put(values: dict[str, Any], path: list[str], value: Any, shown: str) -> None:
    """Record a raw value with how to show it in an error (`NAME=value`, `file: key = value`, `--opt value`)."""
    node = values
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = (value, shown)


# --- building -----------------------------------------------------------------------------------------------------

def _build(cls: type, values: Mapping[str, Any], prefix: list[str]):
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in values:
            continue
        kind = hints[f.name]
        if dataclasses.is_dataclass(kind):
            kwargs[f.name] = _build(kind, values[f.name], prefix + [f.name])
            continue
        raw, shown = values[f.name]
        kwargs[f.name] = _coerce(raw, kind, f.metadata, shown)
    return cls(**kwargs)


def _coerce(raw: Any, kind: type, meta: Mapping[str, Any], shown: str) -> Any:
    if meta.get("duration"):
        value = _duration(raw, shown)
    elif kind is bool:
        value = _bool(raw, shown)
    elif kind is int:
        value = _int(raw, shown)
    elif kind is float:
        value = _float(raw, shown)
    else:
        if not isinstance(raw, str):
            raise ConfigError(f"{shown}: expected text")
        value = raw
    choices = meta.get("choices")
    if choices is not None:
        value = value.strip().lower()
        if value not in choices:
            raise ConfigError(f"{shown}: expected one of {', '.join(choices)}")
    minimum = meta.get("minimum")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{shown}: must be at least {minimum:g}")
    below = meta.get("below")
    if below is not None and value >= below:
        raise ConfigError(f"{shown}: must be below {below:g}")
    return value


def _duration(raw: Any, shown: str) -> float:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    try:
        if not isinstance(raw, str):
            raise ValueError(raw)
        return parse_duration(raw)
    except ValueError:
        raise ConfigError(f"{shown}: expected a duration such as 30s, 2m or 1h") from None


def _bool(raw: Any, shown: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{shown}: expected true or false")


def _int(raw: Any, shown: str) -> int:
    if isinstance(raw, bool):
        raise ConfigError(f"{shown}: expected a whole number")
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip().replace("_", ""))
    except ValueError:
        raise ConfigError(f"{shown}: expected a whole number") from None


def _float(raw: Any, shown: str) -> float:
    if isinstance(raw, bool):
        raise ConfigError(f"{shown}: expected a number")
    if isinstance(raw, (int, float)):
        return float(raw)
    try:
        return float(str(raw).strip())
    except ValueError:
        raise ConfigError(f"{shown}: expected a number") from None
