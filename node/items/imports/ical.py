"""iCalendar (RFC 5545) → event payloads, with the maintained ``icalendar`` parser.

Each VEVENT becomes one draft event:

- DTSTART/DTEND with a TZID or in UTC → UTC instants plus the event's IANA time zone
  (a TZID that is no IANA name keeps the instants, which icalendar computes from the
  file's VTIMEZONE, and gets the default zone); DURATION stands in for a missing DTEND.
- DATE values → an all-day event; iCalendar's DTEND date is exclusive, ours inclusive,
  so the last day is DTEND − 1.
- A floating time (no TZID, no Z) is refused with reason ``no-time-zone``: which
  moment is meant depends on where the reader is.
- SUMMARY → title, DESCRIPTION (plain text, or HTML when it holds tags) → body and
  summary, LOCATION → place (its first comma part is the name, the rest the address;
  a LOCATION that is a web address is the online URL), GEO → coordinates,
  URL → ticket or registration URL, STATUS → scheduled/cancelled,
  ORGANIZER → its CN (or e-mail address).
- RRULE/RDATE: only the first occurrence (DTSTART) is imported, and the result says
  so for that event; the editor can copy it for later dates.  Expanding rules would
  turn one line into an unbounded number of items.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import icalendar

from node.items.imports import (
    DEFAULT_TIMEZONE,
    ImportRefused,
    Parsed,
    body_and_summary,
    check_count,
    check_size,
    clean_title,
    utc_text,
)

_VEVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
#: Many calendars (Google's among them) put HTML in DESCRIPTION; it is sanitised like any HTML.
_TAG = re.compile(r"<[a-zA-Z/!]")
RECURRING_NOTE = "recurring: only the first occurrence was imported"


def _malformed(detail: str) -> ImportRefused:
    return ImportRefused("malformed-ics", f"The iCalendar file cannot be read: {detail}")


def parse_ical(data: bytes) -> list[Parsed]:
    """All VEVENTs of one iCalendar file, or a refusal; counted before the full parse."""
    check_size(data)
    check_count(len(_VEVENT.findall(data)))
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise _malformed(str(exc)[:200]) from exc
    if not calendars or any(c.name != "VCALENDAR" for c in calendars):
        raise _malformed("no complete calendar (BEGIN:VCALENDAR … END:VCALENDAR) was found")
    for component in (part for cal in calendars for part in cal.walk()):
        if component.errors:
            name, problem = component.errors[0]
            where = f"{component.name} {name}" if name else component.name
            raise _malformed(f"{where}: {str(problem)[:200]}")
    events = [ev for cal in calendars for ev in cal.walk("VEVENT")]
    check_count(len(events))
    if not events:
        raise ImportRefused("no-events", "The iCalendar file holds no events (VEVENT).")
    return [_event(ev, n) for n, ev in enumerate(events, start=1)]


def _time(event: icalendar.Event, name: str, index: int) -> dt.date | dt.datetime | None:
    prop = event.get(name)
    if prop is None:
        return None
    value = getattr(prop, "dt", None)
    if not isinstance(value, dt.date):
        raise _malformed(f"event {index}: {name} is not a date or date-time")
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        raise ImportRefused(
            "no-time-zone",
            f"Event {index}: {name} {value.isoformat()} has no time zone (no TZID and no Z);"
            " which moment is meant depends on where the reader is.",
            index=index,
        )
    return value


def _zone_name(moment: dt.datetime, prop: Any) -> str:
    key = getattr(moment.tzinfo, "key", None)
    candidates = [key, getattr(prop, "params", {}).get("TZID")]
    for name in candidates:
        if isinstance(name, str) and name not in ("UTC", "Etc/UTC"):
            try:
                zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return DEFAULT_TIMEZONE


def _window(event: icalendar.Event, index: int) -> dict[str, Any]:
    start = _time(event, "DTSTART", index)
    if start is None:
        raise _malformed(f"event {index} has no DTSTART")
    end = _time(event, "DTEND", index)
    if end is None and event.get("DURATION") is not None:
        duration = getattr(event["DURATION"], "dt", None)
        if not isinstance(duration, dt.timedelta):
            raise _malformed(f"event {index}: DURATION is not a duration")
        end = start + duration
    all_day = not isinstance(start, dt.datetime)
    if all_day:
        if end is None:
            end = start + dt.timedelta(days=1)  # RFC 5545: a one-day event
        if isinstance(end, dt.datetime):
            raise _malformed(f"event {index}: DTSTART is a date but DTEND a date-time")
        return {
            "start": start.isoformat(),
            "end": (end - dt.timedelta(days=1)).isoformat() if end > start else end.isoformat(),
            "all_day": True,
            "timezone": DEFAULT_TIMEZONE,
        }
    if end is None:
        raise ImportRefused("no-end", f"Event {index} has no end (DTEND or DURATION).", index=index)
    if not isinstance(end, dt.datetime):
        raise _malformed(f"event {index}: DTSTART is a date-time but DTEND a date")
    return {
        "start": utc_text(start),
        "end": utc_text(end),
        "all_day": False,
        "timezone": _zone_name(start, event.get("DTSTART")),
    }


def _place(event: icalendar.Event) -> tuple[dict[str, Any] | None, str | None]:
    text = " ".join(str(event.get("LOCATION") or "").split())
    if _URL.match(text):
        return None, text
    geo = event.get("GEO")
    if not text:
        return None, None
    name, _, address = (part.strip() for part in text.partition(","))
    place: dict[str, Any] = {"name": name[:300], "address": address[:300] or None}
    if geo is not None:
        place["latitude"], place["longitude"] = float(geo.latitude), float(geo.longitude)
    return place, None


def _organiser(event: icalendar.Event) -> str | None:
    prop = event.get("ORGANIZER")
    if prop is None:
        return None
    name = prop.params.get("CN") if hasattr(prop, "params") else None
    text = str(name or prop).removeprefix("mailto:").removeprefix("MAILTO:").strip()
    return text[:300] or None


_STATUS = {"CANCELLED": "cancelled", "CONFIRMED": "scheduled", "TENTATIVE": "scheduled"}


def _event(event: icalendar.Event, index: int) -> Parsed:
    title = clean_title(event.get("SUMMARY"), index)
    description = str(event.get("DESCRIPTION") or "")
    body, summary = body_and_summary(description, is_html=bool(_TAG.search(description)))
    place, online_url = _place(event)
    details: dict[str, Any] = {**_window(event, index), "place": place, "online_url": online_url}
    url = str(event.get("URL") or "").strip()
    details["ticket_url"] = url if _URL.match(url) else None
    details["status"] = _STATUS.get(str(event.get("STATUS") or "").upper(), "scheduled")
    details["price"] = ""
    organiser = _organiser(event)
    if organiser:
        details["organiser"] = organiser
    notes = (RECURRING_NOTE,) if event.get("RRULE") or event.get("RDATE") else ()
    payload = {"kind": "event", "title": title, "summary": summary, "body": body}
    return Parsed({**payload, "details": details}, notes)
