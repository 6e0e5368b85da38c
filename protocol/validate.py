"""Inbound documents: size and depth limits, shape per activity type, origin consistency.

Remote input is hostile until checked. ``parse_json`` bounds bytes and nesting (depth is
measured iteratively, so hostile nesting can never raise RecursionError);
``validate_activity`` checks required fields per type and that the activity and its actor
share a host. An embedded object from another host is not trusted as-is: it is reduced to
its id (``object_trusted=False``) and the receiver must fetch it from its origin.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from protocol import jsonld, vocab
from protocol.result import Failure
from protocol.sanitize import sanitize_html

MAX_BYTES = 1_048_576
MAX_DEPTH = 32
_DEFAULT_PORTS = {"https": 443, "http": 80}
_NEEDS_OBJECT = vocab.ACTIVITY_TYPES
_NEEDS_TARGET = frozenset({"Add", "Remove"})
_HTML_FIELDS = ("content", "summary")


@dataclass(frozen=True, slots=True)
class Activity:
    """A structurally valid activity. ``object`` is sanitised; ``raw`` is the original."""

    id: str
    type: str
    actor: str
    object: str | dict | None
    object_id: str | None
    object_type: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    raw: dict = field(repr=False)
    object_trusted: bool = True
    target: str | None = None
    objects: tuple[str, ...] = ()

    @property
    def is_public(self) -> bool:
        return vocab.AS_PUBLIC in self.to or vocab.AS_PUBLIC in self.cc


@dataclass(frozen=True, slots=True)
class ObjectDoc:
    """A structurally valid object fetched or embedded (Note, Video, …), sanitised."""

    id: str
    type: str
    attributed_to: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    object: dict = field(repr=False)
    raw: dict = field(repr=False)


def host_of(url: str) -> str:
    """``host[:port]`` in lower case, default ports dropped; "" for anything not http(s).

    Most URLs (every activity and object id) are distinct, so a cache does not help them;
    the plain shape ``http(s)://lower-case-host[:port]/...`` is cut out by hand instead
    of by ``urlsplit``, and anything else goes the ``urlsplit`` way.  A property test
    checks both ways agree.
    """
    if not isinstance(url, str):
        return ""
    if url.startswith("https://"):
        default, start = "443", 8
    elif url.startswith("http://"):
        default, start = "80", 7
    else:
        return _host_of(url)
    end = len(url)
    for sep in "/?#":
        found = url.find(sep, start, end)
        if found != -1:
            end = found
    authority = url[start:end]
    match = _PLAIN_AUTHORITY.fullmatch(authority)
    if match is None:
        return _host_of(url)
    port = match.group(2)
    if port is None:
        return authority
    if port == default:
        return match.group(1)
    return authority


#: A lower-case host name or IPv4 address and a port without leading zeros (<= 65535 is
#: checked by length and value below); anything else (userinfo, IPv6, upper case,
#: percent signs, whitespace, empty or odd ports) is left to ``urlsplit``.
_PLAIN_AUTHORITY = re.compile(
    r"([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)"
    r"(?::([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
)


@lru_cache(maxsize=8192)
def _host_of(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return ""
    host = parts.hostname.lower()
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        return f"{host}:{port}"
    return host


def depth_of(value: Any, limit: int = 10_000) -> int:
    """Nesting depth of a JSON value, computed with an explicit stack (stops past ``limit``)."""
    deepest = 0
    stack = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        if type(node) is dict:
            for item in node.values():
                if type(item) is dict or type(item) is list:
                    push((item, depth + 1))
        elif type(node) is list:
            for item in node:
                if type(item) is dict or type(item) is list:
                    push((item, depth + 1))
    return deepest


def parse_json(
    body: bytes, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> dict | Failure:
    """Bytes → JSON object, refusing oversized, non-JSON, non-object and too-deep input."""
    if not isinstance(body, bytes | bytearray | str):
        return Failure("json.invalid", "body must be bytes")
    if len(body) > max_bytes:
        return Failure("json.too_large", f"document of {len(body)} bytes exceeds {max_bytes}")
    try:
        doc = json.loads(body)
    except RecursionError:
        return Failure("json.too_deep", "document nesting is too deep")
    except (ValueError, UnicodeDecodeError) as exc:
        return Failure("json.invalid", f"not JSON: {str(exc)[:120]}")
    if not isinstance(doc, dict):
        return Failure("json.not_object", "document is not a JSON object")
    opened = body.count(b"{") + body.count(b"[") if isinstance(body, bytes | bytearray) else None
    if (opened is None or opened > max_depth) and depth_of(doc, max_depth) > max_depth:
        return Failure("json.too_deep", f"document nesting exceeds {max_depth}")
    return doc


def check_context(doc: dict) -> jsonld.ContextOk | Failure:
    """Known contexts pass (fast path); a context URL we don't bundle is refused."""
    return jsonld.check_context(doc)


def _ref(value: Any) -> str | None:
    """An id from a string or an object with an id (first one for lists)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def _audience(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    out = []
    for item in items:
        ref = _ref(item) if not isinstance(item, str) else item
        if ref:
            out.append(vocab.AS_PUBLIC if ref in vocab.PUBLIC_ALIASES else ref)
    return tuple(out)


def _type_of(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else None
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str)), None)
    return kind if isinstance(kind, str) else None


def sanitize_object(obj: dict) -> dict:
    """A shallow copy with ``content``/``summary``/``contentMap`` HTML sanitised."""
    out = dict(obj)
    done: dict[str, str] = {}
    for name in _HTML_FIELDS:
        value = out.get(name)
        if isinstance(value, str):
            out[name] = done[value] = sanitize_html(value)
        elif value is not None:
            out[name] = None
    for name in ("contentMap", "summaryMap"):
        if isinstance(out.get(name), dict):
            out[name] = {
                k: done[v] if v in done else sanitize_html(v)
                for k, v in out[name].items()
                if isinstance(v, str)
            }
    if isinstance(out.get("name"), str):
        out["name"] = out["name"][:1000]
    return out


def _normalise(doc: dict) -> dict | Failure:
    ctx = jsonld.check_context(doc)
    if isinstance(ctx, Failure):
        return ctx
    if ctx.fast:
        return doc
    return jsonld.compact(doc)


def validate_activity(doc: dict) -> Activity | Failure:
    """Shape and origin checks for one inbound activity; never raises on any JSON value."""
    if not isinstance(doc, dict):
        return Failure("activity.not_object", "activity is not a JSON object")
    normal = _normalise(doc)
    if isinstance(normal, Failure):
        return normal
    kind = _type_of(normal)
    if kind is None:
        return Failure("activity.missing_field", "activity has no type")
    if kind not in vocab.ACTIVITY_TYPES:
        return Failure("activity.unknown_type", f"activity type {kind!r} is not handled")
    activity_id, actor = normal.get("id"), _ref(normal.get("actor"))
    if not isinstance(activity_id, str) or not host_of(activity_id):
        return Failure("activity.missing_field", "activity id must be an http(s) URL")
    if not actor or not host_of(actor):
        return Failure("activity.missing_field", "actor must be an http(s) URL")
    origin = host_of(actor)
    if host_of(activity_id) != origin:
        return Failure("activity.origin", f"activity id host differs from actor host {origin}")
    raw_object = normal.get("object")
    if kind in _NEEDS_OBJECT and raw_object is None:
        return Failure("activity.missing_field", f"{kind} needs an object")
    objects = _objects(raw_object)
    if isinstance(objects, Failure):
        return objects
    obj, object_id, object_type, trusted = _embedded(raw_object, origin)
    if isinstance(obj, Failure):
        return obj
    if kind in ("Create", "Update") and isinstance(raw_object, dict):
        if object_type is None or object_id is None:
            return Failure("activity.missing_field", f"{kind} object needs an id and a type")
    target = _ref(normal.get("target"))
    if kind in _NEEDS_TARGET and target is None:
        return Failure("activity.missing_field", f"{kind} needs a target")
    return Activity(
        activity_id,
        kind,
        actor,
        obj,
        object_id,
        object_type,
        _audience(normal.get("to")),
        _audience(normal.get("cc")),
        doc,
        trusted,
        target,
        objects,
    )


def _objects(value: Any) -> tuple[str, ...] | Failure:
    items = value if isinstance(value, list) else [value] if value is not None else []
    out = []
    for item in items:
        ref = _ref(item)
        if ref is None and not isinstance(item, dict):
            return Failure("activity.bad_object", "object must be a URL or an object")
        if ref is not None:
            out.append(ref)
    return tuple(out)


def _embedded(value: Any, origin: str) -> tuple[Any, str | None, str | None, bool]:
    if isinstance(value, list):  # Flag lists several objects; keep the first as the object
        value = value[0] if value else None
    if value is None or isinstance(value, str):
        return value, value, None, True
    if not isinstance(value, dict):
        return (
            Failure("activity.bad_object", "object must be a URL or an object"),
            None,
            None,
            False,
        )
    object_id = value.get("id")
    if object_id is not None and not isinstance(object_id, str):
        return Failure("activity.bad_object", "object id must be a string"), None, None, False
    object_type = _type_of(value)
    if object_id is not None and host_of(object_id) != origin:
        return object_id, object_id, object_type, False
    return sanitize_object(value), object_id, object_type, True


def validate_object(doc: dict) -> ObjectDoc | Failure:
    """Shape checks for a fetched object (a Note, a PeerTube Video, one of our items)."""
    if not isinstance(doc, dict):
        return Failure("object.not_object", "object is not a JSON object")
    normal = _normalise(doc)
    if isinstance(normal, Failure):
        return normal
    kind, object_id = _type_of(normal), normal.get("id")
    if kind is None:
        return Failure("object.missing_field", "object has no type")
    if not isinstance(object_id, str) or not host_of(object_id):
        return Failure("object.missing_field", "object id must be an http(s) URL")
    attributed = _ref(normal.get("attributedTo"))
    if attributed is not None and host_of(attributed) != host_of(object_id):
        return Failure("object.origin", "attributedTo is on another host than the object")
    return ObjectDoc(
        object_id,
        kind,
        attributed,
        _audience(normal.get("to")),
        _audience(normal.get("cc")),
        sanitize_object(normal),
        doc,
    )


def validate_document(doc: dict) -> Activity | ObjectDoc | Failure:
    """Activities by type, anything else as an object."""
    if isinstance(doc, dict) and _type_of(doc) in vocab.ACTIVITY_TYPES:
        return validate_activity(doc)
    return validate_object(doc)
