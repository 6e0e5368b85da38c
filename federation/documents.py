"""Our own actor documents: the organisation actor and the instance actor.

Built from the local actor alone, so the routes (and anyone else) can render
them without the engine.  The public PEM is derived from the private key once.
The two documents name each other (``instanceActor`` on the organisation,
``instanceOf`` on the instance actor): that pair is what lets a partner count a
GET signed by our instance actor as a GET by our organisation
(``federation.actors.ActorCache.acting_for``).  Each publishes its own key.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from federation.ports import ActorProfile, LocalActor
from protocol import keys, multikey
from protocol.vocab import CONTEXT


@lru_cache(maxsize=32)
def _public_pem(private_key: Any) -> str:
    return keys.public_pem(private_key)


def actor_document(a: LocalActor, profile: ActorProfile | None = None) -> dict:
    """The organisation actor; ``profile`` (default: the actor's current one) names it."""
    p = profile or a.profile
    doc: dict[str, Any] = {
        "@context": CONTEXT, "id": a.actor_url, "type": "Organization",
        "preferredUsername": a.handle, "name": p.name, "summary": p.summary,
        "url": a.base_url + "/", "inbox": a.actor_url + "/inbox",
        "outbox": a.actor_url + "/outbox", "followers": a.actor_url + "/followers",
        "mediatheek": a.actor_url + "/mediatheek", "partners": a.actor_url + "/partners",
        "endpoints": {"sharedInbox": a.base_url + "/inbox"},
        "manuallyApprovesFollowers": False, "discoverable": True,
        "instanceActor": a.instance_actor_url,
        "publicKey": {"id": a.rsa_key_id, "owner": a.actor_url,
                      "publicKeyPem": _public_pem(a.rsa_private_key)},
        "assertionMethod": [multikey.multikey_document(
            a.ed25519_key_id, a.actor_url, a.ed25519_private_key)],
    }  # fmt: skip
    if p.icon_url:
        doc["icon"] = {"type": "Image", "mediaType": "image/jpeg", "url": p.icon_url}
    if p.image_url:
        doc["image"] = {"type": "Image", "mediaType": "image/jpeg", "url": p.image_url}
    return doc


def instance_actor_document(a: LocalActor) -> dict:
    url = a.instance_actor_url
    return {
        "@context": CONTEXT, "id": url, "type": "Application", "preferredUsername": a.host,
        "name": f"{a.name} (node)", "inbox": url + "/inbox",
        "outbox": url + "/outbox", "manuallyApprovesFollowers": True,
        "instanceOf": a.actor_url,
        "publicKey": {"id": a.instance_key_id, "owner": url,
                      "publicKeyPem": _public_pem(a.instance_rsa_private_key)},
    }  # fmt: skip
