"""What a photo says about itself: creator, copyright, caption, date taken, location.

Read with Pillow, before :mod:`node.media.scrub` removes location and XMP from the
file: EXIF through ``Image.getexif`` (Artist, Copyright, ImageDescription,
DateTimeOriginal, the GPS directory), IPTC-IIM through Pillow's
``IptcImagePlugin.getiptcinfo`` (By-line 2:80, Copyright Notice 2:116,
Caption/Abstract 2:120, Date Created 2:55) and XMP through ``Image.getxmp`` (which
parses with ``defusedxml``, safe against entity bombs): ``dc:creator``,
``dc:rights``, ``dc:description``, ``photoshop:DateCreated``.  Pillow is the library
the node already decodes images with, it is maintained, and it reads all three
blocks, so no hand-written parser and no extra tool is needed; HEIC/HEIF is opened
through ``pillow-heif``'s Pillow plugin, which exposes the same EXIF and XMP.

The result is a suggestion for the editor (credit, usage terms, summary, title); the
location is kept apart and only becomes the item's location when the editor takes it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PIL import Image, IptcImagePlugin

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
ARTIST, COPYRIGHT, DESCRIPTION, DATETIME = 0x013B, 0x8298, 0x010E, 0x0132
DATETIME_ORIGINAL = 0x9003
IPTC_BYLINE, IPTC_COPYRIGHT, IPTC_CAPTION, IPTC_DATE = (2, 80), (2, 116), (2, 120), (2, 55)
MAX_TEXT = 2000
#: Camera makers' placeholders that are not a caption.
_NOT_A_CAPTION = {"", "default", "om digital camera", "olympus digital camera", "sony dsc"}


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = next((v for v in value if v), "")
    if isinstance(value, dict):  # XMP: {"Alt": {"li": {"lang": …, "text": "…"}}}, {"li": "…"}
        if "text" in value:
            return _text(value["text"])
        inner = value.get("li", value.get("Alt", value.get("Seq", value.get("Bag", ""))))
        return _text(inner)
    if isinstance(value, bytes):
        for encoding in ("utf-8", "latin-1"):
            try:
                value = value.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    text = str(value or "").replace("\x00", "").strip()
    return "".join(c for c in text if c >= " " or c in "\n\t")[:MAX_TEXT]


def _exif_time(value: Any) -> str | None:
    """EXIF ``2026:05:01 14:30:00`` (local camera time, zone unknown) as ISO text."""
    text = _text(value)
    try:
        moment = dt.datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return moment.isoformat()


def _iso_time(value: Any) -> str | None:
    text = _text(value)
    for fmt, size in (("%Y-%m-%dT%H:%M:%S", 19), ("%Y-%m-%d", 10), ("%Y%m%d", 8)):
        try:
            return dt.datetime.strptime(text[:size], fmt).isoformat()
        except ValueError:
            continue
    return None


def _degrees(parts: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(p) for p in parts)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return round(-value if _text(ref).upper() in ("S", "W") else value, 6)


def _location(exif: Image.Exif) -> tuple[float, float] | None:
    try:
        gps = exif.get_ifd(GPS_IFD)
    except (KeyError, ValueError, TypeError):
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None
    latitude, longitude = _degrees(gps[2], gps.get(1)), _degrees(gps[4], gps.get(3))
    if latitude is None or longitude is None or not (-90 <= latitude <= 90):
        return None
    if not -180 <= longitude <= 180 or (latitude == 0 and longitude == 0):
        return None
    return latitude, longitude


def _xmp(image: Image.Image) -> dict[str, Any]:
    try:
        data = image.getxmp()
    except Exception:  # no defusedxml, or XMP that is no XML: nothing to suggest
        return {}
    description = (data.get("xmpmeta") or {}).get("RDF", {}).get("Description", {})
    if isinstance(description, list):
        merged: dict[str, Any] = {}
        for part in description:
            merged.update(part if isinstance(part, dict) else {})
        description = merged
    return description if isinstance(description, dict) else {}


def read_embedded(path: Path) -> dict[str, Any]:
    """{"creator", "copyright", "caption", "taken_at", "latitude", "longitude"} as far as the
    file says them ({} for files Pillow cannot open; blocking: run on a thread)."""
    try:
        image = Image.open(path)
    except Exception:  # not an image Pillow reads: analysis will refuse it with a reason
        return {}
    with image:
        try:
            exif = image.getexif()
            sub = exif.get_ifd(EXIF_IFD)
        except Exception:
            exif, sub = Image.Exif(), {}
        try:
            iptc = IptcImagePlugin.getiptcinfo(image) or {}
        except Exception:
            iptc = {}
        xmp = _xmp(image)
        found = {
            "creator": _text(exif.get(ARTIST))
            or _text(iptc.get(IPTC_BYLINE))
            or _text(xmp.get("creator")),
            "copyright": _text(exif.get(COPYRIGHT))
            or _text(iptc.get(IPTC_COPYRIGHT))
            or _text(xmp.get("rights")),
            "caption": _text(exif.get(DESCRIPTION))
            or _text(iptc.get(IPTC_CAPTION))
            or _text(xmp.get("description")),
            "taken_at": _exif_time(sub.get(DATETIME_ORIGINAL))
            or _iso_time(iptc.get(IPTC_DATE))
            or _iso_time(xmp.get("DateCreated"))
            or _exif_time(exif.get(DATETIME)),
        }
        if found["caption"].lower() in _NOT_A_CAPTION:
            found["caption"] = ""
        where = _location(exif)
    out = {k: v for k, v in found.items() if v}
    if where:
        out["latitude"], out["longitude"] = where
    return out


def suggestions(item: dict[str, Any], embedded: dict[str, Any], *, title: bool) -> dict[str, Any]:
    """Item fields to fill from ``embedded``: only empty ones, the title only when asked
    (a title the upload made up) — and never from the file name."""
    fields: dict[str, Any] = {}
    if embedded.get("creator") and not item.get("credit"):
        fields["credit"] = embedded["creator"][:300]
    if embedded.get("copyright") and not item.get("usage_terms"):
        fields["usage_terms"] = embedded["copyright"]
    caption = embedded.get("caption") or ""
    if caption and not item.get("summary"):
        fields["summary"] = caption
    if caption and title:
        first = caption.split("\n", 1)[0].strip()
        fields["title"] = first if len(first) <= 120 else first[:119].rstrip() + "…"
    return fields
