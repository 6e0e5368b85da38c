"""Signed collection pages: an RFC 9421 *response* signature with RFC 9530 Content-Digest.

A page that vouches for its listings (FEDERATION.md §5.1, "Signed back-fill pages"): the origin
signs the response with its organisation actor's Ed25519 key, covering

    ("@status" "content-digest" "content-type" "@authority";req "@path";req "@query";req)

with ``created``, ``keyid``, ``alg="ed25519"`` and ``tag="mediakring-page"``, under the
label ``page``.  The ``;req`` components are those of the request the page answers, so a
signed page cannot be replayed as the answer to another URL; ``Content-Digest`` ties the
signature to the exact bytes, so the receiver checks one SHA-256 and one Ed25519
signature per page instead of one proof per listing.

Pure: the caller hands in the status, headers, body, the URL it asked and the keys it
trusts (key id -> Ed25519 public key); nothing is fetched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from protocol.httpsig import common, sfv
from protocol.result import Failure

LABEL = "page"
TAG = "mediakring-page"
#: What a page signature must cover (all of it; more is refused, too: nothing else is read).
COMPONENTS = (
    ("@status", {}),
    ("content-digest", {}),
    ("content-type", {}),
    ("@authority", {"req": True}),
    ("@path", {"req": True}),
    ("@query", {"req": True}),
)
#: A page signature older than this is refused (pages are signed when served).
MAX_AGE_SECONDS = 3600
CLOCK_SKEW_SECONDS = 300


def _request_parts(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.netloc.lower(), parts.path or "/", "?" + parts.query


def _base(inner: sfv.InnerList, status: int, headers: Mapping[str, str], url: str) -> bytes:
    authority, path, query = _request_parts(url)
    values = {
        "@status": str(status),
        "content-digest": headers.get("content-digest", "").strip(),
        "content-type": headers.get("content-type", "").strip(),
        "@authority": authority,
        "@path": path,
        "@query": query,
    }
    lines = [
        f"{sfv.serialize_bare(item.value)}{sfv.serialize_params(item.params)}: "
        f"{values[str(item.value)]}"
        for item in inner.items
    ]
    lines.append(f'"@signature-params": {sfv.serialize_inner_list(inner)}')
    return "\n".join(lines).encode("utf-8")


def sign_page(
    status: int,
    content_type: str,
    body: bytes,
    request_url: str,
    key_id: str,
    private_key: ed25519.Ed25519PrivateKey,
    now: datetime,
) -> dict[str, str]:
    """The headers (Content-Digest, Signature-Input, Signature) that sign a page response.

    ``request_url`` is the URL the page answers, with the origin's own scheme and
    authority (never the request's Host header) and the path and query as received.
    """
    headers = {"content-digest": common.content_digest(body), "content-type": content_type}
    params = {
        "created": int(common.now_utc(now).timestamp()),
        "keyid": key_id,
        "alg": "ed25519",
        "tag": TAG,
    }
    inner = sfv.InnerList([sfv.Item(name, dict(p)) for name, p in COMPONENTS], params)
    signature = private_key.sign(_base(inner, status, headers, request_url))
    return {
        "Content-Digest": headers["content-digest"],
        "Signature-Input": f"{LABEL}={sfv.serialize_inner_list(inner)}",
        "Signature": f"{LABEL}=:{common.b64(signature)}:",
    }


def has_page_signature(headers: Mapping[str, str]) -> bool:
    """Does the response claim a page signature at all (``headers`` lower-cased)?"""
    return f"{LABEL}=" in headers.get("signature-input", "")


def verify_page(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    request_url: str,
    keys: Mapping[str, ed25519.Ed25519PublicKey],
    now: datetime,
) -> str | Failure:
    """The key id that signed this page response, or why the signature does not hold.

    ``headers`` have lower-case names; ``request_url`` is the URL that was fetched (after
    redirects); ``keys`` are the origin actor's own Ed25519 keys (key id -> public key).
    """
    inputs = sfv.parse_dictionary(headers.get("signature-input", ""))
    if isinstance(inputs, Failure):
        return Failure("page_signature.malformed", f"Signature-Input: {inputs.detail}")
    signatures = sfv.parse_dictionary(headers.get("signature", ""))
    if isinstance(signatures, Failure):
        return Failure("page_signature.malformed", f"Signature: {signatures.detail}")
    inner, sig = inputs.get(LABEL), signatures.get(LABEL)
    if not isinstance(inner, sfv.InnerList):
        return Failure("page_signature.missing", "no page signature in Signature-Input")
    if not isinstance(sig, sfv.Item) or not isinstance(sig.value, bytes) or not sig.value:
        return Failure("page_signature.malformed", "the page Signature is not a byte sequence")
    covered = [(item.value, item.params) for item in inner.items]
    if covered != [(name, params) for name, params in COMPONENTS]:
        return Failure("page_signature.coverage", "the page signature covers the wrong components")
    params = inner.params
    if params.get("tag") != TAG or params.get("alg") != "ed25519":
        return Failure("page_signature.malformed", "the page signature needs tag and alg ed25519")
    key_id, created = params.get("keyid"), params.get("created")
    if not isinstance(key_id, str) or not isinstance(created, int) or isinstance(created, bool):
        return Failure("page_signature.malformed", "the page signature needs keyid and created")
    age = common.now_utc(now).timestamp() - created
    if age > MAX_AGE_SECONDS or age < -CLOCK_SKEW_SECONDS:
        return Failure("page_signature.expired", "the page signature is not fresh")
    key = keys.get(key_id)
    if key is None:
        return Failure("page_signature.key", "the page is not signed by the origin's own key")
    digest = sfv.parse_dictionary(headers.get("content-digest", ""))
    if isinstance(digest, Failure):
        return Failure("page_signature.digest", "cannot parse the Content-Digest header")
    sha = digest.get("sha-256")
    if not isinstance(sha, sfv.Item) or not isinstance(sha.value, bytes):
        return Failure("page_signature.digest", "the page has no SHA-256 Content-Digest")
    if hashlib.sha256(body).digest() != sha.value:
        return Failure("page_signature.digest", "the page does not match its Content-Digest")
    try:
        key.verify(sig.value, _base(inner, status, headers, request_url))
    except InvalidSignature:
        return Failure("page_signature.invalid", "the page signature does not verify")
    return key_id
