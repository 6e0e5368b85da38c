"""parse_signature with ``authority``: a signature is judged against the receiver's base_url."""

from __future__ import annotations

from datetime import UTC, datetime

from protocol import keys
from protocol.httpsig import parse_signature, sign_cavage, sign_rfc9421, verify_parsed
from protocol.result import Failure

KEY = keys.generate_rsa()
PUB = KEY.public_key()
NOW = datetime(2026, 1, 1, tzinfo=UTC)
BODY = b'{"type": "Create"}'


def check(headers, *, scheme="https", authority="node.example"):
    parsed = parse_signature("POST", "/inbox", headers, BODY, scheme=scheme, authority=authority)
    if isinstance(parsed, Failure):
        return parsed.code
    result = verify_parsed(parsed, PUB, NOW)
    return result.code if isinstance(result, Failure) else "ok"


def test_cavage_host_must_name_this_node():
    ours = sign_cavage("POST", "https://node.example/inbox", {}, BODY, "k", KEY, NOW)
    assert check(ours) == "ok"
    theirs = sign_cavage("POST", "https://other.example/inbox", {}, BODY, "k", KEY, NOW)
    assert check(theirs) == "signature.host"
    assert check(theirs, authority=None) == "ok"  # unbound: the old, request-relative check


def test_cavage_default_port_is_normalised():
    explicit = sign_cavage("POST", "https://node.example:443/inbox", {}, BODY, "k", KEY, NOW)
    assert check(explicit) == "ok"
    other_port = sign_cavage("POST", "https://node.example:8443/inbox", {}, BODY, "k", KEY, NOW)
    assert check(other_port) == "signature.host"


def test_cavage_without_host_is_refused_when_bound():
    headers = sign_cavage("POST", "https://node.example/inbox", {}, BODY, "k", KEY, NOW)
    headers["Signature"] = headers["Signature"].replace(
        'headers="(request-target) host date digest"', 'headers="(request-target) date digest"'
    )
    assert check(headers) == "signature.missing_header"


def test_rfc9421_authority_comes_from_base_url():
    ours = sign_rfc9421("POST", "https://node.example/inbox", {}, BODY, "k", KEY, NOW)
    ours["Host"] = "127.0.0.1:8000"  # rewritten by a proxy: base_url decides, not Host
    assert check(ours) == "ok"
    theirs = sign_rfc9421("POST", "https://other.example/inbox", {}, BODY, "k", KEY, NOW)
    theirs["Host"] = "node.example"
    assert check(theirs) == "signature.invalid"
