"""The federation engine: one object per node that owns inbox, outbox and delivery.

``Federation`` wires the pieces (actor cache, fetch client, inbox receiver and
worker, deliverer, follows, outbox, routes, policy) and is the only thing node/
talks to.  It knows nothing of items or editors: node/ registers handlers,
collection providers and object resolvers; federation calls them.

This is the composition root of federation/: each part is given the narrow
collaborators it uses (store, local actor, clock, signer, actor cache, policy,
session provider, callbacks; see ``federation.ports``) and never sees this
class, so no part imports this module.  Everything exists from construction
on; only the HTTP session opens at :meth:`Federation.start`, behind a provider
that says so clearly if it is used earlier.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from federation import documents, netguard, queries
from federation.actors import ActorCache
from federation.delivery import Deliverer
from federation.fetch import FetchClient, Fetched
from federation.follows import Follows
from federation.inbox import InboxReceiver
from federation.outbox import Outbox
from federation.policy import DomainPolicy, Rule
from federation.ports import ActorProfile, FederationConfig, LocalActor
from federation.processing import InboxWorker
from federation.routes import Routes
from federation.session import SessionProvider
from federation.signing import Signer
from federation.stopping import cancel_and_wait
from federation.store import Store
from federation.types import (
    CollectionProvider,
    FollowCallback,
    FollowEvent,
    FollowPolicy,
    Handler,
    ObjectResolver,
    ServedObjects,
)  # fmt: skip
from protocol import pagejson
from protocol.result import Failure

__all__ = ["ActorProfile", "Federation", "FederationConfig", "LocalActor"]

log = logging.getLogger("mediakring.federation")


def _release_leases(db) -> None:
    """Leases held when this node last stopped (a crash, SIGKILL) belong to nobody now.

    One process runs a node's queues, so at start-up every lease is stale; without this,
    deliveries that were in flight at a crash wait out their lease (timeout + 60 s).
    """
    for table in ("deliveries", "inbox_queue"):
        db.execute(
            f"UPDATE {table} SET locked_until = NULL"
            " WHERE state = 'pending' AND locked_until IS NOT NULL"
        )


class Federation:
    """Inbox, outbox, durable delivery, follows, discovery and authorized fetch."""

    software_version = "0.1.0"

    def __init__(
        self,
        store: Store,
        actor: LocalActor,
        config: FederationConfig,
        clock: Callable[[], float] = time.time,
        *,
        address_policy: netguard.AddressPolicy | None = None,
        resolver: netguard.Resolver = netguard.resolve,
    ) -> None:
        self.store, self.actor, self.config, self.clock = store, actor, config, clock
        self.address_policy = address_policy or (
            netguard.allow_everything if config.allow_private_network
            else netguard.is_public_address
        )  # fmt: skip
        self.policy = DomainPolicy(store, closed_network=config.closed_network)
        self.signer = Signer(actor, clock)
        self._sessions = SessionProvider(self._new_session)
        self.fetcher = FetchClient(
            self._sessions, allow_http=config.allow_private_network,
            policy=self.address_policy, max_bytes=config.remote_actor_max_bytes,
            timeout=config.delivery_timeout_seconds, resolver=resolver,
        )  # fmt: skip
        self.actors = ActorCache(store, self.fetcher, self.signer.get_as_instance, clock)
        self.outbox = Outbox(store, actor, clock, self.actors, self.policy, self.wake_delivery)
        self.inbox_worker = InboxWorker(store, clock, self.actors)
        self.receiver = InboxReceiver(
            store, config, clock, self.actors, self.policy, self.wake_inbox,
            base_url=actor.base_url, handoff=self.inbox_worker,
        )  # fmt: skip
        self.deliverer = Deliverer(
            store, config, clock, self.actors, self.signer, self._sessions, self.wake_delivery
        )
        self._follow_callbacks: list[FollowCallback] = []
        self.follows = Follows(store, actor, clock, self.outbox.publish, self.emit)
        self.inbox_worker.builtin.update({
            "Follow": self.follows.on_follow, "Accept": self.follows.on_answer,
            "Reject": self.follows.on_answer, "Undo": self.follows.on_undo,
            "Delete": self.follows.on_delete,
        })  # fmt: skip
        self.served = ServedObjects(collections={
            "followers": self._followers_page, "outbox": queries.empty_collection,
            "mediatheek": queries.empty_collection, "partners": self._partners_page,
        })  # fmt: skip
        self._inbox_event = asyncio.Event()
        self._delivery_event = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def _new_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=0, limit_per_host=max(1, self.config.delivery_concurrency_per_host),
            resolver=netguard.GuardedResolver(self.address_policy),
            ssl=self._ssl_context(),
        )  # fmt: skip
        return aiohttp.ClientSession(connector=connector)

    def _ssl_context(self) -> ssl.SSLContext | bool:
        """Verified TLS: the system store, plus ``extra_ca_file`` when one is configured."""
        if not self.config.extra_ca_file:
            return True
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=self.config.extra_ca_file)
        return context

    @property
    def session(self) -> aiohttp.ClientSession:
        """The outbound HTTP client; raises ``NotStarted`` before :meth:`start`."""
        return self._sessions()

    # -- registration (node/ calls these at start-up) ------------------------------------

    def on(self, activity_type: str, object_type: str = "*") -> Callable[[Handler], Handler]:
        """Decorator: ``@fed.on("Create", "Article") async def h(ctx): ...``."""

        def register(handler: Handler) -> Handler:
            self.inbox_worker.register(activity_type, object_type, handler)
            return handler

        return register

    def on_follow_event(self, callback: FollowCallback) -> FollowCallback:
        self._follow_callbacks.append(callback)
        return callback

    def set_follow_policy(self, policy: FollowPolicy) -> None:
        """``policy(target_url, follower_url) -> "auto" | "manual" | "reject"``."""
        self.follows.follow_policy = policy

    def register_collection(self, name: str, provider: CollectionProvider) -> None:
        if name not in ("outbox", "followers", "mediatheek", "partners"):
            raise ValueError(f"unknown collection {name!r}")
        self.served.collections[name] = provider

    def register_object_resolver(self, prefix: str, resolver: ObjectResolver) -> None:
        """Serve GETs under ``prefix`` (e.g. ``/items/``) through ``resolver``."""
        if not prefix.startswith("/") or not prefix.endswith("/"):
            raise ValueError("prefix must start and end with '/'")
        self.served.resolvers[prefix] = resolver

    def set_usage_provider(self, provider: Callable[[], Awaitable[dict]]) -> None:
        """NodeInfo ``usage`` (users, localPosts) from the node."""
        self.served.usage = provider

    def set_actor_html(self, render: Callable[[], Any]) -> None:
        self.served.actor_html = render

    async def emit(self, event: FollowEvent) -> None:
        for callback in self._follow_callbacks:
            await callback(event)

    # -- life cycle ------------------------------------------------------------------

    def setup(self, app: web.Application, *, workers: bool = True) -> None:
        """Add the federation routes and run start/workers/close in ``cleanup_ctx``.

        ``workers=False`` leaves the queues to :meth:`drain` (unit tests).
        """
        Routes(self.actor, self.served, self.receiver, self.policy, self.software_version,
               self.clock, sign_pages=self.config.sign_collection_pages).add(app)  # fmt: skip

        async def lifecycle(app: web.Application) -> AsyncIterator[None]:
            await self.start(workers=workers)
            yield
            await self.close()

        app.cleanup_ctx.append(lifecycle)

    async def start(self, *, workers: bool = False) -> None:
        """Open the HTTP client and load policy; with ``workers``, run the queues."""
        self._sessions.open()
        await self.policy.load()
        if workers:
            await self.store.write(_release_leases)
            self._tasks = [
                asyncio.create_task(self._loop(self.inbox_worker.run_once, self._inbox_event)),
                asyncio.create_task(self._loop(self.deliverer.step, self._delivery_event)),
                asyncio.create_task(self._prune_loop()),
            ]

    async def close(self) -> None:
        await cancel_and_wait(self._tasks)
        self._tasks = []
        await self.deliverer.cancel()
        with contextlib.suppress(Exception):
            await self.deliverer.flush()
        await self._sessions.close()

    async def _loop(self, step: Callable[[], Awaitable[int]], event: asyncio.Event) -> None:
        while True:
            event.clear()
            try:
                done = await step()
            except Exception:
                log.exception("federation worker step failed")
                done = 0
                await asyncio.sleep(1.0)
            if not done:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), 1.0)

    async def _prune_loop(self) -> None:
        while True:
            await asyncio.sleep(600)
            with contextlib.suppress(Exception):
                await self.store.write(lambda db: queries.prune(db, self.clock()))

    def wake_inbox(self) -> None:
        self._inbox_event.set()

    def wake_delivery(self) -> None:
        self._delivery_event.set()

    async def drain(self, rounds: int = 1000) -> None:
        """Process every due inbox row and delivery now (tests), until none are due."""
        for _ in range(rounds):
            handled = await self.inbox_worker.run_once()
            started = await self.deliverer.run_once()
            await self.deliverer.wait_idle()
            if not handled and not started:
                return

    # -- signing and fetching ------------------------------------------------------------

    def sign_get_instance(self, url: str) -> dict[str, str]:
        return self.signer.get_as_instance(url)

    def sign_get_actor(self, url: str) -> dict[str, str]:
        return self.signer.get_as_actor(url)

    async def fetch(
        self, url: str, *, as_instance: bool = True, max_bytes: int | None = None
    ) -> dict | Failure:
        """Signed GET of a remote document, as the instance actor unless told otherwise.

        The instance actor signs by default because a remote side can steer the URL
        (a collection's ``next``, an attachment's ``url``); ``as_instance=False`` signs
        as the organisation and is meant only for a partner's own known endpoints that
        authorise by organisation.  ``max_bytes`` raises the cap for documents that are
        legitimately larger than an actor, such as collection pages.
        """
        signer = self.sign_get_instance if as_instance else self.sign_get_actor
        return await self.fetcher.get_json(url, signer, max_bytes=max_bytes)

    async def fetch_page(self, url: str, *, max_bytes: int | None = None) -> Fetched | Failure:
        """A collection page, fetched as the instance actor, with the raw body and the
        headers kept for a caller that checks a signed page itself (a back-fill, §5.1);
        the items stay raw JSON bytes (``protocol.pagejson``)."""
        return await self.fetcher.get_response(
            url, self.sign_get_instance, max_bytes=max_bytes, parse=pagejson.parse_page
        )

    # -- documents ---------------------------------------------------------------------

    @property
    def instance_actor_url(self) -> str:
        return self.actor.instance_actor_url

    def is_local(self, url: str) -> bool:
        return self.actor.is_local(url)

    def collection_targets(self) -> dict[str, str]:
        """Our collection URL → the follow target whose accepted followers it expands to."""
        return self.actor.collection_targets()

    def actor_document(self, profile: ActorProfile | None = None) -> dict:
        """Our actor as it is now, or as it will be with ``profile`` (for an ``Update``)."""
        return documents.actor_document(self.actor, profile)

    def instance_actor_document(self) -> dict:
        return documents.instance_actor_document(self.actor)

    # -- outbox, follows -------------------------------------------------------------------

    async def publish(self, activity: dict, recipients: list[str]) -> str:
        """Persist ``activity`` (adding our proof) and queue one delivery per inbox."""
        return await self.outbox.publish(activity, recipients)

    async def follow(self, target_actor_url: str, object_url: str) -> str:
        return await self.follows.follow(target_actor_url, object_url)

    async def undo_follow(self, object_url: str) -> str | None:
        return await self.follows.undo_follow(object_url)

    async def approve_follow(self, follower: str, target: str) -> bool:
        return await self.follows.decide(follower, target, accept=True)

    async def reject_follow(self, follower: str, target: str) -> bool:
        return await self.follows.decide(follower, target, accept=False)

    async def followers(self, target: str, state: str | None = "accepted") -> list[dict]:
        return await self.store.read(lambda db: queries.followers(db, target, state))

    async def following(self) -> list[dict]:
        return await self.store.read(queries.following)

    async def _followers_page(self, cursor: str | None, requester: str | None):
        return await self.store.read(
            lambda db: queries.follower_page(db, self.actor.actor_url, cursor)
        )

    async def _partners_page(self, cursor: str | None, requester: str | None):
        return await self.store.read(
            lambda db: queries.follower_page(db, self.actor.actor_url + "/mediatheek", cursor)
        )

    # -- delivery health and policy ------------------------------------------------------

    async def delivery_states(self, activity_id: str) -> list[dict]:
        return await self.store.read(lambda db: queries.delivery_states(db, activity_id))

    async def delivery_health(self) -> dict:
        health = await self.store.read(lambda db: queries.delivery_health(db, self.clock()))
        health["held_hosts"] = sorted(self.deliverer.breaker.held())
        return health

    async def retry_now(self, host: str | None = None) -> int:
        """Make pending (and, per host, failed) deliveries due now; reset the breaker.

        Outcomes still waiting for their group commit are recorded first: written after
        this, a failure's back-off would undo the retry."""
        self.deliverer.breaker.reset(host)
        await self.deliverer.flush()
        count = await self.store.write(lambda db: queries.retry_now(db, host, self.clock()))
        self.wake_delivery()
        return count

    async def set_domain_rule(self, domain: str, rule: Rule | None) -> None:
        await self.policy.set_domain_rule(domain, rule)

    async def domain_rules(self) -> dict[str, Rule]:
        return self.policy.domain_rules()
