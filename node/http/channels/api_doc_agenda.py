"""OpenAPI descriptions of the public agenda and vacancy endpoints (no token needed)."""

from __future__ import annotations

from typing import Any

from node.http.api.openapi import INT, STRING, nullable, query, ref
from node.items.kinds import CONTRACT_TYPES

_DETAILS = {"type": "object", "description": "the item's details (EventDetails/VacancyDetails)"}
SCHEMAS: dict[str, Any] = {
    "AgendaEntry": {
        "type": "object",
        "required": ["key", "uri", "url", "kind", "title", "details", "organisation"],
        "properties": {
            "key": {"type": "string", "description": "l<listing id> or i<item id>"},
            "uri": STRING,
            "url": STRING,
            "kind": {"enum": ["event", "vacancy"]},
            "title": STRING,
            "summary": STRING,
            "tags": {"type": "array", "items": STRING},
            "details": _DETAILS,
            "organisation": {"type": "string", "description": "the origin's actor URL"},
            "origin_name": STRING,
            "closing_date": nullable(STRING),
        },
    },
    "Agenda": {
        "type": "object",
        "required": ["view", "from", "until", "scope", "items"],
        "properties": {
            "view": {"enum": ["week", "month"]},
            "from": {"type": "string", "format": "date"},
            "until": {"type": "string", "format": "date"},
            "scope": {"enum": ["network", "own"]},
            "items": {"type": "array", "items": ref("AgendaEntry")},
        },
    },
    "VacancyPage": {
        "type": "object",
        "required": ["total", "page", "next_page", "items"],
        "properties": {
            "total": INT,
            "page": INT,
            "next_page": nullable(INT),
            "items": {"type": "array", "items": ref("AgendaEntry")},
        },
    },
}


def _public(summary: str, schema: dict, params: list) -> dict[str, Any]:
    problem = {"content": {"application/problem+json": {"schema": ref("Problem")}}}
    return {
        "summary": summary,
        "security": [],
        "parameters": params,
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
            "422": {"description": "A query parameter that cannot be served", **problem},
        },
    }


_ORG = query("org", STRING, "only this organisation (its actor URL)")
PATHS: dict[str, Any] = {
    "/api/v1/agenda": {
        "get": _public(
            "Events of one week or month, soonest first; past events are left out",
            ref("Agenda"),
            [
                query("view", {"enum": ["week", "month"]}, "period (default week)"),
                query("date", {"type": "string", "format": "date"}, "a day in it (today)"),
                query("scope", {"enum": ["network", "own"]}, "network (default) or own"),
                query("place", STRING, "text in the place's name or address"),
                query("tag", STRING, "kind of event, as a tag"),
                _ORG,
            ],
        )
    },
    "/api/v1/vacancies": {
        "get": _public(
            "Listed vacancies of the network (own and partners'), newest first, 20 a page",
            ref("VacancyPage"),
            [
                query("q", STRING, "text in title, description or employer"),
                query("contract", {"enum": list(CONTRACT_TYPES)}, "contract type"),
                query("location", STRING, "text in the location"),
                _ORG,
                query("page", {"type": "integer", "minimum": 1}, "page number (default 1)"),
            ],
        )
    },
}
