"""Sending stored blobs: sendfile, HTTP Range, and a strong ETag that is the content hash.

aiohttp's ``FileResponse`` does sendfile and Range well but derives its ETag from
mtime and size.  Our blobs are immutable and named by SHA-256, so the hash *is* the
right strong validator — and it is the same on every node that holds a copy.  The
subclass answers the conditional headers against the hash itself and hands aiohttp a
request without them, so aiohttp's own mtime-based checks never interfere.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from aiohttp import hdrs, web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.web_request import BaseRequest

CHUNK = 1 << 20
_CONDITIONAL = (
    hdrs.IF_MATCH,
    hdrs.IF_NONE_MATCH,
    hdrs.IF_RANGE,
    hdrs.IF_MODIFIED_SINCE,
    hdrs.IF_UNMODIFIED_SINCE,
)
#: Shown inline by browsers; everything else is offered as a download.
_INLINE = ("image/", "video/", "audio/")


def content_disposition(filename: str, media_type: str) -> str:
    """RFC 6266 header with an ASCII fallback and the UTF-8 name (already cleaned)."""
    kind = "inline" if media_type.startswith(_INLINE) else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    ascii_name = ascii_name.replace("\\", "_").replace('"', "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class ContentFileResponse(web.FileResponse):
    """A FileResponse whose ETag is the (quoted, strong) content hash."""

    def __init__(self, path: Path, etag: str, **kwargs: object) -> None:
        super().__init__(path, chunk_size=CHUNK, **kwargs)  # type: ignore[arg-type]
        self._content_etag = etag

    def _matches(self, header: str | None, *, weak: bool) -> bool:
        for tag in (header or "").split(","):
            tag = tag.strip()
            if tag == "*":
                return True
            if tag.startswith("W/"):
                if not weak:
                    continue
                tag = tag[2:]
            if tag.strip('"') == self._content_etag:
                return True
        return False

    async def prepare(self, request: BaseRequest) -> AbstractStreamWriter | None:
        headers = request.headers
        if hdrs.IF_MATCH in headers and not self._matches(headers[hdrs.IF_MATCH], weak=False):
            self.set_status(412)
            self.content_length = 0
            return await web.StreamResponse.prepare(self, request)
        if hdrs.IF_NONE_MATCH in headers and self._matches(headers[hdrs.IF_NONE_MATCH], weak=True):
            self.set_status(304)
            self._length_check = False
            self.etag = self._content_etag
            return await web.StreamResponse.prepare(self, request)
        if any(h in headers for h in _CONDITIONAL):
            clean = headers.copy()
            if_range = clean.get(hdrs.IF_RANGE, "")
            if if_range and not self._matches(if_range, weak=False):
                clean.popall(hdrs.RANGE, None)  # a different representation: send it all
            for name in _CONDITIONAL:
                clean.popall(name, None)
            request = request.clone(headers=clean)
        return await super().prepare(request)

    async def _prepare_headers(self) -> None:
        # FileResponse set an mtime-size tag; ours replaces it just before headers go out
        self.etag = self._content_etag
        await super()._prepare_headers()


def file_response(
    path: Path, media_type: str, etag: str, filename: str | None = None
) -> web.FileResponse:
    """Stream a stored blob with sendfile; Range, If-None-Match and If-Match honoured.

    ``etag`` is the blob's SHA-256 (unquoted); the content never changes for a given
    hash, so clients may cache it for long.
    """
    response = ContentFileResponse(Path(path), etag)
    response.content_type = media_type
    if media_type.startswith("text/"):
        response.charset = "utf-8"  # we only accept UTF-8 text
    response.headers[hdrs.CACHE_CONTROL] = "private, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers[hdrs.CONTENT_SECURITY_POLICY] = "default-src 'none'; sandbox"
    if filename:
        response.headers[hdrs.CONTENT_DISPOSITION] = content_disposition(filename, media_type)
    return response
