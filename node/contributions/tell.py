"""Telling a contributor that an editor declined: a direct reply on the fediverse, or e-mail.

A fediverse contributor gets a Note addressed to them alone, in reply to their
post and mentioning them, so their app shows it in the thread.  A web
contributor gets an e-mail — only when the node has an SMTP server configured;
without one the reason is stored and the editor can pass it on themselves.
"""

from __future__ import annotations

import asyncio
import html
import logging
import smtplib
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from node.contributions.texts import t
from node.core.clock import iso, new_id
from node.core.identity import Identity
from protocol import activities

log = logging.getLogger("mediakring.contributions")


def reply_activity(identity: Identity, row: dict[str, Any], reason: str) -> dict[str, Any]:
    """Create(Note) to the contributor only, in reply to their post, mentioning them."""
    actor = row["actor"]
    mention = f"@{row['name']}"
    text = t("nl", "reject_note", reason=reason or t("nl", "reject_no_reason"))
    note = {
        "id": f"{identity.base_url}/notes/{new_id()}",
        "type": "Note",
        "attributedTo": identity.actor_url,
        "inReplyTo": row["note_id"],
        "to": [actor],
        "cc": [],
        "published": iso(),
        "mediaType": "text/html",
        "content": f'<p><span class="h-card"><a href="{html.escape(actor)}" class="u-url mention">'
        f"{html.escape(mention)}</a></span> {html.escape(text)}</p>",
        "tag": [{"type": "Mention", "href": actor, "name": mention}],
    }
    return activities.create(
        f"{identity.base_url}/activities/{new_id()}", identity.actor_url, note, to=[actor]
    )


def sender_address(identity: Identity, configured: str) -> str:
    return configured or f"no-reply@{urlsplit(identity.base_url).hostname or 'localhost'}"


def rejection_email(
    identity: Identity, row: dict[str, Any], reason: str, sender: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{identity.name} <{sender}>"
    message["To"] = row["contact"]
    message["Subject"] = t("nl", "reject_subject", org=identity.name)
    message.set_content(
        t(
            "nl",
            "reject_body",
            name=row["name"],
            org=identity.name,
            reason=reason or t("nl", "reject_no_reason"),
        )
    )
    return message


def _send_sync(smtp_url: str, message: EmailMessage, timeout: float) -> None:
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError("smtp_url must start with smtp://, smtps:// or smtp+starttls://")
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=timeout)
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


async def send_email(smtp_url: str, message: EmailMessage, seconds: float = 30.0) -> None:
    """Send in a thread: smtplib blocks, the event loop must not."""
    await asyncio.to_thread(_send_sync, smtp_url, message, seconds)
