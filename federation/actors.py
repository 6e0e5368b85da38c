"""Remote actors and their keys: parsed from actor documents, cached in memory and in SQLite.

Every inbound request needs the signer's key, so lookups must be cheap: a
memory map (key id → actor) in front of the ``remote_actors`` table in front of
a signed fetch.  A key that fails to verify triggers one refetch (key rotation);
the caller decides when, this module only knows how.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from federation.fetch import FetchClient, GetSigner
from federation.store import Store
from protocol.result import Failure
from protocol.validate import host_of

log = logging.getLogger("mediakring.federation.actors")
REFRESH_AFTER = 24 * 3600.0  # refetch cached actor documents after a day


@dataclass(frozen=True)
class RemoteActor:
    """What we keep of a remote actor: where to deliver and how to verify it."""

    id: str
    inbox: str | None
    shared_inbox: str | None
    rsa_key_id: str | None
    rsa_public_pem: str | None
    ed25519_keys: dict[str, str] = field(default_factory=dict)  # key id -> multibase
    document: dict = field(default_factory=dict, repr=False)
    fetched_at: float = 0.0
    gone: bool = False

    @property
    def host(self) -> str:
        return host_of(self.id)

    @property
    def delivery_inbox(self) -> str | None:
        return self.shared_inbox or self.inbox


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_actor(doc: dict) -> RemoteActor | Failure:
    """Extract inbox and keys; keys must be controlled by the actor and on its host."""
    actor_id = doc.get("id")
    if not isinstance(actor_id, str):
        return Failure("actor.malformed", "actor document has no id")
    host = host_of(actor_id)
    inbox = doc.get("inbox")
    if inbox is not None and (not isinstance(inbox, str) or host_of(inbox) != host):
        return Failure("actor.malformed", "actor inbox is not a URL on the actor's host")
    endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
    shared = endpoints.get("sharedInbox")
    if not isinstance(shared, str) or host_of(shared) != host:
        shared = None
    rsa_id = rsa_pem = None
    for key in _as_list(doc.get("publicKey")):
        if not isinstance(key, dict):
            continue
        kid, owner, pem = key.get("id"), key.get("owner", actor_id), key.get("publicKeyPem")
        if isinstance(kid, str) and owner == actor_id and isinstance(pem, str):
            if host_of(kid) == host:
                rsa_id, rsa_pem = kid, pem
                break
    multikeys: dict[str, str] = {}
    for key in _as_list(doc.get("assertionMethod")):
        if not isinstance(key, dict) or key.get("type") != "Multikey":
            continue
        kid, mb = key.get("id"), key.get("publicKeyMultibase")
        if key.get("controller") != actor_id or not isinstance(kid, str):
            continue
        if isinstance(mb, str) and host_of(kid) == host:
            multikeys[kid] = mb
    return RemoteActor(actor_id, inbox, shared, rsa_id, rsa_pem, multikeys, doc, time.time())


def _row(actor: RemoteActor) -> dict:
    return {
        "id": actor.id, "inbox": actor.inbox, "shared_inbox": actor.shared_inbox,
        "rsa_key_id": actor.rsa_key_id, "rsa_public_pem": actor.rsa_public_pem,
        "ed25519_keys": json.dumps(actor.ed25519_keys), "document": json.dumps(actor.document),
        "fetched_at": actor.fetched_at, "gone": int(actor.gone),
    }  # fmt: skip


def _from_row(row: dict) -> RemoteActor:
    return RemoteActor(
        row["id"], row["inbox"], row["shared_inbox"], row["rsa_key_id"], row["rsa_public_pem"],
        json.loads(row["ed25519_keys"]), json.loads(row["document"]), row["fetched_at"],
        bool(row["gone"]),
    )  # fmt: skip


class ActorCache:
    """key id / actor id → RemoteActor, via memory, the database, then the network."""

    def __init__(
        self, store: Store, fetcher: FetchClient, signer: GetSigner, clock: Callable[[], float]
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.signer = signer
        self.clock = clock
        self._by_id: dict[str, RemoteActor] = {}
        self._by_key: dict[str, RemoteActor] = {}

    def _remember(self, actor: RemoteActor) -> RemoteActor:
        old = self._by_id.get(actor.id)
        if old is not None:
            for kid in [old.rsa_key_id, *old.ed25519_keys]:
                self._by_key.pop(kid or "", None)
        self._by_id[actor.id] = actor
        if actor.rsa_key_id:
            self._by_key[actor.rsa_key_id] = actor
        for kid in actor.ed25519_keys:
            self._by_key[kid] = actor
        return actor

    def cached(self, actor_id: str) -> RemoteActor | None:
        return self._by_id.get(actor_id)

    async def get(self, actor_id: str, *, refresh: bool = False) -> RemoteActor | Failure:
        """The actor ``actor_id``, fetched when unknown, stale or ``refresh``."""
        if not refresh:
            actor = self._by_id.get(actor_id)
            if actor is None:
                row = await self.store.read(lambda db: _get_row(db, "id", actor_id))
                actor = self._remember(_from_row(row)) if row else None
            if actor is not None and self.clock() - actor.fetched_at < REFRESH_AFTER:
                return actor
        return await self.fetch(actor_id)

    async def by_key_id(self, key_id: str, *, refresh: bool = False) -> RemoteActor | Failure:
        """The actor that owns ``key_id`` (a ``#main-key`` fragment or a key document)."""
        if not refresh:
            actor = self._by_key.get(key_id)
            if actor is not None:
                return actor
            row = await self.store.read(lambda db: _get_row(db, "rsa_key_id", key_id))
            if row:
                return self._remember(_from_row(row))
        doc = await self.fetcher.get_json(key_id, self.signer)
        if isinstance(doc, Failure):
            return doc
        owner = doc.get("owner") or doc.get("controller")
        if doc.get("type") in ("Key", "CryptographicKey", "Multikey") and isinstance(owner, str):
            if host_of(owner) != host_of(key_id):
                return Failure("actor.key_owner", "key document names an owner on another host")
            actor = await self.fetch(owner)
        else:
            actor = await self._store_doc(doc)
        if isinstance(actor, Failure):
            return actor
        if key_id not in (actor.rsa_key_id, *actor.ed25519_keys):
            return Failure("signature.unknown_key", f"actor {actor.id} does not list {key_id}")
        return actor

    async def fetch(self, actor_id: str) -> RemoteActor | Failure:
        doc = await self.fetcher.get_json(actor_id, self.signer)
        if isinstance(doc, Failure):
            if doc.code == "fetch.gone":
                await self.mark_gone(actor_id)
            return doc
        return await self._store_doc(doc)

    async def _store_doc(self, doc: dict) -> RemoteActor | Failure:
        actor = parse_actor(doc)
        if isinstance(actor, Failure):
            return actor
        row = _row(actor)
        await self.store.write(lambda db: db["remote_actors"].upsert(row, pk="id"))
        return self._remember(actor)

    async def mark_gone(self, actor_id: str) -> None:
        self._by_id.pop(actor_id, None)
        await self.store.write(
            lambda db: db.execute("UPDATE remote_actors SET gone = 1 WHERE id = ?", [actor_id])
        )


def _get_row(db: sqlite_utils.Database, column: str, value: str) -> dict | None:
    cursor = db.execute(f"SELECT * FROM remote_actors WHERE {column} = ?", [value])
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))
