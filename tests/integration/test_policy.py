"""Federation policy on real nodes: blocked or unlisted domains get nothing, both ways."""

from __future__ import annotations

import pytest

from node.sharing.services import SERVICES
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for


async def test_blocked_partner_gets_no_deliveries(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    await make_partners(http, a, b)
    await api(
        http, a, "PUT", "/api/v1/federation/policy/127.0.0.1", json={"rule": "block"}, expect=200
    )
    item = await create_item_with_photo(http, a)
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")]},
        expect=200,
    )
    await a.app[SERVICES].federation.drain()
    audience = await api(http, a, "GET", f"/api/v1/items/{item['id']}/audience")
    assert audience["deliveries"][b.url("/actor")]["state"] == "queued"
    await b.app[SERVICES].federation.drain()
    assert (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"] == []
    policy = await api(http, a, "GET", "/api/v1/federation/policy")
    assert policy["rules"] == {"127.0.0.1": "block"}


async def test_closed_network_setting_refuses_unlisted_nodes(node_factory, http):
    closed = await node_factory("Gemeente Den Haag", closed_network=True)
    other = await node_factory("Onbekende Omroep")
    assert (await api(http, closed, "GET", "/api/v1/federation/policy"))["closed_network"]
    body = await api(http, other, "POST", "/api/v1/partners", json={"handle": closed.url("/actor")})
    assert body.get("state") == "pending" or "detail" in body
    await other.app[SERVICES].federation.drain()
    listed = await api(http, closed, "GET", "/api/v1/partners")
    assert listed["incoming"] == []
    await api(
        http,
        closed,
        "PUT",
        "/api/v1/federation/policy/127.0.0.1",
        json={"rule": "allow"},
        expect=200,
    )
    host = closed.base_url.removeprefix("http://")
    assert await other.app[SERVICES].federation.retry_now(host) == 1

    async def arrived():
        await other.app[SERVICES].federation.drain()
        return (await api(http, closed, "GET", "/api/v1/partners"))["incoming"]

    assert await wait_for(arrived, what="the request once the domain is allowed")


@pytest.mark.parametrize(
    "domain",
    ["exa%20mple", "a..b", "x" * 64 + ".example", ("abc." * 64) + "nl", "omroep.example%2Fpad"],
)
async def test_policy_refuses_what_is_no_domain_from_the_api(node_factory, http, domain):
    """The API and the admin UI share one domain check: 422 with a reason, nothing stored."""
    a = await node_factory("Omroep Beleid")
    refused = await api(
        http, a, "PUT", f"/api/v1/federation/policy/{domain}", json={"rule": "block"}, expect=422
    )
    assert "domain" in refused["detail"]
    rules = await api(http, a, "GET", "/api/v1/federation/policy", expect=200)
    assert rules["rules"] == {}


async def test_policy_stores_international_names_in_ascii(node_factory, http):
    a = await node_factory("Omroep Beleid")
    await api(http, a, "PUT", "/api/v1/federation/policy/bücher.example", json={"rule": "block"},
              expect=200)  # fmt: skip
    rules = await api(http, a, "GET", "/api/v1/federation/policy", expect=200)
    assert rules["rules"] == {"xn--bcher-kva.example": "block"}
