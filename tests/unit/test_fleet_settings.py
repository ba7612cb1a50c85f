"""The [fleet] settings: ST_FLEET_* over defaults, and the FleetConfig the composition root makes of them."""
from pathlib import Path

import bootstrap
from adapters.config.loader import load_settings
from domain.symbols import SystemSymbol


def runtime(env: dict[str, str], tmp_path: Path, time_scale: float = 1.0, scaled: bool = False) -> bootstrap.Runtime:
    return bootstrap.Runtime(settings=load_settings(env), base_url="http://127.0.0.1:1/v2", token="t", player="P",
                             system=SystemSymbol("X1-S"), run_dir=tmp_path, database_url="sqlite://",
                             time_scale=time_scale, rate_limit_scaled=scaled)


def test_the_fleet_grows_by_return_by_default_with_caps_far_above_the_old_four_and_three(tmp_path: Path):
    config = bootstrap._fleet_config(runtime({}, tmp_path))
    assert (config.max_haulers, config.max_probes) == (30, 40)
    assert (config.payback, config.return_window, config.signal_run_time) == (3 * 3600, 3 * 3600, 3600)
    # A fresh agent's 175,000 credits buy a probe (~21,600) and keep the money to trade with.
    assert config.probe_min_credits == 100_000 and config.credit_reserve == 60_000


def test_fleet_variables_reach_the_fleet_config_and_its_spans_follow_the_game_speed(tmp_path: Path):
    env = {"ST_FLEET_PAYBACK": "2h", "ST_FLEET_RETURN_WINDOW": "90m", "ST_FLEET_MAX_HAULERS": "12",
           "ST_FLEET_PROBE_MIN_CREDITS": "80000", "ST_FLEET_SAVING_PROBES_PER_SHIP": "1"}
    config = bootstrap._fleet_config(runtime(env, tmp_path, time_scale=20, scaled=True))
    assert (config.max_haulers, config.probe_min_credits, config.saving_probes_per_ship) == (12, 80_000, 1)
    # The bot's clock runs in wall time: a game span is 20 times shorter at speed 20.
    assert (config.payback, config.return_window, config.signal_run_time) == (360, 270, 180)


def test_a_trial_period_of_0_turns_the_trial_off_at_any_speed(tmp_path: Path):
    # The spans' floor once made 0 a trial of 1 s (0.05 s at speed 20): no hauler passed it, and the fleet stopped
    # at one hauler where the setting said the average return would decide.
    for time_scale, scaled in ((1.0, False), (20.0, True)):
        config = bootstrap._fleet_config(runtime({"ST_FLEET_TRIAL_PERIOD": "0"}, tmp_path, time_scale, scaled))
        assert config.trial_period == 0
    assert bootstrap._fleet_config(runtime({}, tmp_path, 20.0, True)).trial_period == 180
