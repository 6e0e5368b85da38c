"""Back-fill: page through a new partner's mediatheek and index every listing.

Progress lives in the partner row (state, next page URL, count), so a restart
resumes where it stopped.  Every listing is vouched for by the partner's own key,
one of two ways (FEDERATION.md §5.1): the page response carries a valid page
signature by the partner actor's Ed25519 key (one SHA-256 of the raw bytes and
one signature for the whole page; every listing in it must then be attributed to
the partner and still carry its own proof, which is stored with it), or, when a
page has no page signature or one that does not hold, each listing's own proof is
verified.  A listing vouched for neither way is skipped and counted, never indexed.
Pages must stay on the partner's host, may not repeat, and there is a page
limit, so a hostile or broken collection cannot keep us busy forever.  The
``next`` links are the partner's choice, so every page is fetched signed by our
instance actor (``fed.fetch``'s default), never by the organisation's key.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from federation import wire
from federation.fetch import Fetched
from federation.stopping import cancel_and_wait
from node.core.appkeys import DB, SETTINGS
from node.core.clock import utcnow
from node.mediatheek import store as index
from node.mediatheek import textindex
from node.sharing import partners_store
from node.sharing.incoming.common import Refused, parse_item
from node.sharing.listings import listing_from_item
from node.sharing.services import SERVICES
from protocol import multikey, page_context, pagejson, proofs
from protocol.httpsig import response as page_signature
from protocol.result import Failure
from protocol.validate import host_of
from protocol.vocab import CONTEXT

log = logging.getLogger("mediakring.backfill")


class Backfill:
    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.running: dict[str, asyncio.Task] = {}

    @property
    def fed(self):
        return self.app[SERVICES].federation

    async def start(self, actor_url: str) -> None:
        await self.app[DB].write(
            lambda d: partners_store.upsert(
                d,
                actor_url,
                direction=partners_store.get_by_actor(d, actor_url)["direction"],
                backfill_state="running",
                backfill_next=None,
                backfill_count=0,
                backfill_error=None,
            )
        )
        self.resume(actor_url)

    def resume(self, actor_url: str) -> None:
        task = self.running.get(actor_url)
        if task is None or task.done():
            self.running[actor_url] = asyncio.create_task(self._run(actor_url))

    async def resume_all(self) -> None:
        rows = await self.app[DB].read(
            lambda d: [
                r[0]
                for r in d.execute(
                    "SELECT actor_url FROM partners WHERE backfill_state = 'running'"
                    " AND state = 'active'"
                )
            ]
        )
        for actor_url in rows:
            self.resume(actor_url)

    async def close(self) -> None:
        await cancel_and_wait(self.running.values())

    async def _save(self, actor_url: str, **changes: Any) -> None:
        await self.app[DB].write(
            lambda d: partners_store.upsert(
                d,
                actor_url,
                direction=partners_store.get_by_actor(d, actor_url)["direction"],
                **changes,
            )
        )

    async def _run(self, actor_url: str) -> None:
        try:
            await self._pages(actor_url)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # recorded for the admin; the partnership itself stays
            log.exception("back-fill from %s failed", actor_url)
            await self._save(actor_url, backfill_state="failed", backfill_error=str(exc)[:500])

    async def _pages(self, actor_url: str) -> None:
        """Page through the collection as a pipeline: while page k is written (database
        thread), page k+1 is checked (worker threads) and page k+2 fetched.

        The search index takes in the stored pages on the node's own catch-up round
        (once a second, ``node.app``), one tantivy commit for all that arrived in the
        meantime; commits of their own here doubled the commits, and the merges they
        cause, for about 15% more CPU per listing (docs/search.md, "Freshness").
        The last catch-up is the back-fill's: done means searchable."""
        partner = await self.app[DB].read(lambda d: partners_store.get_by_actor(d, actor_url))
        actor = await self.fed.actors.get(actor_url)
        if isinstance(actor, Failure):
            raise RuntimeError(actor.detail)
        keys = _page_keys(actor)
        seen: set[str] = set()
        count, rejected = partner["backfill_count"], 0
        start = partner["backfill_next"] or partner["mediatheek_url"]
        pending = asyncio.create_task(self._fetch_checked(actor_url, start, seen, keys))
        writing: asyncio.Task | None = None
        try:
            while pending is not None:
                entries, nxt, vouched, context = await pending
                pending = (
                    asyncio.create_task(self._fetch_checked(actor_url, nxt, seen, keys))
                    if nxt
                    else None
                )
                if vouched:
                    rows, rejected_here = await asyncio.to_thread(
                        self._vouched, actor, entries, context
                    )
                else:
                    rows, rejected_here = await self._verify_parallel(actor, entries, context)
                rejected += rejected_here
                if writing is not None:
                    await writing
                count += len(rows)
                writing = asyncio.create_task(self._write_page(actor_url, rows, nxt, count))
            if writing is not None:
                await writing
            await self._catch_up()  # done means searchable: the last pages are indexed too
        except BaseException:
            for task in (pending, writing):
                if task is not None:
                    task.cancel()
            raise
        await self._save(
            actor_url,
            backfill_state="done",
            backfill_next=None,
            backfill_error=f"{rejected} listings rejected" if rejected else None,
        )
        log.info("back-fill from %s done: %d listings, %d rejected", actor_url, count, rejected)

    async def _catch_up(self) -> None:
        """Let the search index take in the pages stored so far (a reader thread)."""
        try:
            await self.app[DB].read(textindex.catch_up)
        except Exception:  # the node's own catch-up loop (and every search) tries again
            log.exception("search index catch-up during a back-fill failed")

    async def _write_page(
        self, actor_url: str, rows: list[dict[str, Any]], nxt: str | None, count: int
    ) -> None:
        """A page's listings and the progress after it, in one transaction: a restart
        resumes after the last page that was stored, never after one half-stored."""

        def write(d) -> None:
            index.upsert_rows(d, rows)
            partners_store.upsert(
                d,
                actor_url,
                direction=partners_store.get_by_actor(d, actor_url)["direction"],
                backfill_next=nxt,
                backfill_count=count,
            )

        await self.app[DB].write(write)

    async def _fetch_page(
        self, actor_url: str, url: str, seen: set[str]
    ) -> tuple[list, str | None]:
        """One page's entries and the next page's URL (without the page signature check)."""
        entries, nxt, _, _ = await self._fetch_checked(actor_url, url, seen, {})
        return entries, nxt

    async def _fetch_checked(
        self, actor_url: str, url: str, seen: set[str], keys: dict[str, Any]
    ) -> tuple[list, str | None, bool, Any]:
        """One page's entries, the next page's URL, whether a valid page signature by
        the partner's own key vouches for the page, and the page's ``@context`` (which
        its entries inherit); loops and foreign hosts are refused."""
        settings = self.app[SETTINGS]
        while True:
            if url in seen:
                raise RuntimeError(f"the collection loops back to {url}")
            if len(seen) >= settings.backfill_max_pages:
                raise RuntimeError(f"more than {settings.backfill_max_pages} pages; stopped")
            if host_of(url) != host_of(actor_url):
                raise RuntimeError(f"page {url} is not on the partner's host")
            seen.add(url)
            fetched = await self.fed.fetch_page(url, max_bytes=settings.collection_page_max_bytes)
            if isinstance(fetched, Failure):
                raise RuntimeError(fetched.detail)
            page, vouched = fetched.document, await self._page_vouched(actor_url, fetched, keys)
            context = page.get("@context")
            if page.get("type") == "OrderedCollection":
                first = page.get("first")
                if isinstance(first, dict) and "orderedItems" in first:
                    page = first
                else:
                    url = first.get("id") if isinstance(first, dict) else first
                    if not isinstance(url, str):
                        return [], None, False, context
                    continue
            entries = page.get("orderedItems") or page.get("items") or []
            nxt = page.get("next")
            nxt = nxt.get("id") if isinstance(nxt, dict) else nxt
            return entries, (nxt if isinstance(nxt, str) else None), vouched, context

    @staticmethod
    async def _page_vouched(actor_url: str, fetched: Fetched, keys: dict[str, Any]) -> bool:
        """Does a page signature by the partner's own key hold for these exact bytes?

        No page signature (an older node) or one that fails (tampering, another key, a
        stale or replayed page) is not an error: the page's listings then need their own
        proofs, so a forged listing is still refused and the rest indexed."""
        if not keys or not page_signature.has_page_signature(fetched.headers):
            return False
        signed = await asyncio.to_thread(  # one SHA-256 of ~1.5 MB: off the event loop
            page_signature.verify_page,
            fetched.status,
            fetched.headers,
            fetched.body,
            fetched.url,
            keys,
            utcnow(),
        )
        if isinstance(signed, Failure):
            log.warning("back-fill page %s from %s: %s; checking every listing's proof",
                        fetched.url, actor_url, signed.detail)  # fmt: skip
            return False
        return True

    def _vouched(self, actor, entries: list, context: Any) -> tuple[list[dict[str, Any]], int]:
        """The index rows of a page whose page signature holds: the page vouches for the
        bytes, so the listings' proofs are not checked one by one, but each listing must
        be the partner's own (``attributedTo`` the partner, on its host) and still carry
        an ``eddsa-jcs-2022`` proof by one of its keys, which is stored with it."""
        good: list[tuple[dict, str]] = []
        rejected = 0
        ours = context == CONTEXT  # compared once per page: the context is ~2.7 KB
        for raw in entries if isinstance(entries, list) else []:
            entry, text = _decoded(raw, context, ours, for_reading=True)
            proof = entry.get("proof") if entry is not None else None
            if (
                not isinstance(proof, dict)
                or proof.get("cryptosuite") != proofs.CRYPTOSUITE
                or proof.get("verificationMethod") not in actor.ed25519_keys
                or _attributed(entry) != actor.id
            ):
                rejected += 1
                continue
            good.append((entry, text))
        rows, refused = self._rows(actor, good)
        return rows, rejected + refused

    async def _verify_parallel(
        self, actor, entries: list, context: Any
    ) -> tuple[list[dict[str, Any]], int]:
        """Verify a page in two threads: Ed25519 releases the GIL for part of its work.
        Off the event loop and off the database thread, which only inserts the rows."""
        if not isinstance(entries, list) or len(entries) < 32:
            return await asyncio.to_thread(self._verify, actor, entries, context)
        half = len(entries) // 2
        parts = await asyncio.gather(
            asyncio.to_thread(self._verify, actor, entries[:half], context),
            asyncio.to_thread(self._verify, actor, entries[half:], context),
        )
        return parts[0][0] + parts[1][0], parts[0][1] + parts[1][1]

    def _verify(self, actor, entries: list, context: Any) -> tuple[list[dict[str, Any]], int]:
        """The index rows of the listings whose proof verifies and that can be stored;
        every other entry is counted as rejected and the rest of the page goes on."""
        good: list[tuple[dict, str]] = []
        rejected = 0
        ours = context == CONTEXT
        for raw in entries if isinstance(entries, list) else []:
            entry, text = _decoded(raw, context, ours)
            proof = entry.get("proof") if entry is not None else None
            if (
                not isinstance(proof, dict)
                or proof.get("cryptosuite") != proofs.CRYPTOSUITE
                or (wire.verify_proof(entry, actor.ed25519_keys) is not None)
            ):
                rejected += 1
                continue
            good.append((entry, text))
        rows, refused = self._rows(actor, good)
        return rows, rejected + refused

    @staticmethod
    def _rows(actor, entries: list[tuple[dict, str]]) -> tuple[list[dict[str, Any]], int]:
        """Index rows of vouched-for listings, each stored as the JSON text it arrived
        as; a listing that cannot be stored is refused."""
        rows, rejected = [], 0
        name = str(actor.document.get("name") or "")
        for entry, text in entries:
            try:
                item = parse_item(actor.id, entry, "back-fill")
                listing = listing_from_item(
                    item,
                    origin_actor=actor.id,
                    origin_name=name,
                    document=text,  # type: ignore[arg-type]  # the received JSON, as is
                    local=False,
                    proof_ok=True,
                )
                rows.append(index.prepare(listing))
            except (Refused, ValueError):
                rejected += 1
        return rows, rejected


def _decoded(
    raw: Any, context: Any, ours: bool, *, for_reading: bool = False
) -> tuple[dict | None, str]:
    """A page entry (raw JSON bytes from ``protocol.pagejson``) as an object and as the
    JSON text to store; (None, "") when it is no JSON object.

    The object is the stand-alone document (an entry without ``@context`` takes the
    page's, :func:`protocol.page_context.inherit`), ready for its proof to be verified;
    ``for_reading`` asks only for the fields a vouched-for listing is read by.  ``ours``
    says the page's context is ``protocol.vocab.CONTEXT``: then the text is the bytes as
    received, since a stored listing without ``@context`` is under our context.  Under
    any other page context it is the stand-alone document, encoded again.
    """
    if not isinstance(raw, bytes):  # the page parser leaves every item as bytes
        return None, ""
    reading = for_reading and ours
    entry = (pagejson.decode_listing if reading else pagejson.decode_item)(raw)
    if isinstance(entry, Failure):
        return None, ""
    if not reading:
        entry = page_context.inherit(entry, context)
    return entry, (raw.decode("utf-8") if ours else json.dumps(entry, ensure_ascii=False))


def _attributed(entry: dict) -> str | None:
    value = entry.get("attributedTo")
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _page_keys(actor) -> dict[str, Any]:
    """The partner actor's own Ed25519 keys (its assertionMethod, from the actor cache),
    decoded once per back-fill for checking page signatures."""
    keys = {}
    for key_id, value in actor.ed25519_keys.items():
        key = multikey.decode_ed25519(value)
        if not isinstance(key, Failure):
            keys[key_id] = key
    return keys
