"""What every feed format says about the node and about one entry, computed once.

The four formats (RSS with Media RSS, podcast RSS, Atom, JSON Feed) differ in
syntax only; the wording of credit and licence, the choice of description and
the media list come from here so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
from dataclasses import dataclass
from typing import Any

from node.channels.attribution import credit_line, credit_of, licence_label, licence_url
from node.channels.public import category, media_view
from node.core.clock import parse_iso
from node.core.identity import Identity
from protocol.sanitize import plain_text

_XML_INVALID = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(value: Any) -> str:
    """Text that is valid inside XML 1.0 (control characters would make a feed bozo)."""
    return _XML_INVALID.sub("", "" if value is None else str(value))


def rfc822(timestamp: str) -> str:
    return email.utils.format_datetime(parse_iso(timestamp), usegmt=True)


def rfc3339(timestamp: str) -> str:
    return parse_iso(timestamp).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class FeedMeta:
    """The feed as a whole: who, where, in which language, last changed when."""

    identity: Identity
    self_url: str
    title: str
    description: str
    lang: str
    updated: str


@dataclass(frozen=True)
class Entry:
    """One item as feeds present it."""

    item: dict[str, Any]
    summary: str
    credit: str
    credit_line: str
    licence: str
    licence_label: str
    licence_url: str | None
    media: list[dict[str, Any]]

    @property
    def thumbnail(self) -> str | None:
        """A still for the entry: a media thumbnail, else the first image itself."""
        for m in self.media:
            if m["thumbnail_url"]:
                return m["thumbnail_url"]
        for m in self.media:
            if category(m["media_type"]) == "image":
                return m["url"]
        return None

    @property
    def updated(self) -> str:
        return max(self.item["updated_at"], self.item["published_at"])


def entry_of(item: dict[str, Any], identity: Identity, lang: str) -> Entry:
    summary = item["summary"] or plain_text(item["body_html"])[:500]
    return Entry(
        item=item,
        summary=summary,
        credit=credit_of(item, identity.name),
        credit_line=credit_line(item, identity.name, lang),
        licence=item["licence"],
        licence_label=licence_label(item["licence"], lang),
        licence_url=licence_url(item["licence"]),
        media=[media_view(identity, m) for m in item["media"]],
    )


def feed_updated(last_change: str | None, items: list[dict[str, Any]]) -> str:
    """The feed's own date: derived from data, never "now", so the ETag stays stable."""
    stamps = [s for s in [last_change, *(i["updated_at"] for i in items)] if s]
    if stamps:
        return max(stamps)
    return dt.datetime(2020, 1, 1, tzinfo=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_html(entry: Entry) -> str:
    """Body plus a visible credit and licence line (body_html is already sanitised)."""
    credit, _, licence_part = entry.credit_line.rpartition(" · ")
    word = licence_part.removesuffix(entry.licence_label)
    licence = html.escape(entry.licence_label)
    if entry.licence_url:
        licence = f'<a href="{html.escape(entry.licence_url)}" rel="license">{licence}</a>'
    line = f"{html.escape(credit)} · {html.escape(word)}{licence}"
    return f'{entry.item["body_html"]}<p class="credit">{line}</p>'


def description(entry: Entry) -> str:
    return f"{entry.summary}\n\n{entry.credit_line}".strip()
