"""Signatures are bound to this node: a request signed for another node is refused.

Every node has the same paths, so a signed request that partner B made for node C can
be replayed to node A on the same path; A must judge the signature against its own
base_url (scheme, host and port), not against what the request says.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

from federation.types import ResolvedObject
from protocol.httpsig import common, rfc9421, sfv, sign_rfc9421
from protocol.vocab import AS2_MEDIA_TYPE
from tests.federation.harness import signed_headers, start_node
from tests.federation.test_inbox_refusals import note, stored

AS2 = {"Accept": AS2_MEDIA_TYPE}


def target_uri_headers(url: str, body: bytes, key_id: str, key) -> dict[str, str]:
    """An RFC 9421 signature covering ``@target-uri`` (not ``@authority``) for ``url``."""
    parts = urlsplit(url)
    digest = common.b64(common.body_digest("sha-256", body))
    headers = {"Host": parts.netloc, "Date": common.http_date(datetime.now(UTC)),
               "Content-Type": AS2_MEDIA_TYPE, "Content-Digest": f"sha-256=:{digest}:"}  # fmt: skip
    params = {"created": int(datetime.now(UTC).timestamp()), "keyid": key_id,
              "alg": "rsa-v1_5-sha256"}  # fmt: skip
    inner = sfv.InnerList(
        [sfv.Item(c, {}) for c in ("@method", "@target-uri", "date", "content-digest")], params
    )
    base = rfc9421.signature_base(inner, "POST", parts.path, parts.scheme,
                                  common.lower_headers(headers))  # fmt: skip
    assert isinstance(base, bytes)
    headers["Signature-Input"] = f"sig1={sfv.serialize_inner_list(inner)}"
    headers["Signature"] = f"sig1=:{common.b64(common.sign_bytes(key, base))}:"
    return headers


async def test_get_signed_for_another_node_is_refused(nodes, http, tmp_path):
    media = tmp_path / "photo.jpg"
    media.write_bytes(b"\xff\xd8secret")
    partners: set[str] = set()

    async def resolve(path, requester):
        if path == "/items/secret":
            return ResolvedObject({"id": "s", "type": "Article"}, set(partners))
        if path == "/media/m1/original":
            return ResolvedObject(None, set(partners), file=(media, "image/jpeg", "e"))
        return None

    def configure(fed):
        fed.register_object_resolver("/items/", resolve)
        fed.register_object_resolver("/media/", resolve)

    a = await nodes(0, configure=configure)
    b, c = await nodes(1), await nodes(2)
    partners.add(b.actor_url)
    key_id, key = b.fed.actor.rsa_key_id, b.fed.actor.rsa_private_key
    a_host = urlsplit(a.base_url).netloc
    for path in ("/items/secret", "/media/m1/original"):
        # B signs a GET for C (same path); the request is replayed to A.
        headers = {**AS2, **signed_headers(c.base_url + path, b"", key_id, key, method="GET")}
        async with http.get(a.base_url + path, headers=headers) as resp:
            assert resp.status == 401, path
            body = await resp.json(content_type=None)
            assert body["title"] == "signature.host"
            assert "another host" in body["detail"]
        # The same replay with the Host header rewritten to A: the signature does not
        # verify for A, so the request is anonymous and the object stays hidden.
        headers["Host"] = a_host
        async with http.get(a.base_url + path, headers=headers) as resp:
            assert resp.status == 404, path
            assert b"secret" not in await resp.read()
        # B's genuine request for A is served.
        headers = {**AS2, **signed_headers(a.base_url + path, b"", key_id, key, method="GET")}
        async with http.get(a.base_url + path, headers=headers) as resp:
            assert resp.status == 200, path


async def test_post_signed_for_another_node_is_refused(nodes, fake, http):
    a, c = await nodes(0), await nodes(2)
    body = json.dumps(note(fake)).encode()
    key_id = fake.key_id("/users/john")
    headers = signed_headers(c.base_url + "/actor/inbox", body, key_id, fake.key)
    async with http.post(a.base_url + "/actor/inbox", data=body, headers=headers) as resp:
        assert resp.status == 401
        assert (await resp.json(content_type=None))["title"] == "signature.host"
    # A Host header that differs from the signed host: rewritten to A, it no longer
    # matches what was signed.
    headers["Host"] = urlsplit(a.base_url).netloc
    async with http.post(a.base_url + "/actor/inbox", data=body, headers=headers) as resp:
        assert resp.status == 401
        problem = await resp.json(content_type=None)
        assert problem["title"] == "signature.invalid"
        assert "another host" in problem["detail"]
    # RFC 9421 signed for C's authority, replayed to A.
    headers = sign_rfc9421("POST", c.base_url + "/actor/inbox", {"Content-Type": AS2_MEDIA_TYPE},
                           body, key_id, fake.key, datetime.now(UTC))  # fmt: skip
    headers["Host"] = urlsplit(a.base_url).netloc
    async with http.post(a.base_url + "/actor/inbox", data=body, headers=headers) as resp:
        assert resp.status == 401
    assert await stored(a) == 0


async def test_target_uri_with_another_scheme_or_port(nodes, fake, http):
    a = await nodes(0)
    url = a.base_url + "/inbox"
    parts = urlsplit(url)
    key_id = fake.key_id("/users/john")
    wrong = (f"https://{parts.netloc}/inbox",  # another scheme
             f"http://{parts.hostname}:{parts.port + 1}/inbox")  # another port  # fmt: skip
    for n, signed_for in enumerate(wrong):
        body = json.dumps(note(fake, n=n)).encode()
        headers = target_uri_headers(signed_for, body, key_id, fake.key)
        headers["Host"] = parts.netloc
        async with http.post(url, data=body, headers=headers) as resp:
            assert resp.status == 401, signed_for
    assert await stored(a) == 0
    body = json.dumps(note(fake, n=9)).encode()
    headers = target_uri_headers(url, body, key_id, fake.key)
    async with http.post(url, data=body, headers=headers) as resp:
        assert resp.status == 202


async def test_https_base_url_behind_a_tls_proxy(tmp_path, fake, http):
    """base_url is https, the request arrives over plain http (as from a TLS proxy)."""
    a = await start_node(tmp_path / "proxied", 0, scheme="https")
    try:
        port = urlsplit(a.base_url).port
        served = f"http://127.0.0.1:{port}/inbox"
        public = f"https://127.0.0.1:{port}/inbox"
        key_id = fake.key_id("/users/john")
        body = json.dumps(note(fake, n=1)).encode()
        headers = target_uri_headers(public, body, key_id, fake.key)
        async with http.post(served, data=body, headers=headers) as resp:
            assert resp.status == 202, await resp.text()
        body = json.dumps(note(fake, n=2)).encode()
        headers = sign_rfc9421("POST", public, {"Content-Type": AS2_MEDIA_TYPE}, body, key_id,
                               fake.key, datetime.now(UTC))  # fmt: skip
        async with http.post(served, data=body, headers=headers) as resp:
            assert resp.status == 202, await resp.text()
        body = json.dumps(note(fake, n=3)).encode()
        headers = signed_headers(public, body, key_id, fake.key)
        async with http.post(served, data=body, headers=headers) as resp:
            assert resp.status == 202, await resp.text()
        # Signed with the scheme the request arrived over, it is not for this node.
        body = json.dumps(note(fake, n=4)).encode()
        headers = target_uri_headers(served, body, key_id, fake.key)
        async with http.post(served, data=body, headers=headers) as resp:
            assert resp.status == 401
        assert await stored(a) == 3
    finally:
        await a.stop()
