"""The instance actor signs every fetch a remote side can steer, with its own key.

A fake remote server records the keyId (and verifies the signature) of every
signed GET that a real node sends it: back-fill pages, media (through a
redirect), the admin thumbnail proxy's fetch, key fetches and the CLI lookup.
Each one must be signed by ``<base>/instance-actor#main-key`` with the key the
instance actor publishes, never with the organisation's key.  Two real nodes
show that a partner still recognises the instance actor as its partner, and an
old database gets its own instance key at start-up without losing its
organisation keys.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from aiohttp import web

from node.app import create_app
from node.app.cli import lookup
from node.app.devnet import free_port
from node.core.appkeys import DB, IDENTITY
from node.core.db.database import connect
from node.mediatheek import store as index
from node.services import network as services
from node.sharing.media_fetch import fetch_media
from node.sharing.services import SERVICES
from protocol import keys
from protocol.httpsig import parse_signature, verify_parsed
from protocol.result import Failure
from protocol.vocab import AS2_MEDIA_TYPE, CONTEXT
from tests.integration.network import (
    api,
    create_item_with_photo,
    make_partners,
    png_bytes,
    wait_for,
)

KEY_ID = re.compile(r'keyId="([^"]+)"')


class RecordingOrigin:
    """A remote server that records the keyId of every signed GET and serves a
    Person actor, a two-page collection, a redirected photo and a thumbnail."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.key = keys.generate_rsa()
        self.seen: list[tuple[str, str | None, dict[str, str]]] = []  # path, keyId, headers
        self.runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        sig = request.headers.get("Signature", "")
        match = KEY_ID.search(sig)
        self.seen.append(
            (request.path_qs, match.group(1) if match else None, dict(request.headers))
        )
        path = request.path
        if path == "/actor":
            doc = {"@context": CONTEXT, "id": self.base + "/actor", "type": "Person",
                   "inbox": self.base + "/actor/inbox",
                   "publicKey": {"id": self.base + "/actor#main-key",
                                 "owner": self.base + "/actor",
                                 "publicKeyPem": keys.public_pem(self.key)}}  # fmt: skip
            return web.json_response(doc, content_type=AS2_MEDIA_TYPE)
        if path == "/pages/1":
            page = {"@context": CONTEXT, "id": self.base + "/pages/1",
                    "type": "OrderedCollectionPage", "orderedItems": [],
                    "next": self.base + "/pages/2"}  # fmt: skip
            return web.json_response(page, content_type=AS2_MEDIA_TYPE)
        if path == "/pages/2":
            page = {"@context": CONTEXT, "id": self.base + "/pages/2",
                    "type": "OrderedCollectionPage", "orderedItems": []}  # fmt: skip
            return web.json_response(page, content_type=AS2_MEDIA_TYPE)
        if path == "/files/moved.png":
            raise web.HTTPFound(self.base + "/files/photo.png")
        if path in ("/files/photo.png", "/files/thumb.png"):
            return web.Response(body=png_bytes(), content_type="image/png")
        return web.Response(status=404)

    async def start(self) -> RecordingOrigin:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.2)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    def signed(self, prefix: str) -> list[tuple[str, str | None, dict[str, str]]]:
        return [s for s in self.seen if s[0].startswith(prefix)]


@pytest.fixture
async def origin():
    server = await RecordingOrigin().start()
    yield server
    await server.stop()


def assert_instance_signed(node, seen, what: str) -> None:
    """Every request in ``seen`` is signed by the node's instance actor key, and that
    signature does not verify with the organisation's key."""
    identity = node.app[IDENTITY]
    assert seen, f"no {what} request reached the origin"
    for path, key_id, headers in seen:
        assert key_id == node.url("/instance-actor#main-key"), (what, path, key_id)
        assert key_id != identity.rsa_key_id
        parsed = parse_signature("GET", path, headers, None)
        assert not isinstance(parsed, Failure), parsed
        now = datetime.now(UTC)
        ok = verify_parsed(parsed, identity.instance_rsa_key.public_key(), now)
        assert not isinstance(ok, Failure), (what, path, ok)
        wrong = verify_parsed(parsed, identity.rsa_key.public_key(), now)
        assert isinstance(wrong, Failure), f"{what} {path} verifies with the organisation key"


async def test_steerable_fetches_are_signed_by_the_instance_actor(node, origin, http):
    fed = node.app[SERVICES].federation
    # Back-fill pages: the partner's collection chooses the next URL.
    backfill = node.app[SERVICES].backfill
    first = origin.base + "/pages/1"
    entries, nxt = await backfill._fetch_page(origin.base + "/actor", first, set())
    assert entries == [] and nxt == origin.base + "/pages/2"
    await backfill._fetch_page(origin.base + "/actor", nxt, set())
    assert_instance_signed(node, origin.signed("/pages/"), "back-fill page")

    # Media of a remote file, through a redirect the origin chose.
    store = node.app[SERVICES].media_store
    temp = await fetch_media(fed, store, origin.base + "/files/moved.png", None, 1 << 20)
    await store.run(store.discard, temp)
    assert [s[0] for s in origin.signed("/files/")] == ["/files/moved.png", "/files/photo.png"]
    assert_instance_signed(node, origin.signed("/files/"), "media")

    # The admin thumbnail proxy's fetch of a listing's thumbnail.
    listing = {"object_id": origin.base + "/items/1", "origin_actor": origin.base + "/actor",
               "kind": "photo", "published_at": datetime(2026, 1, 1, tzinfo=UTC),
               "thumbnail_url": origin.base + "/files/thumb.png", "title": "Kermis"}  # fmt: skip
    listing_id = await node.app[DB].write(lambda d: index.upsert_listing(d, listing))
    data, media_type = await services.remote_thumbnail(node.app, listing_id=listing_id)
    assert media_type == "image/png" and data == png_bytes()
    assert_instance_signed(node, origin.signed("/files/thumb.png"), "thumbnail")

    # Key and actor fetches in the actor cache.
    actor = await fed.actors.by_key_id(origin.base + "/actor#main-key")
    assert not isinstance(actor, Failure), actor
    assert_instance_signed(node, origin.signed("/actor"), "key fetch")

    # The organisation's key signed none of them.
    assert all(key_id != node.app[IDENTITY].rsa_key_id for _, key_id, _ in origin.seen)


async def test_cli_lookup_is_signed_by_the_instance_actor(node, origin):
    before = len(origin.seen)
    document = await lookup(node.settings, origin.base + "/actor")
    assert document["id"] == origin.base + "/actor"
    assert_instance_signed(node, origin.seen[before:], "lookup")


async def test_instance_actor_publishes_its_own_key(node, http):
    identity = node.app[IDENTITY]
    headers = {"Accept": AS2_MEDIA_TYPE}
    async with http.get(node.url("/instance-actor"), headers=headers) as r:
        instance = json.loads(await r.text())
    async with http.get(node.url("/actor"), headers=headers) as r:
        org = json.loads(await r.text())
    assert instance["publicKey"]["id"] == node.url("/instance-actor#main-key")
    assert instance["publicKey"]["owner"] == node.url("/instance-actor")
    assert instance["publicKey"]["publicKeyPem"] == keys.public_pem(identity.instance_rsa_key)
    assert instance["publicKey"]["publicKeyPem"] != org["publicKey"]["publicKeyPem"]
    assert instance["instanceOf"] == org["id"] and org["instanceActor"] == instance["id"]


async def test_partner_media_and_backfill_work_signed_by_the_instance_actor(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    listed = await create_item_with_photo(http, a, title="Kermis op de Grote Markt")
    await api(http, a, "PUT", f"/api/v1/items/{listed['id']}/audience",
              json={"partners": [], "mediatheek": True}, expect=200)  # fmt: skip
    await make_partners(http, a, b)

    # Back-fill: B pages through A's partner-only mediatheek, signed as B's instance actor.
    async def backfilled():
        page = await api(http, b, "GET", "/api/v1/mediatheek?q=Kermis")
        return page["items"] or None

    hits = await wait_for(backfilled, what="B's back-fill of A's mediatheek")
    assert hits[0]["title"] == "Kermis op de Grote Markt"

    # Media: B uses a share; its copy's file is fetched from A, partner-only.
    shared = await create_item_with_photo(http, a, title="Markt op het Plein")
    await api(http, a, "PUT", f"/api/v1/items/{shared['id']}/audience",
              json={"partners": [b.url("/actor")], "mediatheek": False}, expect=200)  # fmt: skip

    async def arrived():
        return (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"] or None

    share = (await wait_for(arrived, what="the share to reach B"))[0]
    copy = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use", expect=201)
    assert copy["media"][0]["sha256"] == shared["media"][0]["sha256"]

    # A recognises B's instance actor as B: the partner-only item is served to it ...
    fed_b = b.app[SERVICES].federation
    fetched = await fed_b.fetch(shared["uri"])
    assert not isinstance(fetched, Failure), fetched
    # ... and A knows B's instance actor, whose key is not B's organisation key.
    fed_a = a.app[SERVICES].federation
    signer = await fed_a.actors.by_key_id(b.url("/instance-actor#main-key"))
    assert not isinstance(signer, Failure) and signer.id == b.url("/instance-actor")
    assert signer.rsa_public_pem != keys.public_pem(b.app[IDENTITY].rsa_key)
    assert await fed_a.actors.acting_for(signer) == b.url("/actor")


async def test_an_old_database_gets_its_own_instance_key_at_start(node_factory):
    node = await node_factory("Stadsomroep Den Haag")
    settings = node.settings
    await node.runner.cleanup()
    # Turn the database back into one made before the instance actor had its own key.
    db = connect(settings.db_path)
    db.execute("ALTER TABLE identity DROP COLUMN instance_rsa_private_pem")
    db.execute("DELETE FROM migrations WHERE scope = 'node' AND number = 12")
    db.conn.commit()
    org_rsa, org_ed = db.execute(
        "SELECT rsa_private_pem, ed25519_private_pem FROM identity"
    ).fetchone()
    db.conn.close()

    app = create_app(settings)
    identity = app[IDENTITY]
    assert identity.rsa_private_pem == org_rsa and identity.ed25519_private_pem == org_ed
    assert identity.instance_rsa_private_pem and identity.instance_rsa_private_pem != org_rsa
    fed = app[SERVICES].federation
    doc = fed.instance_actor_document()
    assert doc["publicKey"]["publicKeyPem"] == keys.public_pem(identity.instance_rsa_key)
    assert doc["publicKey"]["publicKeyPem"] != keys.public_pem(identity.rsa_key)
    app[DB].close()

    again = create_app(settings)  # made once: a second start keeps it
    assert again[IDENTITY].instance_rsa_private_pem == identity.instance_rsa_private_pem
    assert again[IDENTITY].rsa_private_pem == org_rsa
    again[DB].close()
