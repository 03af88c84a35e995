"""Weekly opening hours, evaluated in London local time.

A schedule is seven lists of opening intervals (Monday first) in local wall-clock minutes, so the
same "10:00 to 22:00" means 10:00 GMT in winter and 10:00 BST in summer. All datetimes handed in
are converted to Europe/London first; naive datetimes are taken as already London time.

Bank-holiday hours are not in the source data: nothing here guesses them (see messages.HOURS_NOTE).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Protocol, Union
from zoneinfo import ZoneInfo

from . import messages

LONDON = ZoneInfo("Europe/London")
MINUTES_PER_DAY = 24 * 60
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class HoursFormatError(ValueError):
    """An hours string that is not 'HH:MM-HH:MM' (or several, comma-separated, or 'closed')."""


@dataclass(frozen=True)
class Interval:
    """Open from `start` up to (not including) `end`, in minutes after local midnight."""

    start: int
    end: int  # 1440 = midnight at the end of the day

    @property
    def is_whole_day(self) -> bool:
        return self.start == 0 and self.end == MINUTES_PER_DAY


def parse_day_hours(text: str) -> tuple[Interval, ...]:
    """'10:00-22:00' -> (Interval(600, 1320),); 'closed' -> (); '00:00-24:00' is the whole day."""
    cleaned = text.strip()
    if cleaned.lower() == "closed":
        return ()
    if not cleaned:
        raise HoursFormatError("hours are empty (expected HH:MM-HH:MM or 'closed')")
    intervals = []
    for part in cleaned.split(","):
        match = _RANGE.match(part.strip())
        if not match:
            raise HoursFormatError(f"'{part.strip()}' is not HH:MM-HH:MM")
        sh, sm, eh, em = (int(g) for g in match.groups())
        if sm > 59 or em > 59 or sh > 23 or eh > 24 or (eh == 24 and em != 0):
            raise HoursFormatError(f"'{part.strip()}' has an impossible time")
        start, end = sh * 60 + sm, eh * 60 + em
        if end <= start:
            # Overnight ranges would need a different model; none exist in the data.
            raise HoursFormatError(f"'{part.strip()}' closes before it opens")
        intervals.append(Interval(start, end))
    intervals.sort(key=lambda iv: iv.start)
    for earlier, later in zip(intervals, intervals[1:]):
        if later.start < earlier.end:
            raise HoursFormatError(f"'{cleaned}' has overlapping ranges")
    return tuple(intervals)


@dataclass(frozen=True)
class WeeklySchedule:
    days: tuple[tuple[Interval, ...], ...]  # 7 entries, Monday first
    # The counter shut for good from this local date on (conservative: closed on the day itself).
    closed_on: date | None = field(default=None)

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("a weekly schedule needs 7 days")

    @classmethod
    def weekday_weekend(
        cls, weekday: str, weekend: str, closed_on: date | None = None
    ) -> WeeklySchedule:
        """The CSV's shape: one pattern for Monday-Friday, one for Saturday-Sunday."""
        mon_fri, sat_sun = parse_day_hours(weekday), parse_day_hours(weekend)
        return cls(days=(mon_fri,) * 5 + (sat_sun,) * 2, closed_on=closed_on)

    @classmethod
    def never_open(cls, closed_on: date | None = None) -> WeeklySchedule:
        """For closed counters, whose old hours are not known in a usable form."""
        return cls(days=((),) * 7, closed_on=closed_on)

    @property
    def is_24_7(self) -> bool:
        return self.closed_on is None and all(
            len(day) == 1 and day[0].is_whole_day for day in self.days
        )

    def closed_for_good(self, local_day: date) -> bool:
        return self.closed_on is not None and local_day >= self.closed_on


class HasSchedule(Protocol):
    schedule: WeeklySchedule


Scheduled = Union[WeeklySchedule, HasSchedule]


def _schedule(obj: Scheduled) -> WeeklySchedule:
    # Accept a counter (anything with .schedule) or a bare schedule.
    return obj if isinstance(obj, WeeklySchedule) else obj.schedule


def to_london(at: datetime) -> datetime:
    if at.tzinfo is None:
        return at.replace(tzinfo=LONDON)
    return at.astimezone(LONDON)


def _minute_of_day(local: datetime) -> float:
    return local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60e6


def _local_at(day: date, minute: int) -> datetime:
    """The real instant for a local wall-clock time; 24:00 is the next day's midnight."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    # Round-trip through UTC so a time in the spring-forward gap becomes a real instant.
    return naive.replace(tzinfo=LONDON).astimezone(timezone.utc).astimezone(LONDON)


def _current_interval(schedule: WeeklySchedule, local: datetime) -> Interval | None:
    if schedule.closed_for_good(local.date()):
        return None
    minute = _minute_of_day(local)
    for interval in schedule.days[local.weekday()]:
        if interval.start <= minute < interval.end:
            return interval
    return None


def is_open(counter: Scheduled, at: datetime) -> bool:
    return _current_interval(_schedule(counter), to_london(at)) is not None


def next_open(counter: Scheduled, at: datetime) -> datetime | None:
    """When the counter next opens, or None if it is open now or will never open again."""
    schedule = _schedule(counter)
    local = to_london(at)
    if _current_interval(schedule, local) is not None:
        return None
    for offset in range(8):  # a full week ahead plus today covers every weekly pattern
        day = local.date() + timedelta(days=offset)
        if schedule.closed_for_good(day):
            return None
        for interval in schedule.days[day.weekday()]:
            opens = _local_at(day, interval.start)
            if opens > local:
                return opens
    return None


def closes_at(counter: Scheduled, at: datetime) -> datetime | None:
    """When an open counter next closes; None if it is closed now or never closes (24/7)."""
    schedule = _schedule(counter)
    local = to_london(at)
    interval = _current_interval(schedule, local)
    if interval is None or schedule.is_24_7:
        return None
    day = local.date()
    for _ in range(8):
        if interval.end < MINUTES_PER_DAY:
            return _local_at(day, interval.end)
        # Open until midnight: carry on if the next day opens at 00:00.
        day += timedelta(days=1)
        if schedule.closed_for_good(day):
            return _local_at(day, 0)
        following = schedule.days[day.weekday()]
        if not following or following[0].start != 0:
            return _local_at(day, 0)
        interval = following[0]
    return None


def _clock(minute: int) -> str:
    if minute == MINUTES_PER_DAY:
        return "midnight"
    return f"{minute // 60:02d}:{minute % 60:02d}"


def describe_day(intervals: Sequence[Interval]) -> str:
    if not intervals:
        return "closed"
    if len(intervals) == 1 and intervals[0].is_whole_day:
        return "open 24 hours"
    return " and ".join(f"{_clock(iv.start)} to {_clock(iv.end)}" for iv in intervals)


def today_hours(counter: Scheduled, at: datetime) -> str:
    """Hours for the London-local day containing `at`, as a short phrase."""
    schedule = _schedule(counter)
    local_day = to_london(at).date()
    if schedule.closed_for_good(local_day):
        assert schedule.closed_on is not None
        return f"closed permanently since {messages.human_date(schedule.closed_on)}"
    text = describe_day(schedule.days[local_day.weekday()])
    return "closed today" if text == "closed" else text


@dataclass(frozen=True)
class HoursNow:
    open_now: bool
    today_hours: str
    next_open: datetime | None
    closes_at: datetime | None


def hours_now(counter: Scheduled, at: datetime) -> HoursNow:
    """is_open, today_hours, next_open and closes_at together, memoised by UTC minute.

    Opening hours change only on whole local minutes and London is a whole number of hours off
    UTC, so all four are the same for every instant in one UTC minute (checked in the tests).
    """
    minute = at.astimezone(timezone.utc).replace(second=0, microsecond=0) if at.tzinfo else (
        to_london(at).astimezone(timezone.utc).replace(second=0, microsecond=0)
    )
    return _hours_at_minute(_schedule(counter), minute)


@lru_cache(maxsize=8192)
def _hours_at_minute(schedule: WeeklySchedule, minute: datetime) -> HoursNow:
    return HoursNow(
        open_now=is_open(schedule, minute),
        today_hours=today_hours(schedule, minute),
        next_open=next_open(schedule, minute),
        closes_at=closes_at(schedule, minute),
    )


def weekly_hours(counter: Scheduled) -> list[dict[str, str]]:
    """[{'day': 'Monday', 'hours': '10:00 to 22:00'}, ...] for a full week."""
    schedule = _schedule(counter)
    return [
        {"day": name, "hours": describe_day(schedule.days[i])} for i, name in enumerate(DAY_NAMES)
    ]
