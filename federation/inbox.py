"""Receiving: the inbox accepts fast and processes later.

The HTTP handler runs every check that decides *whether* we take an activity
(size, rate, JSON, signature, key owner, context, replay, proof, policy,
duplicates), writes one durable row, and answers 202.  What the activity
*means* is worked out afterwards by the inbox worker.  Accepted rows and
replay markers are written in group commits, so many requests share one
SQLite transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import defaultdict, deque
from datetime import UTC, datetime

import sqlite_utils
from aiohttp import web

from federation import wire
from federation.actors import RemoteActor
from federation.ports import (
    ActorLookup,
    Clock,
    FederationConfig,
    HostPolicy,
    InboxHandoff,
    Wake,
)
from federation.store import Store
from protocol import keys
from protocol.httpsig import ParsedSignature, parse_signature, verify_parsed
from protocol.httpsig.common import CLOCK_SKEW, MAX_LIFETIME
from protocol.result import Failure
from protocol.validate import host_of
from protocol.vocab import AS2_CONTEXT, AS2_MEDIA_TYPE, LD_MEDIA_TYPE, is_as2_media_type

log = logging.getLogger("mediakring.federation.inbox")


class Refusal(Exception):
    """A refused request: HTTP status plus a reason code and text for the problem body."""

    def __init__(self, status: int, failure: Failure) -> None:
        super().__init__(str(failure))
        self.status = status
        self.failure = failure


def problem(status: int, failure: Failure) -> web.Response:
    body = {
        "type": "https://mediakring.nl/problems/" + failure.code.replace(".", "-"),
        "title": failure.code,
        "status": status,
        "detail": failure.detail,
    }
    return web.Response(
        status=status, text=json.dumps(body), content_type="application/problem+json"
    )


def check_media_type(content_type: str | None) -> None:
    """415 unless the body is declared as one of the two ActivityStreams media types.

    Plain ``application/json`` is refused too: FEDERATION.md §1 says MUST, and every
    implementation we interoperate with sends ``application/activity+json``.
    """
    if not is_as2_media_type(content_type):
        got = (content_type or "none").split(";", 1)[0].strip()[:100] or "none"
        raise Refusal(415, Failure("inbox.media_type", f"Content-Type {got} is not "
                      f'{AS2_MEDIA_TYPE} or {LD_MEDIA_TYPE}; profile="{AS2_CONTEXT}"'))  # fmt: skip


def decode_body(body: bytes) -> str:
    """The body as text: strict UTF-8 (RFC 8259 §8.1), else 400.

    A leading UTF-8 byte order mark is ignored, as RFC 8259 allows (it was accepted before).
    """
    try:
        return body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        detail = f"body is not UTF-8 (invalid byte at offset {exc.start})"
        raise Refusal(400, Failure("inbox.encoding", detail)) from None


class RateLimiter:
    """Sliding one-minute window per key (a client address, or a verified host), in memory."""

    MAX_KEYS = 100_000

    def __init__(self, per_minute: int, clock) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, host: str) -> bool:
        now = self.clock()
        if len(self._hits) > self.MAX_KEYS:  # many distinct keys: forget the idle ones
            for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - 60]:
                del self._hits[key]
        hits = self._hits[host]
        while hits and hits[0] <= now - 60:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return False
        hits.append(now)
        return True


class AcceptWriter:
    """Group commit of (replay marker, inbox row) pairs; each caller learns its outcome.

    With a ``handoff`` (the inbox worker), stored rows are written leased to it and
    handed over with their parsed document once committed, so the worker need not
    claim them back from the database (``federation.processing``).
    """

    def __init__(self, store: Store, clock: Clock, handoff: InboxHandoff | None = None) -> None:
        self.store, self.clock, self.handoff = store, clock, handoff
        self._pending: list[tuple[str, float, dict, dict, asyncio.Future]] = []
        self._task: asyncio.Task | None = None

    async def submit(self, sig_hash: str, sig_expires: float, row: dict, doc: dict) -> str:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((sig_hash, sig_expires, row, doc, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush_loop())
        return await future

    async def _flush_loop(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            now = self.clock()
            lease = self.handoff.lease_for(len(batch)) if self.handoff else None
            try:
                outcomes = await self.store.write(
                    lambda db, b=batch, t=now, u=lease: _accept(db, b, t, u)
                )
            except Exception as exc:  # the callers answer 500; nothing was committed
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            if lease is not None:
                self.handoff.hand([
                    {"id": rowid, "activity_id": row["activity_id"], "actor": row["actor"],
                     "body": row["body"], "attempts": 0, "doc": doc, "lease": lease}
                    for (_, _, row, doc, _), (outcome, rowid) in zip(batch, outcomes, strict=True)
                    if outcome == "stored"
                ])  # fmt: skip
            for (*_, future), (outcome, _) in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)


def _accept(
    db: sqlite_utils.Database, batch: list, now: float, lease: float | None
) -> list[tuple[str, int | None]]:
    """``(outcome, row id)`` per submission: stored, replayed or duplicate."""
    outcomes: list[tuple[str, int | None]] = []
    conn = db.conn
    for sig_hash, sig_expires, row, _doc, _future in batch:
        cur = conn.execute(
            "INSERT INTO seen_signatures (hash, expires_at) VALUES (?, ?) ON CONFLICT(hash)"
            " DO UPDATE SET expires_at = excluded.expires_at WHERE expires_at < ?",
            (sig_hash, sig_expires, now),
        )
        if cur.rowcount == 0:
            outcomes.append(("replayed", None))
            continue
        cur = conn.execute(
            "INSERT OR IGNORE INTO inbox_queue (activity_id, actor, type, body, state, attempts,"
            " next_attempt_at, received_at, locked_until)"
            " VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
            (row["activity_id"], row["actor"], row["type"], row["body"], now, now, lease),
        )
        outcomes.append(("stored", cur.lastrowid) if cur.rowcount else ("duplicate", None))
    return outcomes


class InboxReceiver:
    """The POST /inbox pipeline, in the order the design fixes."""

    def __init__(
        self,
        store: Store,
        config: FederationConfig,
        clock: Clock,
        actors: ActorLookup,
        policy: HostPolicy,
        wake: Wake,
        *,
        base_url: str,
        handoff: InboxHandoff | None = None,
    ) -> None:
        self.config, self.clock, self.actors, self.policy = config, clock, actors, policy
        self.wake = wake
        # Signatures are bound to this node: base_url, not the request, says who we are.
        self.scheme = base_url.split(":", 1)[0].lower()
        self.authority = host_of(base_url)
        # Two stages: a cheap limit per client address before anything is parsed, and
        # the per-host limit only once the signature has shown who the sender is.
        self.address_rate = RateLimiter(config.inbox_rate_per_address_per_minute, clock)
        self.rate = RateLimiter(config.inbox_rate_per_minute, clock)
        self.writer = AcceptWriter(store, clock, handoff)

    async def handle(self, request: web.Request) -> web.Response:
        try:
            activity_id = await self._receive(request)
        except Refusal as refusal:
            log.info(
                "inbox refused %s from %s: %s",
                refusal.status,
                request.remote,
                refusal.failure,
            )
            return problem(refusal.status, refusal.failure)
        # the one field, encoded by hand: json.dumps of a dict costs 3x that of a string
        body = '{"accepted":' + json.dumps(activity_id) + "}"
        return web.Response(status=202, text=body, content_type="application/json")

    async def _read(self, request: web.Request) -> bytes:
        """The body, never more than ``inbox_max_bytes`` of it.

        With a Content-Length (what every server sends) the parser delivers exactly that
        many bytes, so one ``readexactly`` suffices and costs a quarter of the chunk loop;
        a chunked body is counted chunk by chunk.
        """
        limit = self.config.inbox_max_bytes
        length = request.content_length
        if length is not None:
            if length > limit:
                raise Refusal(413, Failure("inbox.too_large", f"body exceeds {limit} bytes"))
            return await request.content.readexactly(length)
        chunks, size = [], 0
        async for chunk in request.content.iter_chunked(65536):
            size += len(chunk)
            if size > limit:
                raise Refusal(413, Failure("inbox.too_large", f"body exceeds {limit} bytes"))
            chunks.append(chunk)
        return b"".join(chunks)

    def parse_request(self, request: web.Request, body: bytes | None) -> ParsedSignature | Failure:
        """The request's signature, judged against this node's own scheme and authority."""
        return parse_signature(
            request.method,
            request.path_qs,
            request.headers,
            body,
            scheme=self.scheme,
            authority=self.authority,
        )

    async def _receive(self, request: web.Request) -> str:
        if not self.address_rate.allow(request.remote or ""):
            raise Refusal(429, Failure("inbox.rate", "too many requests from this address"))
        check_media_type(request.headers.get("Content-Type"))
        body = await self._read(request)
        text = decode_body(body)
        doc = wire.parse_body(body)
        if isinstance(doc, Failure):
            raise Refusal(400, doc)
        authority = wire.check_authority(doc)
        if authority is not None:
            raise Refusal(403, authority)
        parsed = self.parse_request(request, body)
        if isinstance(parsed, Failure):
            raise Refusal(401, parsed)
        sender = await self.verify(parsed)
        if not self.rate.allow(sender.host):
            raise Refusal(429, Failure("inbox.rate", "too many requests from this host"))
        if sender.id != doc["actor"]:
            raise Refusal(
                401,
                Failure("signature.actor", f"signed by {sender.id}, not by the activity's actor"),
            )
        ctx = wire.check_context(doc)  # JSON-LD work only on verified input
        if isinstance(ctx, Failure):
            raise Refusal(400, ctx)
        if "proof" in doc:
            problem_ = wire.verify_proof(doc, sender.ed25519_keys)
            if problem_ is not None:
                raise Refusal(401, problem_)
        policy = self.policy.check(sender.host)
        if policy is not None:
            raise Refusal(403, policy)
        sig_hash = hashlib.sha256(parsed.signature).hexdigest()
        expires = parsed.created.timestamp() + (MAX_LIFETIME + CLOCK_SKEW).total_seconds()
        row = {"activity_id": doc["id"], "actor": doc["actor"], "type": doc["type"],
               "body": text}  # fmt: skip
        outcome = await self.writer.submit(sig_hash, expires, row, doc)
        if outcome == "replayed":
            raise Refusal(401, Failure("signature.replayed", "this signature was already used"))
        if outcome == "stored":
            self.wake()
        return doc["id"]

    async def verify(self, parsed: ParsedSignature) -> RemoteActor:
        """The actor whose key made ``parsed``, within the verification deadline."""
        known = self.actors.known_key(parsed.key_id)
        if known is not None:  # the usual case: no I/O, so no deadline task either
            now = datetime.fromtimestamp(self.clock(), UTC)
            if not isinstance(verify_parsed(parsed, _public_key(known, parsed.key_id), now),
                              Failure):  # fmt: skip
                return known
        deadline = self.config.inbox_verify_deadline_seconds
        try:
            return await asyncio.wait_for(self._verify(parsed), deadline)
        except TimeoutError:
            log.info("verifying %s took longer than %gs", parsed.key_id, deadline)
            raise Refusal(
                401, Failure("signature.timeout", "the signer's key could not be obtained in time")
            ) from None

    async def _verify(self, parsed: ParsedSignature) -> RemoteActor:
        """One refetch if the cached key fails (the actor cache budgets refetches)."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        actor = await self.actors.by_key_id(parsed.key_id)
        if isinstance(actor, Failure):
            raise _key_refusal(actor)
        result = verify_parsed(parsed, _public_key(actor, parsed.key_id), now)
        if isinstance(result, Failure) and result.code in ("signature.invalid", "key.malformed"):
            started = time.monotonic()
            fresh = await self.actors.by_key_id(parsed.key_id, refresh=True)
            if isinstance(fresh, Failure):
                raise Refusal(401, result)
            actor = fresh
            result = verify_parsed(parsed, _public_key(actor, parsed.key_id), now)
            log.debug("refetched %s in %.3fs", parsed.key_id, time.monotonic() - started)
        if isinstance(result, Failure):
            if result.code == "signature.invalid":
                result = Failure(
                    "signature.invalid",
                    f"signature does not verify with key {parsed.key_id} for {self.authority}"
                    " (forged, or signed for another host)",
                )
            raise Refusal(401, result)
        return actor


#: What a requester learns when the signer's key cannot be had; the cause (which may
#: name addresses or name resolution) is only logged, by the actor cache.
_KEY_REASONS = {
    "fetch.gone": "the signer's key does not exist",
    "fetch.timeout": "the signer's key host did not answer in time",
    "signature.unknown_key": "the signer's actor does not list this key",
    "actor.key_owner": "the key document names an owner on another host",
}


def _key_refusal(failure: Failure) -> Refusal:
    if failure.code == "key.budget":
        return Refusal(429, Failure("signature.key_budget", failure.detail))
    reason = _KEY_REASONS.get(failure.code, "the signer's key could not be obtained")
    return Refusal(401, Failure("signature.unknown_key", reason))


def _public_key(actor: RemoteActor, key_id: str):
    if key_id == actor.rsa_key_id and actor.rsa_public_pem:
        return keys.load_public_pem(actor.rsa_public_pem)
    if key_id in actor.ed25519_keys:
        from protocol import multikey

        return multikey.decode_ed25519(actor.ed25519_keys[key_id])
    return Failure("signature.unknown_key", f"actor {actor.id} has no key {key_id}")
