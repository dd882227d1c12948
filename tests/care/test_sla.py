"""The SLA clock against hand-worked deadlines (nights, weekends, holidays, daylight saving) and,
on random instants, against a wall-clock reading of the calendar and its own inverse."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from beancan.care.sla import BusinessHours, first_response_due

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600
OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def new_york(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


@pytest.fixture
def office() -> BusinessHours:
    return BusinessHours.from_config("Europe/Paris", OFFICE, [])


# ------------------------------------------------------------------ around the clock


def test_around_the_clock_by_default():
    hours = BusinessHours()
    rng = random.Random(1)
    for _ in range(50):
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**8))
        seconds = rng.randrange(10**7)
        due = hours.add(start, seconds)
        assert due == start + timedelta(seconds=seconds)
        assert due.utcoffset() == timedelta(0)
        assert hours.is_open(start) and hours.next_open(start) == start
        assert hours.elapsed(start, due) == seconds


def test_around_the_clock_with_a_holiday_closes_that_local_day():
    hours = BusinessHours.from_config("Europe/Paris", None, ["2026-12-25"])
    assert hours.add(paris(2026, 12, 24, 23, 0), 2 * HOUR) == paris(2026, 12, 26, 1, 0)
    assert not hours.is_open(paris(2026, 12, 25, 12, 0))
    assert hours.elapsed(paris(2026, 12, 24, 12), paris(2026, 12, 26, 12)) == 24 * HOUR


# ------------------------------------------------------------------ office hours


def test_start_before_opening(office):
    # Tuesday 07:30: the clock waits for 09:00.
    assert office.add(paris(2026, 1, 6, 7, 30), HOUR) == paris(2026, 1, 6, 10, 0)
    assert office.add(paris(2026, 1, 6, 7, 30), 0) == paris(2026, 1, 6, 9, 0)
    assert office.add(paris(2026, 1, 6, 10, 15), 0) == paris(2026, 1, 6, 10, 15)


def test_spanning_the_night(office):
    # Tuesday 16:00 + 3 h: one hour today, two tomorrow morning.
    assert office.add(paris(2026, 1, 6, 16, 0), 3 * HOUR) == paris(2026, 1, 7, 11, 0)
    # Exactly the rest of the day ends at closing time, not at the next opening.
    assert office.add(paris(2026, 1, 6, 16, 0), HOUR) == paris(2026, 1, 6, 17, 0)
    assert office.elapsed(paris(2026, 1, 6, 16, 0), paris(2026, 1, 7, 11, 0)) == 3 * HOUR


def test_friday_evening_to_monday(office):
    assert office.add(paris(2026, 1, 9, 16, 30), HOUR) == paris(2026, 1, 12, 9, 30)
    assert office.add(paris(2026, 1, 9, 20, 0), 0) == paris(2026, 1, 12, 9, 0)
    assert office.next_open(paris(2026, 1, 10, 12, 0)) == paris(2026, 1, 12, 9, 0)
    assert office.next_open(paris(2026, 1, 9, 17, 0)) == paris(2026, 1, 12, 9, 0)
    assert office.is_open(paris(2026, 1, 9, 16, 59)) and not office.is_open(paris(2026, 1, 9, 17))
    assert office.elapsed(paris(2026, 1, 9, 12, 0), paris(2026, 1, 12, 12, 0)) == 8 * HOUR


def test_a_holiday_is_skipped():
    # Monday 2026-04-06 is Easter Monday.
    hours = BusinessHours.from_config("Europe/Paris", OFFICE, ["2026-04-06", date(2026, 5, 1)])
    assert hours.add(paris(2026, 4, 3, 16, 30), HOUR) == paris(2026, 4, 7, 9, 30)
    assert not hours.is_open(paris(2026, 4, 6, 10, 0))
    assert hours.next_open(paris(2026, 4, 6, 10, 0)) == paris(2026, 4, 7, 9, 0)
    assert hours.elapsed(paris(2026, 4, 3, 9), paris(2026, 4, 8, 9)) == 16 * HOUR


def test_instants_in_any_zone_give_utc(office):
    start = datetime(2026, 1, 6, 12, 0, tzinfo=timezone(timedelta(hours=5)))  # 08:00 in Paris
    due = office.add(start, HOUR)
    assert due.tzinfo is UTC
    assert due == paris(2026, 1, 6, 10, 0)
    assert office.next_open(start).tzinfo is UTC


# ------------------------------------------------------------------ daylight saving


@pytest.mark.parametrize(
    ("zone", "spring", "autumn"),
    [
        ("Europe/Paris", date(2026, 3, 29), date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ],
)
def test_daylight_saving_days_keep_their_wall_clock_hours(zone, spring, autumn):
    tz = ZoneInfo(zone)
    both = [spring.isoformat(), autumn.isoformat()]

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=tz)

    # Both changes are on a Sunday, and a 09:00-17:00 Sunday is 8 hours either way.
    day = BusinessHours.from_config(zone, {"sun": [["09:00", "17:00"]]}, [])
    for sunday in (spring, autumn):
        assert day.elapsed(at(sunday, 0), at(sunday + timedelta(days=1), 0)) == 8 * HOUR
        assert day.add(at(sunday, 9), 8 * HOUR) == at(sunday, 17)
    # 01:00-05:00 across the change: an hour less in spring, an hour more in autumn.
    night = BusinessHours.from_config(zone, {"sun": [["01:00", "05:00"]]}, [])
    assert night.elapsed(at(spring, 0), at(spring, 6)) == 3 * HOUR
    assert night.elapsed(at(autumn, 0), at(autumn, 6)) == 5 * HOUR
    assert night.add(at(spring, 0), 3 * HOUR) == at(spring, 5)
    assert night.add(at(autumn, 0), 5 * HOUR) == at(autumn, 5)
    # The days either side are the plain 4 hours.
    week_before = spring - timedelta(days=7)
    assert night.elapsed(at(week_before, 0), at(week_before, 6)) == 4 * HOUR
    # Around the clock (a holiday elsewhere, so no shortcut): the weeks are 167 and 169 hours.
    always = BusinessHours.from_config(zone, None, ["2026-01-01"])
    for sunday, length in ((spring, 167), (autumn, 169)):
        monday = sunday - timedelta(days=6)
        assert always.elapsed(at(monday, 0), at(monday + timedelta(days=7), 0)) == length * HOUR
        assert always.add(at(monday, 0), length * HOUR) == at(monday + timedelta(days=7), 0)
    closed_on_both = BusinessHours.from_config(zone, None, both)
    assert closed_on_both.elapsed(at(spring, 0), at(spring + timedelta(days=1), 0)) == 0
    assert closed_on_both.next_open(at(spring, 12)) == at(spring + timedelta(days=1), 0)


def test_nonexistent_and_repeated_times_take_fold_zero():
    # New York, 8 March 2026: 02:00 jumps to 03:00. 02:30 (fold=0, the offset before the change)
    # is 07:30 UTC, which is 03:30 on the clock: 02:30-04:00 is 30 minutes.
    gap = BusinessHours.from_config("America/New_York", {"sun": [["02:30", "04:00"]]}, [])
    assert gap.next_open(new_york(2026, 3, 8, 0)) == new_york(2026, 3, 8, 3, 30)
    assert gap.elapsed(new_york(2026, 3, 8, 0), new_york(2026, 3, 8, 6)) == 30 * 60
    # Hours wholly inside the gap do not exist that day.
    lost = BusinessHours.from_config("America/New_York", {"sun": [["02:00", "03:00"]]}, [])
    assert lost.elapsed(new_york(2026, 3, 8, 0), new_york(2026, 3, 8, 6)) == 0
    assert lost.next_open(new_york(2026, 3, 8, 0)) == new_york(2026, 3, 15, 2, 0)
    # 02:30-02:45 lands at 03:30-03:45, inside 03:00-04:00: that hour is counted once, whole.
    both = {"sun": [["02:30", "02:45"], ["03:00", "04:00"]]}
    merged = BusinessHours.from_config("America/New_York", both, [])
    assert merged.next_open(new_york(2026, 3, 8, 0)) == new_york(2026, 3, 8, 3, 0)
    assert merged.elapsed(new_york(2026, 3, 8, 0), new_york(2026, 3, 8, 6)) == HOUR
    # 1 November 2026: 01:00-02:00 happens twice; 01:00 is the first one, so 01:00-02:00 is 2 h.
    twice = BusinessHours.from_config("America/New_York", {"sun": [["01:00", "02:00"]]}, [])
    assert twice.next_open(new_york(2026, 11, 1, 0)) == datetime(2026, 11, 1, 5, tzinfo=UTC)
    assert twice.elapsed(new_york(2026, 11, 1, 0), new_york(2026, 11, 1, 6)) == 2 * HOUR


def test_a_date_the_zone_skips_has_no_hours():
    # Samoa skipped Friday 30 December 2011 (midnight on the 29th was midnight on the 31st). The
    # skipped date's 09:00-17:00 would land on the 31st's hours; counted once, two days are 16 h.
    apia = ZoneInfo("Pacific/Apia")
    hours = BusinessHours.from_config(
        "Pacific/Apia", {d: [["09:00", "17:00"]] for d in range(7)}, []
    )
    start, end = datetime(2011, 12, 29, tzinfo=apia), datetime(2012, 1, 1, tzinfo=apia)
    assert hours.elapsed(start, end) == 16 * HOUR
    assert hours.add(start, 16 * HOUR) == datetime(2011, 12, 31, 17, tzinfo=apia)
    assert hours.next_open(datetime(2011, 12, 29, 17, tzinfo=apia)) == datetime(
        2011, 12, 31, 9, tzinfo=apia
    )


# ------------------------------------------------------------------ random instants

RANDOM_WEEK = {
    "mon": [["09:00", "12:30"], ["13:30", "18:00"]],
    "tue": [["09:00", "12:30"], ["13:30", "18:00"]],
    "wed": [["09:00", "12:30"], ["13:30", "18:00"]],
    "thu": [["09:00", "12:30"], ["13:30", "18:00"]],
    "fri": [["09:00", "12:30"], ["13:30", "17:00"]],
    "sat": [["10:00", "14:00"]],
    "sun": [["22:00", "24:00"]],
}
RANDOM_HOLIDAYS = ["2026-05-01", "2026-07-14", "2026-12-25"]


def wall_clock_open(at: datetime) -> bool:
    """The random calendar read off the local clock, as a person would."""
    local = at.astimezone(PARIS)
    if local.date().isoformat() in RANDOM_HOLIDAYS:
        return False
    now = local.strftime("%H:%M")
    intervals = RANDOM_WEEK[("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]]
    return any(start <= now < end for start, end in intervals)


@pytest.fixture(scope="module")
def calendar() -> BusinessHours:
    return BusinessHours.from_config("Europe/Paris", RANDOM_WEEK, RANDOM_HOLIDAYS)


def random_instant(rng: random.Random) -> datetime:
    """An instant in 2026 (both DST changes), often on a minute, sometimes with microseconds."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    if rng.random() < 0.5:
        return base + timedelta(minutes=rng.randrange(365 * 24 * 60))
    return base + timedelta(microseconds=rng.randrange(365 * 86400 * 10**6))


def test_is_open_agrees_with_the_wall_clock(calendar):
    rng = random.Random(11)
    instants = [random_instant(rng) for _ in range(2000)]
    # And every minute of both DST change days and of the 1 May holiday.
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 5, 1)):
        first = datetime.combine(day, time(0), tzinfo=PARIS).astimezone(UTC)
        instants += [first + timedelta(minutes=m) for m in range(25 * 60)]
    opened = [at for at in instants if calendar.is_open(at)]
    assert 0.1 * len(instants) < len(opened) < 0.6 * len(instants)
    for at in instants:
        assert calendar.is_open(at) == wall_clock_open(at), at.astimezone(PARIS)


def test_elapsed_undoes_add(calendar):
    rng = random.Random(7)
    for _ in range(400):
        start = random_instant(rng)
        seconds = rng.choice([0, rng.randrange(1, 3600), rng.randrange(20 * 24 * 3600)])
        seconds += rng.randrange(10**6) / 10**6 if rng.random() < 0.3 else 0
        due = calendar.add(start, seconds)
        assert due >= start
        assert calendar.elapsed(start, due) == pytest.approx(seconds, abs=1e-6)
        if seconds == 0:
            assert due == calendar.next_open(start)
            assert calendar.is_open(due)
        else:
            # The first such instant: a microsecond earlier is not enough, and it was open then.
            before = due - timedelta(microseconds=1)
            assert calendar.elapsed(start, before) < seconds
            assert calendar.is_open(before)


def test_add_in_two_steps_is_add_in_one(calendar):
    rng = random.Random(3)
    for _ in range(200):
        start = random_instant(rng)
        first, second = rng.randrange(1, 10**6), rng.randrange(1, 10**6)
        assert calendar.add(calendar.add(start, first), second) == calendar.add(
            start, first + second
        )


def test_elapsed_adds_up_and_next_open_is_open(calendar):
    rng = random.Random(5)
    for _ in range(200):
        a, b, c = sorted(random_instant(rng) for _ in range(3))
        assert calendar.elapsed(a, c) == pytest.approx(
            calendar.elapsed(a, b) + calendar.elapsed(b, c), abs=1e-6
        )
        assert calendar.elapsed(c, a) == 0
        opening = calendar.next_open(a)
        assert opening >= a and calendar.is_open(opening)
        assert calendar.elapsed(a, opening) == 0
        assert (opening == a) == calendar.is_open(a)


# ------------------------------------------------------------------ long targets and no open time


def test_a_large_target(office):
    # 30 days of business time are 90 office days of 8 hours: 18 weeks, across the spring change.
    due = office.add(paris(2026, 1, 5, 9, 0), 30 * 86400)
    assert due == paris(2026, 5, 8, 17, 0)
    assert office.elapsed(paris(2026, 1, 5, 9, 0), due) == 30 * 86400
    # Ten years of business time: about 12,500 office days, still counted right.
    ten_years = office.add(paris(2026, 1, 5, 9, 0), 10 * 365 * 86400)
    assert office.elapsed(paris(2026, 1, 5, 9, 0), ten_years) == 10 * 365 * 86400


def test_years_of_holidays_are_waited_out():
    # Only Mondays are open, and ten years of Mondays are holidays: far more than a few hundred
    # closed days in a row, yet there is open time after them.
    mondays = [date(2026, 1, 5) + timedelta(weeks=w) for w in range(520)]
    hours = BusinessHours.from_config("UTC", {"mon": [["09:00", "17:00"]]}, mondays)
    first_open = datetime.combine(mondays[-1] + timedelta(weeks=1), time(9), tzinfo=UTC)
    assert first_open.year == 2035
    assert hours.add(datetime(2026, 1, 1, tzinfo=UTC), HOUR) == first_open + timedelta(hours=1)


@pytest.mark.parametrize(
    "hours",
    [
        BusinessHours.from_config("UTC", {}, []),
        BusinessHours.from_config("Europe/Paris", {"mon": [], "sat": None}, []),
    ],
)
def test_no_open_time_raises(hours):
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match=r"^business hours have no open time$"):
        hours.add(at, 60)
    with pytest.raises(ValueError, match="no open time"):
        hours.next_open(at)
    with pytest.raises(ValueError, match="no open time"):
        first_response_due(at, 60, hours)
    assert not hours.is_open(at)
    assert hours.elapsed(at, at + timedelta(days=30)) == 0


# ------------------------------------------------------------------ first response


def test_first_response_due(office):
    first_inbound = paris(2026, 1, 9, 16, 30)
    assert first_response_due(first_inbound, None, office) is None
    assert first_response_due(first_inbound, HOUR, office) == paris(2026, 1, 12, 9, 30)
    assert first_response_due(first_inbound, 0, office) == first_inbound


# ------------------------------------------------------------------ configuration


def test_from_config_reads_json_ish_settings():
    expected = BusinessHours(
        "Europe/Paris",
        {0: [("09:00", "17:00")], 5: [("10:00", "12:00")], 6: [("20:00", "24:00")]},
        frozenset({date(2026, 12, 25), date(2026, 5, 1)}),
    )
    read = BusinessHours.from_config(
        "Europe/Paris",
        {"Mon": [["09:00", "17:00"]], "5": [["10:00", "12:00"]], 6: [("20:00", "24:00")]},
        ["2026-12-25", date(2026, 5, 1)],
    )
    assert read == expected
    assert hash(read) == hash(expected)
    assert read.is_open(paris(2026, 1, 4, 23, 59)) and not read.is_open(paris(2026, 1, 5, 0, 0))
    assert BusinessHours.from_config("UTC", None, None) == BusinessHours()


@pytest.mark.parametrize(
    ("zone", "week", "holidays", "message"),
    [
        ("Mars/Olympus", None, [], "unknown time zone 'Mars/Olympus'"),
        ("", None, [], "unknown time zone"),
        ("UTC", {"funday": [["09:00", "10:00"]]}, [], "unknown day 'funday'"),
        ("UTC", {7: [["09:00", "10:00"]]}, [], "unknown day 7"),
        ("UTC", {"mon": [["09:00", "10:00"]], 0: []}, [], "mon is given twice"),
        ("UTC", {"mon": [["25:00", "26:00"]]}, [], "'25:00' on mon is not a time"),
        ("UTC", {"mon": [["9am", "12:00"]]}, [], "'9am' on mon is not a time"),
        ("UTC", {"tue": [["09:60", "12:00"]]}, [], "'09:60' on tue is not a time"),
        ("UTC", {"mon": [["24:00", "24:00"]]}, [], "24:00-24:00 on mon ends before it starts"),
        ("UTC", {"mon": [["10:00", "09:00"]]}, [], "10:00-09:00 on mon ends before it starts"),
        ("UTC", {"mon": [["10:00", "10:00"]]}, [], "ends before it starts"),
        (
            "UTC",
            {"wed": [["13:00", "18:00"], ["09:00", "13:30"]]},
            [],
            "overlapping hours on wed: 09:00-13:30 and 13:00-18:00",
        ),
        ("UTC", {"mon": [["09:00"]]}, [], "is not a \\[start, end\\] pair"),
        ("UTC", {"mon": "09:00-17:00"}, [], "mon must be a list"),
        ("UTC", None, ["25/12/2026"], "holiday '25/12/2026' is not a date"),
    ],
)
def test_bad_settings_say_what_is_wrong(zone, week, holidays, message):
    with pytest.raises(ValueError, match=message) as error:
        BusinessHours.from_config(zone, week, holidays)
    assert "\n" not in str(error.value)
    assert str(error.value).startswith("business hours: ")


def test_touching_intervals_are_fine():
    hours = BusinessHours.from_config("UTC", {"mon": [["12:00", "17:00"], ["09:00", "12:00"]]}, [])
    assert hours.add(datetime(2026, 1, 5, 9, tzinfo=UTC), 8 * HOUR) == datetime(
        2026, 1, 5, 17, tzinfo=UTC
    )


def test_direct_construction_is_checked_too():
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessHours("Nowhere/Land")
    with pytest.raises(ValueError, match="unknown day 'mon'"):
        BusinessHours("UTC", {"mon": [("09:00", "17:00")]})
    with pytest.raises(ValueError, match="ends before it starts"):
        BusinessHours("UTC", {0: [("17:00", "09:00")]})


def test_naive_times_and_bad_targets_are_refused(office):
    naive, aware = datetime(2026, 1, 6, 10), datetime(2026, 1, 6, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match=r"^start must be timezone-aware$"):
        office.add(naive, 60)
    with pytest.raises(ValueError, match="must be timezone-aware"):
        office.is_open(naive)
    with pytest.raises(ValueError, match="must be timezone-aware"):
        office.next_open(naive)
    with pytest.raises(ValueError, match=r"^end must be timezone-aware$"):
        office.elapsed(aware, naive)
    with pytest.raises(ValueError, match="must be timezone-aware"):
        first_response_due(naive, 60, BusinessHours())
    for seconds in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="finite number"):
            office.add(aware, seconds)
