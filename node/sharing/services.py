"""The node's services as one typed object, stored on the application under ``SERVICES``.

``create_app`` (node.app) builds every attribute in dependency order before a
request or job can read one, so readers write ``app[SERVICES].distributor`` and
a type checker follows the call.  The object lives on the sharing floor because
that is the lowest floor that can name the types it holds (the federation
engine, the media store and sharing's own services); the contribution desk sits
on a higher floor and is named here by the protocol that lower floors and the
routes use.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

if TYPE_CHECKING:
    from federation.engine import Federation
    from federation.types import InboxContext
    from node.media.store import MediaStore
    from node.sharing.backfill import Backfill
    from node.sharing.outbox_dispatch import Dispatcher
    from node.sharing.outgoing import Distributor
    from node.sharing.partnerships import Partnerships
    from node.sharing.webhook_worker import WebhookWorker


class ContributionDesk(Protocol):
    """What the inbox wiring and the routes ask of the contributions service."""

    async def from_fediverse(self, ctx: InboxContext) -> str | None: ...

    def announce_in(self, db: Any, contribution_id: str) -> None: ...

    def wake(self) -> None: ...

    async def accept(self, contribution_id: str) -> dict[str, Any]: ...

    async def reject(self, contribution_id: str, reason: str) -> dict[str, Any]: ...


@dataclass
class Services:
    """Every long-lived service of one node; built once by ``create_app``."""

    federation: Federation
    media_store: MediaStore
    partnerships: Partnerships
    distributor: Distributor
    backfill: Backfill
    contributions: ContributionDesk
    #: Hands committed outbox rows to federation (after each commit and at start-up).
    outbox: Dispatcher
    #: Set by whoever queues a webhook event; the delivery worker waits on it.
    webhook_wake: asyncio.Event = field(default_factory=asyncio.Event)
    #: The webhook delivery worker while the node runs (its cleanup context sets it).
    webhook_worker: WebhookWorker | None = None


SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
