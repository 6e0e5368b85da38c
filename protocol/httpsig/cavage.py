"""draft-cavage-http-signatures-12 as Mastodon speaks it.

Outbound: ``(request-target) host date`` plus ``digest`` (SHA-256) whenever there is a body,
``rsa-sha256`` for RSA keys and ``hs2019`` for Ed25519. Inbound: ``rsa-sha256`` and
``hs2019``; ``(request-target)`` is accepted with or without the query string; POST must
cover a matching ``Digest``, GET must cover ``host``; ``date`` or ``(created)`` is required.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from binascii import a2b_base64
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ed25519

from protocol.httpsig import common
from protocol.httpsig.common import ParsedSignature
from protocol.result import Failure

_QUOTED = re.compile(r'([A-Za-z]+)="([^"]*)"')


def _usual_layout(value: str) -> list[str] | None:
    """The parts of ``keyId="…",algorithm="…",headers="…",signature="…"``, else None.

    The layout Mastodon and most servers send: split at the quotes, the fixed parts must be
    exactly these: the strings the regex keyId="([^"]*)",algorithm="([^"]*)",
    headers="([^"]*)",signature="([^"]*)" fullmatches, at a fifth of its cost. The values
    are ``parts[1]``, ``[3]``, ``[5]`` and ``[7]``.
    """
    parts = value.split('"')
    if (
        len(parts) == 9
        and parts[0] == "keyId="
        and parts[2] == ",algorithm="
        and parts[4] == ",headers="
        and parts[6] == ",signature="
        and not parts[8]
    ):
        return parts
    return None


def parse_params(value: str) -> dict[str, str] | Failure:
    """``keyId="…",algorithm="…",headers="…",signature="…"`` → dict (strictly).

    Hand-rolled with str.find: this runs on every inbound request and a regex costs
    several times more than the whole rest of the parse.
    """
    parts = _usual_layout(value)
    if parts is not None:
        return {"keyId": parts[1], "algorithm": parts[3], "headers": parts[5],
                "signature": parts[7]}  # fmt: skip
    pairs = _QUOTED.findall(value)
    count = len(pairs)
    # exactly k="v",k="v",… : matched characters plus one comma between each pair
    if (
        count
        and sum(len(k) + len(v) for k, v in pairs) + 4 * count - 1 == len(value)
        and value.count('",') == count - 1
    ):
        return dict(pairs)
    params: dict[str, str] = {}
    pos, end = 0, len(value)
    while pos < end:
        eq = value.find("=", pos)
        if eq < 0:
            return _MALFORMED
        name = value[pos:eq].strip()
        if not name.isalpha():
            return _MALFORMED
        start = eq + 1
        while start < end and value[start] == " ":
            start += 1
        if start < end and value[start] == '"':
            close = value.find('"', start + 1)
            if close < 0:
                return _MALFORMED
            params[name] = value[start + 1 : close]
            pos = close + 1
        else:
            comma = value.find(",", start)
            close = end if comma < 0 else comma
            bare = value[start:close].strip()
            if not bare or not bare.replace(".", "").isdigit():
                return _MALFORMED
            params[name] = bare
            pos = close
        while pos < end and value[pos] == " ":
            pos += 1
        if pos < end:
            if value[pos] != ",":
                return _MALFORMED
            pos += 1
            while pos < end and value[pos] == " ":
                pos += 1
            if pos == end:
                return _MALFORMED
    return params if params else _MALFORMED


_MALFORMED = Failure("signature.malformed", "cannot parse the Signature header")
#: The parameters besides keyId, algorithm, headers and signature of the usual layout
_NO_PARAMS: dict[str, str] = {}


def _target_without_query(target: str) -> str:
    return target.split("?", 1)[0]


def signing_string(
    names: list[str] | tuple[str, ...],
    method: str,
    target: str,
    headers: dict[str, str],
    params: dict[str, str],
) -> bytes | Failure:
    lines: list[str] = []
    append = lines.append
    for name in names:
        if name[0] != "(":
            value = headers.get(name)
            if value is None:
                return Failure("signature.missing_header", f"signed header {name!r} is absent")
            append(f"{name}: {value.strip()}")
        elif name == "(request-target)":
            append(f"(request-target): {method.lower()} {target}")
        elif name in ("(created)", "(expires)"):
            value = params.get(name[1:-1])
            if value is None:
                return Failure("signature.missing_header", f"{name} covered but not given")
            append(f"{name}: {value}")
        else:
            return Failure("signature.component", f"unsupported pseudo-header {name!r}")
    return "\n".join(lines).encode("utf-8")


def _check_digest(headers: dict[str, str], body: bytes) -> Failure | None:
    value = headers.get("digest")
    if value is None:
        return Failure("digest.missing", "POST without a Digest header")
    if value[:8].lower() == "sha-256=" and "," not in value:  # what everyone sends
        try:
            expected = a2b_base64(value[8:].strip(), strict_mode=True)  # common.b64decode
        except (binascii.Error, ValueError):
            expected = None
        if expected != hashlib.sha256(body).digest():
            return Failure("digest.mismatch", "body does not match its sha-256 digest")
        return None
    pairs: list[tuple[str, bytes | None]] = []
    for part in value.split(","):
        name, sep, encoded = part.strip().partition("=")
        if not sep:
            return Failure("digest.malformed", "cannot parse the Digest header")
        pairs.append((name.lower(), common.b64decode(encoded.strip())))
    return common.check_digest_pairs(pairs, body)


def parse(
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes | None,
    raw: str,
    *,
    scheme: str = "https",
    authority: str | None = None,
) -> ParsedSignature | Failure:
    """Parse a cavage ``Signature`` value against an already lower-cased header dict.

    With ``authority`` (the receiver's ``host[:port]``), ``host`` must be signed and name it.
    """
    parts = _usual_layout(raw)
    if parts is not None:  # no dict of parameters needed
        params = _NO_PARAMS
        key_id, signature_b64 = parts[1], parts[7]
        algorithm_param, covered = parts[3], parts[5]
    else:
        params = parse_params(raw)
        if isinstance(params, Failure):
            return params
        key_id, signature_b64 = params.get("keyId"), params.get("signature")
        algorithm_param, covered = params.get("algorithm", "hs2019"), params.get("headers", "date")
    if not key_id or not signature_b64:
        return Failure("signature.malformed", "Signature lacks keyId or signature")
    coverage = _coverage(algorithm_param, covered)
    algorithm, names, refusal = coverage[0], coverage[1], coverage[2]
    if algorithm is None:
        return refusal  # type: ignore[return-value]
    try:  # common.b64decode, inline: this runs on every inbound request
        signature = a2b_base64(signature_b64, strict_mode=True)
    except (binascii.Error, ValueError):
        signature = None
    if not signature:
        return Failure("signature.malformed", "signature is not valid base64")
    if refusal is not None:
        return refusal
    upper = method.upper()
    if not coverage[3] and (authority is not None or upper == "GET"):
        return Failure("signature.missing_header", "host must be signed")
    if authority is not None:
        problem = common.check_host_header(headers, scheme, authority)
        if problem is not None:
            return problem
    if body or upper in ("POST", "PUT", "PATCH"):
        if not coverage[4]:
            return Failure("signature.missing_header", "digest must be signed on POST")
        problem = _check_digest(headers, body or b"")
        if problem is not None:
            return problem
    if coverage[5]:  # date signed, (created) not
        created = common.parse_http_date(headers.get("date", ""))
        if created is None:
            return Failure("signature.bad_date", "Date header is missing or not an HTTP date")
    else:
        created = _timestamp(params.get("created"))
        if created is None:
            return Failure("signature.malformed", "created is missing or not an integer")
    expires = None
    if "expires" in params:
        expires = _timestamp(params["expires"])
        if expires is None:
            return Failure("signature.malformed", "expires is not a timestamp")
    message = signing_string(names, method, target, headers, params)
    if isinstance(message, Failure):
        return message
    messages: tuple[bytes, ...] = (message,)
    if "?" in target:
        short = signing_string(names, method, _target_without_query(target), headers, params)
        messages = (message, short)  # type: ignore[assignment]
    return ParsedSignature(
        "cavage", key_id, algorithm, created, expires, names, signature, messages
    )


@lru_cache(maxsize=1024)
def _coverage(
    algorithm: str, covered: str
) -> tuple[str | None, tuple[str, ...], Failure | None, bool, bool, bool]:
    """What a sender's ``algorithm`` and ``headers`` parameters allow, worked out once.

    They are the same on every request of one sender, so this is cached (their text is the
    key). Returns ``(algorithm, names, refusal, host signed, digest signed, date only)``:
    ``algorithm`` None means ``refusal`` says why it is unsupported (refused before the
    signature is decoded); else ``refusal`` is the coverage problem, refused right after.
    """
    algorithm = algorithm.lower()
    names = tuple(covered.lower().split())
    if algorithm not in ("rsa-sha256", "hs2019"):
        failure = Failure("signature.algorithm", f"unsupported algorithm {algorithm!r}")
        return None, names, failure, False, False, False
    refusal = None
    has_date, has_created = "date" in names, "(created)" in names
    if "(request-target)" not in names:
        refusal = Failure("signature.missing_header", "(request-target) must be signed")
    elif not has_date and not has_created:
        refusal = Failure("signature.missing_header", "date or (created) must be signed")
    return (algorithm, names, refusal, "host" in names, "digest" in names,
            has_date and not has_created)  # fmt: skip


def _timestamp(value: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def digest_header(body: bytes) -> str:
    """The ``Digest`` header value of ``body`` (``SHA-256=`` and the base64 digest)."""
    return "SHA-256=" + common.b64(common.body_digest("sha-256", body))


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    key_id: str,
    private_key,
    now: datetime,
    *,
    digest: str | None = None,
) -> dict[str, str]:
    """Headers to send, Mastodon style, including Host, Date, Digest and Signature.

    ``digest`` is the ``Digest`` value of ``body`` (:func:`digest_header`) when the caller
    has it already: one activity goes to many inboxes, and its digest is the same for all.
    """
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    out = {k: v for k, v in headers.items() if k.lower() not in ("host", "date", "digest")}
    out["Host"] = parts.netloc.lower()
    out["Date"] = common.http_date(now)
    if body is None and common.needs_body_digest(method, None):
        body = b""  # a POST always carries a digest, even of an empty body
    names = ["(request-target)", "host", "date"]
    if body is not None:
        out["Digest"] = digest or digest_header(body)
        names.append("digest")
    lowered = common.lower_headers(out)
    message = signing_string(names, method, target, lowered, {})
    assert isinstance(message, bytes)
    algorithm = "hs2019" if isinstance(private_key, ed25519.Ed25519PrivateKey) else "rsa-sha256"
    signature = common.b64(common.sign_bytes(private_key, message))
    out["Signature"] = (
        f'keyId="{key_id}",algorithm="{algorithm}",'
        f'headers="{" ".join(names)}",signature="{signature}"'
    )
    return out
