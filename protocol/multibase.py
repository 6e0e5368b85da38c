"""Base58btc and multibase ("z" prefix), small enough to own instead of depending on.

Used for Multikey public keys (FEP-521a), Data Integrity proof values and media digests.
"""

from __future__ import annotations

from protocol.result import Failure

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(ALPHABET)}
_MAX_DECODE_CHARS = 512  # generous for keys, signatures and digests; bounds the work


def b58encode(data: bytes) -> str:
    """Bitcoin-alphabet base58: leading zero bytes become leading '1's."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(ALPHABET[rest])
    return "1" * zeros + "".join(reversed(out))


_ALPHASET = frozenset(ALPHABET)
_POW58 = [58**n for n in range(11)]


def b58decode(text: str) -> bytes | Failure:
    """Inverse of :func:`b58encode`; refuses characters outside the alphabet.

    Digits are folded ten at a time into a small int before touching the big number,
    which makes decoding a 64-byte signature several times faster (proof hot path).
    """
    if len(text) > _MAX_DECODE_CHARS:
        return Failure("multibase.too_long", "base58 value is too long")
    if not _ALPHASET.issuperset(text):
        bad = next(c for c in text if c not in _ALPHASET)
        return Failure("multibase.invalid", f"character {bad!r} is not base58btc")
    index = _INDEX
    number = 0
    for start in range(0, len(text), 10):
        chunk = text[start : start + 10]
        value = 0
        for char in chunk:
            value = value * 58 + index[char]
        number = number * _POW58[len(chunk)] + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode(data: bytes) -> str:
    """Multibase base58btc: ``"z" + base58btc(data)``."""
    return "z" + b58encode(data)


def decode(value: str) -> bytes | Failure:
    """Decode a ``z``-prefixed multibase string; other bases are refused."""
    if not isinstance(value, str) or not value.startswith("z"):
        return Failure("multibase.unsupported", "expected a base58btc multibase value ('z…')")
    return b58decode(value[1:])
