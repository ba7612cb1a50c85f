"""Factory lines as pure functions: throughput bounded by the scarcest input and by the line's capacity, and output
beyond the template's only from inputs delivered, 3 input units per unit."""
from __future__ import annotations

import math

from adapters.game_server.economy import EconomySettings
from adapters.game_server.production import (
    extra_output, feed_of, line_capacity, link_factories, natural_rate, restock_rate, throughput,
)
from adapters.game_server.state import MarketGood, Recipe

SETTINGS = EconomySettings()
IRON, FERTILIZERS = 1394.0, 268.0      # equilibrium stocks of a tradeVolume-60 and a tradeVolume-20 input
CAPACITY = IRON / (SETTINGS.input_units_per_output * SETTINGS.line_drain_minutes)


def test_the_feed_is_the_scarcest_input() -> None:
    assert feed_of([2.0, 0.5, 1.0]) == 0.5
    assert feed_of([]) == 0.0
    assert feed_of([-1.0]) == 0.0


def test_the_shallowest_input_sets_a_lines_capacity() -> None:
    # At full throughput the line consumes that input's equilibrium stock in line_drain_minutes.
    assert math.isclose(line_capacity([IRON], SETTINGS), CAPACITY)
    assert math.isclose(line_capacity([IRON, FERTILIZERS], SETTINGS) * SETTINGS.input_units_per_output
                        * SETTINGS.line_drain_minutes, FERTILIZERS)


def test_throughput_follows_the_feed_up_to_the_lines_capacity() -> None:
    assert throughput(0.0, CAPACITY, SETTINGS) == 0.0
    assert math.isclose(throughput(SETTINGS.full_feed / 2, CAPACITY, SETTINGS), CAPACITY / 2)
    assert throughput(SETTINGS.full_feed, CAPACITY, SETTINGS) == CAPACITY
    assert throughput(100 * SETTINGS.full_feed, CAPACITY, SETTINGS) == CAPACITY   # a line has a maximum


def test_a_line_runs_below_what_its_feed_allows_unless_its_export_is_bought_down() -> None:
    assert math.isclose(natural_rate(1.0, CAPACITY, SETTINGS),
                        throughput(1.0, CAPACITY, SETTINGS) / SETTINGS.line_headroom)
    assert restock_rate(0.0, SETTINGS) == 0.0 and restock_rate(-50.0, SETTINGS) == 0.0
    assert math.isclose(restock_rate(100.0, SETTINGS) * SETTINGS.restock_half_life_minutes, 100 * math.log(2))


def test_a_line_at_its_template_adds_nothing() -> None:
    # The background trade takes what the template's line makes: only what agents change moves stocks.
    assert extra_output(0.7, 0.7, CAPACITY, 0.0, 60.0, [500.0], SETTINGS) == 0.0


def test_delivered_inputs_add_output_and_a_starved_line_falls_short() -> None:
    fed = extra_output(2.0, 1.0, CAPACITY, 0.0, 10.0, [4000.0], SETTINGS)
    starved = extra_output(0.0, 1.0, CAPACITY, 0.0, 10.0, [0.0], SETTINGS)
    natural = CAPACITY / SETTINGS.full_feed / SETTINGS.line_headroom
    assert math.isclose(fed, natural * (2.0 - 1.0) * 10.0)
    assert math.isclose(starved, -natural * 1.0 * 10.0)


def test_a_bought_down_export_is_restocked_within_what_the_feed_allows() -> None:
    small = extra_output(1.0, 1.0, CAPACITY, 10.0, 1.0, [4000.0], SETTINGS)
    assert math.isclose(small, restock_rate(10.0, SETTINGS))
    huge = extra_output(1.0, 1.0, CAPACITY, 1e6, 1.0, [4000.0], SETTINGS)
    assert math.isclose(huge, throughput(1.0, CAPACITY, SETTINGS) - natural_rate(1.0, CAPACITY, SETTINGS))
    assert extra_output(0.0, 1.0, CAPACITY, 1e6, 1.0, [0.0], SETTINGS) < 0      # no inputs, no restock


def test_output_never_uses_more_input_than_the_market_holds() -> None:
    # 30 units of each of two inputs make at most 30 * 2 / 3 = 20 units.
    extra = extra_output(SETTINGS.full_feed, 0.0, CAPACITY, 1e6, 1e6, [30.0, 900.0], SETTINGS)
    assert math.isclose(extra, 30.0 * 2 / SETTINGS.input_units_per_output)


def test_link_marks_factory_exports_and_consumed_imports() -> None:
    def good(symbol: str, kind: str) -> MarketGood:
        return MarketGood(symbol, kind, 20, 100.0, 268.0, 268.0)
    goods = {"MACHINERY": good("MACHINERY", "EXPORT"), "IRON": good("IRON", "IMPORT"),
             "FOOD": good("FOOD", "IMPORT")}
    link_factories(goods, (Recipe("MACHINERY", ("IRON",)),))
    assert goods["MACHINERY"].factory and goods["IRON"].consumed
    assert not goods["FOOD"].consumed and not goods["FOOD"].factory
