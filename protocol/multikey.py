"""Multikey (FEP-521a / W3C Controller Documents): Ed25519 public keys as ``z6Mk…``.

The multicodec prefix 0xed 0x01 marks an Ed25519 public key; after base58btc the
prefix makes every such key start with ``z6Mk``.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from protocol import multibase
from protocol.result import Failure

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


def encode_ed25519(public_key: ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey) -> str:
    """The ``publicKeyMultibase`` value of an Ed25519 key."""
    if isinstance(public_key, ed25519.Ed25519PrivateKey):
        public_key = public_key.public_key()
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase.encode(ED25519_PUB_PREFIX + raw)


@lru_cache(maxsize=4096)
def decode_ed25519(value: str) -> ed25519.Ed25519PublicKey | Failure:
    """Parse ``publicKeyMultibase``; anything but a 32-byte Ed25519 key is refused (cached)."""
    raw = multibase.decode(value)
    if isinstance(raw, Failure):
        return raw
    if raw[:2] != ED25519_PUB_PREFIX:
        return Failure("multikey.unsupported", "multikey is not an Ed25519 public key (0xed01)")
    if len(raw) != 34:
        return Failure("multikey.malformed", f"Ed25519 key must be 32 bytes, got {len(raw) - 2}")
    return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])


def decode_ed25519_secret(value: str) -> ed25519.Ed25519PrivateKey | Failure:
    """Parse a ``secretKeyMultibase`` (0x8026 prefix); used for published test vectors."""
    raw = multibase.decode(value)
    if isinstance(raw, Failure):
        return raw
    if raw[:2] != ED25519_PRIV_PREFIX or len(raw) != 34:
        return Failure("multikey.unsupported", "not an Ed25519 secret key multikey")
    return ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:])


def multikey_document(key_id: str, controller: str, public_key) -> dict:
    """The Multikey object an actor lists under ``assertionMethod`` (FEP-521a)."""
    return {
        "id": key_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": encode_ed25519(public_key),
    }
