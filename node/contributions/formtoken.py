"""The public form's CSRF guard: a signed token with a timestamp, in a hidden field.

The form has no account and no session, so there is no cookie to bind to; a
token that only this node can make (HMAC with a key derived from its private
key) and that expires proves the POST comes from a form this node served
recently, which is what stops cross-site posts and replayed old pages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

MAX_AGE_SECONDS = 4 * 3600
_LABEL = b"mediakring/contribute-form/v1"


def form_key(private_pem: str) -> bytes:
    """A key for this purpose only, derived from the node's Ed25519 private key."""
    return hmac.new(private_pem.encode(), _LABEL, hashlib.sha256).digest()


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(key: bytes, now: float | None = None) -> str:
    payload = f"{int(now if now is not None else time.time())}.{secrets.token_urlsafe(12)}"
    return f"{payload}.{_mac(key, payload)}"


def check_token(key: bytes, token: str | None, now: float | None = None) -> str | None:
    """None when the token is valid; otherwise the reason it is not."""
    if not token or token.count(".") != 2:
        return "missing"
    stamp, nonce, mac = token.split(".")
    if not hmac.compare_digest(mac, _mac(key, f"{stamp}.{nonce}")):
        return "forged"
    try:
        age = (now if now is not None else time.time()) - int(stamp)
    except ValueError:
        return "forged"
    if age < -60 or age > MAX_AGE_SECONDS:
        return "expired"
    return None
