"""RFC 9421 HTTP Message Signatures (requests only), with RFC 9530 Content-Digest.

We sign ``("@method" "@authority" "@path" "@query" "date" "content-digest")`` with
``created``, ``keyid`` and ``alg`` (``ed25519`` or ``rsa-v1_5-sha256``). Inbound we
require ``created``, coverage of ``@method``, of the authority and of the path, and a
covered, matching Content-Digest whenever the request has a body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlsplit

from cryptography.hazmat.primitives.asymmetric import ed25519

from protocol.httpsig import common, sfv
from protocol.httpsig.common import ParsedSignature
from protocol.result import Failure

SIGNED_COMPONENTS = ("@method", "@authority", "@path", "@query", "date")


@dataclass(frozen=True, slots=True)
class Policy:
    """What a signature must cover; relaxed only to check published test vectors."""

    require_digest: bool = True
    require_target: bool = True


DEFAULT_POLICY = Policy()


def _component(
    name: str,
    params: dict,
    method: str,
    target: str,
    scheme: str,
    headers: dict[str, str],
    authority: str | None = None,
) -> str | Failure:
    path, _, query = target.partition("?")
    if name.startswith("@"):
        if name == "@method":
            return method.upper()
        if name == "@authority":
            return authority if authority is not None else headers.get("host", "").lower()
        if name == "@path":
            return path or "/"
        if name == "@query":
            return "?" + query
        if name == "@request-target":
            return target
        if name == "@target-uri":
            host = authority if authority is not None else headers.get("host", "").lower()
            return f"{scheme}://{host}{target}"
        if name == "@scheme":
            return scheme
        if name == "@query-param" and isinstance(params.get("name"), str):
            wanted = params["name"]
            for key, value in parse_qsl(query, keep_blank_values=True):
                if key == wanted:
                    return quote(value, safe="")
            return Failure("signature.missing_header", f"query parameter {wanted!r} is absent")
        return Failure("signature.component", f"unsupported derived component {name!r}")
    if params:
        return Failure("signature.component", f"unsupported parameters on {name!r}")
    value = headers.get(name)
    if value is None:
        return Failure("signature.missing_header", f"signed header {name!r} is absent")
    return value.strip()


def signature_base(
    inner: sfv.InnerList,
    method: str,
    target: str,
    scheme: str,
    headers: dict[str, str],
    authority: str | None = None,
) -> bytes | Failure:
    lines = []
    for item in inner.items:
        if not isinstance(item.value, str):
            return Failure("signature.malformed", "component identifiers must be strings")
        value = _component(item.value, item.params, method, target, scheme, headers, authority)
        if isinstance(value, Failure):
            return value
        label = sfv.serialize_bare(item.value) + sfv.serialize_params(item.params)
        lines.append(f"{label}: {value}")
    lines.append(f'"@signature-params": {sfv.serialize_inner_list(inner)}')
    return "\n".join(lines).encode("utf-8")


def _check_content_digest(headers: dict[str, str], body: bytes) -> Failure | None:
    value = headers.get("content-digest")
    if value is None:
        return Failure("digest.missing", "request body without a Content-Digest header")
    parsed = sfv.parse_dictionary(value)
    if isinstance(parsed, Failure):
        return Failure("digest.malformed", "cannot parse the Content-Digest header")
    pairs = [
        (k, m.value if isinstance(m, sfv.Item) and isinstance(m.value, bytes) else None)
        for k, m in parsed.items()
    ]
    return common.check_digest_pairs(pairs, body)


def parse(
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes | None,
    *,
    scheme: str = "https",
    policy: Policy = DEFAULT_POLICY,
    label: str | None = None,
    authority: str | None = None,
) -> ParsedSignature | Failure:
    """Parse the first (or the named) signature in Signature-Input/Signature.

    With ``authority`` (the receiver's ``host[:port]``; ``scheme`` its scheme), the derived
    components come from the receiver's own base URL, and a signed ``host`` header must
    name it; the request's Host and scheme are not trusted.
    """
    inputs = sfv.parse_dictionary(headers.get("signature-input", ""))
    if isinstance(inputs, Failure):
        return inputs
    signatures = sfv.parse_dictionary(headers.get("signature", ""))
    if isinstance(signatures, Failure):
        return signatures
    names = [label] if label else [n for n in inputs if n in signatures]
    if not names or names[0] not in inputs or names[0] not in signatures:
        return Failure("signature.malformed", "no labelled signature matches Signature-Input")
    name = names[0]
    inner, sig = inputs[name], signatures[name]
    if not isinstance(inner, sfv.InnerList):
        return Failure("signature.malformed", "Signature-Input member is not an inner list")
    if not isinstance(sig, sfv.Item) or not isinstance(sig.value, bytes) or not sig.value:
        return Failure("signature.malformed", "Signature member is not a byte sequence")
    key_id = inner.params.get("keyid")
    if not isinstance(key_id, str) or not key_id:
        return Failure("signature.malformed", "signature has no keyid")
    created_raw = inner.params.get("created")
    if not isinstance(created_raw, int) or isinstance(created_raw, bool):
        return Failure("signature.missing_created", "the created parameter is required")
    algorithm = inner.params.get("alg")
    if algorithm is not None and (
        not isinstance(algorithm, str) or algorithm not in common.ALGORITHMS
    ):
        return Failure("signature.algorithm", f"unsupported algorithm {algorithm!r}")
    covered = tuple(str(i.value) for i in inner.items)
    problem = _check_coverage(set(covered), method, body, headers, policy)
    if problem is not None:
        return problem
    expires_raw = inner.params.get("expires")
    try:
        created = datetime.fromtimestamp(created_raw, UTC)
        expires = datetime.fromtimestamp(expires_raw, UTC) if isinstance(expires_raw, int) else None
    except (ValueError, OverflowError):
        return Failure("signature.malformed", "created/expires out of range")
    if authority is not None and "host" in covered:
        problem = common.check_host_header(headers, scheme, authority)
        if problem is not None:
            return problem
    message = signature_base(inner, method, target, scheme, headers, authority)
    if isinstance(message, Failure):
        return message
    return ParsedSignature(
        "rfc9421", key_id, algorithm, created, expires, covered, sig.value, (message,), name
    )


def _check_coverage(
    covered: set[str], method: str, body: bytes | None, headers: dict[str, str], policy: Policy
) -> Failure | None:
    if policy.require_target:
        if "@method" not in covered:
            return Failure("signature.missing_header", "@method must be signed")
        if not covered & {"@authority", "@target-uri", "host"}:
            return Failure("signature.missing_header", "the authority must be signed")
        if not covered & {"@path", "@target-uri", "@request-target"}:
            return Failure("signature.missing_header", "the path must be signed")
    if policy.require_digest and common.needs_body_digest(method, body):
        if "content-digest" not in covered:
            return Failure("signature.missing_header", "content-digest must be signed")
    if "content-digest" in covered and body is not None:
        return _check_content_digest(headers, body)
    return None


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    key_id: str,
    private_key,
    now: datetime,
    label: str = "sig1",
) -> dict[str, str]:
    """Headers to send, including Host, Date, Content-Digest, Signature-Input and Signature."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    drop = ("host", "date", "content-digest", "signature", "signature-input")
    out = {k: v for k, v in headers.items() if k.lower() not in drop}
    out["Host"] = parts.netloc.lower()
    out["Date"] = common.http_date(now)
    if body is None and common.needs_body_digest(method, None):
        body = b""  # a POST always carries a digest, even of an empty body
    components = list(SIGNED_COMPONENTS)
    if body is not None:
        out["Content-Digest"] = common.content_digest(body)
        components.append("content-digest")
    alg = "ed25519" if isinstance(private_key, ed25519.Ed25519PrivateKey) else "rsa-v1_5-sha256"
    params = {"created": int(common.now_utc(now).timestamp()), "keyid": key_id, "alg": alg}
    inner = sfv.InnerList([sfv.Item(c, {}) for c in components], params)
    message = signature_base(
        inner, method, target, parts.scheme or "https", common.lower_headers(out)
    )
    assert isinstance(message, bytes)
    out["Signature-Input"] = f"{label}={sfv.serialize_inner_list(inner)}"
    out["Signature"] = f"{label}=:{common.b64(common.sign_bytes(private_key, message))}:"
    return out
