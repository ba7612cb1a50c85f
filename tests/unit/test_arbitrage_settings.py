"""The [arbitrage] settings: ST_ARBITRAGE_* over TOML over defaults, and what the composition root makes of them."""
from dataclasses import replace
from pathlib import Path

import pytest

import bootstrap
from adapters.config.loader import ConfigError, load_settings
from domain.goods import SupplyLevel
from domain.symbols import SystemSymbol


def runtime(env: dict[str, str], tmp_path: Path, time_scale: float = 1.0) -> bootstrap.Runtime:
    return bootstrap.Runtime(settings=load_settings(env), base_url="http://127.0.0.1:1/v2", token="t", player="P",
                             system=SystemSymbol("X1-S"), run_dir=tmp_path, database_url="sqlite://",
                             time_scale=time_scale)


def test_the_arbitrage_section_mirrors_the_manufacturing_one(tmp_path: Path):
    toml = tmp_path / "config.toml"
    toml.write_text('[arbitrage]\nmax_workers = 4\nmin_margin = 0.2\n')
    settings = load_settings({"ST_ARBITRAGE_ENABLED": "false", "ST_ARBITRAGE_DISCOVERY_INTERVAL": "5m",
                              "ST_ARBITRAGE_MAX_WORKERS": "2"}, toml)
    a = settings.arbitrage
    assert (a.enabled, a.max_workers, a.min_margin, a.discovery_interval) == (False, 2, 0.2, 300)
    assert load_settings({}).arbitrage.enabled is True


def test_the_coordinator_gets_both_maxima_and_the_pool_room_for_both(tmp_path: Path):
    r = runtime({"ST_MANUFACTURING_MAX_WORKERS": "2", "ST_ARBITRAGE_MAX_WORKERS": "3",
                 "ST_FLEET_TRADING_RESERVE": "7000"}, tmp_path)
    config = bootstrap._coordinator_config(r)
    assert (config.max_workers, config.arbitrage_max_workers, config.credit_reserve) == (2, 3, 7000)
    assert bootstrap.pool_size(r.settings) == 5
    off = runtime({"ST_ARBITRAGE_ENABLED": "false", "ST_MANUFACTURING_ARBITRAGE_ENABLED": "false"}, tmp_path)
    assert bootstrap._coordinator_config(off).arbitrage_max_workers == 0
    assert bootstrap._coordinator_config(off).manufacturing_enabled is False
    assert bootstrap.pool_size(off.settings) == 5


def test_game_durations_shrink_with_the_game_speed(tmp_path: Path):
    r = runtime({"ST_ARBITRAGE_DUMP_RECOVERY": "12h", "ST_MANUFACTURING_STOP_DRAIN": "30m"}, tmp_path, 60.0)
    assert bootstrap._arbitrage_worker_config(r).dump_recovery == 720.0
    assert bootstrap.stop_drain_seconds(r) == 30.0
    finder = bootstrap._route_finder_config(runtime({"ST_ARBITRAGE_PRICE_HALF_LIFE": "1h"}, tmp_path, 60.0))
    assert (finder.max_age, finder.price_half_life) == (60.0, 60.0)


def test_a_bad_supply_level_names_the_setting(tmp_path: Path):
    assert bootstrap._route_finder_config(runtime({"ST_ARBITRAGE_MIN_BUY_SUPPLY": "high"}, tmp_path)
                                          ).min_buy_supply is SupplyLevel.HIGH
    with pytest.raises(ConfigError, match="ST_ARBITRAGE_MIN_BUY_SUPPLY"):
        bootstrap._route_finder_config(runtime({"ST_ARBITRAGE_MIN_BUY_SUPPLY": "PLENTY"}, tmp_path))


def test_an_unknown_trade_ranking_names_the_setting_and_the_known_ones(tmp_path: Path):
    settings = load_settings({"ST_ARBITRAGE_RANKING": "nope"})
    with pytest.raises(ConfigError, match=r"ST_ARBITRAGE_RANKING.*known: default_trade_ranking, learned_ranking"):
        bootstrap._route_ranker(settings)
    assert bootstrap._route_ranker(replace(settings, arbitrage=replace(settings.arbitrage,
                                                                        ranking="learned_ranking"))).name \
        == "learned_ranking"
