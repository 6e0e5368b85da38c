"""Checking item input from the API and admin UI into clean, storable values.

Every rule refuses with a reason that names the field, and nothing is stored
until all fields pass, so bad input never leaves a half-written item.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from node.core.errors import ValidationFailed
from node.items import visibility
from node.items.licences import normalise_licence
from protocol.sanitize import sanitize_html

KINDS = ("article", "photo", "video", "audio", "document", "event", "vacancy")
FIELD_LIMITS = {
    "title": 300,
    "summary": 2000,
    "body": 200_000,
    "credit": 300,
    "usage_terms": 4000,
    "author": 200,
}
EDITABLE_FIELDS = (
    "title",
    "summary",
    "body",
    "tags",
    "language",
    "location",
    "credit",
    "licence",
    "usage_terms",
    "embargo_until",
    "expires_at",
    "sensitive",
    "author",
    "details",
)
CREATE_FIELDS = ("kind", *EDITABLE_FIELDS)
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_TAG = re.compile(r"^[\w][\w-]{0,63}$", re.UNICODE)


def _fail(field: str, reason: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {reason}", field=field)


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data[field]
    if not isinstance(value, str):
        raise _fail(field, "must be a string")
    if len(value) > FIELD_LIMITS[field]:
        raise _fail(field, f"is longer than {FIELD_LIMITS[field]} characters")
    return value.strip()


def _timestamp(data: Mapping[str, Any], field: str) -> str | None:
    """Embargo and expiry are canonicalised by the one rule (see node.items.visibility)."""
    value = data[field]
    if value is not None and not isinstance(value, str):
        raise _fail(field, "must be an ISO 8601 timestamp string or null")
    return visibility.canonical_instant(value, field)


def _tags(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise _fail("tags", "must be a list of strings")
    if len(value) > 50:
        raise _fail("tags", "at most 50 tags")
    tags: list[str] = []
    for raw in value:
        tag = raw.strip().lstrip("#")
        if not _TAG.match(tag):
            raise _fail("tags", f"{raw!r} is not a valid tag (letters, digits, '-' or '_')")
        if tag.lower() not in (t.lower() for t in tags):
            tags.append(tag)
    return tags


def _location(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"name", "latitude", "longitude"}:
        raise _fail("location", "must be an object with name and optional latitude/longitude")
    name = value.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 300:
        raise _fail("location", "name must be a non-empty string of at most 300 characters")
    lat, lon = value.get("latitude"), value.get("longitude")
    if (lat is None) != (lon is None):
        raise _fail("location", "give both latitude and longitude, or neither")
    if lat is not None:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
            raise _fail("location", "latitude and longitude must be numbers")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _fail("location", "latitude must be within ±90 and longitude within ±180")
    return {"name": name.strip(), "latitude": lat, "longitude": lon}


def clean_fields(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate the given fields; return the storable column values for them."""
    allowed = CREATE_FIELDS if creating else EDITABLE_FIELDS
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(unknown)}.", code="unknown-fields", fields=unknown
        )
    if creating:
        for required in ("kind", "title"):
            if required not in data:
                raise _fail(required, "is required")
    out: dict[str, Any] = {}
    if "kind" in data:
        if data["kind"] not in KINDS:
            raise _fail("kind", f"must be one of {', '.join(KINDS)}")
        out["kind"] = data["kind"]
    for field in ("title", "summary", "credit", "usage_terms", "author"):
        if field in data:
            out[field] = _text(data, field)
    if "title" in out and not out["title"]:
        raise _fail("title", "must not be empty")
    if "body" in data:
        out["body_html"] = sanitize_html(_text(data, "body"))
    if "tags" in data:
        out["tags"] = _tags(data["tags"])
    if "language" in data:
        lang = data["language"]
        if not isinstance(lang, str) or not _LANG.match(lang):
            raise _fail("language", "must be a BCP 47 language tag such as nl or en")
        out["language"] = lang
    if "location" in data:
        out["location"] = _location(data["location"])
    if "licence" in data:
        if not isinstance(data["licence"], str):
            raise _fail("licence", "must be a string")
        try:
            out["licence"] = normalise_licence(data["licence"])
        except ValueError as exc:
            raise _fail("licence", str(exc)) from exc
    for field in ("embargo_until", "expires_at"):
        if field in data:
            out[field] = _timestamp(data, field)
    if "sensitive" in data:
        if not isinstance(data["sensitive"], bool):
            raise _fail("sensitive", "must be true or false")
        out["sensitive"] = data["sensitive"]
    if "details" in data:
        # Checked per kind by node.items.kinds (the service knows the stored kind).
        out["details"] = data["details"]
    return out


def check_dates(embargo_until: str | None, expires_at: str | None) -> None:
    visibility.check_order(embargo_until, expires_at)
