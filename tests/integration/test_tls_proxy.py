"""A node behind a real TLS-terminating nginx (private CA), reached only through it.

The node listens on plain http; its base_url is the proxy's https address. Both
signature schemes must verify through the proxy (RFC 9421 judged against base_url,
draft-cavage against the Host header nginx passes through), and a signature made for
another host, scheme or port must still be refused.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiohttp
import pytest

from federation.types import ResolvedObject
from protocol.httpsig import common, rfc9421, sfv, sign_rfc9421
from protocol.vocab import AS2_MEDIA_TYPE, CONTEXT
from tests.federation.harness import FakeActors, Node, free_port, signed_headers, start_node
from tests.integration.network import wait_for
from tests.integration.tls_proxy import TlsProxy, prepare_tls_proxy, running_tls_proxy

AS2 = {"Accept": AS2_MEDIA_TYPE}
SECRET = {"id": "secret", "type": "Article", "content": "alleen voor partners"}


def note(fake: FakeActors, n: int) -> dict:
    actor = fake.base + "/users/john"
    return {"@context": CONTEXT, "id": f"{actor}/statuses/{n}/activity", "type": "Create",
            "actor": actor, "object": {"id": f"{actor}/statuses/{n}", "type": "Note",
                                       "attributedTo": actor, "content": "hoi"}}  # fmt: skip


def target_uri_signed(method: str, url: str, body: bytes | None, key_id: str, key):
    """RFC 9421 covering ``@target-uri`` (scheme, authority, port and path) for ``url``."""
    parts = urlsplit(url)
    headers = {"Host": parts.netloc, "Date": common.http_date(datetime.now(UTC))}
    components = ["@method", "@target-uri", "date"]
    if body is not None:
        headers["Content-Type"] = AS2_MEDIA_TYPE
        digest = common.b64(common.body_digest("sha-256", body))
        headers["Content-Digest"] = f"sha-256=:{digest}:"
        components.append("content-digest")
    params = {"created": int(datetime.now(UTC).timestamp()), "keyid": key_id,
              "alg": "rsa-v1_5-sha256"}  # fmt: skip
    inner = sfv.InnerList([sfv.Item(c, {}) for c in components], params)
    base = rfc9421.signature_base(inner, method, parts.path, parts.scheme,
                                  common.lower_headers(headers))  # fmt: skip
    assert isinstance(base, bytes)
    headers["Signature-Input"] = f"sig1={sfv.serialize_inner_list(inner)}"
    headers["Signature"] = f"sig1=:{common.b64(common.sign_bytes(key, base))}:"
    return headers


async def stored(node: Node) -> int:
    return await node.fed.store.read(
        lambda db: db.execute("SELECT count(*) FROM inbox_queue").fetchone()[0]
    )


@dataclass
class Proxied:
    node: Node
    proxy: TlsProxy
    http: aiohttp.ClientSession  # trusts the proxy's private CA
    partners: set[str]

    @property
    def url(self) -> str:
        return self.proxy.base_url


@pytest.fixture
async def fake() -> AsyncIterator[FakeActors]:
    server = await FakeActors().start()
    yield server
    await server.stop()


@pytest.fixture
async def proxied(tmp_path) -> AsyncIterator[Proxied]:
    """Node A on plain http behind nginx; base_url is ``https://127.0.0.1:<proxy port>``."""
    node_port = free_port()
    proxy = prepare_tls_proxy(tmp_path / "proxy", node_port)
    partners: set[str] = set()

    async def resolve(path, requester):
        if path == "/items/secret":
            return ResolvedObject(SECRET, set(partners))
        return None

    def configure(fed) -> None:
        fed.register_object_resolver("/items/", resolve)

    node = await start_node(
        tmp_path / "a", 0, port=node_port, base_url=proxy.base_url, configure=configure
    )
    try:
        async with running_tls_proxy(proxy), proxy.client_session() as http:
            yield Proxied(node, proxy, http, partners)
    finally:
        await node.stop()


async def test_rfc9421_and_cavage_posts_are_accepted_through_the_proxy(proxied, fake):
    inbox = proxied.url + "/actor/inbox"
    key_id = fake.key_id("/users/john")
    body = json.dumps(note(fake, 1)).encode()
    headers = sign_rfc9421("POST", inbox, {"Content-Type": AS2_MEDIA_TYPE}, body, key_id,
                           fake.key, datetime.now(UTC))  # fmt: skip
    async with proxied.http.post(inbox, data=body, headers=headers) as resp:
        assert resp.status == 202, await resp.text()
    body = json.dumps(note(fake, 2)).encode()
    headers = target_uri_signed("POST", inbox, body, key_id, fake.key)
    async with proxied.http.post(inbox, data=body, headers=headers) as resp:
        assert resp.status == 202, await resp.text()
    body = json.dumps(note(fake, 3)).encode()  # draft-cavage, as our own deliveries sign
    headers = signed_headers(inbox, body, key_id, fake.key)
    async with proxied.http.post(inbox, data=body, headers=headers) as resp:
        assert resp.status == 202, await resp.text()
    assert await stored(proxied.node) == 3
    # They really went through nginx, over TLS.
    posts = [line for line in proxied.proxy.access_log() if '"POST /actor/inbox ' in line]
    assert len(posts) == 3, proxied.proxy.access_log()


async def test_signatures_for_another_scheme_host_or_port_are_refused(proxied, fake):
    inbox = proxied.url + "/actor/inbox"
    port = urlsplit(proxied.url).port
    key_id = fake.key_id("/users/john")
    elsewhere = (f"http://127.0.0.1:{port}/actor/inbox",  # the scheme behind the proxy
                 f"https://127.0.0.1:{port + 1}/actor/inbox",  # another port
                 f"https://localhost:{port}/actor/inbox")  # another host  # fmt: skip
    for n, signed_for in enumerate(elsewhere):
        body = json.dumps(note(fake, 10 + n)).encode()
        headers = target_uri_signed("POST", signed_for, body, key_id, fake.key)
        headers["Host"] = urlsplit(inbox).netloc  # the Host the proxy really sees
        async with proxied.http.post(inbox, data=body, headers=headers) as resp:
            problem = await resp.json(content_type=None)
            assert resp.status == 401, (signed_for, problem)
            assert problem["title"] == "signature.invalid", problem
    assert await stored(proxied.node) == 0


async def test_partner_only_get_through_the_proxy(proxied, fake):
    partner = fake.base + "/users/partner"
    proxied.partners.add(partner)
    key_id, url = fake.key_id("/users/partner"), proxied.url + "/items/secret"
    port = urlsplit(url).port
    for how, headers in (
        ("cavage", signed_headers(url, b"", key_id, fake.key, method="GET")),
        ("rfc9421", sign_rfc9421("GET", url, {}, None, key_id, fake.key, datetime.now(UTC))),
        ("target-uri", target_uri_signed("GET", url, None, key_id, fake.key)),
    ):
        async with proxied.http.get(url, headers={**AS2, **headers}) as resp:
            assert resp.status == 200, (how, await resp.text())
            assert (await resp.json(content_type=None))["content"] == SECRET["content"]
    # The same GET signed for another host or port (both in the signed Host): refused
    # with a reason.
    for signed_for in (f"https://localhost:{port}/items/secret",
                       f"https://127.0.0.1:{port + 1}/items/secret"):  # fmt: skip
        headers = signed_headers(signed_for, b"", key_id, fake.key, method="GET")
        async with proxied.http.get(url, headers={**AS2, **headers}) as resp:
            text = await resp.text()
            assert resp.status == 401, (signed_for, text)
            problem = json.loads(text)
            assert problem["title"] == "signature.host", problem
            assert "another host" in problem["detail"], problem
            assert SECRET["content"] not in text
    # Signed for the plain-http scheme behind the proxy (@target-uri): it does not verify
    # against base_url, so the GET counts as unsigned and the object stays hidden (a GET
    # with a signature that does not verify is served as anonymous, see routes.requester).
    headers = target_uri_signed("GET", f"http://127.0.0.1:{port}/items/secret", None, key_id,
                                fake.key)  # fmt: skip
    headers["Host"] = urlsplit(url).netloc
    async with proxied.http.get(url, headers={**AS2, **headers}) as resp:
        assert resp.status == 404, await resp.text()
        assert SECRET["content"] not in await resp.text()
    # Unsigned: the object does not exist for the public.
    async with proxied.http.get(url, headers=AS2) as resp:
        assert resp.status == 404


async def test_a_host_header_other_than_the_signed_host_is_refused(proxied, fake):
    inbox = proxied.url + "/actor/inbox"
    port = urlsplit(inbox).port
    key_id = fake.key_id("/users/john")
    body = json.dumps(note(fake, 20)).encode()
    headers = signed_headers(inbox, body, key_id, fake.key)
    headers["Host"] = f"localhost:{port}"  # nginx passes it through; not what was signed
    async with proxied.http.post(inbox, data=body, headers=headers) as resp:
        problem = await resp.json(content_type=None)
        assert resp.status == 401, problem
        assert problem["title"] == "signature.host", problem
    partner = fake.base + "/users/partner"
    proxied.partners.add(partner)
    url = proxied.url + "/items/secret"
    headers = signed_headers(url, b"", fake.key_id("/users/partner"), fake.key, method="GET")
    headers["Host"] = f"localhost:{port}"
    async with proxied.http.get(url, headers={**AS2, **headers}) as resp:
        assert resp.status == 401, await resp.text()
    assert await stored(proxied.node) == 0


async def test_our_node_delivers_to_a_node_behind_the_proxy(proxied, tmp_path):
    a = proxied.node
    b = await start_node(tmp_path / "b", 1, extra_ca_file=str(proxied.proxy.ca_file))
    stranger = await start_node(tmp_path / "c", 2)  # trusts only the system store
    try:
        for sender, n in ((b, 1), (stranger, 2)):
            act = {"@context": CONTEXT, "id": f"{sender.base_url}/activities/{n}",
                   "type": "Create", "actor": sender.actor_url,
                   "object": {"id": f"{sender.base_url}/items/{n}", "type": "Note",
                              "content": "via de proxy"}}  # fmt: skip
            await sender.fed.publish(act, [a.actor_url])
            await sender.fed.drain()
        [state] = await b.fed.delivery_states(f"{b.base_url}/activities/1")
        assert state["state"] == "delivered", state
        assert state["inbox"].startswith(proxied.url + "/"), state
        await wait_for(lambda: _received(a, b), what="A to handle B's Create")
        # Without the CA the certificate does not verify, so nothing is delivered.
        [state] = await stranger.fed.delivery_states(f"{stranger.base_url}/activities/2")
        assert state["state"] != "delivered", state
        assert "CERTIFICATE_VERIFY_FAILED" in state["last_error"], state
        assert not any(r["actor"] == stranger.actor_url for r in a.received)
    finally:
        await b.stop()
        await stranger.stop()


async def _received(a: Node, b: Node) -> bool:
    await a.fed.drain()
    return any(r["actor"] == b.actor_url for r in a.received)
