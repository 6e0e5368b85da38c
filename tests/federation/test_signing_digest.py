"""Outbound POST signatures reuse one body's Digest across inboxes, and stay right.

A fan-out signs the same activity body for every follower's inbox; the signer keeps
the body's Digest instead of hashing it again per inbox.  These tests pin that the
kept value is always the digest of the body being sent, whatever came before.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from federation.signing import Signer
from protocol.httpsig import digest_header, parse_signature, sign_cavage, verify_parsed
from protocol.result import Failure
from tests.federation.harness import local_actor, rsa_key

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def sha256_header(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def verifies(url: str, headers: dict[str, str], body: bytes) -> bool:
    lowered = {k.lower(): v for k, v in headers.items()}
    parsed = parse_signature("POST", "/" + url.split("/", 3)[3], lowered, body)
    if isinstance(parsed, Failure):  # e.g. digest.mismatch
        return False
    return bool(verify_parsed(parsed, rsa_key(0).public_key(), NOW))


def test_each_post_carries_the_digest_of_its_own_body() -> None:
    signer = Signer(local_actor("https://omroep.example"), lambda: NOW.timestamp())
    bodies = [b'{"type":"Create","n":%d}' % n for n in range(Signer.DIGESTS_KEPT + 5)]
    # the same bodies again, out of order and after the cache has turned over
    for body in [*bodies, bodies[0], bodies[-1], bodies[3], bytes(bodies[3])]:
        url = "https://volger.example/users/a/inbox"
        headers = signer.post(url, body)
        assert headers["Digest"] == sha256_header(body)
        assert verifies(url, headers, body)
    assert len(signer._digests) <= Signer.DIGESTS_KEPT


def test_a_tampered_body_does_not_verify_against_a_kept_digest() -> None:
    signer = Signer(local_actor("https://omroep.example"), lambda: NOW.timestamp())
    url = "https://volger.example/inbox"
    headers = signer.post(url, b'{"a":1}')
    signer.post(url, b'{"a":2}')
    assert not verifies(url, headers, b'{"a":2}')
    assert verifies(url, headers, b'{"a":1}')


def test_sign_uses_a_given_digest_and_computes_one_otherwise() -> None:
    body = b'{"type":"Note"}'
    given = sign_cavage("POST", "https://x.example/inbox", {}, body, "k", rsa_key(0), NOW,
                        digest=digest_header(body))  # fmt: skip
    computed = sign_cavage("POST", "https://x.example/inbox", {}, body, "k", rsa_key(0), NOW)
    assert given["Digest"] == computed["Digest"] == sha256_header(body)
