"""HTTP signatures: draft-cavage (Mastodon) and RFC 9421, behind one parse/verify pair.

``parse_signature`` needs no key: it detects the scheme, checks the body digest and the
covered components, and tells the caller which key to fetch. ``verify_parsed`` then
checks the time window, the key type against the algorithm, and the signature bytes.
A present-but-invalid signature is always a Failure with a reason, never ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from protocol.httpsig import cavage, common, rfc9421
from protocol.httpsig.common import ParsedSignature, SignatureOk
from protocol.result import Failure

__all__ = [
    "ParsedSignature",
    "SignatureOk",
    "digest_header",
    "parse_signature",
    "sign_cavage",
    "sign_rfc9421",
    "verify_parsed",
    "verify_request",
]

sign_cavage = cavage.sign
digest_header = cavage.digest_header
sign_rfc9421 = rfc9421.sign


def parse_signature(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    scheme: str = "https",
    authority: str | None = None,
) -> ParsedSignature | Failure:
    """Detect the scheme and parse it; ``target`` is the request's ``path?query``.

    ``authority`` binds the signature to the receiver: ``host[:port]`` of the receiver's
    own base URL (default port dropped), with ``scheme`` its scheme. Then a signed
    ``host`` header must name that authority (else ``signature.host``), cavage must
    sign ``host``, and RFC 9421's ``@authority``, ``@scheme`` and ``@target-uri`` are
    derived from it instead of from the request, so a signature made for another node,
    or one that arrives through a TLS-terminating proxy, is judged against this node.
    """
    lowered = common.lower_headers(headers)
    if "signature-input" in lowered:
        if len(lowered["signature-input"]) + len(lowered.get("signature", "")) > 4 * 8192:
            return Failure("signature.malformed", "signature headers are too long")
        return rfc9421.parse(method, target, lowered, body, scheme=scheme, authority=authority)
    raw = lowered.get("signature")
    if raw is None:
        auth = lowered.get("authorization", "")
        if auth[:10].lower() == "signature ":
            raw = auth[10:]
    if raw is None:
        return Failure("signature.missing", "request is not signed")
    if len(raw) > common.MAX_HEADER_CHARS:
        return Failure("signature.malformed", "Signature header is too long")
    return cavage.parse(method, target, lowered, body, raw, scheme=scheme, authority=authority)


def verify_parsed(
    parsed: ParsedSignature, public_key, now: datetime, *, algorithm: str | None = None
) -> SignatureOk | Failure:
    """Time window, key type and the signature itself; the key comes from the caller.

    ``algorithm`` lets a key registry name the algorithm for RFC 9421 signatures that omit
    ``alg`` (otherwise RSA means rsa-v1_5-sha256 and Ed25519 means ed25519).
    """
    if isinstance(public_key, Failure):
        return public_key
    problem = common.check_window(parsed.created, parsed.expires, now)
    if problem is not None:
        return problem
    if parsed.algorithm is not None and algorithm not in (None, parsed.algorithm):
        return Failure("signature.algorithm", "algorithm differs from the signature's alg")
    resolved = common.resolve_algorithm(parsed.algorithm or algorithm, public_key)
    if isinstance(resolved, Failure):
        return resolved
    for message in parsed.messages:
        if common.verify_bytes(resolved, public_key, parsed.signature, message):
            return SignatureOk(parsed.key_id, parsed.scheme, resolved, parsed.created)
    return Failure("signature.invalid", f"signature does not verify with key {parsed.key_id}")


def verify_request(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes | None,
    key_lookup: Callable[[str], object],
    now: datetime,
) -> SignatureOk | Failure:
    """Synchronous convenience: parse, look the key up by id, verify.

    ``key_lookup(key_id)`` returns a public key or a Failure (e.g. an unknown actor).
    The async federation code calls the two halves itself and awaits its key fetch.
    """
    parsed = parse_signature(method, target, headers, body)
    if isinstance(parsed, Failure):
        return parsed
    return verify_parsed(parsed, key_lookup(parsed.key_id), now)
