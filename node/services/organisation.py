"""The organisation's own profile: name, summary, avatar and header image (admins only).

One edit is one transaction: the pictures are placed in the media store, the identity
row is updated and an ``Update`` of our actor is written to the outbox for followers
and partners, or nothing is.  Only after the commit does the running node show the new
profile (admin header, page titles, ``/actor``, public pages).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import sqlite_utils
from aiohttp import web

from node.core import identity as identity_rows
from node.core import outbox
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.clock import new_id
from node.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from node.media import images
from node.media.detect import sniff
from node.media.images import JPEG, PROFILE_TYPES
from node.media.queries import blob_in_use
from node.media.store import TempBlob
from node.sharing import outbox_dispatch
from node.sharing.services import SERVICES

MAX_NAME = 100
MAX_SUMMARY = 500
#: Largest avatar or header image accepted, before it is re-encoded (both fit in one admin form).
MAX_PROFILE_IMAGE_BYTES = 3 * 1024 * 1024 // 2
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    icon_url: str | None
    image_url: str | None


def current_profile(app: web.Application) -> Profile:
    p = app[IDENTITY].profile
    return Profile(p.name, p.summary, p.icon_url, p.image_url)


def clean_name(raw: str) -> str:
    name = " ".join(_CONTROL.sub("", raw).split())
    if not name:
        raise ValidationFailed("The name is empty.", code="name-empty")
    if len(name) > MAX_NAME:
        raise ValidationFailed(
            f"The name has {len(name)} characters, more than {MAX_NAME}.",
            code="name-too-long",
            limit=MAX_NAME,
        )
    return name


def clean_summary(raw: str) -> str:
    """Plain text (shown escaped everywhere), at most 500 characters."""
    summary = _CONTROL.sub("", raw.replace("\r\n", "\n")).strip()
    if len(summary) > MAX_SUMMARY:
        raise ValidationFailed(
            f"The summary has {len(summary)} characters, more than {MAX_SUMMARY}.",
            code="summary-too-long",
            limit=MAX_SUMMARY,
        )
    return summary


def _rendition(app: web.Application, which: str, data: bytes) -> TempBlob:
    """Check one uploaded picture and make its JPEG (blocking: run in the store's thread)."""
    if len(data) > MAX_PROFILE_IMAGE_BYTES:
        raise PayloadTooLarge(
            f"The {which} is {len(data)} bytes, more than {MAX_PROFILE_IMAGE_BYTES}.",
            code="profile-image-too-large",
            limit=MAX_PROFILE_IMAGE_BYTES,
            which=which,
        )
    try:
        detected = sniff(data[:4096])
    except UnsupportedMediaType as exc:
        raise UnsupportedMediaType(exc.detail, code="profile-image-type", which=which) from exc
    if detected.media_type not in PROFILE_TYPES:
        raise UnsupportedMediaType(
            f"The {which} is {detected.media_type}; only PNG, JPEG or WebP.",
            code="profile-image-type",
            which=which,
        )
    store = app[SERVICES].media_store
    original = store.write_temp(data, detected)
    try:
        jpeg = images.profile_rendition(
            original.path,
            app[SETTINGS].max_image_pixels,
            identity_rows.PROFILE_IMAGE_SIZES[which],
        )
    except ValidationFailed as exc:
        raise ValidationFailed(exc.detail, code="profile-image-corrupt", which=which) from exc
    finally:
        store.discard(original)
    return store.write_temp(jpeg, JPEG)


async def update_profile(
    app: web.Application,
    *,
    name: str,
    summary: str,
    icon: bytes | None = None,
    image: bytes | None = None,
    remove_icon: bool = False,
    remove_image: bool = False,
) -> Profile:
    """Validate, store and announce the profile; a refusal changes nothing."""
    name, summary = clean_name(name), clean_summary(summary)
    store = app[SERVICES].media_store
    identity = app[IDENTITY]
    temps: dict[str, TempBlob] = {}
    try:
        for which, data in (("icon", icon), ("image", image)):
            if data:
                temps[which] = await store.run(_rendition, app, which, data)
        chosen: dict[str, str | None] = {w: t.sha256 for w, t in temps.items()}
        if remove_icon and "icon" not in temps:
            chosen["icon"] = None
        if remove_image and "image" not in temps:
            chosen["image"] = None
        base = identity.base_url
        new = replace(
            identity.profile,
            name=name,
            summary=summary,
            **{
                f"{w}_url": identity_rows.profile_image_url(base, w, sha)
                for w, sha in chosen.items()
            },
        )
        document = app[SERVICES].federation.actor_document(new)
        actor = identity.actor_url
        update = {
            "@context": document["@context"],
            "id": f"{actor}#update-{new_id()}",
            "type": "Update",
            "actor": actor,
            "to": [PUBLIC],
            "cc": [actor + "/followers", actor + "/partners"],
            "object": document,
        }

        def write(d: sqlite_utils.Database) -> None:
            placed = [t.sha256 for t in temps.values() if store.place(t)]
            try:
                identity_rows.update_profile(d, name, summary, chosen)
                outbox.enqueue(d, update, [actor + "/followers", actor + "/partners"])
            except BaseException:
                for sha in placed:
                    if not blob_in_use(d, sha):
                        store.remove(sha)
                raise

        await app[DB].write(write)
    finally:
        for temp in temps.values():
            with contextlib.suppress(OSError):
                await store.run(store.discard, temp)
    live = identity.profile  # shared with the federation's LocalActor: one place to change
    live.name, live.summary = new.name, new.summary
    live.icon_url, live.image_url = new.icon_url, new.image_url
    outbox_dispatch.wake(app)
    return current_profile(app)


def profile_picture(app: web.Application, which: str, sha256: str) -> Path | None:
    """The stored file of the current avatar (``icon``) or header ``image``, or None."""
    if which not in identity_rows.PROFILE_IMAGES:
        return None
    url = getattr(app[IDENTITY].profile, f"{which}_url")
    if not url or not url.endswith(f"/{sha256}.jpg"):
        return None
    return app[SERVICES].media_store.path_for(sha256)
