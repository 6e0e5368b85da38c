"""Render every error once, at the edge, as RFC 9457 problem+json (for API paths)."""

from __future__ import annotations

import json
import logging

from aiohttp import web

from node.core.errors import PROBLEM_BASE, PROBLEM_JSON, ProblemError

log = logging.getLogger("mediakring.http")

_STATUS_CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    429: "too-many-requests",
}


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    title: str | None = None,
    headers: dict | None = None,
    **extra,
) -> web.Response:
    body = {
        "type": PROBLEM_BASE + (code or _STATUS_CODES.get(status, "error")),
        "title": title or _title(status),
        "status": status,
        "detail": detail,
        **extra,
    }
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type=PROBLEM_JSON,
        headers=headers,
    )


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def wants_problem_json(request: web.Request) -> bool:
    path = request.path
    return (
        path.startswith("/api/")
        or path.startswith("/.well-known/")
        or "json" in (request.headers.get("Accept", ""))
    )


@web.middleware
async def problem_middleware(request: web.Request, handler):
    """Turn ProblemError and aiohttp HTTP errors into problem+json on API paths."""
    try:
        return await handler(request)
    except ProblemError as exc:
        log.info("%s %s refused %s: %s", request.method, request.path, exc.status, exc.detail)
        if not wants_problem_json(request):
            return web.Response(status=exc.status, text=exc.detail)
        body = exc.to_problem(instance=request.path)
        return web.Response(
            status=exc.status, text=json.dumps(body, ensure_ascii=False), content_type=PROBLEM_JSON
        )
    except web.HTTPException as exc:
        if exc.status < 400 or not wants_problem_json(request):
            raise
        return problem_response(
            exc.status,
            exc.text or exc.reason,
            headers={k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")},
        )
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if not wants_problem_json(request):
            raise
        return problem_response(
            500, "Internal error; the node's log has the details.", code="internal-error"
        )
