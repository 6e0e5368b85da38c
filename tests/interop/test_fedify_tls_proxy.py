"""Fedify against our node behind a real TLS-terminating nginx (private CA).

The node's base_url is the proxy's https address and the peer reaches it only there;
the peer trusts the test CA through ``NODE_EXTRA_CA_CERTS``. Fedify must follow us,
verify our signed Accept and Create, and have its own signed activities accepted.
Never skipped: without Fedify or nginx the tests fail with the install hint.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from node.sharing.services import SERVICES
from tests.conftest import RunningNode
from tests.integration.network import api, create_item_with_photo, wait_for
from tests.integration.tls_proxy import NodeBehindProxy, node_behind_proxy
from tests.peers.fedify_peer import VERSIONS, FedifyPeer, fedify_available, not_installed
from tests.peers.fedify_peer import running_fedify_peer as running_peer

pytestmark = pytest.mark.slow

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


Behind = NodeBehindProxy


@pytest.fixture(params=VERSIONS, ids=[f"fedify{v}" for v in VERSIONS])
def peer_version(request) -> str:
    """The Fedify major version under test: 1.5.9 and 2.x both talk to us through nginx."""
    return request.param


@pytest.fixture
async def behind(tmp_path) -> AsyncIterator[Behind]:
    async with node_behind_proxy(tmp_path, "Stadsomroep Den Haag") as running:
        assert running.node.settings.base_url == running.proxy.base_url
        yield running


@pytest.fixture
async def peer(behind: Behind, peer_version: str) -> AsyncIterator[FedifyPeer]:
    if not fedify_available(peer_version):
        pytest.fail(not_installed(peer_version), pytrace=False)  # fail, never skip
    env = {"NODE_EXTRA_CA_CERTS": str(behind.proxy.ca_file)}
    async with running_peer(version=peer_version, extra_env=env) as running:
        yield running


async def _inbox_row(node: RunningNode, activity_id: str) -> dict | None:
    def load(db):
        row = db.execute(
            "SELECT state, body FROM inbox_queue WHERE activity_id = ?", [activity_id]
        ).fetchone()
        return None if row is None else {"state": row[0], "body": row[1]}

    return await node.app[SERVICES].federation.store.read(load)


def _assert_signed_by(entry: dict, actor: str) -> None:
    summary = {k: entry.get(k) for k in ("type", "id", "http_signature_error", "proof_error")}
    assert entry["http_signature_verified"] is True, summary
    assert entry["http_signature_key_owner"] == actor
    assert entry["proof_verified"] is True, summary


async def test_fedify_follows_and_is_followed_through_the_proxy(behind, peer):
    node, http = behind.node, behind.http
    actor_url = node.url("/actor")
    assert actor_url.startswith("https://127.0.0.1:")

    looked_up = await peer.lookup(actor_url)
    assert looked_up["ok"], looked_up
    assert looked_up["id"] == actor_url
    assert looked_up["inbox"] == actor_url + "/inbox"

    follow = await peer.follow(actor_url)
    assert follow["ok"], follow
    [accept] = await peer.wait_for("Accept", within=20)
    assert accept["actor"] == actor_url
    assert accept["object"]["id"] == follow["id"]
    _assert_signed_by(accept, actor_url)

    item = await create_item_with_photo(http, node, title="Kermis achter de proxy")
    await api(http, node, "PUT", f"/api/v1/items/{item['id']}/audience",
              json={"public": True}, expect=200)  # fmt: skip
    [create] = await peer.wait_for("Create", within=20)
    assert create["actor"] == actor_url
    assert PUBLIC in create["to"]
    _assert_signed_by(create, actor_url)
    obj = create["object"]
    assert obj["id"] == item["uri"] and item["uri"].startswith(behind.proxy.base_url)
    [attachment] = obj["attachments"]
    assert attachment["url"].startswith(node.url("/media/"))

    # The peer's own signed activity, sent to our inbox through the proxy, is accepted.
    sent = await peer.create_note(actor_url, "<p>Groeten via https</p>", public=True)
    assert sent["ok"], sent  # Fedify fails on any non-2xx from our inbox

    async def processed():
        row = await _inbox_row(node, sent["id"])
        return row if row and row["state"] != "pending" else None

    row = await wait_for(processed, what="our node to process Fedify's Create")
    assert row["state"] == "done", row
    assert json.loads(row["body"])["object"]["id"] == sent["note_id"]
    log = await peer.log()
    assert log["rejected"] == [], json.dumps(log["rejected"], indent=1)[:4000]
    assert log["errors"] == [], log["errors"]
    inbox_posts = [line for line in behind.proxy.access_log() if "inbox " in line]
    assert any('"POST /actor/inbox ' in line or '"POST /inbox ' in line for line in inbox_posts)
