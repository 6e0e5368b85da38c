"""The item as ActivityStreams: the builders every outgoing activity starts from.

Pure apart from signing: no database and no network, so that the distributor can
build every activity inside the transaction that decides to send it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from node.core.clock import new_id
from node.core.identity import Identity
from protocol import mapping, proofs
from protocol.vocab import CONTEXT


def activity_id(identity: Identity) -> str:
    return f"{identity.base_url}/activities/{new_id()}"


def mediatheek_url(identity: Identity) -> str:
    return f"{identity.actor_url}/mediatheek"


def partners_url(identity: Identity) -> str:
    return f"{identity.actor_url}/partners"


def followers_url(identity: Identity) -> str:
    return f"{identity.actor_url}/followers"


def item_object(
    identity: Identity, item: dict[str, Any], to: list[str], cc: list[str] | None = None
) -> dict[str, Any]:
    """The item as an ActivityStreams object, addressed as the activity carrying it."""
    obj = mapping.item_to_object(item, actor_url=identity.actor_url, base_url=identity.base_url)
    obj.pop("@context", None)
    obj["to"] = to
    obj["cc"] = cc or []
    return obj


def with_proof(identity: Identity, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as a stand-alone document with our proof, verifiable wherever it travels."""
    return proofs.create_proof(
        {"@context": CONTEXT, **obj},
        identity.ed25519_key,
        identity.ed25519_key_id,
        datetime.now(UTC),
    )
