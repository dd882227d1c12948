"""The SLA clock: business hours in a local time zone, and deadlines counted in open time.

Pure standard library (zoneinfo for the zones). Every instant taken in must be timezone-aware;
every instant given back is timezone-aware UTC.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MINUTES_PER_DAY = 24 * 60
_ALWAYS_OPEN = ((0, _MINUTES_PER_DAY),)
_HHMM = re.compile(r"([0-9]{1,2}):([0-9]{2})")
# Days in a row that the week says are open but that have no open time left (not holidays: those
# are finite), before a calendar counts as having no open time. Only hours lost in a DST gap can
# empty such a day, and a gap comes once or twice a year, so this bound is a safety net.
_MAX_IDLE_DAYS = 800

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """When a care team is open: weekly local hours minus holidays; None week means 24/7."""

    timezone: str = "UTC"
    week: dict[int, list[tuple[str, str]]] | None = field(default=None, hash=False)
    holidays: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _minutes: tuple[tuple[tuple[int, int], ...], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", _zone(self.timezone))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if self.week is None:
            minutes = (_ALWAYS_OPEN,) * 7
        else:
            unknown = [
                day
                for day in self.week
                if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6
            ]
            if unknown:
                raise ValueError(
                    f"business hours: unknown day {unknown[0]!r} (use 0..6, 0 is Monday)"
                )
            minutes = tuple(
                _parse_day(DAY_NAMES[day], self.week.get(day) or ()) for day in range(7)
            )
        object.__setattr__(self, "_minutes", minutes)

    @classmethod
    def from_config(
        cls,
        timezone: str,
        week: Mapping[object, object] | None,
        holidays: Iterable[str | date] | None,
    ) -> BusinessHours:
        """Business hours from JSON-ish settings; a ValueError names the first thing wrong."""
        days: dict[int, list[tuple[str, str]]] | None = None
        if week is not None:
            days = {}
            for key, intervals in week.items():
                day = _day_number(key)
                if day in days:
                    raise ValueError(f"business hours: {DAY_NAMES[day]} is given twice")
                days[day] = _intervals(DAY_NAMES[day], intervals)
        return cls(timezone, days, frozenset(_holiday(item) for item in holidays or ()))

    def is_open(self, at: datetime) -> bool:
        """Whether the team is open at this instant."""
        at = _utc(at, "at")
        local_day = at.astimezone(self._zone).date()
        return any(
            start <= at < end
            for day in (local_day - timedelta(days=1), local_day, local_day + timedelta(days=1))
            for start, end in self._day_spans(day)
        )

    def next_open(self, at: datetime) -> datetime:
        """The first open instant at or after `at` (UTC)."""
        at = _utc(at, "at")
        for start, _ in self._spans_from(at):
            return start
        raise AssertionError("unreachable: _spans_from never ends")  # pragma: no cover

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant (UTC) when `seconds` of open time have passed since `start`."""
        start = _utc(start, "start")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, not {seconds!r}")
        left = timedelta(seconds=seconds)
        if self.week is None and not self.holidays:
            return start + left
        for span_start, span_end in self._spans_from(start):
            if left <= span_end - span_start:
                return span_start + left
            left -= span_end - span_start
        raise AssertionError("unreachable: _spans_from never ends")  # pragma: no cover

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Open seconds between two instants; 0 if `end` is not after `start`."""
        start, end = _utc(start, "start"), _utc(end, "end")
        if end <= start:
            return 0.0
        if self.week is None and not self.holidays:
            return (end - start).total_seconds()
        day = start.astimezone(self._zone).date() - timedelta(days=1)
        last = end.astimezone(self._zone).date() + timedelta(days=1)
        total = timedelta()
        while day <= last:
            for span_start, span_end in self._day_spans(day):
                overlap = min(span_end, end) - max(span_start, start)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds()

    def _spans_from(self, at: datetime) -> Iterator[Span]:
        """Open spans in time order from `at` on, the first clipped to begin at `at`; endless."""
        if not any(self._minutes):
            raise ValueError("business hours have no open time")
        day = at.astimezone(self._zone).date() - timedelta(days=1)
        idle = 0
        while True:
            spans = [(max(start, at), end) for start, end in self._day_spans(day) if end > at]
            if spans:
                idle = 0
                yield from spans
            elif day not in self.holidays and self._minutes[day.weekday()]:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise ValueError("business hours have no open time")
            day += timedelta(days=1)

    def _day_spans(self, day: date) -> list[Span]:
        """The open spans (UTC, sorted, disjoint) of one local date."""
        if day in self.holidays:
            return []
        # A local date owns the instants from its midnight to the next one, so that the spans of
        # neighbouring dates never overlap, even where a zone jumps across midnight.
        floor, ceiling = self._instant(day, 0), self._instant(day, _MINUTES_PER_DAY)
        # Sorted again in UTC: through a spring-forward gap, local order and UTC order can differ.
        clipped = sorted(
            (max(self._instant(day, first), floor), min(self._instant(day, last), ceiling))
            for first, last in self._minutes[day.weekday()]
        )
        spans: list[Span] = []
        for start, end in clipped:
            if start >= end:
                continue  # an interval lost in a spring-forward gap
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], end))
            else:
                spans.append((start, end))
        return spans

    def _instant(self, day: date, minute: int) -> datetime:
        """The UTC instant of a local wall-clock time, `minute` minutes after the date's 00:00."""
        day += timedelta(days=minute // _MINUTES_PER_DAY)
        minute %= _MINUTES_PER_DAY
        # fold=0 throughout. A repeated time (autumn) is its first occurrence. A time that does
        # not exist (spring gap) takes the offset from before the change, so through UTC it lands
        # as far past the gap as it was into it: 02:30 on a 02:00->03:00 day is 03:30. Intervals
        # across a change therefore keep their wall-clock meaning (01:00-05:00 is 3 h in spring).
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self._zone)
        return local.astimezone(UTC)


def first_response_due(
    first_inbound_at: datetime, target_seconds: float | None, hours: BusinessHours
) -> datetime | None:
    """When the first reply is due: the target in open time after the first unanswered message.

    The clock runs from the first inbound message still waiting for an answer; the customer's
    later messages do not restart it, so the caller passes that first time. No target, no due.
    """
    if target_seconds is None:
        return None
    return hours.add(first_inbound_at, target_seconds)


def _utc(at: datetime, name: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return at.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"business hours: unknown time zone {name!r}") from None


def _day_number(key: object) -> int:
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 6:
        return key
    if isinstance(key, str):
        name = key.strip().lower()
        if name in DAY_NAMES:
            return DAY_NAMES.index(name)
        if name in _FULL_DAY_NAMES:
            return _FULL_DAY_NAMES.index(name)
        if name in {"0", "1", "2", "3", "4", "5", "6"}:
            return int(name)
    raise ValueError(f"business hours: unknown day {key!r} (use mon..sun or 0..6)")


def _intervals(day: str, value: object) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"business hours: {day} must be a list of [start, end] pairs")
    return [_pair(day, item) for item in value]


def _pair(day: str, item: object) -> tuple[str, str]:
    if (
        isinstance(item, str)
        or not isinstance(item, Iterable)
        or len(pair := tuple(item)) != 2
        or not all(isinstance(part, str) for part in pair)
    ):
        raise ValueError(f"business hours: {item!r} on {day} is not a [start, end] pair")
    return pair[0], pair[1]


def _parse_day(day: str, intervals: Iterable[object]) -> tuple[tuple[int, int], ...]:
    spans = []
    for item in intervals:
        start, end = _pair(day, item)
        spans.append((_minute(day, start), _minute(day, end)))
        if spans[-1][0] >= spans[-1][1]:
            raise ValueError(f"business hours: {start}-{end} on {day} ends before it starts")
    spans.sort()
    for (start, end), (next_start, next_end) in pairwise(spans):
        if next_start < end:
            raise ValueError(
                f"business hours: overlapping hours on {day}: {_hhmm(start)}-{_hhmm(end)}"
                f" and {_hhmm(next_start)}-{_hhmm(next_end)}"
            )
    return tuple(spans)


def _minute(day: str, text: str) -> int:
    match = _HHMM.fullmatch(text.strip())
    if match:
        hour, minute = int(match[1]), int(match[2])
        if (hour < 24 and minute < 60) or (hour == 24 and minute == 0):
            return hour * 60 + minute
    raise ValueError(f"business hours: {text!r} on {day} is not a time like 09:00 (up to 24:00)")


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _holiday(item: str | date) -> date:
    if isinstance(item, date) and not isinstance(item, datetime):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item.strip())
        except ValueError:
            pass
    raise ValueError(f"business hours: holiday {item!r} is not a date like 2026-12-25")
