"""Alt text per file through the API: ``PATCH … {"media_alt": {id: text}}`` is a new version
whose attachments carry the text as ``name``; a malformed value is refused and stores nothing."""

from __future__ import annotations

from tests.integration.network import api, create_item_with_photo


async def test_media_alt_is_a_new_version_with_the_attachments_name(node, http) -> None:
    item = await create_item_with_photo(http, node, title="Markt")
    media_id = item["media"][0]["id"]
    alt = "Kramen met groente op het Plein"
    changed = await api(
        http, node, "PATCH", f"/api/v1/items/{item['id']}",
        json={"media_alt": {media_id: alt}}, expect=200,
    )  # fmt: skip
    assert changed["media"][0]["alt"] == alt and changed["version"] == item["version"] + 1
    async with http.get(item["uri"], headers={"Accept": "application/activity+json"}) as r:
        document = await r.json(content_type=None) if r.status == 200 else None
    if document is not None:  # only public items are served unsigned
        assert document["attachment"][0]["name"] == alt

    for bad in ("tekst", {media_id: 5}, ["x"]):
        async with http.patch(
            node.url(f"/api/v1/items/{item['id']}"),
            headers=node.auth("write"),
            json={"media_alt": bad},
        ) as r:
            assert r.status in (400, 422), bad
            assert "media_alt" in (await r.json(content_type=None))["detail"]
    after = await api(http, node, "GET", f"/api/v1/items/{item['id']}")
    assert after["version"] == changed["version"] and after["media"][0]["alt"] == alt
