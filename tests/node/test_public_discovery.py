"""Public pages worth sharing: autodiscovery of every feed, oEmbed discovery on item pages
(and the link resolves), dates on the cards, the organisation's header, and the partners'
usage terms kept off every public page and feed."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from tests.integration.network import api, create_item_with_photo
from tests.node.test_public_pages import BROWSER, get_page, publish

TERMS = "Alleen met naamsvermelding"


class Links(HTMLParser):
    """Every ``<link>`` in the page head, and the ``<time>`` elements' attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.times: list[dict[str, str]] = []
        self.images: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "link":
            self.links.append(values)
        elif tag == "time":
            self.times.append(values)
        elif tag == "img":
            self.images.append(values)


def parsed(page: str) -> Links:
    parser = Links()
    parser.feed(page)
    return parser


def alternates(page: str) -> dict[str, str]:
    return {
        link["type"]: link["href"]
        for link in parsed(page).links
        if link.get("rel") == "alternate" and link.get("type")
    }


FEED_TYPES = {
    "application/rss+xml": "/feeds/rss.xml",
    "application/atom+xml": "/feeds/atom.xml",
    "application/feed+json": "/feeds/feed.json",
}


async def test_profile_and_item_pages_announce_every_feed(node, http):
    item = await create_item_with_photo(http, node)
    await publish(http, node, item["id"])
    for url in (node.url("/"), item["uri"], node.url("/tags/markt")):
        status, page, _ = await get_page(http, url)
        assert status == 200, url
        found = alternates(page)
        for kind, path in FEED_TYPES.items():
            assert found.get(kind, "").startswith(node.url(path)), (url, kind, found)
            async with http.get(found[kind]) as feed:
                assert feed.status == 200, found[kind]
                assert feed.headers["Content-Type"].startswith(kind)
    _, tag_page, _ = await get_page(http, node.url("/tags/markt"))
    assert alternates(tag_page)["application/rss+xml"].endswith("/feeds/rss.xml?tag=markt")


async def test_item_page_has_oembed_discovery_that_resolves(node, http):
    item = await create_item_with_photo(http, node)
    await publish(http, node, item["id"])
    _, page, _ = await get_page(http, item["uri"])
    href = alternates(page)["application/json+oembed"]
    async with http.get(href) as r:
        assert r.status == 200
        doc = await r.json()
    assert doc["type"] in ("photo", "rich", "video") and doc["title"] == "Markt op het Plein"
    assert doc["provider_name"] == "Stadsomroep Den Haag"
    _, profile, _ = await get_page(http, node.url("/"))
    assert "application/json+oembed" not in alternates(profile)


async def test_cards_and_item_page_show_dates_and_the_organisation(node, http):
    item = await create_item_with_photo(http, node, summary="Drukte op de markt")
    await publish(http, node, item["id"])
    for url in (node.url("/"), node.url("/?lang=en"), item["uri"]):
        _, page, _ = await get_page(http, url)
        times = parsed(page).times
        assert times and all(t.get("datetime", "").endswith("Z") for t in times), url
        assert 'class="site-name"' in page and "Stadsomroep Den Haag</span>" in page
    _, english, _ = await get_page(http, node.url("/?lang=en"))
    assert "Published: " in english and " (CE" in english


async def test_partner_usage_terms_stay_off_public_pages_and_feeds(node, http):
    item = await create_item_with_photo(http, node)
    await publish(http, node, item["id"])
    for url in (
        node.url("/"),
        node.url("/?lang=en"),
        item["uri"],
        node.url("/tags/markt"),
        node.url(f"/embed/{item['id']}"),
    ):
        status, page, _ = await get_page(http, url)
        assert status == 200, url
        assert TERMS not in page and "Gebruiksvoorwaarden" not in page, url
        assert "Foto: Anna de Vries" in page, url  # the public terms are there
    for path in ("/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json"):
        async with http.get(node.url(path), headers=BROWSER) as r:
            body = await r.text()
        assert r.status == 200 and TERMS not in body, path
        assert "Foto: Anna de Vries" in body, path
    feed = json.loads(body)
    assert "usage_terms" not in feed["items"][0]["_mediakring"]
    async with http.get(node.url("/oembed"), params={"url": item["uri"]}) as r:
        assert TERMS not in await r.text()
    # partners still get them: the API (and so the share) keeps the terms
    kept = await api(http, node, "GET", f"/api/v1/items/{item['id']}", expect=200)
    assert kept["usage_terms"] == TERMS
