"""Interop with real, independent ActivityPub implementations: Fedify 1.5.9 and Fedify 2.x.

Every test runs against both peers (the ``peer`` fixture is parametrized over them).

Both directions are checked with the other side's own code: Fedify parses our actor and
objects with its vocabulary and verifies our HTTP signatures and FEP-8b32 proofs; our
node verifies Fedify's draft-cavage signatures and its proofs (and refuses a proof that
no longer matches the content). Never skipped: without the peer the tests fail with the
install hint.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from federation import wire
from node.sharing.services import SERVICES
from protocol.instants import parse_instant
from tests.integration.network import api, create_item_with_photo, wait_for
from tests.peers.fedify_peer import (
    VERSIONS,
    FedifyPeer,
    fedify_available,
    not_installed,
    running_fedify_peer,
)

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS2 = {"Accept": "application/activity+json"}
GOTOSOCIAL_NS = "https://gotosocial.org/ns"


@pytest.fixture(params=VERSIONS, ids=lambda v: f"fedify{v}")
async def peer(request) -> AsyncIterator[FedifyPeer]:
    version = request.param
    if not fedify_available(version):
        pytest.fail(not_installed(version), pytrace=False)  # fail, never skip
    async with running_fedify_peer(version=version) as running:
        yield running


@pytest.fixture
def inbox_schemes(node) -> Iterator[list[tuple[str, str]]]:
    """``(scheme, key_id)`` of every signature our inbox parsed: "cavage" or "rfc9421".

    Records around the real parser, which still does all the work.
    """
    receiver = _fed(node).receiver
    parse = receiver.parse_request
    seen: list[tuple[str, str]] = []

    def recording(request, body):
        parsed = parse(request, body)
        if not hasattr(parsed, "code"):  # a ParsedSignature, not a Failure
            seen.append((parsed.scheme, parsed.key_id))
            log.info("inbox saw a %s signature by %s", parsed.scheme, parsed.key_id)
        return parsed

    receiver.parse_request = recording
    yield seen
    receiver.parse_request = parse


def _fed(node):
    return node.app[SERVICES].federation


async def _make_public(http, node, item_id: str) -> None:
    await api(
        http, node, "PUT", f"/api/v1/items/{item_id}/audience", json={"public": True}, expect=200
    )


async def _inbox_row(node, activity_id: str) -> dict | None:
    def load(db):
        row = db.execute(
            "SELECT state, body, last_error FROM inbox_queue WHERE activity_id = ?",
            [activity_id],
        ).fetchone()
        return None if row is None else {"state": row[0], "body": row[1], "error": row[2]}

    return await _fed(node).store.read(load)


async def _wait_verified(peer: FedifyPeer, kind: str, within: float = 15.0) -> list[dict]:
    """Entries of ``kind`` once the peer attached its own checks (done after the listener)."""
    return await peer.wait_for(kind, within=within)


def _assert_signed_by(entry: dict, node) -> None:
    """Fedify's own verifier accepted both our HTTP signature and our proof."""
    actor = node.url("/actor")
    summary = {k: entry.get(k) for k in ("type", "id", "http_signature_error", "proof_error")}
    assert entry["http_signature_verified"] is True, summary
    assert entry["http_signature_key_owner"] == actor
    assert entry["signature_key_id"] == actor + "#main-key"
    assert {"(request-target)", "host", "date", "digest"} <= set(entry["signed_headers"])
    assert entry["digest_header"].startswith("SHA-256=")
    assert entry["proof_present"] is True
    assert entry["proof_verified"] is True, summary
    proof = entry["raw_body"]["proof"]
    assert proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["verificationMethod"] == actor + "#ed25519-key"


async def _assert_nothing_rejected(peer: FedifyPeer) -> None:
    log = await peer.log()
    assert log["rejected"] == [], json.dumps(log["rejected"], indent=1)[:4000]
    assert log["errors"] == [], log["errors"]


# -- (a) Fedify reads our documents ---------------------------------------------------------


async def test_fedify_parses_our_actor(node, peer):
    actor_url = node.url("/actor")
    actor = await peer.lookup(actor_url)
    assert actor["ok"], actor
    assert actor["type"] == "Organization"
    assert actor["type_id"] == "https://www.w3.org/ns/activitystreams#Organization"
    assert actor["id"] == actor_url
    assert actor["inbox"] == actor_url + "/inbox"
    assert actor["sharedInbox"] == node.url("/inbox")
    assert actor["followers"] == actor_url + "/followers"
    assert actor["publicKeyId"] == actor_url + "#main-key"
    # FEP-521a: the Ed25519 key survives Fedify's JSON-LD processing as an assertionMethod
    assert actor_url + "#ed25519-key" in actor["assertionMethodIds"]
    [method] = actor["json"]["assertionMethod"]
    assert method["type"] == "Multikey"
    assert method["controller"] == actor_url
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert actor["json"]["publicKey"]["owner"] == actor_url


async def test_fedify_parses_our_public_items(node, http, peer):
    photo = await create_item_with_photo(http, node, title="Markt op het Plein")
    article = await api(
        http, node, "POST", "/api/v1/items", expect=201,
        json={"kind": "article", "title": "Raad besluit", "body": "<p>Het plein blijft.</p>",
              "credit": "Tekst: redactie", "licence": "CC-BY-4.0"},
    )  # fmt: skip
    for item in (photo, article):
        await _make_public(http, node, item["id"])

    image = await peer.lookup(photo["uri"])
    assert image["ok"], image
    # the id gives the object followers were delivered (FEDERATION.md §2.1): a Note
    assert image["type"] == "Note"
    assert image["id"] == photo["uri"]
    assert "<strong>Markt op het Plein</strong>" in image["content"]
    assert image["attributedTo"] == [node.url("/actor")]
    assert PUBLIC in image["to"]
    [attachment] = image["attachments"]
    assert attachment["type"] == "Image"
    assert attachment["mediaType"] == "image/jpeg"  # the medium rendition
    assert attachment["url"].startswith(node.url("/media/"))
    assert attachment["url"].endswith("/medium")
    assert (attachment["width"], attachment["height"]) == (64, 48)

    text = await peer.lookup(article["uri"])
    assert text["ok"], text
    assert text["type"] == "Article"
    assert text["name"] == "Raad besluit"
    assert "Het plein blijft." in text["content"]
    assert text["attachments"] == []

    # The media URL Fedify found is really served to it.
    async with http.get(attachment["url"]) as resp:
        assert resp.status == 200
        assert resp.content_type == "image/jpeg"


async def test_fedify_parses_our_event_and_vacancy(node, http, peer):
    event = await api(
        http, node, "POST", "/api/v1/items", expect=201,
        json={"kind": "event", "title": "Open dag", "body": "<p>Kom kijken.</p>",
              "details": {"start": "2030-12-05T19:00:00+01:00",
                          "end": "2030-12-05T22:00:00+01:00",
                          "place": {"name": "Paard", "address": "Prinsegracht 12",
                                    "latitude": 52.07, "longitude": 4.31},
                          "online_url": "https://live.example/open-dag",
                          "status": "cancelled"}},
    )  # fmt: skip
    vacancy = await api(
        http, node, "POST", "/api/v1/items", expect=201,
        json={"kind": "vacancy", "title": "Eindredacteur", "body": "<p>Wij zoeken.</p>",
              "details": {"location": "Den Haag", "closing_date": "2030-12-31",
                          "apply_email": "vacatures@omroep.example"}},
    )  # fmt: skip
    for item in (event, vacancy):
        await _make_public(http, node, item["id"])

    found = await peer.lookup(event["uri"])
    assert found["ok"], found
    assert found["type"] == "Event" and found["class"] == "Event"
    assert found["name"] == "Open dag" and "Kom kijken." in found["content"]
    parsed = found["json"]  # Fedify's own serialisation of what it parsed
    assert parse_instant(parsed["startTime"]) == datetime(2030, 12, 5, 18, tzinfo=UTC)
    assert parse_instant(parsed["endTime"]) == datetime(2030, 12, 5, 21, tzinfo=UTC)
    place = parsed["location"]
    assert place["type"] == "Place" and place["name"] == "Paard"
    assert (place["latitude"], place["longitude"]) == (52.07, 4.31)
    [link] = [a for a in found["attachments"] if a.get("type") == "Link"]
    assert link["url"] == "https://live.example/open-dag"

    page = await peer.lookup(vacancy["uri"])
    assert page["ok"], page
    assert page["type"] == "Page" and page["name"] == "Eindredacteur"
    assert page["url"] == vacancy["uri"] or vacancy["uri"] in json.dumps(page["url"])


async def test_fedify_gets_404_for_a_non_public_item(node, http, peer):
    item = await create_item_with_photo(http, node, title="Nog niet openbaar")
    found = await peer.lookup(item["uri"])  # signed by the peer, which is not in the audience
    assert found["ok"] is False, found


# -- (b), (c) Fedify follows us and receives what we send -----------------------------------


async def test_fedify_follows_and_verifies_our_accept_and_create(node, http, peer):
    actor_url = node.url("/actor")
    follow = await peer.follow(actor_url)
    assert follow["ok"], follow

    [accept] = await _wait_verified(peer, "Accept")
    assert accept["actor"] == actor_url
    assert accept["object"]["type"] == "Follow"
    assert accept["object"]["id"] == follow["id"]
    assert accept["recipient"] is None  # our Accept went to the peer's shared inbox
    _assert_signed_by(accept, node)
    assert actor_url in (await peer.log())["following"]

    # Our followers collection lists the peer (auto-accepted Follow of the organisation).
    async with http.get(actor_url + "/followers", headers=AS2) as resp:
        assert resp.status == 200
        followers = await resp.json(content_type=None)
    assert peer.actor_url in followers["first"]["orderedItems"]
    [row] = await _fed(node).followers(actor_url)
    assert (row["follower"], row["follow_id"]) == (peer.actor_url, follow["id"])

    # Making an item public sends a Create to followers: Fedify parses and verifies it.
    item = await create_item_with_photo(http, node, title="Kermis op het Plein")
    await _make_public(http, node, item["id"])
    [create] = await _wait_verified(peer, "Create")
    assert create["actor"] == actor_url
    assert PUBLIC in create["to"]
    assert actor_url + "/followers" in create["cc"]
    _assert_signed_by(create, node)
    obj = create["object"]
    # Image as partners see it, or the Note form fediverse followers get for a photo
    assert obj["type"] in ("Image", "Note"), obj
    assert obj["id"] == item["uri"]
    assert "Kermis op het Plein" in (obj["name"] or "") + (obj["content"] or "")
    assert obj["attributedTo"] == [actor_url]
    [attachment] = obj["attachments"]
    assert attachment["type"] == "Image"
    assert attachment["mediaType"].startswith("image/")
    assert attachment["url"].startswith(node.url("/media/"))
    assert (attachment["width"], attachment["height"]) == (64, 48)
    await _assert_nothing_rejected(peer)


# -- our node verifies Fedify -----------------------------------------------------------------


async def test_our_inbox_verifies_fedify_signatures_and_proofs(node, peer, inbox_schemes):
    actor_url = node.url("/actor")
    sent = await peer.create_note(
        actor_url,
        f'<p><a href="{actor_url}" class="mention">@stadsomroep</a> Kijk, de markt!</p>',
        public=True,
    )
    assert sent["ok"], sent  # Fedify delivers immediately and fails on any non-2xx

    async def processed():
        row = await _inbox_row(node, sent["id"])
        return row if row and row["state"] != "pending" else None

    row = await wait_for(processed, what="our node to process Fedify's Create")
    assert row["state"] == "done", row
    stored = json.loads(row["body"])
    assert stored["object"]["id"] == sent["note_id"]
    assert "signature" in stored  # Fedify's LD signature rides along; the proof ignores it
    [proof] = stored["proof"] if isinstance(stored["proof"], list) else [stored["proof"]]
    assert proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["verificationMethod"] == peer.ed25519_key_id

    # The HTTP signature scheme our inbox saw. Fedify 1.5.9 signs draft-cavage. Fedify 2
    # knocks with RFC 9421 first; our inbox accepts that, so no cavage knock follows.
    expected = "rfc9421" if peer.version == "2" else "cavage"
    assert (expected, peer.main_key_id) in inbox_schemes, inbox_schemes
    assert {scheme for scheme, _ in inbox_schemes} == {expected}, inbox_schemes
    log.info("Fedify %s signed its Create with %s", peer.fedify_version, expected)

    # Fedify 2 puts GoToSocial's namespace in every @context; the inbox accepted it.
    context = stored["@context"]
    contexts = context if isinstance(context, list) else [context]
    assert (GOTOSOCIAL_NS in contexts) is (peer.version == "2"), contexts

    # The inbox verified that proof (it refuses a present proof that fails); check the
    # same thing directly, with the key our actor cache took from Fedify's assertionMethod.
    sender = await _fed(node).actors.get(peer.actor_url)
    assert sender.rsa_key_id == peer.main_key_id
    assert peer.ed25519_key_id in sender.ed25519_keys
    assert wire.verify_proof(stored, sender.ed25519_keys) is None
    await _assert_nothing_rejected(peer)

    # Tampered: the same Create with altered content, still carrying the original proof.
    # Fedify signs the request (valid HTTP signature) and appends its own fresh proof, so
    # only the stale proof is wrong: our inbox must refuse it.
    tampered = {k: v for k, v in stored.items() if k != "signature"}
    tampered["id"] = sent["id"] + "-tampered"
    tampered["object"] = {**stored["object"], "content": "<p>Gewijzigd door een relay</p>"}
    result = await peer.send(tampered, actor=actor_url)
    assert result["ok"] is False, result
    assert "401" in result["error"], result
    assert "proof.invalid" in result["error"], result
    assert await _inbox_row(node, tampered["id"]) is None


async def test_an_unsigned_copy_of_a_fedify_activity_is_refused(node, http, peer):
    """Without Fedify's HTTP signature the very same body is refused (401, with a reason)."""
    actor_url = node.url("/actor")
    sent = await peer.create_note(actor_url, "<p>Hallo</p>")
    assert sent["ok"], sent
    row = await wait_for(lambda: _inbox_row(node, sent["id"]), what="the Create to arrive")
    body = json.loads(row["body"])
    body["id"] = sent["id"] + "-unsigned"
    async with http.post(
        actor_url + "/inbox", data=json.dumps(body),
        headers={"Content-Type": "application/activity+json"},
    ) as resp:  # fmt: skip
        problem = await resp.json(content_type=None)
        assert resp.status == 401, problem
    assert problem["title"].startswith("signature."), problem


# -- mediakring lookup ---------------------------------------------------------------------


async def _run_cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "node.app.cli", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode(), err.decode()


async def test_lookup_cli_prints_the_fedify_actor(node, peer):
    data = str(Path(node.settings.data_dir))
    for target in (peer.actor_url, f"{peer.identifier}@127.0.0.1:{peer.port}"):
        code, out, err = await _run_cli("lookup", target, "--data", data)
        assert code == 0, (target, out, err)
        actor = json.loads(out)
        assert actor["id"] == peer.actor_url
        assert actor["type"] == "Person"
        assert actor["inbox"] == peer.inbox_url
        assert actor["publicKey"]["id"] == peer.main_key_id
