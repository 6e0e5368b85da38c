"""The delivery worker: durable rows in ``deliveries`` become signed POSTs.

Rows are claimed with a lease, so a crash frees them; claims skip hosts that are
at their concurrency limit or held by the circuit breaker, so one slow or dead
server never stalls deliveries to the others.  Each attempt's outcome goes
through the pure policy in :mod:`federation.retry`; outcomes are written back in
group commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable

import aiohttp
import sqlite_utils

from federation import netguard, retry
from federation.ports import ActorLookup, Clock, FederationConfig, Wake
from federation.signing import Signer
from federation.stopping import cancel_and_wait
from federation.store import Store
from protocol.result import Failure
from protocol.validate import host_of

log = logging.getLogger("mediakring.federation.delivery")
MAX_IN_FLIGHT = 512
#: A claim leases up to this many times a host's concurrency limit (in flight plus
#: waiting in memory), so a finished delivery hands its slot to the next one at once
#: and the database is asked again only when a host's queue runs low.
LOOKAHEAD = 3
#: At most this many hosts are looked at per claim (held or full ones included); the
#: next claim goes on from where this one stopped, so no host waits for ever.
CLAIM_HOSTS = 2000
#: Seconds a finished delivery's outcome waits to share a commit with the ones after it;
#: a crash meanwhile only means those rows are delivered again once their lease ends.
FLUSH_AFTER = 0.005
_COLUMNS = ("id", "activity_id", "inbox", "host", "recipient", "resolved", "attempts",
            "created_at")  # fmt: skip
_NEXT_HOST = (
    "SELECT host FROM deliveries WHERE state = 'pending' AND host > ? ORDER BY host LIMIT 1"
)
_HOST_DUE = (
    "SELECT " + ", ".join(_COLUMNS) + " FROM deliveries"
    " WHERE state = 'pending' AND host = ? AND next_attempt_at <= ?"
    " AND (locked_until IS NULL OR locked_until < ?) ORDER BY next_attempt_at LIMIT ?"
)


def claim_rows(
    db: sqlite_utils.Database, *, now: float, lease: float, room: int, per_host: int,
    full: set[str], in_flight: dict[str, int], after: str = "",
) -> tuple[list[dict], str, bool]:  # fmt: skip
    """Lease up to ``room`` due rows, at most ``per_host`` in flight per host.

    Hosts are visited round-robin in name order, starting after ``after`` (where the
    previous claim stopped) and wrapping around once; each visit is one seek in the
    ``deliveries_host_due`` index (migration 21), so the cost of a claim depends on
    the number of hosts served, not on how many rows wait.  Within a host the oldest
    due rows go first.  Returns the rows, the host to start after next time, and
    whether the claim stopped short (``room`` or ``CLAIM_HOSTS`` reached) rather than
    after every host had its turn, i.e. whether more may be claimable right now.
    """
    conn = db.conn
    chosen: list[tuple] = []
    host, wrapped, visits = after, False, 0
    while len(chosen) < room and visits < CLAIM_HOSTS:
        found = conn.execute(_NEXT_HOST, [host]).fetchone()
        if found is None:
            if wrapped or not after:
                break
            wrapped, host = True, ""
            continue
        host = found[0]
        if wrapped and host > after:
            break  # every host with pending rows has had its turn
        visits += 1
        if host in full:
            continue
        want = min(per_host - in_flight.get(host, 0), room - len(chosen))
        if want > 0:
            chosen.extend(conn.execute(_HOST_DUE, [host, now, now, want]).fetchall())
    if chosen:
        conn.executemany(
            "UPDATE deliveries SET locked_until = ? WHERE id = ?", [(lease, r[0]) for r in chosen]
        )
    short = len(chosen) >= room or visits >= CLAIM_HOSTS
    return [dict(zip(_COLUMNS, r, strict=True)) for r in chosen], host, short


class CircuitBreaker:
    """After ``threshold`` consecutive failures a host is held for a growing cool-down."""

    def __init__(self, clock, threshold: int = 5, cooldown: float = 60.0, cap: float = 3600.0):
        self.clock, self.threshold, self.cooldown, self.cap = clock, threshold, cooldown, cap
        self.failures: dict[str, int] = defaultdict(int)
        self.trips: dict[str, int] = defaultdict(int)
        self.held_until: dict[str, float] = {}

    def record(self, host: str, ok: bool) -> None:
        if ok:
            self.failures.pop(host, None)
            self.trips.pop(host, None)
            self.held_until.pop(host, None)
            return
        self.failures[host] += 1
        if self.failures[host] >= self.threshold:
            self.trips[host] += 1
            wait = min(self.cooldown * 2 ** (self.trips[host] - 1), self.cap)
            self.held_until[host] = self.clock() + wait
            self.failures[host] = 0
            log.warning("circuit open for %s: holding deliveries %.0fs", host, wait)

    def held(self) -> set[str]:
        now = self.clock()
        return {host for host, until in self.held_until.items() if until > now}

    def reset(self, host: str | None = None) -> None:
        for table in (self.failures, self.trips, self.held_until):
            if host is None:
                table.clear()
            else:
                table.pop(host, None)


class Deliverer:
    """Claims due deliveries and runs them concurrently under per-host limits."""

    def __init__(
        self,
        store: Store,
        config: FederationConfig,
        clock: Clock,
        actors: ActorLookup,
        signer: Signer,
        session: Callable[[], aiohttp.ClientSession],
        wake: Wake,
    ) -> None:
        self.store, self.config, self.clock = store, config, clock
        self.actors, self.signer, self.session, self.wake = actors, signer, session, wake
        self.breaker = CircuitBreaker(clock)
        self.in_flight: dict[str, int] = defaultdict(int)
        self.tasks: set[asyncio.Task] = set()
        self.max_in_flight = MAX_IN_FLIGHT
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._results: list[tuple] = []
        self._flusher: asyncio.Task | None = None
        self._settled = asyncio.Event()  # the last delivery under way has its outcome
        self._cursor = ""  # the host the last claim stopped at: the next one starts after it
        self._short = False  # the last claim stopped short: more may be claimable at once
        self._ready: defaultdict[str, deque[dict]] = defaultdict(deque)  # claimed, not started
        self._closing = False

    @property
    def busy(self) -> int:
        return len(self.tasks)

    async def claim(self, depth: int = 1) -> list[dict]:
        """Lease due rows: per host up to ``depth`` × the concurrency limit, counting the
        rows in flight and those already waiting in memory."""
        room = self.max_in_flight - len(self.tasks) - sum(map(len, self._ready.values()))
        if room <= 0:
            return []
        per_host = self.config.delivery_concurrency_per_host
        held = self.breaker.held()
        taken = {h: n + len(self._ready.get(h, ())) for h, n in self.in_flight.items()}
        for host, queue in self._ready.items():
            taken.setdefault(host, len(queue))
        limit = per_host * depth
        full = {h for h, n in taken.items() if n >= limit} | held
        now = self.clock()
        lease = now + self.config.delivery_timeout_seconds + 60.0
        after = self._cursor

        def run(db: sqlite_utils.Database) -> tuple[list[dict], str, bool]:
            return claim_rows(db, now=now, lease=lease, room=room, per_host=limit,
                              full=full, in_flight=taken, after=after)  # fmt: skip

        rows, self._cursor, self._short = await self.store.write(run)
        for row in rows:
            row["lease"] = lease
        return rows

    async def run_once(self) -> int:
        """Claim what is due and start what the per-host limits allow; the rest of a
        host's claim waits in memory and starts as its deliveries finish, without a
        database round trip per delivery.  Returns how many were started or claimed."""
        rows = await self.claim(depth=LOOKAHEAD)
        for row in rows:
            self._ready[row["host"]].append(row)
        started = 0
        for host in list(self._ready):
            started += self._start(host)
        return max(started, len(rows))

    async def step(self) -> int:
        """One turn of the background loop: :meth:`run_once`, then claim again at once
        only if that claim stopped short; otherwise the loop waits for a wake (a host's
        queue running low, a new activity) or its one-second timer.

        Going straight on after every claim that found anything made the loop claim
        back to back, a few rows each time (one transaction per ~4 deliveries).
        """
        claimed = await self.run_once()
        return claimed if self._short else 0

    def _start(self, host: str) -> int:
        """Start waiting deliveries to ``host`` while it has free slots."""
        queue = self._ready.get(host)
        if not queue or self._closing:
            self._ready.pop(host, None)
            return 0
        per_host = self.config.delivery_concurrency_per_host
        if host in self.breaker.held():
            queue.clear()  # their leases run out and the rows are claimed again later
        started = 0
        margin = self.config.delivery_timeout_seconds + 5.0
        while queue and self.in_flight[host] < per_host:
            row = queue.popleft()
            if self.clock() > row.get("lease", float("inf")) - margin:
                continue  # its lease could run out mid-POST: leave it to a later claim
            self.in_flight[host] += 1
            task = asyncio.create_task(self._deliver(row))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            started += 1
        if not queue:
            self._ready.pop(host, None)
        return started

    async def cancel(self) -> None:
        """Shutting down: start nothing more, cancel what runs (leases free the rows)."""
        self._closing = True
        self._ready.clear()
        await cancel_and_wait(list(self.tasks))

    async def wait_idle(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
        await self.flush()

    async def _body(self, activity_id: str) -> bytes:
        body = self._bodies.get(activity_id)
        if body is None:
            text = await self.store.read(
                lambda db: db.execute(
                    "SELECT body FROM activities WHERE id = ?", [activity_id]
                ).fetchone()[0]
            )
            body = text.encode("utf-8")
            self._bodies[activity_id] = body
            while len(self._bodies) > 256:
                self._bodies.popitem(last=False)
        self._bodies.move_to_end(activity_id)
        return body

    async def _deliver(self, row: dict) -> None:
        host = row["host"]
        new_inbox = None
        try:
            inbox = row["inbox"]
            if not row["resolved"]:
                actor = await self.actors.get(row["recipient"])
                if isinstance(actor, Failure) or not actor.delivery_inbox:
                    reason = str(actor) if isinstance(actor, Failure) else "actor has no inbox"
                    # the actor's own document is gone: that one recipient is gone
                    gone = isinstance(actor, Failure) and actor.code == "fetch.gone"
                    self._outcome(row, 410 if gone else None, None, reason, None, personal=gone)
                    return
                inbox = new_inbox = actor.delivery_inbox
            status, retry_after, error = await self._post(
                inbox, await self._body(row["activity_id"])
            )
            personal = status == 410 and await self._personal(row["recipient"], inbox)
            self._outcome(row, status, retry_after, error, new_inbox, personal=personal)
        except Exception as exc:  # a bug must not kill the worker; the row retries
            log.exception("delivery %s crashed", row["id"])
            self._outcome(row, None, None, f"internal error: {exc!r}", new_inbox)
        finally:
            self.in_flight[host] -= 1
            if self.in_flight[host] <= 0:
                self.in_flight.pop(host, None)
            self._start(host)  # the next one waiting for this host takes the slot
            if len(self._ready.get(host, ())) < self.config.delivery_concurrency_per_host:
                self.wake()  # running low: claim more

    async def _personal(self, recipient: str | None, inbox: str) -> bool:
        """Is ``inbox`` the recipient's own inbox, and shared with no one else?

        What the follower row recorded decides; for an actor that does not follow us, the
        actor cache does.  An inbox that is also a shared inbox counts as shared.
        """
        if not recipient:
            return False

        def run(db: sqlite_utils.Database) -> tuple[bool, bool]:
            own = db.execute(
                "SELECT 1 FROM followers WHERE follower = ? AND inbox = ? LIMIT 1",
                [recipient, inbox],
            ).fetchone()
            shared = db.execute(
                "SELECT 1 FROM followers WHERE shared_inbox = ? LIMIT 1", [inbox]
            ).fetchone()
            return own is not None, shared is not None

        own, shared = await self.store.read(run)
        if shared:
            return False
        if own:
            return True
        actor = await self.actors.get(recipient)
        if isinstance(actor, Failure):
            return False
        return actor.inbox == inbox and actor.shared_inbox != inbox

    async def _post(self, inbox: str, body: bytes) -> tuple[int | None, str | None, str]:
        cfg = self.config
        shape = netguard.check_url_shape(inbox, allow_http=cfg.allow_private_network)
        if shape is not None:
            return 400, None, shape.detail
        headers = self.signer.post(inbox, body)
        try:
            async with self.session().post(
                inbox, data=body, headers=headers,
                timeout=aiohttp.ClientTimeout(total=cfg.delivery_timeout_seconds),
            ) as resp:  # fmt: skip
                await resp.read()
                return resp.status, resp.headers.get("Retry-After"), f"HTTP {resp.status}"
        except TimeoutError:
            return None, None, f"timed out after {cfg.delivery_timeout_seconds:g}s"
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, netguard.AddressRefused):
                return 400, None, str(exc.os_error)
            return None, None, f"connection failed: {exc.os_error}"
        except (aiohttp.ClientError, OSError) as exc:
            if isinstance(exc, netguard.AddressRefused):
                return 400, None, str(exc)
            return None, None, f"{type(exc).__name__}: {exc}"

    def _outcome(self, row, status, retry_after, error, new_inbox, *, personal=False) -> None:
        now = self.clock()
        decision = retry.decide(
            status, attempts=row["attempts"] + 1, created_at=row["created_at"], now=now,
            give_up_hours=self.config.delivery_give_up_hours, retry_after=retry_after,
            error=error, personal=personal,
        )  # fmt: skip
        if decision.action != "retry" and status in (404, 410):
            log.info("delivery %s to %s: %s", row["activity_id"], new_inbox or row["inbox"],
                     decision.reason)  # fmt: skip
        transient = status is None or status >= 500 or status == 429
        self.breaker.record(row["host"], ok=not transient)
        self._results.append((row, status, decision, error, new_inbox, now))
        if len(self.tasks) <= 1 and not self._ready:
            self._settled.set()  # nothing else is under way to share the commit: go now
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        """Record outcomes ``FLUSH_AFTER`` after the first of them: those that arrive
        meanwhile share its transaction (group commit): one commit per few deliveries
        cost the database thread 30 µs per delivery on the fan-out bench, 17 µs now.
        The wait ends early once the last delivery under way has its outcome, as no
        other outcome can come to share the commit (the end of a fan-out)."""
        while self._results:
            if not self._settled.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._settled.wait(), FLUSH_AFTER)
            self._settled.clear()
            await self._record_batch()

    async def flush(self) -> None:
        """Record every outcome so far (shutdown, ``wait_idle``): the group commit under
        way first (a task, never cancelled: its batch is no longer in ``_results``), then
        whatever is left."""
        if self._flusher is not None and not self._flusher.done():
            await self._flusher
        while self._results:
            await self._record_batch()

    async def _record_batch(self) -> None:
        batch, self._results = self._results, []
        if not batch:
            return
        await self.store.write(lambda db: _record(db, batch))
        if any(d.action == "retry" for _, _, d, *_ in batch):
            self.wake()


def _record(db: sqlite_utils.Database, batch: list) -> None:
    conn = db.conn
    for row, status, decision, error, new_inbox, now in batch:
        if new_inbox is not None:
            try:
                conn.execute(
                    "UPDATE deliveries SET inbox = ?, host = ?, resolved = 1 WHERE id = ?",
                    [new_inbox, host_of(new_inbox), row["id"]],
                )
            except Exception:  # another row already delivers to that shared inbox
                conn.execute(
                    "UPDATE deliveries SET state = 'delivered', resolved = 1, locked_until = NULL,"
                    " last_error = 'collapsed into a shared inbox', delivered_at = ? WHERE id = ?",
                    [now, row["id"]],
                )
                continue
        state = {"delivered": "delivered", "gone": "gone", "failed": "failed"}.get(
            decision.action, "pending"
        )
        conn.execute(
            "UPDATE deliveries SET state = ?, attempts = attempts + 1, locked_until = NULL,"
            " last_status = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at),"
            " delivered_at = ? WHERE id = ? AND (state = 'pending' OR ? = 'delivered')",
            [state, status, None if state == "delivered" else (decision.reason or error),
             decision.next_attempt_at, now if state == "delivered" else None, row["id"],
             state],
        )  # fmt: skip
        # (a row cancelled while in flight, see queries.cancel_pending, stays cancelled)
        if state == "gone" and row["recipient"]:
            # only the actor whose own inbox (or actor document) is gone; never a whole
            # server's followers because of what its shared inbox answered
            conn.execute(
                "UPDATE followers SET state = 'gone' WHERE follower = ?", [row["recipient"]]
            )
