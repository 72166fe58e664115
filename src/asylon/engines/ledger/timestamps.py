"""XML Schema dateTime strings as the VC Data Model uses them (always UTC, ``Z``, whole seconds when we write)."""

from __future__ import annotations

from datetime import UTC, datetime

from asylon.errors import InvalidInput, Problem

__all__ = ["format_time", "parse_time"]


def format_time(t: datetime) -> str:
    """UTC ``YYYY-MM-DDTHH:MM:SSZ``.

    >>> format_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    '2026-01-02T03:04:05Z'
    """
    if t.tzinfo is None:
        raise InvalidInput(Problem("times must carry a time zone", value=str(t)))
    return t.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: object, *, field: str) -> datetime:
    """Parse a dateTime with a time zone; raise :class:`InvalidInput` naming the field.

    >>> parse_time("2026-01-02T03:04:05Z", field="validFrom").year
    2026
    """
    if not isinstance(value, str):
        raise InvalidInput(Problem("must be a dateTime string", field=field, value=str(value)[:40]))
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(
            Problem("is not a dateTime", field=field, value=value[:40], fix="use e.g. 2026-01-31T12:00:00Z")
        ) from exc
    if t.tzinfo is None:
        raise InvalidInput(Problem("has no time zone", field=field, value=value, fix="end it with Z"))
    return t
