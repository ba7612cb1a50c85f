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


# --- the manufacturing settings that apply to trade runs, mirrored as ST_ARBITRAGE_* ----------------------------

MIRRORED = {  # ST_ARBITRAGE_<key>: (env value, TOML value, value read)
    "min_sell_to_cost": ("0.9", 1.2, (0.9, 1.2)),
    "pause_after_losses": ("4", 3, (4, 3)),
    "pause_after_losses_for": ("2h", "30m", (7200.0, 1800.0)),
    "pause_after_loss_over": ("50_000", 5000, (50_000, 5000)),
    "run_budget_share": ("0.25", 0.75, (0.25, 0.75)),
    "saturated_supply": ("ABUNDANT", "MODERATE", ("ABUNDANT", "MODERATE")),
}


@pytest.mark.parametrize("key", sorted(MIRRORED))
def test_each_mirrored_setting_is_read_from_the_environment_and_from_toml(key: str, tmp_path: Path):
    env_value, toml_value, (from_env, from_toml) = MIRRORED[key]
    toml = tmp_path / "config.toml"
    toml.write_text(f"[arbitrage]\n{key} = {toml_value!r}\n".replace("'", '"'))

    assert getattr(load_settings({}, toml).arbitrage, key) == from_toml
    assert getattr(load_settings({f"ST_ARBITRAGE_{key.upper()}": env_value}, toml).arbitrage, key) == from_env
    # Setting the arbitrage key leaves the manufacturing one (where there is one) at its default.
    manufacturing = load_settings({f"ST_ARBITRAGE_{key.upper()}": env_value}).manufacturing
    assert getattr(manufacturing, key, None) == getattr(load_settings({}).manufacturing, key, None)


def test_the_defaults_are_the_values_trade_runs_had(tmp_path: Path):
    """Nothing set: trade runs get what they took from the manufacturing section before, and HIGH saturates."""
    r = runtime({}, tmp_path)
    config, worker = bootstrap._coordinator_config(r), bootstrap._arbitrage_worker_config(r)
    assert (config.arbitrage_pause_after_losses, config.arbitrage_pause_after_losses_for,
            config.arbitrage_pause_after_loss_over, config.arbitrage_run_budget_share) == (
        config.pause_after_losses, config.pause_after_losses_for, config.pause_after_loss_over,
        config.run_budget_share) == (2, 3600.0, 20_000, 0.5)
    assert worker.min_sell_to_cost == bootstrap._production_config(r).min_sell_to_cost == 1.0
    assert bootstrap._route_finder_config(r).saturated_supply is SupplyLevel.HIGH


def test_the_arbitrage_settings_reach_trade_runs_and_not_manufacturing(tmp_path: Path):
    r = runtime({"ST_ARBITRAGE_MIN_SELL_TO_COST": "0.8", "ST_ARBITRAGE_PAUSE_AFTER_LOSSES": "5",
                 "ST_ARBITRAGE_PAUSE_AFTER_LOSSES_FOR": "3h", "ST_ARBITRAGE_PAUSE_AFTER_LOSS_OVER": "9000",
                 "ST_ARBITRAGE_RUN_BUDGET_SHARE": "0.2", "ST_ARBITRAGE_SATURATED_SUPPLY": "abundant"}, tmp_path)

    config = bootstrap._coordinator_config(r)
    assert (config.arbitrage_pause_after_losses, config.arbitrage_pause_after_losses_for,
            config.arbitrage_pause_after_loss_over, config.arbitrage_run_budget_share) == (5, 10_800.0, 9000, 0.2)
    assert (config.pause_after_losses, config.pause_after_losses_for, config.pause_after_loss_over,
            config.run_budget_share) == (2, 3600.0, 20_000, 0.5)
    assert bootstrap._arbitrage_worker_config(r).min_sell_to_cost == 0.8
    production = bootstrap._production_config(r)
    assert (production.min_sell_to_cost, production.run_budget_share) == (1.0, 0.5)
    assert bootstrap._route_finder_config(r).saturated_supply is SupplyLevel.ABUNDANT


def test_the_manufacturing_settings_no_longer_reach_trade_runs(tmp_path: Path):
    r = runtime({"ST_MANUFACTURING_MIN_SELL_TO_COST": "0.7", "ST_MANUFACTURING_PAUSE_AFTER_LOSSES": "6",
                 "ST_MANUFACTURING_PAUSE_AFTER_LOSSES_FOR": "4h", "ST_MANUFACTURING_PAUSE_AFTER_LOSS_OVER": "1",
                 "ST_MANUFACTURING_RUN_BUDGET_SHARE": "0.9"}, tmp_path)

    config = bootstrap._coordinator_config(r)
    assert (config.pause_after_losses, config.pause_after_losses_for, config.pause_after_loss_over,
            config.run_budget_share) == (6, 14_400.0, 1, 0.9)
    assert (config.arbitrage_pause_after_losses, config.arbitrage_pause_after_losses_for,
            config.arbitrage_pause_after_loss_over, config.arbitrage_run_budget_share) == (2, 3600.0, 20_000, 0.5)
    assert bootstrap._arbitrage_worker_config(r).min_sell_to_cost == 1.0


def test_the_trade_loss_pause_shrinks_with_the_game_speed_within_its_floor(tmp_path: Path):
    assert bootstrap._coordinator_config(runtime({"ST_ARBITRAGE_PAUSE_AFTER_LOSSES_FOR": "2h"}, tmp_path, 60.0)
                                         ).arbitrage_pause_after_losses_for == 120.0
    assert bootstrap._coordinator_config(runtime({"ST_ARBITRAGE_PAUSE_AFTER_LOSSES_FOR": "10m"}, tmp_path, 60.0)
                                         ).arbitrage_pause_after_losses_for == 60.0  # the floor, like manufacturing's


@pytest.mark.parametrize(("env", "message"), [
    ({"ST_ARBITRAGE_MIN_SELL_TO_COST": "cheap"}, "ST_ARBITRAGE_MIN_SELL_TO_COST=cheap: expected a number"),
    ({"ST_ARBITRAGE_MIN_SELL_TO_COST": "-0.5"}, "ST_ARBITRAGE_MIN_SELL_TO_COST=-0.5: must be at least 0"),
    ({"ST_ARBITRAGE_PAUSE_AFTER_LOSSES": "0"}, "ST_ARBITRAGE_PAUSE_AFTER_LOSSES=0: must be at least 1"),
    ({"ST_ARBITRAGE_PAUSE_AFTER_LOSSES": "two"}, "ST_ARBITRAGE_PAUSE_AFTER_LOSSES=two: expected a whole number"),
    ({"ST_ARBITRAGE_PAUSE_AFTER_LOSSES_FOR": "soon"},
     "ST_ARBITRAGE_PAUSE_AFTER_LOSSES_FOR=soon: expected a duration such as 30s, 2m or 1h"),
    ({"ST_ARBITRAGE_PAUSE_AFTER_LOSS_OVER": "-1"}, "ST_ARBITRAGE_PAUSE_AFTER_LOSS_OVER=-1: must be at least 0"),
    ({"ST_ARBITRAGE_RUN_BUDGET_SHARE": "0"}, "ST_ARBITRAGE_RUN_BUDGET_SHARE=0: must be at least 0.01"),
])
def test_a_bad_mirrored_value_is_one_line_naming_it(env: dict[str, str], message: str):
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    assert str(raised.value) == message


def test_a_bad_saturated_supply_names_the_setting_before_anything_starts(tmp_path: Path):
    settings = load_settings({"ST_ARBITRAGE_SATURATED_SUPPLY": "FULL"})
    with pytest.raises(ConfigError) as raised:
        bootstrap.check_arbitrage_settings(settings)
    assert str(raised.value) == ("arbitrage.saturated_supply = 'FULL' (ST_ARBITRAGE_SATURATED_SUPPLY): expected one "
                                 "of SCARCE, LIMITED, MODERATE, HIGH, ABUNDANT")
    with pytest.raises(ConfigError, match="ST_ARBITRAGE_SATURATED_SUPPLY"):
        bootstrap._route_finder_config(runtime({"ST_ARBITRAGE_SATURATED_SUPPLY": "FULL"}, tmp_path))


def test_the_loss_pause_rules_outside_a_daemon_are_the_ones_its_coordinator_applies(tmp_path: Path):
    # `status` rebuilds the pauses of a daemon whose record predates its rules with bootstrap.loss_pauses.
    env = {"ST_ARBITRAGE_PAUSE_AFTER_LOSSES": "5", "ST_MANUFACTURING_PAUSE_AFTER_LOSSES_FOR": "2h"}
    for time_scale, scaled in ((1.0, False), (60.0, False), (600.0, True)):
        r = replace(runtime(env, tmp_path, time_scale), rate_limit_scaled=scaled)
        config = bootstrap._coordinator_config(r)
        rules = bootstrap.loss_pauses(r.settings, time_scale, scaled)
        assert rules == {kind: config.loss_pause(kind) for kind in ("manufacturing", "arbitrage")}
    assert bootstrap.loss_pauses(load_settings(env), 60.0)["manufacturing"].seconds == 120.0  # 2 h at speed 60
    assert bootstrap.loss_pauses(load_settings({}), 600.0)["arbitrage"].seconds == 60.0  # at least a minute
