"""Channels and citizens: wall screens and the contributions queue.

Async facades for front ends (see ``node.services``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from node.channels import agenda
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.clock import iso
from node.core.errors import NotFound
from node.sharing.services import SERVICES

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


async def screen_candidates(app: web.Application, limit: int = 50) -> list[dict[str, Any]]:
    """The items a screen may show: public, not expired (embargoed ones marked)."""
    from node.channels import wall

    return await app[DB].read(lambda db: wall.screen_candidates(db, limit=limit))


async def rotate_screen_url(app: web.Application, screen_id: str) -> dict[str, Any]:
    """A new address for a screen; the old one answers 404 at once."""
    from node.channels import wall

    return await app[DB].write(lambda db: wall.rotate_screen_token(db, screen_id))


async def delete_screen(app: web.Application, screen_id: str) -> None:
    from node.channels import wall

    await app[DB].write(lambda db: wall.delete_screen(db, screen_id))


# -- webhooks -----------------------------------------------------------------------------


async def list_webhooks(app: web.Application) -> list[dict[str, Any]]:
    """The subscriptions, without their secrets."""
    from node.sharing import webhooks

    return await app[DB].read(webhooks.list_webhooks)


async def rotate_webhook_secret(app: web.Application, webhook_id: str) -> dict[str, Any]:
    """A new signing secret (returned once); the old one signs nothing from now on."""
    from node.sharing import webhooks

    return await app[DB].write(lambda db: webhooks.rotate_secret(db, webhook_id))


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
    path = app[SERVICES].media_store.path_for(media["sha256"])
    return file_response(path, media["media_type"], media["sha256"], media["original_name"])


async def accept_contribution(app: web.Application, contribution_id: str) -> dict[str, Any]:
    """Accept: the contribution becomes a draft item credited to the contributor."""
    return await app[SERVICES].contributions.accept(contribution_id)


async def reject_contribution(
    app: web.Application, contribution_id: str, reason: str
) -> dict[str, Any]:
    """Reject with a reason the contributor is told; the files are dropped."""
    return await app[SERVICES].contributions.reject(contribution_id, reason)


# -- agenda ----------------------------------------------------------------------------


async def network_agenda(
    app: web.Application, *, since: dt.datetime, until: dt.datetime
) -> list[dict[str, Any]]:
    """Own public and partners' listed events overlapping [since, until), not past.

    For the signed-in admin: partners' listings that are not public are included."""
    identity = app[IDENTITY]
    query = agenda.AgendaQuery(scope="network", start=since, end=until, partner_view=True)
    return await app[DB].read(lambda db: agenda.agenda(db, identity, query, iso()))


# -- change feed (website plugins) -------------------------------------------------------


async def list_changes(app: web.Application, since: int, limit: int) -> dict[str, Any]:
    """Item changes after change number ``since``, oldest first (incremental sync)."""
    from node.channels import changes

    identity = app[IDENTITY]
    return await app[DB].read(lambda db: changes.list_changes(db, identity, since, limit, iso()))
