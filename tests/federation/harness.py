"""Real loopback nodes for federation tests: a Federation on a tiny aiohttp app and SQLite."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import aiohttp
from aiohttp import web

from federation.engine import ActorProfile, Federation, FederationConfig, LocalActor
from node.core.storage import open_database
from protocol import keys
from protocol.httpsig import sign_cavage
from protocol.vocab import AS2_MEDIA_TYPE, CONTEXT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@lru_cache(maxsize=16)
def rsa_key(n: int = 0):
    return keys.generate_rsa()


@lru_cache(maxsize=16)
def instance_rsa_key(n: int = 0):
    """The instance actor's key of harness node ``n`` (never the organisation's)."""
    return keys.generate_rsa()


@lru_cache(maxsize=16)
def ed_key(n: int = 0):
    return keys.generate_ed25519()


def config(**extra) -> FederationConfig:
    values = dict(allow_private_network=True, inbox_max_bytes=1024 * 1024,
                  inbox_rate_per_minute=10_000, delivery_concurrency_per_host=4,
                  delivery_timeout_seconds=2.0, delivery_give_up_hours=1.0,
                  remote_actor_max_bytes=256 * 1024)  # fmt: skip
    values.update(extra)
    return FederationConfig(**values)


def local_actor(base_url: str, n: int = 0, handle: str = "omroep") -> LocalActor:
    actor_url = base_url + "/actor"
    profile = ActorProfile(f"Omroep {n}", "Lokale omroep")
    return LocalActor(base_url, actor_url, actor_url + "#main-key", rsa_key(n),
                      actor_url + "#ed25519-key", ed_key(n), handle, profile,
                      instance_rsa_key(n))  # fmt: skip


@dataclass
class Node:
    fed: Federation
    runner: web.AppRunner
    base_url: str
    db: object
    received: list = field(default_factory=list)

    @property
    def actor_url(self) -> str:
        return self.fed.actor.actor_url

    async def stop(self) -> None:
        await self.runner.cleanup()
        self.db.close()


async def start_node(tmp: Path, n: int = 0, *, workers: bool = False,
                     configure: Callable[[Federation], None] | None = None,
                     port: int | None = None, host: str = "127.0.0.1",
                     scheme: str = "http", base_url: str | None = None,
                     **cfg) -> Node:  # fmt: skip
    """A node served over plain http; ``scheme="https"`` gives it an https base_url
    while it is still served over http, as behind a TLS-terminating proxy. ``base_url``
    sets the public URL outright (a real proxy on another port)."""
    port = port or free_port()
    base_url = base_url or f"{scheme}://{host}:{port}"
    db = await asyncio.to_thread(_open_db, tmp, n)
    fed = Federation(db, local_actor(base_url, n), config(**cfg))
    node = Node(fed, None, base_url, db)  # type: ignore[arg-type]

    @fed.on("Create")
    async def record(ctx) -> None:
        node.received.append(ctx.raw)

    if configure:
        configure(fed)
    app = web.Application()
    fed.setup(app, workers=workers)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    node.runner = runner
    return node


def _open_db(tmp: Path, n: int):
    tmp.mkdir(parents=True, exist_ok=True)
    return open_database(tmp / f"node{n}.db")


def signed_headers(url: str, body: bytes, key_id: str, key, *, now: datetime | None = None,
                   method: str = "POST") -> dict[str, str]:  # fmt: skip
    now = now or datetime.now(UTC)
    return sign_cavage(method, url, {"Content-Type": AS2_MEDIA_TYPE},
                       body if method == "POST" else None, key_id, key, now)  # fmt: skip


async def post_signed(session: aiohttp.ClientSession, url: str, activity: dict, key_id: str,
                      key, *, now: datetime | None = None) -> aiohttp.ClientResponse:  # fmt: skip
    body = json.dumps(activity).encode()
    headers = signed_headers(url, body, key_id, key, now=now)
    async with session.post(url, data=body, headers=headers) as resp:
        await resp.read()
        return resp


class FakeActors:
    """A loopback server where every path is a Person actor with one shared RSA key."""

    def __init__(self, key_n: int = 5) -> None:
        self.key = rsa_key(key_n)
        self.pem = keys.public_pem(self.key)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.inbox_posts: list = []
        self.fetches: list[str] = []  # the paths of every GET, to count outbound fetches
        self.runner: web.AppRunner | None = None
        self.overrides: dict[str, Callable[[web.Request], web.StreamResponse]] = {}

    def actor_doc(self, actor_id: str) -> dict:
        return {"@context": CONTEXT, "id": actor_id, "type": "Person",
                "inbox": actor_id + "/inbox",
                "endpoints": {"sharedInbox": self.base + "/shared-inbox"},
                "publicKey": {"id": actor_id + "#main-key", "owner": actor_id,
                              "publicKeyPem": self.pem}}  # fmt: skip

    async def handle_get(self, request: web.Request) -> web.StreamResponse:
        self.fetches.append(request.path)
        if request.path in self.overrides:
            return await self.overrides[request.path](request)
        return web.Response(text=json.dumps(self.actor_doc(self.base + request.path)),
                            content_type=AS2_MEDIA_TYPE)  # fmt: skip

    async def handle_post(self, request: web.Request) -> web.StreamResponse:
        if request.path in self.overrides:
            return await self.overrides[request.path](request)
        self.inbox_posts.append((request.path, await request.json()))
        return web.Response(status=202)

    async def start(self, host: str = "127.0.0.1") -> FakeActors:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.handle_get)
        app.router.add_post("/{tail:.*}", self.handle_post)
        self.runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.2)
        await self.runner.setup()
        await web.TCPSite(self.runner, host, self.port).start()
        return self

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    def key_id(self, path: str) -> str:
        return f"{self.base}{path}#main-key"
