"""The vacancy portal as RSS 2.0 and JSON Feed 1.1, sharing the feeds' helpers.

Each entry links to the portal's page of the vacancy (which carries the
``JobPosting`` JSON-LD); the JSON Feed adds the details under ``_mediakring``.
ElementTree and ``json`` escape every value; text is plain (tags removed).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from node.channels.feedmodel import clean, rfc822, rfc3339
from node.channels.feeds_json import VERSION
from node.channels.feeds_xml import GENERATOR
from node.channels.ical import text

PageUrl = Callable[[dict[str, Any]], str]


def _summary(entry: dict[str, Any]) -> str:
    d = entry["details"]
    facts = " · ".join(
        str(v)
        for v in (d.get("employer") or entry["origin_name"], d.get("location"), d.get("hours"))
        if v
    )
    lead = text(entry["summary"]) or text(entry["text"])[:500]
    closing = f"Reageren tot en met {d.get('closing_date')}" if d.get("closing_date") else ""
    return "\n\n".join(p for p in (facts, lead, closing) if p)


def rss(title: str, home: str, self_url: str, entries: list[dict], page_url: PageUrl) -> bytes:
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    for tag, value in (
        ("title", title),
        ("link", home),
        ("description", title),
        ("language", "nl"),
        ("generator", GENERATOR),
    ):
        ET.SubElement(channel, tag).text = clean(value)
    for entry in entries:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = clean(text(entry["title"]))
        ET.SubElement(item, "link").text = clean(page_url(entry))
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = clean(entry["uri"])
        ET.SubElement(item, "description").text = clean(_summary(entry))
        ET.SubElement(item, "pubDate").text = rfc822(entry["published_at"])
        ET.SubElement(item, "category").text = clean(entry["details"].get("contract_type") or "")
        ET.SubElement(item, "author").text = clean(text(entry["origin_name"]))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def json_feed(
    title: str, home: str, self_url: str, entries: list[dict], page_url: PageUrl
) -> bytes:
    doc = {
        "version": VERSION,
        "title": title,
        "home_page_url": home,
        "feed_url": self_url,
        "language": "nl",
        "items": [
            {
                "id": e["uri"],
                "url": page_url(e),
                "title": text(e["title"]),
                "content_text": _summary(e),
                "date_published": rfc3339(e["published_at"]),
                "date_modified": rfc3339(e["updated_at"]),
                "authors": [{"name": text(e["origin_name"]), "url": e["origin_actor"]}],
                "_mediakring": {"kind": "vacancy", "details": e["details"]},
            }
            for e in entries
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()
