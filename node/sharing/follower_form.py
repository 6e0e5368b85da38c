"""The form in which public items reach fediverse followers (Mastodon and friends).

Mastodon shows only Note (and Question) as a full post; Article, Image, Video
and Audio are "converted": it shows the name, the summary and a link, and drops
Document objects altogether.  So:

* articles stay ``Article`` (name + summary + link is the right preview for a
  long text, and software that renders articles — Friendica, Lemmy, WordPress —
  gets the whole body);
* photo, video, audio and document posts become a ``Note`` whose content starts
  with the title, then the lead, the body, the hashtags as links and the credit
  line, with the files as attachments;
* ``summary`` is Mastodon's content warning: a Note carries it only when the item
  is sensitive (the lead text, or "Gevoelige inhoud"), never as a plain lead;
* events and vacancies stay ``Event`` and ``Page`` (with their event and
  JobPosting terms): Mastodon shows them as their title with a link; the lead is
  not sent as ``summary`` there either (it would become a content warning);
* images are sent as their ``medium`` rendition (≤ 1280 px JPEG, re-encoded
  without EXIF): camera originals exceed Mastodon's 16 MB image limit and may
  carry GPS positions.  Video and audio go as the original with the poster as
  ``icon`` (Mastodon's remote thumbnail).
"""

from __future__ import annotations

import html
from typing import Any

import sqlite_utils

from node.channels.attribution import licence_label
from node.core.identity import Identity
from protocol.mapping import sha256_to_digest_multibase

SENSITIVE_DEFAULT = "Gevoelige inhoud"
_NOTE_KINDS = ("photo", "video", "audio", "document")
_LINK_KINDS = ("event", "vacancy")


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _renditions(db: sqlite_utils.Database, media_ids: list[str]) -> dict[str, dict[str, Any]]:
    if not media_ids:
        return {}
    marks = ",".join("?" * len(media_ids))
    return {
        r["media_id"]: r
        for r in db.query(
            f"SELECT * FROM renditions WHERE name = 'medium' AND media_id IN ({marks})", media_ids
        )
    }


def _hashtags(obj: dict[str, Any]) -> str:
    links = [
        f'<a href="{_esc(tag["href"])}" class="mention hashtag" rel="tag">'
        f"#<span>{_esc(tag['name'].lstrip('#'))}</span></a>"
        for tag in obj.get("tag") or []
        if tag.get("type") == "Hashtag"
    ]
    return f"<p>{' '.join(links)}</p>" if links else ""


def _credit(item: dict[str, Any], identity: Identity) -> str:
    credit = (item.get("credit") or item.get("author") or identity.name).strip()
    return (
        f"<p>Beeld/tekst: {_esc(credit)} · Licentie: "
        f"{_esc(licence_label(item.get('licence') or '', 'nl'))}</p>"
    )


def adapt(
    obj: dict[str, Any],
    item: dict[str, Any],
    identity: Identity,
    mediums: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Turn the partner-facing object into the follower-facing one (pure; see module doc)."""
    out = dict(obj)
    # Usage terms are agreements with partners; the public form keeps credit and licence.
    out.pop("usageTerms", None)
    warning = (item.get("summary") or SENSITIVE_DEFAULT) if item.get("sensitive") else None
    for att, media in zip(out.get("attachment") or [], item.get("media") or [], strict=False):
        medium = mediums.get(media.get("id") or "")
        if att.get("type") == "Image" and medium is not None:
            att.update(
                url=identity.media_url(media["id"], "medium"),
                mediaType=medium["media_type"],
                width=medium["width"],
                height=medium["height"],
                size=medium["size"],
                digestMultibase=sha256_to_digest_multibase(medium["sha256"]),
            )
            att.pop("icon", None)
    if item.get("kind") in _NOTE_KINDS:
        out["type"] = "Note"
        out.pop("name", None)
        lead = "" if warning or not item.get("summary") else f"<p>{_esc(item['summary'])}</p>"
        out["content"] = (
            f"<p><strong>{_esc(item.get('title'))}</strong></p>{lead}"
            f"{item.get('body_html') or ''}{_hashtags(out)}{_credit(item, identity)}"
        )
        out.pop("summary", None)
    elif item.get("kind") in _LINK_KINDS and not warning:
        out.pop("summary", None)
    if warning:
        out["summary"] = _esc(warning)
        out["sensitive"] = True
    if out.get("contentMap"):
        out["contentMap"] = {next(iter(out["contentMap"])): out["content"]}
    return out


def follower_view(
    db: sqlite_utils.Database, identity: Identity, item: dict[str, Any], obj: dict[str, Any]
) -> dict[str, Any]:
    """``obj`` (the partner form, addressed to followers) as followers receive it.

    Call it through :func:`node.sharing.forms.item_document`, the one builder.
    """
    ids = [m["id"] for m in item.get("media") or [] if m.get("id")]
    return adapt(obj, item, identity, _renditions(db, ids))
