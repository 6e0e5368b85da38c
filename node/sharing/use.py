"""Use: take a partner's item into our own library, with provenance, and tell the origin.

One live copy per original, whatever the clicks, concurrency or crashes:

- every media file is fetched and digest-checked first (temp files only);
- then ONE database write checks whether a live copy of the original already
  exists and, only if not, creates the item, its media rows and provenance,
  marks the incoming share "used" and records the receipt for the origin in the
  outbox (:func:`node.core.outbox.enqueue`).  The receipt commits with the copy, so a
  crash can neither leave a copy the origin never hears of nor a share that
  still says "offered";
- after the commit the outbox dispatcher is woken (:func:`node.sharing.outbox_dispatch.wake`).

All writes run on the single writer thread, so two requests that fetched the
media at the same time are serialised at the write: the second finds the
first's copy and returns it (``created=False``), and its temp files are
discarded.  The schema backs this up with a partial UNIQUE index on
``items(derived_from)`` (node/core/db/schema_use.py).  A copy the editor deleted does
not count: the original can be used again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from aiohttp import web

from node.core import outbox
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.clock import iso
from node.core.db.schema_use import LIVE_COPY
from node.core.errors import Conflict, NotFound, ValidationFailed
from node.core.identity import Identity
from node.items import service as items
from node.items import visibility
from node.items.model import EDITABLE_FIELDS
from node.media import service as media_service
from node.media.store import TempBlob
from node.sharing import outbox_dispatch
from node.sharing.media_fetch import fetch_media
from node.sharing.objects import activity_id, item_object
from node.sharing.receipts_policy import check_channel
from node.sharing.services import SERVICES
from protocol import activities, mapping
from protocol.result import Failure

log = logging.getLogger("mediakring.sharing.use")

#: Test-only kill point: with this set to "1" the process SIGKILLs itself right after the
#: use commit, before the receipt is handed to federation (tests/integration/test_use_crash.py).
CRASH_AFTER_COMMIT_ENV = "MK_TEST_CRASH_AFTER_USE_COMMIT"

#: What a copy takes over from the origin's item (the body is mapped separately).
_ITEM_FIELDS = tuple(f for f in EDITABLE_FIELDS if f != "body")


def _create_fields(item: dict[str, Any]) -> dict[str, Any]:
    data = {k: item[k] for k in _ITEM_FIELDS if item.get(k) not in (None, "")}
    data["kind"] = item["kind"]
    data["body"] = item.get("body_html") or ""
    data["title"] = (data.get("title") or "(zonder titel)")[:300]
    data["summary"] = (data.get("summary") or "")[:2000]
    if data.get("licence"):
        from node.items.licences import normalise_licence

        try:
            data["licence"] = normalise_licence(data["licence"])
        except ValueError:
            data["usage_terms"] = f"{data.get('usage_terms', '')}\nLicentie: {data['licence']}"
            data.pop("licence")
    if data.get("location") and not data["location"].get("name"):
        data.pop("location")
    if item["kind"] == "vacancy":
        data.pop("expires_at", None)  # a vacancy's expiry follows its closing date
    return data


@dataclass(frozen=True)
class UseResult:
    """The copy in our library, and whether this call created it (201) or found it (200)."""

    item: dict[str, Any]
    created: bool


def _share_refusal(state: str) -> Conflict | None:
    if state in ("retracted", "expired"):
        return Conflict(
            f"This share was {'retracted' if state == 'retracted' else 'withdrawn'} by its origin.",
            code=f"share-{state}",
        )
    return None


def _live_copy(db: sqlite_utils.Database, original_uri: str) -> str | None:
    """Our live copy of ``original_uri``, if any (the unique index allows at most one)."""
    row = db.execute(
        f"SELECT id FROM items WHERE derived_from = ? AND {LIVE_COPY}", [original_uri]
    ).fetchone()
    return row[0] if row else None


def _mark_shares_used(
    db: sqlite_utils.Database, original_uri: str, copy_id: str, share_id: str | None
) -> None:
    """The share used (and any other offer of the same original) now points at the copy."""
    now = iso()
    if share_id is not None:
        db.execute(
            "UPDATE incoming_shares SET state = 'used', used_item_id = ?, updated_at = ?"
            " WHERE id = ? AND state IN ('offered', 'used') AND used_item_id IS NOT ?",
            [copy_id, now, share_id, copy_id],
        )
    db.execute(
        "UPDATE incoming_shares SET state = 'used', used_item_id = ?, updated_at = ?"
        " WHERE object_id = ? AND state = 'offered'",
        [copy_id, now, original_uri],
    )


def _adopt_existing(
    db: sqlite_utils.Database, identity: Identity, original_uri: str, share_id: str | None
) -> dict[str, Any] | None:
    """If a live copy exists, settle the share on it and return it (writer thread)."""
    existing = _live_copy(db, original_uri)
    if existing is None:
        return None
    _mark_shares_used(db, original_uri, existing, share_id)
    return items.get_item(db, identity, existing)


def _check_share(db: sqlite_utils.Database, share_id: str | None) -> None:
    """Inside the write: the share may have been retracted while we fetched the media."""
    if share_id is None:
        return
    row = db.execute("SELECT state FROM incoming_shares WHERE id = ?", [share_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no share {share_id!r}.")
    refusal = _share_refusal(row[0])
    if refusal is not None:
        raise refusal


def receipt(
    identity: Identity,
    copy: dict[str, Any],
    origin_actor: str,
    kind: str,
    channels: list[str] | None = None,
) -> dict[str, Any]:
    """Create (used) or Update (published on channels) of our copy, addressed to the origin."""
    obj = item_object(identity, copy, [origin_actor])
    obj["derivedFrom"] = copy["derived_from"]
    if channels:
        obj["publishedOn"] = channels
    builder = activities.create if kind == "Create" else activities.update
    return builder(activity_id(identity), identity.actor_url, obj, to=[origin_actor])


async def use_object(
    app: web.Application,
    document: dict[str, Any],
    origin_actor: str,
    origin_name: str,
    share_id: str | None = None,
) -> UseResult:
    """Copy the origin's object into our library, or return the live copy we already have."""
    item = mapping.object_to_item(document)
    if isinstance(item, Failure):
        raise Conflict(f"The shared object cannot be used: {item.detail}")
    visibility.check_usable(item)
    store, settings, fed = app[SERVICES].media_store, app[SETTINGS], app[SERVICES].federation
    temps: list[tuple[TempBlob, dict[str, Any]]] = []
    analyses: list[media_service.Analysis] = []
    try:
        for media in item["media"]:
            temp = await fetch_media(
                fed,
                store,
                media["url"],
                media.get("sha256"),
                settings.max_video_bytes,
                expected_size=media.get("size"),
            )
            temps.append((temp, media))
        for temp, _ in temps:
            analyses.append(await media_service.analyse(store, temp, settings))
        identity = app[IDENTITY]
        provenance = {
            "origin_actor": origin_actor,
            "origin_name": origin_name,
            "original_id": item["uri"],
            "credit": item.get("credit"),
            "licence": item.get("licence"),
            "usage_terms": item.get("usage_terms"),
            "used_at": iso(),
        }

        def create(db: sqlite_utils.Database) -> UseResult:
            _check_share(db, share_id)
            existing = _adopt_existing(db, identity, item["uri"], share_id)
            if existing is not None:  # another request got here first: its copy is the copy
                return UseResult(existing, created=False)
            new = items.create_item(
                db,
                identity,
                _create_fields(item),
                organisation=origin_name,
                extra={"derived_from": item["uri"], "provenance": provenance},
            )
            for (temp, media), analysis in zip(temps, analyses, strict=True):
                media_service._record(
                    db,
                    store,
                    new["id"],
                    temp,
                    analysis,
                    media_service.clean_name(None, fallback=temp.sha256[:12]),
                    media_service.clean_alt(media.get("alt")),
                )
            copy = items.get_item(db, identity, new["id"])
            _mark_shares_used(db, item["uri"], copy["id"], share_id)
            outbox.enqueue(db, receipt(identity, copy, origin_actor, "Create"), [origin_actor])
            return UseResult(copy, created=True)

        result = await app[DB].write(create)
    finally:
        leftovers = [t for t, _ in temps] + [r.temp for a in analyses for r in a.renditions]
        with contextlib.suppress(OSError):
            await asyncio.shield(store.run(_discard, store, leftovers))
    if result.created:
        if os.environ.get(CRASH_AFTER_COMMIT_ENV) == "1":  # test-only kill point, see above
            os.kill(os.getpid(), signal.SIGKILL)
        await _dispatch(app)
    return result


async def _dispatch(app: web.Application) -> None:
    """After the commit; a failure here loses nothing (the row stays pending)."""
    try:
        outbox_dispatch.wake(app)
    except Exception:
        log.exception("outbox dispatch after use failed; it is retried at the next dispatch")


def _discard(store, temps: list[TempBlob]) -> None:
    for temp in temps:
        store.discard(temp)


async def report_publication(app: web.Application, item_id: str, channel: Any) -> dict[str, Any]:
    """We published our copy on ``channel``: tell its origin (API; the report commits atomically).

    The report is written to the outbox in the same transaction that checks the item is
    a copy, so it is sent exactly once even if the node dies right after answering.
    """
    channel = check_channel(channel)
    identity = app[IDENTITY]

    def write(d: sqlite_utils.Database) -> str:
        copy = items.get_item(d, identity, item_id)
        if not copy["derived_from"]:
            raise ValidationFailed(
                "This item is not a copy of a partner's item.", reason="not-a-copy"
            )
        origin = copy["provenance"]["origin_actor"]
        outbox.enqueue(d, receipt(identity, copy, origin, "Update", [channel]), [origin])
        return origin

    origin = await app[DB].write(write)
    outbox_dispatch.wake(app)
    return {"item_id": item_id, "channel": channel, "origin": origin}


async def use_share(app: web.Application, share_id: str) -> UseResult:
    """Use a share; repeated or concurrent calls all answer with the same copy."""
    row = await app[DB].read(
        lambda d: d.execute(
            "SELECT object_id, origin_actor, origin_name, document, state"
            " FROM incoming_shares WHERE id = ?",
            [share_id],
        ).fetchone()
    )
    if row is None:
        raise NotFound(f"There is no share {share_id!r}.")
    object_id, origin, origin_name, document, state = row
    refusal = _share_refusal(state)
    if refusal is not None:
        raise refusal
    identity = app[IDENTITY]
    existing = await app[DB].write(lambda d: _adopt_existing(d, identity, object_id, share_id))
    if existing is not None:  # already in our library: nothing to fetch
        return UseResult(existing, created=False)
    return await use_object(app, json.loads(document), origin, origin_name, share_id=share_id)


async def use_listing(app: web.Application, listing_id: int) -> UseResult:
    """Use a mediatheek listing; repeated or concurrent calls answer with the same copy."""
    from node.mediatheek import store as index

    listing = await app[DB].read(lambda d: index.get_listing(d, listing_id))
    if listing is None or listing["withdrawn"]:
        raise NotFound(f"There is no listing {listing_id!r}.")
    if listing["local"]:
        raise Conflict("This listing is your own item; it is already in your library.")
    identity = app[IDENTITY]
    existing = await app[DB].write(
        lambda d: _adopt_existing(d, identity, listing["object_id"], None)
    )
    if existing is not None:
        return UseResult(existing, created=False)
    return await use_object(
        app, listing["document"], listing["origin_actor"], listing.get("origin_name") or ""
    )
