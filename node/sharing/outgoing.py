"""Turning regie decisions into activities: Offer, retraction, listing, public post.

Local effects (the audience rows, insight) are stored first in one write; the
federation engine then persists each activity and its deliveries durably, so
a crash between the two at worst re-sends nothing and loses nothing the
editor decided (the audience row is the truth and can be re-sent).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from node.appkeys import DB, IDENTITY, SERVICES
from node.channels import webhooks
from node.channels.publish import published_payload
from node.clock import iso, new_id
from node.identity import Identity
from node.items import service as items
from node.mediatheek import store as index
from node.sharing import audience, insight, partners_store
from node.sharing.listings import listing_from_item
from protocol import activities, mapping, proofs
from protocol.vocab import AS_PUBLIC, CONTEXT

log = logging.getLogger("mediakring.sharing")


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


def signed_object(identity: Identity, item: dict[str, Any], to: list[str]) -> dict[str, Any]:
    """The item as a stand-alone document with our proof, verifiable wherever it travels."""
    doc = {"@context": CONTEXT, **item_object(identity, item, to)}
    return proofs.create_proof(
        doc, identity.ed25519_key, identity.ed25519_key_id, datetime.now(UTC)
    )


class Distributor:
    """Sends what an item's audience says, through the federation engine."""

    def __init__(self, app: web.Application) -> None:
        self.app = app

    @property
    def federation(self):
        return self.app[SERVICES]["federation"]

    async def set_audience(self, item_id: str, data: dict[str, Any]) -> dict[str, Any]:
        db, identity = self.app[DB], self.app[IDENTITY]

        def store(d):
            item = items.get_item(d, identity, item_id)
            change = audience.plan_and_store(d, item_id, data)
            partners = [p["actor_url"] for p in partners_store.active_partners(d)]
            for actor in change.added:
                insight.record(d, item_id, "shared", partner_actor=actor)
            for actor in change.removed:
                insight.record(d, item_id, "retracted", partner_actor=actor)
            if change.list_on:
                for actor in partners:
                    insight.record(d, item_id, "listed", partner_actor=actor)
            if change.public_on:
                insight.record(d, item_id, "public")
            return item, change, partners

        item, change, partners = await db.write(store)
        if change.list_on or change.list_off:
            await self.index_own(item, listed=change.list_on)
        await self.send_change(item, change, partners)
        return await self.describe(item_id)

    async def send_change(
        self, item: dict[str, Any], change: audience.AudienceChange, partners: list[str]
    ) -> None:
        identity = self.app[IDENTITY]
        actor = identity.actor_url
        for partner in change.added:
            offer = activities.offer(
                activity_id(identity), actor, item_object(identity, item, [partner]), to=[partner]
            )
            sent = await self.federation.publish(offer, [partner])
            await self.app[DB].write(
                lambda d, p=partner, a=sent: d.execute(
                    "UPDATE audience_partners SET activity_id = ? WHERE item_id = ?"
                    " AND partner_actor = ?",
                    [a, item["id"], p],
                )
            )
        for partner in change.removed:
            previous = await self.app[DB].read(
                lambda d, p=partner: d.execute(
                    "SELECT activity_id FROM audience_partners WHERE item_id = ?"
                    " AND partner_actor = ?",
                    [item["id"], p],
                ).fetchone()
            )
            offer_ref = previous[0] if previous and previous[0] else item["uri"]
            undo = activities.undo(
                activity_id(identity),
                actor,
                {"type": "Offer", "id": offer_ref, "actor": actor, "object": item["uri"]},
                to=[partner],
            )
            await self.federation.publish(undo, [partner])
        if change.list_on and partners:
            await self.send_listing(item, partners)
        if change.list_off and partners:
            remove = activities.remove(
                activity_id(identity),
                actor,
                item["uri"],
                mediatheek_url(identity),
                to=[partners_url(identity)],
            )
            await self.federation.publish(remove, partners)
        if change.public_on and not _embargoed(item):
            await self.send_public(item)
        if change.public_off:
            delete = activities.delete(
                activity_id(identity),
                actor,
                item["uri"],
                to=[AS_PUBLIC],
                cc=[followers_url(identity)],
            )
            await self.federation.publish(delete, [followers_url(identity)])

    async def send_listing(self, item: dict[str, Any], recipients: list[str]) -> str:
        identity = self.app[IDENTITY]
        add = activities.add(
            activity_id(identity),
            identity.actor_url,
            item_object(identity, item, [partners_url(identity)]),
            mediatheek_url(identity),
            to=[partners_url(identity)],
        )
        sent = await self.federation.publish(add, recipients)
        await self.app[DB].write(
            lambda d: d.execute(
                "UPDATE audience SET listed_sent_at = ? WHERE item_id = ?", [iso(), item["id"]]
            )
        )
        return sent

    async def send_public(self, item: dict[str, Any]) -> str:
        from node.public.fediverse import follower_object

        identity = self.app[IDENTITY]
        obj = await follower_object(self.app, item, [AS_PUBLIC], [followers_url(identity)])
        create = activities.create(
            activity_id(identity),
            identity.actor_url,
            obj,
            to=[AS_PUBLIC],
            cc=[followers_url(identity)],
        )
        sent = await self.federation.publish(create, [followers_url(identity)])
        await self.app[DB].write(
            lambda d: d.execute(
                "UPDATE audience SET public_sent_at = ? WHERE item_id = ?", [iso(), item["id"]]
            )
        )
        await webhooks.emit(
            self.app, "item.published", published_payload({**item, "published_at": iso()})
        )
        return sent

    async def recipients(self, item_id: str) -> tuple[list[str], bool]:
        """Everyone who has received the item: partner actors, and whether followers did."""

        def load(d):
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

        return await self.app[DB].read(load)

    async def index_own(self, item: dict[str, Any], *, listed: bool) -> None:
        """Our own listed items are in our own mediatheek index too (``local``)."""
        identity = self.app[IDENTITY]
        if not listed:
            await self.app[DB].write(lambda d: index.withdraw_listing(d, item["uri"]))
            return
        # Stored signed: the mediatheek collection serves it as is (back-fill), so each
        # listing is signed once per version rather than once per request.
        doc = await asyncio.to_thread(signed_object, identity, item, [partners_url(identity)])
        listing = listing_from_item(
            item,
            origin_actor=identity.actor_url,
            origin_name=identity.name,
            document=doc,
            local=True,
            proof_ok=True,
        )
        await self.app[DB].write(lambda d: index.upsert_listing(d, listing))

    async def item_changed(self, item: dict[str, Any]) -> None:
        """An edited item goes again to everyone who has it, as an Update."""
        identity = self.app[IDENTITY]
        listed = await self.app[DB].read(lambda d: audience.get_audience(d, item["id"]))
        if listed["mediatheek"]:
            await self.index_own(item, listed=True)
        partners, followers = await self.recipients(item["id"])
        if partners:
            update = activities.update(
                activity_id(identity),
                identity.actor_url,
                item_object(identity, item, partners),
                to=partners,
            )
            await self.federation.publish(update, partners)
        if followers:
            # Followers get the same shape Mastodon rendered at publication.
            from node.public.fediverse import follower_object

            cc = [followers_url(identity)]
            obj = await follower_object(self.app, item, [AS_PUBLIC], cc)
            update = activities.update(
                activity_id(identity), identity.actor_url, obj, to=[AS_PUBLIC], cc=cc
            )
            await self.federation.publish(update, cc)

    async def delete_item(self, item_id: str) -> None:
        """Delete one of our items and ask everyone who has it to remove it (API and UI)."""
        identity = self.app[IDENTITY]
        item = await self.app[DB].read(lambda d: items.get_item(d, identity, item_id))
        await self.app[DB].write(lambda d: items.delete_item(d, item_id))
        await self.item_withdrawn(item)

    async def item_withdrawn(self, item: dict[str, Any]) -> None:
        """Deleted or expired: everyone who has it is asked to remove it (and copies)."""
        identity = self.app[IDENTITY]
        await self.app[DB].write(lambda d: index.withdraw_listing(d, item["uri"]))
        partners, followers = await self.recipients(item["id"])
        recipients = partners + ([followers_url(identity)] if followers else [])
        for partner in partners:
            await self.app[DB].write(
                lambda d, p=partner: insight.record(d, item["id"], "withdrawn", partner_actor=p)
            )
        if not recipients:
            return
        to = ([AS_PUBLIC] if followers else []) + partners
        delete = activities.delete(activity_id(identity), identity.actor_url, item["uri"], to=to)
        await self.federation.publish(delete, recipients)

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


def _embargoed(item: dict[str, Any]) -> bool:
    return bool(item.get("embargo_until") and item["embargo_until"] > iso())
