"""Shared pieces of both HTTP signature schemes: results, digests, time window, crypto.

Parsing and verifying are split so the async caller can fetch the signer's key in
between: :func:`parse` needs no key, :func:`verify_parsed` needs no network.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from protocol.result import Failure
from protocol.validate import host_of

CLOCK_SKEW = timedelta(hours=1)
DEFAULT_LIFETIME = timedelta(minutes=5)
MAX_LIFETIME = timedelta(hours=12)
MAX_HEADER_CHARS = 8192

_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_PSS512 = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
_SHA512 = hashes.SHA512()

# algorithm name -> key kinds it accepts
ALGORITHMS: dict[str, tuple[str, ...]] = {
    "rsa-sha256": ("rsa",),
    "hs2019": ("rsa", "ed25519"),
    "rsa-v1_5-sha256": ("rsa",),
    "rsa-pss-sha512": ("rsa",),
    "ed25519": ("ed25519",),
}


@dataclass(slots=True)
class ParsedSignature:
    """A syntactically valid signature whose digest and coverage already checked out.

    Not frozen: it is an intermediate, built on every inbound request, and a frozen
    dataclass costs a microsecond more to construct.

    ``messages`` holds the signing string(s) to try; cavage has two when the signer may
    have left the query string out of ``(request-target)``.
    """

    scheme: str  # "cavage" | "rfc9421"
    key_id: str
    algorithm: str | None  # None: RFC 9421 without ``alg``, decided by the key type
    created: datetime
    expires: datetime | None
    covered: tuple[str, ...]
    signature: bytes = field(repr=False)
    messages: tuple[bytes, ...] = field(repr=False)
    label: str | None = None


class SignatureOk(NamedTuple):
    """Verified: the request was signed by ``key_id`` at ``created``.

    Immutable like a frozen dataclass, but a named tuple is built in a third of the time,
    and one is built for every accepted request.
    """

    key_id: str
    scheme: str
    algorithm: str
    created: datetime


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Case-insensitive view as a plain dict; repeated fields are joined with ', '."""
    out = {name.lower(): value for name, value in headers.items()}
    if len(out) == len(headers):
        return out
    out = {}
    for name, value in headers.items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes | None:
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        return None


def now_utc(now: datetime) -> datetime:
    return now if now.tzinfo else now.replace(tzinfo=UTC)


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


_MONTH_NAMES = tuple(_MONTHS)


def http_date(moment: datetime) -> str:
    """IMF-fixdate, e.g. ``Tue, 20 Apr 2021 02:07:55 GMT`` (locale independent).

    Every signed request formats one, so no strftime and no conversion of a UTC time."""
    m = now_utc(moment)
    if m.utcoffset():
        m = m.astimezone(UTC)
    return (f"{_DAYS[m.weekday()]}, {m.day:02d} {_MONTH_NAMES[m.month - 1]} {m.year}"
            f" {m.hour:02d}:{m.minute:02d}:{m.second:02d} GMT")  # fmt: skip


@lru_cache(maxsize=1024)
def parse_http_date(value: str) -> datetime | None:
    """Parse IMF-fixdate quickly (hot path); anything else is refused by returning None."""
    parts = value.strip().split(" ")
    if len(parts) != 6 or parts[5] != "GMT" or not parts[0].endswith(","):
        return None
    month = _MONTHS.get(parts[2])
    clock = parts[4].split(":")
    if month is None or len(clock) != 3:
        return None
    try:
        return datetime(
            int(parts[3]),
            month,
            int(parts[1]),
            int(clock[0]),
            int(clock[1]),
            int(clock[2]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def check_window(created: datetime, expires: datetime | None, now: datetime) -> Failure | None:
    """Mastodon's window: not from the future (1 h skew), not past expiry (+1 h), ≤ 12 h life."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if created > now + CLOCK_SKEW:
        return Failure("signature.future", f"signature created {created.isoformat()} is ahead")
    early = now - CLOCK_SKEW
    # the usual case: no expires, and created within its default lifetime (plus skew)
    if expires is None and early <= created + DEFAULT_LIFETIME:
        return None
    deadline = min(expires or created + DEFAULT_LIFETIME, created + MAX_LIFETIME)
    if early > deadline:  # now > deadline + skew
        return Failure("signature.expired", f"signature expired at {deadline.isoformat()}")
    return None


_KINDS: dict[type, str] = {}


def key_kind(key: object) -> str:
    """ "rsa", "ed25519" or "other", cached per class (ABC isinstance checks are slow)."""
    cls = type(key)
    kind = _KINDS.get(cls)
    if kind is None:
        if isinstance(key, rsa.RSAPublicKey):
            kind = "rsa"
        elif isinstance(key, ed25519.Ed25519PublicKey):
            kind = "ed25519"
        else:
            kind = "other"
        _KINDS[cls] = kind
    return kind


#: DER ``DigestInfo`` prefix of a SHA-256 digest (RFC 8017 §9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def _verify_rsa_pkcs1_sha256(public_key, signature: bytes, message: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 with SHA-256, exactly as strict as ``public_key.verify``.

    OpenSSL does the RSA operation and checks the type-1 padding; what it recovers must
    then be byte for byte the DER ``DigestInfo`` of SHA-256 of ``message``, which is the
    comparison ``RSA_verify`` makes (RFC 8017 §8.2.2). The signature must be exactly as
    long as the modulus, as ``verify`` demands (recovery alone would accept a shorter one).
    Recovery plus hashlib costs a few microseconds less than ``verify``, per request.
    """
    if len(signature) != (public_key.key_size + 7) >> 3:
        return False
    try:
        recovered = public_key.recover_data_from_signature(signature, _PKCS1, None)
    except InvalidSignature:
        return False
    return recovered == _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()


def verify_bytes(algorithm: str | None, public_key, signature: bytes, message: bytes) -> bool:
    """One signature check; the key type has already been matched to the algorithm."""
    if algorithm == "ed25519" or key_kind(public_key) == "ed25519":
        try:
            public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True
    if algorithm == "rsa-pss-sha512":
        try:
            public_key.verify(signature, message, _PSS512, _SHA512)
        except InvalidSignature:
            return False
        return True
    return _verify_rsa_pkcs1_sha256(public_key, signature, message)


def sign_bytes(private_key, message: bytes) -> bytes:
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return private_key.sign(message)
    if isinstance(private_key, rsa.RSAPrivateKey):
        return private_key.sign(message, _PKCS1, _SHA256)
    raise TypeError(f"cannot sign with {type(private_key).__name__}")


_RESOLVED: dict[tuple[str | None, type], str | Failure] = {}


def resolve_algorithm(algorithm: str | None, public_key) -> str | Failure:
    """Match the declared algorithm to the key; None (RFC 9421 without alg) follows the key.

    The answer depends only on the algorithm and the key's class, so it is remembered
    (for a bounded number of pairs: the algorithm comes from the wire).
    """
    pair = (algorithm, type(public_key))
    found = _RESOLVED.get(pair)
    if found is None:
        found = _resolve_algorithm(algorithm, public_key)
        if len(_RESOLVED) < 256:
            _RESOLVED[pair] = found
    return found


def _resolve_algorithm(algorithm: str | None, public_key) -> str | Failure:
    kind = key_kind(public_key)
    if algorithm is None:
        if kind == "ed25519":
            return "ed25519"
        if kind == "rsa":
            return "rsa-v1_5-sha256"
        return Failure("signature.key_type", f"unsupported key type {type(public_key).__name__}")
    allowed = ALGORITHMS.get(algorithm)
    if allowed is None:
        return Failure("signature.algorithm", f"unsupported algorithm {algorithm!r}")
    if kind not in allowed:
        return Failure(
            "signature.key_type",
            f"algorithm {algorithm} cannot be verified with a {type(public_key).__name__}",
        )
    return algorithm


_DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


def body_digest(name: str, body: bytes) -> bytes:
    return _DIGESTS[name](body).digest()


def content_digest(body: bytes) -> str:
    """The RFC 9530 ``Content-Digest`` value of ``body`` (SHA-256): the one builder for
    signed requests (RFC 9421) and signed responses (page signatures)."""
    return f"sha-256=:{b64(body_digest('sha-256', body))}:"


def check_digest_pairs(pairs: list[tuple[str, bytes | None]], body: bytes) -> Failure | None:
    """Every supported digest must match; at least one must be supported."""
    checked = 0
    for name, expected in pairs:
        if name not in _DIGESTS:
            continue
        if expected is None:
            return Failure("digest.malformed", f"{name} digest is not valid base64")
        if body_digest(name, body) != expected:
            return Failure("digest.mismatch", f"body does not match its {name} digest")
        checked += 1
    if not checked:
        return Failure("digest.unsupported", "no SHA-256 or SHA-512 digest of the body")
    return None


def check_host_header(headers: dict[str, str], scheme: str, authority: str) -> Failure | None:
    """A signed ``Host`` must name ``authority`` (``host[:port]``, default port dropped)."""
    value = headers.get("host", "").strip()
    if value == authority:  # already in normal form (the usual case): nothing to parse
        return None
    if host_of(f"{scheme}://{value}/") != authority:
        return Failure("signature.host", "signed for another host: Host does not name this node")
    return None


def needs_body_digest(method: str, body: bytes | None) -> bool:
    return method.upper() in ("POST", "PUT", "PATCH") or bool(body)
