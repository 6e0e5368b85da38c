"""Events and vacancies on the wire: their details ⇄ AS2 ``Event`` / vacancy ``Page`` terms.

Pure (no I/O, no clock).  The details dict is the one the node stores (see
``node/items/kinds.py`` and the issue-13 contract); this module also holds the
two time computations both sides need, so node and protocol agree:
:func:`event_window` and :func:`closing_instant`.

An event is an AS2 ``Event`` as Mobilizon and Gancio send it: ``startTime`` /
``endTime`` with the offset of the event's own time zone, ``location`` a
``Place`` with a schema.org ``address``, Mobilizon's ``timezone`` and
``ical:status``, plus our terms for what they lack (``eventStatus`` for
postponed, ``allDay``, ``onlineUrl``, ``ticketUrl``, ``price``, ``organizer``).

A vacancy is an AS2 ``Page`` (Mastodon shows a Page as its title with a link)
that carries schema.org ``JobPosting`` terms: ``title``, ``hiringOrganization``,
``jobLocation``, ``employmentType``, ``baseSalary``, ``validThrough``,
``educationRequirements``, ``workHours``, ``directApply``; our ``applyUrl``,
``applyEmail``, ``contractType``, ``hoursMin``, ``hoursMax`` keep what schema.org
has no exact term for.  A Page carrying ``hiringOrganization`` is a vacancy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from protocol.instants import format_instant, parse_instant
from protocol.result import Failure
from protocol.sanitize import plain_text

DEFAULT_TIMEZONE = "Europe/Amsterdam"
CLOSING_TIMEZONE = "Europe/Amsterdam"
ICAL_STATUS = "ical:status"
ICAL_STATUS_IRI = "http://www.w3.org/2002/12/cal/ical#status"
_TO_ICAL = {"scheduled": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}
_FROM_ICAL = {"CONFIRMED": "scheduled", "CANCELLED": "cancelled", "TENTATIVE": "scheduled"}
EVENT_STATUSES = ("scheduled", "cancelled", "postponed")
CONTRACT_TYPES = ("permanent", "temporary", "freelance", "internship", "volunteer")
_TO_EMPLOYMENT = {
    "temporary": "TEMPORARY",
    "freelance": "CONTRACTOR",
    "internship": "INTERN",
    "volunteer": "VOLUNTEER",
}
_FROM_EMPLOYMENT = {v: k for k, v in _TO_EMPLOYMENT.items()} | {
    "FULL_TIME": "permanent",
    "PART_TIME": "permanent",
}
SALARY_UNITS = ("HOUR", "MONTH", "YEAR")
FULL_TIME_HOURS = 36

# -- the times -------------------------------------------------------------------------


def _zone(name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(name if isinstance(name, str) and name else DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def event_window(details: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of clean event details as aware UTC moments.

    An all-day event runs from the start of its start date to the end of its
    (inclusive) end date, i.e. the start of the next day, in its time zone.
    """
    zone = _zone(details.get("timezone"))
    if details.get("all_day"):
        first = dt.date.fromisoformat(str(details["start"])[:10])
        last = dt.date.fromisoformat(str(details["end"])[:10])
        start = dt.datetime.combine(first, dt.time(0), zone)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    start_at, end_at = parse_instant(details.get("start")), parse_instant(details.get("end"))
    if isinstance(start_at, Failure) or isinstance(end_at, Failure):
        raise ValueError("event details carry an unreadable start or end")
    return start_at, end_at


def closing_instant(closing_date: str) -> str:
    """The end of ``closing_date`` (23:59:59.999999 in Europe/Amsterdam), canonical UTC text."""
    day = dt.date.fromisoformat(closing_date)
    last = dt.datetime.combine(day, dt.time(23, 59, 59, 999999), ZoneInfo(CLOSING_TIMEZONE))
    return format_instant(last)


def closing_date_of(instant: Any) -> str | None:
    """The inverse of :func:`closing_instant`: the Amsterdam date of an instant."""
    moment = parse_instant(instant)
    if isinstance(moment, Failure):
        return None
    return moment.astimezone(ZoneInfo(CLOSING_TIMEZONE)).date().isoformat()


# -- item → wire -----------------------------------------------------------------------


def _local(moment: dt.datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat()


def event_terms(details: Mapping[str, Any]) -> dict[str, Any]:
    """The Event properties for clean event details (merged into the item's object)."""
    zone = _zone(details.get("timezone"))
    start, end = event_window(details)
    status = details.get("status") or "scheduled"
    out: dict[str, Any] = {
        "startTime": _local(start, zone),
        "endTime": _local(end, zone),
        "timezone": zone.key,
        ICAL_STATUS: _TO_ICAL.get(status, "CONFIRMED"),
        "eventStatus": status,
        "allDay": bool(details.get("all_day")),
    }
    place = details.get("place")
    if place:
        location: dict[str, Any] = {"type": "Place", "name": place.get("name")}
        if place.get("address"):
            location["address"] = place["address"]
        if place.get("latitude") is not None:
            location["latitude"] = place["latitude"]
            location["longitude"] = place["longitude"]
        out["location"] = location
    optional = {
        "onlineUrl": details.get("online_url"),
        "ticketUrl": details.get("ticket_url"),
        "organizer": details.get("organiser"),
        "price": details.get("price"),
    }
    out.update({k: v for k, v in optional.items() if v not in (None, "")})
    return out


def online_link(details: Mapping[str, Any]) -> dict[str, Any] | None:
    """Mobilizon's way to name an online event's address: a Link in ``attachment``."""
    url = details.get("online_url")
    return (
        {"type": "Link", "name": "online", "mediaType": "text/html", "href": url} if url else None
    )


def vacancy_terms(details: Mapping[str, Any]) -> dict[str, Any]:
    """The schema.org JobPosting properties for clean vacancy details."""
    contract = details.get("contract_type") or "permanent"
    if contract == "permanent":
        low = details.get("hours_min")
        employment = "PART_TIME" if low is not None and low < FULL_TIME_HOURS else "FULL_TIME"
    else:
        employment = _TO_EMPLOYMENT[contract]
    out: dict[str, Any] = {
        "hiringOrganization": {"name": details.get("employer") or ""},
        "jobLocation": {"type": "Place", "name": details.get("location") or ""},
        "employmentType": employment,
        "contractType": contract,
        "validThrough": closing_instant(details["closing_date"]),
        "directApply": False,
    }
    salary = details.get("salary")
    if salary:
        value = {"type": "QuantitativeValue", "unitText": salary.get("unit") or "MONTH"}
        if salary.get("min") is not None:
            value["minValue"] = salary["min"]
        if salary.get("max") is not None:
            value["maxValue"] = salary["max"]
        out["baseSalary"] = {
            "type": "MonetaryAmount",
            "currency": salary.get("currency") or "EUR",
            "value": value,
        }
    optional = {
        "workHours": details.get("hours"),
        "hoursMin": details.get("hours_min"),
        "hoursMax": details.get("hours_max"),
        "educationRequirements": details.get("education_level"),
        "applyUrl": details.get("apply_url"),
        "applyEmail": details.get("apply_email"),
    }
    out.update({k: v for k, v in optional.items() if v not in (None, "")})
    return out


# -- wire → item -----------------------------------------------------------------------


def _str(value: Any, limit: int = 300) -> str:
    """Plain text (a partner's markup dropped, < and > removed), cut at ``limit``."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if not isinstance(value, str):
        return ""
    return plain_text(value).replace("<", "").replace(">", "").strip()[:limit]


def _url(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("href") or value.get("url") or value.get("id")
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value[:2000]
    return None


def _num(value: Any) -> float | int | None:
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return value


def _address(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()[:500]
    if isinstance(value, dict):  # schema.org PostalAddress (Mobilizon, Gancio)
        street = _str(value.get("streetAddress"))
        town = " ".join(
            p for p in (_str(value.get("postalCode")), _str(value.get("addressLocality"))) if p
        )
        parts = [p for p in (street, town, _str(value.get("addressCountry"))) if p]
        return ", ".join(parts)[:500]
    return ""


def _status(obj: Mapping[str, Any]) -> str:
    ours = obj.get("eventStatus")
    if ours in EVENT_STATUSES:
        return ours  # type: ignore[return-value]
    ical = obj.get(ICAL_STATUS, obj.get(ICAL_STATUS_IRI))
    return _FROM_ICAL.get(str(ical).upper(), "scheduled") if isinstance(ical, str) else "scheduled"


def event_details(obj: Mapping[str, Any]) -> dict[str, Any] | Failure:
    """An Event object's properties → event details (canonical), or a Failure."""
    start, end = parse_instant(obj.get("startTime")), parse_instant(obj.get("endTime"))
    if isinstance(start, Failure):
        return Failure("object.event_start", f"startTime: {start.detail}")
    if isinstance(end, Failure):
        if obj.get("endTime") is not None:
            return Failure("object.event_end", f"endTime: {end.detail}")
        end = start  # Mobilizon and Gancio may leave out the end: a moment
    if end < start:
        return Failure("object.event_end", "endTime is before startTime")
    zone = _zone(obj.get("timezone"))
    all_day = obj.get("allDay") is True
    if all_day:
        first = start.astimezone(zone).date()
        last = (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
        start_text, end_text = first.isoformat(), max(first, last).isoformat()
    else:
        start_text, end_text = format_instant(start), format_instant(end)
    place = None
    location = obj.get("location")
    if isinstance(location, list):
        location = next((p for p in location if isinstance(p, dict)), None)
    if isinstance(location, dict) and _str(location.get("name")):
        lat, lon = _num(location.get("latitude")), _num(location.get("longitude"))
        valid = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
        place = {
            "name": _str(location.get("name")),
            "address": _address(location.get("address")),
            "latitude": lat if valid else None,
            "longitude": lon if valid else None,
        }
    online = _url(obj.get("onlineUrl"))
    if online is None:
        attachments = obj.get("attachment")
        for att in attachments if isinstance(attachments, list) else [attachments]:
            if isinstance(att, dict) and att.get("type") == "Link":
                online = _url(att)
                if online:
                    break
    return {
        "start": start_text,
        "end": end_text,
        "all_day": all_day,
        "timezone": zone.key,
        "place": place,
        "online_url": online,
        "organiser": _str(obj.get("organizer")),
        "ticket_url": _url(obj.get("ticketUrl")),
        "price": _str(obj.get("price"), 100),
        "status": _status(obj),
    }


def is_vacancy(obj: Mapping[str, Any]) -> bool:
    return obj.get("type") == "Page" and isinstance(obj.get("hiringOrganization"), dict | str)


def vacancy_details(obj: Mapping[str, Any]) -> dict[str, Any] | Failure:
    """A vacancy Page's JobPosting properties → vacancy details, or a Failure."""
    closing = closing_date_of(obj.get("validThrough"))
    if closing is None:
        return Failure("object.vacancy_closing", "validThrough must be a date and time with zone")
    contract = obj.get("contractType")
    if contract not in CONTRACT_TYPES:
        kinds = obj.get("employmentType")
        first = kinds[0] if isinstance(kinds, list) and kinds else kinds
        contract = _FROM_EMPLOYMENT.get(str(first).upper(), "permanent")
    salary = None
    base = obj.get("baseSalary")
    if isinstance(base, dict):
        value = base.get("value") if isinstance(base.get("value"), dict) else {}
        low, high = _num(value.get("minValue")), _num(value.get("maxValue"))
        if low is None and high is None:
            low = high = _num(value.get("value"))
        unit = str(value.get("unitText") or "MONTH").upper()
        currency = base.get("currency")
        if low is not None or high is not None:
            if low is not None and high is not None and low > high:
                low, high = high, low
            salary = {
                "min": low,
                "max": high,
                "currency": currency if isinstance(currency, str) and len(currency) == 3 else "EUR",
                "unit": unit if unit in SALARY_UNITS else "MONTH",
            }
    hours_min, hours_max = _num(obj.get("hoursMin")), _num(obj.get("hoursMax"))
    if hours_min is not None and hours_max is not None and hours_min > hours_max:
        hours_min, hours_max = hours_max, hours_min
    email = obj.get("applyEmail")
    location = obj.get("jobLocation")
    if isinstance(location, list):
        location = next(iter(location), None)
    town = _str(location)
    if not town and isinstance(location, dict):
        town = _address(location.get("address"))
    return {
        "employer": _str(obj.get("hiringOrganization")),
        "location": town,
        "hours": _str(obj.get("workHours"), 100),
        "hours_min": hours_min,
        "hours_max": hours_max,
        "contract_type": contract,
        "salary": salary,
        "closing_date": closing,
        "apply_url": _url(obj.get("applyUrl")),
        "apply_email": email.strip()[:254] if isinstance(email, str) and "@" in email else None,
        "education_level": _str(obj.get("educationRequirements"), 100),
    }
