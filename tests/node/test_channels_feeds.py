"""Feeds on a real node, parsed with feedparser: content, filters, visibility, 304s."""

from __future__ import annotations

import json

import feedparser
import pytest

from tests.node.test_channels_support import add_media, earlier, later, make_item, set_item_column

PROBLEM = "application/problem+json"


async def fetch(http, node, path, headers=None):
    async with http.get(node.url(path), headers=headers or {}) as r:
        return r.status, r.headers.copy(), await r.read()


def parse(body: bytes, headers: dict) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(body, response_headers={"content-type": headers["Content-Type"]})
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.fixture
async def world(node):
    """A video, a photo, an audio item, plus items the public must never see."""
    video = await make_item(
        node,
        kind="video",
        title="Markt <script>alert(1)</script> & meer",
        tags=["markt"],
        summary="Drukte op de markt",
    )
    vid = await add_media(
        node,
        video["id"],
        "video/mp4",
        size=9_000_000,
        width=1280,
        height=720,
        duration=61.4,
        thumbnail=True,
    )
    photo = await make_item(
        node,
        kind="photo",
        title="Zonsondergang",
        tags=["weer"],
        credit="Jan Fotograaf",
        licence="CC-BY-SA-4.0",
    )
    pid = await add_media(
        node, photo["id"], "image/jpeg", width=2000, height=1000, alt="Rode lucht boven het Spui"
    )
    audio = await make_item(node, kind="audio", title="Podcast aflevering 1", tags=["markt"])
    aid = await add_media(node, audio["id"], "audio/mpeg", size=5_000_000, duration=3725)
    hidden = [
        await make_item(node, public=False, title="Concept"),
        await make_item(node, title="Onder embargo", embargo_until=later(days=1), tags=["markt"]),
        await make_item(node, kind="audio", title="Verlopen audio", tags=["markt"]),
    ]
    await set_item_column(node, hidden[2]["id"], expires_at=earlier(minutes=1))
    return {
        "video": video,
        "photo": photo,
        "audio": audio,
        "hidden": hidden,
        "media": {"video": vid, "photo": pid, "audio": aid},
    }


HIDDEN_TITLES = {"Concept", "Onder embargo", "Verlopen audio"}


async def test_rss_has_media_rss_enclosure_credit_and_licence(node, http, world):
    status, headers, body = await fetch(http, node, "/feeds/rss.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    feed = parse(body, headers)
    titles = [e.title for e in feed.entries]
    assert set(titles) == {world["video"]["title"], "Zonsondergang", "Podcast aflevering 1"}
    assert not HIDDEN_TITLES & set(titles)
    video = next(e for e in feed.entries if e.title.startswith("Markt"))
    assert video.title == "Markt <script>alert(1)</script> & meer"  # text, not markup
    assert b"<script>" not in body
    media_url = node.url(f"/media/{world['media']['video']}")
    assert video.enclosures[0].href == media_url
    assert video.enclosures[0].type == "video/mp4"
    assert video.enclosures[0].length == "9000000"
    content = video.media_content[0]
    assert content["url"] == media_url and content["filesize"] == "9000000"
    assert (content["width"], content["height"], content["duration"]) == ("1280", "720", "61")
    assert video.media_thumbnail[0]["url"] == media_url + "/thumbnail"
    assert video.media_credit[0]["content"] == "Omroep West"
    assert video.media_license["href"] == "https://creativecommons.org/licenses/by/4.0/"
    for entry in feed.entries:
        assert "Licentie" in entry.summary and "Beeld/tekst" in entry.summary
    photo = next(e for e in feed.entries if e.title == "Zonsondergang")
    assert "Jan Fotograaf" in photo.summary and "CC BY-SA 4.0" in photo.summary
    assert photo.media_thumbnail[0]["url"] == node.url(f"/media/{world['media']['photo']}")


async def test_atom_and_json_feed(node, http, world):
    status, headers, body = await fetch(http, node, "/feeds/atom.xml?lang=en")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    feed = parse(body, headers)
    assert feed.version == "atom10"
    video = next(e for e in feed.entries if e.title.startswith("Markt"))
    assert video.rights.startswith("Credit: Omroep West · Licence: CC BY 4.0")
    assert any(link.rel == "license" for link in video.links)
    assert [link.href for link in video.links if link.rel == "enclosure"] == [
        node.url(f"/media/{world['media']['video']}")
    ]
    status, headers, body = await fetch(http, node, "/feeds/feed.json")
    assert headers["Content-Type"].startswith("application/feed+json")
    doc = json.loads(body)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    items = {i["title"]: i for i in doc["items"]}
    assert set(items) == {world["video"]["title"], "Zonsondergang", "Podcast aflevering 1"}
    audio = items["Podcast aflevering 1"]
    assert audio["attachments"][0]["mime_type"] == "audio/mpeg"
    assert audio["attachments"][0]["duration_in_seconds"] == 3725
    assert audio["_mediakring"]["licence"] == "CC-BY-4.0"
    assert (
        'Licentie: <a href="https://creativecommons.org/licenses/by/4.0/"'
        in (audio["content_html"])
    )


async def test_podcast_feed_has_itunes_tags_and_only_audio(node, http, world):
    status, headers, body = await fetch(http, node, "/feeds/podcast.xml")
    feed = parse(body, headers)
    assert [e.title for e in feed.entries] == ["Podcast aflevering 1"]
    episode = feed.entries[0]
    assert episode.enclosures[0].type == "audio/mpeg"
    assert episode.itunes_duration == "01:02:05"
    assert episode.author == "Omroep West"
    assert b"<itunes:explicit>false</itunes:explicit>" in body  # feedparser maps only yes/clean
    assert feed.feed.author == "Stadsomroep Den Haag"
    assert any(t.term == "News" for t in feed.feed.tags)
    status, _, _ = await fetch(http, node, "/feeds/podcast.xml?kind=video")
    assert status == 422


@pytest.mark.parametrize("path", ["/feeds/rss.xml", "/feeds/atom.xml", "/feeds/podcast.xml"])
async def test_tag_and_kind_filters(node, http, world, path):
    _status, headers, body = await fetch(http, node, path + "?tag=markt")
    titles = {e.title for e in parse(body, headers).entries}
    expected = {"Podcast aflevering 1"}
    if "podcast" not in path:
        expected.add(world["video"]["title"])
    assert titles == expected
    _, headers, body = await fetch(http, node, path + "?tag=markt&kind=audio")
    assert {e.title for e in parse(body, headers).entries} == {"Podcast aflevering 1"}


async def test_unknown_kind_and_bad_tag_are_problems(node, http):
    for query in ("kind=podcast", "tag=a%20b", "limit=0"):
        async with http.get(node.url(f"/feeds/rss.xml?{query}")) as r:
            assert r.status == 422 and r.content_type == PROBLEM
            assert (await r.json())["detail"].split(":")[0] in ("kind", "tag", "limit")


async def test_etag_and_last_modified_give_304_until_something_changes(node, http, world):
    status, headers, _ = await fetch(http, node, "/feeds/rss.xml")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, _, body = await fetch(http, node, "/feeds/rss.xml", {"If-None-Match": etag})
    assert status == 304 and body == b""
    status, _, _ = await fetch(http, node, "/feeds/rss.xml", {"If-Modified-Since": modified})
    assert status == 304
    await make_item(node, title="Nieuw bericht")
    status, new_headers, _ = await fetch(http, node, "/feeds/rss.xml", {"If-None-Match": etag})
    assert status == 200 and new_headers["ETag"] != etag
    status, _, _ = await fetch(
        http, node, "/feeds/rss.xml", {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert status == 200


async def test_embargo_lifting_appears_and_expiry_disappears(node, http, world):
    embargoed = world["hidden"][1]
    await set_item_column(node, embargoed["id"], embargo_until=earlier(seconds=1))
    await set_item_column(node, world["photo"]["id"], expires_at=earlier(seconds=1))
    _, headers, body = await fetch(http, node, "/feeds/rss.xml")
    titles = {e.title for e in parse(body, headers).entries}
    assert "Onder embargo" in titles and "Zonsondergang" not in titles
