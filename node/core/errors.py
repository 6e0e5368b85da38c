"""Errors with an HTTP status and a safe, human-readable reason.

Raised anywhere in node/ and rendered once at the edge: as
``application/problem+json`` (RFC 9457) for the API and federation endpoints,
as HTML by admin_ui.  Internal details go to the log, never to the client.
"""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://mediakring.nl/problems/"


class ProblemError(Exception):
    """A refusal a client may see: status, short code, and a reason in words."""

    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(
        self, detail: str, *, status: int | None = None, code: str | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class BadRequest(ProblemError):
    status, code, title = 400, "bad-request", "Bad request"


class ValidationFailed(ProblemError):
    status, code, title = 422, "validation-failed", "Validation failed"


class Unauthorized(ProblemError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(ProblemError):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFound(ProblemError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, code, title = 409, "conflict", "Conflict"


class PayloadTooLarge(ProblemError):
    status, code, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(ProblemError):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"
