"""IPTC ninjs 2.1: export validates against the bundled schema; import refuses bad input."""

from __future__ import annotations

import pytest

from node.channels import ninjs
from node.core.appkeys import DB
from tests.node.test_channels_support import add_media, make_item


async def count_items(node) -> int:
    return await node.app[DB].read(lambda db: db["items"].count)


async def test_export_is_valid_ninjs_and_not_swallowed_by_items_route(node, http):
    item = await make_item(
        node,
        kind="video",
        title="Brand in de haven",
        summary="Kort",
        body="<p>Lang verhaal</p>",
        tags=["haven"],
        embargo_until="2030-01-01T00:00:00Z",
        usage_terms="Alleen online",
    )
    media_id = await add_media(
        node, item["id"], "video/mp4", width=640, height=360, duration=12.5, thumbnail=True
    )
    async with http.get(
        node.url(f"/api/v1/items/{item['id']}.ninjs"), headers=node.auth("read")
    ) as r:
        assert r.status == 200, await r.text()
        doc = await r.json()
    ninjs.validate(doc)
    assert doc["uri"] == item["uri"] and doc["type"] == "video"
    assert doc["headlines"] == [{"role": "main", "value": "Brand in de haven"}]
    assert doc["bodies"][0]["value"] == "<p>Lang verhaal</p>"
    assert doc["by"] == "Omroep West" and doc["usageterms"] == "Alleen online"
    assert doc["embargoed"].startswith("2030-01-01T00:00:00")
    assert doc["rightsinfo"] == {"linkedrights": "https://creativecommons.org/licenses/by/4.0/"}
    assert doc["renditions"][0]["href"] == node.url(f"/media/{media_id}")
    assert doc["renditions"][0]["duration"] == 12.5
    async with http.get(node.url(f"/api/v1/items/{item['id']}"), headers=node.auth("read")) as r:
        assert (await r.json())["title"] == "Brand in de haven"
    async with http.get(node.url("/api/v1/items/nothing.ninjs"), headers=node.auth("read")) as r:
        assert r.status == 404
    async with http.get(node.url(f"/api/v1/items/{item['id']}.ninjs")) as r:
        assert r.status == 401


async def test_article_with_two_photos_exports_associations(node, http):
    item = await make_item(node, title="Fotoverslag")
    for n in range(2):
        await add_media(
            node, item["id"], "image/jpeg", width=10, height=10, position=n, alt=f"foto {n}"
        )
    async with http.get(
        node.url(f"/api/v1/items/{item['id']}.ninjs"), headers=node.auth("read")
    ) as r:
        doc = await r.json()
    ninjs.validate(doc)
    assert doc["type"] == "composite" and len(doc["associations"]) == 2
    assert doc["associations"][0]["type"] == "picture"


async def test_import_creates_an_item(node, http):
    doc = {
        "uri": "urn:newsml:anp.nl:20260301:123",
        "type": "picture",
        "headlines": [{"role": "main", "value": "Carnaval in Maastricht"}],
        "descriptions": [{"role": "summary", "value": "Optocht"}],
        "bodies": [{"contenttype": "text/plain", "value": "Eerste alinea\n\nTweede <b>"}],
        "by": "ANP / Piet",
        "language": "nl",
        "usageterms": "Redactioneel gebruik",
        "subjects": [{"name": "Carnaval 2026"}, {"name": "Limburg"}],
        "rightsinfo": {"linkedrights": "https://creativecommons.org/licenses/by/4.0/"},
        "embargoed": "2026-03-01T10:00:00+01:00",
    }
    async with http.post(
        node.url("/api/v1/items/import/ninjs"), json=doc, headers=node.auth("write")
    ) as r:
        assert r.status == 201, await r.text()
        item = await r.json()
    assert item["kind"] == "photo" and item["title"] == "Carnaval in Maastricht"
    assert item["tags"] == ["Carnaval-2026", "Limburg"]
    assert item["body"] == "<p>Eerste alinea</p><p>Tweede &lt;b&gt;</p>"
    assert item["credit"] == "ANP / Piet" and item["usage_terms"] == "Redactioneel gebruik"
    assert item["embargo_until"] == "2026-03-01T09:00:00.000000Z"
    assert item["provenance"] == {"imported_from": "ninjs", "uri": doc["uri"]}


@pytest.mark.parametrize(
    "doc, path",
    [
        ({"type": "text", "headlines": [{"value": "x"}]}, "$"),
        ({"uri": "urn:x:1", "type": "newspaper", "headlines": [{"value": "x"}]}, "$.type"),
        ({"uri": "urn:x:1", "headlines": [{"role": "main"}]}, "$.headlines[0]"),
        ({"uri": "urn:x:1", "headline": "ninjs 1.x field"}, "$"),
        ({"uri": "urn:x:1", "headlines": [{"value": "x"}], "embargoed": "morgen"}, "$.embargoed"),
        ({"uri": "urn:x:1", "type": "text"}, "$.headlines"),
    ],
)
async def test_invalid_ninjs_is_422_with_path_and_stores_nothing(node, http, doc, path):
    before = await count_items(node)
    async with http.post(
        node.url("/api/v1/items/import/ninjs"), json=doc, headers=node.auth("write")
    ) as r:
        assert r.status == 422
        problem = await r.json()
    assert problem["path"] == path and problem["detail"].startswith(path + ":")
    assert await count_items(node) == before


async def test_import_failing_item_rules_stores_nothing(node, http):
    before = await count_items(node)
    doc = {"uri": "urn:x:2", "headlines": [{"value": "x"}], "language": "Nederlands!"}
    async with http.post(
        node.url("/api/v1/items/import/ninjs"), json=doc, headers=node.auth("write")
    ) as r:
        assert r.status == 422 and "language" in (await r.json())["detail"]
    async with http.post(
        node.url("/api/v1/items/import/ninjs"), json=doc, headers=node.auth("read")
    ) as r:
        assert r.status == 403
    assert await count_items(node) == before


async def test_openapi_documents_channel_endpoints(node, http):
    async with http.get(node.url("/api/v1/openapi.json")) as r:
        paths = (await r.json())["paths"]
    for path in (
        "/api/v1/webhooks",
        "/api/v1/webhooks/{id}/deliveries",
        "/api/v1/wall-screens",
        "/api/v1/wall-screens/{id}/items",
        "/api/v1/items/{id}.ninjs",
        "/api/v1/items/import/ninjs",
    ):
        assert path in paths
