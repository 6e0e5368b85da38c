"""The usage report on real nodes: counts match what was done; the coordinator's inbox."""

from __future__ import annotations

import asyncio
import csv
import io
import json

from node.core.appkeys import DB, IDENTITY
from node.services import usage, usage_network
from node.services.usage_network import report_object
from node.sharing.objects import activity_id
from node.sharing.services import SERVICES
from protocol import activities
from tests.integration.fake_fediverse import FakeFediverse, follow
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for

LAST_MONTH = usage.current_period("month").previous().label


async def settle(*nodes) -> None:
    for _ in range(3):
        for node in nodes:
            await node.app[SERVICES].outbox.run_once()
            await node.app[SERVICES].federation.drain()
        await asyncio.sleep(0.05)


async def figures(http, node, query: str = "") -> dict:
    return (await api(http, node, "GET", f"/api/v1/usage{query}", scope="read", expect=200))[
        "figures"
    ]


def stored_bytes(node) -> int:
    media = node.settings.media_dir
    files = [p for p in media.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files if "tmp" not in p.relative_to(media).parts)


async def test_counts_match_what_was_done(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    await make_partners(http, a, b)
    before = await figures(http, a)
    assert before["items_made"] == 0 and before["feed_requests"] == 0
    citizens = FakeFediverse(2)
    await citizens.start()
    for i in range(2):
        await follow(http, citizens, i, a.url("/actor"))

    shared = await create_item_with_photo(http, a, title="Gedeeld")
    listed = await create_item_with_photo(http, a, title="In de mediatheek")
    await api(http, a, "POST", "/api/v1/items", json={"kind": "article", "title": "Concept"})
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{shared['id']}/audience",
        json={"partners": [b.url("/actor")], "mediatheek": False, "public": False},
        expect=200,
    )
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{listed['id']}/audience",
        json={"partners": [], "mediatheek": True, "public": True},
        expect=200,
    )
    await settle(a, b)

    async def offered():
        return (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]

    share = (await wait_for(offered, what="the share at B"))[0]
    copy = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use", expect=201)
    for channel in ("website", "tv"):
        await api(http, b, "POST", f"/api/v1/items/{copy['id']}/publish", json={"channel": channel})
    await settle(a, b)

    for name in ("rss.xml", "atom.xml", "feed.json"):
        async with http.get(a.url(f"/feeds/{name}")) as r:
            assert r.status == 200
    async with http.get(a.url("/feeds/rss.xml?kind=nope")) as r:
        assert r.status == 422  # refused: not counted
    for _ in range(2):
        async with http.get(a.url(f"/embed/{listed['id']}")) as r:
            assert r.status == 200
    screen = await api(http, a, "POST", "/api/v1/wall-screens", json={"name": "Hal"}, expect=201)
    async with http.get(screen["url"]) as r:
        assert r.status == 200
    async with http.get(screen["url"] + "/feed.json") as r:
        assert r.status == 200

    async def reported():
        got = await figures(http, a)
        return got["publications_by_partners"] == 2 and got

    got = await wait_for(reported, what="A to count B's use and publications")
    await settle(a, b)
    got = await figures(http, a)
    await citizens.stop()
    deliveries = a.app[DB]
    delivered = await deliveries.read(
        lambda db: db.execute("SELECT count(*) FROM deliveries WHERE state='delivered'").fetchone()[
            0
        ]
    )
    assert got == {
        "items_made": 3,
        "items_shared": 1,
        "items_listed": 1,
        "uses_by_partners": 1,
        "uses_of_partner_items": 0,
        "publications_by_partners": 2,
        "publications_reported": 0,
        "followers": 2,
        "new_followers": 2,
        "feed_requests": 3,
        "embed_requests": 2,
        "wall_requests": 2,
        "wall_screens": 1,
        "wall_screens_active": 1,
        "deliveries_sent": delivered,
        "storage_bytes": stored_bytes(a),
    }
    assert delivered >= 2  # the Offer and the listing reached B
    at_b = await figures(http, b)
    assert at_b["uses_of_partner_items"] == 1 and at_b["publications_reported"] == 2
    assert at_b["items_made"] == 0 and at_b["uses_by_partners"] == 0
    assert at_b["storage_bytes"] == stored_bytes(b) > 0

    # The same figures by quarter and year; last month had none of it.
    this_month = usage.current_period("month").label
    quarter = usage.current_period("quarter").label
    assert (await figures(http, a, f"?period=quarter&at={quarter}"))["items_made"] == 3
    assert (await figures(http, a, "?period=year"))["feed_requests"] == 3
    assert (await figures(http, a, f"?at={LAST_MONTH}"))["items_made"] == 0
    report = await api(http, a, "GET", f"/api/v1/usage?at={this_month}", scope="read")
    day = (
        usage.current_period("month")
        .buckets()
        .index(__import__("node.channels.reach", fromlist=["local_day"]).local_day())
    )
    assert report["series"]["items_made"][day] == 3
    assert sum(report["series"]["feed_requests"]) == 3

    # CSV, by Accept header and by suffix: parses, and the total row is the JSON figures.
    for path, headers in (
        ("/api/v1/usage", {"Accept": "text/csv", **a.auth("read")}),
        ("/api/v1/usage.csv", a.auth("read")),
    ):
        async with http.get(a.url(path), headers=headers) as r:
            assert r.status == 200 and r.content_type == "text/csv"
            rows = list(csv.DictReader(io.StringIO(await r.text())))
        total = rows[-1]
        assert total["period"] == "month" and total["at"] == this_month
        assert {f: int(total[f]) for f in usage.FIGURES} == got
        assert sum(int(r["feed_requests"]) for r in rows[:-1]) == 3


async def test_bad_parameters_are_refused_with_the_parameter_named(node, http):
    cases = {
        "?period=week": "period",
        "?at=2026-13": "at",
        "?at=garbage": "at",
        "?period=quarter&at=2026-Q5": "at",
        "?period=year&at=2999": "at",
        f"?at={int(LAST_MONTH[:4]) + 1}-{LAST_MONTH[5:]}": "at",
    }
    for query, parameter in cases.items():
        async with http.get(node.url(f"/api/v1/usage{query}"), headers=node.auth("read")) as r:
            assert r.status == 422, query
            assert r.content_type == "application/problem+json"
            body = await r.json()
        assert body["detail"].startswith(f"{parameter}:"), (query, body)
    async with http.get(node.url("/api/v1/usage")) as r:
        assert r.status == 401


async def _overview(http, coordinator, at=LAST_MONTH):
    return await api(http, coordinator, "GET", f"/api/v1/usage/network?at={at}", expect=200)


async def test_participant_reports_to_the_coordinator(node_factory, http):
    coordinator = await node_factory("Stadsomroep Den Haag", usage_collect_reports=True)
    coord_actor = coordinator.url("/actor")
    participant = await node_factory(
        "WijkTV Den Haag", usage_coordinator=coord_actor, usage_report_opt_in=True
    )
    silent = await node_factory("Gemeente Den Haag", usage_coordinator=coord_actor)
    await make_partners(http, participant, coordinator)
    await make_partners(http, silent, coordinator)

    sent = await api(
        http, participant, "POST", "/api/v1/usage/send", json={"at": LAST_MONTH}, expect=200
    )
    assert sent["sent"] is True and sent["coordinator"] == coord_actor
    assert set(sent["figures"]) == set(usage.FIGURES)
    nothing = await api(http, silent, "POST", "/api/v1/usage/send", json={}, expect=200)
    assert nothing["sent"] is False and "opted in" in nothing["reason"]
    # The nightly job: last month already went to this coordinator; the silent node sends nothing.
    assert await usage_network.send_due(participant.app) is None
    assert await usage_network.send_due(silent.app) is None
    await settle(participant, silent, coordinator)

    async def row():
        rows = (await _overview(http, coordinator))["rows"]
        return rows

    rows = await wait_for(row, what="the participant's row at the coordinator")
    assert [r["actor"] for r in rows] == [participant.url("/actor")]  # not the silent one
    assert rows[0]["name"] == "WijkTV Den Haag" and rows[0]["kind"] == "unknown"
    assert rows[0]["figures"] == sent["figures"]
    # The report carries counts only: no item content travels.
    sent_body = await participant.app[DB].read(
        lambda db: db.execute("SELECT body FROM outbox WHERE body LIKE '%UsageReport%'").fetchall()
    )
    assert len(sent_body) == 1
    obj = json.loads(sent_body[0][0])["object"]
    assert set(obj) == {"id", "type", "attributedTo", "usagePeriod", "usageFigures"}
    silent_sent = await silent.app[DB].read(
        lambda db: db.execute(
            "SELECT count(*) FROM outbox WHERE body LIKE '%UsageReport%'"
        ).fetchone()[0]
    )
    assert silent_sent == 0

    await api(
        http,
        coordinator,
        "PUT",
        "/api/v1/usage/participants",
        json={"actor": participant.url("/actor"), "kind": "community"},
        expect=200,
    )
    assert (await _overview(http, coordinator))["rows"][0]["kind"] == "community"
    bad = await api(
        http,
        coordinator,
        "PUT",
        "/api/v1/usage/participants",
        json={"actor": participant.url("/actor"), "kind": "rich"},
        expect=422,
    )
    assert bad["detail"].startswith("kind:")
    await api(
        http,
        coordinator,
        "PUT",
        "/api/v1/usage/participants",
        json={"actor": "http://127.0.0.1:1/actor", "kind": "commercial"},
        expect=404,
    )
    # The current month is not over: nothing is sent, with the reason.
    this_month = usage.current_period("month").label
    early = await api(
        http, participant, "POST", "/api/v1/usage/send", json={"at": this_month}, expect=422
    )
    assert "not over yet" in early["detail"]


def _report(node, period=LAST_MONTH, attributed=None, **figures):
    identity = node.app[IDENTITY]
    obj = report_object(identity, period, {f: 1 for f in usage.FIGURES})
    obj["usageFigures"].update(figures)
    if attributed is not None:
        obj["attributedTo"] = attributed
    return obj


async def _send(node, target, obj) -> dict:
    identity = node.app[IDENTITY]
    activity = activities.create(activity_id(identity), identity.actor_url, obj, to=[target])
    await node.app[SERVICES].federation.publish(activity, [target])
    return activity


async def test_refused_reports_store_nothing(node_factory, http):
    coordinator = await node_factory("Stadsomroep Den Haag", usage_collect_reports=True)
    coord_actor = coordinator.url("/actor")
    partner = await node_factory("WijkTV Den Haag")
    other = await node_factory("Gemeente Den Haag")
    stranger = await node_factory("Onbekende Omroep")
    await make_partners(http, partner, coordinator)
    await make_partners(http, other, coordinator)

    # Not a partner.
    await _send(stranger, coord_actor, _report(stranger))
    # Attributed to another participant (a partner speaking for a partner).
    await _send(partner, coord_actor, _report(partner, attributed=other.url("/actor")))
    # Counts that are not non-negative whole numbers; periods that are not past months.
    await _send(partner, coord_actor, _report(partner, items_made=-1))
    await _send(partner, coord_actor, _report(partner, feed_requests=1.5))
    await _send(partner, coord_actor, _report(partner, period="2026-13"))
    await _send(partner, coord_actor, _report(partner, period="2999-01"))
    await _send(partner, coord_actor, _report(partner, period="0000-01"))
    await _send(partner, coord_actor, _report(partner, items_made=True))
    await settle(stranger, partner, coordinator)

    # A bad signature: signed, then the body changed on the way.
    identity = partner.app[IDENTITY]
    activity = activities.create(
        activity_id(identity), identity.actor_url, _report(partner), to=[coord_actor]
    )
    body = json.dumps(activity).encode()
    inbox = coordinator.url("/inbox")
    headers = partner.app[SERVICES].federation.signer.post(inbox, body)
    forged = body.replace(b'"items_made": 1', b'"items_made": 9000')
    assert forged != body
    async with http.post(inbox, data=forged, headers=headers) as r:
        assert r.status == 401
    await settle(coordinator)
    assert (await _overview(http, coordinator))["rows"] == []

    # The same partner's well-formed report is then accepted (the checks were the reason).
    await _send(partner, coord_actor, _report(partner))
    await settle(partner, coordinator)
    rows = await wait_for(
        lambda: _rows(http, coordinator), what="the well-formed report to be stored"
    )
    assert [r["actor"] for r in rows] == [partner.url("/actor")]
    assert rows[0]["figures"]["items_made"] == 1


async def _rows(http, coordinator):
    return (await _overview(http, coordinator))["rows"]


async def test_a_node_that_is_no_coordinator_refuses_reports(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag", usage_coordinator="", usage_report_opt_in=True)
    await make_partners(http, a, b)
    await _send(b, a.url("/actor"), _report(b))
    await settle(a, b)
    assert (await _overview(http, a))["rows"] == []
    assert (await _overview(http, a))["collecting"] is False


async def test_reach_is_counted_in_batches_and_kept_at_shutdown(node_factory, http):
    """No write per request: the counts wait in memory until a flush or the node stops."""
    from node.core.db.database import connect

    node = await node_factory("Stadsomroep Den Haag", usage_counter_flush_seconds=3600)
    for _ in range(25):
        async with http.get(node.url("/feeds/feed.json")) as r:
            assert r.status == 200
    rows = await node.app[DB].read(
        lambda db: db.execute("SELECT count(*) FROM usage_counters").fetchone()[0]
    )
    assert rows == 0  # nothing written on the request path
    await node.runner.cleanup()  # the node stops: what was counted is written once
    db = connect(node.settings.db_path)
    try:
        stored = db.execute("SELECT channel, n FROM usage_counters").fetchall()
    finally:
        db.conn.close()
    assert stored == [("feed", 25)]
