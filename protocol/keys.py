"""Key generation and PEM (de)serialisation.

Parsing a PEM costs far more than verifying one signature, so :func:`load_public_pem`
is cached: remote actors' keys are looked up on every inbound request.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from protocol.result import Failure

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey


def generate_rsa(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A new RSA key, the kind Mastodon and most of the fediverse expect for HTTP signatures."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def generate_ed25519() -> ed25519.Ed25519PrivateKey:
    """A new Ed25519 key, used for object proofs (FEP-8b32) and RFC 9421 signatures."""
    return ed25519.Ed25519PrivateKey.generate()


def private_pem(key: PrivateKey) -> str:
    """PKCS#8 PEM without encryption (the node stores it in its own protected data dir)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_pem(key: PrivateKey | PublicKey) -> str:
    """SubjectPublicKeyInfo PEM, as published in an actor's ``publicKey.publicKeyPem``."""
    if isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        key = key.public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_private_pem(pem: str) -> PrivateKey | Failure:
    """Parse a private key we generated; anything but RSA or Ed25519 is refused."""
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        return Failure("key.malformed", f"cannot parse private key: {exc}")
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        return Failure("key.unsupported", f"unsupported private key type {type(key).__name__}")
    return key


@lru_cache(maxsize=4096)
def load_public_pem(pem: str) -> PublicKey | Failure:
    """Parse a remote actor's public key (cached; keys are immutable objects)."""
    if not isinstance(pem, str):
        return Failure("key.malformed", "public key PEM must be a string")
    try:
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        return Failure("key.malformed", f"cannot parse public key: {exc}")
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        return Failure("key.unsupported", f"unsupported public key type {type(key).__name__}")
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
        return Failure("key.weak", f"RSA key of {key.key_size} bits is too small")
    return key
