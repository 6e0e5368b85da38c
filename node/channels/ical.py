"""iCalendar (RFC 5545) for the agenda: feeds and one-event files, built with ``icalendar``.

* UID is the item's URI, so a calendar that subscribed once keeps one entry
  per event across updates and across nodes (A's feed and B's network feed
  name the same event alike).
* Timed events carry DTSTART/DTEND in the event's own time zone (TZID, with a
  VTIMEZONE the library adds); all-day events are DATE values, DTEND the day
  after the last day (RFC 5545 §3.6.1: the end is exclusive).
* STATUS is CONFIRMED, CANCELLED or TENTATIVE (postponed).
* Text is text: SUMMARY, DESCRIPTION and LOCATION are plain text with tags
  removed, never HTML (some calendar programs render DESCRIPTION as HTML).
* DTSTAMP is the entry's last update, not "now", so the body (and its ETag)
  only changes when an event does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from node.core.clock import parse_iso
from protocol.sanitize import plain_text

PRODID = "-//Mediakring//Agenda//NL"
STATUS = {"scheduled": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}


def text(value: Any) -> str:
    """Plain text for a calendar field: markup removed, control characters dropped."""
    cleaned = plain_text(str(value or ""))
    return "".join(ch for ch in cleaned if ch in "\n\t" or ch >= " ")


def location(details: dict[str, Any]) -> str:
    place = details.get("place") or {}
    parts = [place.get("name") or "", place.get("address") or ""]
    where = ", ".join(text(p) for p in parts if p)
    return where or text(details.get("online_url") or "")


def _times(details: dict[str, Any]) -> tuple[Any, Any]:
    if details.get("all_day"):
        start = dt.date.fromisoformat(str(details["start"])[:10])
        end = dt.date.fromisoformat(str(details["end"])[:10]) + dt.timedelta(days=1)
        return start, end
    zone = ZoneInfo(details.get("timezone") or "Europe/Amsterdam")
    return (
        parse_iso(details["start"]).astimezone(zone),
        parse_iso(details["end"]).astimezone(zone),
    )


def vevent(entry: dict[str, Any]) -> icalendar.Event:
    details = entry["details"]
    event = icalendar.Event()
    event.add("uid", entry["uri"])
    event.add("dtstamp", parse_iso(entry["updated_at"]))
    start, end = _times(details)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", text(entry["title"]))
    description = "\n\n".join(t for t in (text(entry["summary"]), text(entry["text"])) if t)
    extra = [
        f"{label}: {text(value)}"
        for label, value in (
            ("Organisator", details.get("organiser")),
            ("Prijs", details.get("price")),
            ("Tickets", details.get("ticket_url")),
            ("Online", details.get("online_url")),
        )
        if value
    ]
    if extra:
        description = "\n\n".join(p for p in (description, "\n".join(extra)) if p)
    if description:
        event.add("description", description)
    where = location(details)
    if where:
        event.add("location", where)
    place = details.get("place") or {}
    if place.get("latitude") is not None and place.get("longitude") is not None:
        event.add("geo", (float(place["latitude"]), float(place["longitude"])))
    event.add("url", entry["url"])
    event.add("status", STATUS.get(details.get("status") or "scheduled", "CONFIRMED"))
    if details.get("organiser") or entry.get("origin_name"):
        organizer = icalendar.vCalAddress(entry["origin_actor"])
        organizer.params["CN"] = text(details.get("organiser") or entry["origin_name"])
        event.add("organizer", organizer)
    if entry.get("tags"):
        event.add("categories", [text(t) for t in entry["tags"]])
    return event


def calendar(name: str, entries: list[dict[str, Any]]) -> bytes:
    """One VCALENDAR with one VEVENT per entry (and the VTIMEZONEs they use)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", text(name))
    for entry in entries:
        cal.add_component(vevent(entry))
    cal.add_missing_timezones()
    return cal.to_ical()
