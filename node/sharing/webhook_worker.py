"""Delivering queued webhooks: signed POSTs, timeouts, retries with backoff and jitter.

Rows in ``webhook_deliveries`` are the queue: a delivery is claimed by setting
it to ``delivering`` with a lock expiry (a crash leaves it to be reclaimed when
the lock runs out), attempted once, and then set to ``delivered``, back to
``pending`` with a later ``next_attempt_at``, or ``failed``.  Each attempt is
logged in ``webhook_attempts`` so developers can see what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import sqlite_utils
from aiohttp import web

from federation import retry
from node.core.appkeys import DB, SETTINGS
from node.core.clock import iso, parse_iso, utcnow
from node.sharing.services import SERVICES
from node.sharing.webhooks import UnsafeUrl, check_url

log = logging.getLogger("mediakring.webhooks")
USER_AGENT = "Mediakring-Webhooks/1"
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def sign(secret: str, body: bytes) -> str:
    """The signature header value, as GitHub computes it: HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _claim(
    db: sqlite_utils.Database, now: str, lock_until: str, batch: int
) -> list[dict[str, Any]]:
    rows = list(
        db.query(
            "SELECT d.id, d.event, d.body, d.attempts, d.created_at, w.url, w.secret"
            " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id"
            " WHERE (d.state = 'pending' AND d.next_attempt_at <= :now)"
            " OR (d.state = 'delivering' AND d.locked_until <= :now)"
            " ORDER BY d.next_attempt_at LIMIT :batch",
            {"now": now, "batch": batch},
        )
    )
    for row in rows:
        db["webhook_deliveries"].update(
            row["id"], {"state": "delivering", "locked_until": lock_until}
        )
    return rows


def _record(
    db: sqlite_utils.Database,
    delivery_id: str,
    attempt: int,
    state: str,
    status: int | None,
    error: str | None,
    next_at: str | None,
    at: str,
    duration_ms: int,
) -> None:
    db["webhook_attempts"].insert(
        {
            "delivery_id": delivery_id,
            "attempt": attempt,
            "at": at,
            "status": status,
            "error": error,
            "duration_ms": duration_ms,
        }
    )
    changes: dict[str, Any] = {
        "state": state,
        "attempts": attempt,
        "last_status": status,
        "last_error": error,
        "locked_until": None,
    }
    if next_at:
        changes["next_attempt_at"] = next_at
    if state == "delivered":
        changes["delivered_at"] = at
    db["webhook_deliveries"].update(delivery_id, changes)


class WebhookWorker:
    """Claims due deliveries and POSTs them; ``run_due`` is also callable from tests."""

    def __init__(self, app: web.Application, session: aiohttp.ClientSession) -> None:
        settings = app[SETTINGS]
        self.app = app
        self.session = session
        self.timeout = settings.delivery_timeout_seconds
        self.give_up = dt.timedelta(hours=settings.delivery_give_up_hours)
        self.base_delay = 30.0
        self.max_delay = 6 * 3600.0
        self.max_attempts = 12
        self.batch = 16
        self.poll_seconds = 30.0
        self.rng = random.Random()

    def backoff(self, attempts: int) -> float:
        """Exponential delay after the ``attempts``-th failure: federation's retry policy."""
        return retry.backoff(attempts, self.rng, base=self.base_delay, cap=self.max_delay)

    async def run_due(self, now: dt.datetime | None = None) -> int:
        """Attempt every delivery that is due at ``now``; returns how many were attempted."""
        now = now or utcnow()
        lock = now + dt.timedelta(seconds=self.timeout + 60)
        rows = await self.app[DB].write(lambda db: _claim(db, iso(now), iso(lock), self.batch))
        await asyncio.gather(*(self._attempt(row, now) for row in rows))
        return len(rows)

    async def _post(self, row: dict[str, Any]) -> tuple[int | None, str | None, float | None]:
        body = row["body"].encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Mediakring-Event": row["event"],
            "X-Mediakring-Delivery": row["id"],
            "X-Mediakring-Timestamp": str(int(time.time())),
            "X-Mediakring-Signature-256": sign(row["secret"], body),
        }
        try:
            await check_url(row["url"], allow_private=self.app[SETTINGS].allow_private_network)
        except UnsafeUrl as exc:
            return None, f"refused: {exc}", None
        try:
            async with self.session.post(
                row["url"],
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                await response.content.read(1024)
                wait = retry.parse_retry_after(response.headers.get("Retry-After"), time.time())
                error = None if response.status < 300 else f"HTTP {response.status}"
                return response.status, error, wait
        except TimeoutError:
            return None, f"timed out after {self.timeout:g} s", None
        except aiohttp.ClientError as exc:
            return None, f"network error: {type(exc).__name__}: {exc}"[:500], None

    def _decide(
        self,
        row: dict[str, Any],
        status: int | None,
        error: str | None,
        wait: float | None,
        now: dt.datetime,
    ) -> tuple[str, str | None]:
        attempt = row["attempts"] + 1
        if status is not None and 200 <= status < 300:
            return "delivered", None
        if error and error.startswith("refused:"):
            return "failed", None
        retryable = status is None or status in RETRY_STATUSES
        too_old = now - parse_iso(row["created_at"]) > self.give_up
        if not retryable or attempt >= self.max_attempts or too_old:
            return "failed", None
        delay = min(wait, self.max_delay) if wait is not None else self.backoff(attempt)
        return "pending", iso(now + dt.timedelta(seconds=delay))

    async def _attempt(self, row: dict[str, Any], now: dt.datetime) -> None:
        started = time.monotonic()
        status, error, wait = await self._post(row)
        duration = int((time.monotonic() - started) * 1000)
        if status is not None and 300 <= status < 400:
            error = f"HTTP {status}: redirects are not followed"
        state, next_at = self._decide(row, status, error, wait, now)
        attempt = row["attempts"] + 1
        log.info("webhook %s %s attempt %d: %s %s", row["id"], row["event"], attempt, status, state)
        await self.app[DB].write(
            lambda db: _record(
                db, row["id"], attempt, state, status, error, next_at, iso(), duration
            )
        )

    async def _next_due_in(self) -> float:
        def query(db: sqlite_utils.Database) -> str | None:
            return db.execute(
                "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'"
            ).fetchone()[0]

        nxt = await self.app[DB].read(query)
        if nxt is None:
            return self.poll_seconds
        return max(0.0, min(self.poll_seconds, (parse_iso(nxt) - utcnow()).total_seconds()))

    async def loop(self, wake: asyncio.Event) -> None:
        """Deliver forever: after each round sleep until the next due row or a wake-up."""
        while True:
            wake.clear()
            try:
                await self.run_due()
                delay = await self._next_due_in()
            except Exception:  # keep the worker alive; the rows keep the state
                log.exception("webhook delivery round failed")
                delay = self.poll_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=delay)


async def webhook_worker_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: one HTTP session and one delivery loop per node."""
    wake = app[SERVICES].webhook_wake
    session = aiohttp.ClientSession()
    worker = WebhookWorker(app, session)
    app[SERVICES].webhook_worker = worker
    task = asyncio.create_task(worker.loop(wake))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await session.close()
