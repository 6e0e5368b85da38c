"""Object proofs (FEP-8b32 eddsa-jcs-2022), Multikey (FEP-521a) and the JCS fast path."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import jcs, multibase, multikey, proofs
from protocol.activities import create
from protocol.result import Failure
from tests.protocol.conftest import NOW, load_vector

METHOD = "https://stad.example/actor#ed25519-key"


@pytest.fixture
def activity() -> dict:
    return create(
        "https://stad.example/activities/1",
        "https://stad.example/actor",
        {
            "id": "https://stad.example/items/1",
            "type": "Image",
            "name": "Brug",
            "attachment": [{"type": "Image", "focalPoint": [0.5, -0.25], "size": 12}],
        },
        ["https://omroep.example/actor"],
    )


def code(result) -> str:
    assert isinstance(result, Failure), result
    return result.code


def test_vc_di_eddsa_jcs_vector_reproduced() -> None:
    vector = load_vector("eddsa-jcs-2022.json")
    secret = multikey.decode_ed25519_secret(vector["secretKeyMultibase"])
    assert multikey.encode_ed25519(secret) == vector["publicKeyMultibase"]
    proof = vector["proof"]
    created = datetime.fromisoformat(proof["created"].replace("Z", "+00:00"))
    signed = proofs.create_proof(vector["unsecured"], secret, proof["verificationMethod"], created)
    assert signed["proof"] == proof


def test_vc_di_eddsa_jcs_vector_verifies_and_detects_change() -> None:
    vector = load_vector("eddsa-jcs-2022.json")
    public = multikey.decode_ed25519(vector["publicKeyMultibase"])
    secured = {**vector["unsecured"], "proof": vector["proof"]}
    assert isinstance(proofs.verify_proof(secured, public), proofs.ProofOk)
    altered = copy.deepcopy(secured)
    altered["credentialSubject"]["alumniOf"] = "Another School"
    assert code(proofs.verify_proof(altered, public)) == "proof.invalid"


def test_round_trip(activity, ed_key) -> None:
    signed = proofs.create_proof(activity, ed_key, METHOD, NOW)
    assert "proof" not in activity
    assert signed["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert proofs.proof_method(signed) == METHOD
    ok = proofs.verify_proof(signed, ed_key.public_key())
    assert isinstance(ok, proofs.ProofOk)
    assert ok.verification_method == METHOD
    assert ok.created == NOW


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["object"].__setitem__("name", "Brug!"),
        lambda d: d["object"]["attachment"][0].__setitem__("focalPoint", [0.5, 0.25]),
        lambda d: d.__setitem__("to", ["https://evil.example/actor"]),
        lambda d: d["proof"].__setitem__("created", "2026-02-01T12:00:01Z"),
        lambda d: d["proof"].__setitem__("verificationMethod", "https://stad.example/actor#other"),
        lambda d: d["proof"].__setitem__(
            "proofValue", d["proof"]["proofValue"][:-2] + d["proof"]["proofValue"][-1] + "1"
        ),
    ],
)
def test_mutations_fail(activity, ed_key, mutate) -> None:
    signed = copy.deepcopy(proofs.create_proof(activity, ed_key, METHOD, NOW))
    mutate(signed)
    assert code(proofs.verify_proof(signed, ed_key.public_key())) in (
        "proof.invalid",
        "proof.malformed",
    )


def test_other_key_fails(activity, ed_key) -> None:
    signed = proofs.create_proof(activity, ed_key, METHOD, NOW)
    from protocol.keys import generate_ed25519

    assert code(proofs.verify_proof(signed, generate_ed25519().public_key())) == "proof.invalid"


def test_wrong_purpose(activity, ed_key) -> None:
    signed = proofs.create_proof(activity, ed_key, METHOD, NOW, purpose="authentication")
    assert code(proofs.verify_proof(signed, ed_key.public_key())) == "proof.purpose"
    ok = proofs.verify_proof(signed, ed_key.public_key(), expected_purpose="authentication")
    assert isinstance(ok, proofs.ProofOk)


def test_wrong_key_type(activity, ed_key, rsa_key) -> None:
    signed = proofs.create_proof(activity, ed_key, METHOD, NOW)
    assert code(proofs.verify_proof(signed, rsa_key.public_key())) == "proof.key_type"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"verificationMethod": 42}, "proof.verification_method"),
        ({"verificationMethod": "javascript:alert(1)"}, "proof.verification_method"),
        ({"type": "RsaSignature2017"}, "proof.type"),
        ({"cryptosuite": "eddsa-rdfc-2022"}, "proof.cryptosuite"),
        ({"proofValue": None}, "proof.malformed"),
        ({"proofValue": "uAAAA"}, "proof.malformed"),
        ({"created": "yesterday"}, "proof.malformed"),
        ({"@context": ["https://other.example/ctx"]}, "proof.context"),
    ],
)
def test_bad_proof_shapes(activity, ed_key, change, expected) -> None:
    signed = proofs.create_proof(activity, ed_key, METHOD, NOW)
    signed["proof"].update(change)
    assert code(proofs.verify_proof(signed, ed_key.public_key())) == expected


def test_missing_proof(activity, ed_key) -> None:
    assert code(proofs.verify_proof(activity, ed_key.public_key())) == "proof.missing"
    assert code(proofs.proof_method(activity)) == "proof.missing"
    assert code(proofs.proof_method({"proof": "x"})) == "proof.malformed"


def test_multikey_round_trip_and_refusals(ed_key) -> None:
    encoded = multikey.encode_ed25519(ed_key.public_key())
    assert encoded.startswith("z6Mk")
    decoded = multikey.decode_ed25519(encoded)
    assert multikey.encode_ed25519(decoded) == encoded
    assert code(multikey.decode_ed25519("uAbc")) == "multibase.unsupported"
    assert code(multikey.decode_ed25519("z0OIl")) == "multibase.invalid"
    assert code(multikey.decode_ed25519(multibase.encode(b"\xe7\x01" + b"\0" * 33))) == (
        "multikey.unsupported"
    )
    assert code(multikey.decode_ed25519(multibase.encode(b"\xed\x01" + b"\0" * 5))) == (
        "multikey.malformed"
    )
    doc = multikey.multikey_document(METHOD, "https://stad.example/actor", ed_key)
    assert doc["type"] == "Multikey" and doc["publicKeyMultibase"] == encoded


@given(st.binary(max_size=80))
def test_base58_round_trip(data) -> None:
    assert multibase.decode(multibase.encode(data)) == data


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=1500)
@given(json_values)
def test_jcs_fast_path_matches_rfc8785(value) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return
    assert jcs.canonicalize(value) == expected


def test_jcs_refuses_unsafe_integers() -> None:
    assert code(jcs.canonicalize({"n": 2**60})) == "jcs.invalid"


def test_proof_created_is_utc_second_precision(activity, ed_key) -> None:
    signed = proofs.create_proof(activity, ed_key, METHOD, datetime(2026, 2, 1, 13, 0, tzinfo=UTC))
    assert signed["proof"]["created"] == "2026-02-01T13:00:00Z"


def test_method_owner() -> None:
    assert proofs.check_method_owner(METHOD, "https://stad.example/actor") is None
    assert code(proofs.check_method_owner(METHOD, "https://evil.example/actor")) == (
        "proof.verification_method"
    )
    assert code(proofs.check_method_owner("did:key:z6Mk", "https://stad.example/actor")) == (
        "proof.verification_method"
    )


@settings(max_examples=100)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_jcs_context_splice_matches_rfc8785(extra) -> None:
    from protocol import vocab

    value = {"@context": vocab.CONTEXT, **extra}
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return
    assert jcs.canonicalize(value) == expected


@given(st.text(alphabet=multibase.ALPHABET, max_size=120))
def test_base58_decode_encode(text) -> None:
    decoded = multibase.b58decode(text)
    assert multibase.b58encode(decoded) == text


@pytest.mark.parametrize(
    "value",
    [
        {"f": [1.0, -0.0, 0.0, 1e-5, 1e-4, 0.1, 1e16, 9999999999999998.0, 1e21, 5e-324, 1.5e300]},
        {"\U0001f600": 1, "\ue000": 2, "a": "\U0001f600"},
        {"n": [2**53 - 1, -(2**53) + 1, 123456789012345]},
        {"s": "versie 1.0, e-mail 1e+5 en 12345678901234567"},
        {"s": '\u2028\u2029\x7f\x00\x1f"\\/'},
        [1.0],
        0.0,
    ],
)
def test_jcs_edge_cases(value) -> None:
    assert jcs.canonicalize(value) == rfc8785.dumps(value)
