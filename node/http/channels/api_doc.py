"""OpenAPI descriptions of the channel API endpoints (registered by ``routes.setup``)."""

from __future__ import annotations

from typing import Any

from node.http.api.openapi import (
    BOOL,
    ID_PARAM,
    INT,
    JSON,
    STRING,
    TIMESTAMP,
    nullable,
    op,
    ref,
    responses,
)
from node.sharing.webhooks import EVENTS

SCHEMAS: dict[str, Any] = {
    "WallScreenInput": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": STRING,
            "rotate_seconds": {"type": "integer", "minimum": 3, "maximum": 3600},
            "include_public": BOOL,
        },
    },
    "WallScreen": {
        "type": "object",
        "required": ["id", "name", "token", "url", "rotate_seconds", "include_public", "items"],
        "properties": {
            "id": STRING,
            "name": STRING,
            "token": STRING,
            "url": STRING,
            "rotate_seconds": INT,
            "include_public": BOOL,
            "created_at": TIMESTAMP,
            "items": {"type": "array", "items": STRING},
        },
    },
    "WebhookInput": {
        "type": "object",
        "additionalProperties": False,
        "required": ["url", "events"],
        "properties": {
            "url": {"type": "string", "format": "uri"},
            "events": {"type": "array", "minItems": 1, "items": {"enum": list(EVENTS)}},
        },
    },
    "Webhook": {
        "type": "object",
        "required": ["id", "url", "events", "active", "created_at"],
        "properties": {
            "id": STRING,
            "url": STRING,
            "events": {"type": "array", "items": STRING},
            "active": BOOL,
            "created_at": TIMESTAMP,
            "secret": {"type": "string", "description": "only in the response to POST"},
        },
    },
    "WebhookDelivery": {
        "type": "object",
        "required": ["id", "event", "state", "attempts", "log"],
        "properties": {
            "id": STRING,
            "event": STRING,
            "state": {"enum": ["pending", "delivering", "delivered", "failed"]},
            "attempts": INT,
            "next_attempt_at": TIMESTAMP,
            "last_status": nullable(INT),
            "last_error": nullable(STRING),
            "created_at": TIMESTAMP,
            "delivered_at": nullable(TIMESTAMP),
            "log": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "attempt": INT,
                        "at": TIMESTAMP,
                        "status": nullable(INT),
                        "error": nullable(STRING),
                        "duration_ms": INT,
                    },
                },
            },
        },
    },
    "Ninjs": {
        "type": "object",
        "required": ["uri"],
        "description": "IPTC ninjs 2.1 document (http://www.iptc.org/std/ninjs/)",
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/wall-screens": {
        "get": op(
            "List wall screens",
            "admin",
            responses(
                "200",
                {
                    "type": "object",
                    "required": ["screens"],
                    "properties": {"screens": {"type": "array", "items": ref("WallScreen")}},
                },
            ),
        ),
        "post": op(
            "Create a wall screen (its URL carries a random token)",
            "admin",
            responses("201", ref("WallScreen"), 400, 415, 422),
            body={JSON: {"schema": ref("WallScreenInput")}},
        ),
    },
    "/api/v1/wall-screens/{id}/items": {
        "parameters": [ID_PARAM],
        "put": op(
            "Replace the items chosen for a screen, in order",
            "admin",
            responses("200", ref("WallScreen"), 400, 404, 415, 422),
            body={
                JSON: {
                    "schema": {
                        "type": "object",
                        "required": ["items"],
                        "properties": {"items": {"type": "array", "items": STRING}},
                    }
                }
            },
        ),
    },
    "/api/v1/wall-screens/{id}": {
        "parameters": [ID_PARAM],
        "delete": op("Delete a wall screen", "admin", responses("204", None, 404)),
    },
    "/api/v1/webhooks": {
        "get": op(
            "List webhook subscriptions and the known events",
            "admin",
            responses(
                "200",
                {
                    "type": "object",
                    "required": ["webhooks", "events"],
                    "properties": {
                        "webhooks": {"type": "array", "items": ref("Webhook")},
                        "events": {"type": "array", "items": STRING},
                    },
                },
            ),
        ),
        "post": op(
            "Subscribe a URL to events; the signing secret is returned only here",
            "admin",
            responses("201", ref("Webhook"), 400, 415, 422),
            body={JSON: {"schema": ref("WebhookInput")}},
        ),
    },
    "/api/v1/webhooks/{id}": {
        "parameters": [ID_PARAM],
        "delete": op("Delete a webhook and its delivery log", "admin", responses("204", None, 404)),
    },
    "/api/v1/webhooks/{id}/deliveries": {
        "parameters": [ID_PARAM],
        "get": op(
            "The newest 100 deliveries with every attempt",
            "admin",
            responses(
                "200",
                {
                    "type": "object",
                    "required": ["deliveries"],
                    "properties": {
                        "deliveries": {"type": "array", "items": ref("WebhookDelivery")}
                    },
                },
                404,
            ),
        ),
    },
    "/api/v1/items/{id}.ninjs": {
        "parameters": [ID_PARAM],
        "get": op("An item as IPTC ninjs 2.1", "read", responses("200", ref("Ninjs"), 404)),
    },
    "/api/v1/items/import/ninjs": {
        "post": op(
            "Create an item from an IPTC ninjs 2.1 document (schema-validated)",
            "write",
            responses("201", ref("Item"), 400, 415, 422),
            body={JSON: {"schema": ref("Ninjs")}},
        ),
    },
}
