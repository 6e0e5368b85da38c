"""One definition of an item's workflow states: the badge (Python) and the filter (SQL) agree.

Real nodes: A and B are partners, so "shared" is a real share and "listed" a real listing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from node import services
from node.core.errors import ValidationFailed
from node.items.states import STATES
from tests.integration.network import make_partners


def _at(**delta) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _item(app, title: str, audience: dict | None = None, **fields) -> str:
    item = await services.create_item(app, {"kind": "article", "title": title, **fields})
    if audience:
        await services.set_audience(app, item["id"], audience)
    return item["id"]


async def test_states_badges_and_filter_agree(node_factory, http) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    await make_partners(http, a, b)
    partner = b.url("/actor")
    made = {
        "draft": await _item(a.app, "Alleen een titel"),
        "ready": await _item(a.app, "Met tekst", body="<p>Klaar.</p>"),
        "shared": await _item(a.app, "Gedeeld", {"partners": [partner]}, body="<p>x</p>"),
        "listed": await _item(a.app, "In de mediatheek", {"mediatheek": True}, body="<p>x</p>"),
        "public": await _item(a.app, "Openbaar", {"public": True}, body="<p>x</p>"),
        "embargoed": await _item(
            a.app,
            "Onder embargo",
            {"public": True, "partners": [partner]},
            body="<p>x</p>",
            embargo_until=_at(days=3),
        ),
        "expired": await _item(
            a.app, "Verlopen", {"public": True}, body="<p>x</p>", expires_at=_at(minutes=-5)
        ),
    }
    page, _ = await services.list_items(a.app, {}, 50, None)
    found = {i: s.to_json() for i, s in (await services.item_states(a.app, page)).items()}
    assert found[made["draft"]]["states"] == ["draft"]
    assert found[made["ready"]]["states"] == ["ready"]
    assert found[made["shared"]]["states"] == ["shared"]
    assert found[made["shared"]]["shared_with"] == 1
    assert found[made["listed"]]["states"] == ["listed"]
    assert found[made["public"]]["states"] == ["public"]
    # a public tick waits for the embargo: not public yet, but the badge says it will be
    assert found[made["embargoed"]]["states"] == ["shared", "embargoed"]
    assert found[made["embargoed"]]["public_after_embargo"] is True
    assert found[made["embargoed"]]["embargo_until"]
    assert found[made["expired"]]["states"] == ["expired"]
    for state in STATES:
        filtered, _ = await services.list_items(a.app, {"state": state}, 50, None)
        expected = {i for i, s in found.items() if state in s["states"]}
        assert {i["id"] for i in filtered} == expected, state
        assert made[state] in expected


async def test_an_unknown_state_is_refused_with_a_reason(node) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await services.list_items(node.app, {"state": "bijna-klaar"}, 10, None)
    assert refused.value.extra["reason"] == "bad-state"
    assert "state: must be one of draft, ready" in refused.value.detail


async def test_the_api_filters_by_state_and_refuses_an_unknown_one(node, http) -> None:
    draft = await _item(node.app, "Alleen een titel")
    ready = await _item(node.app, "Met tekst", body="<p>Klaar.</p>")
    async with http.get(node.url("/api/v1/items?state=ready"), headers=node.auth("read")) as r:
        assert r.status == 200
        assert [i["id"] for i in (await r.json())["items"]] == [ready]
    async with http.get(node.url("/api/v1/items?state=draft"), headers=node.auth("read")) as r:
        assert [i["id"] for i in (await r.json())["items"]] == [draft]
    headers = {**node.auth("read"), "Accept": "application/problem+json"}
    async with http.get(node.url("/api/v1/items?state=klaar"), headers=headers) as r:
        assert r.status == 422
        problem = await r.json()
    assert problem["reason"] == "bad-state"
    assert problem["detail"].startswith("state: must be one of draft, ready, shared")
