"""Dates of birth as registration records them: exact, year only, or estimated.

Registration often knows only a year, or an estimate (recorded in many systems as 1 January of a guessed
year). We keep what was said, never invent precision:

=========  ===================  =========================================
precision  written as           example
=========  ===================  =========================================
exact      ``YYYY-MM-DD``       ``1990-05-17``
month      ``YYYY-MM``          ``1990-05``
year       ``YYYY``             ``1990``
estimated  ``~YYYY``            ``~1990`` (an estimate of the year)
=========  ===================  =========================================
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum


class DatePrecision(StrEnum):
    EXACT = "exact"
    MONTH = "month"
    YEAR = "year"
    ESTIMATED = "estimated"


_PATTERN = re.compile(r"^(?P<est>~)?(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")
HINT = "use YYYY-MM-DD, YYYY-MM, YYYY, or ~YYYY for an estimated year"
EARLIEST_YEAR = 1900


class DateError(ValueError):
    """A date that cannot be read; the message says what to write instead."""


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to some precision.

    >>> PartialDate.parse("1990")
    PartialDate(year=1990, month=None, day=None, precision=<DatePrecision.YEAR: 'year'>)
    >>> str(PartialDate.parse("~1984"))
    '~1984'
    """

    year: int
    month: int | None
    day: int | None
    precision: DatePrecision

    @classmethod
    def parse(cls, text: str, *, today: dt.date | None = None) -> PartialDate:
        raw = text.strip()
        match = _PATTERN.match(raw)
        if not match:
            raise DateError(f"'{text}' is not a date; {HINT}")
        year = int(match["y"])
        month = int(match["m"]) if match["m"] else None
        day = int(match["d"]) if match["d"] else None
        if match["est"] and month is not None:
            raise DateError(f"'{text}': an estimate is a year only; write ~{year}")
        try:
            if day is not None and month is not None:
                value = dt.date(year, month, day)
            elif month is not None:
                value = dt.date(year, month, 1)
            else:
                value = dt.date(year, 1, 1)
        except ValueError:
            raise DateError(f"'{text}' is not a date; {HINT}") from None
        today = today or dt.date.today()
        if value > today:
            raise DateError(f"'{text}' is in the future")
        if year < EARLIEST_YEAR:
            raise DateError(f"'{text}' is before {EARLIEST_YEAR}; check the year")
        if match["est"]:
            precision = DatePrecision.ESTIMATED
        elif day is not None:
            precision = DatePrecision.EXACT
        elif month is not None:
            precision = DatePrecision.MONTH
        else:
            precision = DatePrecision.YEAR
        return cls(year, month, day, precision)

    def __str__(self) -> str:
        if self.precision is DatePrecision.ESTIMATED:
            return f"~{self.year:04d}"
        if self.day is not None and self.month is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def age_on(self, when: dt.date) -> int:
        """Age in whole years on ``when``; partial dates count from the middle of what is known."""
        month = self.month or 7
        day = self.day or (1 if self.month is None else 15)
        years = when.year - self.year
        if (when.month, when.day) < (month, day):
            years -= 1
        return max(years, 0)
