"""Fetching one web page for an import: address-checked, size-capped, time-limited.

The URL is the editor's, the page and its redirects somebody else's, so this goes
through the node's outbound guard exactly as media fetches do: every hop is
checked by ``federation.netguard`` (no private, loopback or link-local addresses
unless the node runs on a private test network, plain http only there), the
connection itself uses the federation session whose resolver refuses such
addresses again at connect time, the body is read in chunks and refused as soon
as it passes the cap, and the whole fetch has one deadline.  The request is not
signed: a public page is fetched as anyone would fetch it.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

import aiohttp

from federation import netguard
from node.items.imports import MAX_BYTES, ImportRefused, too_large

MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 20.0
ACCEPT = "text/html, application/xhtml+xml, application/ld+json;q=0.9, text/calendar;q=0.9"


def _failed(url: str, why: str, status: int = 502) -> ImportRefused:
    return ImportRefused("fetch-failed", f"{url[:200]} could not be fetched: {why}", status=status)


async def fetch_page(fed, url: str, *, limit: int = MAX_BYTES) -> tuple[bytes, str]:
    """The body of ``url`` (after at most three redirects) and its media type; or a refusal."""
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            return await _fetch(fed, url, limit)
    except TimeoutError:
        raise _failed(url, f"no answer within {TIMEOUT_SECONDS:g} seconds") from None


async def _fetch(fed, url: str, limit: int) -> tuple[bytes, str]:
    for _ in range(MAX_REDIRECTS + 1):
        failure = await netguard.check_url(
            url, allow_http=fed.config.allow_private_network, policy=fed.address_policy
        )
        if failure is not None:  # a Failure is falsy: test for None
            raise ImportRefused("url-refused", f"{url[:200]}: {failure.detail}", status=422)
        try:
            async with fed.session.get(
                url, headers={"Accept": ACCEPT}, allow_redirects=False
            ) as resp:
                if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                    url = urljoin(url, resp.headers["Location"])
                    continue
                if resp.status != 200:
                    raise _failed(url, f"it answered HTTP {resp.status}")
                if resp.content_length is not None and resp.content_length > limit:
                    raise too_large(resp.content_length)
                body = bytearray()
                async for chunk in resp.content.iter_chunked(1 << 16):
                    body += chunk
                    if len(body) > limit:
                        raise too_large()
                return bytes(body), resp.content_type
        except (aiohttp.ClientError, OSError) as exc:
            raise _failed(url, f"{type(exc).__name__}: {exc}") from exc
    raise _failed(url, f"more than {MAX_REDIRECTS} redirects")
