"""IPTC ninjs 2.1 export and import, validated against the bundled official schema.

Export maps an item to ninjs (headlines, bodies, descriptions, by, usage
terms, rights, subjects, renditions or associations for media).  Import
validates the document against ``schemas/ninjs-schema_2.1.json`` first and
refuses with the JSON path of the first error; only then is it mapped onto
item fields and stored through ``node.items.service.create_item``.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from node.channels.attribution import credit_of, licence_url
from node.channels.public import category, media_view
from node.core.errors import ValidationFailed
from node.core.identity import Identity

SCHEMA_FILE = "ninjs-schema_2.1.json"
SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json#"
#: The schema refers to GeoJSON by URL; we never fetch, so a local stand-in answers.
GEOJSON_URI = "https://geojson.org/schema/GeoJSON.json"
TYPE_OF_KIND = {"photo": "picture", "video": "video", "audio": "audio", "document": "text"}
KIND_OF_TYPE = {
    "text": "article",
    "picture": "photo",
    "graphic": "photo",
    "video": "video",
    "audio": "audio",
    "composite": "article",
    "component": "article",
}
_TAG_CHARS = re.compile(r"[^\w-]+", re.UNICODE)


def _renditions(media: dict[str, Any]) -> list[dict[str, Any]]:
    out: dict[str, Any] = {
        "name": "original",
        "href": media["url"],
        "contenttype": media["media_type"],
    }
    for key, name in (
        ("width", "width"),
        ("height", "height"),
        ("size", "sizeinbytes"),
        ("duration", "duration"),
    ):
        if media[key]:
            out[name] = media[key]
    renditions = [out]
    if media["thumbnail_url"]:
        renditions.append({"name": "thumbnail", "href": media["thumbnail_url"]})
    return renditions


def to_ninjs(item: dict[str, Any], identity: Identity) -> dict[str, Any]:
    """The item as a ninjs 2.1 document (valid against the bundled schema)."""
    media = [media_view(identity, m) for m in item["media"]]
    single = item["kind"] in ("photo", "video", "audio") and len(media) == 1
    ninjs_type = TYPE_OF_KIND.get(item["kind"], "text")
    if item["kind"] == "article" and media:
        ninjs_type = "composite"
    doc: dict[str, Any] = {
        "uri": item["uri"],
        "standard": {"name": "ninjs", "version": "2.1", "schema": SCHEMA_URI},
        "type": ninjs_type,
        "representationtype": "full",
        "version": str(item["version"]),
        "firstcreated": item["created_at"],
        "versioncreated": item["updated_at"],
        "pubstatus": "usable",
        "language": item["language"],
        "headlines": [{"role": "main", "value": item["title"]}],
        "by": credit_of(item, identity.name),
        "copyrightholder": identity.name,
        "copyrightnotice": f"© {credit_of(item, identity.name)}",
        "usageterms": item["usage_terms"] or f"Licence: {item['licence']}",
    }
    if item["summary"]:
        doc["descriptions"] = [
            {"role": "summary", "contenttype": "text/plain", "value": item["summary"]}
        ]
    if item["body_html"]:
        doc["bodies"] = [{"role": "main", "contenttype": "text/html", "value": item["body_html"]}]
    if item["embargo_until"]:
        doc["embargoed"] = item["embargo_until"]
    if item["expires_at"]:
        doc["expires"] = item["expires_at"]
    if licence_url(item["licence"]):
        doc["rightsinfo"] = {"linkedrights": licence_url(item["licence"])}
    if item["tags"]:
        doc["subjects"] = [{"name": t, "literal": t} for t in item["tags"]]
    if item.get("location"):
        doc["places"] = [{"name": item["location"]["name"]}]
    if single:
        doc["renditions"] = _renditions(media[0])
    elif media:
        doc["associations"] = [
            {
                "name": f"media{n + 1}",
                "uri": f"{item['uri']}#media-{m['id']}",
                "type": {"image": "picture", "video": "video", "audio": "audio"}.get(
                    category(m["media_type"]), "component"
                ),
                "renditions": _renditions(m),
                **({"descriptions": [{"role": "alt", "value": m["alt"]}]} if m["alt"] else {}),
            }
            for n, m in enumerate(media)
        ]
    return doc


@functools.cache
def _validator() -> Any:
    """A Draft 2020-12 validator with date-time and uri checks and no network access."""
    import jsonschema  # imported lazily: a test extra until it becomes a runtime dependency
    from referencing import Registry, Resource

    schema = json.loads(
        resources.files("node.channels").joinpath("schemas", SCHEMA_FILE).read_text("utf-8")
    )
    stand_in = Resource.from_contents(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}
    )

    def refuse(uri: str) -> Resource:
        raise LookupError(f"remote schema {uri} is not loaded")

    registry = Registry(retrieve=refuse).with_resource(GEOJSON_URI, stand_in)
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None

    @checker.checks("uri", raises=ValueError)
    def _uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme)

    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=checker)


def validate(doc: Any) -> None:
    """ValidationFailed (422) naming the JSON path of the first schema error."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator().iter_errors(doc))
    if error is not None:
        path = error.json_path
        raise ValidationFailed(f"{path}: {error.message[:300]}", code="invalid-ninjs", path=path)


def _tag(name: str) -> str:
    return _TAG_CHARS.sub("-", name.strip().lstrip("#")).strip("-_")[:64]


def _first(values: list[dict[str, Any]] | None, role: str) -> dict[str, Any] | None:
    values = values or []
    return next((v for v in values if v.get("role") == role), values[0] if values else None)


def from_ninjs(doc: dict[str, Any]) -> dict[str, Any]:
    """Item fields from a *validated* ninjs document (item validation happens after)."""
    headline = _first(doc.get("headlines"), "main")
    title = (headline or {}).get("value") or doc.get("title") or ""
    if not title.strip():
        raise ValidationFailed(
            "$.headlines: a headline (or title) is needed to make an item",
            code="invalid-ninjs",
            path="$.headlines",
        )
    data: dict[str, Any] = {
        "kind": KIND_OF_TYPE.get(doc.get("type", "text"), "article"),
        "title": title.strip(),
    }
    if description := _first(doc.get("descriptions"), "summary"):
        data["summary"] = description["value"]
    if body := _first(doc.get("bodies"), "main"):
        value = body["value"]
        if "html" not in (body.get("contenttype") or "text/html"):
            value = "".join(f"<p>{html.escape(p)}</p>" for p in value.split("\n\n") if p)
        data["body"] = value
    tags = [
        t
        for t in (_tag(s.get("name") or s.get("literal") or "") for s in doc.get("subjects", []))
        if t
    ]
    if tags:
        data["tags"] = list(dict.fromkeys(tags))[:50]
    for src, dst in (
        ("language", "language"),
        ("usageterms", "usage_terms"),
        ("embargoed", "embargo_until"),
        ("expires", "expires_at"),
    ):
        if doc.get(src):
            data[dst] = doc[src]
    if doc.get("by"):
        data["author"] = doc["by"]
        data["credit"] = doc["by"]
    linked = (doc.get("rightsinfo") or {}).get("linkedrights")
    if linked:
        data["licence"] = linked
    places = doc.get("places") or []
    if places and places[0].get("name"):
        data["location"] = {"name": places[0]["name"]}
    return data
