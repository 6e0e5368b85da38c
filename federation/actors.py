"""Remote actors and their keys: parsed from actor documents, cached in memory and in SQLite.

Every inbound request needs the signer's key, so lookups must be cheap: a
memory map (key id → actor) in front of the ``remote_actors`` table in front of
a signed fetch.  A key that fails to verify triggers one refetch (key rotation);
the caller decides when, this module only knows how.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

import sqlite_utils

from federation.fetch import FetchClient, GetSigner
from federation.store import Store
from protocol.result import Failure
from protocol.validate import host_of

log = logging.getLogger("mediakring.federation.actors")
REFRESH_AFTER = 24 * 3600.0  # refetch cached actor documents after a day
#: The key-fetch budget (FEDERATION.md §4): a failed key id is not fetched again for
#: ``NEGATIVE_TTL`` seconds; a cached key is refetched (rotation) at most once per
#: ``REFRESH_COOLDOWN``; per host at most ``FETCH_SLOTS_PER_HOST`` key fetches run at
#: once and at most ``FETCHES_PER_HOST_PER_MINUTE`` start in a minute.
NEGATIVE_TTL = 600.0
REFRESH_COOLDOWN = 60.0
FETCH_SLOTS_PER_HOST = 2
FETCHES_PER_HOST_PER_MINUTE = 120
MAX_REMEMBERED_FAILURES = 50_000


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

    @cached_property
    def host(self) -> str:
        """The actor's host, worked out once: the inbox asks it twice per request."""
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
        self,
        store: Store,
        fetcher: FetchClient,
        signer: GetSigner,
        clock: Callable[[], float],
        *,
        negative_ttl: float = NEGATIVE_TTL,
        fetches_per_host_per_minute: int = FETCHES_PER_HOST_PER_MINUTE,
        fetch_slots_per_host: int = FETCH_SLOTS_PER_HOST,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.signer = signer
        self.clock = clock
        self.negative_ttl = negative_ttl
        self.fetches_per_host_per_minute = fetches_per_host_per_minute
        self.fetch_slots_per_host = fetch_slots_per_host
        self._by_id: dict[str, RemoteActor] = {}
        self._by_key: dict[str, RemoteActor] = {}
        self._failed: dict[str, tuple[float, Failure]] = {}  # key id -> (until, why)
        self._flights: dict[str, asyncio.Future] = {}  # key id -> the one fetch under way
        self._refreshed: dict[str, float] = {}  # key id -> when it was last refetched
        self._vouch_refreshed: dict[str, float] = {}  # organisation id -> last refetch
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._started: dict[str, deque[float]] = {}  # host -> start times of key fetches

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

    def known_key(self, key_id: str) -> RemoteActor | None:
        """The owner of ``key_id`` when it is in memory (what ``by_key_id`` returns first)."""
        return self._by_key.get(key_id)

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
        """The actor that owns ``key_id`` (a ``#main-key`` fragment or a key document).

        Fetches are budgeted: identical concurrent lookups share one fetch, a failed key
        id is remembered for ``negative_ttl`` seconds, a refetch (``refresh``) happens at
        most once per ``REFRESH_COOLDOWN``, and each host has a few fetch slots and a
        per-minute allowance. Failure details may name internal addresses: log them,
        do not show them to the requester.
        """
        now = self.clock()
        if not refresh:
            actor = self._by_key.get(key_id)
            if actor is not None:
                return actor
            row = await self.store.read(lambda db: _get_row(db, "rsa_key_id", key_id))
            if row:
                return self._remember(_from_row(row))
        elif now - self._refreshed.get(key_id, float("-inf")) < REFRESH_COOLDOWN:
            return Failure("key.refresh_cooldown", "this key was refetched a moment ago")
        failed = self._failed.get(key_id)
        if failed is not None:
            if failed[0] > now:
                return failed[1]
            del self._failed[key_id]
        flight = self._flights.get(key_id)
        if flight is None:
            flight = asyncio.ensure_future(self._budgeted_fetch(key_id, refresh))
            self._flights[key_id] = flight
            flight.add_done_callback(lambda _f, k=key_id: self._flights.pop(k, None))
        return await asyncio.shield(flight)

    async def acting_for(self, signer: RemoteActor) -> str:
        """The actor a verified signer acts for: its organisation, or itself.

        A Mediakring node signs the GETs whose URL a remote side can steer (back-fill
        pages, media, thumbnails) with its *instance actor*, not its organisation, so a
        partner's instance actor must count as that partner when audiences are checked.
        It counts as organisation ``O`` only if all three hold:

        - the signer's document names ``O`` (``instanceOf``), so we know whom to ask;
        - ``O`` is on the signer's own host (same scheme, host and port), so another
          server cannot claim a partner it does not run;
        - ``O``'s own actor document names the signer back (``instanceActor``).

        We chose the organisation's declaration over "any actor on the partner's host":
        a host can run several actors (a Mastodon server has thousands), and host alone
        would let every one of them read what only the organisation may.  Being listed
        by the organisation is a statement the organisation controls.  A cached
        organisation document that does not list the signer (one fetched before the
        partner upgraded) is refetched at most once per ``REFRESH_COOLDOWN``.
        """
        claimed = signer.document.get("instanceOf")
        if not isinstance(claimed, str) or claimed == signer.id:
            return signer.id
        if _origin(claimed) != _origin(signer.id):
            log.info("%s claims to act for %s on another host; not counted", signer.id, claimed)
            return signer.id
        owner = await self.get(claimed)
        if not isinstance(owner, Failure) and owner.document.get("instanceActor") != signer.id:
            last = self._vouch_refreshed.get(claimed, float("-inf"))
            if self.clock() - last >= REFRESH_COOLDOWN:
                self._vouch_refreshed[claimed] = self.clock()
                owner = await self.get(claimed, refresh=True)
        if isinstance(owner, Failure):
            log.info("%s acts for %s, which could not be fetched: %s", signer.id, claimed, owner)
            return signer.id
        if owner.document.get("instanceActor") != signer.id:
            log.info("%s claims to act for %s, which does not name it", signer.id, claimed)
            return signer.id
        return owner.id

    async def _budgeted_fetch(self, key_id: str, refresh: bool) -> RemoteActor | Failure:
        host = host_of(key_id)
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = asyncio.Semaphore(self.fetch_slots_per_host)
        async with slot:
            started = self._started.setdefault(host, deque())
            now = self.clock()
            while started and started[0] <= now - 60:
                started.popleft()
            if len(started) >= self.fetches_per_host_per_minute:
                log.info("key fetch budget of %s spent; not fetching %s", host, key_id)
                return Failure("key.budget", "too many unknown keys from this host; retry later")
            started.append(now)
            if refresh:
                self._refreshed[key_id] = now
            result = await self._fetch_key(key_id)
        if isinstance(result, Failure):
            log.info("key %s could not be obtained: %s", key_id, result)
            if len(self._failed) >= MAX_REMEMBERED_FAILURES:
                self._failed.pop(next(iter(self._failed)))
            self._failed[key_id] = (self.clock() + self.negative_ttl, result)
        return result

    async def _fetch_key(self, key_id: str) -> RemoteActor | Failure:
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


def _origin(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of ``url``, lowercased: "the same host" for instance actors."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
