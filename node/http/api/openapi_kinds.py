"""OpenAPI schemas of the ``details`` of events and vacancies (see node/items/kinds.py)."""

from __future__ import annotations

from typing import Any

from node.items.kinds import CONTRACT_TYPES, EVENT_STATUSES, SALARY_UNITS

STRING, BOOL, NUM = {"type": "string"}, {"type": "boolean"}, {"type": "number"}
URL = {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]}
DATE = {"type": "string", "format": "date"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


SCHEMAS: dict[str, Any] = {
    "EventDetails": {
        "type": "object",
        "description": "details of kind event. start/end: date-time with Z or an offset"
        " (stored as UTC), or a date (YYYY-MM-DD) when all_day; end after start (all-day:"
        " end date not before start date, inclusive). At least one of place and online_url."
        " On PATCH the given fields are merged over the stored ones and the whole is"
        " checked again.",
        "additionalProperties": False,
        "properties": {
            "start": {"anyOf": [{"type": "string", "format": "date-time"}, DATE]},
            "end": {"anyOf": [{"type": "string", "format": "date-time"}, DATE]},
            "all_day": BOOL,
            "timezone": {**STRING, "description": "IANA name; default Europe/Amsterdam"},
            "place": _nullable(
                {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "maxLength": 300},
                        "address": {"type": "string", "maxLength": 500},
                        "latitude": _nullable(NUM),
                        "longitude": _nullable(NUM),
                    },
                }
            ),
            "online_url": URL,
            "organiser": {**STRING, "description": "default: this organisation's name"},
            "ticket_url": URL,
            "price": {"type": "string", "maxLength": 100},
            "status": {"enum": list(EVENT_STATUSES)},
        },
    },
    "VacancyDetails": {
        "type": "object",
        "description": "details of kind vacancy. closing_date (required, today or later) is"
        " the vacancy's expiry: expires_at is set to the end of that day (Europe/Amsterdam)"
        " and cannot be set separately. At least one of apply_url and apply_email.",
        "additionalProperties": False,
        "properties": {
            "employer": {**STRING, "description": "default: this organisation's name"},
            "location": STRING,
            "hours": {"type": "string", "maxLength": 100},
            "hours_min": _nullable(NUM),
            "hours_max": _nullable(NUM),
            "contract_type": {"enum": list(CONTRACT_TYPES)},
            "salary": _nullable(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "min": _nullable(NUM),
                        "max": _nullable(NUM),
                        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                        "unit": {"enum": list(SALARY_UNITS)},
                    },
                }
            ),
            "closing_date": DATE,
            "apply_url": URL,
            "apply_email": _nullable(STRING),
            "education_level": {"type": "string", "maxLength": 100},
        },
    },
}

#: The ``details`` property of an item: an event's, a vacancy's, or {} for other kinds.
DETAILS = {
    "description": "per kind: EventDetails, VacancyDetails, or {} for other kinds",
    "anyOf": [
        {"$ref": "#/components/schemas/EventDetails"},
        {"$ref": "#/components/schemas/VacancyDetails"},
        {"type": "object", "maxProperties": 0},
    ],
}
