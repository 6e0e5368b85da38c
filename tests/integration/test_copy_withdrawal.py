"""A copy passed on follows its origin: when A deletes, B's copy leaves B's partners too.

A shares with B; B uses the item and lists its copy in the mediatheek, so B's partner C
holds a listing of it.  When A deletes the original, B removes its copy and, as part of
that same change, withdraws it from everyone B passed it to (regie invariant 2).
"""

from __future__ import annotations

from tests.integration.network import api, create_item_with_photo, make_partners, wait_for


async def test_a_deleted_original_leaves_the_partners_of_the_copy(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    c = await node_factory("Gemeente Den Haag")
    await make_partners(http, a, b)
    await make_partners(http, b, c)
    item = await create_item_with_photo(http, a, title="Kermis op het Malieveld")
    await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
              json={"partners": [b.url("/actor")]})  # fmt: skip

    async def b_share():
        return (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"] or None

    [share] = await wait_for(b_share, what="B to receive the share")
    copy = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use", expect=201)
    await api(http, b, "PUT", f"/api/v1/items/{copy['id']}/audience", expect=200,
              json={"mediatheek": True})  # fmt: skip

    async def c_listing():
        found = await api(http, c, "GET", "/api/v1/mediatheek?q=Malieveld")
        return [h for h in found["items"] if h["object_id"] == copy["uri"]] or None

    await wait_for(c_listing, what="C to hold B's listing of the copy")

    await api(http, a, "DELETE", f"/api/v1/items/{item['id']}", expect=204)

    async def c_has_none():
        found = await api(http, c, "GET", "/api/v1/mediatheek?q=Malieveld")
        return not [h for h in found["items"] if h["object_id"] == copy["uri"]]

    await wait_for(c_has_none, within=20, what="B's listing to leave C's mediatheek")
    async with http.get(b.url(f"/api/v1/items/{copy['id']}"), headers=b.auth()) as r:
        assert r.status == 404
