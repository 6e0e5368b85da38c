"""When does a GET signed by an instance actor count as its organisation?

Only when the instance actor names the organisation (``instanceOf``), the
organisation is on the same host, and the organisation's own document names the
instance actor back (``instanceActor``).  Everything else is the signer itself,
which is not in a partner-only audience: the same 404 as an unknown object.
"""

from __future__ import annotations

import json

from aiohttp import web

from federation.types import ResolvedObject
from protocol.vocab import AS2_MEDIA_TYPE, CONTEXT
from tests.federation.harness import signed_headers

AS2 = {"Accept": AS2_MEDIA_TYPE}


def _doc(fake, path: str, type_: str = "Application", **extra) -> dict:
    actor_id = fake.base + path
    return {"@context": CONTEXT, "id": actor_id, "type": type_, "inbox": actor_id + "/inbox",
            "publicKey": {"id": actor_id + "#main-key", "owner": actor_id,
                          "publicKeyPem": fake.pem}, **extra}  # fmt: skip


def _serve(fake, path: str, doc: dict) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=json.dumps(doc), content_type=AS2_MEDIA_TYPE)

    fake.overrides[path] = handler


async def test_instance_actor_counts_as_its_organisation_only_when_both_name_each_other(
    nodes, fake, http
):
    audience: set[str] = set()

    async def resolve(path: str, requester: str | None):
        if path == "/items/secret":
            return ResolvedObject({"id": "s", "type": "Article"}, set(audience))
        return None

    a = await nodes(0, configure=lambda fed: fed.register_object_resolver("/items/", resolve))
    b = await nodes(1)
    audience.add(b.actor_url)
    url = a.base_url + "/items/secret"

    async def get(key_id: str, key) -> int:
        headers = {**AS2, **signed_headers(url, b"", key_id, key, method="GET")}
        async with http.get(url, headers=headers) as r:
            await r.read()
            return r.status

    # Partner B's real instance actor (its own key, named by B's actor) counts as B.
    assert b.fed.actor.instance_rsa_private_key is not b.fed.actor.rsa_private_key
    assert await get(b.fed.actor.instance_key_id, b.fed.actor.instance_rsa_private_key) == 200
    assert await get(b.fed.actor.rsa_key_id, b.fed.actor.rsa_private_key) == 200
    # B's instance key id with B's organisation key: the signature does not verify.
    assert await get(b.fed.actor.instance_key_id, b.fed.actor.rsa_private_key) == 404

    # Another host claiming to be B's instance actor: not counted.
    _serve(fake, "/impostor", _doc(fake, "/impostor", instanceOf=b.actor_url))
    assert await get(fake.key_id("/impostor"), fake.key) == 404

    # Same host, but the organisation does not name that instance actor: not counted.
    _serve(fake, "/org", _doc(fake, "/org", "Organization"))
    _serve(fake, "/stray", _doc(fake, "/stray", instanceOf=fake.base + "/org"))
    audience.add(fake.base + "/org")
    assert await get(fake.key_id("/stray"), fake.key) == 404

    # Same host, and the organisation names it: counted as that organisation.
    _serve(fake, "/org2", _doc(fake, "/org2", "Organization",
                               instanceActor=fake.base + "/node"))  # fmt: skip
    _serve(fake, "/node", _doc(fake, "/node", instanceOf=fake.base + "/org2"))
    assert await get(fake.key_id("/node"), fake.key) == 404  # org2 is not in the audience
    audience.add(fake.base + "/org2")
    assert await get(fake.key_id("/node"), fake.key) == 200


async def test_instance_actor_document_has_its_own_key(nodes, http):
    a = await nodes(0)
    async with http.get(a.base_url + "/instance-actor", headers=AS2) as r:
        instance = json.loads(await r.text())
    async with http.get(a.base_url + "/actor", headers=AS2) as r:
        org = json.loads(await r.text())
    assert instance["publicKey"]["id"] == a.base_url + "/instance-actor#main-key"
    assert instance["publicKey"]["publicKeyPem"] != org["publicKey"]["publicKeyPem"]
    assert org["instanceActor"] == instance["id"] and instance["instanceOf"] == org["id"]
