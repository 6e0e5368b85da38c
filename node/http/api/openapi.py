"""The OpenAPI 3.1 description of API v1, built from small schema pieces.

Kept in code next to the handlers so a route and its description change
together; a test validates real responses against these schemas.
"""

from __future__ import annotations

from typing import Any

from node.http.api import openapi_kinds
from node.items.model import KINDS
from node.items.states import STATES

JSON = "application/json"
PROBLEM = "application/problem+json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


STRING, BOOL, INT, NUM = (
    {"type": "string"},
    {"type": "boolean"},
    {"type": "integer"},
    {"type": "number"},
)
TIMESTAMP = {"type": "string", "format": "date-time"}

SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": STRING,
            "title": STRING,
            "status": INT,
            "detail": STRING,
            "instance": STRING,
        },
    },
    "Location": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": STRING, "latitude": _nullable(NUM), "longitude": _nullable(NUM)},
        "additionalProperties": False,
    },
    "Media": {
        "type": "object",
        "required": ["id", "url", "media_type", "size", "sha256"],
        "properties": {
            "id": STRING,
            "url": STRING,
            "media_type": STRING,
            "size": INT,
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "width": _nullable(INT),
            "height": _nullable(INT),
            "duration": _nullable(NUM),
            "blurhash": _nullable(STRING),
            "alt": STRING,
            "focal_point": _nullable({"type": "array", "items": NUM}),
            "thumbnail_url": _nullable(STRING),
        },
    },
    "ItemInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "kind": {"enum": list(KINDS)},
            "title": {"type": "string", "maxLength": 300},
            "summary": STRING,
            "body": {"type": "string", "description": "HTML; sanitised"},
            "tags": {"type": "array", "items": STRING},
            "language": STRING,
            "location": _nullable(_ref("Location")),
            "credit": STRING,
            "licence": {
                "type": "string",
                "description": "SPDX id, licence URL or all-rights-reserved",
            },
            "usage_terms": STRING,
            "embargo_until": _nullable(TIMESTAMP),
            "expires_at": _nullable(TIMESTAMP),
            "sensitive": BOOL,
            "author": STRING,
            "details": openapi_kinds.DETAILS,
            "media_alt": {
                "type": "object",
                "additionalProperties": STRING,
                "description": "PATCH only: media id → alt text (sent as the attachment's name)",
            },
        },
    },
    "Item": {
        "type": "object",
        "required": ["id", "uri", "kind", "title", "created_at", "updated_at", "media"],
        "properties": {
            "id": STRING,
            "uri": {"type": "string", "format": "uri"},
            "kind": {"enum": list(KINDS)},
            "title": STRING,
            "summary": STRING,
            "body": STRING,
            "body_html": STRING,
            "tags": {"type": "array", "items": STRING},
            "language": STRING,
            "location": _nullable(_ref("Location")),
            "credit": STRING,
            "licence": STRING,
            "usage_terms": STRING,
            "embargo_until": _nullable(TIMESTAMP),
            "expires_at": _nullable(TIMESTAMP),
            "sensitive": BOOL,
            "author": STRING,
            "derived_from": _nullable(STRING),
            "provenance": _nullable({"type": "object"}),
            "details": openapi_kinds.DETAILS,
            "version": INT,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "media": {"type": "array", "items": _ref("Media")},
        },
    },
    "ItemPage": {
        "type": "object",
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": _ref("Item")},
            "next": _nullable(STRING),
        },
    },
    "Change": {
        "type": "object",
        "required": ["seq", "id", "uri", "state"],
        "properties": {
            "seq": INT,
            "id": STRING,
            "uri": STRING,
            "state": {"enum": ["public", "copy", "private", "deleted"]},
            "item": _ref("Item"),
            "embargoed": {"type": "boolean"},
            "expired": {"type": "boolean"},
            "origin": {
                "type": "object",
                "properties": {"name": STRING, "actor": STRING},
            },
        },
    },
    "ChangePage": {
        "type": "object",
        "required": ["changes", "last", "more", "next"],
        "properties": {
            "changes": {"type": "array", "items": _ref("Change")},
            "last": INT,
            "more": {"type": "boolean"},
            "next": STRING,
        },
    },
}


def _responses(ok_status: str, ok_schema: dict | None, *errors: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ok_schema is None:
        out[ok_status] = {"description": "Done"}
    else:
        out[ok_status] = {"description": "OK", "content": {JSON: {"schema": ok_schema}}}
    for status in (401, 403, *errors):
        out[str(status)] = {
            "description": "Problem",
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        }
    return out


def _op(
    summary: str, scope: str, responses: dict, body: dict | None = None, params: list | None = None
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "security": [{"bearer": [scope]}],
        "responses": responses,
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    if params:
        op["parameters"] = params
    return op


def _query(name: str, schema: dict, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": STRING}

PATHS: dict[str, Any] = {
    "/api/v1/items": {
        "get": _op(
            "List items, newest first",
            "read",
            _responses("200", _ref("ItemPage"), 422),
            params=[
                _query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": 200},
                    "page size (default 50)",
                ),
                _query("cursor", STRING, "opaque cursor from a previous page's next"),
                _query("kind", {"enum": list(KINDS)}, "only this kind"),
                _query("tag", STRING, "only items with this tag"),
                _query("language", STRING, "only this language"),
                _query("q", STRING, "words in title or summary"),
                _query("since", TIMESTAMP, "created at or after"),
                _query("until", TIMESTAMP, "created before"),
                _query("embargoed", {"enum": ["true", "false"]}, "under embargo now"),
                _query(
                    "state",
                    {"enum": list(STATES)},
                    "only items in this workflow state (node/items/states.py)",
                ),
            ],
        ),
        "post": _op(
            "Create an item",
            "write",
            _responses("201", _ref("Item"), 400, 415, 422),
            body={JSON: {"schema": _ref("ItemInput")}},
        ),
    },
    "/api/v1/whoami": {
        "get": _op(
            "The organisation this node speaks for, and the token's scope",
            "read",
            _responses(
                "200",
                {
                    "type": "object",
                    "required": ["organisation", "base_url", "scope"],
                    "properties": {"organisation": STRING, "base_url": STRING, "scope": STRING},
                },
            ),
        ),
    },
    "/api/v1/changes": {
        "get": _op(
            "Item changes after a change number, oldest first (incremental sync)",
            "read",
            _responses("200", _ref("ChangePage"), 422),
            params=[
                _query("since", {"type": "integer", "minimum": 0}, "last change number seen"),
                _query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": 200},
                    "page size (default 100)",
                ),
            ],
        ),
    },
    "/api/v1/items/{id}": {
        "parameters": [ID_PARAM],
        "get": _op("Read an item", "read", _responses("200", _ref("Item"), 404)),
        "patch": _op(
            "Change fields of an item; the previous state is kept as a version",
            "write",
            _responses("200", _ref("Item"), 400, 404, 415, 422),
            body={JSON: {"schema": _ref("ItemInput")}},
        ),
        "delete": _op("Delete an item", "write", _responses("204", None, 404)),
    },
    "/api/v1/items/{id}/versions": {
        "parameters": [ID_PARAM],
        "get": _op(
            "Earlier versions of an item",
            "read",
            _responses(
                "200",
                {
                    "type": "object",
                    "required": ["versions"],
                    "properties": {
                        "versions": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["version", "created_at", "item"],
                                "properties": {
                                    "version": INT,
                                    "created_at": TIMESTAMP,
                                    "item": _ref("Item"),
                                },
                            },
                        }
                    },
                },
                404,
            ),
        ),
    },
}

#: Other feature modules add their paths and schemas here at import of their routes.
EXTRA_PATHS: dict[str, Any] = {}
EXTRA_SCHEMAS: dict[str, Any] = {}


def register(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
    """Let a feature module describe its own endpoints next to its handlers."""
    EXTRA_PATHS.update(paths)
    EXTRA_SCHEMAS.update(schemas or {})


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mediakring API",
            "version": "1.0.0",
            "description": "Developer API of a Mediakring node. Errors are RFC 9457 "
            "problem+json; list endpoints page with an opaque cursor.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "token from 'mediakring token create'"
                    " with scope read, report, write or admin",
                }
            },
            "schemas": {**SCHEMAS, **openapi_kinds.SCHEMAS, **EXTRA_SCHEMAS},
        },
        "paths": {**PATHS, **EXTRA_PATHS},
    }


# Public names for feature modules that describe their own endpoints.
op, responses, query, ref, nullable = _op, _responses, _query, _ref, _nullable
