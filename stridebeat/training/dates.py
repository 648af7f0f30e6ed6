"""The dates a plan may use: when a new plan may start, and the years a plan file may hold."""

from __future__ import annotations

import datetime

from stridebeat.units import parse_date

START_WINDOW_DAYS = 366  # a new plan starts at most a year before or after today
# Dates a plan file may hold: beyond them date arithmetic breaks, and no plan is run there.
FILE_DATES = (datetime.date(2000, 1, 1), datetime.date(2199, 12, 31))


def plan_start(text: str, today: datetime.date | None = None) -> datetime.date:
    """The first day of a new plan: an ISO date from a year before ``today`` to a year after.

    >>> plan_start("2027-01-04", today=datetime.date(2026, 12, 7))
    datetime.date(2027, 1, 4)
    """
    start, today = parse_date(text), today or datetime.date.today()
    earliest, latest = (today + datetime.timedelta(d * START_WINDOW_DAYS) for d in (-1, 1))
    if not earliest <= start <= latest:
        raise ValueError(
            f"{start.isoformat()} is more than a year from today: start the plan between "
            f"{earliest.isoformat()} and {latest.isoformat()}"
        )
    return start


def file_date(day: datetime.date) -> datetime.date:
    """``day``, if a plan file may hold it; ValueError (with what to do) if not."""
    low, high = FILE_DATES
    if not low <= day <= high:
        raise ValueError(
            f"{day.isoformat()} is outside the years {low.year}-{high.year}: write a date in "
            "them, or make a new plan with 'stridebeat plan init --force'"
        )
    return day
