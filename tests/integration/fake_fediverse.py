"""A fake fediverse server for tests: many actors with their own RSA keys and inboxes.

It verifies the sender's HTTP signature on every POST and keeps what a real server
keeps: raw POSTs, and the activities it *applied*, de-duplicated by activity id.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime

from aiohttp import web

from protocol import keys
from protocol.httpsig import parse_signature, sign_cavage, verify_parsed
from protocol.result import Failure
from tests.conftest import free_port

AS2 = "application/activity+json"


class FakeFediverse:
    """One server, many actors; counts what arrives and applies each activity id once."""

    def __init__(self, count: int, delay: float = 0.0) -> None:
        self.count = count
        self.delay = delay  # seconds before answering a Create (a slow server)
        self.keys = [keys.generate_rsa() for _ in range(count)]
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.sender_key = None  # A's public key, set once A runs
        self.posts: Counter[tuple[str, str]] = Counter()  # (inbox, activity id) -> raw POSTs
        self.applied: dict[str, list[dict]] = defaultdict(list)  # inbox -> activities
        self.bad_signatures: list[str] = []
        self._runner: web.AppRunner | None = None

    def actor(self, i: int) -> str:
        return f"{self.base}/actors/{i}"

    def inbox(self, i: int) -> str:
        return self.actor(i) + "/inbox"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/actors/{i}", self._actor_doc)
        app.router.add_post("/actors/{i}/inbox", self._inbox)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _actor_doc(self, request: web.Request) -> web.Response:
        i = int(request.match_info["i"])
        if not 0 <= i < self.count:
            raise web.HTTPNotFound()
        url = self.actor(i)
        doc = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": url, "type": "Person", "preferredUsername": f"burger{i}",
            "inbox": url + "/inbox", "outbox": url + "/outbox",
            "publicKey": {"id": url + "#main-key", "owner": url,
                          "publicKeyPem": keys.public_pem(self.keys[i])},
        }  # fmt: skip
        return web.Response(text=json.dumps(doc), content_type=AS2)

    async def _inbox(self, request: web.Request) -> web.Response:
        body = await request.read()
        parsed = parse_signature(
            "POST", request.path_qs, request.headers, body, scheme=request.scheme
        )
        if isinstance(parsed, Failure):
            self.bad_signatures.append(str(parsed))
            return web.json_response({"error": str(parsed)}, status=401)
        checked = verify_parsed(parsed, self.sender_key, datetime.now(UTC))
        if isinstance(checked, Failure):
            self.bad_signatures.append(str(checked))
            return web.json_response({"error": str(checked)}, status=401)
        activity = json.loads(body)
        inbox = str(request.url.with_query(None))
        key = (inbox, activity["id"])
        self.posts[key] += 1
        if self.posts[key] == 1:  # de-duplicate by activity id, as a real server does
            self.applied[inbox].append(activity)
        if activity["type"] == "Create":  # slow where it matters: the fan-out under test
            await asyncio.sleep(self.delay)  # applied before answering: a crash now means a repeat
        return web.Response(status=202)

    def creates_of(self, object_id: str) -> dict[str, list[dict]]:
        """Per inbox, the applied Create activities about ``object_id``."""
        out: dict[str, list[dict]] = {}
        for inbox, activities in self.applied.items():
            out[inbox] = [
                a for a in activities
                if a["type"] == "Create" and _id(a.get("object")) == object_id
            ]  # fmt: skip
        return out

    def received_type(self, kind: str) -> int:
        return sum(1 for acts in self.applied.values() for a in acts if a["type"] == kind)


def _id(value) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


async def follow(http, fake: FakeFediverse, i: int, target_actor: str) -> None:
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{fake.actor(i)}/follows/1", "type": "Follow",
        "actor": fake.actor(i), "object": target_actor,
    }  # fmt: skip
    body = json.dumps(follow).encode()
    inbox = target_actor + "/inbox"
    headers = sign_cavage("POST", inbox, {"Content-Type": AS2}, body,
                          fake.actor(i) + "#main-key", fake.keys[i], datetime.now(UTC))  # fmt: skip
    async with http.post(inbox, data=body, headers=headers) as resp:
        assert resp.status == 202, await resp.text()
