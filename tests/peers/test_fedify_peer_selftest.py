"""Self-test of the Fedify peers: two independent Fedify peers federate with each other.

This proves the peers (tests/peers/fedify: Fedify 1.x, tests/peers/fedify2: Fedify 2.x)
work before our own node's federation exists, so a later failure between a peer and our
node points at our node. Every pairing of versions is run, so each version verifies the
other's signatures and proofs too.
"""

from __future__ import annotations

import pytest

from tests.peers.fedify_peer import (
    VERSIONS,
    FedifyPeer,
    fedify_available,
    not_installed,
    pinned_version,
    running_fedify_peer,
)

pytestmark = pytest.mark.slow

PAIRS = [("1", "1"), ("2", "2"), ("1", "2"), ("2", "1")]


@pytest.mark.parametrize("version", VERSIONS)
async def test_fedify_peer_is_installed_and_runs_the_pinned_version(version):
    # Fail, never skip: a missing peer must be visible.
    assert fedify_available(version), not_installed(version)
    async with running_fedify_peer(version=version) as peer:
        assert peer.fedify_version == pinned_version(version)
        assert peer.fedify_version.split(".")[0] == version


def _assert_http_signature(entry: dict, sender: FedifyPeer, receiver: FedifyPeer) -> None:
    """The receiving peer verified the sender's HTTP signature, in the sender's scheme."""
    assert entry["signature_key_id"] == sender.main_key_id
    if entry["signature_scheme"] == "rfc9421":
        # Fedify 2 knocks with RFC 9421 first. Fedify 1.5.9 cannot verify RFC 9421: it
        # accepts the activity on its object proof alone (so there is no second knock).
        assert sender.version == "2"
        if receiver.version == "1":
            assert entry["http_signature_verified"] is False
            assert entry["proof_verified"] is True
        else:
            assert entry["http_signature_verified"] is True, entry.get("http_signature_error")
        assert {"@method", "@target-uri", "@authority", "content-digest"} <= set(
            entry["signed_headers"]
        ), entry["signed_headers"]
        assert entry["content_digest_header"].startswith("sha-256=")
    else:
        assert entry["signature_scheme"] == "draft-cavage"
        assert entry["http_signature_verified"] is True, entry.get("http_signature_error")
        assert {"(request-target)", "host", "date", "digest"} <= set(entry["signed_headers"])
        assert entry["digest_header"].startswith("SHA-256=")


@pytest.mark.parametrize(("version_a", "version_b"), PAIRS, ids=lambda v: f"fedify{v}")
async def test_two_fedify_peers_follow_and_create_note(version_a, version_b):
    for version in (version_a, version_b):
        assert fedify_available(version), not_installed(version)
    async with (
        running_fedify_peer(version=version_a) as a,
        running_fedify_peer(version=version_b) as b,
    ):
        # A looks up B's actor over plain http, with a signed fetch.
        actor = await a.lookup(b.actor_url)
        assert actor["ok"], actor
        assert actor["type"] == "Person"
        assert actor["id"] == b.actor_url
        assert actor["inbox"] == b.inbox_url
        assert actor["publicKeyId"] == b.main_key_id
        assert b.ed25519_key_id in actor["assertionMethodIds"]
        assert actor["json"]["publicKey"]["owner"] == b.actor_url

        # A follows B: B's inbox gets a Follow that Fedify verified.
        follow = await a.follow(b.actor_url)
        assert follow["ok"], follow
        [entry] = await b.wait_for("Follow")
        assert entry["id"] == follow["id"]
        assert entry["actor"] == a.actor_url
        assert entry["object"]["id"] == b.actor_url
        assert entry["verified"] is True
        _assert_http_signature(entry, a, b)
        assert entry["content_type"] == "application/activity+json"
        assert entry["proof_present"] is True
        assert entry["proof_verified"] is True
        proof = entry["raw_body"]["proof"]
        assert proof["cryptosuite"] == "eddsa-jcs-2022"
        assert proof["verificationMethod"] == a.ed25519_key_id
        assert entry["recipient"] == "peer"

        # A sends B a Create(Note) with an attachment: logged with its proof.
        sent = await a.create_note(
            b.actor_url,
            "<p>Hallo van A</p>",
            name="Groet",
            attachments=[
                {
                    "url": f"{a.base_url}/media/photo.jpg",
                    "mediaType": "image/jpeg",
                    "name": "Foto",
                    "width": 640,
                    "height": 480,
                }
            ],
        )
        assert sent["ok"], sent
        [create] = await b.wait_for("Create")
        assert create["id"] == sent["id"]
        assert create["actor"] == a.actor_url
        assert create["verified"] is True
        assert create["proof_present"] is True
        assert create["proof_verified"] is True
        _assert_http_signature(create, a, b)
        note = create["object"]
        assert note["type"] == "Note"
        assert note["id"] == sent["note_id"]
        assert note["content"] == "<p>Hallo van A</p>"
        assert note["name"] == "Groet"
        assert note["to"] == [b.actor_url]
        [attachment] = note["attachments"]
        assert attachment["mediaType"] == "image/jpeg"
        assert attachment["url"] == f"{a.base_url}/media/photo.jpg"
        assert (attachment["width"], attachment["height"]) == (640, 480)

        # The note is dereferenceable at its id (Fedify's object dispatcher).
        fetched = await b.lookup(sent["note_id"])
        assert fetched["ok"], fetched
        assert fetched["content"] == "<p>Hallo van A</p>"

        # Undo(Follow) arrives too; nothing was rejected along the way.
        undo = await a.undo_follow(b.actor_url, follow["id"])
        assert undo["ok"], undo
        [undo_entry] = await b.wait_for("Undo")
        assert undo_entry["object"]["type"] == "Follow"
        assert undo_entry["object"]["id"] == follow["id"]
        log = await b.log()
        assert log["rejected"] == []
        assert log["errors"] == []


@pytest.mark.parametrize("version", VERSIONS)
async def test_unsigned_post_is_rejected_and_recorded(version):
    assert fedify_available(version), not_installed(version)
    import aiohttp

    async with running_fedify_peer(version=version) as peer:
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": "http://127.0.0.1:9/activities/1",
            "type": "Follow",
            "actor": "http://127.0.0.1:9/actor",
            "object": peer.actor_url,
        }
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                peer.inbox_url,
                json=activity,
                headers={"Content-Type": "application/activity+json"},
            ) as resp,
        ):
            assert resp.status == 401
        log = await peer.log()
        assert log["received"] == []
        [rejected] = log["rejected"]
        assert rejected["status"] == 401
        assert rejected["id"] == activity["id"]
        assert rejected["http_signature_verified"] is False
