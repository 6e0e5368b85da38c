"""Unit tests for what interop with Fedify required of protocol/ and federation/.

Each case is the shape Fedify 1.5.9 really sends or expects (see test_fedify.py for the
live peer): an LD signature added after the object proof, proof sets, the identity/v1
context, data-integrity/v1 with ``digestMultibase``, and ``assertionMethod`` surviving
JSON-LD expansion of our actor.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld as pyld

from federation import wire
from protocol import jsonld, multikey, proofs, vocab

ACTOR = "https://fedify.example/users/peer"
METHOD = ACTOR + "#key-2"
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
FEDIFY_CONTEXT = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/identity/v1",
    {"Emoji": "toot:Emoji", "toot": "http://joinmastodon.org/ns#"},
]
LD_SIGNATURE = {
    "type": "RsaSignature2017",
    "creator": ACTOR + "#main-key",
    "created": "2026-02-01T12:00:00Z",
    "signatureValue": "c2lnbmF0dXJl",
}


def _note() -> dict:
    return {
        "@context": FEDIFY_CONTEXT,
        "id": "https://fedify.example/activities/create/1",
        "type": "Create",
        "actor": ACTOR,
        "object": {"id": "https://fedify.example/notes/1", "type": "Note", "content": "<p>Hoi</p>"},
        "to": ["https://stad.example/actor"],
    }


def _code(result) -> str | None:
    return getattr(result, "code", None)


def test_proof_verifies_when_an_ld_signature_was_added_after_it() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    signed = {**proofs.create_proof(_note(), key, METHOD, NOW), "signature": LD_SIGNATURE}
    assert isinstance(proofs.verify_proof(signed, key.public_key()), proofs.ProofOk)


def test_ld_signature_does_not_excuse_altered_content() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    signed = {**proofs.create_proof(_note(), key, METHOD, NOW), "signature": LD_SIGNATURE}
    signed["object"] = {**signed["object"], "content": "<p>Anders</p>"}
    assert _code(proofs.verify_proof(signed, key.public_key())) == "proof.invalid"


def test_a_signature_key_that_is_not_an_ld_signature_stays_covered() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    signed = proofs.create_proof(_note(), key, METHOD, NOW)
    signed["signature"] = "added later"  # not an LD signature: must not be skipped
    assert _code(proofs.verify_proof(signed, key.public_key())) == "proof.invalid"


def _keys(*pairs) -> dict[str, str]:
    return {method: multikey.encode_ed25519(key.public_key()) for method, key in pairs}


def test_proof_set_every_proof_must_verify() -> None:
    key, other = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    keys = _keys((METHOD, key), (ACTOR + "#key-3", other))
    first = proofs.create_proof(_note(), key, METHOD, NOW)["proof"]
    second = proofs.create_proof(_note(), other, ACTOR + "#key-3", NOW)["proof"]
    both = {**_note(), "proof": [first, second]}
    assert wire.verify_proof(both, keys) is None

    # A stale proof over other content, next to a fresh valid one: refused.
    altered = copy.deepcopy(_note())
    altered["object"]["content"] = "<p>Anders</p>"
    fresh = proofs.create_proof(altered, other, ACTOR + "#key-3", NOW)["proof"]
    assert _code(wire.verify_proof({**altered, "proof": [first, fresh]}, keys)) == "proof.invalid"

    # A proof set with a key the actor does not list: refused.
    assert _code(wire.verify_proof(both, _keys((METHOD, key)))) == "proof.key"


def test_fedify_contexts_are_bundled() -> None:
    assert isinstance(jsonld.check_context(_note()), jsonld.ContextOk)
    identity = jsonld.bundled_document(vocab.IDENTITY_V1)
    assert identity["@context"]["signature"] == "sec:signature"
    integrity = jsonld.bundled_document(vocab.DATA_INTEGRITY_V1)["@context"]
    assert integrity["digestMultibase"]["@id"] == "https://w3id.org/security#digestMultibase"


def test_our_context_uses_data_integrity_v1() -> None:
    # Fedify bundles data-integrity/v1 but not v2; with v2 it would have to fetch it.
    assert vocab.DATA_INTEGRITY_V1 in vocab.CONTEXT
    assert vocab.DATA_INTEGRITY_V2 not in vocab.CONTEXT


def test_assertion_method_survives_json_ld_expansion_of_our_actor() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    actor = {
        "@context": vocab.CONTEXT,
        "id": "https://stad.example/actor",
        "type": "Organization",
        "assertionMethod": [
            multikey.multikey_document("https://stad.example/actor#ed25519-key",
                                       "https://stad.example/actor", key)
        ],
        "attachment": [{"type": "Image", "digestMultibase": "zQmAbc"}],
    }  # fmt: skip
    [expanded] = pyld.expand(actor, {"documentLoader": jsonld.document_loader})
    [method] = expanded["https://w3id.org/security#assertionMethod"]
    assert method["@id"] == "https://stad.example/actor#ed25519-key"
    assert method["@type"] == ["https://w3id.org/security#Multikey"]
    [attachment] = expanded["https://www.w3.org/ns/activitystreams#attachment"]
    assert "https://w3id.org/security#digestMultibase" in attachment
