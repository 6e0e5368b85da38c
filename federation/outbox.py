"""Publishing: one activity row, one delivery row per distinct inbox, in one transaction.

Recipients are actor URLs or our own followers collections.  Collections expand
to accepted followers, whose inboxes we stored when they followed; actors are
looked up in the remote actor cache.  Shared inboxes collapse many recipients
on one server into one delivery.  A recipient whose actor document cannot be
fetched right now still gets a durable row (``resolved = 0``), and the delivery
worker resolves it later with the normal retries.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

import sqlite_utils

from federation import queries, wire
from federation.ports import ActorLookup, Clock, HostPolicy, LocalActor, Wake
from federation.store import Store
from protocol.result import Failure
from protocol.validate import host_of
from protocol.vocab import PUBLIC_ALIASES

log = logging.getLogger("mediakring.federation.outbox")
RESOLVE_CONCURRENCY = 16


class Outbox:
    """Turns an activity and its recipients into durable rows for the deliverer."""

    def __init__(
        self,
        store: Store,
        actor: LocalActor,
        clock: Clock,
        actors: ActorLookup,
        policy: HostPolicy,
        wake: Wake,
    ) -> None:
        self.store, self.actor, self.clock = store, actor, clock
        self.actors, self.policy, self.wake = actors, policy, wake

    async def publish(self, activity: dict, recipients: list[str]) -> str:
        """Persist ``activity`` (adding our proof) and queue one delivery per inbox."""
        activity_id = activity.get("id")
        if not isinstance(activity_id, str) or not activity_id.startswith(self.actor.base_url):
            raise ValueError("activity needs an id under this node's base URL")
        if "proof" not in activity:
            now = datetime.fromtimestamp(self.clock(), UTC)
            activity = wire.add_proof(
                activity, self.actor.ed25519_private_key, self.actor.ed25519_key_id, now
            )
        targets: dict[str, tuple[str | None, int]] = {}  # inbox -> (recipient, resolved)
        actors: list[str] = []
        collections = self.actor.collection_targets()
        for recipient in dict.fromkeys(recipients):
            if recipient in PUBLIC_ALIASES or recipient == self.actor.actor_url:
                continue
            if recipient in collections:
                target = collections[recipient]
                followers = await self.store.read(
                    lambda db, t=target: queries.delivery_targets(db, t)
                )
                for follower, inbox in followers:
                    if inbox:
                        targets.setdefault(inbox, (follower, 1))
            else:
                actors.append(recipient)
        semaphore = asyncio.Semaphore(RESOLVE_CONCURRENCY)

        async def resolve(actor_url: str) -> tuple[str, str | None]:
            async with semaphore:
                actor = await self.actors.get(actor_url)
            if isinstance(actor, Failure) or actor.delivery_inbox is None:
                return actor_url, None
            return actor_url, actor.delivery_inbox

        for actor_url, inbox in await asyncio.gather(*(resolve(a) for a in actors)):
            if inbox is None:
                targets.setdefault(actor_url, (actor_url, 0))
            else:
                targets.setdefault(inbox, (actor_url, 1))
        rows = self._allowed(activity_id, targets)
        body = json.dumps(activity, ensure_ascii=False, separators=(",", ":"))
        now = self.clock()

        def write(db: sqlite_utils.Database) -> None:
            db.execute(
                "INSERT OR IGNORE INTO activities (id, type, body, created_at) VALUES (?, ?, ?, ?)",
                [activity_id, str(activity.get("type", "")), body, now],
            )
            db.conn.executemany(
                "INSERT OR IGNORE INTO deliveries (activity_id, inbox, host, recipient, resolved,"
                " state, attempts, next_attempt_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
                [
                    (activity_id, inbox, host, who, resolved, now, now)
                    for inbox, host, who, resolved in rows
                ],
            )

        await self.store.write(write)
        self.wake()
        return activity_id

    def _allowed(
        self, activity_id: str, targets: dict[str, tuple[str | None, int]]
    ) -> list[tuple[str, str, str | None, int]]:
        """``(inbox, host, recipient, resolved)`` for every target the domain policy lets
        through; the rest are logged and never queued.  Each inbox's host is parsed
        once; the policy keeps its verdict per host, so thousands of inboxes on a few
        servers cost a few judgements."""
        rows = []
        for inbox, (who, resolved) in targets.items():
            host = host_of(inbox)
            refusal = self.policy.check(host)
            if refusal is not None:  # blocked, or outside the closed network: never sent
                log.info("not delivering %s to %s: %s", activity_id, inbox, refusal.detail)
                continue
            rows.append((inbox, host, who, resolved))
        return rows
