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


__all__ = ["Failure", "MediaFetchFailed", "fetch_media"]
