"""Search as you type on a real node: prefixes, names, suggestions, regie, bad input.

One node (Stadsomroep Den Haag) lists its own items in its mediatheek; the API
search and the suggestion endpoint must find "kermis" from "kerm", items by
their credit and by the organisation's name, and never an expired item or one
that is only for partners (not listed); an embargoed listing is shown as
embargoed in the search and never suggested.
"""

from __future__ import annotations

import datetime as dt

import pytest

from node import services

SOON = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
PAST = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat()
LISTED = {"mediatheek": True}


async def _item(node, audience, **fields):
    item = await services.create_item(node.app, {"kind": "article", **fields})
    if audience is not None:
        await services.set_audience(node.app, item["id"], audience)
    return item


@pytest.fixture
async def listed(node):
    await _item(
        node,
        LISTED,
        title="Kermis op het Malieveld",
        summary="Draaimolens en oliebollen",
        credit="Herman Coster",
    )
    await _item(node, LISTED, title="Nieuwe tram naar de Binckhorst", tags=["verkeer"])
    await _item(node, LISTED, title="Kermisgeheim onder embargo", embargo_until=SOON)
    await _item(node, LISTED, title="Kermisoud al verlopen", expires_at=PAST)
    await _item(node, {"mediatheek": False}, title="Kermis alleen voor partners")
    return node


async def _search(http, node, **params):
    async with http.get(
        node.url("/api/v1/mediatheek"), params=params, headers=node.auth("read")
    ) as r:
        return r.status, await r.json()


async def _suggest(http, node, q):
    async with http.get(
        node.url("/api/v1/mediatheek/suggest"), params={"q": q}, headers=node.auth("read")
    ) as r:
        return r.status, await r.json()


def _titles(body):
    return sorted(i["title"] for i in body["items"])


async def test_the_start_of_a_word_finds_it_without_a_star(listed, http):
    for q, want in (
        ("kerm", "Kermis op het Malieveld"),
        ("malie", "Kermis op het Malieveld"),
        ("binck", "Nieuwe tram naar de Binckhorst"),
        ("tram binck", "Nieuwe tram naar de Binckhorst"),
        ("verk", "Nieuwe tram naar de Binckhorst"),  # a tag
    ):
        status, body = await _search(http, listed, q=q)
        assert status == 200 and want in _titles(body), q


async def test_a_trailing_space_completes_the_last_word(listed, http):
    status, body = await _search(http, listed, q="kerm ")
    assert status == 200 and body["items"] == []
    status, body = await _search(http, listed, q="kermis ")
    assert _titles(body) == ["Kermis op het Malieveld"]


async def test_credits_and_organisation_names_are_searchable(listed, http):
    status, body = await _search(http, listed, q="Herman Coster")
    assert status == 200 and _titles(body) == ["Kermis op het Malieveld"]
    status, body = await _search(http, listed, q="herman cos")
    assert _titles(body) == ["Kermis op het Malieveld"]
    status, body = await _search(http, listed, q="Stadsomroep")  # the node's own name
    assert "Nieuwe tram naar de Binckhorst" in _titles(body)


async def test_regie_expired_and_partner_only_never_found_embargo_flagged(listed, http):
    status, body = await _search(http, listed, q="kerm")
    assert status == 200
    titles = _titles(body)
    assert "Kermisoud al verlopen" not in titles
    assert "Kermis alleen voor partners" not in titles
    flagged = {i["title"]: i["embargoed"] for i in body["items"]}
    assert flagged.get("Kermisgeheim onder embargo") is True  # shown, marked as embargoed
    assert flagged["Kermis op het Malieveld"] is False
    _, free = await _search(http, listed, q="kerm", embargoed="false")
    assert _titles(free) == ["Kermis op het Malieveld"]


async def test_suggestions_as_you_type_respect_regie(listed, http):
    status, body = await _suggest(http, listed, "kerm")
    assert status == 200 and body["suggestions"] == ["Kermis op het Malieveld"]
    status, body = await _suggest(http, listed, "Kermisg")  # only the embargoed one
    assert status == 200 and body["suggestions"] == []
    for q in ("Kermiso", "Kermis alleen"):
        assert (await _suggest(http, listed, q))[1]["suggestions"] == [], q
    assert (await _suggest(http, listed, "ke"))[1]["suggestions"] == []  # too short


@pytest.mark.parametrize(
    "q",
    [
        '*"()',
        '"kerm',
        'kerm"is "op',
        "NEAR(",
        "NEAR(kerm malie, 2)",
        "kerm\x00\x01\x1f\x7f",
        "\x00\x08",
        "title: kerm",
        "{filters}: kerm",
        "kerm AND OR NOT",
        "k" * 500,
        ("kerm " * 100)[:500],
    ],
)
async def test_hostile_text_gives_a_sane_answer_never_a_500(listed, http, q):
    status, body = await _search(http, listed, q=q)
    assert status == 200, body
    assert isinstance(body["items"], list)
    status, body = await _suggest(http, listed, q)
    assert status == 200 and isinstance(body["suggestions"], list)


async def test_an_over_long_query_is_refused_with_a_reason(listed, http):
    for call in (_search(http, listed, q="k" * 501), _suggest(http, listed, "k" * 501)):
        status, body = await call
        assert status == 422
        assert "500" in body["detail"] and body["detail"].startswith("q:")


async def test_library_search_every_word_in_any_field_wildcards_are_text(listed, http):
    async def library(q):
        async with http.get(
            listed.url("/api/v1/items"), params={"q": q}, headers=listed.auth("read")
        ) as r:
            assert r.status == 200
            return sorted(i["title"] for i in (await r.json())["items"])

    assert await library("coster kerm") == ["Kermis op het Malieveld"]  # credit + title
    assert await library("draaimol") == ["Kermis op het Malieveld"]  # summary
    assert await library("verkeer") == ["Nieuwe tram naar de Binckhorst"]  # tag
    assert await library("coster binck") == []  # every word must occur
    for q in ("%", "_", "\\", "%%kerm"):
        assert await library(q) == [], q
