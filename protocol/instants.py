"""Instants at the wire boundary: xsd:dateTime text → one aware UTC moment, or a reason.

Embargo and expiry decide who may use an item, so they must compare as moments,
never as the text that came in (``…T06:00:00-05:00`` is later than
``…T10:00:00Z``).  Every timestamp that enters a node is parsed here once and
stored in one canonical text form, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC, to
the microsecond), in which text order equals time order.

Refused, each with a reason: values that are not strings, zone-less values
(which moment is meant depends on where the reader is), unparseable values,
offsets beyond ±14:00 (xsd:dateTime's range), and moments outside the years
1970..9999 in UTC (far-past values are typing errors, and year 10000 cannot be
written in four digits, so the canonical text would no longer sort).

Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from protocol.result import Failure

CANONICAL_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
MIN_YEAR = 1970
MAX_YEAR = 9999
MAX_OFFSET = dt.timedelta(hours=14)
_MAX_LENGTH = 64
#: The canonical text itself (what our nodes send): checked, then kept as it is.
_CANONICAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def parse_instant(value: Any) -> dt.datetime | Failure:
    """An ISO 8601 / xsd:dateTime string with a zone → aware UTC datetime; else a Failure."""
    if not isinstance(value, str):
        return Failure("instant.not_text", "a timestamp must be an ISO 8601 string")
    text = value.strip()
    if not text or len(text) > _MAX_LENGTH or "T" not in text.upper():
        return Failure(
            "instant.unparseable",
            f"{value[:_MAX_LENGTH]!r} is not an ISO 8601 date and time such as"
            " 2026-01-31T12:00:00Z",
        )
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return Failure(
            "instant.unparseable",
            f"{value!r} is not an ISO 8601 date and time such as 2026-01-31T12:00:00Z",
        )
    offset = moment.utcoffset()
    if offset is None:
        return Failure(
            "instant.no_zone",
            f"{value!r} has no time zone; add Z or an offset such as +01:00",
        )
    if abs(offset) > MAX_OFFSET:
        return Failure("instant.bad_offset", f"{value!r}: a UTC offset is at most ±14:00")
    try:
        utc = moment.astimezone(dt.UTC)
    except OverflowError:
        return Failure("instant.out_of_range", f"{value!r} is after the year {MAX_YEAR}")
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        return Failure(
            "instant.out_of_range",
            f"{value!r} is outside the years {MIN_YEAR} to {MAX_YEAR} (UTC)",
        )
    return utc


def format_instant(moment: dt.datetime) -> str:
    """The canonical text of an aware moment (UTC, microseconds, Z): sortable as text."""
    if moment.tzinfo is None:
        raise ValueError("format_instant needs an aware datetime")
    return moment.astimezone(dt.UTC).strftime(CANONICAL_FORMAT)


def canonical_instant(value: Any) -> str | Failure:
    """Parse ``value`` and give its canonical text, or the Failure saying why not.

    A value already in canonical form is only checked (a real date and time, in range)
    and returned as it is: formatting the parsed moment would give the same text."""
    if isinstance(value, str) and _CANONICAL.fullmatch(value):
        try:
            moment = dt.datetime.fromisoformat(value[:-1])
        except ValueError:
            pass  # e.g. month 13: the full parse below says why
        else:
            if MIN_YEAR <= moment.year <= MAX_YEAR:
                return value
    moment = parse_instant(value)
    return moment if isinstance(moment, Failure) else format_instant(moment)
