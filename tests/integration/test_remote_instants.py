"""Embargo and expiry in remote Offers and Updates, between two real nodes.

Each bad value is refused with a reason and stores nothing; each good one is
stored as one canonical UTC moment, so an embargo written with a negative
offset (``…-05:00``, three hours ahead) is honoured by the partner.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from node.core.appkeys import DB, IDENTITY
from node.core.clock import iso, utcnow
from node.sharing.objects import activity_id, item_object
from node.sharing.services import SERVICES
from protocol import activities
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for
from tests.integration.test_sharing_refusals import settle, shares


@pytest.fixture
async def pair(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    await make_partners(http, a, b)
    return a, b


def _offset_text(moment: dt.datetime, hours: int) -> str:
    """``moment`` written in a UTC offset of ``hours`` (e.g. -5 → …-05:00)."""
    zone = dt.timezone(dt.timedelta(hours=hours))
    return moment.astimezone(zone).replace(microsecond=0).isoformat()


async def _send(origin, target, verb: str, item: dict, **terms) -> None:
    identity = origin.app[IDENTITY]
    to = [target.url("/actor")]
    obj = {**item_object(identity, item, to), **terms}
    make = activities.offer if verb == "Offer" else activities.update
    activity = make(activity_id(identity), identity.actor_url, obj, to=to)
    await origin.app[SERVICES].federation.publish(activity, to)
    await settle(origin, target)


async def _share_rows(node) -> list[dict]:
    return await node.app[DB].read(
        lambda db: list(db.query("SELECT * FROM incoming_shares ORDER BY received_at"))
    )


async def test_offer_with_minus_five_embargo_three_hours_ahead_is_refused_for_use(pair, http):
    a, b = pair
    item = await create_item_with_photo(http, a, title="Begroting")
    ahead = utcnow() + dt.timedelta(hours=3)
    written = _offset_text(ahead, -5)  # as text it sorts *before* now in UTC
    assert written < iso()
    await _send(a, b, "Offer", item, embargoUntil=written)
    found = await wait_for(lambda: shares(http, b), what="the share")
    assert found[0]["embargo_until"] == iso(ahead.replace(microsecond=0))
    assert found[0]["embargoed"] is True
    body = await api(http, b, "POST", f"/api/v1/shared-with-us/{found[0]['id']}/use", expect=409)
    assert body["type"].endswith("embargoed") and body["embargo_until"]
    copies = await b.app[DB].read(lambda db: db.execute("SELECT count(*) FROM items").fetchone())
    assert copies[0] == 0


@pytest.mark.parametrize("hours", [14, -12])
async def test_offer_with_extreme_offsets_is_stored_as_the_same_moment(pair, http, hours):
    a, b = pair
    item = await create_item_with_photo(http, a, title=f"Offset {hours}")
    embargo = utcnow() + dt.timedelta(hours=2)
    expiry = utcnow() + dt.timedelta(days=3)
    await _send(
        a,
        b,
        "Offer",
        item,
        embargoUntil=_offset_text(embargo, hours),
        expiresAt=_offset_text(expiry, hours),
    )
    found = (await wait_for(lambda: shares(http, b), what="the share"))[0]
    assert found["embargo_until"] == iso(embargo.replace(microsecond=0))
    assert found["expires_at"] == iso(expiry.replace(microsecond=0))
    assert found["embargoed"] is True
    body = await api(http, b, "POST", f"/api/v1/shared-with-us/{found['id']}/use", expect=409)
    assert body["type"].endswith("embargoed") and body["embargo_until"]


BAD_TERMS = [
    ({"embargoUntil": "2030-01-01T10:00:00"}, "no time zone"),
    ({"expiresAt": "2030-01-01T10:00:00"}, "no time zone"),
    ({"embargoUntil": "morgen om tien uur"}, "not an ISO 8601"),
    ({"expiresAt": "2030-13-45T99:00:00Z"}, "not an ISO 8601"),
    ({"embargoUntil": "0001-01-01T00:00:00Z"}, "outside the years"),
    ({"expiresAt": "9999-12-31T23:00:00-05:00"}, "after the year 9999"),
    ({"embargoUntil": "2030-01-01T10:00:00+15:00"}, "at most ±14:00"),
]


@pytest.mark.parametrize(("terms", "reason"), BAD_TERMS)
async def test_offer_with_bad_embargo_or_expiry_stores_nothing(pair, http, caplog, terms, reason):
    a, b = pair
    item = await create_item_with_photo(http, a, title="Slecht tijdstip")
    with caplog.at_level(logging.INFO):
        await _send(a, b, "Offer", item, **terms)
    assert await _share_rows(b) == []
    assert any(reason in r.getMessage() for r in caplog.records), [
        r.getMessage() for r in caplog.records
    ]


@pytest.mark.parametrize(("terms", "reason"), BAD_TERMS[:4])
async def test_update_with_bad_embargo_or_expiry_changes_nothing(pair, http, caplog, terms, reason):
    a, b = pair
    item = await create_item_with_photo(http, a, title="Eerst goed")
    await _send(a, b, "Offer", item)
    before = await wait_for(lambda: _share_rows(b), what="the share")
    with caplog.at_level(logging.INFO):
        await _send(a, b, "Update", {**item, "title": "Daarna fout"}, **terms)
    after = await _share_rows(b)
    assert after == before
    assert after[0]["title"] == "Eerst goed" and after[0]["embargo_until"] is None
    assert any(reason in r.getMessage() for r in caplog.records)


async def test_update_adding_a_negative_offset_embargo_is_honoured(pair, http):
    a, b = pair
    item = await create_item_with_photo(http, a, title="Nog vrij")
    await _send(a, b, "Offer", item)
    await wait_for(lambda: shares(http, b), what="the share")
    ahead = utcnow() + dt.timedelta(hours=3)
    await _send(a, b, "Update", item, embargoUntil=_offset_text(ahead, -5))
    found = (await shares(http, b))[0]
    assert found["embargo_until"] == iso(ahead.replace(microsecond=0)) and found["embargoed"]
    body = await api(http, b, "POST", f"/api/v1/shared-with-us/{found['id']}/use", expect=409)
    assert body["type"].endswith("embargoed") and body["embargo_until"]
