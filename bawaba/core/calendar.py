"""Working days. The government working week is Sunday–Thursday (Friday and Saturday are the
weekend since 6 January 2000); public holidays come from the caller (admin-entered rows,
because the Islamic holidays follow moon sightings and are announced each year).

Pure functions: no database here, so any app can use them and tests need no fixtures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

# Python's weekday(): Monday=0 … Sunday=6. Friday=4, Saturday=5.
WEEKEND = frozenset({4, 5})

HolidayCheck = Callable[[dt.date], bool]


def _as_check(holidays: Collection[dt.date] | HolidayCheck | None) -> HolidayCheck:
    if holidays is None:
        return lambda _d: False
    if callable(holidays):
        return holidays
    days = frozenset(holidays)
    return days.__contains__


def is_working_day(day: dt.date, holidays: Collection[dt.date] | HolidayCheck | None = None) -> bool:
    return day.weekday() not in WEEKEND and not _as_check(holidays)(day)


def add_working_days(
    start: dt.date, days: int, holidays: Collection[dt.date] | HolidayCheck | None = None
) -> dt.date:
    """The date `days` working days after `start` (start itself does not count, as when an
    application received on Sunday with a 3-day target is due on Wednesday). Zero days gives
    the first working day on or after `start`."""
    if days < 0:
        raise ValueError("days must not be negative")
    check = _as_check(holidays)
    day = start
    if days == 0:
        while not is_working_day(day, check):
            day += dt.timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day, check):
            remaining -= 1
    return day


def working_days_between(
    start: dt.date, end: dt.date, holidays: Collection[dt.date] | HolidayCheck | None = None
) -> int:
    """Working days after `start` up to and including `end` (negative when end < start)."""
    if end < start:
        return -working_days_between(end, start, holidays)
    check = _as_check(holidays)
    count = 0
    day = start
    # Whole weeks have exactly five weekdays; only holidays inside them need a look.
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, check):
            count += 1
    return count
