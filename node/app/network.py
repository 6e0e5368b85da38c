"""The node's side of federation: build the engine and plug the node into it.

federation/ knows nothing of items or editors; here the node gives it its
identity and limits, registers one handler per activity type it cares about,
answers for its object URLs and collections, and listens to follow events
(partnerships).  Handlers refuse with a logged reason (``Refused``) rather than
raising into the engine, so a hostile activity is never retried.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from federation.engine import Federation, FederationConfig, LocalActor
from federation.types import InboxContext
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.http import public as public_routes
from node.services import usage_network
from node.sharing import outbox_dispatch
from node.sharing.incoming import changes, listing, offer, reports
from node.sharing.incoming.common import Refused
from node.sharing.resolvers import Resolvers
from node.sharing.schedule import scheduler_ctx
from node.sharing.services import SERVICES

log = logging.getLogger("mediakring.network")

#: Activity types the node handles (besides Follow/Accept/Reject/Undo(Follow) in
#: federation itself); a docs test checks each is described in FEDERATION.md.
HANDLED_TYPES = (
    "Offer",
    "Add",
    "Remove",
    "Create",
    "Update",
    "Delete",
    "Undo",
    "Accept",
    "Like",
    "Announce",
    "Follow",
    "Reject",
)


def build_federation(app: web.Application) -> Federation:
    settings, identity = app[SETTINGS], app[IDENTITY]
    actor = LocalActor(
        base_url=identity.base_url,
        actor_url=identity.actor_url,
        rsa_key_id=identity.rsa_key_id,
        rsa_private_key=identity.rsa_key,
        ed25519_key_id=identity.ed25519_key_id,
        ed25519_private_key=identity.ed25519_key,
        handle=identity.handle,
        profile=identity.profile,
        instance_rsa_private_key=identity.instance_rsa_key,
    )
    config = FederationConfig(
        allow_private_network=settings.allow_private_network,
        inbox_max_bytes=settings.inbox_max_bytes,
        inbox_rate_per_minute=settings.inbox_rate_per_minute,
        delivery_concurrency_per_host=settings.delivery_concurrency_per_host,
        delivery_timeout_seconds=settings.delivery_timeout_seconds,
        delivery_give_up_hours=settings.delivery_give_up_hours,
        remote_actor_max_bytes=settings.remote_actor_max_bytes,
        closed_network=settings.closed_network,
        inbox_rate_per_address_per_minute=settings.inbox_rate_per_address_per_minute,
        inbox_verify_deadline_seconds=settings.inbox_verify_deadline_seconds,
        sign_collection_pages=settings.sign_collection_pages,
    )
    return Federation(app[DB], actor, config)


def _guarded(app: web.Application, fn: Callable[..., Awaitable[Any]]):
    async def handler(ctx: InboxContext) -> None:
        try:
            await fn(app, ctx)
        except Refused as exc:
            log.info(
                "refused %s %s from %s: %s",
                ctx.raw.get("type"),
                ctx.raw.get("id"),
                ctx.sender.id,
                exc.detail,
            )

    return handler


async def _on_create(app: web.Application, ctx: InboxContext) -> None:
    obj = ctx.raw.get("object")
    if isinstance(obj, dict) and obj.get("type") == usage_network.REPORT_TYPE:
        await usage_network.receive_report(app, ctx.sender.id, ctx.raw)
        return
    if await reports.handle_copy_report(app, ctx.sender.id, ctx.raw):
        return
    if isinstance(obj, dict) and obj.get("inReplyTo"):
        await reports.handle_reaction(app, ctx.sender.id, ctx.raw)
    await app[SERVICES].contributions.from_fediverse(ctx)


async def _on_update(app: web.Application, ctx: InboxContext) -> None:
    if await changes.handle_actor_update(app, ctx.sender.id, ctx.raw):
        return
    if await reports.handle_copy_report(app, ctx.sender.id, ctx.raw):
        return
    await changes.handle_update(app, ctx.sender.id, ctx.raw)


async def _on_undo(app: web.Application, ctx: InboxContext) -> None:
    obj = ctx.raw.get("object")
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "Offer":
        await changes.handle_undo_offer(app, ctx.sender.id, ctx.raw)


async def _on_accept(app: web.Application, ctx: InboxContext) -> None:
    obj = ctx.raw.get("object")
    if isinstance(obj, dict) and obj.get("type") == "Delete":
        await reports.handle_removal_confirmed(app, ctx.sender.id, ctx.raw)


async def _on_add(app: web.Application, ctx: InboxContext) -> None:
    await listing.handle_add(app, ctx.sender.id, ctx.raw, proof_verified="proof" in ctx.raw)


def setup(app: web.Application) -> None:
    """Register the node's handlers and resolvers, add the routes."""
    services = app[SERVICES]
    fed, partnerships = services.federation, services.partnerships
    resolvers = Resolvers(app, item_html=public_routes.item_html)
    fed.set_follow_policy(partnerships.follow_policy)
    fed.on_follow_event(partnerships.on_follow_event)
    fed.register_object_resolver("/items/", resolvers.item)
    fed.register_object_resolver("/media/", resolvers.media)
    fed.register_collection("mediatheek", resolvers.mediatheek_page)
    fed.register_collection("partners", resolvers.partners_page)
    fed.register_collection("outbox", resolvers.outbox_page)
    for kind, fn in {
        "Offer": lambda a, c: offer.handle(a, c.sender.id, c.raw),
        "Add": _on_add,
        "Remove": lambda a, c: listing.handle_remove(a, c.sender.id, c.raw),
        "Create": _on_create,
        "Update": _on_update,
        "Delete": lambda a, c: changes.handle_delete(a, c.sender.id, c.raw),
        "Undo": _on_undo,
        "Accept": _on_accept,
        "Like": lambda a, c: reports.handle_reaction(a, c.sender.id, c.raw),
        "Announce": lambda a, c: reports.handle_reaction(a, c.sender.id, c.raw),
    }.items():
        fed.on(kind)(_guarded(app, fn))

    async def usage() -> dict:
        def count(db):
            users = db.execute("SELECT count(*) FROM users WHERE disabled = 0").fetchone()[0]
            posts = db.execute("SELECT count(*) FROM items WHERE deleted = 0").fetchone()[0]
            return {"users": {"total": users}, "localPosts": posts}

        return await app[DB].read(count)

    fed.set_usage_provider(usage)
    fed.setup(app)
    outbox_dispatch.setup(app)  # after the engine starts: resend what a crash left
    app.cleanup_ctx.append(scheduler_ctx)
    app.cleanup_ctx.append(usage_network.usage_scheduler_ctx)
