"""The contributions service: what arrives goes into the queue; editors accept or reject.

Registered as ``app[SERVICES].contributions``; :mod:`node.app.network` hands it
every Create it receives (``from_fediverse``).  After a contribution is stored
the editors get a notification and webhook subscribers a
``contribution.received`` event — both after the write committed, so a crash
never announces something that is not in the queue.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from federation.types import InboxContext
from node.contributions import accept as accepting
from node.contributions import fediverse, tell
from node.contributions import store as queue
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.errors import ValidationFailed
from node.sharing import notifications, webhooks
from node.sharing.services import SERVICES

log = logging.getLogger("mediakring.contributions")
MAX_REASON = 2000


class Contributions:
    def __init__(self, app: web.Application) -> None:
        self.app = app

    async def from_fediverse(self, ctx: InboxContext) -> str | None:
        """A Create that mentions us with files becomes a contribution; the rest is ignored."""
        identity, settings = self.app[IDENTITY], self.app[SETTINGS]
        found = fediverse.from_activity(
            ctx.raw, ctx.sender.id, ctx.sender.document, identity.actor_url
        )
        if isinstance(found, str):
            log.debug(
                "Create %s from %s is no contribution: %s", ctx.raw.get("id"), ctx.sender.id, found
            )
            return None
        found.media = found.media[: settings.contribution_max_files]

        def store(d) -> str | None:
            if queue.recent_count(d, actor=ctx.sender.id) >= settings.contribution_max_per_hour:
                log.info("contribution from %s refused: hourly limit reached", ctx.sender.id)
                return None
            new_id = queue.insert(d, found)
            self.announce_in(d, new_id)
            return new_id

        contribution_id = await self.app[DB].write(store)
        if contribution_id:
            self.wake()
        return contribution_id

    def announce_in(self, d, contribution_id: str) -> None:
        """Tell the editors (notification) and developers (webhook), in the storing transaction.

        Called inside the write that stores the contribution, so that a crash can never
        keep a contribution nobody was told about, nor announce one that was not stored.
        The caller wakes the webhook worker after its commit (:meth:`wake`).
        """
        base = self.app[SETTINGS].base_url
        row = queue.get(d, contribution_id)
        notifications.notify(
            d,
            "contribution",
            f"Nieuwe bijdrage van {row['name']}",
            body=row["text"][:300],
            link=f"/api/v1/contributions/{contribution_id}",
            data={"contribution_id": contribution_id, "source": row["source"]},
        )
        webhooks.queue_event(
            d,
            "contribution.received",
            {
                "id": contribution_id,
                "source": row["source"],
                "name": row["name"],
                "received_at": row["received_at"],
                "media_count": len(row["media"]),
                "url": f"{base}/api/v1/contributions/{contribution_id}",
            },
        )

    def wake(self) -> None:
        webhooks.wake(self.app)

    async def accept(self, contribution_id: str) -> dict[str, Any]:
        return await accepting.accept(self.app, contribution_id)

    async def reject(self, contribution_id: str, reason: str) -> dict[str, Any]:
        """Mark rejected, keep the reason, tell the contributor, drop the files."""
        if not isinstance(reason, str) or len(reason) > MAX_REASON:
            raise ValidationFailed(
                f"reason: a text of at most {MAX_REASON} characters", field="reason"
            )
        reason = reason.strip()
        db, settings = self.app[DB], self.app[SETTINGS]

        def decide(d) -> dict[str, Any]:
            queue.decide(d, contribution_id, "rejected", reason=reason)
            return queue.get(d, contribution_id)

        row = await db.write(decide)
        how = await self._tell(row, reason)
        await db.write(lambda d: queue.set_notified(d, contribution_id, how))
        await accepting.release_blobs(self.app, [m["sha256"] for m in row["media"] if m["sha256"]])
        return await db.read(
            lambda d: queue.to_json(queue.get(d, contribution_id), settings.base_url)
        )

    async def _tell(self, row: dict[str, Any], reason: str) -> str:
        identity, settings = self.app[IDENTITY], self.app[SETTINGS]
        if row["source"] == "fediverse" and row["actor"] and row["note_id"]:
            activity = tell.reply_activity(identity, row, reason)
            await self.app[SERVICES].federation.publish(activity, [row["actor"]])
            return "fediverse"
        if row["contact"] and settings.smtp_url:
            sender = tell.sender_address(identity, settings.contribution_mail_from)
            message = tell.rejection_email(identity, row, reason, sender)
            try:
                await tell.send_email(settings.smtp_url, message)
            except (OSError, ValueError) as exc:  # smtplib errors are OSErrors
                log.warning("e-mail to contributor %s failed: %s", row["id"], exc)
                return "email-failed"
            return "email"
        return "none"
