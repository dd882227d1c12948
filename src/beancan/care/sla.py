"""The SLA clock: business hours in a time zone, with holidays, and deadline arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SCAN_DAYS = 800


def _parse_time(text: str) -> time | None:
    if text == "24:00":
        return None  # the end of the day
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"business hours: {text!r} is not a time like 09:00") from exc


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("SLA clock times must be timezone-aware")
    return at


@dataclass(frozen=True)
class BusinessHours:
    timezone: str = "UTC"
    week: dict | None = None  # weekday 0..6 -> [(start, end)], local "HH:MM"; None: 24/7
    holidays: frozenset = frozenset()

    @classmethod
    def from_config(cls, timezone: str, week: dict | None, holidays) -> BusinessHours:
        """Business hours from stored settings; ValueError with a one-line reason if bad."""
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"business hours: unknown time zone {timezone!r}") from exc
        parsed = None
        if week is not None:
            parsed = {}
            for key, spans in week.items():
                k = str(key).lower()
                day = DAYS.index(k[:3]) if k[:3] in DAYS else int(k) if k.isdigit() else -1
                if not 0 <= day <= 6:
                    raise ValueError(f"business hours: unknown day {key!r}")
                clean = []
                for start, end in spans or ():
                    s, e = _parse_time(start), _parse_time(end)
                    if s is None or (e is not None and e <= s):
                        raise ValueError(f"business hours: {start}-{end} ends before it starts")
                    clean.append((start, end))
                clean.sort()
                for (_, e1), (s2, _) in pairwise(clean):
                    if e1 == "24:00" or _parse_time(s2) < _parse_time(e1):
                        raise ValueError(f"business hours: overlapping hours on {key}")
                parsed[day] = clean
        days = frozenset(h if isinstance(h, date) else date.fromisoformat(str(h)) for h in holidays)
        return cls(timezone, parsed, days)

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of one local date, in UTC."""
        zone = ZoneInfo(self.timezone)
        if day in self.holidays:
            return []
        spans = [("00:00", "24:00")] if self.week is None else self.week.get(day.weekday(), [])
        out = []
        for start, end in spans:
            # Local wall-clock times; a nonexistent or repeated time takes fold=0, then UTC.
            s = datetime.combine(day, _parse_time(start), zone).astimezone(UTC)
            e_time = _parse_time(end)
            e = (
                datetime.combine(day + timedelta(days=1), time(0), zone)
                if e_time is None
                else datetime.combine(day, e_time, zone)
            ).astimezone(UTC)
            if e > s:
                out.append((s, e))
        return out

    def _walk(self, at: datetime):
        """Open intervals (UTC) from the local day of `at` on, clipped to start at `at`."""
        zone = ZoneInfo(self.timezone)
        day = at.astimezone(zone).date() - timedelta(days=1)
        for _ in range(MAX_SCAN_DAYS):
            for s, e in self._intervals(day):
                if e > at:
                    yield max(s, at), e
            day += timedelta(days=1)
        raise ValueError("business hours have no open time")

    def is_open(self, at: datetime) -> bool:
        at = _aware(at).astimezone(UTC)
        start, _ = next(self._walk(at))
        return start == at

    def next_open(self, at: datetime) -> datetime:
        at = _aware(at).astimezone(UTC)
        return next(self._walk(at))[0]

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of open time have passed after `start`."""
        at = _aware(start).astimezone(UTC)
        if self.week is None and not self.holidays:
            return at + timedelta(seconds=seconds)
        left = timedelta(seconds=seconds)
        for s, e in self._walk(at):
            if e - s >= left:
                return s + left
            left -= e - s
        raise AssertionError("unreachable")

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Open seconds between two instants."""
        a, b = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
        if b <= a:
            return 0.0
        total = 0.0
        for s, e in self._walk(a):
            if s >= b:
                break
            total += (min(e, b) - s).total_seconds()
        return total


def first_response_due(
    first_inbound_at: datetime, target_seconds: float | None, hours: BusinessHours
) -> datetime | None:
    """When the first reply is due. The caller passes the first unanswered customer message, so
    a customer's later messages do not restart the clock."""
    if target_seconds is None:
        return None
    return hours.add(first_inbound_at, target_seconds)
