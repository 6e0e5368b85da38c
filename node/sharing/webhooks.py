"""Webhook subscriptions and the durable delivery queue they feed.

A developer subscribes a URL to some events; :func:`queue_event` writes one delivery
row per matching subscription (so nothing is lost when the node restarts) and
wakes the worker in :mod:`node.sharing.webhook_worker`.  URLs are checked
when subscribing *and* before each attempt, because DNS can change in between.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils
from aiohttp import web

from federation import netguard
from node.core.appkeys import SETTINGS
from node.core.clock import iso, new_id
from node.core.errors import NotFound, ValidationFailed
from node.sharing.services import SERVICES

EVENTS = (
    "item.published",
    "item.changed",
    "item.shared_with_us",
    "item.used_by_partner",
    "contribution.received",
)
MAX_URL = 2000


class UnsafeUrl(ValueError):
    """A webhook URL this node will not call, with the reason."""


def check_url_shape(url: str) -> str:
    """The URL's host when it is an absolute http(s) URL without credentials."""
    if len(url) > MAX_URL:
        raise UnsafeUrl(f"URLs are limited to {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl(f"only http and https URLs can receive webhooks, not {parts.scheme!r}")
    if not parts.hostname:
        raise UnsafeUrl("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeUrl("URLs with a user name or password are refused")
    return parts.hostname


async def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts that resolve to non-public addresses.

    The address rules are federation's outbound guard, so webhooks and federation agree on
    what "public" means.
    """
    host = check_url_shape(url)
    if allow_private:
        return
    failure = await netguard.check_url(url, allow_http=True, policy=netguard.is_public_address)
    if failure is not None:
        raise UnsafeUrl(f"{host}: {failure.detail}")


def _public_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "url": row["url"],
        "events": json.loads(row["events"]),
        "active": bool(row["active"]),
        "created_at": row["created_at"],
    }


def clean_subscription(data: dict[str, Any]) -> tuple[str, list[str]]:
    url, events = data.get("url"), data.get("events")
    if not isinstance(url, str) or not url.strip():
        raise ValidationFailed("url: is required and must be a string", field="url")
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise ValidationFailed("events: must be a non-empty list of event names", field="events")
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise ValidationFailed(
            f"events: unknown event(s) {', '.join(unknown)}; known are {', '.join(EVENTS)}",
            field="events",
        )
    return url.strip(), sorted(set(events))


def create_webhook(db: sqlite_utils.Database, url: str, events: list[str]) -> dict[str, Any]:
    """Store a subscription; the secret is returned here and never again."""
    row = {
        "id": new_id(),
        "url": url,
        "events": json.dumps(events),
        "secret": secrets.token_hex(32),
        "active": 1,
        "created_at": iso(),
    }
    db["webhooks"].insert(row)
    return {**_public_view(row), "secret": row["secret"]}


def rotate_secret(db: sqlite_utils.Database, webhook_id: str) -> dict[str, Any]:
    """A new secret for a subscription, returned here and never again.

    Every attempt from now on — deliveries still waiting for a retry too — is signed
    with the new secret only, so a receiver holding the old one rejects them."""
    secret = secrets.token_hex(32)
    changed = db.execute("UPDATE webhooks SET secret = ? WHERE id = ?", [secret, webhook_id])
    if changed.rowcount == 0:
        raise NotFound(f"There is no webhook {webhook_id!r}.")
    row = next(db.query("SELECT * FROM webhooks WHERE id = ?", [webhook_id]))
    return {**_public_view(row), "secret": secret}


def list_webhooks(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [_public_view(r) for r in db.query("SELECT * FROM webhooks ORDER BY created_at")]


def delete_webhook(db: sqlite_utils.Database, webhook_id: str) -> None:
    """Remove a subscription with its delivery log (pending deliveries are dropped)."""
    if db.execute("DELETE FROM webhooks WHERE id = ?", [webhook_id]).rowcount == 0:
        raise NotFound(f"There is no webhook {webhook_id!r}.")


def list_deliveries(
    db: sqlite_utils.Database, webhook_id: str, limit: int = 100
) -> list[dict[str, Any]]:
    """The newest deliveries of one webhook, each with its attempts (the delivery log)."""
    if not db.execute("SELECT 1 FROM webhooks WHERE id = ?", [webhook_id]).fetchone():
        raise NotFound(f"There is no webhook {webhook_id!r}.")
    out = []
    for d in db.query(
        "SELECT * FROM webhook_deliveries WHERE webhook_id = ?"
        " ORDER BY created_at DESC, id DESC LIMIT ?",
        [webhook_id, limit],
    ):
        attempts = [
            {
                "attempt": a["attempt"],
                "at": a["at"],
                "status": a["status"],
                "error": a["error"],
                "duration_ms": a["duration_ms"],
            }
            for a in db.query(
                "SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt", [d["id"]]
            )
        ]
        out.append(
            {
                "id": d["id"],
                "event": d["event"],
                "state": d["state"],
                "attempts": d["attempts"],
                "next_attempt_at": d["next_attempt_at"],
                "last_status": d["last_status"],
                "last_error": d["last_error"],
                "created_at": d["created_at"],
                "delivered_at": d["delivered_at"],
                "log": attempts,
            }
        )
    return out


def queue_event(db: sqlite_utils.Database, event: str, payload: dict[str, Any]) -> int:
    """One pending delivery per active subscription to ``event``; returns how many.

    Called inside the transaction of the change that causes the event (the outbox
    rule); the caller calls :func:`wake` after its commit.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    now = iso()
    hooks = [
        r["id"]
        for r in db.query(
            "SELECT id FROM webhooks WHERE active = 1 AND EXISTS"
            " (SELECT 1 FROM json_each(webhooks.events) WHERE value = ?)",
            [event],
        )
    ]
    for hook_id in hooks:
        delivery_id = new_id()
        body = json.dumps(
            {"id": delivery_id, "event": event, "created_at": now, "data": payload},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        db["webhook_deliveries"].insert(
            {
                "id": delivery_id,
                "webhook_id": hook_id,
                "event": event,
                "body": body,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    return len(hooks)


def wake(app: web.Application) -> None:
    """Tell the delivery worker that events were queued (by :func:`queue_event` in a
    caller's own transaction)."""
    app[SERVICES].webhook_wake.set()


def allow_private(app: web.Application) -> bool:
    return app[SETTINGS].allow_private_network
