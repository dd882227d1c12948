"""The SLA clock: business hours, nights, weekends, holidays and daylight saving."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from beancan.care.sla import BusinessHours, first_response_due

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_around_the_clock_by_default():
    start = datetime(2026, 11, 7, 23, 30, tzinfo=UTC)
    assert BusinessHours().add(start, 3600) == start + timedelta(hours=1)


def test_office_hours_nights_weekends_and_holidays():
    hours = BusinessHours.from_config("Europe/Paris", WEEKDAYS, ["2026-11-11"])
    # Monday 08:00 local: the clock starts at 09:00.
    assert hours.add(paris(2026, 11, 9, 8, 0), 3600) == paris(2026, 11, 9, 10, 0)
    # Monday 16:30 + 1 h: 30 minutes today, 30 minutes on Tuesday morning.
    assert hours.add(paris(2026, 11, 9, 16, 30), 3600) == paris(2026, 11, 10, 9, 30)
    # Friday 16:00 + 2 h: Monday 10:00.
    assert hours.add(paris(2026, 11, 13, 16, 0), 7200) == paris(2026, 11, 16, 10, 0)
    # Tuesday 16:00 + 2 h: Wednesday 11 November is a holiday, so Thursday 10:00.
    assert hours.add(paris(2026, 11, 10, 16, 0), 7200) == paris(2026, 11, 12, 10, 0)
    assert hours.is_open(paris(2026, 11, 9, 9, 0)) and not hours.is_open(paris(2026, 11, 11, 10))
    assert hours.next_open(paris(2026, 11, 14, 12, 0)) == paris(2026, 11, 16, 9, 0)


def test_daylight_saving_days_keep_their_local_hours():
    every_day = {d: [["09:00", "17:00"]] for d in range(7)}
    hours = BusinessHours.from_config("Europe/Paris", every_day, [])
    # 29 March 2026: clocks go forward at 02:00; the 09:00-17:00 day is still 8 hours.
    sunday = paris(2026, 3, 29, 9, 0)
    assert hours.add(sunday, 8 * 3600) == paris(2026, 3, 29, 17, 0)
    assert hours.elapsed(paris(2026, 3, 28, 9), paris(2026, 3, 30, 9)) == 16 * 3600
    night = BusinessHours.from_config("Europe/Paris", {6: [["01:00", "05:00"]]}, [])
    # The night of the change has one hour less.
    assert night.elapsed(paris(2026, 3, 29, 0), paris(2026, 3, 29, 6)) == 3 * 3600


def test_elapsed_undoes_add():
    config = {d: [["08:30", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu")}
    config["sat"] = [["10:00", "14:00"]]
    hours = BusinessHours.from_config("America/New_York", config, [date(2026, 12, 25)])
    rng = random.Random(7)
    base = datetime(2026, 10, 1, tzinfo=UTC)
    for _ in range(300):
        start = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        seconds = rng.randrange(0, 3 * 24 * 3600)
        due = hours.add(start, seconds)
        assert due >= start
        assert hours.elapsed(start, due) == pytest.approx(seconds, abs=1e-6)


def test_a_long_target_and_the_first_response_rule():
    hours = BusinessHours.from_config("UTC", {"mon": [["00:00", "24:00"]]}, [])
    due = hours.add(datetime(2026, 11, 2, tzinfo=UTC), 30 * 86400)
    assert due == datetime(2026, 11, 2, tzinfo=UTC) + timedelta(weeks=29, days=1)
    start = datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert first_response_due(start, None, hours) is None
    assert first_response_due(start, 60, hours) == start + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("zone", "week", "holidays", "message"),
    [
        ("Mars/Olympus", None, [], "time zone"),
        ("UTC", {"funday": [["09:00", "10:00"]]}, [], "unknown day"),
        ("UTC", {"mon": [["10:00", "09:00"]]}, [], "ends before"),
        ("UTC", {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, [], "overlapping"),
        ("UTC", {"mon": [["9am", "12:00"]]}, [], "not a time"),
    ],
)
def test_bad_settings_say_what_is_wrong(zone, week, holidays, message):
    with pytest.raises(ValueError, match=message):
        BusinessHours.from_config(zone, week, holidays)


def test_no_open_time_and_naive_times_are_refused():
    closed = BusinessHours.from_config("UTC", {}, [])
    with pytest.raises(ValueError, match="no open time"):
        closed.add(datetime(2026, 1, 1, tzinfo=UTC), 60)
    with pytest.raises(ValueError, match="timezone-aware"):
        BusinessHours().add(datetime(2026, 1, 1), 60)
