"""Collection pages decoded in two steps: the page, then each item on its own.

A back-fill page is ~1.5 MB of listings.  :func:`parse_page` decodes only the page's
own fields and leaves each item of ``orderedItems`` / ``items`` as its exact JSON bytes
(found by a C scanner, not decoded); :func:`decode_item` then decodes one item.  The
receiver so decodes every listing once, in a worker thread, can refuse one malformed
listing without losing the page, and stores the bytes it received as the listing's
document instead of encoding the decoded object again (the two are the same JSON).

Strict RFC 8259 JSON (no NaN, valid UTF-8); nesting too deep for the decoder is a
RecursionError, answered as invalid JSON; every error is a Failure.
"""

from __future__ import annotations

from typing import Any

import msgspec

from protocol.result import Failure

#: Page fields whose items are kept as raw JSON bytes.
ITEM_LISTS = ("orderedItems", "items")

_fields = msgspec.json.Decoder(dict[str, msgspec.Raw])
_raw_list = msgspec.json.Decoder(list[msgspec.Raw])
_any = msgspec.json.Decoder()


def _page(body: bytes | memoryview, nested: bool) -> dict | Failure:
    try:
        fields = _fields.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return Failure("page.json", "the page is not a JSON object")
    page: dict[str, Any] = {}
    for name, field in fields.items():
        raw = memoryview(field)
        try:
            if name in ITEM_LISTS:
                page[name] = [bytes(item) for item in _raw_list.decode(raw)]
            elif name == "first" and not nested and bytes(raw[:1]) == b"{":
                first = _page(bytes(raw), True)
                if isinstance(first, Failure):
                    return first
                page[name] = first
            else:
                page[name] = _any.decode(raw)
        except (msgspec.DecodeError, RecursionError):
            return Failure("page.json", f"page field {name[:50]!r} is not valid JSON")
    return page


def parse_page(body: bytes) -> dict | Failure:
    """The page object with each item of its item lists (and of an embedded ``first``
    page) left as raw JSON bytes; or why the body is no JSON object."""
    return _page(body, False)


def decode_item(raw: bytes) -> dict | Failure:
    """One raw item as an object, or why not."""
    try:
        value = _any.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return Failure("page.item_json", "the item is not valid JSON")
    if not isinstance(value, dict):
        return Failure("page.item_json", "the item is not a JSON object")
    return value


def decode_listing(raw: bytes) -> dict | Failure:
    """One raw item as an object *to read fields from*, leaving out what a reader of a
    vouched-for listing never reads: the top-level ``@context`` and the proof's copy of
    it (together most of a listing's bytes).  The stored document is ``raw`` itself;
    this object is for mapping only, never stored or re-signed.

    A listing without those copies (what our own pages serve) is decoded in one step,
    which costs a third of decoding it field by field."""
    if b'"@context"' not in raw:
        value = decode_item(raw)
        if isinstance(value, dict):
            value.pop("@context", None)  # spelled with an escape: dropped all the same
            proof = value.get("proof")
            if isinstance(proof, dict):
                proof.pop("@context", None)
        return value
    try:
        fields = _fields.decode(raw)
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "@context":
                continue
            if name == "proof" and bytes(memoryview(value)[:1]) == b"{":
                proof = _fields.decode(value)
                out[name] = {k: _any.decode(v) for k, v in proof.items() if k != "@context"}
            else:
                out[name] = _any.decode(value)
    except (msgspec.DecodeError, RecursionError):
        return Failure("page.item_json", "the item is not a JSON object")
    return out
