"""RSS 2.0 with Media RSS, podcast RSS (iTunes tags) and Atom, built with ElementTree.

ElementTree escapes every text and attribute, so a title such as
``<script>`` arrives in a reader as text, never as markup; :func:`clean`
removes the control characters XML 1.0 forbids.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from node.channels.feedmodel import (
    Entry,
    FeedMeta,
    clean,
    content_html,
    description,
    rfc822,
    rfc3339,
)
from node.channels.public import category
from node.channels.texts import text

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
for _prefix, _uri in (
    ("atom", ATOM),
    ("media", MEDIA),
    ("itunes", ITUNES),
    ("content", CONTENT),
    ("dc", DC),
):
    ET.register_namespace(_prefix, _uri)

GENERATOR = "Mediakring"


def _sub(parent: ET.Element, tag: str, value: Any = None, **attrs: Any) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items() if v is not None})
    if value is not None:
        el.text = clean(value)
    return el


def _serialise(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _media_rss(el: ET.Element, entry: Entry) -> None:
    _sub(el, f"{{{MEDIA}}}credit", entry.credit, role="author")
    _sub(el, f"{{{MEDIA}}}license", entry.licence_label, type="text/html", href=entry.licence_url)
    for m in entry.media:
        duration = round(m["duration"]) if m["duration"] else None
        content = _sub(
            el,
            f"{{{MEDIA}}}content",
            url=m["url"],
            type=m["media_type"],
            fileSize=m["size"],
            width=m["width"],
            height=m["height"],
            duration=duration,
            medium=category(m["media_type"]),
        )
        if m["alt"]:
            _sub(content, f"{{{MEDIA}}}description", m["alt"], type="plain")
    if entry.thumbnail:
        _sub(el, f"{{{MEDIA}}}thumbnail", url=entry.thumbnail)


def _channel(meta: FeedMeta) -> tuple[ET.Element, ET.Element]:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", meta.title)
    _sub(channel, "link", meta.identity.base_url)
    _sub(channel, "description", meta.description)
    _sub(channel, "language", meta.lang)
    _sub(channel, "lastBuildDate", rfc822(meta.updated))
    _sub(channel, "generator", GENERATOR)
    _sub(channel, f"{{{ATOM}}}link", href=meta.self_url, rel="self", type="application/rss+xml")
    return rss, channel


def _rss_item(channel: ET.Element, entry: Entry) -> ET.Element:
    item = entry.item
    el = _sub(channel, "item")
    _sub(el, "title", item["title"])
    _sub(el, "link", item["uri"])
    _sub(el, "guid", item["uri"], isPermaLink="true")
    _sub(el, "pubDate", rfc822(item["published_at"]))
    _sub(el, "description", description(entry))
    _sub(el, f"{{{DC}}}creator", entry.credit)
    for tag in item["tags"]:
        _sub(el, "category", tag)
    return el


def rss(meta: FeedMeta, entries: list[Entry]) -> bytes:
    """RSS 2.0 with Media RSS: every media file, a thumbnail, credit and licence."""
    root, channel = _channel(meta)
    for entry in entries:
        el = _rss_item(channel, entry)
        _sub(el, f"{{{CONTENT}}}encoded", content_html(entry))
        if entry.media:
            first = entry.media[0]
            _sub(
                el,
                "enclosure",
                url=first["url"],
                length=first["size"] or 0,
                type=first["media_type"],
            )
        _media_rss(el, entry)
    return _serialise(root)


def _itunes_duration(seconds: float | None) -> str | None:
    if not seconds:
        return None
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def podcast(meta: FeedMeta, entries: list[Entry], category_text: str = "News") -> bytes:
    """Podcast RSS: audio items only, one enclosure each, with the iTunes tags."""
    root, channel = _channel(meta)
    _sub(channel, f"{{{ITUNES}}}author", meta.identity.name)
    _sub(channel, f"{{{ITUNES}}}summary", meta.description)
    image = next((e.thumbnail for e in entries if e.thumbnail), None)
    if image:
        _sub(channel, f"{{{ITUNES}}}image", href=image)
    _sub(channel, f"{{{ITUNES}}}category", text=category_text)
    _sub(channel, f"{{{ITUNES}}}explicit", "false")
    for entry in entries:
        audio = next((m for m in entry.media if category(m["media_type"]) == "audio"), None)
        if audio is None:
            continue
        el = _rss_item(channel, entry)
        _sub(el, "enclosure", url=audio["url"], length=audio["size"] or 0, type=audio["media_type"])
        _sub(el, f"{{{ITUNES}}}author", entry.credit)
        _sub(el, f"{{{ITUNES}}}summary", description(entry))
        duration = _itunes_duration(audio["duration"])
        if duration:
            _sub(el, f"{{{ITUNES}}}duration", duration)
        if entry.thumbnail:
            _sub(el, f"{{{ITUNES}}}image", href=entry.thumbnail)
        _sub(el, f"{{{ITUNES}}}explicit", "true" if entry.item["sensitive"] else "false")
        _media_rss(el, entry)
    return _serialise(root)


def atom(meta: FeedMeta, entries: list[Entry]) -> bytes:
    """Atom 1.0: rights carries credit and licence; media files are enclosure links."""
    a = f"{{{ATOM}}}"
    feed = ET.Element(f"{a}feed", {"{http://www.w3.org/XML/1998/namespace}lang": meta.lang})
    _sub(feed, f"{a}id", meta.self_url)
    _sub(feed, f"{a}title", meta.title)
    _sub(feed, f"{a}subtitle", meta.description)
    _sub(feed, f"{a}updated", rfc3339(meta.updated))
    _sub(feed, f"{a}link", rel="self", href=meta.self_url, type="application/atom+xml")
    _sub(feed, f"{a}link", rel="alternate", href=meta.identity.base_url, type="text/html")
    author = _sub(feed, f"{a}author")
    _sub(author, f"{a}name", meta.identity.name)
    _sub(author, f"{a}uri", meta.identity.base_url)
    _sub(feed, f"{a}generator", GENERATOR)
    for entry in entries:
        item = entry.item
        el = _sub(feed, f"{a}entry")
        _sub(el, f"{a}id", item["uri"])
        _sub(el, f"{a}title", item["title"], type="text")
        _sub(el, f"{a}published", rfc3339(item["published_at"]))
        _sub(el, f"{a}updated", rfc3339(entry.updated))
        _sub(el, f"{a}link", rel="alternate", href=item["uri"], type="text/html")
        who = _sub(el, f"{a}author")
        _sub(who, f"{a}name", entry.credit)
        _sub(el, f"{a}summary", description(entry), type="text")
        _sub(el, f"{a}content", content_html(entry), type="html")
        _sub(el, f"{a}rights", entry.credit_line, type="text")
        if entry.licence_url:
            _sub(el, f"{a}link", rel="license", href=entry.licence_url, type="text/html")
        for tag in item["tags"]:
            _sub(el, f"{a}category", term=tag)
        for m in entry.media:
            _sub(
                el,
                f"{a}link",
                rel="enclosure",
                href=m["url"],
                type=m["media_type"],
                length=m["size"],
            )
        _media_rss(el, entry)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def feed_description(meta_name: str, lang: str, podcast_feed: bool = False) -> str:
    key = "podcast_description" if podcast_feed else "feed_description"
    return f"{text(lang, key)} {meta_name}"
