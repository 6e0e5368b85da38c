"""Citizens on the fediverse, with a real Fedify peer: following, reactions, contributions."""

from __future__ import annotations

from aiohttp import web

from node.core.appkeys import DB
from tests.conftest import free_port
from tests.integration.network import api, wait_for
from tests.node.test_contributions import GPS, gps_jpeg
from tests.peers.fedify_peer import NOT_INSTALLED, fedify_available, running_fedify_peer

AS = "https://www.w3.org/ns/activitystreams"


async def arrived(peer, kind: str, count: int = 1) -> list[dict]:
    """Entries once Fedify has also run its independent signature and proof checks."""
    return await peer.wait_for(kind, count=count, within=15)


async def follow(peer, node) -> None:
    followed = await peer.follow(node.url("/actor"))
    assert followed["ok"], followed
    [accept] = await arrived(peer, "Accept")
    assert accept["actor"] == node.url("/actor")
    assert accept["http_signature_verified"] is True


async def publish(http, node, item_id: str) -> None:
    await api(
        http, node, "PUT", f"/api/v1/items/{item_id}/audience", json={"public": True}, expect=200
    )


async def test_followers_get_mastodon_shaped_posts_and_reactions_are_counted(node, http):
    assert fedify_available(), NOT_INSTALLED
    async with running_fedify_peer() as peer:
        await follow(peer, node)
        item = await api(
            http,
            node,
            "POST",
            "/api/v1/items",
            json={"kind": "photo", "title": "Markt op het Plein", "summary": "Drukte",
                  "credit": "Anna", "licence": "CC-BY-4.0", "tags": ["markt"]},
            expect=201,
        )  # fmt: skip
        await api(
            http,
            node,
            "POST",
            f"/api/v1/items/{item['id']}/media?filename=markt.jpg&alt=Kramen%20op%20het%20plein",
            data=gps_jpeg(),
            expect=201,
        )
        await publish(http, node, item["id"])
        [create] = await arrived(peer, "Create")
        assert create["http_signature_verified"] is True
        assert create["proof_verified"] is True
        note = create["object"]
        assert note["type"] == "Note" and note["id"] == item["uri"]
        assert "<strong>Markt op het Plein</strong>" in note["content"]
        assert "<p>Drukte</p>" in note["content"] and note["summary"] is None
        [att] = note["attachments"]
        media_id = (await api(http, node, "GET", f"/api/v1/items/{item['id']}"))["media"][0]["id"]
        assert att == {
            "type": "Image",
            "id": None,
            "mediaType": "image/jpeg",
            "url": node.url(f"/media/{media_id}/medium"),
            "name": "Kramen op het plein",
            "width": 640,
            "height": 480,
        }
        raw = create["raw_body"]["object"]
        assert raw["attachment"][0]["blurhash"] and "focalPoint" not in raw["attachment"][0]
        assert {"type": "Hashtag", "name": "#markt", "href": node.url("/tags/markt")} in raw["tag"]
        assert raw["sensitive"] is False and raw["url"] == item["uri"]

        # an article with a content warning stays an Article; the warning is the summary
        article = await api(
            http,
            node,
            "POST",
            "/api/v1/items",
            json={"kind": "article", "title": "Ongeluk A12", "summary": "Beelden van letsel",
                  "body": "<p>Tekst</p>", "sensitive": True},
            expect=201,
        )  # fmt: skip
        await publish(http, node, article["id"])
        creates = await arrived(peer, "Create", count=2)
        story = creates[1]["object"]
        assert story["type"] == "Article" and story["name"] == "Ongeluk A12"
        assert story["summary"] == "Beelden van letsel" and "<p>Tekst</p>" in story["content"]
        assert creates[1]["raw_body"]["object"]["sensitive"] is True
        assert creates[1]["proof_verified"] is True

        # the follower likes, boosts and replies: insight counts each once
        me = node.url("/actor")
        for kind in ("Like", "Announce"):
            sent = await peer.send(
                {"@context": AS, "type": kind, "object": item["uri"], "to": [me]}, actor=me
            )
            assert sent["ok"], sent
        reply = await peer.create_note(me, "<p>Mooi!</p>", public=True, in_reply_to=item["uri"])
        assert reply["ok"], reply

        async def totals():
            got = await api(http, node, "GET", f"/api/v1/items/{item['id']}/insight")
            t = got["totals"]
            return t if (t["like"], t["announce"], t["reply"]) == (1, 1, 1) else None

        await wait_for(totals, what="like, announce and reply in insight")
        # a reply without files is no contribution
        assert (await api(http, node, "GET", "/api/v1/contributions"))["contributions"] == []


async def serve_photo(body: bytes) -> tuple[web.AppRunner, str]:
    app = web.Application()

    async def photo(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="image/jpeg")

    app.router.add_get("/brand.jpg", photo)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/brand.jpg"


async def contributions(http, node) -> list[dict]:
    return (await api(http, node, "GET", "/api/v1/contributions", expect=200))["contributions"]


async def test_fediverse_mention_with_files_is_a_contribution(node, http):
    assert fedify_available(), NOT_INSTALLED
    runner, photo_url = await serve_photo(gps_jpeg())
    me = node.url("/actor")
    try:
        async with running_fedify_peer() as peer:
            attachment = {"url": photo_url, "mediaType": "image/jpeg", "name": "Brand"}
            # ignored: no files; and files but not addressed to nor mentioning us
            await peer.create_note(me, "<p>Alleen tekst</p>")
            stranger = {
                "@context": AS,
                "type": "Create",
                "to": [f"{AS}#Public"],
                "object": {"type": "Note", "content": "elders", "to": [f"{AS}#Public"],
                           "attachment": [{"type": "Document", "url": photo_url,
                                           "mediaType": "image/jpeg"}]},
            }  # fmt: skip
            sent = await peer.send(stranger, inbox=node.url("/inbox"))
            assert sent["ok"], sent
            # a mention with a photo: queued
            note = await peer.create_note(
                me, "<p>Brand bij de haven @org</p>", public=True, attachments=[attachment]
            )
            assert note["ok"], note

            async def queued():
                return await contributions(http, node)

            [row] = await wait_for(queued, what="the fediverse contribution")
            assert row["source"] == "fediverse" and row["actor"] == peer.actor_url
            assert row["note_id"] == note["note_id"] and "Brand bij de haven" in row["text"]
            assert row["media"][0]["url"] == photo_url and row["media"][0]["sha256"] is None
            count = await node.app[DB].read(
                lambda d: d.execute("SELECT count(*) FROM contributions").fetchone()[0]
            )
            assert count == 1

            item = await api(
                http, node, "POST", f"/api/v1/contributions/{row['id']}/accept", expect=201
            )
            assert item["kind"] == "photo" and item["media"][0]["alt"] == "Brand"
            assert item["provenance"]["actor"] == peer.actor_url
            from io import BytesIO

            from PIL import Image

            async with http.get(
                node.url(f"/api/v1/media/{item['media'][0]['id']}"), headers=node.auth()
            ) as r:
                assert GPS not in Image.open(BytesIO(await r.read())).getexif()

            # a second post is rejected: the contributor gets a reply in their thread
            second = await peer.create_note(me, "<p>Nog een</p>", attachments=[attachment])
            rows = await wait_for(
                lambda: _pending(http, node), what="the second fediverse contribution"
            )
            await peer.reset_log()
            result = await api(
                http,
                node,
                "POST",
                f"/api/v1/contributions/{rows[0]['id']}/reject",
                json={"reason": "Dubbel"},
                expect=200,
            )
            assert result["notified"] == "fediverse"
            [told] = await arrived(peer, "Create")
            assert told["http_signature_verified"] is True and told["proof_verified"] is True
            assert told["raw_body"]["object"]["inReplyTo"] == second["note_id"]
            assert "Reden: Dubbel" in told["object"]["content"]
            assert told["to"] == [peer.actor_url]
    finally:
        await runner.cleanup()


async def _pending(http, node) -> list[dict]:
    rows = await api(http, node, "GET", "/api/v1/contributions?status=pending")
    return rows["contributions"]
