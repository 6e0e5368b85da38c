"""Embargo and expiry input: the parser, the API, the editor form and migration 10.

Each bad value is refused with a reason naming the field, and nothing is stored;
good values with any offset from −12:00 to +14:00 become one canonical UTC
moment and compare as moments.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import aiohttp
import pytest
import sqlite_utils

from node.core.clock import iso, utcnow
from node.core.db import schema_instants
from node.core.errors import Conflict
from node.core.storage import migrate
from node.items import visibility
from protocol.instants import canonical_instant, parse_instant
from protocol.result import Failure

PROBLEM = "application/problem+json"


def in_zone(moment: dt.datetime, hours: int) -> str:
    return moment.astimezone(dt.timezone(dt.timedelta(hours=hours))).isoformat()


# -- the pure parser -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T06:00:00-05:00", "2026-12-01T11:00:00.000000Z"),
        ("2026-12-01T06:00:00+14:00", "2026-11-30T16:00:00.000000Z"),
        ("2026-12-01T06:00:00-12:00", "2026-12-01T18:00:00.000000Z"),
        ("2026-12-01T06:00:00.5z", "2026-12-01T06:00:00.500000Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z"),
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000000Z"),
    ],
)
def test_instants_become_one_canonical_utc_text(text, expected) -> None:
    assert canonical_instant(text) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2026-12-01T06:00:00", "instant.no_zone"),
        ("2026-12-01", "instant.unparseable"),
        ("volgende week", "instant.unparseable"),
        ("2026-02-30T10:00:00Z", "instant.unparseable"),
        ("", "instant.unparseable"),
        (1767225600, "instant.not_text"),
        ("2026-12-01T06:00:00+15:00", "instant.bad_offset"),
        ("1969-12-31T23:59:59Z", "instant.out_of_range"),
        ("0001-01-01T00:00:00Z", "instant.out_of_range"),
        ("9999-12-31T23:00:00-05:00", "instant.out_of_range"),
    ],
)
def test_instants_refused_with_a_reason(value, code) -> None:
    result = parse_instant(value)
    assert isinstance(result, Failure) and result.code == code and result.detail


def test_the_rule_compares_moments_not_text() -> None:
    now = utcnow()
    ahead = in_zone(now + dt.timedelta(hours=3), -5)
    assert ahead < iso(now)  # as text it looks past
    assert visibility.is_embargoed({"embargo_until": ahead}, now)
    assert not visibility.is_embargoed({"embargo_until": in_zone(now - dt.timedelta(hours=1), 14)})
    assert visibility.is_expired({"expires_at": in_zone(now - dt.timedelta(seconds=1), -12)}, now)
    assert visibility.is_embargoed({"embargo_until": "niet te lezen"}, now)  # fail closed
    assert visibility.is_expired({"expires_at": "niet te lezen"}, now)
    with pytest.raises(Conflict) as caught:
        visibility.check_usable({"embargo_until": ahead}, now)
    assert caught.value.code == "embargoed" and caught.value.extra["embargo_until"] == ahead
    with pytest.raises(Conflict) as caught:
        visibility.check_usable({"expires_at": iso(now)}, now)
    assert caught.value.code == "expired"


# -- the API ---------------------------------------------------------------------------


async def _post(http, node, **fields):
    body = {"kind": "article", "title": "Tijdstip", **fields}
    async with http.post(node.url("/api/v1/items"), json=body, headers=node.auth("write")) as r:
        return r.status, r.content_type, await r.json()


async def _count(node) -> int:
    async with aiohttp.ClientSession() as s:
        async with s.get(node.url("/api/v1/items?limit=100"), headers=node.auth("read")) as r:
            return len((await r.json())["items"])


BAD = [
    ("2030-01-01T10:00:00", "no time zone"),
    ("30 februari", "not an ISO 8601"),
    ("2030-01-01T10:00:00+15:00", "±14:00"),
    ("1900-01-01T00:00:00Z", "outside the years 1970 to 9999"),
    ("9999-12-31T23:00:00-05:00", "after the year 9999"),
]


@pytest.mark.parametrize("field", ["embargo_until", "expires_at"])
@pytest.mark.parametrize(("value", "reason"), BAD)
async def test_api_refuses_bad_embargo_and_expiry(node, http, field, value, reason):
    status, content_type, problem = await _post(http, node, **{field: value})
    assert status == 422 and content_type == PROBLEM
    assert problem["detail"].startswith(f"{field}:") and reason in problem["detail"]
    assert await _count(node) == 0
    # PATCH: refused too, and the item stays as it was
    status, _, item = await _post(http, node)
    assert status == 201
    url = node.url(f"/api/v1/items/{item['id']}")
    async with http.patch(url, json={field: value}, headers=node.auth("write")) as r:
        assert r.status == 422 and reason in (await r.json())["detail"]
    async with http.get(url, headers=node.auth("read")) as r:
        after = await r.json()
    assert after[field] is None and after["version"] == 1


@pytest.mark.parametrize("hours", [14, -12])
async def test_api_stores_extreme_offsets_as_the_same_moment(node, http, hours):
    now = utcnow()
    embargo, expiry = now + dt.timedelta(hours=1), now + dt.timedelta(days=2)
    status, _, item = await _post(
        http, node, embargo_until=in_zone(embargo, hours), expires_at=in_zone(expiry, hours)
    )
    assert status == 201
    assert item["embargo_until"] == iso(embargo) and item["expires_at"] == iso(expiry)
    async with http.get(node.url("/api/v1/items?embargoed=true"), headers=node.auth("read")) as r:
        assert [i["id"] for i in (await r.json())["items"]] == [item["id"]]
    # an embargo an hour ago, written at +14:00, is past (text would say future)
    url = node.url(f"/api/v1/items/{item['id']}")
    past = in_zone(now - dt.timedelta(hours=1), 14)
    async with http.patch(url, json={"embargo_until": past}, headers=node.auth("write")) as r:
        assert r.status == 200, await r.text()
    async with http.get(node.url("/api/v1/items?embargoed=false"), headers=node.auth("read")) as r:
        assert [i["id"] for i in (await r.json())["items"]] == [item["id"]]


async def test_api_refuses_expiry_before_embargo_across_offsets(node, http):
    # 10:00-05:00 is 15:00Z: the expiry at 12:00Z comes before it, whatever the text says
    status, _, problem = await _post(
        http,
        node,
        embargo_until="2030-01-01T10:00:00-05:00",
        expires_at="2030-01-01T12:00:00Z",
    )
    assert status == 422 and "expires_at" in problem["detail"]
    assert await _count(node) == 0


# -- the editor form ---------------------------------------------------------------------


async def _editor_session(node) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.get(node.url("/admin/login")) as r:
        csrf = re.search(r'name="csrf" value="([^"]+)"', await r.text()).group(1)
    form = {"username": "admin", "password": node.admin_password, "csrf": csrf}
    async with session.post(node.url("/admin/login"), data=form) as r:
        assert r.status == 200 and "/admin/login" not in str(r.url), str(r.url)
    return session


async def _save(session, node, item_id: str, **fields) -> tuple[int, str]:
    async with session.get(node.url(f"/admin/items/{item_id}")) as r:
        page = await r.text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = {"csrf": csrf, "title": "Tijdstip", "language": "nl", **fields}
    async with session.post(
        node.url(f"/admin/items/{item_id}"), data=form, allow_redirects=False
    ) as r:
        return r.status, await r.text()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("morgen om tien", "Geen geldige datum en tijd."),
        ("2030-01-01T10:00+15:00", "±14:00"),
        # the editor reads the rule in words, never the node's English detail
        ("1900-01-01T10:00", "Kies een datum tussen 1970 en 9999."),
        ("9999-12-31T23:30-12:00", "Kies een datum tussen 1970 en 9999."),
    ],
)
@pytest.mark.parametrize("field", ["embargo_until", "expires_at"])
async def test_editor_form_refuses_bad_embargo_and_expiry(node, http, field, value, shown):
    status, _, item = await _post(http, node)
    session = await _editor_session(node)
    try:
        status, page = await _save(session, node, item["id"], **{field: value})
    finally:
        await session.close()
    assert status == 422 and shown in page
    async with http.get(node.url(f"/api/v1/items/{item['id']}"), headers=node.auth()) as r:
        after = await r.json()
    assert after[field] is None and after["version"] == 1


async def test_editor_form_stores_offsets_and_local_time_as_utc(node, http):
    status, _, item = await _post(http, node)
    session = await _editor_session(node)
    try:
        status, _ = await _save(
            session,
            node,
            item["id"],
            embargo_until="2030-01-01T06:00-05:00",
            expires_at="2030-07-01T10:00",  # local (Amsterdam summer time, +02:00)
        )
    finally:
        await session.close()
    assert status in (302, 303)
    async with http.get(node.url(f"/api/v1/items/{item['id']}"), headers=node.auth()) as r:
        after = await r.json()
    assert after["embargo_until"] == "2030-01-01T11:00:00.000000Z"
    assert after["expires_at"] == "2030-07-01T08:00:00.000000Z"


# -- migration 10 --------------------------------------------------------------------------


def test_migration_rewrites_stored_values_into_the_canonical_form(tmp_path) -> None:
    path = tmp_path / "node.core.db"
    migrate(path)
    db = sqlite3.connect(path)
    rows = [
        ("a", "2026-12-01T06:00:00-05:00", "2027-01-01T00:00:00+14:00"),
        ("b", "2026-12-01T06:00:00", "2027-01-01T00:00:00"),
        ("c", "onleesbaar", None),
        ("d", "2026-12-01T11:00:00.000000Z", ""),
    ]
    for object_id, embargo, expiry in rows:
        db.execute(
            "INSERT INTO incoming_shares (id, object_id, origin_actor, activity_id, kind, title,"
            " document, embargo_until, expires_at, state, received_at, updated_at)"
            " VALUES (?, ?, 'https://a.example/actor', ?, 'article', 't', '{}', ?, ?,"
            " 'offered', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
            [object_id, f"https://a.example/{object_id}", object_id, embargo, expiry],
        )
    db.commit()
    # rows as older code stored them; migration 10 rewrites them
    schema_instants._canonical_instants(sqlite_utils.Database(db))
    db.commit()
    got = {
        r[0]: (r[1], r[2])
        for r in db.execute("SELECT id, embargo_until, expires_at FROM incoming_shares")
    }
    assert got["a"] == ("2026-12-01T11:00:00.000000Z", "2026-12-31T10:00:00.000000Z")
    # zone-less, failing closed: embargo read at −12:00, expiry at +14:00
    assert got["b"] == ("2026-12-01T18:00:00.000000Z", "2026-12-31T10:00:00.000000Z")
    assert got["c"] == ("onleesbaar", None)
    assert got["d"] == ("2026-12-01T11:00:00.000000Z", None)
