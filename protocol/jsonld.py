"""Offline JSON-LD: bundled contexts only, and a fast path that skips pyld.

Real servers send compact JSON-LD under the ActivityStreams context, perhaps with a few
inline term definitions. Such documents are already in the shape we read, so we never
run the JSON-LD algorithms on them (pyld costs milliseconds per document). Only documents
whose context we cannot vouch for are compacted with pyld, with a document loader that
serves the bundled contexts and refuses every other URL with a reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from protocol import vocab
from protocol.result import Failure

_OUR_FILES = {
    vocab.DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    vocab.DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
    vocab.MULTIKEY_V1: "multikey-v1.jsonld",
    vocab.IDENTITY_V1: "identity-v1.jsonld",  # Fedify's LD signatures (RsaSignature2017)
}
_PYLD_BUNDLED = (
    vocab.AS2_CONTEXT,
    vocab.SECURITY_V1,
    "https://w3id.org/security/v2",
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
)
_ALIASES = {
    "http://www.w3.org/ns/activitystreams": vocab.AS2_CONTEXT,
    "https://www.w3.org/ns/activitystreams#": vocab.AS2_CONTEXT,
    "https://www.w3.org/ns/activitystreams.jsonld": vocab.AS2_CONTEXT,
    "http://w3id.org/security/v1": vocab.SECURITY_V1,
}
KNOWN_CONTEXTS = frozenset((*_OUR_FILES, *_PYLD_BUNDLED, *_ALIASES))

# Terms we read directly; an inline context that maps one elsewhere forces the slow path.
_CORE_TERMS = frozenset(
    {
        "id",
        "type",
        "actor",
        "object",
        "target",
        "to",
        "cc",
        "bto",
        "bcc",
        "audience",
        "attributedTo",
        "content",
        "name",
        "summary",
        "url",
        "attachment",
        "tag",
        "icon",
        "inReplyTo",
        "published",
        "updated",
        "mediaType",
        "href",
        "width",
        "height",
        "duration",
        "origin",
        "result",
        "items",
        "orderedItems",
        "first",
        "next",
    }
)


@dataclass(frozen=True, slots=True)
class ContextOk:
    """The document's context is acceptable; ``fast`` means it can be read as-is."""

    urls: tuple[str, ...]
    fast: bool


_OURS = ContextOk(tuple(c for c in vocab.CONTEXT if isinstance(c, str)), True)
_AS2_ONLY = ContextOk((vocab.AS2_CONTEXT,), True)


def canonical_url(url: str) -> str:
    return _ALIASES.get(url, url)


@lru_cache(maxsize=16)
def bundled_document(url: str) -> dict | None:
    """The bundled copy of a context URL, read lazily on first use (or None if unknown)."""
    url = canonical_url(url)
    if url in _OUR_FILES:
        text = resources.files("protocol.contexts").joinpath(_OUR_FILES[url]).read_text("utf-8")
        return json.loads(text)
    if url in _PYLD_BUNDLED:
        from pyld.documentloader.frozen import BUNDLED_CONTEXTS

        return json.loads(BUNDLED_CONTEXTS[url].read_text(encoding="utf-8"))
    return None


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld document loader: bundled contexts only; every other URL raises with a reason."""
    from pyld.jsonld import JsonLdError

    document = bundled_document(url)
    if document is None:
        raise JsonLdError(
            f"refusing to load remote context {url!r}: only bundled contexts are allowed",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


def _inline_is_plain(entry: dict) -> Failure | bool:
    """Failure if an inline context would load a URL; False if it remaps a core term."""
    fast = True
    stack: list[Any] = [entry]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key in ("@import", "@context") and isinstance(value, str):
                if canonical_url(value) not in KNOWN_CONTEXTS:
                    return Failure("jsonld.remote_context", f"context {value!r} is not bundled")
            if key in ("@context", "@import") and isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, dict))
                for v in value:
                    if isinstance(v, str) and canonical_url(v) not in KNOWN_CONTEXTS:
                        return Failure("jsonld.remote_context", f"context {v!r} is not bundled")
            if isinstance(value, dict):
                stack.append(value)
            if node is entry and key in _CORE_TERMS and not _maps_to_as(key, value):
                fast = False
            if node is entry and key in ("@vocab", "@base", "@propagate"):
                fast = False
    return fast


def _maps_to_as(term: str, value: object) -> bool:
    target = value.get("@id") if isinstance(value, dict) else value
    return target in (f"as:{term}", f"{vocab.AS_NS}{term}", f"@{term}")


def check_context(doc: dict) -> ContextOk | Failure:
    """Accept bundled context URLs and inline definitions; refuse anything we'd have to fetch."""
    if not isinstance(doc, dict):
        return Failure("jsonld.not_object", "document is not a JSON object")
    context = doc.get("@context")
    if context is None:
        return ContextOk((), True)  # plain JSON; read with AS2 defaults
    if context == vocab.CONTEXT:
        return _OURS
    if context == vocab.AS2_CONTEXT:
        return _AS2_ONLY
    entries = context if isinstance(context, list) else [context]
    urls: list[str] = []
    fast = True
    for entry in entries:
        if isinstance(entry, str):
            if canonical_url(entry) not in KNOWN_CONTEXTS:
                return Failure("jsonld.remote_context", f"context {entry!r} is not bundled")
            urls.append(canonical_url(entry))
        elif isinstance(entry, dict):
            plain = _inline_is_plain(entry)
            if isinstance(plain, Failure):
                return plain
            fast = fast and plain
        elif entry is not None:
            return Failure("jsonld.bad_context", "@context entries must be strings or objects")
    if urls and urls[0] != vocab.AS2_CONTEXT and vocab.AS2_CONTEXT in urls:
        fast = False  # something is layered under AS2; let pyld resolve precedence
    return ContextOk(tuple(urls), fast)


def compact(doc: dict) -> dict | Failure:
    """Slow path: compact ``doc`` into our own context with pyld (offline)."""
    from pyld import jsonld
    from pyld.jsonld import JsonLdError

    try:
        out = jsonld.compact(
            doc, {"@context": vocab.CONTEXT}, options={"documentLoader": document_loader}
        )
    except JsonLdError as exc:
        return Failure("jsonld.invalid", f"JSON-LD processing failed: {str(exc)[:200]}")
    except (RecursionError, ValueError, TypeError, KeyError) as exc:
        return Failure("jsonld.invalid", f"JSON-LD processing failed: {type(exc).__name__}")
    return out


def expand(doc: dict) -> list | Failure:
    """Expanded form (used in tests to prove our context is well-formed offline)."""
    from pyld import jsonld
    from pyld.jsonld import JsonLdError

    try:
        return jsonld.expand(doc, options={"documentLoader": document_loader})
    except JsonLdError as exc:
        return Failure("jsonld.invalid", f"JSON-LD processing failed: {str(exc)[:200]}")
