"""The network: regie, partners, notifications, shares, mediatheek, insight, federation.

Async facades for front ends (see ``node.services``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from aiohttp import web

from node.core.appkeys import DB, IDENTITY
from node.core.errors import NotFound, ValidationFailed
from node.items import service as items
from node.sharing.services import SERVICES

if TYPE_CHECKING:
    from node.sharing.use import UseResult

# -- regie (audience) ------------------------------------------------------------------


async def describe_audience(app: web.Application, item_id: str) -> dict[str, Any]:
    """The item's audience and the delivery state per partner."""
    return await app[SERVICES].distributor.describe(item_id)


async def set_audience(app: web.Application, item_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Store the editor's regie ({"partners", "mediatheek", "public"}) and send what it means."""
    return await app[SERVICES].distributor.set_audience(item_id, data)


# -- partners --------------------------------------------------------------------------


async def active_partners(app: web.Application) -> list[dict[str, Any]]:
    from node.sharing import partners_store

    return await app[DB].read(partners_store.active_partners)


async def partner_names(app: web.Application) -> dict[str, str]:
    """Every partner we ever had, by actor URL: its name, else handle@host, never the URL."""
    from node.sharing import partners_store

    return await app[DB].read(partners_store.names)


async def list_partners(app: web.Application) -> dict[str, list[dict[str, Any]]]:
    """Active partners, incoming and outgoing requests, and every partner row."""
    from node.sharing import partners_store

    return await app[DB].read(partners_store.list_partners)


async def request_partner(app: web.Application, handle: Any) -> dict[str, Any]:
    """Ask an organisation (``name@host`` or actor URL) for a partnership."""
    from node.sharing.lookup import resolve_actor_url

    if not isinstance(handle, str) or not handle.strip():
        raise ValidationFailed(
            "handle: give name@host or an actor URL", field="handle", reason="malformed"
        )
    actor_url = await resolve_actor_url(app[SERVICES].federation, handle.strip())
    return await app[SERVICES].partnerships.request(actor_url)


async def partner_action(app: web.Application, partner_id: str, action: str) -> dict[str, Any]:
    """Accept, reject or end a partnership."""
    if action not in ("accept", "reject", "end"):
        raise NotFound(f"There is no partner action {action!r}.")
    return await getattr(app[SERVICES].partnerships, action)(partner_id)


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


async def use_share(app: web.Application, share_id: str) -> UseResult:
    """Take a shared item into our library (409 ``embargoed`` while under embargo).

    Idempotent: a share already in our library answers with that copy (``created=False``).
    """
    from node.sharing import use

    return await use.use_share(app, share_id)


async def use_listing(app: web.Application, listing_id: int) -> UseResult:
    """Take a mediatheek item into our library; idempotent like :func:`use_share`."""
    from node.sharing import use

    return await use.use_listing(app, listing_id)


async def report_publication(app: web.Application, item_id: str, channel: Any) -> dict[str, Any]:
    """We published our copy ``item_id`` on ``channel`` (a name or an http(s) address):
    tell its origin.  ValidationFailed (``reason``) for a bad channel or an item that is
    no copy."""
    from node.sharing import use

    return await use.report_publication(app, item_id, channel)


#: Thumbnails fetched for previews are small; anything bigger is refused.
THUMBNAIL_MAX_BYTES = 4 * 1024 * 1024
THUMBNAIL_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


async def remote_thumbnail(
    app: web.Application, *, share_id: str | None = None, listing_id: int | None = None
) -> tuple[bytes, str]:
    """(bytes, media type) of the thumbnail of a share or a listing, by a signed GET.

    The origin serves it only to an actor in the item's audience; the URL is the
    origin's choice, so the request is signed by our instance actor (authorized fetch,
    see ``node.sharing.media_fetch``).  The file passes through the media
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
    store = app[SERVICES].media_store
    temp = await fetch_media(app[SERVICES].federation, store, url, None, THUMBNAIL_MAX_BYTES)
    try:
        if temp.detected.media_type not in THUMBNAIL_TYPES:
            raise NotFound("The thumbnail is not an image.")
        data = await store.run(temp.path.read_bytes)
    finally:
        await store.run(store.discard, temp)
    return data, temp.detected.media_type


#: What the preview streams: players and images inline, documents as downloads.
STREAMED_MAJOR = ("image/", "video/", "audio/")


@contextlib.asynccontextmanager
async def remote_media(
    app: web.Application,
    *,
    share_id: str | None = None,
    listing_id: int | None = None,
    index: int = 0,
    range_header: str | None = None,
) -> AsyncIterator[tuple[int, dict[str, str], AsyncIterator[bytes]]]:
    """Stream file ``index`` of a share or listing from its origin: (status, headers, chunks).

    Only the files of an item this node holds (a share that is still offered or used,
    a listing not withdrawn) are fetched, by a signed GET that the origin answers only
    for an organisation in the item's audience; and never while the item is under
    embargo or after it expired (:func:`node.items.visibility.check_usable`, the one
    rule).  A single ``Range`` is passed on (206/416 come back as the origin gives
    them); a malformed one is ignored, as RFC 9110 allows.  Nothing is stored.
    """
    from node.items import visibility
    from node.sharing import media_fetch, shares

    if share_id is not None:
        record = await app[DB].read(lambda db: shares.get_share(db, share_id))
        if record["state"] not in ("offered", "used"):
            raise NotFound("This share was withdrawn by its origin.")
    elif listing_id is not None:
        record = await get_listing(app, listing_id)
    else:
        raise NotFound("Name a share or a listing.")
    media = record.get("media") or []
    if not 0 <= index < len(media) or not media[index].get("url"):
        raise NotFound(f"The item has no file number {index}.")
    visibility.check_usable(record)
    fed = app[SERVICES].federation
    async with media_fetch.open_stream(
        fed, media[index]["url"], media_fetch.single_range(range_header)
    ) as resp:
        headers = {h: resp.headers[h] for h in media_fetch.PASSED_HEADERS if h in resp.headers}
        media_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not media_type.startswith(STREAMED_MAJOR) and resp.status != 416:
            headers["Content-Disposition"] = "attachment"

        async def chunks() -> AsyncIterator[bytes]:
            async for chunk in resp.content.iter_chunked(1 << 16):
                yield chunk

        yield resp.status, headers, chunks()


# -- mediatheek ------------------------------------------------------------------------


async def mediatheek_search(app: web.Application, query: Any) -> Any:
    """Search the local mediatheek index (a :class:`node.mediatheek.query.SearchQuery`)."""
    from node.mediatheek.search import search

    return await app[DB].read(lambda db: search(db, query))


async def mediatheek_suggest(app: web.Application, q: str, now: str) -> list[str]:
    """Titles to suggest while typing ``q`` (only listings visible and free to use now)."""
    from node.mediatheek.search import suggest

    return await app[DB].read(lambda db: suggest(db, q, now))


async def mediatheek_origin_name(app: web.Application, actor: str) -> str:
    """The organisation name the listings of ``actor`` carry ('' when none)."""
    from node.mediatheek.store import origin_name

    return await app[DB].read(lambda db: origin_name(db, actor))


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
    return await app[SERVICES].federation.domain_rules()


async def set_domain_rule(app: web.Application, domain: str, rule: str | None) -> None:
    """Allow or block a domain (``None`` removes its rule); ValidationFailed for bad input."""
    try:
        await app[SERVICES].federation.set_domain_rule(domain, rule)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="domain") from exc


def closed_network(app: web.Application) -> bool:
    """Whether the node federates only with allowed domains (a setting, read-only here)."""
    return bool(app[SERVICES].federation.policy.closed_network)


async def delivery_health(app: web.Application) -> dict[str, Any]:
    return await app[SERVICES].federation.delivery_health()


async def retry_deliveries(app: web.Application, host: str | None = None) -> int:
    return await app[SERVICES].federation.retry_now(host)
