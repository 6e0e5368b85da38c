"""Outbound GETs of remote documents: signed, bounded, and only to public addresses.

Every remote URL is attacker-chosen, so a fetch is guarded on all sides: each
redirect hop is followed by hand (at most three) and its address checked; the
body is read up to a byte cap; a time limit covers the whole fetch; and the
document's ``id`` must live on the host it was served from, so one server cannot
speak for another.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import aiohttp

from federation import netguard
from protocol.result import Failure
from protocol.validate import host_of
from protocol.vocab import AS2_ACCEPT

log = logging.getLogger("mediakring.federation.fetch")

MAX_REDIRECTS = 3
#: Bodies larger than this are json-parsed in a worker thread, not on the event loop.
PARSE_INLINE_BYTES = 64 * 1024
#: Signs a GET: (url) -> headers to add (Host, Date, Signature).
GetSigner = Callable[[str], dict[str, str]]
#: Decodes a body: (bytes) -> the JSON object, or a Failure.
Parser = Callable[[bytes], dict | Failure]


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched document with what came with it, for a caller that checks the response
    itself (a signed collection page): the raw body, lower-cased headers, the status and
    the URL that was finally asked (after redirects)."""

    document: dict
    body: bytes
    headers: dict[str, str]
    status: int
    url: str


class FetchClient:
    """Signed, size-capped, address-checked GET of JSON documents."""

    def __init__(
        self,
        session: Callable[[], aiohttp.ClientSession],
        *,
        allow_http: bool,
        policy: netguard.AddressPolicy,
        max_bytes: int,
        timeout: float,
        resolver: netguard.Resolver = netguard.resolve,
    ) -> None:
        self.session = session  # a provider (``federation.session.SessionProvider``)
        self.allow_http = allow_http
        self.policy = policy
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.resolver = resolver

    async def get_json(
        self, url: str, signer: GetSigner | None = None, *, max_bytes: int | None = None
    ) -> dict | Failure:
        """Fetch ``url`` as an ActivityStreams document, or say why not."""
        fetched = await self.get_response(url, signer, max_bytes=max_bytes)
        return fetched if isinstance(fetched, Failure) else fetched.document

    async def get_response(
        self,
        url: str,
        signer: GetSigner | None = None,
        *,
        max_bytes: int | None = None,
        parse: Parser | None = None,
    ) -> Fetched | Failure:
        """Like :meth:`get_json`, with the raw body and the response headers kept;
        ``parse`` decodes the body instead of ``json.loads`` (a collection page)."""
        try:
            return await asyncio.wait_for(
                self._get(url, signer, max_bytes or self.max_bytes, parse), self.timeout
            )
        except TimeoutError:
            return Failure("fetch.timeout", f"{url} did not answer within {self.timeout:g}s")

    async def _get(
        self, url: str, signer: GetSigner | None, cap: int, parse: Parser | None = None
    ) -> Fetched | Failure:
        url = url.split("#", 1)[0]
        for _hop in range(MAX_REDIRECTS + 1):
            failure = await netguard.check_url(
                url, allow_http=self.allow_http, policy=self.policy, resolver=self.resolver
            )
            if failure is not None:
                return failure
            headers = {"Accept": AS2_ACCEPT}
            if signer is not None:
                headers.update(signer(url))
            try:
                async with self.session().get(url, headers=headers, allow_redirects=False) as resp:
                    if resp.status in (301, 302, 303, 307, 308):
                        location = resp.headers.get("Location")
                        if not location:
                            return Failure("fetch.redirect", "redirect without Location")
                        url = urljoin(url, location)
                        continue
                    if resp.status in (404, 410):
                        return Failure("fetch.gone", f"{url} answered HTTP {resp.status}")
                    if resp.status != 200:
                        return Failure("fetch.status", f"{url} answered HTTP {resp.status}")
                    body = await self._read_capped(resp, cap)
                    headers = {k.lower(): v for k, v in resp.headers.items()}
                    asked = str(resp.url)
            except aiohttp.ClientError as exc:
                return Failure("fetch.network", f"{url}: {type(exc).__name__}: {exc}")
            except OSError as exc:
                return Failure("fetch.network", f"{url}: {exc}")
            if isinstance(body, Failure):
                return body
            if len(body) > PARSE_INLINE_BYTES:  # a large page: parsed off the event loop
                doc = await asyncio.to_thread(self._parse, url, body, parse)
            else:
                doc = self._parse(url, body, parse)
            if isinstance(doc, Failure):
                return doc
            return Fetched(doc, body, headers, 200, asked)
        return Failure("fetch.redirect", f"more than {MAX_REDIRECTS} redirects")

    async def _read_capped(self, resp: aiohttp.ClientResponse, cap: int) -> bytes | Failure:
        declared = resp.content_length
        if declared is not None and declared > cap:
            return Failure("fetch.too_large", f"document of {declared} bytes exceeds the cap")
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > cap:
                return Failure("fetch.too_large", f"document exceeds {cap} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _parse(url: str, body: bytes, parse: Parser | None = None) -> dict | Failure:
        if parse is not None:
            doc = parse(body)
            if isinstance(doc, Failure):
                return Failure("fetch.json", f"{url}: {doc.detail}")
        else:
            try:
                doc = json.loads(body)
            except (ValueError, UnicodeDecodeError, RecursionError):
                return Failure("fetch.json", f"{url} did not return JSON")
        if not isinstance(doc, dict):
            return Failure("fetch.json", f"{url} did not return a JSON object")
        doc_id = doc.get("id")
        if not isinstance(doc_id, str) or host_of(doc_id) != host_of(url):
            return Failure(
                "fetch.origin", f"document id {str(doc_id)[:200]!r} is not on {host_of(url)}"
            )
        return doc
