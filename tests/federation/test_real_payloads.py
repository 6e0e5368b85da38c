"""Mastodon, PeerTube, Mitra, GoToSocial, Akkoma, Misskey payloads, signed by a fake server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.federation.harness import post_signed

REPO_PAYLOADS = Path(__file__).resolve().parents[1] / "vectors" / "fediverse"
SHARED_PAYLOADS = Path("/work/shared/fediverse-payloads")
# The repository's copies (CI has them), plus any extra ones in the shared folder.
_BY_NAME = {
    p.name: p
    for folder in (SHARED_PAYLOADS, REPO_PAYLOADS)
    if folder.exists()
    for p in folder.glob("*.json")
}
FILES = sorted(_BY_NAME.values(), key=lambda p: p.name)
URL = re.compile(r"^https?://[^/]+")


def rewrite(value, base: str, our_actor: str):
    """Point every URL (outside @context) at the fake server; Follows target us."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out[key] = item if key == "@context" else rewrite(item, base, our_actor)
        if out.get("type") == "Follow":
            out["object"] = our_actor
        return out
    if isinstance(value, list):
        return [rewrite(v, base, our_actor) for v in value]
    if isinstance(value, str) and URL.match(value) and "w3.org/ns/activitystreams" not in value:
        return URL.sub(base, value)
    return value


@pytest.mark.skipif(not FILES, reason="shared payloads not available")
@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
async def test_real_payload_is_accepted_and_reaches_handlers(path, nodes, fake, http):
    handled: list[dict] = []

    def configure(fed):
        for kind in ("Create", "Update", "Delete", "Follow", "Like", "Announce", "Undo"):
            fed.on(kind)(lambda ctx: _record(handled, ctx))

    a = await nodes(0, configure=configure)
    doc = wrap(rewrite(json.loads(path.read_text()), fake.base, a.actor_url))
    key_id = doc["actor"] + "#main-key"
    resp = await post_signed(http, a.actor_url + "/inbox", doc, key_id, fake.key)
    assert resp.status == 202, await resp.text()
    await a.fed.drain()
    assert [h["id"] for h in handled] == [doc["id"]]
    if doc["type"] == "Follow":
        followers = await a.fed.followers(a.actor_url)
        assert [f["follower"] for f in followers] == [doc["actor"]]
        assert any(body["type"] == "Accept" for _, body in fake.inbox_posts)


def wrap(doc: dict) -> dict:
    """PeerTube's capture is the bare Video; it sends it inside a Create by its Person."""
    if "actor" in doc:
        return doc
    people = [a["id"] for a in doc["attributedTo"] if a.get("type") == "Person"]
    return {"@context": doc["@context"], "id": doc["id"] + "/activity", "type": "Create",
            "actor": people[0], "to": doc.get("to", []), "object": doc}  # fmt: skip


async def _record(handled: list, ctx) -> None:
    handled.append(ctx.raw)
