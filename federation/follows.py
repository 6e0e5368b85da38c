"""Follows and partnerships: the built-in handlers for Follow, Accept, Reject and Undo.

Citizens follow the organisation actor (auto-accepted by default); a partner
organisation follows our mediatheek (manual approval by default).  The node
decides per target with ``follow_policy`` and learns of every change through
follow events; it never handles these activity types itself.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable

import sqlite_utils

from federation.ports import Clock, LocalActor, Publisher
from federation.store import Store
from federation.types import FollowEvent, FollowPolicy, InboxContext
from protocol.validate import host_of
from protocol.vocab import CONTEXT

log = logging.getLogger("mediakring.federation.follows")


def _id_of(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


class Follows:
    """Follow bookkeeping in ``followers`` / ``following`` plus the activities it sends."""

    def __init__(
        self,
        store: Store,
        actor: LocalActor,
        clock: Clock,
        publish: Publisher,
        emit: Callable[[FollowEvent], Awaitable[None]],
    ) -> None:
        self.store, self.actor, self.clock = store, actor, clock
        self.publish, self.emit = publish, emit
        #: The node's ``policy(target, follower)``; set through ``Federation.set_follow_policy``.
        self.follow_policy: FollowPolicy | None = None

    def new_id(self, kind: str) -> str:
        return f"{self.actor.actor_url}/activities/{kind.lower()}-{uuid.uuid4().hex}"

    async def policy(self, target: str, follower: str) -> str:
        decide = self.follow_policy
        if decide is None:
            return "auto" if target == self.actor.actor_url else "manual"
        result = decide(target, follower)
        if inspect.isawaitable(result):
            result = await result
        return result if result in ("auto", "manual", "reject") else "manual"

    # -- inbound ---------------------------------------------------------------

    async def on_delete(self, ctx: InboxContext) -> None:
        """A ``Delete`` of the sender itself: that one actor stops being a follower."""
        if _id_of(ctx.raw.get("object")) != ctx.sender.id:
            return  # a Delete of an object: the node's handlers deal with it
        actor = ctx.sender.id
        count = await self.store.write(
            lambda db: (
                db.execute(
                    "UPDATE followers SET state = 'gone' WHERE follower = ? AND state != 'gone'",
                    [actor],
                ).rowcount
            )
        )
        log.info("actor %s deleted itself: %d follower row(s) marked gone", actor, count)

    async def on_follow(self, ctx: InboxContext) -> None:
        raw, sender = ctx.raw, ctx.sender
        target = _id_of(raw.get("object"))
        if target is None or not self.actor.is_local(target):
            log.info("Follow %s of %s ignored: not one of ours", raw["id"], target)
            return
        decision = await self.policy(target, sender.id)
        state = {"auto": "accepted", "reject": "rejected"}.get(decision, "pending")
        row = {"follower": sender.id, "target": target, "follow_id": raw["id"],
               "inbox": sender.inbox, "shared_inbox": sender.shared_inbox, "state": state,
               "created_at": self.clock()}  # fmt: skip
        await self.store.write(lambda db: db["followers"].upsert(row, pk=("follower", "target")))
        await self.emit(FollowEvent("follow_requested", "incoming", sender.id, target,
                                    raw["id"]))  # fmt: skip
        if state == "accepted":
            await self._answer("Accept", sender.id, target, raw["id"])
        elif state == "rejected":
            await self._answer("Reject", sender.id, target, raw["id"])

    async def on_answer(self, ctx: InboxContext) -> None:
        """Accept or Reject of one of our follows, from the actor we followed."""
        follow_id = _id_of(ctx.raw.get("object"))
        accepted = ctx.raw["type"] == "Accept"
        row = await self.store.read(
            lambda db: db.execute(
                "SELECT object, target_actor FROM following WHERE follow_id = ?", [follow_id]
            ).fetchone()
        )
        if row is None or row[1] != ctx.sender.id:
            log.info("%s of unknown follow %s ignored", ctx.raw["type"], follow_id)
            return
        state = "accepted" if accepted else "rejected"
        await self.store.write(
            lambda db: db.execute(
                "UPDATE following SET state = ? WHERE follow_id = ?", [state, follow_id]
            )
        )
        kind = "follow_accepted" if accepted else "follow_rejected"
        await self.emit(FollowEvent(kind, "outgoing", self.actor.actor_url, row[0],
                                    follow_id, {"target_actor": row[1]}))  # fmt: skip

    async def on_undo(self, ctx: InboxContext) -> None:
        obj = ctx.raw.get("object")
        if isinstance(obj, dict) and obj.get("type") not in (None, "Follow"):
            return
        follow_id = _id_of(obj)
        sender = ctx.sender.id

        def run(db: sqlite_utils.Database) -> str | None:
            found = db.execute(
                "SELECT target FROM followers WHERE follow_id = ? AND follower = ?",
                [follow_id, sender],
            ).fetchone()
            if found is None and isinstance(obj, dict):
                found = db.execute(
                    "SELECT target FROM followers WHERE follower = ? AND target = ?",
                    [sender, _id_of(obj.get("object"))],
                ).fetchone()
            if found is None:
                return None
            db.execute(
                "DELETE FROM followers WHERE follower = ? AND target = ?", [sender, found[0]]
            )
            return found[0]

        target = await self.store.write(run)
        if target is not None:
            await self.emit(FollowEvent("follow_undone", "incoming", sender, target,
                                        str(follow_id)))  # fmt: skip

    # -- decisions and outgoing follows ------------------------------------------

    async def decide(self, follower: str, target: str, accept: bool) -> bool:
        state = "accepted" if accept else "rejected"

        def run(db: sqlite_utils.Database) -> str | None:
            found = db.execute(
                "SELECT follow_id FROM followers WHERE follower = ? AND target = ?",
                [follower, target],
            ).fetchone()
            if found is None:
                return None
            db.execute(
                "UPDATE followers SET state = ? WHERE follower = ? AND target = ?",
                [state, follower, target],
            )
            return found[0]

        follow_id = await self.store.write(run)
        if follow_id is None:
            return False
        await self._answer("Accept" if accept else "Reject", follower, target, follow_id)
        kind = "follow_accepted" if accept else "follow_rejected"
        await self.emit(FollowEvent(kind, "incoming", follower, target, follow_id))
        return True

    async def _answer(self, kind: str, follower: str, target: str, follow_id: str) -> None:
        activity = {
            "@context": CONTEXT, "id": self.new_id(kind), "type": kind,
            "actor": self.actor.actor_url, "to": [follower],
            "object": {"id": follow_id, "type": "Follow", "actor": follower, "object": target},
        }  # fmt: skip
        await self.publish(activity, [follower])

    async def follow(self, target_actor: str, object_url: str) -> str:
        if host_of(object_url) != host_of(target_actor):
            raise ValueError("the followed object must live on the target actor's host")
        follow_id = self.new_id("Follow")
        row = {"object": object_url, "target_actor": target_actor, "follow_id": follow_id,
               "state": "pending", "created_at": self.clock()}  # fmt: skip
        await self.store.write(lambda db: db["following"].upsert(row, pk="object"))
        activity = {"@context": CONTEXT, "id": follow_id, "type": "Follow",
                    "actor": self.actor.actor_url, "object": object_url,
                    "to": [target_actor]}  # fmt: skip
        await self.publish(activity, [target_actor])
        return follow_id

    async def undo_follow(self, object_url: str) -> str | None:
        found = await self.store.read(
            lambda db: db.execute(
                "SELECT follow_id, target_actor FROM following WHERE object = ?", [object_url]
            ).fetchone()
        )
        if found is None:
            return None
        follow_id, target_actor = found
        await self.store.write(
            lambda db: db.execute(
                "UPDATE following SET state = 'undone' WHERE object = ?", [object_url]
            )
        )
        actor = self.actor.actor_url
        activity = {"@context": CONTEXT, "id": self.new_id("Undo"), "type": "Undo",
                    "actor": actor, "to": [target_actor],
                    "object": {"id": follow_id, "type": "Follow", "actor": actor,
                               "object": object_url}}  # fmt: skip
        return await self.publish(activity, [target_actor])
