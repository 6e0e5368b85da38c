"""Time and identifiers, in one place so tests can reason about them."""

from __future__ import annotations

import datetime as dt
import secrets
import time


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime | None = None) -> str:
    """UTC timestamp in ISO 8601 with a Z, to the microsecond: sortable as text."""
    moment = moment or utcnow()
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> dt.datetime:
    """Parse an ISO 8601 timestamp; naive values are refused (ValueError) as ambiguous."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("timestamp needs a time zone (e.g. 2026-01-31T12:00:00Z)")
    return value.astimezone(dt.UTC)


_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id() -> str:
    """A 20-character, time-ordered, URL-safe id (millisecond time + 60 random bits)."""
    millis = int(time.time() * 1000)
    head = "".join(_ALPHABET[(millis >> (5 * i)) & 31] for i in reversed(range(9)))
    rand = secrets.randbits(55)
    tail = "".join(_ALPHABET[(rand >> (5 * i)) & 31] for i in reversed(range(11)))
    return head + tail
