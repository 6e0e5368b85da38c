"""Times for people: one place that turns a stored instant into words.

The node stores instants as UTC ISO 8601 (``2026-12-01T07:51:45.008782Z``); that stays
the form for machines: APIs, feeds, and the ``datetime`` attribute of ``<time>``
(:func:`machine`).  Everything a person reads goes through :func:`when` or
:func:`day`: the instant in Europe/Amsterdam, written in the page's language::

    when("2026-12-01T07:51:45Z", "nl")             -> "1 december 2026, 08:51"
    when("2026-12-01T07:51:45Z", "en")             -> "1 December 2026, 08:51"
    when("2026-12-01T07:51:45Z", "nl", zone=True)  -> "1 december 2026, 08:51 (CET)"
    day("2026-07-01T22:30:00Z", "nl")              -> "2 juli 2026"

Where the zone is named (``zone=True``, "CET" in winter, "CEST" in summer), and why:

* **public pages**: their readers can be anywhere, and nothing tells us they live in
  Amsterdam's zone;
* **embargo and expiry moments**: a deadline a partner node compares with its own clock;
* **deliveries and network health**: times put next to a partner's logs.

On the editor's own desk (editor, library, insight, notifications, contributions)
the zone is left out: it is always Amsterdam there, and the forms say "Nederlandse tijd".

A value that is not an instant is returned as it is (never an exception on a page);
``None`` and ``""`` become ``""``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ZONE_NAME = "Europe/Amsterdam"
ZONE = ZoneInfo(ZONE_NAME)
LANGUAGES = ("nl", "en")

MONTHS = {
    "nl": "januari februari maart april mei juni juli augustus september oktober november"
    " december".split(),
    "en": "January February March April May June July August September October November"
    " December".split(),
}
WEEKDAYS = {
    "nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split(),
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
}

Instant = str | dt.datetime | None


def parse(value: Instant) -> dt.datetime | None:
    """A stored instant (ISO text with ``Z`` or an offset, or a datetime) → aware datetime.

    A value without a zone is read as UTC, which is how the node stores them."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def local(value: Instant) -> dt.datetime | None:
    """The instant on Amsterdam's clock, or ``None``."""
    moment = parse(value)
    return moment.astimezone(ZONE) if moment else None


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else "nl"


def date_words(date: dt.date, lang: str = "nl", *, weekday: bool = False) -> str:
    """``1 december 2026`` / ``1 December 2026``; with ``weekday``: ``dinsdag 1 december 2026``."""
    lang = _lang(lang)
    text = f"{date.day} {MONTHS[lang][date.month - 1]} {date.year}"
    return f"{WEEKDAYS[lang][date.weekday()]} {text}" if weekday else text


def when(value: Instant, lang: str = "nl", *, zone: bool = False) -> str:
    """An instant as date and time in words, on Amsterdam's clock (see the module doc)."""
    moment = local(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    text = f"{date_words(moment.date(), lang)}, {moment:%H:%M}"
    return f"{text} ({moment.tzname()})" if zone else text


def day(value: Instant, lang: str = "nl") -> str:
    """Only the date of an instant, on Amsterdam's clock: ``1 december 2026``."""
    moment = local(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    return date_words(moment.date(), lang)


def machine(value: Instant) -> str:
    """The instant for machines (``<time datetime>``, APIs): UTC ISO 8601 with ``Z``."""
    moment = parse(value)
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
