"""Who may tell us about our items: receipts come only from the item's audience.

Insight promises the origin that what it sees is what its audience reported,
and only its audience (Regie invariant 4).  Every handler of a receipt — a
"used" or "published" report, a confirmed removal, a reaction — therefore asks
:func:`check_receipt` first, inside the transaction that would record it, and
records nothing when it raises :class:`Refused`.

"Delivered to" means: a ticked partner (an ``audience_partners`` row that is
not retracted), or, for an item listed in our mediatheek, a partner whose
partnership is active now.  Ending a partnership retracts the ended partner
from every audience (see :mod:`node.sharing.partnerships`), so an ex-partner's
reports are refused too.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

import sqlite_utils

from node.core.errors import ValidationFailed
from node.sharing.incoming.common import Refused

#: ``report``: "used" / "published" (the item must exist and not be deleted);
#: ``removal``: an Accept of our Delete (the item may be gone; the sender must have had it);
#: ``reaction``: Like, Announce, reply (anyone for a public item, else the audience).
ReceiptKind = Literal["report", "removal", "reaction"]


def delivered_to(db: sqlite_utils.Database, item_id: str, actor: str) -> bool:
    """Is ``actor`` in the item's partner audience now (ticked, or mediatheek partner)?"""
    ticked = db.execute(
        "SELECT 1 FROM audience_partners WHERE item_id = ? AND partner_actor = ?"
        " AND retracted_at IS NULL",
        [item_id, actor],
    ).fetchone()
    if ticked:
        return True
    return bool(
        db.execute(
            "SELECT 1 FROM audience a JOIN partners p ON p.actor_url = ?"
            " WHERE a.item_id = ? AND a.mediatheek = 1 AND p.state = 'active'",
            [actor, item_id],
        ).fetchone()
    )


def _ever_delivered_to(db: sqlite_utils.Database, item_id: str, actor: str) -> bool:
    """For confirmations of a removal: the item was withdrawn, so retracted rows count."""
    if db.execute(
        "SELECT 1 FROM audience_partners WHERE item_id = ? AND partner_actor = ?",
        [item_id, actor],
    ).fetchone():
        return True
    return bool(
        db.execute(
            "SELECT 1 FROM audience a JOIN partners p ON p.actor_url = ?"
            " WHERE a.item_id = ? AND (a.mediatheek = 1 OR a.listed_sent_at IS NOT NULL)"
            " AND p.state IN ('active', 'ended')",
            [actor, item_id],
        ).fetchone()
    )


def check_receipt(
    db: sqlite_utils.Database, item_id: str, sender: str, kind: ReceiptKind, what: str
) -> None:
    """Raise :class:`Refused` (with the reason) unless ``sender`` may report ``what``."""
    row = db.execute("SELECT deleted FROM items WHERE id = ?", [item_id]).fetchone()
    if row is None:
        raise Refused(f"{what} of item {item_id}, which does not exist here")
    if kind == "removal":
        if not _ever_delivered_to(db, item_id, sender):
            raise Refused(f"{what} of item {item_id} from {sender}, who never received it")
        return
    if row[0]:
        raise Refused(f"{what} of item {item_id}, which has been deleted")
    if kind == "reaction":
        public = db.execute("SELECT public FROM audience WHERE item_id = ?", [item_id]).fetchone()
        if public and public[0]:
            return
    if not delivered_to(db, item_id, sender):
        raise Refused(f"{what} of item {item_id} from {sender}, which is not in its audience")


MAX_CHANNEL_NAME = 100
MAX_CHANNEL_URL = 2000


def check_channel(channel: Any) -> str:
    """A channel name (1–100 characters, no colon) or the http(s) address of the page where
    the copy appeared (kept whole, at most 2000 characters, e.g. a WordPress post).

    The refusal's ``reason`` says which rule failed: ``channel-missing``,
    ``channel-too-long``, ``channel-not-http`` (an address with another scheme) or
    ``channel-bad-url``.
    """
    if not isinstance(channel, str) or not channel.strip():
        raise ValidationFailed(
            "channel: give a channel name (website, feed, wall) or an http(s) address",
            field="channel",
            reason="channel-missing",
        )
    channel = channel.strip()
    if ":" in channel or channel.lower().startswith("www."):  # an address, not a name
        parts = urlsplit(channel)
        if parts.scheme.lower() not in ("http", "https"):
            raise ValidationFailed(
                f"channel: an address must start with http:// or https://, not {parts.scheme!r}",
                field="channel",
                reason="channel-not-http",
            )
        if not parts.hostname or any(c.isspace() for c in channel) or "." not in parts.hostname:
            raise ValidationFailed(
                "channel: not a valid web address", field="channel", reason="channel-bad-url"
            )
        if len(channel) > MAX_CHANNEL_URL:
            raise ValidationFailed(
                f"channel: an address of at most {MAX_CHANNEL_URL} characters",
                field="channel",
                reason="channel-too-long",
            )
        return channel
    if len(channel) > MAX_CHANNEL_NAME or any(c.isspace() and c != " " for c in channel):
        raise ValidationFailed(
            f"channel: a name of 1–{MAX_CHANNEL_NAME} characters, e.g. website or tv;"
            f" a page address may have up to {MAX_CHANNEL_URL}",
            field="channel",
            reason="channel-too-long",
        )
    return channel


def clip_channel(channel: Any) -> str:
    """What the origin records of a reported channel: a page URL whole (up to 2000
    characters), anything else cut to a 100-character name."""
    text = str(channel).strip()
    if text.lower().startswith(("http://", "https://")) and len(text) <= MAX_CHANNEL_URL:
        return text
    return text[:MAX_CHANNEL_NAME]
