"""OpenAPI descriptions of media, regie, shares, mediatheek, insight and partner endpoints."""

from __future__ import annotations

from node.http.api.openapi import BOOL, ID_PARAM, INT, JSON, STRING, TIMESTAMP, op, query, ref
from node.http.api.openapi import responses as resp

OBJ = {"type": "object"}
ARR = {"type": "array", "items": OBJ}


def _use_responses() -> dict:
    """Use is idempotent: 201 for the request that made the copy, 200 (same copy) after."""
    out = resp("201", ref("Item"), 404, 409, 502)
    out["201"]["description"] = "Created: the new copy, with its provenance"
    out["200"] = {
        "description": "Already in our library: the existing copy (same id), nothing fetched",
        "content": {JSON: {"schema": ref("Item")}},
    }
    return out


SCHEMAS = {
    "Audience": {
        "type": "object",
        "required": ["partners", "mediatheek", "public"],
        "properties": {
            "partners": {"type": "array", "items": STRING},
            "mediatheek": BOOL,
            "public": BOOL,
            "deliveries": OBJ,
        },
    },
    "AudienceInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "partners": {"type": "array", "items": STRING},
            "mediatheek": BOOL,
            "public": BOOL,
        },
    },
    "Partner": {
        "type": "object",
        "required": ["id", "actor", "state"],
        "properties": {
            "id": STRING,
            "actor": STRING,
            "name": STRING,
            "display_name": {
                **STRING,
                "description": "the organisation name, else handle@host (never a raw URL)",
            },
            "handle": STRING,
            "icon": {
                "anyOf": [STRING, {"type": "null"}],
                "description": "the partner's avatar, as its latest actor Update named it",
            },
            "state": {"enum": ["pending", "active", "rejected", "ended"]},
            "direction": {"enum": ["incoming", "outgoing"]},
            "backfill": OBJ,
        },
    },
    "SearchResult": {
        "type": "object",
        "required": ["items", "total", "facets", "next"],
        "properties": {
            "items": ARR,
            "total": INT,
            "total_exact": BOOL,
            "facets": OBJ,
            "next": {"anyOf": [STRING, {"type": "null"}]},
        },
    },
}


def _body(schema_name: str) -> dict:
    return {JSON: {"schema": ref(schema_name)}}


MEDIA_ID = {"name": "id", "in": "path", "required": True, "schema": STRING}
PATHS = {
    "/api/v1/items/{id}/media": {
        "parameters": [ID_PARAM],
        "post": op(
            "Upload a file to an item: multipart field `file`, or the raw body "
            "(?filename=, ?alt=); streamed, type detected from the content",
            "write",
            resp("201", OBJ, 400, 404, 413, 415, 422),
            body={
                "multipart/form-data": {"schema": OBJ},
                "application/octet-stream": {"schema": STRING},
            },
        ),
    },
    "/api/v1/media/{id}": {
        "parameters": [MEDIA_ID],
        "get": op("Download (ETag, Range, conditional requests)", "read", resp("200", STRING, 404)),
    },
    "/api/v1/media/{id}/info": {
        "parameters": [MEDIA_ID],
        "get": op("Media metadata", "read", resp("200", ref("Media"), 404)),
    },
    "/api/v1/media/{id}/renditions/{name}": {
        "parameters": [
            MEDIA_ID,
            {
                "name": "name",
                "in": "path",
                "required": True,
                "schema": {"enum": ["thumbnail", "medium", "poster"]},
            },
        ],
        "get": op("A rendition", "read", resp("200", STRING, 404)),
    },
    "/api/v1/items/{id}/audience": {
        "parameters": [ID_PARAM],
        "get": op(
            "The item's audience and delivery state per partner",
            "read",
            resp("200", ref("Audience"), 404),
        ),
        "put": op(
            "Set the audience: ticked partners, mediatheek, public",
            "write",
            resp("200", ref("Audience"), 404, 422),
            body=_body("AudienceInput"),
        ),
    },
    "/api/v1/items/{id}/publish": {
        "parameters": [ID_PARAM],
        "post": op(
            "Report that a copy was published on a channel or page (tells the origin)",
            "report",
            resp("200", OBJ, 404, 422),
            body={
                JSON: {
                    "schema": {
                        "type": "object",
                        "required": ["channel"],
                        "properties": {
                            "channel": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 2000,
                                "description": "a channel name of at most 100 characters"
                                " (website, tv) or the http(s) URL of the page it is on",
                            }
                        },
                    }
                }
            },
        ),
    },
    "/api/v1/items/{id}/insight": {
        "parameters": [ID_PARAM],
        "get": op("Who received, used and published the item", "read", resp("200", OBJ, 404)),
    },
    "/api/v1/insight": {
        "get": op(
            "Totals over time, per partner and per channel",
            "read",
            resp("200", OBJ, 422),
            params=[query("since", TIMESTAMP, "only events from then on")],
        )
    },
    "/api/v1/notifications": {
        "get": op(
            "Notifications, newest first, with the unread count",
            "read",
            resp("200", OBJ),
            params=[
                query("unread", {"enum": ["true", "false"]}, "only unread"),
                query("before", STRING, "page: ids before this one"),
            ],
        )
    },
    "/api/v1/notifications/{id}/read": {
        "parameters": [ID_PARAM],
        "post": op(
            "Mark one notification read (id `all` marks all)", "write", resp("200", OBJ, 404)
        ),
    },
    "/api/v1/shared-with-us": {
        "get": op(
            "Items partners shared with us, with credit, licence and embargo",
            "read",
            resp("200", OBJ),
        )
    },
    "/api/v1/shared-with-us/{id}/use": {
        "parameters": [ID_PARAM],
        "post": op(
            "Take a shared item into our library (media fetched and digest-checked);"
            " 201 with the new copy, 200 with the same copy when it is already in our library",
            "write",
            _use_responses(),
        ),
    },
    "/api/v1/mediatheek": {
        "get": op(
            "Search our own and our partners' listings",
            "read",
            resp("200", ref("SearchResult"), 422),
            params=[
                query(name, STRING, text)
                for name, text in (
                    ("q", 'words; "quoted phrases"'),
                    ("kind", "item kind"),
                    ("org", "origin organisation actor URL"),
                    ("tag", "tag"),
                    ("language", "language"),
                    ("licence", "licence"),
                    ("since", "published at or after"),
                    ("until", "published at or before"),
                    ("embargoed", "true or false"),
                    ("sort", "relevance or date"),
                    ("limit", "1–100"),
                    ("cursor", "from next"),
                    ("facets", "false to skip"),
                )
            ],
        )
    },
    "/api/v1/mediatheek/suggest": {
        "get": op(
            "Titles to suggest while typing (the last word is a prefix; only listings"
            " visible and free to use now)",
            "read",
            resp("200", OBJ, 422),
            params=[query("q", STRING, "the text typed so far (at most 500 characters)")],
        )
    },
    "/api/v1/mediatheek/{id}/use": {
        "parameters": [ID_PARAM],
        "post": op(
            "Take a listed item into our library; 201 with the new copy,"
            " 200 with the same copy when it is already in our library",
            "write",
            _use_responses(),
        ),
    },
    "/api/v1/partners": {
        "get": op("Partners and incoming/outgoing requests", "read", resp("200", OBJ)),
        "post": op(
            "Request a partnership with name@host or an actor URL",
            "admin",
            resp("201", ref("Partner"), 409, 422),
            body={
                JSON: {
                    "schema": {
                        "type": "object",
                        "required": ["handle"],
                        "properties": {"handle": STRING},
                    }
                }
            },
        ),
    },
    "/api/v1/partners/{id}/{action}": {
        "parameters": [
            ID_PARAM,
            {
                "name": "action",
                "in": "path",
                "required": True,
                "schema": {"enum": ["accept", "reject", "end"]},
            },
        ],
        "post": op(
            "Accept, reject or end a partnership", "admin", resp("200", ref("Partner"), 404, 409)
        ),
    },
    "/api/v1/federation/deliveries": {
        "get": op("Delivery health: queue depth, failing hosts", "admin", resp("200", OBJ))
    },
    "/api/v1/federation/deliveries/retry": {
        "post": op(
            "Retry pending and failed deliveries now",
            "admin",
            resp("200", OBJ),
            params=[query("host", STRING, "only this host")],
        )
    },
    "/api/v1/federation/policy": {
        "get": op("Domain allow/block rules and closed-network mode", "admin", resp("200", OBJ))
    },
    "/api/v1/federation/policy/{domain}": {
        "parameters": [{"name": "domain", "in": "path", "required": True, "schema": STRING}],
        "put": op(
            "Set a domain rule: allow, block or null",
            "admin",
            resp("200", OBJ, 422),
            body={JSON: {"schema": OBJ}},
        ),
    },
}
