"""Run the Fedify-based ActivityPub peer (tests/peers/fedify/server.mjs) from tests.

The peer is a real, independent ActivityPub implementation (Fedify 1.5.9 on Node)
with one actor, ``peer``, at ``http://127.0.0.1:<port>/users/peer``. Tests drive it
through its unsigned JSON control API and read what its inbox received::

    from tests.peers.fedify_peer import fedify_available, running_fedify_peer

    async def test_something(node):
        assert fedify_available(), NOT_INSTALLED
        async with running_fedify_peer() as peer:
            actor = await peer.lookup(node.url("/actor"))
            assert actor["ok"], actor
            follow = await peer.follow(actor["id"])
            ...
            received = await peer.received(type="Follow")

Only the standard library and aiohttp are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp

PEER_DIR = Path(__file__).resolve().parent / "fedify"
SERVER = PEER_DIR / "server.mjs"
READY_TIMEOUT = 30.0
NOT_INSTALLED = (
    "the Fedify peer is not installed (tests/peers/fedify/node_modules is missing): "
    "run `make test` (or `make venv-test`, or `cd tests/peers/fedify && npm ci`) "
    "to install the Fedify peer"
)


class FedifyPeerError(RuntimeError):
    """The peer could not be started or a control call failed at the HTTP level."""


def node_binary() -> str | None:
    """The Node.js executable to use (``$FEDIFY_NODE``, else ``node`` on PATH)."""
    return os.environ.get("FEDIFY_NODE") or shutil.which("node")


def fedify_available() -> bool:
    """Whether the peer can run: Node is present and ``npm ci`` has installed Fedify."""
    return (
        node_binary() is not None
        and SERVER.is_file()
        and (PEER_DIR / "node_modules" / "@fedify" / "fedify" / "package.json").is_file()
    )


def require_fedify() -> None:
    """Fail (never skip) with a clear message when the peer is not installed."""
    if not fedify_available():
        raise FedifyPeerError(NOT_INSTALLED)


class FedifyPeer:
    """A running peer process. Create it with :func:`start_fedify_peer`."""

    identifier = "peer"

    def __init__(
        self,
        process: subprocess.Popen,
        port: int,
        host: str,
        stdout_path: Path,
        stderr_path: Path,
        workdir: Path,
    ) -> None:
        self.process = process
        self.port = port
        self.host = host
        self._stdout_path = stdout_path
        self._stderr_path = stderr_path
        self._workdir = workdir

    # ------------------------------------------------------------------ URLs
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def actor_url(self) -> str:
        return f"{self.base_url}/users/{self.identifier}"

    @property
    def inbox_url(self) -> str:
        return f"{self.actor_url}/inbox"

    @property
    def shared_inbox_url(self) -> str:
        return f"{self.base_url}/inbox"

    @property
    def followers_url(self) -> str:
        return f"{self.actor_url}/followers"

    @property
    def main_key_id(self) -> str:
        """RSA key: signs HTTP signatures (draft-cavage, rsa-sha256)."""
        return f"{self.actor_url}#main-key"

    @property
    def ed25519_key_id(self) -> str:
        """Ed25519 Multikey: signs FEP-8b32 eddsa-jcs-2022 proofs."""
        return f"{self.actor_url}#key-2"

    # ------------------------------------------------------------------ process
    def stderr_text(self) -> str:
        """Everything the peer logged so far (Fedify's log goes to stderr)."""
        try:
            return self._stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the process (SIGTERM), then kill it if it does not exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        shutil.rmtree(self._workdir, ignore_errors=True)

    async def astop(self) -> None:
        await asyncio.to_thread(self.stop)

    def __enter__(self) -> FedifyPeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FedifyPeer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.astop()

    # ------------------------------------------------------------------ control API
    async def _call(self, method: str, path: str, payload: dict | None = None) -> dict:
        url = f"{self.base_url}/control/{path}"
        timeout = aiohttp.ClientTimeout(total=60)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.request(method, url, json=payload) as resp,
            ):
                text = await resp.text()
                if resp.status != 200:
                    raise FedifyPeerError(
                        f"{method} {url} -> {resp.status}: {text}\n--- peer stderr ---\n"
                        f"{self.stderr_text()[-4000:]}"
                    )
                return json.loads(text)
        except aiohttp.ClientError as exc:
            raise FedifyPeerError(
                f"{method} {url} failed: {exc!r}\n--- peer stderr ---\n{self.stderr_text()[-4000:]}"
            ) from exc

    async def log(self) -> dict:
        """``{"received": [...], "rejected": [...], "errors": [...], "sent": [...],
        "followers": [...], "following": [...]}``.

        Each ``received`` entry: ``type``, ``id``, ``actor``, ``object`` (summary parsed
        with Fedify's vocabulary: type, id, name, content, attachments...), ``to``, ``cc``,
        ``verified`` (always true: Fedify only delivers authenticated activities),
        ``proof_present``, ``proof_verified``, ``http_signature_verified``,
        ``signature_key_id``, ``signed_headers``, ``digest_header``, ``content_type``,
        ``json`` (Fedify's re-serialisation) and ``raw_body`` (the JSON as sent).
        ``rejected`` holds inbox requests Fedify refused (status >= 400) with the reason.
        """
        return await self._call("GET", "log")

    async def received(self, type: str | None = None) -> list[dict]:
        """The inbox log, optionally only activities of one type (e.g. ``"Follow"``)."""
        entries = (await self.log())["received"]
        return [e for e in entries if type is None or e["type"] == type]

    async def rejected(self) -> list[dict]:
        return (await self.log())["rejected"]

    async def wait_for(
        self, type: str | None = None, *, count: int = 1, within: float = 10.0
    ) -> list[dict]:
        """Poll the inbox log until ``count`` activities (of ``type``) arrived and the peer
        has finished its own signature and proof checks on them (``status`` is set then)."""
        deadline = time.monotonic() + within
        while True:
            found = await self.received(type)
            if len(found) >= count and all("status" in e for e in found):
                return found
            if time.monotonic() > deadline:
                log = await self.log()
                raise AssertionError(
                    f"peer received {len(found)} {type or 'activities'} within {within}s, "
                    f"wanted {count}; rejected: {json.dumps(log['rejected'], indent=1)[:4000]}"
                )
            await asyncio.sleep(0.1)

    async def reset_log(self) -> dict:
        return await self._call("POST", "reset-log")

    async def lookup(self, url: str) -> dict:
        """Fetch ``url`` (http URL, not acct:) with a request signed by the peer actor.

        Returns ``{"ok": True, "type", "id", "name", "json", ...}`` (actors add
        ``inbox``, ``sharedInbox``, ``publicKeyId``, ``publicKeyIds``,
        ``assertionMethodIds``; other objects add ``content``, ``attachments``...)
        or ``{"ok": False, "error": ...}``.
        """
        return await self._call("POST", "lookup", {"url": url})

    async def follow(self, actor_url: str) -> dict:
        """Send a signed Follow from the peer; ``{"ok": True, "id": follow_id}``."""
        return await self._call("POST", "follow", {"actor": actor_url})

    async def undo_follow(self, actor_url: str, follow_id: str) -> dict:
        return await self._call("POST", "undo-follow", {"actor": actor_url, "follow_id": follow_id})

    async def create_note(
        self,
        to_actor: str,
        content: str,
        *,
        public: bool = False,
        name: str | None = None,
        attachments: list[dict] | None = None,
        in_reply_to: str | None = None,
    ) -> dict:
        """Send Create(Note) addressed to ``to_actor`` (plus as:Public if ``public``).

        ``attachments``: ``[{"url", "mediaType", "name"?, "width"?, "height"?}]``.
        Returns ``{"ok": True, "id": create_id, "note_id": ...}``.
        """
        payload: dict[str, Any] = {"to": to_actor, "content": content, "public": public}
        if name is not None:
            payload["name"] = name
        if attachments is not None:
            payload["attachments"] = attachments
        if in_reply_to is not None:
            payload["in_reply_to"] = in_reply_to
        return await self._call("POST", "create-note", payload)

    async def send(
        self, activity: dict, *, actor: str | None = None, inbox: str | None = None
    ) -> dict:
        """Parse ``activity`` (JSON-LD) with Fedify and send it signed, with proof.

        Give the recipient as ``actor`` (looked up) or a bare ``inbox`` URL. A missing
        ``id`` or ``actor`` in the activity is filled in with the peer's.
        """
        payload: dict[str, Any] = {"activity": activity}
        if actor is not None:
            payload["actor"] = actor
        if inbox is not None:
            payload["inbox"] = inbox
        return await self._call("POST", "send", payload)

    async def accept(self, follow_id: str) -> dict:
        """Accept a Follow the peer received (the follower is kept in its followers)."""
        return await self._call("POST", "accept", {"follow_id": follow_id})


def start_fedify_peer(
    port: int | None = None,
    host: str = "127.0.0.1",
    timeout: float = READY_TIMEOUT,
    *,
    extra_env: dict[str, str] | None = None,
) -> FedifyPeer:
    """Spawn ``node server.mjs`` and wait for its ready line.

    ``extra_env`` is added to the peer's environment (e.g. ``NODE_EXTRA_CA_CERTS`` to
    trust a test CA).

    Raises :class:`FedifyPeerError` (with the peer's stderr) when Node or the
    installed packages are missing, the process exits, or it is not ready in time.
    """
    require_fedify()
    workdir = Path(tempfile.mkdtemp(prefix="fedify-peer-"))
    stdout_path = workdir / "stdout"
    stderr_path = workdir / "stderr"
    # Files, not pipes: a chatty peer can never block on a full pipe buffer.
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        process = subprocess.Popen(
            # port 0: the peer binds a free port itself and reports it (no race)
            [node_binary(), str(SERVER), "--port", str(port or 0), "--host", host],
            cwd=PEER_DIR,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env={**os.environ, **(extra_env or {})},
        )
    peer = FedifyPeer(process, port or 0, host, stdout_path, stderr_path, workdir)
    deadline = time.monotonic() + timeout
    while True:
        line = stdout_path.read_text(errors="replace").partition("\n")
        if line[1]:
            try:
                ready = json.loads(line[0])
            except ValueError:
                ready = {}
            if ready.get("ready") is True:
                peer.port = int(ready["port"])
                return peer
            peer.stop()
            raise FedifyPeerError(f"unexpected first line from the Fedify peer: {line[0]!r}")
        if process.poll() is not None:
            stderr = peer.stderr_text()
            peer.stop()
            raise FedifyPeerError(
                f"Fedify peer exited with status {process.returncode} before it was ready:\n"
                f"{stderr}"
            )
        if time.monotonic() > deadline:
            stderr = peer.stderr_text()
            peer.stop()
            raise FedifyPeerError(f"Fedify peer not ready within {timeout}s:\n{stderr}")
        time.sleep(0.05)


async def astart_fedify_peer(
    port: int | None = None, host: str = "127.0.0.1", *, extra_env: dict[str, str] | None = None
) -> FedifyPeer:
    """:func:`start_fedify_peer` without blocking the event loop."""
    return await asyncio.to_thread(
        functools.partial(start_fedify_peer, port, host, extra_env=extra_env)
    )


@contextlib.contextmanager
def fedify_peer(port: int | None = None) -> Iterator[FedifyPeer]:
    peer = start_fedify_peer(port)
    try:
        yield peer
    finally:
        peer.stop()


@contextlib.asynccontextmanager
async def running_fedify_peer(
    port: int | None = None, *, extra_env: dict[str, str] | None = None
) -> AsyncIterator[FedifyPeer]:
    """``async with running_fedify_peer() as peer:`` — started and always stopped."""
    peer = await astart_fedify_peer(port, extra_env=extra_env)
    try:
        yield peer
    finally:
        await peer.astop()
