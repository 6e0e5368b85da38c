"""Signed back-fill pages (FEDERATION.md §5.1): one page signature vouches for a page.

A real node B back-fills from an origin: a real node A, or a hand-built origin (a real
aiohttp server on 127.0.0.1 with its own actor, Ed25519 key and listings) whose pages we
can sign, tamper with or sign with the wrong key.  Whatever the page signature says, a
listing that is not the origin's own is refused, and when the signature does not hold
each listing's own proof decides.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from aiohttp import web

from node.app import create_app
from node.core.appkeys import DB, IDENTITY
from node.http.access_log import access_log_options
from node.sharing.services import SERVICES
from protocol import keys, multikey, page_context, proofs
from protocol.httpsig import response as page_signature
from protocol.vocab import CONTEXT
from tests.conftest import free_port
from tests.integration.network import api, backfill_in_state, make_partners, wait_for

AS2 = "application/activity+json"


def now() -> datetime:
    return datetime.now(UTC)


PAGE_CONTEXT = "https://www.w3.org/ns/activitystreams"


class Origin:
    """A hand-built origin: an actor with an Ed25519 key and a paged mediatheek.

    ``mode`` says how its pages are answered: ``signed`` (a valid page signature),
    ``tampered`` (signed, then one listing's name changed in the body), ``other_key``
    (signed by a key that is not in the actor's assertionMethod), ``other_actor``
    (signed by another actor's key, on another host), ``unsigned`` (an older node).
    With ``compact`` its listings leave out the ``@context`` they share with the page,
    and their proofs' copy (FEDERATION.md §5.1).
    """

    def __init__(
        self, mode: str, listings: int = 6, per_page: int = 3, compact: bool = False
    ) -> None:
        self.mode, self.per_page, self.compact = mode, per_page, compact
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.actor_id = f"{self.base}/actor"
        self.key_id = f"{self.actor_id}#ed25519-key"
        self.key = keys.generate_ed25519()
        self.stranger_key = keys.generate_ed25519()
        self.rsa = keys.generate_rsa()
        self.requests: list[str] = []
        self.hold = asyncio.Event()
        self.hold.set()
        self.listings = [self.listing(n) for n in range(listings)]
        self.runner: web.AppRunner | None = None

    def listing(self, n: int, **changes) -> dict:
        doc = {
            "@context": PAGE_CONTEXT,
            "id": f"{self.base}/items/{n}",
            "type": "Article",
            "attributedTo": self.actor_id,
            "name": f"Archief {n}",
            "content": f"<p>Verslag {n} uit het archief.</p>",
            "published": f"2026-01-0{1 + n % 9}T10:0{n % 10}:00Z",
            "updated": f"2026-01-0{1 + n % 9}T10:0{n % 10}:00Z",
            **changes,
        }
        return proofs.create_proof(doc, self.key, self.key_id, now())

    def actor(self) -> dict:
        return {
            "@context": [
                "https://www.w3.org/ns/activitystreams",
                "https://w3id.org/security/v1",
                "https://w3id.org/security/multikey/v1",
            ],
            "id": self.actor_id,
            "type": "Organization",
            "name": "Archiefomroep",
            "inbox": f"{self.base}/inbox",
            "mediatheek": f"{self.base}/mediatheek",
            "publicKey": {
                "id": f"{self.actor_id}#main-key",
                "owner": self.actor_id,
                "publicKeyPem": keys.public_pem(self.rsa),
            },
            "assertionMethod": [
                multikey.multikey_document(self.key_id, self.actor_id, self.key.public_key())
            ],
        }

    def page_body(self, n: int) -> bytes:
        chunk = self.listings[n * self.per_page : (n + 1) * self.per_page]
        if self.compact:  # listings leave out the @context they share with the page
            chunk = [_compact(it, PAGE_CONTEXT) for it in chunk]
        page = {
            "@context": PAGE_CONTEXT,
            "id": f"{self.base}/mediatheek?page={n}",
            "type": "OrderedCollectionPage",
            "partOf": f"{self.base}/mediatheek",
            "orderedItems": chunk,
        }
        if (n + 1) * self.per_page < len(self.listings):
            page["next"] = f"{self.base}/mediatheek?page={n + 1}"
        return json.dumps(page).encode()

    async def page(self, request: web.Request) -> web.Response:
        n = int(request.query.get("page", "0"))
        self.requests.append(request.path_qs)
        if n > 0:
            await self.hold.wait()
        body = self.page_body(n)
        url = self.base + request.raw_path
        headers = {"Content-Type": AS2}
        if self.mode != "unsigned":
            key, key_id = self.key, self.key_id
            if self.mode == "other_key":
                key, key_id = self.stranger_key, f"{self.actor_id}#ed25519-key-2"
            elif self.mode == "other_actor":
                key, key_id = self.stranger_key, "http://localhost:9/actor#ed25519-key"
            headers.update(page_signature.sign_page(200, AS2, body, url, key_id, key, now()))
        if self.mode == "tampered":  # in transit: a listing's name changed, headers kept
            body = body.replace(b"Archief 1", b"Archief vervalst")
        return web.Response(body=body, headers=headers)

    async def start(self) -> None:
        app = web.Application()

        async def actor(request):
            return web.json_response(self.actor(), content_type=AS2)

        app.router.add_get("/actor", actor)
        app.router.add_get("/mediatheek", self.page)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


def _compact(entry: dict, context) -> dict:
    """What a compacting origin serves for ``entry`` on a page under ``context``: without
    its ``@context`` and its proof's copy, when both are the page's (FEDERATION.md §5.1)."""
    proof = entry.get("proof")
    if (
        entry.get("@context") != context
        or not isinstance(proof, dict)
        or proof.get("@context") != context
    ):
        return entry
    out = {k: v for k, v in entry.items() if k != "@context"}
    out["proof"] = {k: v for k, v in proof.items() if k != "@context"}
    return out


async def partner_with(node, origin: Origin) -> None:
    """Make ``origin`` an active partner of ``node`` (as after a mutual follow)."""
    await node.app[DB].write(
        lambda d: d["partners"].insert(
            {
                "id": "archief",
                "actor_url": origin.actor_id,
                "name": "Archiefomroep",
                "handle": "archief",
                "mediatheek_url": f"{origin.base}/mediatheek",
                "state": "active",
                "direction": "outgoing",
                "we_follow": "accepted",
                "they_follow": "accepted",
                "created_at": "2026-01-01",
                "updated_at": "2026-01-01",
            }
        )
    )


async def backfill(node, origin: Origin) -> dict:
    await node.app[SERVICES].backfill.start(origin.actor_id)
    return await backfill_in_state(
        node, "archief", ("done", "failed"), what="the back-fill to finish"
    )


async def titles(node) -> list[str]:
    rows = await node.app[DB].read(
        lambda d: d.execute("SELECT title FROM listings WHERE local = 0").fetchall()
    )
    return sorted(r[0] for r in rows)


@pytest.fixture
async def origin_factory():
    made: list[Origin] = []

    async def make(mode: str, **kwargs) -> Origin:
        origin = Origin(mode, **kwargs)
        await origin.start()
        made.append(origin)
        return origin

    yield make
    for origin in made:
        await origin.close()


def broken_proofs(origin: Origin) -> None:
    """Every listing's own proof made invalid (signed over other content)."""
    for n, listing in enumerate(origin.listings):
        other = origin.listing(n, name="Iets anders")
        origin.listings[n] = {**listing, "proof": other["proof"]}


# -- a real origin node ----------------------------------------------------------------------


async def test_a_node_signs_its_mediatheek_pages_and_the_partner_stores_them_as_served(
    node_factory, http
):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    for n in range(3):
        item = await api(
            http, a, "POST", "/api/v1/items", json={"kind": "article", "title": f"Archief {n}"}
        )
        await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience",
                  json={"mediatheek": True}, expect=200)  # fmt: skip
    await make_partners(http, a, b)

    async def filled():
        res = await api(http, b, "GET", "/api/v1/mediatheek?q=archief")
        return len(res["items"]) == 3 and res

    await wait_for(filled, what="B's back-fill of A's mediatheek")
    # the page A serves B carries a page signature by A's own Ed25519 key
    fed = b.app[SERVICES].federation
    fetched = await fed.fetch_page(a.url("/actor/mediatheek"))
    identity = a.app[IDENTITY]
    a_keys = {identity.ed25519_key_id: identity.ed25519_key.public_key()}
    signed = page_signature.verify_page(
        fetched.status, fetched.headers, fetched.body, fetched.url, a_keys, now()
    )
    assert signed == identity.ed25519_key_id
    # ... and it holds only for those bytes, that URL and that key
    assert page_signature.verify_page(
        200, fetched.headers, fetched.body + b" ", fetched.url, a_keys, now()
    ).code == "page_signature.digest"  # fmt: skip
    assert page_signature.verify_page(
        200, fetched.headers, fetched.body, fetched.url + "?page=true", a_keys, now()
    ).code == "page_signature.invalid"  # fmt: skip
    other = {identity.ed25519_key_id: keys.generate_ed25519().public_key()}
    assert page_signature.verify_page(
        200, fetched.headers, fetched.body, fetched.url, other, now()
    ).code == "page_signature.invalid"  # fmt: skip
    # A served each listing without the @context it shares with the page, and its proof's
    # copy: a fraction of the stored document's bytes
    page_items = json.loads(fetched.body)["first"]["orderedItems"]
    assert page_items and all("@context" not in it for it in page_items)
    assert all("@context" not in it["proof"] for it in page_items)
    # B stored each listing as the JSON text A served (not decoded and encoded again), and
    # under the page's context it is exactly A's stand-alone, signed document
    served = await a.app[DB].read(
        lambda d: dict(d.execute("SELECT object_id, document FROM listings").fetchall())
    )
    stored = await b.app[DB].read(
        lambda d: dict(
            d.execute("SELECT object_id, document FROM listings WHERE local = 0").fetchall()
        )
    )
    assert stored and all(len(stored[oid]) < len(served[oid]) / 2 for oid in stored)
    for oid, text in stored.items():
        document = page_context.inherit(json.loads(text), CONTEXT)
        assert document == json.loads(served[oid])
        assert isinstance(
            proofs.verify_proof(document, identity.ed25519_key.public_key()), proofs.ProofOk
        )


# -- a hand-built origin ------------------------------------------------------------------


async def test_a_signed_page_vouches_for_its_listings(node_factory, origin_factory):
    """The page signature is what is checked: the listings' own proofs are not verified
    one by one (here they are all invalid), yet every listing is indexed."""
    b = await node_factory("WijkTV Den Haag")
    origin = await origin_factory("signed")
    broken_proofs(origin)
    await partner_with(b, origin)
    row = await backfill(b, origin)
    assert (row["backfill_state"], row["backfill_count"], row["backfill_error"]) == (
        "done", 6, None,
    )  # fmt: skip
    assert await titles(b) == [f"Archief {n}" for n in range(6)]
    # the listing's own proof is stored with it, so it can still be checked when relayed
    doc = await b.app[DB].read(
        lambda d: d.execute("SELECT document FROM listings WHERE title = 'Archief 0'").fetchone()
    )
    assert json.loads(doc[0])["proof"]["verificationMethod"] == origin.key_id


async def test_a_tampered_signed_page_falls_back_to_each_listings_proof(
    node_factory, origin_factory
):
    b = await node_factory("WijkTV Den Haag")
    origin = await origin_factory("tampered")
    await partner_with(b, origin)
    row = await backfill(b, origin)
    assert (row["backfill_state"], row["backfill_count"], row["backfill_error"]) == (
        "done", 5, "1 listings rejected",
    )  # fmt: skip
    assert "Archief vervalst" not in await titles(b)
    assert await titles(b) == [f"Archief {n}" for n in (0, 2, 3, 4, 5)]


@pytest.mark.parametrize("mode", ["other_key", "other_actor"])
async def test_a_page_signed_by_another_key_vouches_for_nothing(node_factory, origin_factory, mode):
    """Signed, but not by the origin actor's own key: the listings' own (here invalid)
    proofs decide, so every one is refused."""
    b = await node_factory("WijkTV Den Haag")
    origin = await origin_factory(mode)
    broken_proofs(origin)
    await partner_with(b, origin)
    row = await backfill(b, origin)
    assert (row["backfill_state"], row["backfill_count"], row["backfill_error"]) == (
        "done", 0, "6 listings rejected",
    )  # fmt: skip
    assert await titles(b) == []


async def test_a_signed_page_does_not_vouch_for_someone_elses_listing(node_factory, origin_factory):
    b = await node_factory("WijkTV Den Haag")
    origin = await origin_factory("signed")
    third = "http://127.0.0.1:9/actor"
    origin.listings[1] = origin.listing(1, attributedTo=third)  # a third party's
    nameless = origin.listing(2)
    del nameless["attributedTo"]
    origin.listings[2] = proofs.create_proof(nameless, origin.key, origin.key_id, now())
    unproven = origin.listing(3)
    del unproven["proof"]
    origin.listings[3] = unproven
    await partner_with(b, origin)
    row = await backfill(b, origin)
    assert (row["backfill_state"], row["backfill_count"], row["backfill_error"]) == (
        "done", 3, "3 listings rejected",
    )  # fmt: skip
    assert await titles(b) == ["Archief 0", "Archief 4", "Archief 5"]


async def test_an_unsigned_page_from_an_older_node_checks_every_listings_proof(
    node_factory, origin_factory
):
    b = await node_factory("WijkTV Den Haag")
    origin = await origin_factory("unsigned")
    forged = dict(origin.listings[4], name="Archief vervalst")  # proof no longer matches
    origin.listings[4] = forged
    await partner_with(b, origin)
    row = await backfill(b, origin)
    assert (row["backfill_state"], row["backfill_count"], row["backfill_error"]) == (
        "done", 5, "1 listings rejected",
    )  # fmt: skip
    assert await titles(b) == [f"Archief {n}" for n in (0, 1, 2, 3, 5)]


async def test_a_signed_backfill_resumes_after_a_restart(node_factory, origin_factory):
    """Stopped after the first page was stored, the node resumes at the next page (whose
    signature covers its own query) instead of starting again."""
    b = await node_factory("WijkTV Den Haag")
    origin = await origin_factory("signed", listings=9, per_page=3)
    broken_proofs(origin)  # only the page signatures can get these indexed
    origin.hold.clear()  # page 1 and later wait
    await partner_with(b, origin)
    await b.app[SERVICES].backfill.start(origin.actor_id)

    async def first_page_stored():
        row = await b.app[DB].read(lambda d: d["partners"].get("archief"))
        return row["backfill_count"] == 3 and row

    row = await wait_for(first_page_stored, what="the first page to be stored")
    assert row["backfill_next"] == f"{origin.base}/mediatheek?page=1"
    await b.runner.cleanup()  # the node stops mid back-fill
    origin.hold.set()
    app = create_app(b.settings)
    runner = web.AppRunner(app, handle_signals=False, **access_log_options(b.settings.access_log))
    await runner.setup()
    port = int(b.settings.base_url.rsplit(":", 1)[1])
    await web.TCPSite(runner, "127.0.0.1", port).start()
    b.app, b.runner = app, runner  # the fixture stops the restarted node at the end

    row = await backfill_in_state(
        b, "archief", ("done",), within=30, what="the back-fill to resume and finish"
    )
    assert (row["backfill_count"], row["backfill_error"]) == (9, None)
    assert await titles(b) == [f"Archief {n}" for n in range(9)]
    assert origin.requests.count("/mediatheek") == 1  # resumed, not started again


async def test_a_finished_backfill_is_already_searchable(node_factory, origin_factory):
    """Done means searchable: the search index has taken in every stored listing by the
    time the back-fill is done, not only at the node's next catch-up round."""
    from node.mediatheek import textindex

    b = await node_factory("WijkTV Den Haag")
    origin = await origin_factory("signed")
    await partner_with(b, origin)
    row = await backfill(b, origin)
    assert row["backfill_state"] == "done"

    def index_state(d):
        ti = textindex.get(d)
        return ti.committed_watermark(), textindex.queue_top(d)

    mark, top = await b.app[DB].read(index_state)
    assert mark == top


# -- listings that inherit the page's @context (FEDERATION.md §5.1) ------------------------


async def stored_documents(node) -> dict[str, dict]:
    rows = await node.app[DB].read(
        lambda d: d.execute("SELECT title, document FROM listings WHERE local = 0").fetchall()
    )
    return {title: json.loads(doc) for title, doc in rows}


@pytest.mark.parametrize("mode", ["signed", "unsigned"])
async def test_listings_without_context_take_the_pages_and_their_proofs_hold(
    node_factory, origin_factory, mode
):
    """Unsigned, each listing's proof is verified over the document it stands for on the
    page; the page's context is not ours, so B stores that stand-alone document."""
    b = await node_factory("WijkTV Den Haag")
    origin = await origin_factory(mode, compact=True)
    items = json.loads(origin.page_body(0))["orderedItems"]
    assert all("@context" not in it and "@context" not in it["proof"] for it in items)
    await partner_with(b, origin)
    row = await backfill(b, origin)
    assert row["backfill_state"] == "done" and row["backfill_error"] is None
    assert await titles(b) == [f"Archief {n}" for n in range(6)]
    key = origin.key.public_key()
    for doc in (await stored_documents(b)).values():
        assert doc["@context"] == PAGE_CONTEXT and doc["proof"]["@context"] == PAGE_CONTEXT
        assert isinstance(proofs.verify_proof(doc, key), proofs.ProofOk)


async def test_a_listing_signed_under_another_context_is_refused_on_a_page(
    node_factory, origin_factory
):
    """A listing cannot be given another meaning by leaving its context out: signed under
    one context, served on a page with another, its proof does not hold and it is refused."""
    b = await node_factory("WijkTV Den Haag")
    origin = await origin_factory("unsigned", compact=True)
    other = [PAGE_CONTEXT, {"name": "https://schema.org/alternateName"}]
    unsigned = {k: v for k, v in origin.listing(1).items() if k != "proof"}
    signed = proofs.create_proof({**unsigned, "@context": other}, origin.key, origin.key_id, now())
    proof = {k: v for k, v in signed["proof"].items() if k != "@context"}
    origin.listings[1] = {**{k: v for k, v in signed.items() if k != "@context"}, "proof": proof}
    await partner_with(b, origin)
    row = await backfill(b, origin)
    assert row["backfill_state"] == "done" and row["backfill_error"] == "1 listings rejected"
    assert await titles(b) == [f"Archief {n}" for n in (0, 2, 3, 4, 5)]
