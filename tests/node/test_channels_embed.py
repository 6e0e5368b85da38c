"""oEmbed and the embeddable player pages: types, sizes, visibility, escaping, language."""

from __future__ import annotations

from urllib.parse import quote

from tests.node.test_channels_support import add_media, later, make_item


def oembed_path(url: str, extra: str = "") -> str:
    return f"/oembed?url={quote(url, safe='')}&format=json{extra}"


async def test_video_oembed_points_at_player_and_scales(node, http):
    item = await make_item(node, kind="video", title='Debat "live" <b>nu</b>')
    await add_media(node, item["id"], "video/mp4", width=1920, height=1080, thumbnail=True)
    async with http.get(node.url(oembed_path(item["uri"], "&maxwidth=960"))) as r:
        assert r.status == 200
        data = await r.json()
    assert data["version"] == "1.0" and data["type"] == "video"
    assert data["provider_name"] == "Stadsomroep Den Haag"
    assert data["author_name"] == "Omroep West"
    assert data["width"] == 960 and data["height"] == 540 + 90
    assert f'src="{node.url("/embed/" + item["id"])}"' in data["html"]
    assert 'title="Debat &quot;live&quot; &lt;b&gt;nu&lt;/b&gt;"' in data["html"]
    assert data["thumbnail_url"].endswith("/thumbnail")
    async with http.get(
        node.url(oembed_path(node.url(f"/embed/{item['id']}"), "&maxheight=300"))
    ) as r:
        data = await r.json()
    assert data["height"] <= 300 and data["width"] == 373


async def test_photo_and_rich_types(node, http):
    photo = await make_item(node, kind="photo", title="Foto")
    media_id = await add_media(node, photo["id"], "image/jpeg", width=1000, height=500)
    async with http.get(node.url(oembed_path(photo["uri"], "&maxwidth=400"))) as r:
        data = await r.json()
    assert data["type"] == "photo" and data["url"] == node.url(f"/media/{media_id}")
    assert (data["width"], data["height"]) == (400, 200)
    article = await make_item(node, title="Artikel")
    async with http.get(node.url(oembed_path(article["uri"]))) as r:
        data = await r.json()
    assert data["type"] == "rich" and "<iframe" in data["html"]


async def test_oembed_refusals(node, http):
    secret = await make_item(node, public=False, title="Intern")
    embargoed = await make_item(node, title="Later", embargo_until=later(hours=2))
    for url in (
        secret["uri"],
        embargoed["uri"],
        node.url("/items/doesnotexist"),
        "https://elsewhere.example/items/x",
    ):
        async with http.get(node.url(oembed_path(url))) as r:
            assert r.status == 404, url
            assert r.content_type == "application/problem+json"
    public = await make_item(node, title="Open")
    async with http.get(node.url(f"/oembed?url={quote(public['uri'])}&format=xml")) as r:
        assert r.status == 501
    async with http.get(node.url(oembed_path(public["uri"], "&maxwidth=-3"))) as r:
        assert r.status == 422


async def test_embed_pages_for_video_audio_photo(node, http):
    video = await make_item(node, kind="video", title="Video <script>alert(1)</script>")
    vid = await add_media(node, video["id"], "video/mp4", thumbnail=True)
    audio = await make_item(node, kind="audio", title="Audio")
    aid = await add_media(node, audio["id"], "audio/mpeg")
    photo = await make_item(node, kind="photo", title="Foto", licence="all-rights-reserved")
    pid = await add_media(node, photo["id"], "image/png", width=10, height=10, alt="Een rode fiets")
    async with http.get(node.url(f"/embed/{video['id']}")) as r:
        assert r.status == 200
        assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
        page = await r.text()
    assert '<html lang="nl">' in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'poster="{node.url(f"/media/{vid}/thumbnail")}"' in page
    assert f'<source src="{node.url(f"/media/{vid}")}" type="video/mp4">' in page
    assert "<video controls" in page
    assert 'type="application/json+oembed"' in page
    assert "Beeld/tekst: Omroep West" in page and "Licentie: CC BY 4.0" in page
    async with http.get(node.url(f"/embed/{audio['id']}?lang=en")) as r:
        page = await r.text()
    assert '<html lang="en">' in page and "<audio controls" in page
    assert node.url(f"/media/{aid}") in page and "Credit: Omroep West" in page
    async with http.get(
        node.url(f"/embed/{photo['id']}"), headers={"Accept-Language": "en-GB,en;q=0.9"}
    ) as r:
        page = await r.text()
    assert f'<img src="{node.url(f"/media/{pid}")}" alt="Een rode fiets"' in page
    assert "All rights reserved" in page


async def test_embed_page_of_hidden_item_is_404(node, http):
    secret = await make_item(node, public=False)
    async with http.get(node.url(f"/embed/{secret['id']}")) as r:
        assert r.status == 404
        assert "niet openbaar" in await r.text()
