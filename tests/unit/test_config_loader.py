"""Configuration precedence and the one-line errors that name the bad key and value."""
from pathlib import Path

import pytest

from adapters.config.loader import ConfigError, config_path, load_settings


def test_defaults_are_the_plans():
    settings = load_settings({})
    assert settings.manufacturing.max_workers == 5
    assert settings.manufacturing.min_price == 1000
    assert settings.manufacturing.discovery_interval == 120
    assert settings.manufacturing.assignment_interval == 30
    assert settings.api.base_url == ""  # embedded server by default


def test_env_over_toml_over_defaults(tmp_path: Path):
    toml = tmp_path / "config.toml"
    toml.write_text('[manufacturing]\nmax_workers = 3\nmin_price = 2000\ndiscovery_interval = "5m"\n')
    settings = load_settings({"ST_MANUFACTURING_MAX_WORKERS": "2"}, toml)
    assert settings.manufacturing.max_workers == 2      # env wins
    assert settings.manufacturing.min_price == 2000     # toml over default
    assert settings.manufacturing.discovery_interval == 300


def test_plan_environment_names_and_durations():
    settings = load_settings({
        "ST_MANUFACTURING_ARBITRAGE_ENABLED": "false",
        "ST_MANUFACTURING_DISCOVERY_INTERVAL": "2m",
        "ST_MANUFACTURING_ASSIGNMENT_INTERVAL": "30s",
        "ST_MANUFACTURING_MIN_PRICE": "1500",
    })
    assert settings.manufacturing.arbitrage_enabled is False
    assert settings.manufacturing.discovery_interval == 120
    assert settings.manufacturing.assignment_interval == 30
    assert settings.manufacturing.min_price == 1500


def test_database_url_convention_and_override():
    assert load_settings({"DATABASE_URL": "postgresql://a/b"}).database.url == "postgresql://a/b"
    both = {"DATABASE_URL": "postgresql://a/b", "ST_DATABASE_URL": "sqlite:///x.db"}
    assert load_settings(both).database.url == "sqlite:///x.db"


def test_cli_overrides_win():
    settings = load_settings({"ST_SYSTEM": "X1-AA1"}, overrides={"system": "X1-BB2", "player": None})
    assert settings.system == "X1-BB2"
    assert settings.player == ""


@pytest.mark.parametrize("env, message", [
    ({"ST_MANUFACTURING_MAX_WORKERS": "abc"}, "ST_MANUFACTURING_MAX_WORKERS=abc: expected a whole number"),
    ({"ST_MANUFACTURING_MAX_WORKERS": "0"}, "ST_MANUFACTURING_MAX_WORKERS=0: must be at least 1"),
    ({"ST_MANUFACTURING_ASSIGNMENT_INTERVAL": "-5s"}, "ST_MANUFACTURING_ASSIGNMENT_INTERVAL=-5s: expected a duration"),
    ({"ST_MANUFACTURING_ARBITRAGE_ENABLED": "maybe"}, "ST_MANUFACTURING_ARBITRAGE_ENABLED=maybe: expected true or false"),
    ({"ST_MANUFACTURING_MAX_WORKERZ": "1"}, "ST_MANUFACTURING_MAX_WORKERZ: unknown setting"),
])
def test_bad_environment_values_name_key_and_value(env, message):
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_bad_toml(tmp_path: Path):
    toml = tmp_path / "c.toml"
    toml.write_text("[manufacturing]\nmax_wrkers = 3\n")
    with pytest.raises(ConfigError, match="unknown key 'manufacturing.max_wrkers'"):
        load_settings({}, toml)
    toml.write_text("[manufacturing]\nmax_workers = 'many'\n")
    with pytest.raises(ConfigError, match=r"max_workers = 'many': expected a whole number"):
        load_settings({}, toml)
    toml.write_text("[manufacturing\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({}, toml)


def test_config_path_from_env(tmp_path: Path):
    assert config_path({}, tmp_path / "d.toml") == tmp_path / "d.toml"
    assert config_path({"ST_CONFIG": str(tmp_path / "e.toml")}, tmp_path / "d.toml") == tmp_path / "e.toml"


def test_an_override_naming_no_setting_is_refused_in_one_line() -> None:
    assert load_settings({}, overrides={"arbitrage.max_workers": "8"}).arbitrage.max_workers == 8
    for dotted, unknown in (("arbitrage.nothing", "arbitrage.nothing"), ("nowhere.max_workers", "nowhere"),
                            ("arbitrage.max_workers.deeper", "arbitrage.max_workers.deeper")):
        with pytest.raises(ConfigError, match=f"unknown setting '{unknown}'"):
            load_settings({}, overrides={dotted: "3"})


def test_a_share_must_be_below_one() -> None:
    assert load_settings({"ST_ARBITRAGE_SATURATED_BID_SHARE": "0.5"}).arbitrage.saturated_bid_share == 0.5
    with pytest.raises(ConfigError, match="ST_ARBITRAGE_SATURATED_BID_SHARE.*must be below 1"):
        load_settings({"ST_ARBITRAGE_SATURATED_BID_SHARE": "1"})


def test_the_embedded_servers_rate_limit_is_one_of_three_words(tmp_path: Path) -> None:
    assert load_settings({}).server.rate_limit == "scaled"  # the real game's requests per game hour
    toml = tmp_path / "config.toml"
    toml.write_text('[server]\nrate_limit = "On"\n')
    assert load_settings({}, toml).server.rate_limit == "on"
    assert load_settings({"ST_SERVER_RATE_LIMIT": " OFF "}, toml).server.rate_limit == "off"
    for bad in ("relaxed", "10", ""):
        with pytest.raises(ConfigError) as err:
            load_settings({"ST_SERVER_RATE_LIMIT": bad})
        assert str(err.value) == f"ST_SERVER_RATE_LIMIT={bad}: expected one of scaled, on, off"
    toml.write_text("[server]\nrate_limit = 2\n")
    with pytest.raises(ConfigError, match=r"^\S+config.toml: server.rate_limit = 2: expected text$"):
        load_settings({}, toml)
