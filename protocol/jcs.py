"""JSON Canonicalization Scheme (RFC 8785), fast.

The rfc8785 library is the reference but is pure Python and slow on large documents.
For the common case the C ``json`` encoder produces identical bytes: strings escape the
same, integers print the same, keys sort the same unless characters beyond the BMP are
involved, and floats print the same when they are non-integral and between 1e-4 and 1e16
(where Python's shortest repr and ECMAScript's Number-to-string agree). The encoder's output
is scanned for anything outside those conditions (a float printed as "1.0" or with an
exponent, a 16-digit integer, an astral character) and then the rfc8785 reference
implementation is used instead. Property tests prove both paths agree.
"""

from __future__ import annotations

import json
from functools import lru_cache

import rfc8785

from protocol import vocab
from protocol.result import Failure

_ENCODE = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
).encode


# Where the C encoder could differ from RFC 8785: integral floats ("1.0"), exponent
# floats ("1e-05", "1e+16"), integers beyond 2**53 (16+ digits) and characters beyond the
# BMP (UTF-16 key order). After mapping digits 1-9 to "1", "]" and "}" to "," and "+"
# to "-", each case is a plain byte search (a regex would cost more than the encoding).
# They may also fire inside strings; a false alarm only costs the slow path.
_NORMALISE = bytes.maketrans(b"23456789]}+", b"11111111,,-")
_ALL_DIGITS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_SIXTEEN_DIGITS = b"0" * 16
_NOT_ASTRAL_LEAD = bytes(b for b in range(256) if not 0xF0 <= b <= 0xF4)


def _fast(value: object) -> bytes | None:
    """The C encoder's output when it provably equals RFC 8785 for ``value``, else None."""
    try:
        text = _ENCODE(value)
        data = text.encode("utf-8")
    except (ValueError, TypeError, RecursionError, UnicodeEncodeError):
        return None
    shape = data.translate(_NORMALISE)
    if shape.endswith(b".0") or b".0," in shape or b"e-0" in shape or b"e-1" in shape:
        return None
    if _SIXTEEN_DIGITS in data.translate(_ALL_DIGITS_ZERO):
        return None
    if not text.isascii() and data.translate(None, _NOT_ASTRAL_LEAD):
        return None
    return data


@lru_cache(maxsize=1)
def _our_context() -> bytes:
    return rfc8785.dumps(vocab.CONTEXT)


def _splice_context(value: dict) -> bytes | Failure | None:
    """Our @context is the bulk of every document we sign; its canonical bytes are fixed.

    When the document carries exactly our context and every other key sorts after
    ``@context``, the canonical form is the cached context bytes spliced in front.
    """
    rest = {k: v for k, v in value.items() if k != "@context"}
    if not rest or not all(type(k) is str and k > "@context" for k in rest):
        return None
    tail = canonicalize(rest)
    if isinstance(tail, Failure):
        return tail
    return b'{"@context":' + _our_context() + b"," + tail[1:]


def _keys_are_strings(value: object) -> bool:
    """The C encoder silently turns int/float/bool keys into strings; RFC 8785 refuses them.

    Parsed JSON only ever has string keys, so only the top level is checked here; nested
    non-string keys can only come from Python callers building documents by hand.
    """
    return type(value) is not dict or all(type(k) is str for k in value)  # type: ignore[union-attr]


def canonicalize(value: object) -> bytes | Failure:
    """RFC 8785 bytes of ``value``; a Failure for values JSON cannot carry canonically."""
    if type(value) is dict and value.get("@context") == vocab.CONTEXT:
        spliced = _splice_context(value)  # type: ignore[arg-type]
        if spliced is not None:
            return spliced
    if _keys_are_strings(value):
        fast = _fast(value)
        if fast is not None:
            return fast
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError, TypeError, RecursionError) as exc:
        return Failure("jcs.invalid", f"cannot canonicalize: {type(exc).__name__}")
