"""Item ⇄ ActivityStreams object.

An item as the node stores it becomes an Article/Image/Video/Audio/Document whose media
are ``attachment`` entries (size, media type, SHA-256 as ``digestMultibase``, blurhash,
focal point, alt text as ``name``, thumbnail as ``icon``); rights metadata (credit,
licence, usage terms, embargo, expiry, provenance) uses our ``mk:`` terms.
``object_to_item`` is the inverse for what partners send; node-local ids (item and media
``id``) are not carried across and come back as None.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from protocol import kinds, multibase, vocab
from protocol.instants import canonical_instant
from protocol.result import Failure
from protocol.sanitize import plain_text, sanitize_html

KIND_TO_TYPE = {
    "article": "Article",
    "photo": "Image",
    "video": "Video",
    "audio": "Audio",
    "document": "Document",
    "event": "Event",
    "vacancy": "Page",  # with schema.org JobPosting terms; see protocol.kinds
}
TYPE_TO_KIND = {v: k for k, v in KIND_TO_TYPE.items()} | {"Note": "article", "Page": "article"}
_SHA256_MULTIHASH = b"\x12\x20"
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def sha256_to_digest_multibase(hex_digest: str) -> str:
    """SHA-256 hex → multibase base58btc of the sha2-256 multihash (``zQm…``)."""
    return multibase.encode(_SHA256_MULTIHASH + bytes.fromhex(hex_digest))


def digest_multibase_to_sha256(value: str) -> str | Failure:
    raw = multibase.decode(value)
    if isinstance(raw, Failure):
        return raw
    if raw[:2] != _SHA256_MULTIHASH or len(raw) != 34:
        return Failure("media.digest", "digestMultibase is not a sha2-256 multihash")
    return raw[2:].hex()


def seconds_to_duration(seconds: float) -> str:
    """Seconds → xsd:duration (``PT12.5S``), millisecond precision."""
    text = f"{float(seconds):.3f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


def duration_to_seconds(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or value in ("P", "PT"):
        return None
    days, hours, minutes, seconds = match.groups()
    return (
        int(days or 0) * 86400
        + int(hours or 0) * 3600
        + int(minutes or 0) * 60
        + float(seconds or 0)
    )


def _media_type_to_as(media_type: str) -> str:
    major = (media_type or "").split("/", 1)[0]
    return {"image": "Image", "video": "Video", "audio": "Audio"}.get(major, "Document")


def _attachment(media: Mapping[str, Any]) -> dict:
    out: dict[str, Any] = {
        "type": _media_type_to_as(media.get("media_type") or ""),
        "mediaType": media.get("media_type"),
        "url": media.get("url"),
    }
    optional = {
        "width": media.get("width"),
        "height": media.get("height"),
        "size": media.get("size"),
        "blurhash": media.get("blurhash"),
        "focalPoint": list(media["focal_point"]) if media.get("focal_point") else None,
        "name": media.get("alt") or None,  # no alt text given: no name, not ""
    }
    if media.get("duration") is not None:
        optional["duration"] = seconds_to_duration(media["duration"])
    if media.get("sha256"):
        optional["digestMultibase"] = sha256_to_digest_multibase(media["sha256"])
    if media.get("thumbnail_url"):
        optional["icon"] = {"type": "Image", "url": media["thumbnail_url"]}
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def item_to_object(item: Mapping[str, Any], *, actor_url: str, base_url: str) -> dict:
    """The AS2 object (without @context: it is embedded in an activity) for one item."""
    obj: dict[str, Any] = {
        "id": item["uri"],
        "type": KIND_TO_TYPE.get(item.get("kind", ""), "Article"),
        "attributedTo": actor_url,
        "url": item["uri"],
        "name": item.get("title") or "",
        "content": item.get("body_html") or "",
        "mediaType": "text/html",
        "published": item.get("created_at"),
        "updated": item.get("updated_at"),
        "sensitive": bool(item.get("sensitive")),
        "tag": [
            {
                "type": "Hashtag",
                "name": f"#{tag}",
                "href": f"{base_url.rstrip('/')}/tags/{quote(tag, safe='')}",
            }
            for tag in item.get("tags") or []
        ],
        "attachment": [_attachment(m) for m in item.get("media") or []],
    }
    optional = {
        "summary": html.escape(item["summary"], quote=False) if item.get("summary") else None,
        "credit": item.get("credit"),
        "licence": item.get("licence"),
        "usageTerms": item.get("usage_terms"),
        "embargoUntil": item.get("embargo_until"),
        "expiresAt": item.get("expires_at"),
        "derivedFrom": item.get("derived_from"),
        "author": item.get("author"),
    }
    obj.update({k: v for k, v in optional.items() if v not in (None, "")})
    if item.get("language"):
        obj["contentMap"] = {item["language"]: obj["content"]}
    location = item.get("location")
    if location:
        obj["location"] = {
            "type": "Place",
            "name": location.get("name"),
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
        }
    thumbs = [m["thumbnail_url"] for m in item.get("media") or [] if m.get("thumbnail_url")]
    if thumbs:
        obj["icon"] = {"type": "Image", "url": thumbs[0]}
    details = item.get("details") or {}
    if item.get("kind") == "event" and details:
        obj.update(kinds.event_terms(details))
        link = kinds.online_link(details)
        if link:
            obj["attachment"].append(link)
    elif item.get("kind") == "vacancy" and details:
        obj.update(kinds.vacancy_terms(details))
        obj["title"] = obj["name"]
    return obj


def _text(value: Any) -> str:
    if isinstance(value, dict):  # PeerTube sends {"identifier": …, "name": …}
        value = value.get("name")
    return value if isinstance(value, str) else ""


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _url(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("href") or value.get("url")
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return None


def _media_from(att: Mapping[str, Any]) -> dict | Failure:
    url = _url(att.get("url"))
    if url is None:
        return Failure("media.url", "attachment has no http(s) url")
    sha256 = None
    if att.get("digestMultibase") is not None:
        sha256 = digest_multibase_to_sha256(att["digestMultibase"])
        if isinstance(sha256, Failure):
            return sha256
    focal = att.get("focalPoint")
    valid_focal = (
        isinstance(focal, list)
        and len(focal) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in focal)
    )
    icon = att.get("icon")
    return {
        "id": None,
        "url": url,
        "media_type": att.get("mediaType") if isinstance(att.get("mediaType"), str) else None,
        "size": _number(att.get("size")),
        "sha256": sha256,
        "width": _number(att.get("width")),
        "height": _number(att.get("height")),
        "duration": duration_to_seconds(att.get("duration")),
        "blurhash": att.get("blurhash") if isinstance(att.get("blurhash"), str) else None,
        "focal_point": [float(v) for v in focal] if valid_focal else None,  # type: ignore[union-attr]
        "alt": att.get("name") if isinstance(att.get("name"), str) else None,
        "thumbnail_url": _url(icon) if icon is not None else None,
    }


def _body(obj: Mapping[str, Any]) -> tuple[str, str | None]:
    content_map = obj.get("contentMap") if isinstance(obj.get("contentMap"), dict) else {}
    language = next(iter(content_map), None) if content_map else None
    content = obj.get("content")
    if not isinstance(content, str):
        content = content_map.get(language, "") if language else ""
    if obj.get("mediaType") in ("text/markdown", "text/plain"):
        escaped = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        content = "".join(f"<p>{p}</p>" for p in escaped.split("\n\n") if p.strip())
    if language is None and isinstance(obj.get("language"), dict | str):
        language = _text(obj["language"]) and (
            obj["language"].get("identifier")
            if isinstance(obj["language"], dict)
            else obj["language"]
        )
    return sanitize_html(content), language if isinstance(language, str) else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _instant_or_none(value: Any) -> str | None:
    """published/updated are informational: canonical when valid, dropped when not."""
    moment = canonical_instant(value) if value else None
    return None if moment is None or isinstance(moment, Failure) else moment


def object_to_item(obj: Mapping[str, Any]) -> dict | Failure:
    """A partner's AS2 object → an item dict (sanitised); Failure if it is not usable."""
    if not isinstance(obj, Mapping):
        return Failure("object.not_object", "object is not a JSON object")
    kind = TYPE_TO_KIND.get(obj.get("type"))  # type: ignore[arg-type]
    if kind is None:
        return Failure("object.unsupported_type", f"cannot map type {obj.get('type')!r}")
    details: dict[str, Any] | Failure = {}
    if kind == "event":
        details = kinds.event_details(obj)
    elif kinds.is_vacancy(obj):
        kind, details = "vacancy", kinds.vacancy_details(obj)
    if isinstance(details, Failure):
        return details
    uri = obj.get("id")
    if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
        return Failure("object.missing_field", "object id must be an http(s) URL")
    media = []
    attachments = obj.get("attachment") or []
    for att in attachments if isinstance(attachments, list) else [attachments]:
        if isinstance(att, dict) and att.get("type") != "Link":  # a Link is no media file
            converted = _media_from(att)
            if isinstance(converted, Failure):
                return converted
            media.append(converted)
    body_html, language = _body(obj)
    tags = [
        t["name"].lstrip("#")
        for t in obj.get("tag") or []
        if isinstance(t, dict) and t.get("type") == "Hashtag" and isinstance(t.get("name"), str)
    ]
    terms: dict[str, str | None] = {}
    for term, key in (("embargoUntil", "embargo_until"), ("expiresAt", "expires_at")):
        raw = obj.get(term)
        if isinstance(raw, dict) and "@value" in raw:
            raw = raw["@value"]
        if raw is None or raw == "":
            terms[key] = None
            continue
        moment = canonical_instant(raw)
        if isinstance(moment, Failure):
            return Failure(f"object.{key}", f"{term}: {moment.detail}")
        terms[key] = moment
    if terms["embargo_until"] and terms["expires_at"]:
        if terms["expires_at"] <= terms["embargo_until"]:  # canonical text: time order
            return Failure("object.expires_at", "expiresAt must be later than embargoUntil")
    place = obj.get("location") if isinstance(obj.get("location"), dict) else None
    location = None
    if place and kind != "event":  # an event's Place is its details.place
        location = {
            "name": _str_or_none(place.get("name")),
            "latitude": place.get("latitude"),
            "longitude": place.get("longitude"),
        }
    return {
        "id": None,
        "uri": uri,
        "kind": kind,
        "title": _text(obj.get("name"))[:1000],
        "summary": _str_or_none(plain_text(_text(obj.get("summary")))),
        "body_html": body_html,
        "tags": tags,
        "language": language,
        "location": location,
        "credit": _str_or_none(_text(obj.get("credit"))),
        "licence": _str_or_none(_text(obj.get("licence"))),
        "usage_terms": _str_or_none(_text(obj.get("usageTerms"))),
        "embargo_until": terms["embargo_until"],
        "expires_at": terms["expires_at"],
        "created_at": _instant_or_none(obj.get("published")),
        "updated_at": _instant_or_none(obj.get("updated")),
        "author": _str_or_none(obj.get("author")),
        "sensitive": obj.get("sensitive") is True,
        "derived_from": _ref_or_none(obj.get("derivedFrom")),
        "media": media,
        "details": details,
    }


def _ref_or_none(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def is_public(obj: Mapping[str, Any]) -> bool:
    """True when the object is addressed to as:Public."""
    audience = []
    for name in ("to", "cc"):
        value = obj.get(name)
        audience.extend(value if isinstance(value, list) else [value])
    return any(a in vocab.PUBLIC_ALIASES for a in audience)
