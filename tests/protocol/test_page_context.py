"""Listings on a page without the @context they share with it (FEDERATION.md §5.1).

The origin cuts two members out of the JSON text it stores; the receiver puts them back
from the page's context.  What it gets back must be the signed document, member for
member, and any layout other than our signer's must be served whole.
"""

from __future__ import annotations

import json

import pytest

from protocol import keys, page_context, proofs
from protocol.vocab import CONTEXT
from tests.protocol.conftest import NOW

METHOD = "https://stad.example/actor#ed25519-key"
MEMBER = page_context.context_member(CONTEXT)


@pytest.fixture(scope="module")
def key():
    return keys.generate_ed25519()


def signed_listing(key, **more) -> dict:
    obj = {
        "@context": CONTEXT,
        "id": "https://stad.example/items/1",
        "type": "Article",
        "attributedTo": "https://stad.example/actor",
        "name": 'Café "De Zon": het @context van de wijk',
        # a string that looks like the member it must not be mistaken for
        "content": '<p>{"@context": [], "proofValue": "zabc"}}</p>',
        **more,
    }
    return proofs.create_proof(obj, key, METHOD, NOW)


def test_a_stored_listing_is_served_without_both_copies_and_restored_exactly(key) -> None:
    doc = signed_listing(key)
    text = json.dumps(doc, ensure_ascii=False)
    compact = page_context.omit(text, MEMBER)
    assert len(compact) == len(text) - 2 * len(MEMBER)
    served = json.loads(compact)
    assert "@context" not in served and "@context" not in served["proof"]
    assert served["content"] == doc["content"] and served["name"] == doc["name"]
    restored = page_context.inherit(served, CONTEXT)
    assert restored == doc
    assert isinstance(proofs.verify_proof(restored, key.public_key()), proofs.ProofOk)


def test_without_the_page_context_the_proof_does_not_hold(key) -> None:
    served = json.loads(page_context.omit(json.dumps(signed_listing(key)), MEMBER))
    other = page_context.inherit(served, ["https://www.w3.org/ns/activitystreams"])
    assert proofs.verify_proof(other, key.public_key()).code == "proof.invalid"
    assert proofs.verify_proof(served, key.public_key()).code == "proof.invalid"


def _whole(text: str) -> None:
    assert page_context.omit(text, MEMBER) == text


def test_other_layouts_are_served_whole(key) -> None:
    doc = signed_listing(key)
    # another context than the page's
    _whole(json.dumps({**doc, "@context": ["https://www.w3.org/ns/activitystreams"]}))
    _whole(json.dumps(doc, ensure_ascii=False, indent=1))  # another encoder's spacing
    # no proof, or the proof not the document's last member
    _whole(json.dumps({k: v for k, v in doc.items() if k != "proof"}, ensure_ascii=False))
    moved = {"@context": CONTEXT, "proof": doc["proof"]}
    moved.update({k: v for k, v in doc.items() if k not in moved})
    _whole(json.dumps(moved, ensure_ascii=False))
    # the proof's context not followed by its proofValue
    proof = {**doc["proof"]}
    proof["proofValue"] = proof.pop("proofValue")
    proof = {"@context": proof.pop("@context"), **proof}
    _whole(json.dumps({**doc, "proof": proof}, ensure_ascii=False))
    # a last member that ends like a proof but is not the proof
    tail = {"@context": CONTEXT, "proofValue": "z3abc"}
    _whole(json.dumps({**doc, "attachment": tail}, ensure_ascii=False))


def test_an_item_with_its_own_context_keeps_it(key) -> None:
    doc = signed_listing(key)
    assert page_context.inherit(doc, ["https://other.example/ns"]) is doc
    own = {"id": "x", "proof": {"@context": ["https://other.example/ns"], "proofValue": "z1"}}
    assert page_context.inherit(own, CONTEXT)["proof"]["@context"] == ["https://other.example/ns"]
