"""Fetching a partner's media by authorized fetch, streamed and digest-checked.

The origin serves non-public media only to a signed GET from an actor in the
item's audience.  The URL (and every redirect) is the origin's choice, so each
request is signed by our instance actor with its own key, never the
organisation's; the origin counts our instance actor as our organisation because
our actor document names it (``federation.actors.ActorCache.acting_for``).  The bytes go
straight into a temp file in the media store (never whole in memory), hashed on
the way; a digest that differs from the one the origin announced discards the
file, because a copy we cannot vouch for must not enter our library.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from urllib.parse import urljoin

import aiohttp

from federation import netguard
from node.core.errors import BadRequest, ProblemError
from node.media.store import MediaStore, TempBlob
from protocol.result import Failure

MAX_REDIRECTS = 3


class MediaFetchFailed(ProblemError):
    status, code, title = 502, "media-fetch-failed", "Media could not be fetched"


async def fetch_media(
    fed,
    store: MediaStore,
    url: str,
    expected_sha256: str | None,
    limit: int,
    expected_size: int | None = None,
) -> TempBlob:
    """Download ``url`` into a temp blob; refuse on any failure or digest mismatch."""
    for _ in range(MAX_REDIRECTS + 1):
        failure = await netguard.check_url(
            url, allow_http=fed.config.allow_private_network, policy=fed.address_policy
        )
        if failure is not None:  # a Failure is falsy: `if failure:` never refused
            raise MediaFetchFailed(f"{url}: {failure.detail}")
        headers = fed.sign_get_instance(url)
        timeout = aiohttp.ClientTimeout(total=None, sock_read=fed.config.delivery_timeout_seconds)
        try:
            async with fed.session.get(
                url, headers=headers, allow_redirects=False, timeout=timeout
            ) as resp:
                if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                    url = urljoin(url, resp.headers["Location"])
                    continue
                if resp.status != 200:
                    raise MediaFetchFailed(f"{url} answered HTTP {resp.status}")

                async def chunks() -> AsyncIterator[bytes]:
                    async for chunk in resp.content.iter_chunked(1 << 20):
                        yield chunk

                try:
                    temp = await store.receive(chunks(), limit, expected_size=expected_size)
                except BadRequest as exc:
                    raise MediaFetchFailed(f"{url}: {exc.detail}", code="size-mismatch") from exc
        except aiohttp.ClientError as exc:
            raise MediaFetchFailed(f"{url}: {type(exc).__name__}: {exc}") from exc
        if expected_sha256 and temp.sha256 != expected_sha256:
            await store.run(store.discard, temp)
            raise MediaFetchFailed(
                f"{url}: the file's SHA-256 {temp.sha256[:16]}… does not match the digest"
                f" {expected_sha256[:16]}… the origin announced",
                code="digest-mismatch",
            )
        return temp
    raise MediaFetchFailed(f"{url}: more than {MAX_REDIRECTS} redirects")


#: One byte range as RFC 9110 §14.1.2 writes it; anything else is ignored (full body).
_RANGE = re.compile(r"^bytes=(\d{1,18}-\d{0,18}|-\d{1,18})$")
#: What a streamed answer passes on from the origin to the browser.
PASSED_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "ETag")


def single_range(header: str | None) -> str | None:
    """The ``Range`` header to forward, or None to ask for the whole file.

    RFC 9110 §14.2 lets a server ignore a Range it does not understand, so ``bytes=abc``,
    several ranges or another unit get the whole file (200); a well-formed range that
    lies past the end is the origin's to answer with 416 and ``Content-Range: bytes */size``.
    """
    text = (header or "").strip().replace(" ", "")
    if not _RANGE.match(text):
        return None
    first, _, last = text.removeprefix("bytes=").partition("-")
    if first and last and int(last) < int(first):
        return None  # invalid per §14.1.1, so ignored
    return text


@contextlib.asynccontextmanager
async def open_stream(
    fed, url: str, range_header: str | None
) -> AsyncIterator[aiohttp.ClientResponse]:
    """A signed GET of ``url`` (redirects followed and checked), left open for streaming.

    Yields the origin's response (200, 206 or 416); any other answer is
    :class:`MediaFetchFailed`.  Nothing is stored: the caller passes the body on.
    """
    headers_extra = {"Accept-Encoding": "identity"}
    if range_header:
        headers_extra["Range"] = range_header
    for _ in range(MAX_REDIRECTS + 1):
        failure = await netguard.check_url(
            url, allow_http=fed.config.allow_private_network, policy=fed.address_policy
        )
        if failure is not None:
            raise MediaFetchFailed(f"{url}: {failure.detail}")
        headers = {**fed.sign_get_instance(url), **headers_extra}
        timeout = aiohttp.ClientTimeout(total=None, sock_read=fed.config.delivery_timeout_seconds)
        try:
            resp = await fed.session.get(
                url, headers=headers, allow_redirects=False, timeout=timeout
            )
        except aiohttp.ClientError as exc:
            raise MediaFetchFailed(f"{url}: {type(exc).__name__}: {exc}") from exc
        try:
            if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                url = urljoin(url, resp.headers["Location"])
                continue
            if resp.status not in (200, 206, 416):
                raise MediaFetchFailed(f"{url} answered HTTP {resp.status}")
            yield resp
            return
        finally:
            resp.release()
    raise MediaFetchFailed(f"{url}: more than {MAX_REDIRECTS} redirects")


__all__ = [
    "PASSED_HEADERS",
    "Failure",
    "MediaFetchFailed",
    "fetch_media",
    "open_stream",
    "single_range",
]
