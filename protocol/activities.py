"""Builders for every activity the network sends; each returns a dict with our @context.

Ids come from the caller (they are stable and stored before delivery). Audience rules
live in FEDERATION.md: a share (Offer) goes to its partners only, a listing (Add to the
mediatheek) to the partners collection, a public item (Create) to as:Public + followers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from protocol.vocab import CONTEXT

Ref = str | dict[str, Any]


def _audience(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if v]


def _activity(
    kind: str, activity_id: str, actor: str, obj: Any, to: Any, cc: Any = (), **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "id": activity_id,
        "type": kind,
        "actor": actor,
        "object": _strip_context(obj),
    }
    to_list, cc_list = _audience(to), _audience(cc)
    if to_list:
        out["to"] = to_list
    if cc_list:
        out["cc"] = cc_list
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def _strip_context(obj: Any) -> Any:
    """Embedded objects/activities share the outer @context."""
    if isinstance(obj, dict) and "@context" in obj:
        return {k: v for k, v in obj.items() if k != "@context"}
    return obj


def create(activity_id: str, actor: str, obj: dict, to: Any, cc: Any = ()) -> dict:
    """Publish an object (public items; a partner's copy reporting use to the origin)."""
    return _activity("Create", activity_id, actor, obj, to, cc)


def update(activity_id: str, actor: str, obj: dict, to: Any, cc: Any = ()) -> dict:
    """Changed object (metadata edits; a copy's ``publishedOn`` channels)."""
    return _activity("Update", activity_id, actor, obj, to, cc)


def delete(activity_id: str, actor: str, object_id: str, to: Any, cc: Any = ()) -> dict:
    """Withdraw/expire an object; the object is a Tombstone."""
    return _activity("Delete", activity_id, actor, {"id": object_id, "type": "Tombstone"}, to, cc)


def offer(activity_id: str, actor: str, obj: Ref, to: Any) -> dict:
    """Share an item with chosen partners (addressed to those partners only)."""
    return _activity("Offer", activity_id, actor, obj, to)


def add(activity_id: str, actor: str, obj: Ref, target: str, to: Any, cc: Any = ()) -> dict:
    """List an item in the mediatheek collection (``target``), to the partners collection."""
    return _activity("Add", activity_id, actor, obj, to, cc, target=target)


def remove(
    activity_id: str, actor: str, object_id: str, target: str, to: Any, cc: Any = ()
) -> dict:
    """Withdraw a listing from the mediatheek collection."""
    return _activity("Remove", activity_id, actor, object_id, to, cc, target=target)


def follow(activity_id: str, actor: str, object_id: str, to: Any = None) -> dict:
    """Follow an actor (citizens) or a mediatheek collection (partnership request)."""
    return _activity("Follow", activity_id, actor, object_id, to)


def accept(activity_id: str, actor: str, obj: Ref, to: Any) -> dict:
    """Accept a Follow (partnership/citizen) or confirm a Delete (expiry)."""
    return _activity("Accept", activity_id, actor, obj, to)


def reject(activity_id: str, actor: str, obj: Ref, to: Any) -> dict:
    """Refuse a Follow or an Offer."""
    return _activity("Reject", activity_id, actor, obj, to)


def undo(activity_id: str, actor: str, obj: Ref, to: Any) -> dict:
    """Take back a Follow, Like or Announce."""
    return _activity("Undo", activity_id, actor, obj, to)


def announce(activity_id: str, actor: str, object_id: str, to: Any, cc: Any = ()) -> dict:
    """Boost a public object to our followers."""
    return _activity("Announce", activity_id, actor, object_id, to, cc)


def like(activity_id: str, actor: str, object_id: str, to: Any) -> dict:
    return _activity("Like", activity_id, actor, object_id, to)


def flag(activity_id: str, actor: str, object_ids: Sequence[str], content: str, to: Any) -> dict:
    """Report objects/actors to their node's moderators."""
    return _activity("Flag", activity_id, actor, list(object_ids), to, content=content)
