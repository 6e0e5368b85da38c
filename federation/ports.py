"""The narrow collaborators federation's parts are built from.

Each part (deliverer, inbox receiver and worker, follows, outbox, routes) gets
exactly what it uses — the store, the local actor, the clock, a signer, the
actor cache, the policy, a session provider, callbacks — passed in at
construction, instead of the whole engine.  This module sits low: it imports
no federation module that imports a part, so nothing here can close a cycle.
The engine (``federation.engine``) is the one place that composes the parts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from federation.actors import RemoteActor
from protocol.result import Failure
from protocol.validate import host_of

#: Seconds since the epoch; injected so tests can move time.
Clock = Callable[[], float]
#: Nudges a worker loop: "there is new work" (``Federation.wake_delivery`` / ``wake_inbox``).
Wake = Callable[[], None]
#: Persist an activity and queue its deliveries; returns the activity id.
Publisher = Callable[[dict, list[str]], Awaitable[str]]


@dataclass
class ActorProfile:
    """What the organisation shows of itself: name, summary, avatar and header image.

    Mutable on purpose: an admin can change it while the node runs, and the actor
    document is built from it per request.  Keys and URLs never change; they stay on
    the frozen :class:`LocalActor`.
    """

    name: str
    summary: str = ""
    icon_url: str | None = None
    image_url: str | None = None


@dataclass(frozen=True)
class LocalActor:
    """The organisation this node speaks for, with its signing keys.

    ``instance_rsa_private_key`` belongs to the instance actor (``/instance-actor``),
    never the organisation's: it signs the GETs whose URL a remote side can choose.
    """

    base_url: str
    actor_url: str
    rsa_key_id: str
    rsa_private_key: Any
    ed25519_key_id: str
    ed25519_private_key: Any
    handle: str
    profile: ActorProfile
    instance_rsa_private_key: Any = None

    def __post_init__(self) -> None:
        if self.instance_rsa_private_key is None:
            raise ValueError("the instance actor needs its own RSA key")
        if self.instance_rsa_private_key is self.rsa_private_key:
            raise ValueError("the instance actor must not share the organisation's key")

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def summary(self) -> str:
        return self.profile.summary

    @property
    def instance_actor_url(self) -> str:
        return self.base_url + "/instance-actor"

    @property
    def instance_key_id(self) -> str:
        return self.instance_actor_url + "#main-key"

    @property
    def host(self) -> str:
        """``host[:port]`` as it appears in our URLs (and in ``acct:handle@host``)."""
        return urlsplit(self.base_url).netloc

    def is_local(self, url: str) -> bool:
        return host_of(url) == host_of(self.base_url)

    def collection_targets(self) -> dict[str, str]:
        """Our collection URL → the follow target whose accepted followers it expands to."""
        a = self.actor_url
        return {a + "/followers": a, a + "/partners": a + "/mediatheek"}


@dataclass(frozen=True)
class FederationConfig:
    """Limits and switches (node maps its settings onto these)."""

    allow_private_network: bool
    inbox_max_bytes: int
    inbox_rate_per_minute: int
    delivery_concurrency_per_host: int
    delivery_timeout_seconds: float
    delivery_give_up_hours: float
    remote_actor_max_bytes: int
    closed_network: bool = False
    #: Stage one of the inbox limits: requests per client address per minute, before parsing.
    inbox_rate_per_address_per_minute: int = 60_000
    #: Overall time for verifying one inbox request or signed GET, key fetch included.
    inbox_verify_deadline_seconds: float = 10.0
    #: A PEM file of extra CA certificates trusted for outbound https, besides the system
    #: store (a private CA in a closed network, or in tests a TLS proxy's test CA).
    extra_ca_file: str | None = None
    #: Sign served collection pages (RFC 9421 response signature, FEDERATION.md §5.1).
    sign_collection_pages: bool = True


class ActorLookup(Protocol):
    """Remote actors by id or key id (``federation.actors.ActorCache`` is one)."""

    async def get(self, actor_id: str, *, refresh: bool = False) -> RemoteActor | Failure: ...

    async def by_key_id(self, key_id: str, *, refresh: bool = False) -> RemoteActor | Failure: ...

    def known_key(self, key_id: str) -> RemoteActor | None:
        """The owner of ``key_id`` if it is in memory already (no I/O), else None."""
        ...

    async def acting_for(self, signer: RemoteActor) -> str: ...


class InboxHandoff(Protocol):
    """Where the inbox hands rows it has just stored, so they need not be claimed back
    from the database (``federation.processing.InboxWorker`` is one)."""

    def lease_for(self, count: int) -> float | None:
        """The lease (``locked_until``) to store ``count`` new rows under, or None when
        the worker holds enough in memory already: they are then stored unleased and
        claimed the usual way."""
        ...

    def hand(self, rows: list[dict]) -> None:
        """Rows stored under that lease (``id``, ``activity_id``, ``actor``, ``body``,
        ``attempts``, the parsed ``doc`` and the ``lease``), for the worker's next round."""
        ...


class HostPolicy(Protocol):
    """May ``host`` talk to us? ``None`` if so, else the reason (``DomainPolicy`` is one)."""

    def check(self, host: str) -> Failure | None: ...
