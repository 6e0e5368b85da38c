"""One object per id: the item as each audience receives it — delivered, fetched, listed.

Every representation of one of our items goes through :func:`item_document`:
the Offer, Add and Update to partners, the Create and Update to followers, a
GET of the item's id and the outbox collection.  So what a server fetches by
id (Mastodon does on search, boost and reply) is the object it was delivered.

There are two forms (FEDERATION.md §2.1 "One object per id"):

* the **follower form** (:mod:`node.sharing.follower_form`): a ``Note`` (or
  ``Article``) with title and credit in ``content``, images as their medium
  rendition, ``to`` as:Public, ``cc`` our followers.  Everyone who is not a
  partner holding the item gets it, and only while the item is public;
* the **partner form** (:func:`node.sharing.objects.item_object`):
  ``Image``/``Video``/``Audio``/``Document``/``Article`` with the original
  files, addressed ``[partner]`` to a partner it was shared with and
  ``[our partners collection]`` to a partner that holds it through the listing.

Who may see the item at all is :func:`node.sharing.audience.viewers` (which
asks :mod:`node.items.visibility`); this module only picks the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import sqlite_utils

from node.core.identity import Identity
from node.sharing import audience as audiences
from node.sharing import partners_store
from node.sharing.follower_form import follower_view
from node.sharing.objects import followers_url, item_object, partners_url
from protocol.vocab import AS_PUBLIC

#: The audience of the follower form (``to`` as:Public, ``cc`` followers).
FOLLOWERS: Literal["followers"] = "followers"


def item_document(
    db: sqlite_utils.Database,
    identity: Identity,
    item: dict[str, Any],
    audience: Sequence[str] | Literal["followers"],
) -> dict[str, Any]:
    """The object of ``item`` for ``audience``: :data:`FOLLOWERS`, or the partner
    addresses (actor URLs or our partners collection) it is sent to.

    Synchronous, so that it is built inside the transaction that decides to send it.
    """
    if audience == FOLLOWERS:
        obj = item_object(identity, item, [AS_PUBLIC], [followers_url(identity)])
        return follower_view(db, identity, item, obj)
    # as:Public in cc tells partners the origin made the item public too: only then may a
    # partner's public pages (network agenda, vacancy portal) show it.
    public = audiences.get_audience(db, item["id"])["public"]
    return item_object(identity, item, list(audience), [AS_PUBLIC] if public else [])


def partner_address(
    db: sqlite_utils.Database, identity: Identity, item_id: str, partner: str
) -> list[str] | None:
    """How ``partner`` holds the item: ``[partner]`` when it was shared with it,
    ``[partners collection]`` when it holds it through the listing, None otherwise."""
    current = audiences.get_audience(db, item_id)
    if partner in current["partners"]:
        return [partner]
    if current["mediatheek"] and partners_store.is_active(db, partner):
        return [partners_url(identity)]
    return None


def served_document(
    db: sqlite_utils.Database,
    identity: Identity,
    item: dict[str, Any],
    requester: str | None,
    now: str,
) -> tuple[dict[str, Any], Literal["public"] | set[str]] | None:
    """What a GET of the item's id gives ``requester`` (a verified actor or None):
    the object and its audience for the route's check, or None (404)."""
    who = audiences.viewers(db, {**item, "deleted": 0}, now)
    if not who:
        return None
    held = partner_address(db, identity, item["id"], requester) if requester else None
    if held is not None and (who == "public" or requester in who):
        return item_document(db, identity, item, held), {requester}  # type: ignore[arg-type]
    if who == "public":
        return item_document(db, identity, item, FOLLOWERS), "public"
    return None
