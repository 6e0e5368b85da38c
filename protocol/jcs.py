"""JSON Canonicalization Scheme (RFC 8785), fast.

The rfc8785 library is the reference but is pure Python and slow on large documents.
For the common case the C ``json`` encoder produces identical bytes: keys sort the same
when they are ASCII, strings escape the same, integers print the same, and floats print
the same when they are non-integral and between 1e-4 and 1e16 (where Python's shortest
repr and ECMAScript's Number-to-string agree). A quick walk checks those conditions and
otherwise defers to rfc8785. A property test proves both paths agree.
"""

from __future__ import annotations

import json

import rfc8785

from protocol.result import Failure

_MAX_SAFE = 2**53 - 1
_ENCODE = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
).encode


def _fast_path_ok(value: object) -> bool:
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        kind = type(node)
        if kind is str or kind is bool or node is None:
            continue
        if kind is dict:
            for key, item in node.items():  # type: ignore[union-attr]
                if type(key) is not str or not key.isascii():
                    return False
                push(item)
        elif kind is list:
            push_all = stack.extend
            push_all(node)  # type: ignore[arg-type]
        elif kind is int:
            if not -_MAX_SAFE <= node <= _MAX_SAFE:  # type: ignore[operator]
                return False
        elif kind is float:
            size = abs(node)  # type: ignore[arg-type]
            if not (1e-4 <= size < 1e16) or node.is_integer():  # type: ignore[union-attr]
                return False
        else:
            return False
    return True


def canonicalize(value: object) -> bytes | Failure:
    """RFC 8785 bytes of ``value``; a Failure for values JSON cannot carry canonically."""
    if _fast_path_ok(value):
        try:
            return _ENCODE(value).encode("utf-8")
        except (ValueError, UnicodeEncodeError):
            pass
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError, TypeError, RecursionError) as exc:
        return Failure("jcs.invalid", f"cannot canonicalize: {type(exc).__name__}")
