"""Value types shared between the engine and the node: handler context and resolved objects.

Low in federation's import order: it imports only ``federation.actors``, so any
part may use it without closing a cycle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from federation.actors import RemoteActor


@dataclass(frozen=True)
class InboxContext:
    """What a handler receives: the verified activity, its raw JSON and its sender.

    It deliberately carries no engine: a handler that needs to answer gets what it
    needs (a publisher, the store) from whoever registered it.
    """

    activity: Any  # protocol's parsed Activity (or the raw dict when protocol has none)
    raw: dict
    sender: RemoteActor

    @property
    def type(self) -> str:
        return str(self.raw.get("type", ""))

    @property
    def object(self) -> Any:
        return self.raw.get("object")


Handler = Callable[[InboxContext], Awaitable[None]]


@dataclass(frozen=True)
class ResolvedObject:
    """How the node answers a request for one of its object URLs.

    ``audience`` is ``"public"`` or the set of actor URLs allowed to see it;
    ``html`` renders the browser view (sync or async, returning str or a
    response); ``file`` is ``(path, media_type, etag)`` for media downloads.
    """

    document: dict | None = None
    audience: set[str] | Literal["public"] = "public"
    html: Callable[[], Any] | None = None
    file: tuple[Any, str, str] | None = None


ObjectResolver = Callable[[str, str | None], Awaitable[ResolvedObject | None]]


#: provider(page_cursor, requester_actor) -> (items, next_cursor, total)
class RawJson(str):
    """A collection item that is already JSON text (the form it is stored in): the page
    splices it in as it is instead of decoding and encoding it again."""

    __slots__ = ()


CollectionProvider = Callable[
    [str | None, str | None], Awaitable[tuple[list[Any], str | None, int]]
]

FollowEventKind = Literal["follow_requested", "follow_accepted", "follow_rejected", "follow_undone"]


@dataclass(frozen=True)
class FollowEvent:
    """A change in a follow relation. ``direction`` is ``incoming`` (someone follows us)
    or ``outgoing`` (our follow of someone else)."""

    kind: FollowEventKind
    direction: Literal["incoming", "outgoing"]
    follower: str
    target: str
    follow_id: str
    extra: dict = field(default_factory=dict)


FollowCallback = Callable[[FollowEvent], Awaitable[None]]
FollowPolicy = Callable[[str, str], Awaitable[str] | str]


UsageProvider = Callable[[], Awaitable[dict]]


@dataclass
class ServedObjects:
    """What the node registered for the routes to serve (filled in before the app starts).

    The engine owns one and registration methods fill it; :class:`~federation.routes.Routes`
    reads it per request, so nothing needs the engine to answer a GET.
    """

    collections: dict[str, CollectionProvider]
    resolvers: dict[str, ObjectResolver] = field(default_factory=dict)
    usage: UsageProvider | None = None
    actor_html: Callable[[], Any] | None = None
