"""HTTP signatures: round trips, published vectors, mutations and refusals with reasons."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocol import keys
from protocol.httpsig import (
    ParsedSignature,
    SignatureOk,
    parse_signature,
    rfc9421,
    sign_cavage,
    sign_rfc9421,
    verify_parsed,
)
from protocol.httpsig.common import http_date, lower_headers, parse_http_date
from protocol.result import Failure
from tests.protocol.conftest import NOW, VECTORS, load_vector

URL = "https://omroep.example/inbox"
KEY_ID = "https://stad.example/actor#main-key"
BODY = json.dumps({"type": "Follow", "actor": "https://stad.example/actor"}).encode()
SIGNERS = [sign_cavage, sign_rfc9421]


def check(headers, body=BODY, key=None, now=NOW, method="POST", target="/inbox"):
    parsed = parse_signature(method, target, headers, body)
    if isinstance(parsed, Failure):
        return parsed
    return verify_parsed(parsed, key, now)


def code(result) -> str:
    assert isinstance(result, Failure), result
    assert not result and result.detail
    return result.code


# --- round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("signer", SIGNERS)
@pytest.mark.parametrize("kind", ["rsa", "ed"])
def test_round_trip_post(signer, kind, rsa_key, ed_key) -> None:
    key = rsa_key if kind == "rsa" else ed_key
    headers = signer(
        "POST", URL, {"Content-Type": "application/activity+json"}, BODY, KEY_ID, key, NOW
    )
    result = check(headers, key=key.public_key())
    assert isinstance(result, SignatureOk)
    assert result.key_id == KEY_ID
    assert result.created == NOW


def test_cavage_headers_are_mastodon_shaped(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    assert headers["Host"] == "omroep.example"
    assert headers["Date"] == "Sun, 01 Feb 2026 12:00:00 GMT"
    assert headers["Digest"].startswith("SHA-256=")
    assert 'algorithm="rsa-sha256"' in headers["Signature"]
    assert 'headers="(request-target) host date digest"' in headers["Signature"]


def test_ed25519_cavage_uses_hs2019(ed_key) -> None:
    assert (
        'algorithm="hs2019"' in sign_cavage("POST", URL, {}, BODY, KEY_ID, ed_key, NOW)["Signature"]
    )


def test_rfc9421_headers(ed_key) -> None:
    headers = sign_rfc9421("POST", URL, {}, BODY, KEY_ID, ed_key, NOW)
    assert headers["Content-Digest"].startswith("sha-256=:")
    assert 'alg="ed25519"' in headers["Signature-Input"]
    assert f"created={int(NOW.timestamp())}" in headers["Signature-Input"]
    assert headers["Signature"].startswith("sig1=:")


@pytest.mark.parametrize("signer", SIGNERS)
def test_get_with_query(signer, rsa_key) -> None:
    url = "https://omroep.example/items/1?page=2"
    headers = signer(
        "GET", url, {"Accept": "application/activity+json"}, None, KEY_ID, rsa_key, NOW
    )
    result = check(
        headers, body=None, key=rsa_key.public_key(), method="GET", target="/items/1?page=2"
    )
    assert isinstance(result, SignatureOk)


def test_cavage_request_target_without_query_is_accepted(rsa_key) -> None:
    """Some servers sign the path only; accept it when the request had a query."""
    headers = sign_cavage("GET", "https://omroep.example/items/1", {}, None, KEY_ID, rsa_key, NOW)
    result = check(
        headers, body=None, key=rsa_key.public_key(), method="GET", target="/items/1?page=2"
    )
    assert isinstance(result, SignatureOk)


def test_case_insensitive_headers(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    lowered = {k.lower(): v for k, v in headers.items()}
    upper = {k.upper(): v for k, v in headers.items()}
    assert isinstance(check(lowered, key=rsa_key.public_key()), SignatureOk)
    assert isinstance(check(upper, key=rsa_key.public_key()), SignatureOk)


def test_authorization_signature_form(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    headers["Authorization"] = "Signature " + headers.pop("Signature")
    assert isinstance(check(headers, key=rsa_key.public_key()), SignatureOk)


def test_http_date_round_trip() -> None:
    assert parse_http_date(http_date(NOW)) == NOW
    assert parse_http_date("yesterday") is None
    assert parse_http_date("Sun, 31 Feb 2026 12:00:00 GMT") is None


def test_lower_headers_joins_repeats() -> None:
    assert lower_headers({"A": "1", "a": "2"}) == {"a": "1, 2"}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=2048),
    path=st.from_regex(r"/[a-z0-9/_-]{0,30}", fullmatch=True),
    query=st.one_of(st.just(""), st.from_regex(r"[a-z]{1,5}=[a-z0-9]{0,5}", fullmatch=True)),
    signer=st.sampled_from(SIGNERS),
    skew=st.integers(min_value=-300, max_value=300),
)
def test_property_sign_verify_round_trip(ed_key, body, path, query, signer, skew) -> None:
    target = path + (f"?{query}" if query else "")
    headers = signer("POST", "https://omroep.example" + target, {}, body, KEY_ID, ed_key, NOW)
    result = check(
        headers,
        body=body,
        key=ed_key.public_key(),
        target=target,
        now=NOW + timedelta(seconds=skew),
    )
    assert isinstance(result, SignatureOk)


# --- mutations -----------------------------------------------------------------------


@pytest.mark.parametrize("signer", SIGNERS)
def test_mutated_body_fails(signer, rsa_key) -> None:
    headers = signer("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    assert code(check(headers, body=BODY + b" ", key=rsa_key.public_key())) == "digest.mismatch"


@pytest.mark.parametrize("signer", SIGNERS)
def test_mutated_date_fails(signer, rsa_key) -> None:
    headers = signer("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    headers["Date"] = http_date(NOW + timedelta(seconds=1))
    assert code(check(headers, key=rsa_key.public_key())) == "signature.invalid"


@pytest.mark.parametrize("signer", SIGNERS)
def test_mutated_host_fails(signer, rsa_key) -> None:
    headers = signer("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    headers["Host"] = "evil.example"
    assert code(check(headers, key=rsa_key.public_key())) == "signature.invalid"


@pytest.mark.parametrize("signer", SIGNERS)
def test_other_key_fails(signer, rsa_key, other_rsa_key) -> None:
    headers = signer("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    assert code(check(headers, key=other_rsa_key.public_key())) == "signature.invalid"


@pytest.mark.parametrize("signer", SIGNERS)
def test_other_path_fails(signer, rsa_key) -> None:
    headers = signer("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    assert code(check(headers, key=rsa_key.public_key(), target="/other")) == "signature.invalid"


def test_mutated_signature_bytes_fail(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    parsed = parse_signature("POST", "/inbox", headers, BODY)
    assert isinstance(parsed, ParsedSignature)
    flipped = bytes([parsed.signature[0] ^ 1]) + parsed.signature[1:]
    tampered = dataclasses.replace(parsed, signature=flipped)
    assert code(verify_parsed(tampered, rsa_key.public_key(), NOW)) == "signature.invalid"


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        'keyId="a",signature=',
        'keyId="a" signature="b"',
        'keyId="a",,signature="b"',
        'keyId="a",signature="b",',
        "",
    ],
)
def test_malformed_cavage_header(value) -> None:
    headers = {"Host": "omroep.example", "Date": http_date(NOW), "Signature": value}
    assert code(check(headers, method="GET", body=None)) == "signature.malformed"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Signature-Input", 'sig1=("@method";created=1'),
        ("Signature-Input", 'sig1="not a list"'),
        ("Signature", "sig1=:!!!:"),
    ],
)
def test_malformed_rfc9421_headers(ed_key, name, value) -> None:
    headers = sign_rfc9421("POST", URL, {}, BODY, KEY_ID, ed_key, NOW)
    headers[name] = value
    assert code(check(headers, key=ed_key.public_key())) == "signature.malformed"


def test_unsigned_request() -> None:
    assert code(check({"Host": "omroep.example"})) == "signature.missing"


def test_unknown_algorithm_cavage(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    headers["Signature"] = headers["Signature"].replace("rsa-sha256", "rsa-md5")
    assert code(check(headers, key=rsa_key.public_key())) == "signature.algorithm"


def test_unknown_algorithm_rfc9421(ed_key) -> None:
    headers = sign_rfc9421("POST", URL, {}, BODY, KEY_ID, ed_key, NOW)
    headers["Signature-Input"] = headers["Signature-Input"].replace('"ed25519"', '"hmac-md5"')
    assert code(check(headers, key=ed_key.public_key())) == "signature.algorithm"


@pytest.mark.parametrize(
    ("covered", "method"),
    [
        ("host date digest", "POST"),  # no (request-target)
        ("(request-target) host digest", "POST"),  # no date
        ("(request-target) host date", "POST"),  # no digest on POST
        ("(request-target) date", "GET"),  # no host on GET
    ],
)
def test_missing_signed_headers(rsa_key, covered, method) -> None:
    headers = sign_cavage(method, URL, {}, BODY if method == "POST" else None, KEY_ID, rsa_key, NOW)
    headers["Signature"] = headers["Signature"].replace(
        'headers="' + headers["Signature"].split('headers="')[1].split('"')[0],
        f'headers="{covered}',
    )
    result = check(
        headers, key=rsa_key.public_key(), method=method, body=BODY if method == "POST" else None
    )
    assert code(result) == "signature.missing_header"


def test_covered_header_absent(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    del headers["Host"]
    assert code(check(headers, key=rsa_key.public_key())) == "signature.missing_header"


def test_rfc9421_without_content_digest_on_post(ed_key) -> None:
    headers = sign_rfc9421("GET", URL, {}, None, KEY_ID, ed_key, NOW)  # covers no digest
    assert code(check(headers, key=ed_key.public_key())) == "signature.missing_header"


def test_rfc9421_requires_created(ed_key) -> None:
    headers = sign_rfc9421("POST", URL, {}, BODY, KEY_ID, ed_key, NOW)
    headers["Signature-Input"] = headers["Signature-Input"].replace(
        f";created={int(NOW.timestamp())}", ""
    )
    assert code(check(headers, key=ed_key.public_key())) == "signature.missing_created"


def test_digest_missing_and_unsupported(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    headers["Digest"] = "MD5=abc="
    assert code(check(headers, key=rsa_key.public_key())) == "digest.unsupported"
    del headers["Digest"]
    assert code(check(headers, key=rsa_key.public_key())) == "digest.missing"


def test_content_digest_mismatch(ed_key) -> None:
    headers = sign_rfc9421("POST", URL, {}, BODY, KEY_ID, ed_key, NOW)
    assert code(check(headers, body=b"{}", key=ed_key.public_key())) == "digest.mismatch"


@pytest.mark.parametrize("signer", SIGNERS)
@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(hours=-2), "signature.expired"),  # created + 5 min + 1 h margin < now
        (timedelta(hours=1, minutes=1), "signature.future"),
    ],
)
def test_time_window(signer, rsa_key, offset, expected) -> None:
    headers = signer("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW + offset)
    assert code(check(headers, key=rsa_key.public_key())) == expected


@pytest.mark.parametrize("offset", [timedelta(minutes=-64), timedelta(minutes=59)])
def test_time_window_edges_accepted(rsa_key, offset) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW + offset)
    assert isinstance(check(headers, key=rsa_key.public_key()), SignatureOk)


def test_expires_capped_at_twelve_hours(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    parsed = parse_signature("POST", "/inbox", headers, BODY)
    assert isinstance(parsed, ParsedSignature)
    long_lived = dataclasses.replace(parsed, expires=NOW + timedelta(days=30))
    late = NOW + timedelta(hours=14)
    assert code(verify_parsed(long_lived, rsa_key.public_key(), late)) == "signature.expired"
    assert isinstance(
        verify_parsed(long_lived, rsa_key.public_key(), NOW + timedelta(hours=12)), SignatureOk
    )


def test_bad_date_header(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    headers["Date"] = "not a date"
    assert code(check(headers, key=rsa_key.public_key())) == "signature.bad_date"


def test_wrong_key_type(rsa_key, ed_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    assert code(check(headers, key=ed_key.public_key())) == "signature.key_type"
    headers = sign_rfc9421("POST", URL, {}, BODY, KEY_ID, ed_key, NOW)
    assert code(check(headers, key=rsa_key.public_key())) == "signature.key_type"


def test_key_lookup_failure_passes_through(rsa_key) -> None:
    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    assert code(check(headers, key=keys.load_public_pem("nope"))) == "key.malformed"


# --- published vectors ---------------------------------------------------------------


def _rfc9421_case(case: dict, vectors: dict):
    request = vectors["request"]
    headers = {
        **request["headers"],
        **case.get("headers", {}),
        "Signature-Input": case["signature_input"],
        "Signature": case["signature"],
    }
    parsed = rfc9421.parse(
        request["method"],
        request["target"],
        lower_headers(headers),
        request["body"].encode(),
        policy=rfc9421.Policy(require_digest=False),
    )
    key = keys.load_public_pem((VECTORS / "rfc9421" / case["key"]).read_text())
    return parsed, key


@pytest.mark.parametrize("index", [0, 1, 2])
def test_rfc9421_appendix_b_vectors(index) -> None:
    vectors = load_vector("rfc9421/vectors.json")
    case = vectors["cases"][index]
    parsed, key = _rfc9421_case(case, vectors)
    assert isinstance(parsed, ParsedSignature), parsed
    if "signature_base" in case:
        assert parsed.messages[0].decode() == case["signature_base"]
    result = verify_parsed(parsed, key, parsed.created, algorithm=case.get("algorithm"))
    assert isinstance(result, SignatureOk), result


def test_rfc9421_b26_signature_is_reproduced() -> None:
    """Ed25519 is deterministic: signing the B.2.6 base with the test key gives the RFC value."""
    vectors = load_vector("rfc9421/vectors.json")
    case = vectors["cases"][0]
    private = keys.load_private_pem((VECTORS / "rfc9421" / case["private_key"]).read_text())
    signature = private.sign(case["signature_base"].encode())  # type: ignore[union-attr]
    import base64

    assert case["signature"] == f"sig-b26=:{base64.b64encode(signature).decode()}:"


def test_rfc9421_vector_mutation_fails() -> None:
    vectors = load_vector("rfc9421/vectors.json")
    case = dict(vectors["cases"][0], headers={"Date": "Tue, 20 Apr 2021 02:07:56 GMT"})
    parsed, key = _rfc9421_case(case, vectors)
    assert code(verify_parsed(parsed, key, parsed.created)) == "signature.invalid"


def test_mastodon_style_cavage_vector() -> None:
    vector = load_vector("mastodon_cavage_post.json")
    key = keys.load_public_pem(vector["public_key_pem"])
    now = datetime.fromisoformat(vector["now"])
    parsed = parse_signature(
        vector["method"], vector["target"], vector["headers"], vector["body"].encode()
    )
    assert isinstance(parsed, ParsedSignature)
    assert parsed.messages[0].decode() == vector["signing_string"]
    result = verify_parsed(parsed, key, now)
    assert isinstance(result, SignatureOk)
    assert result.algorithm == "rsa-sha256"
    assert result.key_id == "https://mastodon.example/users/alice#main-key"
    # and the same vector, one hour and six minutes later, is refused
    assert code(verify_parsed(parsed, key, now + timedelta(minutes=66))) == "signature.expired"


@pytest.mark.parametrize("signer", SIGNERS)
def test_post_without_body_still_carries_a_digest(signer, rsa_key) -> None:
    headers = signer("POST", URL, {}, None, KEY_ID, rsa_key, NOW)
    assert "Digest" in headers or "Content-Digest" in headers
    assert isinstance(check(headers, body=b"", key=rsa_key.public_key()), SignatureOk)


def test_verify_request_with_injected_key_lookup(rsa_key) -> None:
    from protocol.httpsig import verify_request

    headers = sign_cavage("POST", URL, {}, BODY, KEY_ID, rsa_key, NOW)
    known = {KEY_ID: rsa_key.public_key()}

    def lookup(key_id: str):
        return known.get(key_id) or Failure("key.unknown", f"no key {key_id}")

    assert isinstance(verify_request("POST", "/inbox", headers, BODY, lookup, NOW), SignatureOk)
    known.clear()
    assert code(verify_request("POST", "/inbox", headers, BODY, lookup, NOW)) == "key.unknown"
