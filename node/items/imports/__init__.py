"""Importing events and vacancies from other sites: iCalendar files and schema.org JSON-LD.

Pure parsing, no I/O: bytes in, item create payloads out (the shape of
``POST /api/v1/items`` for kinds ``event`` and ``vacancy``, see the kinds contract),
or an :class:`ImportRefused` with a machine-readable ``reason`` and the words a
person needs.  The payloads are checked again, field by field, by the items
service when they are stored (``node.items.kinds.clean_details``); this package
only turns foreign formats into our fields and refuses what cannot be turned.

Bounds (every one a refusal, never a truncation): a file or page of more than
:data:`MAX_BYTES`, more than :data:`MAX_ITEMS` events or postings in one file,
malformed iCalendar, nothing importable found, a time without a time zone.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any

from node.core.errors import ProblemError
from protocol.sanitize import plain_text, sanitize_html

#: Largest file or page accepted (checked before parsing).
MAX_BYTES = 2 * 1024 * 1024
#: Most events (or job postings) one import may create; more is refused, not cut.
MAX_ITEMS = 500
#: A summary is the description's first words, in plain text.
SUMMARY_CHARS = 280
TITLE_CHARS = 300
#: The time zone of an event whose source names only UTC instants (the contract's default).
DEFAULT_TIMEZONE = "Europe/Amsterdam"


class ImportRefused(ProblemError):
    """An import that stores nothing; ``reason`` is a stable key the admin UI translates."""

    status, code, title = 422, "import-refused", "Import refused"

    def __init__(self, reason: str, detail: str, *, status: int | None = None, **params: Any):
        super().__init__(detail, status=status, reason=reason, **params)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class Parsed:
    """One importable item: its create payload, and what the editor should know about it."""

    payload: dict[str, Any]
    notes: tuple[str, ...] = ()


def too_large(size: int | None = None) -> ImportRefused:
    got = f" ({size} bytes)" if size is not None else ""
    return ImportRefused(
        "too-large",
        f"The file or page is larger than the import limit of {MAX_BYTES} bytes{got}.",
        status=413,
        limit=MAX_BYTES,
    )


def check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise too_large(len(data))


def check_count(count: int, what: str = "events") -> None:
    if count > MAX_ITEMS:
        raise ImportRefused(
            "too-many-events",
            f"The file holds {count} {what}; one import takes at most {MAX_ITEMS}."
            " Nothing was imported.",
            count=count,
            limit=MAX_ITEMS,
        )


def text_to_html(text: str) -> str:
    """Plain text (an iCalendar DESCRIPTION) → paragraphs of escaped HTML."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def body_and_summary(description: str | None, *, is_html: bool) -> tuple[str, str]:
    """Sanitised body HTML and a short plain-text summary of a foreign description."""
    if not description:
        return "", ""
    source = description if is_html else text_to_html(description)
    body = sanitize_html(source)
    text = " ".join(plain_text(body).split())
    if len(text) > SUMMARY_CHARS:
        text = text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return body, text


def clean_title(value: Any, index: int) -> str:
    title = " ".join(plain_text(str(value or "")).split())
    if not title:
        raise ImportRefused(
            "no-title", f"Event {index} has no title (SUMMARY or name).", index=index
        )
    return title[:TITLE_CHARS]


def utc_text(moment: dt.datetime) -> str:
    """An aware datetime as the contract's UTC instant text (``…Z``)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_upload(data: bytes, filename: str | None = None) -> list[Parsed]:
    """An uploaded file: iCalendar, or an HTML page with JSON-LD (sniffed, not trusted)."""
    check_size(data)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    from node.items.imports import ical, jsonld

    if head.startswith(b"BEGIN:VCALENDAR") or (filename or "").lower().endswith(".ics"):
        return ical.parse_ical(data)
    return jsonld.parse_page(data)


__all__ = [
    "DEFAULT_TIMEZONE",
    "MAX_BYTES",
    "MAX_ITEMS",
    "ImportRefused",
    "Parsed",
    "body_and_summary",
    "check_count",
    "check_size",
    "clean_title",
    "parse_upload",
    "too_large",
    "utc_text",
]
