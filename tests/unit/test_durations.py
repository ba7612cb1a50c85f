"""The one duration parser (configuration) and formatter (status screen, activity log)."""
import pytest

from adapters.durations import format_duration, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("2m", 120.0), ("30s", 30.0), ("1h", 3600.0), ("1.5h", 5400.0), ("250ms", 0.25), ("1d", 86400.0),
    ("90", 90.0), (" 45 s ", 45.0),
])
def test_written_durations_become_seconds(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "2 minutes", "-5s", "1w", "m", "2m30s"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(("seconds", "precise", "coarse"), [
    (0, "0 s", "0 s"),
    (45.4, "45 s", "45 s"),
    (95, "1 min 35 s", "1 min"),
    (1800, "30 min", "30 min"),
    (3600, "1 h", "1 h"),
    (7500, "2 h 5 min", "2 h 5 min"),
    (90000, "1 d 1 h", "1 d 1 h"),
    (-95, "1 min 35 s", "1 min"),
])
def test_seconds_are_shown_in_their_two_largest_units(seconds, precise, coarse):
    assert format_duration(seconds) == precise
    assert format_duration(seconds, smallest="min") == coarse
