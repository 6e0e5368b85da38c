"""Reading a contribution out of a fediverse post: a Note that mentions us and has files.

Only posts that name the organisation (a ``Mention`` tag whose ``href`` is our
actor, or our actor in ``to``/``cc``) *and* carry attachments become a
contribution; everything else — a reply without files, a post that merely
passed by — is ignored, because the queue is for material offered to us.
Files are not fetched here: the moderator's accept fetches them, so nobody can
fill our disk by mentioning us.
"""

from __future__ import annotations

from typing import Any

from node.contributions.store import MediaEntry, NewContribution
from node.items.licences import ALL_RIGHTS_RESERVED
from protocol.sanitize import plain_text

MAX_ATTACHMENTS = 10
ACCEPTED_TYPES = ("Note", "Article", "Image", "Video", "Audio", "Page")
NAME_LIMIT = 100
TEXT_LIMIT = 5000


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id") or value.get("href")
    return value if isinstance(value, str) else None


def mentions(obj: dict[str, Any], activity: dict[str, Any], actor_url: str) -> bool:
    """Whether the post is addressed to or mentions our organisation actor."""
    for tag in _list(obj.get("tag")):
        if isinstance(tag, dict) and tag.get("type") == "Mention" and tag.get("href") == actor_url:
            return True
    for holder in (obj, activity):
        for field in ("to", "cc"):
            if actor_url in (_ref(v) for v in _list(holder.get(field))):
                return True
    return False


def _url(value: Any) -> str | None:
    for candidate in _list(value):
        if isinstance(candidate, dict):
            candidate = candidate.get("href") or candidate.get("url")
        if isinstance(candidate, str) and candidate.startswith(("https://", "http://")):
            return candidate
    return None


def attachments(obj: dict[str, Any]) -> list[MediaEntry]:
    out = []
    for att in _list(obj.get("attachment"))[:MAX_ATTACHMENTS]:
        if not isinstance(att, dict):
            continue
        url = _url(att.get("url"))
        if url is None:
            continue
        media_type = att.get("mediaType") if isinstance(att.get("mediaType"), str) else None
        name = att.get("name") if isinstance(att.get("name"), str) else ""
        original = url.rsplit("/", 1)[-1].split("?", 1)[0][:200]
        out.append(
            MediaEntry(media_type=media_type, original_name=original, url=url, alt=name[:1500])
        )
    return out


def sender_name(document: dict[str, Any] | None, actor: str) -> str:
    doc = document or {}
    for key in ("name", "preferredUsername"):
        if isinstance(doc.get(key), str) and doc[key].strip():
            return plain_text(doc[key]).strip()[:NAME_LIMIT]
    return actor[:NAME_LIMIT]


def from_activity(
    activity: dict[str, Any], sender: str, document: dict[str, Any] | None, actor_url: str
) -> NewContribution | str:
    """The contribution in a Create, or the reason it is none (for the log)."""
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") not in ACCEPTED_TYPES:
        return "not a post"
    if _ref(obj.get("attributedTo")) not in (None, sender):
        return "post attributed to someone else than the sender"
    if not isinstance(obj.get("id"), str):
        return "post without id"
    if not mentions(obj, activity, actor_url):
        return "does not mention us"
    media = attachments(obj)
    if not media:
        return "no attachments"
    text = plain_text(obj.get("content") if isinstance(obj.get("content"), str) else "")
    return NewContribution(
        source="fediverse",
        name=sender_name(document, sender),
        licence=ALL_RIGHTS_RESERVED,
        consent=False,
        text=text[:TEXT_LIMIT],
        actor=sender,
        note_id=obj["id"],
        media=media,
    )
