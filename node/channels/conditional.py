"""Conditional GET for feeds: ETag and Last-Modified, answered with 304 when unchanged.

Feed readers poll often; a 304 saves them and us the body.  The ETag is a hash
of the exact body, so it changes whenever anything a reader would see changes
(an embargo lifting included); Last-Modified comes from
:func:`node.channels.public.last_change`, which over-approximates on purpose.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib

from aiohttp import web

from node.core.clock import parse_iso


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return etag in candidates


def _not_modified_since(header: str, last_modified: dt.datetime) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def conditional_response(
    request: web.Request,
    body: bytes,
    content_type: str,
    last_change: str | None,
    *,
    max_age: int = 300,
) -> web.Response:
    """200 with validators, or 304 when the client's copy is current (RFC 9110 §13.2.2)."""
    etag = etag_of(body)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept-Language",
    }
    last_modified = parse_iso(last_change) if last_change else None
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    inm = request.headers.get("If-None-Match")
    ims = request.headers.get("If-Modified-Since")
    if inm is not None:
        fresh = _etag_matches(inm, etag)
    else:
        fresh = bool(ims and last_modified and _not_modified_since(ims, last_modified))
    if fresh:
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)
