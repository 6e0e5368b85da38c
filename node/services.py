"""Async facades over node's services, for front ends such as admin_ui.

A front end must not touch the database or SQL (design §3): it calls these
functions with the node's application, and each runs one service call as one
transaction on the node's reader or writer thread.  The functions raise the same
:class:`node.errors.ProblemError` subclasses as the services they wrap, so the
caller can show their reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from node import accounts
from node.accounts import User
from node.appkeys import DB, IDENTITY, SERVICES, SETTINGS
from node.clock import iso
from node.errors import NotFound, ValidationFailed
from node.items import service as items
from node.settings import Settings

__all__ = [
    "User",
    "accept_contribution",
    "active_partners",
    "add_user",
    "authenticate",
    "closed_network",
    "contribution_file",
    "create_item",
    "create_screen",
    "create_token",
    "delete_item",
    "delete_screen",
    "delivery_health",
    "describe_audience",
    "domain_rules",
    "get_item",
    "get_listing",
    "get_share",
    "get_user",
    "ingest_media",
    "item_exists",
    "item_insight",
    "list_contributions",
    "list_items",
    "list_notifications",
    "list_partners",
    "list_screens",
    "list_shares",
    "list_tokens",
    "list_users",
    "mark_notifications_read",
    "media_file",
    "mediatheek_search",
    "organisation_insight",
    "partner_action",
    "reject_contribution",
    "remote_thumbnail",
    "request_partner",
    "retry_deliveries",
    "revoke_token",
    "set_audience",
    "set_domain_rule",
    "set_screen_items",
    "set_user_disabled",
    "set_user_language",
    "settings",
    "unread_notifications",
    "update_item",
    "use_listing",
    "use_share",
]


def settings(app: web.Application) -> Settings:
    return app[SETTINGS]


# -- accounts --------------------------------------------------------------------------


async def authenticate(app: web.Application, username: str, password: str) -> User | None:
    """The active user with this password, or None (same cost either way)."""
    return await app[DB].read(lambda db: accounts.authenticate(db, username, password))


async def get_user(app: web.Application, username: str) -> User:
    return await app[DB].read(lambda db: accounts.get_user(db, username))


async def list_users(app: web.Application) -> list[User]:
    return await app[DB].read(accounts.list_users)


async def add_user(app: web.Application, username: str, role: str, password: str) -> User:
    return await app[DB].write(lambda db: accounts.add_user(db, username, role, password))


async def set_user_disabled(app: web.Application, username: str, disabled: bool) -> User:
    return await app[DB].write(lambda db: accounts.set_disabled(db, username, disabled))


async def set_user_language(app: web.Application, username: str, language: str) -> None:
    await app[DB].write(lambda db: accounts.set_language(db, username, language))


async def create_token(app: web.Application, scope: str, label: str) -> tuple[str, str]:
    """(token id, secret token); the secret is not kept and can be shown only once."""
    return await app[DB].write(lambda db: accounts.create_token(db, scope, label))


async def list_tokens(app: web.Application) -> list[dict[str, Any]]:
    return await app[DB].read(accounts.list_tokens)


async def revoke_token(app: web.Application, token_id: str) -> None:
    await app[DB].write(lambda db: accounts.revoke_token(db, token_id))


# -- items -----------------------------------------------------------------------------


async def list_items(
    app: web.Application, filters: dict[str, str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of items, newest first, and the cursor of the next page."""
    identity = app[IDENTITY]
    return await app[DB].read(
        lambda db: items.list_items(db, identity, filters, limit, cursor, iso())
    )


async def get_item(app: web.Application, item_id: str) -> dict[str, Any]:
    identity = app[IDENTITY]
    return await app[DB].read(lambda db: items.get_item(db, identity, item_id))


async def item_exists(app: web.Application, item_id: str) -> bool:
    return await app[DB].read(lambda db: items.item_exists(db, item_id))


async def create_item(
    app: web.Application, data: dict[str, Any], *, author: str = ""
) -> dict[str, Any]:
    identity = app[IDENTITY]
    return await app[DB].write(lambda db: items.create_item(db, identity, data, author=author))


async def update_item(app: web.Application, item_id: str, data: dict[str, Any]) -> dict[str, Any]:
    identity = app[IDENTITY]
    return await app[DB].write(lambda db: items.update_item(db, identity, item_id, data))


async def delete_item(app: web.Application, item_id: str) -> None:
    await app[DB].write(lambda db: items.delete_item(db, item_id))


# -- media -----------------------------------------------------------------------------


async def ingest_media(
    app: web.Application,
    item_id: str,
    chunks: AsyncIterator[bytes],
    *,
    filename: str | None,
    declared_type: str | None,
    alt: str | None = None,
) -> dict[str, Any]:
    """Stream one file into the media store and attach it to an item.

    The same two steps as the API upload (receive, then analyse and record): if the
    client goes away or a check fails, the temp file is removed and no row is written.
    """
    from node.media import service as media
    from node.media.routes import store_of

    if not await item_exists(app, item_id):
        raise NotFound(f"There is no item {item_id!r}.")
    upload = {"db": app[DB], "store": store_of(app), "settings": app[SETTINGS], "item_id": item_id}
    temp = await media.upload(
        **upload, chunks=chunks, declared_type=declared_type, filename=filename, alt=alt
    )
    return await media.finish(**upload, temp=temp, filename=filename, alt=alt)


async def media_file(
    app: web.Application, media_id: str, rendition: str | None = None
) -> web.StreamResponse:
    """A streaming (sendfile, Range) response for a stored file or one of its renditions."""
    from node.media.queries import get_media, get_rendition
    from node.media.routes import store_of
    from node.media.serve import file_response

    if rendition is None:
        row = await app[DB].read(lambda db: get_media(db, media_id))
        if row is None:
            raise NotFound(f"There is no media {media_id!r}.")
        path = store_of(app).path_for(row["sha256"])
        return file_response(path, row["media_type"], row["sha256"], row["original_name"])
    row = await app[DB].read(lambda db: get_rendition(db, media_id, rendition))
    if row is None:
        raise NotFound(f"Media {media_id!r} has no rendition {rendition!r}.")
    stem = row["original_name"].rsplit(".", 1)[0] or "media"
    path = store_of(app).path_for(row["sha256"])
    return file_response(path, row["media_type"], row["sha256"], f"{stem}-{rendition}.jpg")


# -- regie (audience) ------------------------------------------------------------------


async def describe_audience(app: web.Application, item_id: str) -> dict[str, Any]:
    """The item's audience and the delivery state per partner."""
    return await app[SERVICES]["distributor"].describe(item_id)


async def set_audience(app: web.Application, item_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Store the editor's regie ({"partners", "mediatheek", "public"}) and send what it means."""
    return await app[SERVICES]["distributor"].set_audience(item_id, data)


# -- partners --------------------------------------------------------------------------


async def active_partners(app: web.Application) -> list[dict[str, Any]]:
    from node.sharing import partners_store

    return await app[DB].read(partners_store.active_partners)


async def list_partners(app: web.Application) -> dict[str, list[dict[str, Any]]]:
    """Active partners, incoming and outgoing requests, and every partner row."""
    from node.sharing import partners_store

    return await app[DB].read(partners_store.list_partners)


async def request_partner(app: web.Application, handle: str) -> dict[str, Any]:
    """Ask an organisation (``name@host`` or actor URL) for a partnership."""
    from node.lookup import resolve_actor_url

    actor_url = await resolve_actor_url(app[SERVICES]["federation"], handle.strip())
    return await app[SERVICES]["partnerships"].request(actor_url)


async def partner_action(app: web.Application, partner_id: str, action: str) -> dict[str, Any]:
    """Accept, reject or end a partnership."""
    if action not in ("accept", "reject", "end"):
        raise NotFound(f"There is no partner action {action!r}.")
    return await getattr(app[SERVICES]["partnerships"], action)(partner_id)


# -- notifications ---------------------------------------------------------------------


async def list_notifications(
    app: web.Application, *, unread_only: bool = False, before: str | None = None
) -> dict[str, Any]:
    from node.sharing import notifications

    return await app[DB].read(
        lambda db: notifications.list_notifications(db, unread_only=unread_only, before=before)
    )


async def unread_notifications(app: web.Application) -> int:
    from node.sharing import notifications

    return await app[DB].read(notifications.unread_count)


async def mark_notifications_read(app: web.Application, notification_id: str | None) -> int:
    """Mark one notification (or, with None, all of them) as read."""
    from node.sharing import notifications

    return await app[DB].write(lambda db: notifications.mark_read(db, notification_id))


# -- shared with us and use ------------------------------------------------------------


async def list_shares(app: web.Application) -> list[dict[str, Any]]:
    from node.sharing import shares

    return await app[DB].read(shares.list_shares)


async def get_share(app: web.Application, share_id: str) -> dict[str, Any]:
    from node.sharing import shares

    return await app[DB].read(lambda db: shares.get_share(db, share_id))


async def use_share(app: web.Application, share_id: str) -> dict[str, Any]:
    """Take a shared item into our library (409 ``embargoed`` while under embargo)."""
    from node.sharing import use

    return await use.use_share(app, share_id)


async def use_listing(app: web.Application, listing_id: int) -> dict[str, Any]:
    from node.sharing import use

    return await use.use_listing(app, listing_id)


#: Thumbnails fetched for previews are small; anything bigger is refused.
THUMBNAIL_MAX_BYTES = 4 * 1024 * 1024
THUMBNAIL_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


async def remote_thumbnail(
    app: web.Application, *, share_id: str | None = None, listing_id: int | None = None
) -> tuple[bytes, str]:
    """(bytes, media type) of the thumbnail of a share or a listing, by a signed GET.

    The origin serves it only to an actor in the item's audience, so the request is
    signed as our organisation (authorized fetch).  The file passes through the media
    store's temp directory and is removed again; only raster images are returned.
    """
    from node.mediatheek import store as index
    from node.sharing import shares
    from node.sharing.media_fetch import fetch_media

    if share_id is not None:
        url = (await app[DB].read(lambda db: shares.get_share(db, share_id)))["thumbnail_url"]
    elif listing_id is not None:
        listing = await app[DB].read(lambda db: index.get_listing(db, listing_id))
        url = listing["thumbnail_url"] if listing and not listing["withdrawn"] else None
    else:
        url = None
    if not url:
        raise NotFound("This item has no thumbnail.")
    store = app[SERVICES]["media_store"]
    temp = await fetch_media(app[SERVICES]["federation"], store, url, None, THUMBNAIL_MAX_BYTES)
    try:
        if temp.detected.media_type not in THUMBNAIL_TYPES:
            raise NotFound("The thumbnail is not an image.")
        data = await store.run(temp.path.read_bytes)
    finally:
        await store.run(store.discard, temp)
    return data, temp.detected.media_type


# -- mediatheek ------------------------------------------------------------------------


async def mediatheek_search(app: web.Application, query: Any) -> Any:
    """Search the local mediatheek index (a :class:`node.mediatheek.query.SearchQuery`)."""
    from node.mediatheek.search import search

    return await app[DB].read(lambda db: search(db, query))


async def get_listing(app: web.Application, listing_id: int) -> dict[str, Any]:
    """One mediatheek listing with a sanitised preview of its item; NotFound if withdrawn."""
    from node.mediatheek import store as index
    from protocol import mapping
    from protocol.result import Failure

    listing = await app[DB].read(lambda db: index.get_listing(db, listing_id))
    if listing is None or listing["withdrawn"]:
        raise NotFound(f"There is no listing {listing_id!r}.")
    document = listing.pop("document")
    item = mapping.object_to_item(document)
    preview = {} if isinstance(item, Failure) else item
    return {
        **listing,
        "body_html": preview.get("body_html") or "",
        "media": preview.get("media") or [],
    }


# -- insight ---------------------------------------------------------------------------


async def item_insight(app: web.Application, item_id: str) -> dict[str, Any]:
    """Who received, used and published an item, with the current audience."""
    from node.sharing import insight

    identity = app[IDENTITY]
    data = await app[DB].read(
        lambda db: (items.get_item(db, identity, item_id), insight.item_insight(db, item_id))[1]
    )
    data["audience"] = await describe_audience(app, item_id)
    return data


async def organisation_insight(app: web.Application, since: str | None = None) -> dict[str, Any]:
    from node.sharing import insight

    return await app[DB].read(lambda db: insight.organisation_insight(db, since))


# -- federation policy and delivery health ----------------------------------------------


async def domain_rules(app: web.Application) -> dict[str, str]:
    return await app[SERVICES]["federation"].domain_rules()


async def set_domain_rule(app: web.Application, domain: str, rule: str | None) -> None:
    """Allow or block a domain (``None`` removes its rule); ValidationFailed for bad input."""
    try:
        await app[SERVICES]["federation"].set_domain_rule(domain, rule)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="domain") from exc


def closed_network(app: web.Application) -> bool:
    """Whether the node federates only with allowed domains (a setting, read-only here)."""
    return bool(app[SERVICES]["federation"].policy.closed_network)


async def delivery_health(app: web.Application) -> dict[str, Any]:
    return await app[SERVICES]["federation"].delivery_health()


async def retry_deliveries(app: web.Application, host: str | None = None) -> int:
    return await app[SERVICES]["federation"].retry_now(host)


# -- wall screens ----------------------------------------------------------------------


async def list_screens(app: web.Application) -> list[dict[str, Any]]:
    from node.channels import wall

    return await app[DB].read(wall.list_screens)


async def create_screen(
    app: web.Application, name: str, rotate_seconds: int, include_public: bool
) -> dict[str, Any]:
    from node.channels import wall

    return await app[DB].write(
        lambda db: wall.create_screen(db, name, rotate_seconds, include_public)
    )


async def set_screen_items(
    app: web.Application, screen_id: str, item_ids: list[str]
) -> dict[str, Any]:
    from node.channels import wall

    return await app[DB].write(lambda db: wall.set_screen_items(db, screen_id, item_ids))


async def delete_screen(app: web.Application, screen_id: str) -> None:
    from node.channels import wall

    await app[DB].write(lambda db: wall.delete_screen(db, screen_id))


# -- contributions (moderation) -----------------------------------------------------------


async def list_contributions(
    app: web.Application, status: str | None = "pending"
) -> list[dict[str, Any]]:
    """The moderation queue (newest first), as the API shows it."""
    from node.contributions import store as queue

    base = app[SETTINGS].base_url
    return await app[DB].read(
        lambda db: [queue.to_json(r, base) for r in queue.list_page(db, status)]
    )


async def contribution_file(
    app: web.Application, contribution_id: str, position: int
) -> web.StreamResponse:
    """One stored file of a pending contribution, for the moderator's preview."""
    from node.contributions import store as queue
    from node.media.serve import file_response

    row = await app[DB].read(lambda db: queue.get(db, contribution_id))
    media = next((m for m in row["media"] if m["position"] == position), None)
    if media is None or not media["sha256"] or row["status"] != "pending":
        raise NotFound(f"Contribution {contribution_id!r} has no stored file {position}.")
    path = app[SERVICES]["media_store"].path_for(media["sha256"])
    return file_response(path, media["media_type"], media["sha256"], media["original_name"])


async def accept_contribution(app: web.Application, contribution_id: str) -> dict[str, Any]:
    """Accept: the contribution becomes a draft item credited to the contributor."""
    return await app[SERVICES]["contributions"].accept(contribution_id)


async def reject_contribution(
    app: web.Application, contribution_id: str, reason: str
) -> dict[str, Any]:
    """Reject with a reason the contributor is told; the files are dropped."""
    return await app[SERVICES]["contributions"].reject(contribution_id, reason)
