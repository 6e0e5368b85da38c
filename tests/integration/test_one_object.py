"""One object per id: a GET of an item's id, and the outbox, give the object that was delivered.

Followers on a fake fediverse server get a Create for one public item of every kind; an
unsigned GET of each id and the outbox entry must carry the very same object.  A partner
node gets an Offer of a partner-only item of every kind; its signed GET of the id must
give the object it was offered, and after an edit the object of the Update.
"""

from __future__ import annotations

import asyncio
import json

from node.core.appkeys import DB
from node.items.model import KINDS
from node.sharing.services import SERVICES
from protocol import keys
from protocol.result import Failure
from tests.integration.fake_fediverse import AS2, FakeFediverse, follow
from tests.integration.network import api, png_bytes, wait_for
from tests.node.media_fixtures import audio, mp4, pdf

ENVELOPE = ("@context", "proof")  # a stand-alone document wraps the object in these


def bare(document: dict) -> dict:
    return {k: v for k, v in document.items() if k not in ENVELOPE}


def files(tmp_path) -> dict[str, tuple[str, bytes] | None]:
    return {
        "article": None,
        "photo": ("markt.png", png_bytes()),
        "video": ("clip.mp4", mp4(tmp_path)),
        "audio": ("tone.ogg", audio(tmp_path)),
        "document": ("notulen.pdf", pdf()),
        "event": None,
        "vacancy": None,
    }


def details(kind: str) -> dict:
    """An event (with a place and an online link) and a vacancy; nothing for other kinds."""
    if kind == "event":
        return {"details": {
            "start": "2030-12-05T19:00:00+01:00", "end": "2030-12-05T22:00:00+01:00",
            "place": {"name": "Paard", "address": "Prinsegracht 12, Den Haag",
                      "latitude": 52.07, "longitude": 4.31},
            "online_url": "https://live.example/raad", "price": "gratis"}}  # fmt: skip
    if kind == "vacancy":
        return {"details": {
            "location": "Den Haag", "hours": "32 uur", "hours_min": 32, "hours_max": 36,
            "salary": {"min": 3200, "max": 4100, "currency": "EUR", "unit": "MONTH"},
            "closing_date": "2030-12-31", "apply_email": "vacatures@omroep.example"}}  # fmt: skip
    return {}


async def make_items(http, node, tmp_path) -> dict[str, dict]:
    """One item of every kind, with a file (alt text; a focal point on the photo)."""
    made = {}
    for kind, upload in files(tmp_path).items():
        item = await api(http, node, "POST", "/api/v1/items", expect=201,
                         json={"kind": kind, "title": f"Raad: {kind}", "summary": "Kort",
                               "body": "<p>Tekst</p>", "credit": "Anna de Vries",
                               "licence": "CC-BY-4.0", "tags": ["raad"], "language": "nl",
                               "sensitive": kind == "article", **details(kind)})  # fmt: skip
        if upload is not None:
            name, data = upload
            path = f"/api/v1/items/{item['id']}/media?filename={name}&alt=Beeld%20{kind}"
            await api(http, node, "POST", path, data=data, expect=201)
        made[kind] = item
    photo = made["photo"]["id"]
    await node.app[DB].write(
        lambda d: d.execute(
            "UPDATE media SET focal_point = '[0.25, -0.5]' WHERE item_id = ?", [photo]
        )
    )
    assert set(made) == set(KINDS)
    return made


async def get_as2(http, url: str) -> tuple[int, dict | None]:
    async with http.get(url, headers={"Accept": AS2}) as r:
        return r.status, (await r.json(content_type=None) if r.status == 200 else None)


async def test_public_item_by_id_and_in_the_outbox_is_the_delivered_object(
    node_factory, http, tmp_path
):
    fake = await asyncio.to_thread(FakeFediverse, 1)
    await fake.start()
    try:
        a = await node_factory("Stadsomroep Den Haag")
        _, actor = await get_as2(http, a.url("/actor"))
        fake.sender_key = keys.load_public_pem(actor["publicKey"]["publicKeyPem"])
        await follow(http, fake, 0, a.url("/actor"))

        async def accepted():
            return fake.received_type("Accept") or None

        await wait_for(accepted, what="the Accept")
        made = await make_items(http, a, tmp_path)
        for item in made.values():
            await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
                      json={"public": True})  # fmt: skip

        async def all_created():
            got = {k: fake.creates_of(i["uri"]).get(fake.inbox(0)) for k, i in made.items()}
            return all(got.values()) and got

        creates = await wait_for(all_created, what="a Create of every kind")
        _, outbox = await get_as2(http, a.url("/actor/outbox?page=true"))
        entries = {e["object"]["id"]: e for e in outbox["orderedItems"]}
        for kind, item in made.items():
            [create] = creates[kind]
            delivered = create["object"]
            assert delivered["to"] == create["to"] and delivered["cc"] == create["cc"]
            status, fetched = await get_as2(http, item["uri"])
            assert status == 200, kind
            assert bare(fetched) == delivered, kind
            assert fetched["proof"]["verificationMethod"] == actor["assertionMethod"][0]["id"]
            entry = entries[item["uri"]]
            assert entry["object"] == delivered, kind
            assert (entry["to"], entry["cc"]) == (create["to"], create["cc"])
        photo = creates["photo"][0]["object"]
        assert photo["type"] == "Note" and "Anna de Vries" in photo["content"]
        assert photo["attachment"][0]["focalPoint"] == [0.25, -0.5]
        assert photo["attachment"][0]["url"].endswith("/medium")
        assert creates["article"][0]["object"]["type"] == "Article"
        event = creates["event"][0]["object"]
        assert event["type"] == "Event" and event["name"] == "Raad: event"
        assert event["startTime"] == "2030-12-05T19:00:00+01:00" and "summary" not in event
        assert event["location"]["address"] == "Prinsegracht 12, Den Haag"
        vacancy = creates["vacancy"][0]["object"]
        assert vacancy["type"] == "Page" and vacancy["url"] == made["vacancy"]["uri"]
        assert vacancy["validThrough"] == "2030-12-31T22:59:59.999999Z"
        assert fake.bad_signatures == []
    finally:
        await fake.stop()


async def stored(node, table: str, object_id: str) -> dict | None:
    """The document ``node`` keeps of what it received (incoming_shares or listings)."""
    row = await node.app[DB].read(
        lambda d: d.execute(
            f"SELECT document FROM {table} WHERE object_id = ?", [object_id]
        ).fetchone()
    )
    return json.loads(row[0]) if row else None


async def offered(node, object_id: str) -> dict | None:
    return await stored(node, "incoming_shares", object_id)


async def test_partner_only_item_by_id_is_the_offered_object_and_hidden_from_others(
    trio, http, tmp_path
):
    a, b, c = trio
    made = await make_items(http, a, tmp_path)
    for item in made.values():
        await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
                  json={"partners": [b.url("/actor")]})  # fmt: skip
    fetch_b = b.app[SERVICES].federation.fetch
    fetch_c = c.app[SERVICES].federation.fetch
    for kind, item in made.items():
        delivered = await wait_for(lambda i=item: offered(b, i["uri"]), what=f"{kind} at B")
        fetched = await fetch_b(item["uri"])
        assert not isinstance(fetched, Failure), fetched
        assert bare(fetched) == delivered, kind
        assert delivered["to"] == [b.url("/actor")] and delivered["cc"] == []
        # C is a partner, but not in this item's audience; nobody unsigned sees it either
        assert isinstance(await fetch_c(item["uri"]), Failure)
        assert (await get_as2(http, item["uri"]))[0] == 404
    photo = await offered(b, made["photo"]["uri"])
    assert photo["type"] == "Image" and photo["name"] == "Raad: photo"
    assert photo["attachment"][0]["focalPoint"] == [0.25, -0.5]
    assert not photo["attachment"][0]["url"].endswith("/medium")  # the original file
    event = await offered(b, made["event"]["uri"])
    assert event["type"] == "Event" and event["ical:status"] == "CONFIRMED"
    assert event["attachment"] == [{"type": "Link", "name": "online", "mediaType": "text/html",
                                    "href": "https://live.example/raad"}]  # fmt: skip
    vacancy = await offered(b, made["vacancy"]["uri"])
    assert vacancy["hiringOrganization"] == {"name": "Stadsomroep Den Haag"}
    assert vacancy["baseSalary"]["value"]["maxValue"] == 4100

    # An edit reaches B as an Update; the id then gives the updated object, as B holds it.
    item = made["document"]
    await api(http, a, "PATCH", f"/api/v1/items/{item['id']}", expect=200,
              json={"title": "Raad: notulen"})  # fmt: skip

    async def updated():
        doc = await offered(b, item["uri"])
        return doc if doc and doc["name"] == "Raad: notulen" else None

    delivered = await wait_for(updated, what="the Update at B")
    assert bare(await fetch_b(item["uri"])) == delivered
    assert delivered["to"] == [b.url("/actor")]


async def test_shared_and_listed_item_gives_each_partner_the_object_it_holds(trio, http):
    a, b, c = trio
    body = {"kind": "article", "title": "Begroting", "body": "<p>Cijfers</p>"}
    item = await api(http, a, "POST", "/api/v1/items", expect=201, json=body)
    await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
              json={"partners": [b.url("/actor")], "mediatheek": True})  # fmt: skip
    at_b = await wait_for(lambda: offered(b, item["uri"]), what="the Offer at B")
    at_c = await wait_for(lambda: stored(c, "listings", item["uri"]), what="the listing at C")
    assert at_b["to"] == [b.url("/actor")]  # B: shared with it directly
    assert bare(at_c)["to"] == [a.url("/actor/partners")]  # C: through the listing
    assert bare(await b.app[SERVICES].federation.fetch(item["uri"])) == at_b
    assert bare(await c.app[SERVICES].federation.fetch(item["uri"])) == bare(at_c)

    await api(http, a, "PATCH", f"/api/v1/items/{item['id']}", expect=200,
              json={"title": "Begroting 2027"})  # fmt: skip

    async def updated():
        doc = await offered(b, item["uri"])
        return doc if doc["name"] == "Begroting 2027" else None

    at_b = await wait_for(updated, what="the Update at B")
    assert at_b["to"] == [b.url("/actor")]  # not the list of everyone who holds it
    assert bare(await b.app[SERVICES].federation.fetch(item["uri"])) == at_b
