import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.calendar import add_working_days, is_working_day, working_days_between

SUN = dt.date(2026, 3, 1)  # a Sunday


def test_weekend_is_friday_and_saturday():
    assert SUN.weekday() == 6
    names = {SUN + dt.timedelta(days=i): is_working_day(SUN + dt.timedelta(days=i)) for i in range(7)}
    assert [names[d] for d in sorted(names)] == [True, True, True, True, True, False, False]


def test_three_working_days_from_sunday_is_wednesday():
    assert add_working_days(SUN, 3) == dt.date(2026, 3, 4)


def test_skips_the_weekend():
    thursday = dt.date(2026, 3, 5)
    assert add_working_days(thursday, 1) == dt.date(2026, 3, 8)  # Sunday


def test_skips_holidays():
    # Independence Day, 25 May 2026, is a Monday.
    holidays = {dt.date(2026, 5, 25)}
    assert add_working_days(dt.date(2026, 5, 24), 1, holidays) == dt.date(2026, 5, 26)
    assert add_working_days(dt.date(2026, 5, 24), 1, lambda d: (d.month, d.day) == (5, 25)) == dt.date(
        2026, 5, 26
    )


def test_zero_days_moves_off_a_weekend():
    assert add_working_days(dt.date(2026, 3, 6), 0) == dt.date(2026, 3, 8)
    assert add_working_days(SUN, 0) == SUN


def test_negative_days_refused():
    with pytest.raises(ValueError):
        add_working_days(SUN, -1)


def test_between_counts_working_days():
    assert working_days_between(SUN, dt.date(2026, 3, 8)) == 5
    assert working_days_between(dt.date(2026, 3, 8), SUN) == -5
    assert working_days_between(SUN, SUN) == 0


@given(st.dates(min_value=dt.date(2000, 1, 7), max_value=dt.date(2100, 1, 1)), st.integers(0, 400))
def test_add_and_between_agree(start, n):
    holidays = {dt.date(start.year, 1, 1), dt.date(start.year, 5, 25)}
    end = add_working_days(start, n, holidays)
    assert is_working_day(end, holidays)
    if n:
        assert working_days_between(start, end, holidays) == n
