"""The details of the kinds ``event`` and ``vacancy``: checking them, and the times they imply.

An event or vacancy is an ordinary item (title, summary, body, audience, terms,
media) plus a ``details`` object whose fields depend on the kind (the shared
contract of issue 13).  :func:`clean_details` refuses bad input with a reason
that names the field as ``details.<field>``; nothing is stored until all fields
pass.  :func:`event_window`, :func:`is_past` and :func:`closing_instant` are the
one place that turns details into moments: the agenda, the iCalendar feed, the
portal and the import call them, never re-implement them.

A vacancy's closing date is its expiry: :func:`apply_details` sets the item's
expiry column from it, and the existing expiry rule (``node.items.visibility``)
does the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from node.core.errors import ValidationFailed
from protocol import kinds as wire
from protocol.instants import format_instant, parse_instant
from protocol.result import Failure
from protocol.sanitize import plain_text

DETAILED_KINDS = ("event", "vacancy")
DEFAULT_TIMEZONE = wire.DEFAULT_TIMEZONE
#: Where a vacancy's closing date ends (the end of that day, here).
CLOSING_TIMEZONE = wire.CLOSING_TIMEZONE
EVENT_STATUSES = wire.EVENT_STATUSES
CONTRACT_TYPES = wire.CONTRACT_TYPES
SALARY_UNITS = wire.SALARY_UNITS
EVENT_FIELDS = (
    "start",
    "end",
    "all_day",
    "timezone",
    "place",
    "online_url",
    "organiser",
    "ticket_url",
    "price",
    "status",
)
VACANCY_FIELDS = (
    "employer",
    "location",
    "hours",
    "hours_min",
    "hours_max",
    "contract_type",
    "salary",
    "closing_date",
    "apply_url",
    "apply_email",
    "education_level",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_SHORT = 100
_NAME = 300
_ADDRESS = 500
_URL = 2000


def _fail(field: str, reason: str) -> ValidationFailed:
    name = f"details.{field}" if field else "details"
    return ValidationFailed(f"{name}: {reason}", field=name)


def _text(data: Mapping[str, Any], field: str, limit: int, *, field_name: str = "") -> str:
    value = data.get(field)
    name = field_name or field
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail(name, "must be a string")
    if len(value) > limit:
        raise _fail(name, f"is longer than {limit} characters")
    if "<" in value or ">" in value:
        raise _fail(name, "must be plain text (no < or >)")
    return value.strip()


def _url(data: Mapping[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > _URL:
        raise _fail(field, f"must be an http(s) URL of at most {_URL} characters, or null")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value.strip():
        raise _fail(field, "must be an http(s) URL such as https://example.org/…, or null")
    return value.strip()


def _bool(data: Mapping[str, Any], field: str) -> bool:
    value = data.get(field, False)
    if not isinstance(value, bool):
        raise _fail(field, "must be true or false")
    return value


def _number(value: Any, field: str) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise _fail(field, "must be a number or null")
    if value < 0 or value > 10_000_000:
        raise _fail(field, "must be between 0 and 10,000,000")
    return value


def _zone(name: Any) -> ZoneInfo:
    if not isinstance(name, str) or not name or len(name) > 64 or ".." in name:
        raise _fail("timezone", "must be an IANA time zone name such as Europe/Amsterdam")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _fail("timezone", f"{name!r} is not a known IANA time zone") from exc


def _date(value: Any, field: str) -> dt.date:
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        raise _fail(field, "must be a date such as 2026-12-31")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise _fail(field, f"{value!r} is not a valid date") from exc


def _instant(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, str):
        raise _fail(field, "is required: a date and time with a time zone (…Z or +01:00)")
    moment = parse_instant(value)
    if isinstance(moment, Failure):
        raise _fail(field, moment.detail)
    return moment


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(dt.UTC)


def _unknown(details: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(details) - set(allowed))
    if unknown:
        raise ValidationFailed(
            f"details.{unknown[0]}: unknown field (known: {', '.join(allowed)})",
            field=f"details.{unknown[0]}",
            code="unknown-fields",
            fields=[f"details.{u}" for u in unknown],
        )


# -- events ----------------------------------------------------------------------------


def _place(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"name", "address", "latitude", "longitude"}:
        raise _fail("place", "must be an object with name, address, latitude, longitude, or null")
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail("place.name", "is required when a place is given")
    name = _text(value, "name", _NAME, field_name="place.name")
    address = _text(value, "address", _ADDRESS, field_name="place.address")
    lat, lon = value.get("latitude"), value.get("longitude")
    if (lat is None) != (lon is None):
        raise _fail("place", "give both latitude and longitude, or neither")
    if lat is not None:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
            raise _fail("place", "latitude and longitude must be numbers")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _fail("place", "latitude must be within ±90 and longitude within ±180")
    return {"name": name, "address": address, "latitude": lat, "longitude": lon}


def _clean_event(details: Mapping[str, Any], organisation: str) -> dict[str, Any]:
    _unknown(details, EVENT_FIELDS)
    all_day = _bool(details, "all_day")
    timezone = details.get("timezone", DEFAULT_TIMEZONE)
    zone = _zone(timezone)
    if "start" not in details or details["start"] in (None, ""):
        raise _fail("start", "is required")
    if "end" not in details or details["end"] in (None, ""):
        raise _fail("end", "is required")
    if all_day:
        start_day = _date(details["start"], "start")
        end_day = _date(details["end"], "end")
        if end_day < start_day:
            raise _fail("end", "must not be before start")
        start, end = start_day.isoformat(), end_day.isoformat()
    else:
        start_at = _instant(details["start"], "start")
        end_at = _instant(details["end"], "end")
        if end_at <= start_at:
            raise _fail("end", "must be later than start")
        start, end = format_instant(start_at), format_instant(end_at)
    place = _place(details.get("place"))
    online_url = _url(details, "online_url")
    if place is None and online_url is None:
        raise _fail("place", "give a place or an online_url (or both)")
    status = details.get("status", "scheduled")
    if status not in EVENT_STATUSES:
        raise _fail("status", f"must be one of {', '.join(EVENT_STATUSES)}")
    organiser = _text(details, "organiser", _NAME) or organisation
    return {
        "start": start,
        "end": end,
        "all_day": all_day,
        "timezone": zone.key,
        "place": place,
        "online_url": online_url,
        "organiser": organiser,
        "ticket_url": _url(details, "ticket_url"),
        "price": _text(details, "price", _SHORT),
        "status": status,
    }


def event_window(details: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of a (clean) event as aware UTC moments; all-day days in its zone.

    An all-day event runs from the start of its start date to the end of its
    (inclusive) end date, i.e. the start of the day after, in its time zone.
    """
    return wire.event_window(details)


def is_past(details: Mapping[str, Any], now: dt.datetime | None = None) -> bool:
    """True once the event's end lies before ``now`` (it leaves agendas, stays in the library)."""
    _start, end = event_window(details)
    return end < _now(now)


# -- vacancies -------------------------------------------------------------------------


def closing_instant(closing_date: str) -> str:
    """The end of ``closing_date`` (23:59:59.999999 in Europe/Amsterdam) as canonical UTC text."""
    return wire.closing_instant(closing_date)


def _salary(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"min", "max", "currency", "unit"}:
        raise _fail("salary", "must be an object with min, max, currency and unit, or null")
    low = _number(value.get("min"), "salary.min")
    high = _number(value.get("max"), "salary.max")
    if low is None and high is None:
        raise _fail("salary", "give min, max or both")
    if low is not None and high is not None and low > high:
        raise _fail("salary.min", "must not be more than salary.max")
    currency = value.get("currency", "EUR")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise _fail("salary.currency", "must be an ISO 4217 code such as EUR")
    unit = value.get("unit", "MONTH")
    if unit not in SALARY_UNITS:
        raise _fail("salary.unit", f"must be one of {', '.join(SALARY_UNITS)}")
    return {"min": low, "max": high, "currency": currency, "unit": unit}


def _clean_vacancy(
    details: Mapping[str, Any], organisation: str, now: dt.datetime
) -> dict[str, Any]:
    _unknown(details, VACANCY_FIELDS)
    location = _text(details, "location", _NAME)
    if not location:
        raise _fail("location", "is required")
    hours_min = _number(details.get("hours_min"), "hours_min")
    hours_max = _number(details.get("hours_max"), "hours_max")
    if hours_min is not None and hours_max is not None and hours_min > hours_max:
        raise _fail("hours_min", "must not be more than hours_max")
    contract = details.get("contract_type", "permanent")
    if contract not in CONTRACT_TYPES:
        raise _fail("contract_type", f"must be one of {', '.join(CONTRACT_TYPES)}")
    if details.get("closing_date") in (None, ""):
        raise _fail("closing_date", "is required")
    closing = _date(details["closing_date"], "closing_date")
    today = now.astimezone(ZoneInfo(CLOSING_TIMEZONE)).date()
    if closing < today:
        raise _fail("closing_date", f"{closing.isoformat()} lies in the past (today is allowed)")
    apply_url = _url(details, "apply_url")
    apply_email = details.get("apply_email")
    if apply_email in (None, ""):
        apply_email = None
    elif not isinstance(apply_email, str) or len(apply_email) > 254:
        raise _fail("apply_email", "must be an e-mail address or null")
    else:
        apply_email = apply_email.strip()
        if not _EMAIL.match(apply_email):
            raise _fail("apply_email", f"{apply_email!r} is not an e-mail address")
    if apply_url is None and apply_email is None:
        raise _fail("apply_url", "give an apply_url or an apply_email (how to apply)")
    return {
        "employer": _text(details, "employer", _NAME) or organisation,
        "location": location,
        "hours": _text(details, "hours", _SHORT),
        "hours_min": hours_min,
        "hours_max": hours_max,
        "contract_type": contract,
        "salary": _salary(details.get("salary")),
        "closing_date": closing.isoformat(),
        "apply_url": apply_url,
        "apply_email": apply_email,
        "education_level": _text(details, "education_level", _SHORT),
    }


# -- both ------------------------------------------------------------------------------


def clean_details(
    kind: str,
    details: Any,
    *,
    now: dt.datetime | None = None,
    organisation: str = "",
) -> dict[str, Any]:
    """Check ``details`` for ``kind``; the clean, storable dict, or ValidationFailed.

    Other kinds carry no details (``{}``); an event or vacancy must have them.
    ``organisation`` is the default organiser/employer (this organisation's name).
    """
    if kind not in DETAILED_KINDS:
        if details in (None, {}):
            return {}
        raise _fail("", f"only events and vacancies carry details, not a {kind}")
    if not isinstance(details, dict):
        raise _fail("", f"an {kind} needs a details object")
    if kind == "event":
        return _clean_event(details, organisation)
    return _clean_vacancy(details, organisation, _now(now))


def apply_details(
    kind: str,
    values: dict[str, Any],
    current: Mapping[str, Any] | None,
    *,
    now: dt.datetime | None = None,
    organisation: str = "",
) -> None:
    """Settle ``values["details"]`` (and a vacancy's expiry) for a create or a change.

    ``values`` are the cleaned item fields about to be written; ``current`` the
    stored details when changing (a change merges its fields over them, then the
    whole is checked again), None when creating.  A vacancy's expiry follows its
    closing date and cannot be set on its own.
    """
    if kind in DETAILED_KINDS and values.get("summary"):
        # Imported calendars and job pages put HTML in summaries: keep only the text.
        values["summary"] = plain_text(values["summary"])
    if kind == "vacancy" and "expires_at" in values:
        raise ValidationFailed(
            "expires_at: a vacancy's expiry follows the closing date (set details.closing_date)",
            field="expires_at",
        )
    if "details" not in values and current is not None:
        return
    given = values.get("details")
    if current is not None and kind in DETAILED_KINDS:
        if not isinstance(given, dict):
            raise _fail("", "must be an object")
        given = {**current, **given}
    details = clean_details(kind, given, now=now, organisation=organisation)
    values["details"] = details
    if kind == "vacancy":
        values["expires_at"] = closing_instant(details["closing_date"])
