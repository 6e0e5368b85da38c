"""Back-fill pages with bad listings in them: each bad one refused, the rest indexed."""

from __future__ import annotations

import json

from node.core.appkeys import DB
from tests.integration.network import api, make_partners, wait_for


async def listed_article(http, node, title: str) -> str:
    item = await api(
        http,
        node,
        "POST",
        "/api/v1/items",
        json={"kind": "article", "title": title, "tags": ["archief"]},
        expect=201,
    )
    await api(
        http,
        node,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"mediatheek": True},
        expect=200,
    )
    return item["id"]


async def served_document(node, title: str, change) -> None:
    """Change the document A's mediatheek serves for the listing called ``title``."""

    def edit(d) -> None:
        doc_text = d.execute("SELECT document FROM listings WHERE title = ?", [title]).fetchone()
        doc = change(json.loads(doc_text[0]))
        d.execute("UPDATE listings SET document = ? WHERE title = ?", [json.dumps(doc), title])

    await node.app[DB].write(edit)


async def test_forged_and_unsigned_listings_are_refused_and_the_rest_indexed(node_factory, http):
    # an older origin: its pages carry no page signature, so every listing's own proof counts
    a = await node_factory("Stadsomroep Den Haag", sign_collection_pages=False)
    b = await node_factory("WijkTV Den Haag")
    for title in ("Archief haven", "Archief brug", "Archief vervalst", "Archief oeroud"):
        await listed_article(http, a, title)
    # forged: the text changed after A signed it, so its proof no longer matches
    await served_document(a, "Archief vervalst", lambda doc: {**doc, "name": "Archief gewijzigd"})
    # no proof at all: nothing vouches for it
    await served_document(
        a, "Archief oeroud", lambda doc: {k: v for k, v in doc.items() if k != "proof"}
    )
    await make_partners(http, a, b)

    async def done():
        partners = (await api(http, b, "GET", "/api/v1/partners"))["partners"]
        fill = partners[0]["backfill"] if partners else {}
        return fill.get("state") in ("done", "failed") and fill

    fill = await wait_for(done, what="B's back-fill of A's mediatheek")
    assert fill == {"state": "done", "listings": 2, "error": "2 listings rejected"}
    found = await api(http, b, "GET", "/api/v1/mediatheek?q=archief")
    assert sorted(i["title"] for i in found["items"]) == ["Archief brug", "Archief haven"]
    for word in ("gewijzigd", "vervalst", "oeroud"):
        assert (await api(http, b, "GET", f"/api/v1/mediatheek?q={word}"))["items"] == []
    # the prefix and the tag find the back-filled listings through the same FTS rows
    assert len((await api(http, b, "GET", "/api/v1/mediatheek?q=hav*"))["items"]) == 1
