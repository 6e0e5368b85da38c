"""schema.org JSON-LD in an HTML page → event and vacancy payloads.

The page is read with the standard library's ``html.parser``: only the text of
``<script type="application/ld+json">`` elements is kept (at most
:data:`MAX_BLOCKS` of them), each parsed as JSON with a depth limit.  A block may be
one object, a list, or carry ``@graph``; every node whose ``@type`` is ``Event``
(or one of its schema.org subtypes) or ``JobPosting`` is imported.  No context is
fetched: the terms are read by their schema.org names, with or without a
``schema:`` / ``https://schema.org/`` prefix.

Descriptions are sanitised to our HTML allowlist; times must carry an offset
(``no-time-zone`` otherwise); a date alone makes an all-day event.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from html.parser import HTMLParser
from typing import Any

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
from protocol.validate import depth_of

MAX_BLOCKS = 50
MAX_DEPTH = 32
EVENT_TYPES = frozenset(
    "Event BusinessEvent ChildrensEvent ComedyEvent CourseInstance DanceEvent DeliveryEvent"
    " EducationEvent EventSeries ExhibitionEvent Festival FoodEvent Hackathon LiteraryEvent"
    " MusicEvent PublicationEvent SaleEvent ScreeningEvent SocialEvent SportsEvent"
    " TheaterEvent VisualArtsEvent".split()
)
_PREFIX = re.compile(r"^(?:https?://schema\.org/|schema:)")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _ScriptCollector(HTMLParser):
    """Collects the text of JSON-LD script elements and nothing else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
        if tag == "script" and kind == "application/ld+json":
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            if len(self.blocks) >= MAX_BLOCKS:
                raise ImportRefused(
                    "too-many-blocks", f"The page has more than {MAX_BLOCKS} JSON-LD blocks."
                )
            self.blocks.append("".join(self._current))
            self._current = None


def _strip(name: Any) -> str:
    return _PREFIX.sub("", name) if isinstance(name, str) else ""


def _types(node: dict) -> set[str]:
    raw = node.get("@type", [])
    return {_strip(t) for t in (raw if isinstance(raw, list) else [raw])}


def _get(node: Any, name: str) -> Any:
    if not isinstance(node, dict):
        return None
    for key in (name, f"schema:{name}", f"https://schema.org/{name}", f"http://schema.org/{name}"):
        if key in node:
            return node[key]
    return None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _nodes(value: Any) -> list[dict]:
    """Every object in a block, through lists and ``@graph`` (not deeper)."""
    out: list[dict] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            out.append(item)
            graph = item.get("@graph")
            out += [
                g for g in (graph if isinstance(graph, list) else [graph]) if isinstance(g, dict)
            ]
    return out


def find_nodes(page: bytes) -> list[dict]:
    """The Event and JobPosting nodes of a page's JSON-LD."""
    check_size(page)
    text = page.decode("utf-8", errors="replace")
    collector = _ScriptCollector()
    collector.feed(text)
    collector.close()
    found: list[dict] = []
    for block in collector.blocks:
        try:
            value = json.loads(block)
        except (ValueError, RecursionError):
            continue  # a broken block on somebody's page is skipped, the others still count
        if depth_of(value, MAX_DEPTH + 1) > MAX_DEPTH:
            raise ImportRefused("too-deep", f"A JSON-LD block nests deeper than {MAX_DEPTH}.")
        found += [n for n in _nodes(value) if _types(n) & (EVENT_TYPES | {"JobPosting"})]
        check_count(len(found), "events and job postings")
    return found


def parse_page(page: bytes) -> list[Parsed]:
    nodes = find_nodes(page)
    if not nodes:
        raise ImportRefused(
            "no-events",
            "The page has no schema.org Event or JobPosting in JSON-LD"
            ' (<script type="application/ld+json">).',
        )
    return [
        _job(n, i) if "JobPosting" in _types(n) else _event(n, i)
        for i, n in enumerate(nodes, start=1)
    ]


def _text(value: Any, limit: int = 300) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = _get(value, "name")
    return " ".join(str(value).split())[:limit] if isinstance(value, str | int | float) else ""


def _url(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = _get(value, "url") or value.get("@id")
    return value.strip() if isinstance(value, str) and _URL.match(value.strip()) else None


# -- events ----------------------------------------------------------------------------


def _when(value: Any, field: str, index: int) -> dt.date | dt.datetime:
    text = str(_first(value) or "").strip()
    if not text:
        raise ImportRefused("no-start", f"Event {index} has no {field}.", index=index)
    try:
        if "T" not in text.upper():
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "zZ" else text)
    except ValueError:
        raise ImportRefused(
            "bad-date", f"Event {index}: {field} {text[:40]!r} is not an ISO 8601 date.",
            index=index,
        ) from None  # fmt: skip
    if moment.tzinfo is None:
        raise ImportRefused(
            "no-time-zone",
            f"Event {index}: {field} {text[:40]} has no time zone (no offset and no Z).",
            index=index,
        )
    return moment


def _address(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, str):
        return " ".join(value.split())[:300] or None
    if isinstance(value, dict):
        parts = [
            _text(_get(value, key))
            for key in ("streetAddress", "postalCode", "addressLocality", "addressCountry")
        ]
        street, postcode, city, _country = parts
        line = ", ".join(p for p in (street, " ".join(p for p in (postcode, city) if p)) if p)
        return line[:300] or None
    return None


def _location(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    place: dict[str, Any] | None = None
    online: str | None = None
    for loc in value if isinstance(value, list) else [value]:
        if isinstance(loc, str) and loc.strip():
            if _URL.match(loc.strip()):
                online = online or loc.strip()
            elif place is None:
                place = {"name": " ".join(loc.split())[:300], "address": None}
        elif isinstance(loc, dict) and "VirtualLocation" in _types(loc):
            online = online or _url(loc)
        elif isinstance(loc, dict) and place is None:
            address = _address(_get(loc, "address"))
            name = _text(_get(loc, "name")) or address
            if not name:
                continue
            place = {"name": name, "address": address if address != name else None}
            geo = _get(loc, "geo")
            try:
                lat, lon = float(_get(geo, "latitude")), float(_get(geo, "longitude"))
            except (TypeError, ValueError):
                pass
            else:
                place["latitude"], place["longitude"] = lat, lon
    return place, online


_EVENT_STATUS = {
    "EventCancelled": "cancelled",
    "EventPostponed": "postponed",
    "EventScheduled": "scheduled",
    "EventRescheduled": "scheduled",
    "EventMovedOnline": "scheduled",
}


def _price(offers: Any) -> tuple[str, str | None]:
    offer = _first(offers)
    if not isinstance(offer, dict):
        return "", None
    price, currency = _get(offer, "price"), _text(_get(offer, "priceCurrency"), 3)
    text = ""
    if isinstance(price, int | float) or (isinstance(price, str) and price.strip()):
        try:
            text = "gratis" if float(price) == 0 else f"{currency} {price}".strip()
        except ValueError:
            text = _text(price, 100)
    return text[:100], _url(offer)


def _event(node: dict, index: int) -> Parsed:
    title = clean_title(_get(node, "name"), index)
    body, summary = body_and_summary(_text(_get(node, "description"), 200_000), is_html=True)
    start = _when(_get(node, "startDate"), "startDate", index)
    end_raw = _get(node, "endDate")
    end = _when(end_raw, "endDate", index) if end_raw else start
    notes: list[str] = []
    if isinstance(start, dt.datetime):
        if not isinstance(end, dt.datetime):
            end = dt.datetime.combine(end, dt.time(23, 59), start.tzinfo)
        window = {"start": utc_text(start), "end": utc_text(end), "all_day": False}
        if not end_raw:
            notes.append("no end time given: the end was set to the start")
    else:
        if isinstance(end, dt.datetime):
            end = end.date()
        window = {"start": start.isoformat(), "end": end.isoformat(), "all_day": True}
    place, online = _location(_get(node, "location"))
    price, offer_url = _price(_get(node, "offers"))
    status = _EVENT_STATUS.get(_strip(_text(_get(node, "eventStatus"), 100)), "scheduled")
    details: dict[str, Any] = {
        **window,
        "timezone": _timezone(start),
        "place": place,
        "online_url": online,
        "ticket_url": offer_url or _url(_get(node, "url")),
        "price": price,
        "status": status,
    }
    organiser = _text(_get(node, "organizer"))
    if organiser:
        details["organiser"] = organiser
    payload = {"kind": "event", "title": title, "summary": summary, "body": body}
    return Parsed({**payload, "details": details}, tuple(notes))


def _timezone(start: dt.date | dt.datetime) -> str:
    """schema.org gives an offset, not a zone: keep the default zone when the offset fits it."""
    if isinstance(start, dt.datetime):
        local = start.astimezone(zoneinfo.ZoneInfo(DEFAULT_TIMEZONE))
        if local.utcoffset() != start.utcoffset():
            return "UTC"
    return DEFAULT_TIMEZONE


# -- job postings ----------------------------------------------------------------------

_CONTRACT = {
    "FULL_TIME": "permanent",
    "PART_TIME": "permanent",
    "CONTRACTOR": "freelance",
    "TEMPORARY": "temporary",
    "INTERN": "internship",
    "VOLUNTEER": "volunteer",
    "PER_DIEM": "temporary",
}
_RANGE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:-|–|tot|to)\s*(\d+(?:[.,]\d+)?)")


def _closing_date(value: Any, index: int) -> str:
    text = str(_first(value) or "").strip()
    if not text:
        raise ImportRefused(
            "no-closing-date", f"Job posting {index} has no validThrough (closing date).",
            index=index,
        )  # fmt: skip
    try:
        if "T" not in text.upper():
            return dt.date.fromisoformat(text).isoformat()
        moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "zZ" else text)
    except ValueError:
        raise ImportRefused(
            "bad-date", f"Job posting {index}: validThrough {text[:40]!r} is not an ISO 8601 date.",
            index=index,
        ) from None  # fmt: skip
    if moment.tzinfo is None:
        return moment.date().isoformat()  # a closing day is read as a local date anyway
    return moment.astimezone(zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)).date().isoformat()


def _salary(value: Any) -> dict[str, Any] | None:
    amount = _first(value)
    if not isinstance(amount, dict):
        return None
    currency = _text(_get(amount, "currency"), 3) or "EUR"
    quantity = _get(amount, "value")
    if isinstance(quantity, int | float):
        low = high = quantity
        unit = ""
    elif isinstance(quantity, dict):
        single = _get(quantity, "value")
        low, high = _get(quantity, "minValue"), _get(quantity, "maxValue")
        low = single if low is None else low
        high = single if high is None else high
        high = low if high is None else high
        low = high if low is None else low
        unit = _text(_get(quantity, "unitText"), 10).upper()
    else:
        return None
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        return None
    if unit not in ("HOUR", "MONTH", "YEAR"):
        return None  # WEEK/DAY or none: the contract knows three units; leave it to the text
    return {"min": _number(low), "max": _number(high), "currency": currency, "unit": unit}


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _apply(node: dict) -> tuple[str | None, str | None]:
    contact = _first(_get(node, "applicationContact"))
    email = _text(_get(contact, "email"), 200).removeprefix("mailto:") or None
    url = _url(_get(contact, "url")) if isinstance(contact, dict) else None
    if _get(node, "directApply") in (True, "true", "True") or not url:
        url = url or _url(_get(node, "url"))
    return url, email if email and _EMAIL.match(email) else None


def _education(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        return _text(_get(value, "credentialCategory") or _get(value, "name"), 100)
    return _text(value, 100)


def _job_location(node: dict) -> str:
    loc = _first(_get(node, "jobLocation"))
    address = _get(loc, "address") if isinstance(loc, dict) else loc
    city = (
        _text(_get(_first(address), "addressLocality")) if isinstance(_first(address), dict) else ""
    )
    text = city or _address(address) or _text(_get(loc, "name"))
    if not text and _text(_get(node, "jobLocationType")) == "TELECOMMUTE":
        text = "op afstand"
    return text


def _job(node: dict, index: int) -> Parsed:
    title = clean_title(_get(node, "title") or _get(node, "name"), index)
    body, summary = body_and_summary(_text(_get(node, "description"), 200_000), is_html=True)
    types = _get(node, "employmentType")
    contract = next(
        (_CONTRACT[t] for t in (types if isinstance(types, list) else [types]) if t in _CONTRACT),
        "permanent",
    )
    hours = _text(_get(node, "workHours"), 100)
    apply_url, apply_email = _apply(node)
    details: dict[str, Any] = {
        "location": _job_location(node),
        "hours": hours,
        "contract_type": contract,
        "salary": _salary(_get(node, "baseSalary")),
        "closing_date": _closing_date(_get(node, "validThrough"), index),
        "apply_url": apply_url,
        "apply_email": apply_email,
        "education_level": _education(_get(node, "educationRequirements")),
    }
    span = _RANGE.search(hours)
    if span:
        low, high = (float(g.replace(",", ".")) for g in span.groups())
        if low <= high:
            details["hours_min"], details["hours_max"] = _number(low), _number(high)
    employer = _text(_get(node, "hiringOrganization"))
    if employer:
        details["employer"] = employer
    notes = ()
    posted = _text(_get(node, "datePosted"), 40)
    if posted:
        notes = (f"posted on {posted[:10]}",)
    payload = {"kind": "vacancy", "title": title, "summary": summary, "body": body}
    return Parsed({**payload, "details": details}, notes)
