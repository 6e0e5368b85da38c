"""Every hostile input is refused with a reason, and nothing is stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from protocol import keys
from protocol.vocab import CONTEXT
from tests.federation.harness import post_signed, rsa_key, signed_headers

AS2_BODY = {"Content-Type": "application/activity+json"}


def note(fake, path="/users/john", n=1, **extra) -> dict:
    actor = fake.base + path
    doc = {"@context": CONTEXT, "id": f"{actor}/statuses/{n}/activity", "type": "Create",
           "actor": actor, "object": {"id": f"{actor}/statuses/{n}", "type": "Note",
                                      "attributedTo": actor, "content": "hoi"}}  # fmt: skip
    doc.update(extra)
    return doc


async def stored(node) -> int:
    return await node.fed.store.read(
        lambda db: db.execute("SELECT count(*) FROM inbox_queue").fetchone()[0]
    )


async def problem(resp) -> dict:
    return json.loads(await resp.text())


async def test_valid_signed_create_is_accepted_and_handled(nodes, fake, http):
    a = await nodes(0)
    resp = await post_signed(http, a.base_url + "/inbox", note(fake), fake.key_id("/users/john"),
                             fake.key)  # fmt: skip
    assert resp.status == 202
    await a.fed.drain()
    assert len(a.received) == 1


async def test_unsigned_is_401(nodes, fake, http):
    a = await nodes(0)
    body = json.dumps(note(fake)).encode()
    headers = {"Content-Type": "application/activity+json"}
    async with http.post(a.base_url + "/inbox", data=body, headers=headers) as resp:
        assert resp.status == 401
        assert (await resp.json(content_type=None))["title"] == "signature.missing"
    assert await stored(a) == 0


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        ("text/plain", False),
        (None, False),
        ("application/json", False),
        ("application/ld+json", False),  # without the ActivityStreams profile
        ('application/ld+json; profile="https://www.w3.org/ns/mastodon"', False),
        ("application/activity+json", True),
        ("application/activity+json; charset=utf-8", True),
        ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', True),
    ],
)
async def test_content_type_must_be_activitystreams(nodes, fake, http, content_type, accepted):
    a = await nodes(0)
    url = a.base_url + "/inbox"
    body = json.dumps(note(fake)).encode()
    headers = signed_headers(url, body, fake.key_id("/users/john"), fake.key)
    headers.pop("Content-Type", None)
    if content_type is not None:
        headers["Content-Type"] = content_type
    async with http.post(url, data=body, headers=headers,
                         skip_auto_headers=["Content-Type"]) as resp:  # fmt: skip
        if accepted:
            assert resp.status == 202, await resp.text()
            return
        assert resp.status == 415 and resp.content_type == "application/problem+json"
        refusal = await problem(resp)
    assert refusal["title"] == "inbox.media_type"
    assert "application/activity+json" in refusal["detail"]
    assert await stored(a) == 0


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-16"),  # with its byte order mark
        lambda text: text.encode("utf-16-le"),
        lambda text: text.encode("utf-32"),
        lambda text: text.encode("latin-1"),
        lambda text: text.encode("utf-8")[:-3] + b"\xff\xfe}",  # one stray byte
    ],
    ids=["utf-16-bom", "utf-16-le", "utf-32", "latin-1", "stray-byte"],
)
async def test_body_that_is_not_utf8_is_400(nodes, fake, http, encode):
    a = await nodes(0)
    url = a.base_url + "/inbox"
    body = encode(json.dumps(note(fake, extra="café"), ensure_ascii=False))
    headers = signed_headers(url, body, fake.key_id("/users/john"), fake.key)  # a valid sender
    async with http.post(url, data=body, headers=headers) as resp:
        assert resp.status == 400, await resp.text()
        refusal = await problem(resp)
    assert refusal["title"] == "inbox.encoding" and refusal["detail"]
    assert await stored(a) == 0


async def test_utf8_byte_order_mark_is_ignored(nodes, fake, http):
    a = await nodes(0)
    url = a.base_url + "/inbox"
    body = b"\xef\xbb\xbf" + json.dumps(note(fake, extra="café"), ensure_ascii=False).encode()
    headers = signed_headers(url, body, fake.key_id("/users/john"), fake.key)
    async with http.post(url, data=body, headers=headers) as resp:
        assert resp.status == 202, await resp.text()
    await a.fed.drain()
    assert len(a.received) == 1


async def test_follow_whose_actor_is_not_the_signer(nodes, fake, http):
    a = await nodes(0)
    follow = {"@context": CONTEXT, "id": fake.base + "/users/eve/follow/1", "type": "Follow",
              "actor": fake.base + "/users/eve", "object": a.actor_url}  # fmt: skip
    body = json.dumps(follow).encode()
    headers = signed_headers(a.base_url + "/inbox", body, fake.key_id("/users/john"), fake.key)
    async with http.post(a.base_url + "/inbox", data=body, headers=headers) as resp:
        assert resp.status == 401
        assert "signature.actor" in await resp.text()
    assert await stored(a) == 0


async def test_object_claiming_another_host(nodes, fake, http):
    a = await nodes(0)
    doc = note(fake)
    doc["object"]["id"] = "https://elsewhere.example/statuses/1"
    resp = await post_signed(http, a.base_url + "/inbox", doc, fake.key_id("/users/john"), fake.key)
    assert resp.status == 403
    assert await stored(a) == 0


async def test_replayed_request_is_refused(nodes, fake, http):
    a = await nodes(0)
    url = a.base_url + "/inbox"
    body = json.dumps(note(fake)).encode()
    headers = signed_headers(url, body, fake.key_id("/users/john"), fake.key)
    async with http.post(url, data=body, headers=headers) as resp:
        assert resp.status == 202
    async with http.post(url, data=body, headers=headers) as resp:
        assert resp.status == 401
        assert "replayed" in await resp.text()
    assert await stored(a) == 1


async def test_date_two_hours_old(nodes, fake, http):
    a = await nodes(0)
    old = datetime.now(UTC) - timedelta(hours=2)
    resp = await post_signed(http, a.base_url + "/inbox", note(fake), fake.key_id("/users/john"),
                             fake.key, now=old)  # fmt: skip
    assert resp.status == 401
    assert await stored(a) == 0


async def test_three_mib_body_is_413(nodes, fake, http):
    a = await nodes(0)
    doc = note(fake, content="x" * (3 * 1024 * 1024))
    resp = await post_signed(http, a.base_url + "/inbox", doc, fake.key_id("/users/john"), fake.key)
    assert resp.status == 413
    assert await stored(a) == 0


async def _chunked(body: bytes, size: int = 65536):
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_chunked_body_is_counted_and_over_the_limit_is_413(nodes, fake, http):
    """Without a Content-Length the inbox counts the chunks: a small body is accepted,
    a 3 MiB one refused before it is all read, and nothing of it is stored."""
    a = await nodes(0)
    url = a.base_url + "/inbox"
    key_id = fake.key_id("/users/john")
    small = json.dumps(note(fake)).encode()
    async with http.post(url, data=_chunked(small, 100),
                         headers=signed_headers(url, small, key_id, fake.key)) as resp:  # fmt: skip
        assert resp.status == 202, await resp.text()
    assert await stored(a) == 1
    big = json.dumps(note(fake, n=2, content="x" * (3 * 1024 * 1024))).encode()
    async with http.post(url, data=_chunked(big),
                         headers=signed_headers(url, big, key_id, fake.key)) as resp:  # fmt: skip
        assert resp.status == 413
        assert (await problem(resp))["title"] == "inbox.too_large"
    assert await stored(a) == 1


async def test_garbage_and_remote_context(nodes, fake, http):
    a = await nodes(0)
    url = a.base_url + "/inbox"
    for body in (b"\x00\xffnot json", b"[1, 2]", b'{"id": 1}'):
        headers = signed_headers(url, body, fake.key_id("/users/john"), fake.key)
        async with http.post(url, data=body, headers=headers) as resp:
            assert resp.status == 400, body
    assert await stored(a) == 0


AS = "https://www.w3.org/ns/activitystreams"


async def test_unknown_context_is_accepted_without_fetching(nodes, fake, http):
    a = await nodes(0)
    fetched: list[str] = []

    async def context_doc(request):
        from aiohttp import web

        fetched.append(request.path)
        return web.json_response({"@context": {"type": "http://evil.example/t"}})

    fake.overrides["/ns/context.jsonld"] = context_doc
    ctx = [AS, fake.base + "/ns/context.jsonld", {"ex": "https://ex.example/#", "colour": "ex:c"}]
    doc = note(fake, **{"@context": ctx})
    resp = await post_signed(http, a.base_url + "/inbox", doc, fake.key_id("/users/john"),
                             fake.key)  # fmt: skip
    assert resp.status == 202, await resp.text()
    await a.fed.drain()
    assert len(a.received) == 1
    assert fetched == []


async def test_unsigned_garbage_with_odd_context_is_401(nodes, fake, http):
    a = await nodes(0)
    doc = note(fake, **{"@context": [AS, "https://unknown.example/ctx", {"type": None}]})
    body = json.dumps(doc).encode()
    async with http.post(a.base_url + "/inbox", data=body, headers=AS2_BODY) as resp:
        assert resp.status == 401
        assert (await resp.json(content_type=None))["title"] == "signature.missing"
    assert await stored(a) == 0


async def test_context_redefining_type_or_id_is_refused(nodes, fake, http):
    a = await nodes(0)
    url = a.base_url + "/inbox"
    for n, ctx in enumerate([
        [AS, {"type": "http://evil.example/t"}],
        [AS, {"id": None}],
        [AS, "https://unknown.example/ns", {"kind": "@type"}],
        [AS, {"actor": "http://evil.example/actor"}],
    ]):  # fmt: skip
        doc = note(fake, n=n + 1, **{"@context": ctx})
        resp = await post_signed(http, url, doc, fake.key_id("/users/john"), fake.key)
        assert resp.status == 400, ctx
        assert (await problem(resp))["title"] == "jsonld.redefined_term"
    doc = note(fake, n=9)
    doc["object"]["@context"] = {"type": "http://evil.example/t"}
    resp = await post_signed(http, url, doc, fake.key_id("/users/john"), fake.key)
    assert resp.status == 400
    assert await stored(a) == 0


async def test_unknown_key_and_forged_signature(nodes, fake, http):
    a = await nodes(0)
    url = a.base_url + "/inbox"

    async def gone(request):
        from aiohttp import web

        return web.Response(status=404)

    fake.overrides["/users/ghost"] = gone
    resp = await post_signed(http, url, note(fake, "/users/ghost"), fake.key_id("/users/ghost"),
                             fake.key)  # fmt: skip
    assert resp.status == 401
    url_body = json.dumps(note(fake, n=2)).encode()
    headers = signed_headers(url, url_body, fake.key_id("/users/john"), rsa_key(9))
    async with http.post(url, data=url_body, headers=headers) as forged:
        assert forged.status == 401
        assert (await problem(forged))["title"] == "signature.invalid"
    assert await stored(a) == 0


async def test_key_rotation_refetches_once(nodes, fake, http):
    a = await nodes(0)
    url = a.base_url + "/inbox"
    assert (await post_signed(http, url, note(fake, n=1), fake.key_id("/users/john"),
                              fake.key)).status == 202  # fmt: skip
    fake.key = rsa_key(6)  # the remote rotates its key
    fake.pem = keys.public_pem(fake.key)
    assert (await post_signed(http, url, note(fake, n=2), fake.key_id("/users/john"),
                              fake.key)).status == 202  # fmt: skip
    assert await stored(a) == 2


async def test_blocked_domain_and_closed_network(nodes, fake, http):
    """A rule, and its removal, take effect on the next request."""
    a = await nodes(0)
    key_id = fake.key_id("/users/john")
    resp = await post_signed(http, a.base_url + "/inbox", note(fake, n=10), key_id, fake.key)
    assert resp.status == 202
    await a.fed.set_domain_rule("127.0.0.1", "block")
    resp = await post_signed(http, a.base_url + "/inbox", note(fake), key_id, fake.key)
    assert resp.status == 403
    assert await a.fed.domain_rules() == {"127.0.0.1": "block"}
    await a.fed.set_domain_rule("127.0.0.1", None)
    resp = await post_signed(http, a.base_url + "/inbox", note(fake, n=11), key_id, fake.key)
    assert resp.status == 202
    await a.fed.set_domain_rule("127.0.0.1", "block")
    b = await nodes(1, closed_network=True)
    resp = await post_signed(http, b.base_url + "/inbox", note(fake, n=3),
                             fake.key_id("/users/john"), fake.key)  # fmt: skip
    assert resp.status == 403
    await b.fed.set_domain_rule("127.0.0.1", "allow")
    resp = await post_signed(http, b.base_url + "/inbox", note(fake, n=4),
                             fake.key_id("/users/john"), fake.key)  # fmt: skip
    assert resp.status == 202


async def test_rate_limit_per_host(nodes, fake, http):
    a = await nodes(0, inbox_rate_per_minute=2)
    codes = []
    for n in range(3):
        resp = await post_signed(http, a.base_url + "/inbox", note(fake, n=n),
                                 fake.key_id("/users/john"), fake.key)  # fmt: skip
        codes.append(resp.status)
    assert codes == [202, 202, 429]


async def test_bad_object_proof_is_refused(nodes, http):
    a, b = await nodes(0), await nodes(1)
    from federation import wire

    activity = {"@context": CONTEXT, "id": b.base_url + "/items/1/create", "type": "Create",
                "actor": b.actor_url, "object": {"id": b.base_url + "/items/1",
                                                 "type": "Article", "name": "x"}}  # fmt: skip
    signed = wire.add_proof(activity, b.fed.actor.ed25519_private_key, b.fed.actor.ed25519_key_id,
                            datetime.now(UTC))  # fmt: skip
    signed["object"]["name"] = "tampered"
    resp = await post_signed(http, a.base_url + "/inbox", signed, b.fed.actor.rsa_key_id,
                             b.fed.actor.rsa_private_key)  # fmt: skip
    assert resp.status == 401
    assert "proof" in await resp.text()
