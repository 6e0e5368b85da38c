"""Partnerships: a mutual, accepted follow of each other's mediatheek.

Requesting a partnership follows the other organisation's mediatheek; the
other side sees a pending incoming request.  Its admin accepts, which accepts
our follow and follows our mediatheek back — that return follow is accepted
automatically because we asked first.  Once both follows are accepted the
partnership is active and each side back-fills the other's listings.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from federation import queries
from node.core import outbox
from node.core.appkeys import DB, IDENTITY
from node.core.clock import iso
from node.core.errors import Conflict, ValidationFailed
from node.mediatheek import store as index
from node.sharing import notifications, partners_store
from node.sharing.lookup import NETGUARD_REASONS
from node.sharing.services import SERVICES
from protocol.result import Failure

log = logging.getLogger("mediakring.partners")


def mediatheek_of(actor_doc: dict[str, Any]) -> str | None:
    for key in ("mk:mediatheek", "mediatheek"):
        value = actor_doc.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            return value["id"]
    return None


#: Activities that carry our content; queued ones to a partner stop when it ends.
CONTENT_TYPES = ("Offer", "Add", "Create", "Update", "Announce")
ENDED_REASON = "partnership ended"


def wind_down(db, actor_url: str) -> int:
    """What ending a partnership means locally, whoever ended it (one transaction).

    The ex-partner leaves every item's audience (so it can no longer fetch our media
    nor report on our items), its offers to us are retracted, its listings leave our
    mediatheek index, and queued deliveries carrying our content to it are stopped.
    Retractions and deletions already queued still go: they protect our regie.
    Returns how many deliveries were stopped.
    """
    now = iso()
    db.execute(
        "UPDATE audience_partners SET retracted_at = ? WHERE partner_actor = ?"
        " AND retracted_at IS NULL",
        [now, actor_url],
    )
    db.execute(
        "UPDATE incoming_shares SET state = 'retracted', updated_at = ?"
        " WHERE origin_actor = ? AND state = 'offered'",
        [now, actor_url],
    )
    for (object_id,) in db.execute(
        "SELECT object_id FROM listings WHERE origin_actor = ? AND local = 0 AND withdrawn = 0",
        [actor_url],
    ).fetchall():
        index.withdraw_listing(db, object_id)
    stopped = queries.cancel_pending(db, actor_url, CONTENT_TYPES, ENDED_REASON)
    return stopped + outbox.drop_recipient(db, actor_url, CONTENT_TYPES)


class Partnerships:
    def __init__(self, app: web.Application) -> None:
        self.app = app

    @property
    def fed(self):
        return self.app[SERVICES].federation

    @property
    def our_mediatheek(self) -> str:
        return self.app[IDENTITY].actor_url + "/mediatheek"

    async def _actor_doc(self, actor_url: str) -> dict[str, Any]:
        actor = await self.fed.actors.get(actor_url, refresh=True)
        if isinstance(actor, Failure):
            log.info("partner actor fetch refused: %s: %s", actor_url, actor.detail)
            raise ValidationFailed(
                f"Could not fetch {actor_url}: {actor.detail}",
                field="handle",
                reason=NETGUARD_REASONS.get(actor.code, "actor-unreachable"),
            )
        if actor.document.get("type") not in (
            "Organization",
            "Group",
            "Service",
            "Application",
            "Person",
        ):
            raise ValidationFailed(
                f"{actor_url} is not an actor", field="handle", reason="not-an-actor"
            )
        return actor.document

    async def request(self, actor_url: str) -> dict[str, Any]:
        """Ask another organisation for a partnership (follow its mediatheek)."""
        if actor_url == self.app[IDENTITY].actor_url:
            raise ValidationFailed(
                "handle: that is this organisation itself", field="handle", reason="self"
            )
        existing = await self.app[DB].read(lambda d: partners_store.get_by_actor(d, actor_url))
        if existing and existing["state"] in ("active", "pending"):
            raise Conflict(
                f"There is already a {existing['state']} partnership with {actor_url}.",
                field="handle",
                reason=f"already-{existing['state']}",
            )
        doc = await self._actor_doc(actor_url)
        mediatheek = mediatheek_of(doc)
        if not mediatheek:
            raise ValidationFailed(
                f"{actor_url} has no mediatheek: it is not a Mediakring node",
                field="handle",
                reason="not-mediakring",
            )
        name = str(doc.get("name") or doc.get("preferredUsername") or "")[:200]
        handle = str(doc.get("preferredUsername") or "")[:100]
        await self.fed.follow(actor_url, mediatheek)

        def store(d):
            partners_store.start_again(d, actor_url, "outgoing")
            return partners_store.upsert(
                d,
                actor_url,
                direction="outgoing",
                name=name,
                handle=handle,
                mediatheek_url=mediatheek,
                we_follow="pending",
            )

        row = await self.app[DB].write(store)
        return partners_store.to_json(row)

    async def accept(self, partner_id: str) -> dict[str, Any]:
        row = await self.app[DB].read(lambda d: partners_store.get_partner(d, partner_id))
        if row["they_follow"] != "pending":
            raise Conflict("There is no pending request from this organisation to accept.")
        await self.fed.approve_follow(row["actor_url"], self.our_mediatheek)
        if row["we_follow"] in ("none", "ended", "rejected"):
            doc = await self._actor_doc(row["actor_url"])
            mediatheek = mediatheek_of(doc) or row["mediatheek_url"]
            await self.fed.follow(row["actor_url"], mediatheek)
            await self.app[DB].write(
                lambda d: partners_store.upsert(
                    d,
                    row["actor_url"],
                    direction=row["direction"],
                    we_follow="pending",
                    mediatheek_url=mediatheek,
                    name=row["name"] or str(doc.get("name") or ""),
                )
            )
        return await self._after(row["actor_url"], they_follow="accepted")

    async def reject(self, partner_id: str) -> dict[str, Any]:
        row = await self.app[DB].read(lambda d: partners_store.get_partner(d, partner_id))
        if row["they_follow"] != "pending":
            raise Conflict("There is no pending request from this organisation to reject.")
        await self.fed.reject_follow(row["actor_url"], self.our_mediatheek)
        return await self._after(row["actor_url"], they_follow="rejected")

    async def end(self, partner_id: str) -> dict[str, Any]:
        """End (or withdraw a request for) a partnership, from our side.

        First, in one transaction: the row ends, the partner leaves every audience, and
        deliveries still queued that would carry our content to it are stopped.  Then
        the two messages that end it go out: Undo of our follow of its mediatheek, and
        Reject of its follow of ours.  Either one tells the other side it is over.
        """
        row = await self.app[DB].read(lambda d: partners_store.get_partner(d, partner_id))
        if row["state"] == "ended":
            raise Conflict("This partnership has already ended.")
        actor_url = row["actor_url"]

        def apply(d):
            stopped = wind_down(d, actor_url)
            partners_store.upsert(
                d,
                actor_url,
                direction=row["direction"],
                state="ended",
                we_follow="ended",
                they_follow="ended",
            )
            return stopped

        stopped = await self.app[DB].write(apply)
        log.info(
            "partnership with %s ended by us; %s queued deliveries stopped", actor_url, stopped
        )
        if row["mediatheek_url"]:
            await self.fed.undo_follow(row["mediatheek_url"])
        await self.fed.reject_follow(actor_url, self.our_mediatheek)
        return await self.app[DB].read(
            lambda d: partners_store.to_json(partners_store.get_by_actor(d, actor_url))
        )

    async def _ended_by_them(self, actor_url: str, **changes: Any) -> None:
        """The other side ended it (its Undo or Reject arrived): the same local effects."""

        def apply(d):
            row = partners_store.get_by_actor(d, actor_url)
            if row is None:
                return None
            stopped = wind_down(d, actor_url)
            partners_store.upsert(
                d, actor_url, direction=row["direction"], state="ended", **changes
            )
            return stopped

        stopped = await self.app[DB].write(apply)
        if stopped is not None:
            log.info("partnership with %s ended by them; %s deliveries stopped", actor_url, stopped)

    async def _after(self, actor_url: str, **changes: Any) -> dict[str, Any]:
        def apply(d):
            before = partners_store.get_by_actor(d, actor_url)
            row = partners_store.upsert(d, actor_url, direction=before["direction"], **changes)
            return before["state"], row

        before, row = await self.app[DB].write(apply)
        if before != "active" and row["state"] == "active":
            await self.became_active(row)
        return partners_store.to_json(row)

    async def became_active(self, row: dict[str, Any]) -> None:
        log.info("partnership with %s is active", row["actor_url"])
        await self.app[DB].write(
            lambda d: notifications.notify(
                d,
                "partner_active",
                f"Partnerschap met {row['name'] or row['actor_url']} is actief",
                link="/admin/partners",
                data={"actor": row["actor_url"], "partner_name": row["name"] or ""},
            )
        )
        backfill = self.app[SERVICES].backfill
        if backfill is not None:
            await backfill.start(row["actor_url"])

    # -- follow events from the federation engine ------------------------------------

    async def on_follow_event(self, event) -> None:
        if event.direction == "incoming":
            if event.target != self.our_mediatheek:
                return
            if event.kind == "follow_requested":
                accepted = any(
                    f["follower"] == event.follower for f in await self.fed.followers(event.target)
                )
                await self._incoming_request(event.follower, accepted)
            elif event.kind == "follow_undone":
                await self._ended_by_them(event.follower, they_follow="ended")
            return
        known = await self.app[DB].read(
            lambda d: d.execute(
                "SELECT actor_url, we_follow, state FROM partners WHERE mediatheek_url = ?",
                [event.target],
            ).fetchone()
        )
        if not known:
            return
        if event.kind == "follow_rejected" and (known[1] == "accepted" or known[2] == "active"):
            # A Reject of a follow they had accepted: they ended the partnership.
            await self._ended_by_them(known[0], we_follow="ended")
            return
        state = {"follow_accepted": "accepted", "follow_rejected": "rejected"}.get(event.kind)
        if state:
            await self._after(known[0], we_follow=state)

    async def _incoming_request(self, follower: str, accepted: bool) -> None:
        existing = await self.app[DB].read(lambda d: partners_store.get_by_actor(d, follower))
        name = existing["name"] if existing else ""
        if not name:
            actor = await self.fed.actors.get(follower)
            if not isinstance(actor, Failure):
                doc = actor.document
                name = str(doc.get("name") or doc.get("preferredUsername") or "")[:200]
        changes: dict[str, Any] = {"they_follow": "accepted" if accepted else "pending"}
        if name:
            changes["name"] = name
        if accepted:
            await self._after(follower, **changes)
            return

        def store(d) -> None:
            # A request after an ended or rejected partnership is a new request.
            new = partners_store.start_again(d, follower, "incoming")
            new = new or partners_store.get_by_actor(d, follower) is None
            partners_store.upsert(d, follower, direction="incoming", **changes)
            if new:
                notifications.notify(
                    d,
                    "partner_request",
                    f"Partnerschapsverzoek van {name or follower}",
                    link="/admin/partners",
                    data={"actor": follower},
                )

        await self.app[DB].write(store)

    async def follow_policy(self, target: str, follower: str) -> str:
        """Citizens following the organisation: auto.  Our mediatheek: manual, unless we
        asked this organisation first (then its follow completes the partnership)."""
        if target == self.app[IDENTITY].actor_url:
            return "auto"
        if target != self.our_mediatheek:
            return "reject"
        row = await self.app[DB].read(lambda d: partners_store.get_by_actor(d, follower))
        if row and row["we_follow"] in ("pending", "accepted") and row["state"] != "ended":
            return "auto"
        return "manual"
