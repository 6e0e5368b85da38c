"""Outbound fetch guards, discovery documents, collections and authorized fetch."""

from __future__ import annotations

import ipaddress
import json

import aiohttp
from aiohttp import web

from federation import netguard
from federation.fetch import FetchClient
from federation.types import ResolvedObject
from protocol import discovery
from protocol.result import Failure
from tests.federation.harness import FakeActors, signed_headers

AS2 = {"Accept": "application/activity+json"}


def test_netguard_pure_checks():
    public = netguard.is_public_address
    assert public(ipaddress.ip_address("93.184.216.34"))
    for bad in ("127.0.0.1", "10.1.2.3", "192.168.1.1", "169.254.1.1", "224.0.0.1", "::1",
                "fc00::1", "0.0.0.0", "::ffff:127.0.0.1", "100.64.0.1"):  # fmt: skip
        assert not public(ipaddress.ip_address(bad)), bad
    assert netguard.check_url_shape("http://x.example/", allow_http=False) is not None
    assert netguard.check_url_shape("ftp://x.example/", allow_http=True) is not None
    assert netguard.check_url_shape("https://u:p@x.example/", allow_http=True) is not None
    assert netguard.check_url_shape("https://x.example/a", allow_http=False) is None


async def test_huge_actor_document_is_refused(fake):
    async def huge(request):
        return web.Response(text=json.dumps({"id": fake.base + "/big", "pad": "x" * 400_000}),
                            content_type="application/activity+json")  # fmt: skip

    fake.overrides["/big"] = huge
    async with aiohttp.ClientSession() as session:
        client = FetchClient(lambda: session, allow_http=True, policy=netguard.allow_everything,
                             max_bytes=256 * 1024, timeout=5)  # fmt: skip
        result = await client.get_json(fake.base + "/big")
        assert isinstance(result, Failure) and result.code == "fetch.too_large"
        ok = await client.get_json(fake.base + "/users/a")
        assert ok["id"] == fake.base + "/users/a"


async def test_redirect_to_private_address_is_refused():
    allowed = FakeActors()
    await allowed.start(host="127.0.0.2")
    allowed.base = f"http://127.0.0.2:{allowed.port}"

    async def to_private(request):
        raise web.HTTPFound("http://127.0.0.3:9/actor")

    async def to_ten(request):
        raise web.HTTPFound("http://10.0.0.1/actor")

    allowed.overrides["/r1"] = to_private
    allowed.overrides["/r2"] = to_ten
    only_2 = lambda addr: str(addr) == "127.0.0.2"  # noqa: E731
    try:
        async with aiohttp.ClientSession() as session:
            client = FetchClient(lambda: session, allow_http=True, policy=only_2, max_bytes=65536,
                                 timeout=5)  # fmt: skip
            assert (await client.get_json(allowed.base + "/users/a"))["type"] == "Person"
            for path in ("/r1", "/r2"):
                result = await client.get_json(allowed.base + path)
                assert isinstance(result, Failure) and result.code == "netguard.private", path
            strict = FetchClient(lambda: session, allow_http=False, policy=only_2, max_bytes=65536,
                                 timeout=5)  # fmt: skip
            result = await strict.get_json(allowed.base + "/users/a")
            assert isinstance(result, Failure) and result.code == "netguard.scheme"
    finally:
        await allowed.stop()


async def test_origin_check(fake):
    async def liar(request):
        return web.json_response({"id": "https://other.example/users/x", "type": "Person"})

    fake.overrides["/liar"] = liar
    async with aiohttp.ClientSession() as session:
        client = FetchClient(lambda: session, allow_http=True, policy=netguard.allow_everything,
                             max_bytes=65536, timeout=5)  # fmt: skip
        result = await client.get_json(fake.base + "/liar")
        assert isinstance(result, Failure) and result.code == "fetch.origin"


async def test_webfinger_and_nodeinfo(nodes, http):
    async def usage():
        return {"users": {"total": 3}, "localPosts": 42}

    a = await nodes(0, configure=lambda f: f.set_usage_provider(usage))
    host = a.base_url.split("//")[1]
    async with http.get(a.base_url + f"/.well-known/webfinger?resource=acct:omroep@{host}") as r:
        jrd = await r.json(content_type=None)
        assert r.status == 200 and r.content_type == "application/jrd+json"
    assert jrd["subject"] == f"acct:omroep@{host}"
    assert {"rel": "self", "type": "application/activity+json", "href": a.actor_url} in jrd["links"]
    async with http.get(a.base_url + f"/.well-known/webfinger?resource={a.actor_url}") as r:
        assert r.status == 200
    for resource in ("acct:nobody@x.example", f"acct:nobody@{host}", "https://x.example/actor",
                     "mailto:omroep@x.example", f"xmpp:omroep@{host}"):  # fmt: skip
        async with http.get(a.base_url + "/.well-known/webfinger",
                            params={"resource": resource}) as r:  # fmt: skip
            problem = await r.json(content_type=None)
            assert r.status == 404 and r.content_type == "application/problem+json", resource
        assert problem["status"] == 404 and problem["detail"], resource
    assert problem["title"] == "webfinger.scheme" and "xmpp" in problem["detail"]
    async with http.get(a.base_url + "/.well-known/webfinger") as r:
        assert r.status == 400 and (await r.json(content_type=None))["detail"]
    async with http.get(a.base_url + f"/.well-known/webfinger?resource=acct:OMROEP@{host}") as r:
        assert r.status == 200
    async with http.get(a.base_url + "/.well-known/webfinger?resource=%20bad") as r:
        problem = await r.json(content_type=None)
        assert r.status == 400 and r.content_type == "application/problem+json"
    assert problem["title"] == "webfinger.resource" and problem["detail"]
    async with http.get(a.base_url + "/.well-known/webfinger?resource=acct:omroep@") as r:
        assert r.status == 400
    assert discovery.actor_link(jrd) == a.actor_url  # what we serve, our own parser reads
    async with http.get(a.base_url + "/.well-known/nodeinfo") as r:
        links = (await r.json())["links"]
    assert [link["href"].rsplit("/", 1)[1] for link in links] == ["2.0", "2.1"]
    for version in ("2.0", "2.1"):
        async with http.get(a.base_url + f"/nodeinfo/{version}") as r:
            doc = await r.json(content_type=None)
        assert doc["version"] == version and doc["usage"]["localPosts"] == 42
        assert doc["usage"]["users"]["total"] == 3
        assert doc["protocols"] == ["activitypub"] and doc["software"]["name"] == "mediakring"
        assert doc["metadata"]["nodeName"] == "Omroep 0"
        assert ("repository" in doc["software"]) == (version == "2.1")
        assert f"ns/schema/{version}#" in r.headers["Content-Type"]


async def test_actor_documents(nodes, http):
    a = await nodes(0)
    async with http.get(a.actor_url, headers=AS2) as r:
        assert r.content_type == "application/activity+json"
        doc = await r.json(content_type=None)
    assert doc["type"] == "Organization"
    assert doc["publicKey"]["id"] == a.fed.actor.rsa_key_id
    assert doc["assertionMethod"][0]["publicKeyMultibase"].startswith("z6Mk")
    assert doc["mediatheek"] == a.actor_url + "/mediatheek"
    assert doc["partners"] == a.actor_url + "/partners"
    assert doc["endpoints"]["sharedInbox"] == a.base_url + "/inbox"
    async with http.get(a.base_url + "/instance-actor", headers=AS2) as r:
        assert (await r.json(content_type=None))["type"] == "Application"


async def test_authorized_fetch(nodes, http, tmp_path):
    media = tmp_path / "photo.jpg"
    media.write_bytes(b"\xff\xd8jpegdata")
    partners: set[str] = set()

    async def resolve(path, requester):
        if path == "/items/public":
            return ResolvedObject({"id": "p", "type": "Article"}, "public",
                                  html=lambda: "<h1>Openbaar</h1>")  # fmt: skip
        if path == "/items/secret":
            return ResolvedObject({"id": "s", "type": "Article"}, set(partners))
        if path == "/media/m1/original":
            return ResolvedObject(None, set(partners), file=(media, "image/jpeg", "abc"))
        return None

    def configure(fed):
        fed.register_object_resolver("/items/", resolve)
        fed.register_object_resolver("/media/", resolve)

    a = await nodes(0, configure=configure)
    b, c = await nodes(1), await nodes(2)
    partners.add(b.actor_url)

    async def get(path, signer=None, accept=AS2):
        url = a.base_url + path
        headers = dict(accept)
        if signer is not None:
            headers.update(
                signed_headers(
                    url,
                    b"",
                    signer.fed.actor.rsa_key_id,
                    signer.fed.actor.rsa_private_key,
                    method="GET",
                )
            )
        async with http.get(url, headers=headers) as r:
            return r.status, await r.read(), r.content_type

    assert (await get("/items/public"))[0] == 200
    status, body, ctype = await get("/items/public", accept={"Accept": "text/html"})
    assert status == 200 and ctype == "text/html" and b"Openbaar" in body
    assert (await get("/items/secret"))[0] == 404
    assert (await get("/items/secret", c))[0] == 404
    assert (await get("/items/missing", b))[0] == 404
    status, body, _ = await get("/items/secret", b)
    assert status == 200 and json.loads(body)["id"] == "s"
    assert (await get("/media/m1/original"))[0] == 404
    status, body, ctype = await get("/media/m1/original", b)
    assert status == 200 and body == b"\xff\xd8jpegdata" and ctype == "image/jpeg"
