"""Offline JSON-LD: bundled contexts only, nothing fetched, and a fast path that skips pyld.

Real servers send compact JSON-LD under the ActivityStreams context, with extension
contexts (by URL or inline) for their own terms. Such documents are already in the shape
we read, so we never run the JSON-LD algorithms on them (pyld costs milliseconds per
document). Only documents whose context we cannot read as-is are compacted with pyld.

No context is ever fetched. We bundle the contexts the major implementations use; any
other context URL is an extension whose terms we ignore: it is treated as an empty
context, never refused. What we refuse is an inline context that would make the
document mean something other than what we read: ``id`` or ``type`` given another
meaning (or another term aliased to ``@id``/``@type``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from protocol import vocab
from protocol.result import Failure

LITEPUB = "https://pleroma.social/schemas/litepub-0.1.jsonld"
GOTOSOCIAL = "https://gotosocial.org/ns"
MASTODON = "http://joinmastodon.org/ns"
MISSKEY = "https://misskey-hub.net/ns"
PEERTUBE = "https://joinpeertube.org/ns"
FUNKWHALE = "https://funkwhale.audio/ns"
SCHEMA_ORG = "https://schema.org"

_OUR_FILES = {
    vocab.DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    vocab.DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
    vocab.MULTIKEY_V1: "multikey-v1.jsonld",
    vocab.IDENTITY_V1: "identity-v1.jsonld",  # Fedify's LD signatures (RsaSignature2017)
    # Extension contexts of other implementations, written from their documentation.
    GOTOSOCIAL: "gotosocial-ns.jsonld",  # also in every Fedify 2.x activity
    LITEPUB: "litepub-0.1.jsonld",  # Pleroma, Akkoma (each serves a copy on its own host)
    MASTODON: "mastodon-toot.jsonld",  # Mastodon sends these terms inline; some refer to it
    MISSKEY: "misskey-ns.jsonld",  # Misskey, Sharkey and forks (usually inline)
    PEERTUBE: "peertube-ns.jsonld",  # PeerTube (usually inline)
    FUNKWHALE: "funkwhale-ns.jsonld",
    SCHEMA_ORG: "schema-org.jsonld",  # only the schema.org terms the servers above use
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
    "https://w3id.org/security/v1.jsonld": vocab.SECURITY_V1,
    "https://gotosocial.org/ns#": GOTOSOCIAL,
    "http://litepub.social/litepub/context.jsonld": LITEPUB,
    "https://litepub.social/litepub/context.jsonld": LITEPUB,
    "https://litepub.social/context.jsonld": LITEPUB,
    "https://joinmastodon.org/ns": MASTODON,
    "http://joinmastodon.org/ns#": MASTODON,
    "https://misskey-hub.net/ns#": MISSKEY,
    "https://joinpeertube.org/ns#": PEERTUBE,
    "https://funkwhale.audio/ns#": FUNKWHALE,
    "http://schema.org": SCHEMA_ORG,
    "http://schema.org/": SCHEMA_ORG,
    "https://schema.org/": SCHEMA_ORG,
    "http://schema.org#": SCHEMA_ORG,
}
KNOWN_CONTEXTS = frozenset((*_OUR_FILES, *_PYLD_BUNDLED, *_ALIASES))
_EMPTY: dict = {"@context": {}}

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
_KEYWORD_TERMS = {"id": "@id", "type": "@type"}


@dataclass(frozen=True, slots=True)
class ContextOk:
    """The document's context is acceptable.

    ``fast`` means it can be read as-is; ``ignored`` are context URLs we do not bundle
    (read as empty contexts, never fetched); ``remapped`` are core terms an inline
    context maps away from their ActivityStreams meaning (pyld resolves those).
    """

    urls: tuple[str, ...]
    fast: bool
    ignored: tuple[str, ...] = ()
    remapped: tuple[str, ...] = ()


_OURS = ContextOk(tuple(c for c in vocab.CONTEXT if isinstance(c, str)), True)
_AS2_ONLY = ContextOk((vocab.AS2_CONTEXT,), True)


def canonical_url(url: str) -> str:
    if url in _ALIASES:
        return _ALIASES[url]
    if url.endswith("/schemas/litepub-0.1.jsonld"):
        parts = urlsplit(url)  # every Pleroma/Akkoma instance serves its own copy
        if parts.scheme in ("http", "https") and parts.path == "/schemas/litepub-0.1.jsonld":
            return LITEPUB
    return url


def is_bundled(url: str) -> bool:
    return canonical_url(url) in KNOWN_CONTEXTS


@lru_cache(maxsize=32)
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
    """pyld document loader that never fetches: bundled copies, else an empty context.

    An unknown context URL is an extension whose terms we ignore; it expands to nothing.
    """
    document = bundled_document(url)
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document if document is not None else _EMPTY,
    }


class _Scan:
    """What one walk over the inline parts of a context found."""

    __slots__ = ("fast", "ignored", "remapped")

    def __init__(self) -> None:
        self.fast = True
        self.ignored: list[str] = []
        self.remapped: list[str] = []


def _scan_context(value: Any, scan: _Scan, top: bool) -> Failure | None:
    """Walk a context value (URL, list, or definition object, with scoped contexts)."""
    stack: list[tuple[Any, bool]] = [(value, top)]
    while stack:
        node, at_top = stack.pop()
        if isinstance(node, str):
            if not is_bundled(node):
                scan.ignored.append(node)
            continue
        if isinstance(node, list):
            stack.extend((v, at_top) for v in node)
            continue
        if node is None:
            continue
        if not isinstance(node, dict):
            return Failure("jsonld.bad_context", "@context entries must be strings or objects")
        for term, definition in node.items():
            if term == "@import":
                stack.append((definition, False))
                continue
            if term in ("@vocab", "@base", "@propagate"):
                scan.fast = False
                continue
            if term.startswith("@"):
                continue  # @version, @language, @direction, @protected
            problem = _check_keyword_terms(term, definition)
            if problem is not None:
                return problem
            if isinstance(definition, dict) and "@context" in definition:
                stack.append((definition["@context"], False))
            if at_top and term in _CORE_TERMS and not _maps_to_as(term, definition):
                scan.fast = False
                scan.remapped.append(term)
    return None


def _check_keyword_terms(term: str, definition: object) -> Failure | None:
    """``id`` and ``type`` keep their keyword meaning, and nothing else takes it."""
    target = definition.get("@id") if isinstance(definition, dict) else definition
    if term in _KEYWORD_TERMS:
        if target != _KEYWORD_TERMS[term] or (
            isinstance(definition, dict) and set(definition) - {"@id"}
        ):
            return Failure(
                "jsonld.redefined_term", f"the context redefines {term!r}; it must stay @{term}"
            )
        return None
    if target in ("@id", "@type"):
        return Failure(
            "jsonld.redefined_term", f"the context makes {term[:100]!r} an alias of {target}"
        )
    return None


def _maps_to_as(term: str, value: object) -> bool:
    target = value.get("@id") if isinstance(value, dict) else value
    return target in (f"as:{term}", f"{vocab.AS_NS}{term}", f"@{term}")


def _embedded_contexts(doc: dict) -> list[Any]:
    """``@context`` values of objects nested inside ``doc`` (an embedded object's own)."""
    found: list[Any] = []
    stack: list[Any] = [v for k, v in doc.items() if k != "@context"]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            if "@context" in node:
                found.append(node["@context"])
            stack.extend(v for k, v in node.items() if k != "@context")
        elif type(node) is list:
            stack.extend(node)
    return found


def check_context(doc: dict) -> ContextOk | Failure:
    """Accept any context that leaves our reading intact; fetch nothing.

    Bundled URLs are used, other URLs are ignored (empty), inline definitions are
    checked: ``id``/``type`` may not be redefined anywhere in the document.
    """
    if not isinstance(doc, dict):
        return Failure("jsonld.not_object", "document is not a JSON object")
    context = doc.get("@context")
    embedded = _embedded_contexts(doc)
    if not embedded:
        if context is None:
            return ContextOk((), True)  # plain JSON; read with AS2 defaults
        if context == vocab.CONTEXT:
            return _OURS
        if context == vocab.AS2_CONTEXT:
            return _AS2_ONLY
    scan = _Scan()
    entries = context if isinstance(context, list) else [context]
    urls: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            if is_bundled(entry):
                urls.append(canonical_url(entry))
            else:
                scan.ignored.append(entry)
        elif isinstance(entry, dict):
            problem = _scan_context(entry, scan, top=True)
            if problem is not None:
                return problem
        elif entry is not None:
            return Failure("jsonld.bad_context", "@context entries must be strings or objects")
    for inner in embedded:
        problem = _scan_context(inner, scan, top=True)
        if problem is not None:
            return problem
    if embedded:
        scan.fast = False  # an embedded object's own context: let pyld apply it
    if urls and urls[0] != vocab.AS2_CONTEXT and vocab.AS2_CONTEXT in urls:
        scan.fast = False  # something is layered under AS2; let pyld resolve precedence
    return ContextOk(tuple(urls), scan.fast, tuple(scan.ignored), tuple(scan.remapped))


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
