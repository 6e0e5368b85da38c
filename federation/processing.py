"""The inbox worker: durable rows from ``inbox_queue`` become handler calls.

A row is claimed with a lease (``locked_until``) so a crash mid-handler frees it
for the next run.  A handler that raises leaves the row pending with a backoff;
after MAX_ATTEMPTS it is marked failed with the last error, for an admin to see.

Rows the inbox has just accepted skip the claim: the inbox stores them already
leased to this worker and hands them over in memory, parsed (see ``lease_for``).
They are as durable as claimed rows (a crash leaves them leased, and start-up frees
every lease), but cost no claim transaction and no second JSON parse: on the inbox
bench that was a fifth of the database thread's time per request.
"""

from __future__ import annotations

import json
import logging
from collections import deque

import sqlite_utils

from federation import retry
from federation.ports import ActorLookup, Clock
from federation.store import Store
from federation.types import Handler, InboxContext
from protocol.result import Failure

log = logging.getLogger("mediakring.federation.processing")
MAX_ATTEMPTS = 8
LEASE_SECONDS = 300.0
BATCH = 100
#: Accepted rows the worker holds in memory at most; beyond, they wait in the database.
HANDED_MAX = 2000
#: Under a steady stream of handed rows, every this many rounds also claims due rows
#: (retries, and rows stored while the worker was full) from the database.
CLAIM_EVERY = 8
#: A handed row is processed only with at least this much of its lease left; else the
#: lease may run out mid-handler and a claim take the row too: it is left to the claim.
LEASE_MARGIN = 60.0


def object_type(raw: dict) -> str:
    obj = raw.get("object")
    if isinstance(obj, dict) and isinstance(obj.get("type"), str):
        return obj["type"]
    return ""


class InboxWorker:
    """Claims due inbox rows and dispatches them to built-in and node handlers."""

    def __init__(self, store: Store, clock: Clock, actors: ActorLookup) -> None:
        self.store, self.clock, self.actors = store, clock, actors
        self.builtin: dict[str, Handler] = {}
        self.handlers: dict[tuple[str, str], list[Handler]] = {}
        self._handed: deque[dict] = deque()
        self._rounds = 0

    def lease_for(self, count: int) -> float | None:
        """The lease new rows are stored under when they are handed to this worker."""
        if len(self._handed) + count > HANDED_MAX:
            return None
        return self.clock() + LEASE_SECONDS

    def hand(self, rows: list[dict]) -> None:
        self._handed.extend(rows)

    def register(self, activity_type: str, object_type_: str, handler: Handler) -> None:
        self.handlers.setdefault((activity_type, object_type_), []).append(handler)

    def handlers_for(self, raw: dict) -> list[Handler]:
        kind, otype = str(raw.get("type")), object_type(raw)
        found = self.handlers.get((kind, otype)) if otype else None
        return list(found or self.handlers.get((kind, "*"), []))

    async def claim(self, limit: int = BATCH) -> list[dict]:
        now = self.clock()

        def run(db: sqlite_utils.Database) -> list[dict]:
            rows = db.execute(
                "SELECT id, activity_id, actor, body, attempts FROM inbox_queue"
                " WHERE state = 'pending' AND next_attempt_at <= ?"
                " AND (locked_until IS NULL OR locked_until < ?)"
                " ORDER BY next_attempt_at LIMIT ?",
                [now, now, limit],
            ).fetchall()
            if rows:
                marks = ",".join("?" * len(rows))
                db.execute(
                    f"UPDATE inbox_queue SET locked_until = ? WHERE id IN ({marks})",
                    [now + LEASE_SECONDS, *[r[0] for r in rows]],
                )
            keys = ("id", "activity_id", "actor", "body", "attempts")
            return [dict(zip(keys, r, strict=True)) for r in rows]

        return await self.store.write(run)

    async def run_once(self) -> int:
        """Process one batch: rows handed over by the inbox first, else (and every
        ``CLAIM_EVERY`` rounds, so retries are not starved) due rows claimed from the
        database.  Returns how many rows it took."""
        taken = [self._handed.popleft() for _ in range(min(BATCH, len(self._handed)))]
        cutoff = self.clock() + LEASE_MARGIN
        rows = [row for row in taken if row.pop("lease") > cutoff]
        self._rounds += 1
        if not rows or self._rounds % CLAIM_EVERY == 0:
            rows += await self.claim()
        results = []
        for row in rows:
            results.append((row, await self._process(row)))
        if results:
            await self.store.write(lambda db: self._record(db, results))
        return len(rows)

    async def _process(self, row: dict) -> str | None:
        """None on success, else the error text."""
        raw = row.pop("doc", None) or json.loads(row["body"])
        sender = await self.actors.get(row["actor"])
        if isinstance(sender, Failure):
            return f"sender unavailable: {sender}"
        ctx = InboxContext(raw, raw, sender)
        try:
            builtin = self.builtin.get(str(raw.get("type")))
            if builtin is not None:
                await builtin(ctx)
            for handler in self.handlers_for(raw):
                await handler(ctx)
        except Exception as exc:
            log.warning("handler for %s failed: %r", row["activity_id"], exc, exc_info=True)
            return f"{type(exc).__name__}: {exc}"[:1000]
        return None

    def _record(self, db: sqlite_utils.Database, results: list) -> None:
        now = self.clock()
        db.conn.executemany(
            "UPDATE inbox_queue SET state='done', attempts=?, locked_until=NULL,"
            " last_error=NULL WHERE id=?",
            [(row["attempts"] + 1, row["id"]) for row, error in results if error is None],
        )
        for row, error in results:
            attempts = row["attempts"] + 1
            if error is None:
                continue
            if attempts >= MAX_ATTEMPTS:
                db.execute(
                    "UPDATE inbox_queue SET state='failed', attempts=?, locked_until=NULL,"
                    " last_error=? WHERE id=?",
                    [attempts, error, row["id"]],
                )
            else:
                db.execute(
                    "UPDATE inbox_queue SET attempts=?, locked_until=NULL, last_error=?,"
                    " next_attempt_at=? WHERE id=?",
                    [attempts, error, now + retry.backoff(attempts), row["id"]],
                )
