from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locator import hours
from locator.hours import LONDON, HoursFormatError, Interval, WeeklySchedule

UTC = timezone.utc
STANDARD = WeeklySchedule.weekday_weekend("10:00-22:00", "09:00-19:00")
ALWAYS = WeeklySchedule.weekday_weekend("00:00-24:00", "00:00-24:00")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_parse_day_hours() -> None:
    assert hours.parse_day_hours("10:00-22:00") == (Interval(600, 1320),)
    assert hours.parse_day_hours(" 00:00-24:00 ") == (Interval(0, 1440),)
    assert hours.parse_day_hours("13:00-17:00,09:00-12:00") == (
        Interval(540, 720),
        Interval(780, 1020),
    )
    assert hours.parse_day_hours("Closed") == ()


@pytest.mark.parametrize(
    "bad", ["", "10-22", "10:00 to 22:00", "22:00-10:00", "10:00-10:00", "25:00-26:00",
            "09:60-10:00", "24:30-24:40", "09:00-12:00,11:00-13:00"],
)  # fmt: skip
def test_malformed_hours_are_rejected(bad: str) -> None:
    with pytest.raises(HoursFormatError):
        hours.parse_day_hours(bad)


def test_weekday_and_weekend_hours() -> None:
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
    saturday_noon = datetime(2026, 11, 28, 12, 0, tzinfo=LONDON)
    assert hours.today_hours(STANDARD, monday_noon) == "10:00 to 22:00"
    assert hours.today_hours(STANDARD, saturday_noon) == "09:00 to 19:00"
    assert hours.is_open(STANDARD, monday_noon)
    assert hours.closes_at(STANDARD, monday_noon) == datetime(2026, 11, 23, 22, 0, tzinfo=LONDON)
    # Opening is inclusive, closing exclusive.
    assert hours.is_open(STANDARD, datetime(2026, 11, 23, 10, 0, tzinfo=LONDON))
    assert not hours.is_open(STANDARD, datetime(2026, 11, 23, 22, 0, tzinfo=LONDON))
    assert not hours.is_open(STANDARD, datetime(2026, 11, 23, 9, 59, 59, tzinfo=LONDON))


def test_next_open_rolls_over_to_weekend_hours() -> None:
    friday_late = datetime(2026, 11, 27, 23, 0, tzinfo=LONDON)
    assert not hours.is_open(STANDARD, friday_late)
    assert hours.next_open(STANDARD, friday_late) == datetime(2026, 11, 28, 9, 0, tzinfo=LONDON)
    assert hours.next_open(STANDARD, datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)) is None


def test_naive_datetimes_are_london_time() -> None:
    summer_0930 = datetime(2026, 7, 4, 9, 30)  # Saturday, BST
    assert hours.is_open(STANDARD, summer_0930)
    assert hours.is_open(STANDARD, summer_0930.replace(tzinfo=LONDON))
    # The same wall-clock time read as UTC is 10:30 BST: still open; 08:30 UTC is 09:30 BST.
    assert hours.is_open(STANDARD, utc(2026, 7, 4, 8, 30))
    assert not hours.is_open(STANDARD, utc(2026, 7, 4, 7, 30))


def test_spring_forward_last_sunday_of_march() -> None:
    # 29 March 2026: clocks go from 01:00 GMT to 02:00 BST. 08:30 UTC is 09:30 local: open.
    assert hours.is_open(STANDARD, utc(2026, 3, 29, 8, 30))
    # A week earlier (GMT) the same UTC instant is 08:30 local: not yet open.
    assert not hours.is_open(STANDARD, utc(2026, 3, 22, 8, 30))
    opens = hours.next_open(STANDARD, utc(2026, 3, 29, 0, 30))
    assert opens == utc(2026, 3, 29, 8, 0)  # 09:00 BST
    assert opens.isoformat() == "2026-03-29T09:00:00+01:00"
    assert hours.closes_at(STANDARD, utc(2026, 3, 29, 8, 30)) == utc(2026, 3, 29, 18, 0)


def test_fall_back_last_sunday_of_october() -> None:
    # 25 October 2026: clocks go from 02:00 BST back to 01:00 GMT. 08:30 UTC is 08:30 local.
    assert not hours.is_open(STANDARD, utc(2026, 10, 25, 8, 30))
    assert hours.next_open(STANDARD, utc(2026, 10, 25, 8, 30)) == utc(2026, 10, 25, 9, 0)
    # A week earlier (BST) 08:30 UTC is 09:30 local: open.
    assert hours.is_open(STANDARD, utc(2026, 10, 18, 8, 30))
    assert hours.closes_at(STANDARD, utc(2026, 10, 25, 12, 0)) == utc(2026, 10, 25, 19, 0)


@pytest.mark.parametrize(
    "at",
    [utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 0), utc(2026, 10, 25, 0, 30),
     utc(2026, 10, 25, 1, 30), utc(2026, 12, 25, 3, 0), utc(2027, 1, 1, 0, 0)],
)  # fmt: skip
def test_24_7_is_always_open_even_across_dst(at: datetime) -> None:
    assert ALWAYS.is_24_7
    assert hours.is_open(ALWAYS, at)
    assert hours.today_hours(ALWAYS, at) == "open 24 hours"
    assert hours.next_open(ALWAYS, at) is None
    assert hours.closes_at(ALWAYS, at) is None


def test_counter_closed_on_a_date_is_never_open_after_it() -> None:
    shut = WeeklySchedule.weekday_weekend("00:00-24:00", "00:00-24:00", closed_on=date(2026, 2, 28))
    assert not shut.is_24_7
    before = datetime(2026, 2, 27, 12, 0, tzinfo=LONDON)
    assert hours.is_open(shut, before)
    assert hours.closes_at(shut, before) == datetime(2026, 2, 28, 0, 0, tzinfo=LONDON)
    for at in (datetime(2026, 2, 28, 12, 0, tzinfo=LONDON), utc(2026, 3, 1, 12, 0),
               utc(2030, 6, 1, 12, 0)):  # fmt: skip
        assert not hours.is_open(shut, at)
        assert hours.next_open(shut, at) is None
        assert hours.today_hours(shut, at) == "closed permanently since 28 February 2026"


def test_closed_day_and_split_hours() -> None:
    schedule = WeeklySchedule(
        days=(hours.parse_day_hours("09:00-12:00,13:00-17:00"),) * 5 + ((), ())
    )
    monday_lunch = datetime(2026, 11, 23, 12, 30, tzinfo=LONDON)
    assert hours.today_hours(schedule, monday_lunch) == "09:00 to 12:00 and 13:00 to 17:00"
    assert not hours.is_open(schedule, monday_lunch)
    assert hours.next_open(schedule, monday_lunch) == datetime(2026, 11, 23, 13, 0, tzinfo=LONDON)
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=LONDON)
    assert hours.today_hours(schedule, saturday) == "closed today"
    assert hours.next_open(schedule, saturday) == datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)


def test_weekly_hours_lists_every_day() -> None:
    week = hours.weekly_hours(STANDARD)
    assert [d["day"] for d in week][:2] == ["Monday", "Tuesday"]
    assert week[4] == {"day": "Friday", "hours": "10:00 to 22:00"}
    assert week[6] == {"day": "Sunday", "hours": "09:00 to 19:00"}


SPLIT = WeeklySchedule.weekday_weekend("09:00-12:30,13:15-17:45", "closed",
                                       closed_on=date(2026, 10, 26))  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                 timezones=st.just(UTC)),
    st.sampled_from([STANDARD, ALWAYS, SPLIT]),
)  # fmt: skip
def test_hours_now_is_exact_within_its_minute(at: datetime, schedule: WeeklySchedule) -> None:
    """hours_now is memoised per UTC minute; it must agree with the direct answers at any
    instant, including around the clock changes (29 March and 25 October 2026)."""
    now = hours.hours_now(schedule, at)
    assert now.open_now == hours.is_open(schedule, at)
    assert now.today_hours == hours.today_hours(schedule, at)
    assert now.next_open == hours.next_open(schedule, at)
    assert now.closes_at == hours.closes_at(schedule, at)
    assert hours.hours_now(schedule, at.astimezone(LONDON).replace(tzinfo=None)) == now
