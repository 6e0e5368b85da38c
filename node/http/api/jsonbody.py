"""Reading JSON request bodies strictly: size limit, valid JSON, an object, known fields."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from node.core.appkeys import SETTINGS
from node.core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed


async def read_json_object(
    request: web.Request, allowed: Iterable[str] | None = None
) -> dict[str, Any]:
    """The body as a dict, or a 4xx problem that says exactly what is wrong with it."""
    if request.content_type not in ("application/json", "application/merge-patch+json"):
        raise UnsupportedMediaType(
            f"Expected Content-Type application/json, got {request.content_type or 'none'!r}."
        )
    limit = request.app[SETTINGS].max_json_bytes
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"JSON bodies are limited to {limit} bytes.")
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(f"JSON bodies are limited to {limit} bytes.")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}.", code="invalid-json") from exc
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.", code="invalid-json")
    if allowed is not None:
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise ValidationFailed(
                f"Unknown field(s): {', '.join(unknown)}.",
                code="unknown-fields",
                fields=unknown,
            )
    return data
