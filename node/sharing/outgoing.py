"""Distribution: every regie decision and every edit, with all its consequences, at once.

Each use case here runs as ONE database transaction that stores the change and
everything it implies: the audience rows, insight events, the item's own
mediatheek listing, webhook events and the activities for partners and
followers (written to the transactional outbox, :mod:`node.core.outbox`).  Only
after the commit is the outbox dispatcher woken; it hands the activities to the
federation engine, and at start-up it sends whatever a crash left unsent.  So a
kill at any point either loses the whole change or none of it.

The API, the admin UI and the scheduler all call these methods; none of them
sends anything itself.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlite_utils
from aiohttp import web

from node.channels.publish import published_payload
from node.core import outbox
from node.core.appkeys import DB, IDENTITY
from node.core.clock import iso
from node.core.identity import Identity
from node.items import service as items
from node.items import visibility
from node.mediatheek import store as index
from node.sharing import audience, insight, partners_store, webhooks
from node.sharing.forms import FOLLOWERS, item_document, partner_address
from node.sharing.listings import listing_from_item
from node.sharing.objects import (
    activity_id,
    followers_url,
    mediatheek_url,
    partners_url,
    with_proof,
)
from node.sharing.outbox_dispatch import wake as wake_outbox
from node.sharing.services import SERVICES
from protocol import activities
from protocol.vocab import AS_PUBLIC

log = logging.getLogger("mediakring.sharing")


class Distributor:
    """Sends what an item's audience says, and every later change, to everyone holding it."""

    def __init__(self, app: web.Application) -> None:
        self.app = app

    @property
    def identity(self) -> Identity:
        return self.app[IDENTITY]

    @property
    def federation(self):
        return self.app[SERVICES].federation

    async def _commit(self, change):
        """Run ``change`` as one transaction, then wake the senders of what it queued."""
        result = await self.app[DB].write(change)
        self.wake()
        return result

    def wake(self) -> None:
        """After a commit that queued activities or webhook events: send them now."""
        wake_outbox(self.app)
        webhooks.wake(self.app)

    # -- use cases ----------------------------------------------------------------------

    async def set_audience(self, item_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The editor's regie: store the new audience and queue what it means, atomically."""

        def change(d: sqlite_utils.Database) -> None:
            self._apply_audience(d, items.get_item(d, self.identity, item_id), data)

        await self._commit(change)
        return await self.describe(item_id)

    async def update_item(self, item_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Edit an item (API, editor) and send the new version to everyone who has it."""

        def change(d: sqlite_utils.Database) -> dict[str, Any]:
            item = items.update_item(d, self.identity, item_id, data)
            self._queue_update(d, item)
            return item

        return await self._commit(change)

    async def save_item(
        self, item_id: str, data: dict[str, Any], audience_data: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The editor's one save: metadata, then the audience, in ONE transaction.

        The new version goes to everyone who already had the item, and partners added
        now get an Offer of the new version (its embargo and terms included).  A refused
        audience rolls the metadata back too.
        """

        def change(d: sqlite_utils.Database) -> dict[str, Any]:
            if data:
                item = items.update_item(d, self.identity, item_id, data)
                self._queue_update(d, item)
            else:
                item = items.get_item(d, self.identity, item_id)
            if audience_data is not None:
                self._apply_audience(d, item, audience_data)
            return item

        item = await self._commit(change)
        return {"item": item, "audience": await self.describe(item_id)}

    def queue_changed(self, d: sqlite_utils.Database, item_id: str) -> None:
        """Inside another change's transaction (a media file added): queue the new version.

        The caller calls :meth:`wake` after its commit.
        """
        self._queue_update(d, items.get_item(d, self.identity, item_id))

    async def delete_item(self, item_id: str) -> None:
        """Delete one of our items and ask everyone who has it to remove it (API and UI)."""

        def change(d: sqlite_utils.Database) -> None:
            item = items.get_item(d, self.identity, item_id)
            self.queue_withdrawal(d, item)
            items.delete_item(d, item_id)

        await self._commit(change)

    async def lift_embargo(self, item_id: str) -> bool:
        """A public item whose embargo has passed goes to followers now (scheduler)."""

        def change(d: sqlite_utils.Database) -> bool:
            item = items.get_item(d, self.identity, item_id)
            sent = d.execute(
                "SELECT public, public_sent_at FROM audience WHERE item_id = ?", [item_id]
            ).fetchone()
            if not sent or not sent[0] or sent[1] or not self._may_go_public(item):
                return False
            self._queue_public(d, item)
            return True

        return await self._commit(change)

    async def expire(self, item_id: str) -> None:
        """The item's expiry has passed: everyone who has it is asked to remove it (scheduler)."""

        def change(d: sqlite_utils.Database) -> None:
            item = items.get_item(d, self.identity, item_id)
            self.queue_withdrawal(d, item)
            d.execute("UPDATE audience SET expiry_done_at = ? WHERE item_id = ?", [iso(), item_id])

        await self._commit(change)

    # -- what a change means, inside its transaction -------------------------------------

    def _apply_audience(
        self, d: sqlite_utils.Database, item: dict[str, Any], data: dict[str, Any]
    ) -> None:
        """Store the new audience, record its insight events and queue what it means."""
        item_id = item["id"]
        plan = audience.plan_and_store(d, item_id, data)
        partners = [p["actor_url"] for p in partners_store.active_partners(d)]
        for actor in plan.added:
            insight.record(d, item_id, "shared", partner_actor=actor)
        for actor in plan.removed:
            insight.record(d, item_id, "retracted", partner_actor=actor)
        if plan.list_on:
            for actor in partners:
                insight.record(d, item_id, "listed", partner_actor=actor)
        if plan.public_on:
            insight.record(d, item_id, "public")
        self._queue_audience_change(d, item, plan, partners)

    @staticmethod
    def _may_go_public(item: dict[str, Any]) -> bool:
        return not visibility.is_embargoed(item) and not visibility.is_expired(item)

    def _queue_audience_change(
        self,
        d: sqlite_utils.Database,
        item: dict[str, Any],
        plan: audience.AudienceChange,
        partners: list[str],
    ) -> None:
        identity, actor = self.identity, self.identity.actor_url
        for partner in plan.added:
            obj = item_document(d, identity, item, [partner])
            offer = activities.offer(activity_id(identity), actor, obj, to=[partner])
            outbox.enqueue(d, offer, [partner])
            d.execute(
                "UPDATE audience_partners SET activity_id = ? WHERE item_id = ?"
                " AND partner_actor = ?",
                [offer["id"], item["id"], partner],
            )
        for partner in plan.removed:
            previous = d.execute(
                "SELECT activity_id FROM audience_partners WHERE item_id = ? AND partner_actor = ?",
                [item["id"], partner],
            ).fetchone()
            offer_ref = previous[0] if previous and previous[0] else item["uri"]
            undo = activities.undo(
                activity_id(identity),
                actor,
                {"type": "Offer", "id": offer_ref, "actor": actor, "object": item["uri"]},
                to=[partner],
            )
            outbox.enqueue(d, undo, [partner])
        if plan.list_on:
            self._index_own(d, item, listed=True)
            if partners:
                self._queue_listing(d, item, partners)
        if plan.list_off:
            self._index_own(d, item, listed=False)
            if partners:
                remove = activities.remove(
                    activity_id(identity),
                    actor,
                    item["uri"],
                    mediatheek_url(identity),
                    to=[partners_url(identity)],
                )
                outbox.enqueue(d, remove, partners)
        if (plan.public_on or plan.public_off) and not (plan.list_on or plan.list_off):
            # Partners holding it learn whether it is public now (their public pages obey it).
            self._queue_update(d, item, followers=False)
        if plan.public_on and self._may_go_public(item):
            self._queue_public(d, item)
        if plan.public_off:
            delete = activities.delete(
                activity_id(identity),
                actor,
                item["uri"],
                to=[AS_PUBLIC],
                cc=[followers_url(identity)],
            )
            outbox.enqueue(d, delete, [followers_url(identity)])

    def _queue_listing(
        self, d: sqlite_utils.Database, item: dict[str, Any], recipients: list[str]
    ) -> str:
        identity = self.identity
        add = activities.add(
            activity_id(identity),
            identity.actor_url,
            item_document(d, identity, item, [partners_url(identity)]),
            mediatheek_url(identity),
            to=[partners_url(identity)],
        )
        outbox.enqueue(d, add, recipients)
        d.execute("UPDATE audience SET listed_sent_at = ? WHERE item_id = ?", [iso(), item["id"]])
        return add["id"]

    def _queue_public(self, d: sqlite_utils.Database, item: dict[str, Any]) -> str:
        identity = self.identity
        cc = [followers_url(identity)]
        create = activities.create(
            activity_id(identity),
            identity.actor_url,
            item_document(d, identity, item, FOLLOWERS),
            to=[AS_PUBLIC],
            cc=cc,
        )
        outbox.enqueue(d, create, cc)
        now = iso()
        d.execute("UPDATE audience SET public_sent_at = ? WHERE item_id = ?", [now, item["id"]])
        published = d.execute(
            "SELECT published_at FROM audience WHERE item_id = ?", [item["id"]]
        ).fetchone()
        payload = published_payload({**item, "published_at": (published and published[0]) or now})
        webhooks.queue_event(d, "item.published", payload)
        return create["id"]

    def _queue_update(
        self, d: sqlite_utils.Database, item: dict[str, Any], *, followers: bool = True
    ) -> None:
        identity = self.identity
        send_to_followers = followers
        webhooks.queue_event(d, "item.changed", changed_payload(item, "updated"))
        if audience.get_audience(d, item["id"])["mediatheek"]:
            self._index_own(d, item, listed=True)
        partners, followers = recipients(d, item["id"])
        followers = followers and send_to_followers
        # Each partner gets the object addressed as it holds the item (forms.partner_address):
        # one Update per partner it was shared with, one to the listing's partners.
        groups: dict[tuple[str, ...], list[str]] = {}
        for partner in partners:
            held = partner_address(d, identity, item["id"], partner) or [partner]
            groups.setdefault(tuple(held), []).append(partner)
        for held, inboxes in groups.items():
            update = activities.update(
                activity_id(identity),
                identity.actor_url,
                item_document(d, identity, item, list(held)),
                to=list(held),
            )
            outbox.enqueue(d, update, inboxes)
        if followers:
            # Followers get the same shape Mastodon rendered at publication.
            cc = [followers_url(identity)]
            obj = item_document(d, identity, item, FOLLOWERS)
            update = activities.update(
                activity_id(identity), identity.actor_url, obj, to=[AS_PUBLIC], cc=cc
            )
            outbox.enqueue(d, update, cc)

    def queue_withdrawal(self, d: sqlite_utils.Database, item: dict[str, Any]) -> None:
        """Deleted or expired: everyone who has it is asked to remove it (and their copies).

        Runs inside the caller's transaction; the caller calls :meth:`wake` after it.
        """
        identity = self.identity
        webhooks.queue_event(d, "item.changed", changed_payload(item, "withdrawn"))
        index.withdraw_listing(d, item["uri"])
        partners, followers = recipients(d, item["id"])
        for partner in partners:
            insight.record(d, item["id"], "withdrawn", partner_actor=partner)
        targets = partners + ([followers_url(identity)] if followers else [])
        if not targets:
            return
        to = ([AS_PUBLIC] if followers else []) + partners
        delete = activities.delete(activity_id(identity), identity.actor_url, item["uri"], to=to)
        outbox.enqueue(d, delete, targets)

    def _index_own(self, d: sqlite_utils.Database, item: dict[str, Any], *, listed: bool) -> None:
        """Our own listed items are in our own mediatheek index too (``local``).

        Stored signed: the mediatheek collection serves it as is (back-fill), so each
        listing is signed once per version rather than once per request.
        """
        identity = self.identity
        if not listed:
            index.withdraw_listing(d, item["uri"])
            return
        doc = with_proof(identity, item_document(d, identity, item, [partners_url(identity)]))
        listing = listing_from_item(
            item,
            origin_actor=identity.actor_url,
            origin_name=identity.name,
            document=doc,
            local=True,
            proof_ok=True,
        )
        index.upsert_listing(d, listing)

    # -- reading ------------------------------------------------------------------------

    async def describe(self, item_id: str) -> dict[str, Any]:
        """The audience plus the delivery state per partner (for GET and the regie panel)."""
        current = await self.app[DB].read(
            lambda d: (
                audience.get_audience(d, item_id),
                {
                    r["partner_actor"]: r["activity_id"]
                    for r in d.query(
                        "SELECT partner_actor, activity_id FROM audience_partners"
                        " WHERE item_id = ?",
                        [item_id],
                    )
                },
            )
        )
        aud, offers = current
        deliveries = {}
        for partner, sent in offers.items():
            states = await self.federation.delivery_states(sent) if sent else []
            deliveries[partner] = _summarise(states)
        return {**aud, "deliveries": deliveries}


def changed_payload(item: dict[str, Any], change: str) -> dict[str, Any]:
    """What ``item.changed`` tells a webhook: which item, and that it was updated or
    withdrawn (deleted, expired); the receiver reads the rest from ``/api/v1/changes``."""
    return {"item_id": item["id"], "uri": item["uri"], "change": change}


def recipients(d: sqlite_utils.Database, item_id: str) -> tuple[list[str], bool]:
    """Everyone who has received the item: partner actors, and whether followers did."""
    partners = {
        r[0]
        for r in d.execute(
            "SELECT partner_actor FROM audience_partners WHERE item_id = ?"
            " AND retracted_at IS NULL",
            [item_id],
        )
    }
    row = d.execute(
        "SELECT listed_sent_at, public_sent_at, mediatheek FROM audience WHERE item_id = ?",
        [item_id],
    ).fetchone()
    if row and row[2]:
        partners |= {p["actor_url"] for p in partners_store.active_partners(d)}
    return sorted(partners), bool(row and row[1])


def _summarise(states: list[dict[str, Any]]) -> dict[str, Any]:
    if not states:
        return {"state": "queued", "attempts": 0, "last_error": None}
    state = states[0]
    return {
        "state": state["state"],
        "attempts": state["attempts"],
        "last_status": state.get("last_status"),
        "last_error": state.get("last_error"),
        "delivered_at": state.get("delivered_at"),
    }
