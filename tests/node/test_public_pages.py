"""Public web pages: profile, item pages with Open Graph and players, negotiation, language."""

from __future__ import annotations

import html
import re

from tests.integration.network import api, create_item_with_photo
from tests.node.media_fixtures import audio, mp4
from tests.node.test_contributions import contribute

BROWSER = {"Accept": "text/html,application/xhtml+xml"}
AS2 = {"Accept": "application/activity+json"}


async def publish(http, node, item_id: str) -> None:
    await api(
        http, node, "PUT", f"/api/v1/items/{item_id}/audience", json={"public": True}, expect=200
    )


async def get_page(http, url: str, headers=None) -> tuple[int, str, dict]:
    async with http.get(url, headers={**BROWSER, **(headers or {})}, allow_redirects=False) as r:
        return r.status, await r.text(), dict(r.headers)


def meta(page: str, prop: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', page)
    assert found, f"no {prop} in page"
    return html.unescape(found.group(1))


async def with_media(http, node, kind: str, name: str, body: bytes, **fields) -> dict:
    item = await api(
        http,
        node,
        "POST",
        "/api/v1/items",
        json={"kind": kind, "title": name, **fields},
        expect=201,
    )
    await api(
        http,
        node,
        "POST",
        f"/api/v1/items/{item['id']}/media?filename={name}",
        data=body,
        expect=201,
    )
    return await api(http, node, "GET", f"/api/v1/items/{item['id']}", expect=200)


async def test_item_page_has_open_graph_players_credit_and_licence(node, http):
    item = await create_item_with_photo(
        http, node, summary="Drukte op de markt", body="<p>Veel <em>kramen</em>.</p>"
    )
    await publish(http, node, item["id"])
    status, page, headers = await get_page(http, item["uri"])
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "script-src" not in headers["Content-Security-Policy"]
    assert '<html lang="nl">' in page
    assert meta(page, "og:title") == "Markt op het Plein"
    assert meta(page, "og:description") == "Drukte op de markt"
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:url") == item["uri"]
    media_id = item["media"][0]["id"]
    assert meta(page, "og:image") == node.url(f"/media/{media_id}/medium")
    assert meta(page, "twitter:card") == "summary_large_image"
    assert f'<img src="{node.url(f"/media/{media_id}/medium")}" alt="Markt op het Plein"' in page
    assert "<em>kramen</em>" in page
    assert "Beeld/tekst: Foto: Anna de Vries" in page
    assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0' in page
    # usage terms are for partners; the public sees credit and licence only
    assert "Gebruiksvoorwaarden" not in page and "Alleen met naamsvermelding" not in page
    async with http.get(node.url(f"/media/{media_id}/medium")) as r:
        assert r.status == 200 and r.content_type == "image/jpeg"


async def test_video_and_audio_players(node, http, tmp_path):
    video = await with_media(http, node, "video", "clip.mp4", mp4(tmp_path), summary="Film")
    sound = await with_media(http, node, "audio", "tone.ogg", audio(tmp_path))
    for item in (video, sound):
        await publish(http, node, item["id"])
    _, page, _ = await get_page(http, video["uri"])
    vid = video["media"][0]["id"]
    poster = node.url(f"/media/{vid}/poster")
    assert f'<video controls preload="metadata" playsinline poster="{poster}"' in page
    assert f'<source src="{node.url(f"/media/{vid}")}" type="video/mp4">' in page
    assert meta(page, "og:type") == "video.other"
    assert meta(page, "og:image") == node.url(f"/media/{vid}/poster")
    _, page, _ = await get_page(http, sound["uri"])
    assert '<audio controls preload="metadata">' in page and 'type="audio/ogg"' in page
    assert meta(page, "twitter:card") == "summary"


async def test_content_negotiation_same_url_serves_as2_to_servers(node, http):
    item = await create_item_with_photo(http, node)
    await publish(http, node, item["id"])
    async with http.get(item["uri"], headers=AS2) as r:
        assert r.status == 200 and r.content_type == "application/activity+json"
        doc = await r.json()
    assert doc["id"] == item["uri"] and doc["type"] == "Note"  # as followers got it
    status, page, _ = await get_page(http, item["uri"])
    assert status == 200 and "<h1>Markt op het Plein</h1>" in page


async def test_non_public_items_are_404_for_browsers_too(node, http):
    draft = await create_item_with_photo(http, node, title="Geheim concept")
    for url in (draft["uri"], node.url("/items/does-not-exist")):
        status, page, _ = await get_page(http, url)
        assert status == 404 and "Niet gevonden" in page and "Geheim" not in page
        async with http.get(url, headers=AS2) as r:
            assert r.status == 404
    embargoed = await create_item_with_photo(
        http, node, title="Onder embargo", embargo_until="2999-01-01T00:00:00Z"
    )
    await publish(http, node, embargoed["id"])
    status, _, _ = await get_page(http, embargoed["uri"])
    assert status == 404
    status, page, _ = await get_page(http, node.url("/"))
    assert "Geheim concept" not in page and "Onder embargo" not in page


async def test_profile_page_lists_latest_public_items_with_players(node, http):
    item = await create_item_with_photo(http, node, title="Openbaar bericht")
    await publish(http, node, item["id"])
    status, page, _ = await get_page(http, node.url("/"))
    assert status == 200 and '<html lang="nl">' in page
    assert "<h1>Stadsomroep Den Haag</h1>" in page
    assert "@stadsomroep-den-haag@127.0.0.1" in page
    assert f'href="/items/{item["id"]}">Openbaar bericht</a>' in page
    assert f'/media/{item["media"][0]["id"]}/medium" alt="Openbaar bericht"' in page
    assert 'href="/contribute"' in page
    status, _, headers = await get_page(http, node.url("/@stadsomroep-den-haag"))
    assert status == 302 and headers["Location"] == "/"
    status, _, _ = await get_page(http, node.url("/@someone-else"))
    assert status == 404
    # the actor URL shows the profile to a browser and the actor to a server
    status, page, _ = await get_page(http, node.url("/actor"))
    assert status == 200 and "Openbaar bericht" in page
    async with http.get(node.url("/actor"), headers=AS2) as r:
        assert (await r.json())["type"] == "Organization"
    status, page, _ = await get_page(http, node.url("/tags/markt"))
    assert status == 200 and "Openbaar bericht" in page and "#markt" in page


async def test_english_on_request(node, http):
    item = await create_item_with_photo(http, node, licence="all-rights-reserved")
    await publish(http, node, item["id"])
    _, page, _ = await get_page(http, item["uri"] + "?lang=en")
    assert '<html lang="en">' in page and "Credit: Foto: Anna de Vries" in page
    assert "All rights reserved" in page
    _, page, _ = await get_page(http, item["uri"], {"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in page
    _, page, _ = await get_page(http, item["uri"])
    assert '<html lang="nl">' in page and "Alle rechten voorbehouden" in page
    _, page, _ = await get_page(http, node.url("/?lang=en"))
    assert "Latest items" in page


async def test_script_is_escaped_and_contributions_are_credited(node, http):
    evil = '<script>alert("x")</script>'
    row = await contribute(http, node, name=f"Piet {evil}", text=f"Kijk {evil}")
    item = await api(
        http, node, "POST", f"/api/v1/contributions/{row['id']}/accept", scope="write", expect=201
    )
    await api(
        http, node, "PATCH", f"/api/v1/items/{item['id']}", json={"summary": evil}, expect=200
    )
    await publish(http, node, item["id"])
    for url in (item["uri"], node.url("/")):
        _, page, _ = await get_page(http, url)
        assert "<script>" not in page, url
        assert "&lt;script&gt;" in page
        assert "Bijdrage van Piet &lt;script&gt;" in page
    _, page, _ = await get_page(http, item["uri"])
    assert meta(page, "og:description") == evil  # escaped in the attribute, intact as text


async def test_item_page_dates_are_amsterdam_time_in_words_with_iso_for_machines(node, http):
    from node.core import human_time

    item = await create_item_with_photo(http, node)
    await publish(http, node, item["id"])
    item = await api(http, node, "GET", f"/api/v1/items/{item['id']}", expect=200)
    stamp = item.get("published_at") or item["created_at"]
    for lang, word in (("nl", "Gepubliceerd"), ("en", "Published")):
        _, page, _ = await get_page(http, item["uri"] + ("?lang=en" if lang == "en" else ""))
        found = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', page)
        assert found and word in page
        assert found.group(1) == human_time.machine(stamp)
        assert found.group(2) == html.escape(human_time.when(stamp, lang, zone=True))
        assert re.search(r"\d{1,2} \w+ 20\d\d, \d\d:\d\d \(CES?T\)", found.group(2))
        assert stamp not in page and "UTC" not in found.group(2)
