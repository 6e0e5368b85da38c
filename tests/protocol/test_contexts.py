"""Context policy: bundled extension contexts, unknown URLs ignored, none fetched,
``id``/``type`` never redefined."""

from __future__ import annotations

import json
import socket

import pytest

from protocol import jsonld, vocab
from protocol.result import Failure
from protocol.validate import Activity, check_context, validate_activity

ACTOR = "https://stad.example/actor"
AS = vocab.AS2_CONTEXT


def like(context) -> dict:
    return {"@context": context, "id": "https://stad.example/likes/1", "type": "Like",
            "actor": ACTOR, "object": "https://omroep.example/i/1"}  # fmt: skip


def create(context, **obj) -> dict:
    return {"@context": context, "id": "https://stad.example/c/1", "type": "Create",
            "actor": ACTOR, "object": {"id": "https://stad.example/n/1", "type": "Note",
                                       "attributedTo": ACTOR, "content": "hoi", **obj}}  # fmt: skip


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test (proves nothing is fetched)."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


BUNDLED = [
    jsonld.GOTOSOCIAL,
    jsonld.LITEPUB,
    "https://akkoma.example/schemas/litepub-0.1.jsonld",
    "http://litepub.social/litepub/context.jsonld",
    jsonld.MASTODON,
    jsonld.MISSKEY,
    jsonld.PEERTUBE,
    jsonld.FUNKWHALE,
    "http://schema.org",
    vocab.SECURITY_V1,
    "https://www.w3.org/ns/did/v1",
    vocab.DATA_INTEGRITY_V1,
    vocab.DATA_INTEGRITY_V2,
]


@pytest.mark.parametrize("url", BUNDLED)
def test_implementation_contexts_are_bundled(url, no_network) -> None:
    document = jsonld.bundled_document(url)
    assert isinstance(document, dict) and "@context" in document
    ok = check_context(like([AS, url]))
    assert isinstance(ok, jsonld.ContextOk) and ok.fast and not ok.ignored
    expanded = jsonld.expand(like([AS, url]))
    assert isinstance(expanded, list) and expanded[0]["@type"] == [vocab.AS_NS + "Like"]


def test_bundled_extensions_keep_the_core_terms() -> None:
    """No bundled extension context gives id, type or a term we read another meaning."""
    for url in (jsonld.GOTOSOCIAL, jsonld.LITEPUB, jsonld.MASTODON, jsonld.MISSKEY,
                jsonld.PEERTUBE, jsonld.FUNKWHALE, jsonld.SCHEMA_ORG):  # fmt: skip
        ctx = jsonld.bundled_document(url)["@context"]
        for entry in ctx if isinstance(ctx, list) else [ctx]:
            if isinstance(entry, dict):
                for term, definition in entry.items():
                    assert jsonld._check_keyword_terms(term, definition) is None, (url, term)
                    if term in jsonld._CORE_TERMS:
                        assert jsonld._maps_to_as(term, definition), (url, term)


def test_gotosocial_terms_expand_to_their_namespace(no_network) -> None:
    doc = create([AS, jsonld.GOTOSOCIAL],
                 interactionPolicy={"canReply": {"always": [vocab.AS_PUBLIC]}})  # fmt: skip
    text = json.dumps(jsonld.expand(doc))
    assert "https://gotosocial.org/ns#interactionPolicy" in text
    assert "https://gotosocial.org/ns#canReply" in text


@pytest.mark.parametrize(
    "context",
    [
        "https://unknown.example/context.jsonld",
        [AS, "https://unknown.example/ns"],
        [AS, {"@import": "https://unknown.example/ns"}],
        [AS, {"thing": {"@id": "ex:thing", "@context": "https://unknown.example/x"}}],
        [AS, "https://unknown.example/ns", {"ex": "https://ex.example/#", "colour": "ex:c"}],
    ],
)
def test_unknown_context_is_ignored_not_refused(context, no_network) -> None:
    doc = like(context)
    ok = check_context(doc)
    assert isinstance(ok, jsonld.ContextOk), ok
    assert any("unknown.example" in url for url in ok.ignored)
    result = validate_activity(doc)
    assert isinstance(result, Activity), result
    assert (result.type, result.actor) == ("Like", ACTOR)


def test_mixed_unknown_url_and_inline_terms_expand(no_network) -> None:
    inline = {"ex": "https://ex.example/#", "colour": "ex:colour"}
    doc = create([AS, "https://unknown.example/ns", inline], colour="red")
    [expanded] = jsonld.expand(doc)
    assert expanded["@type"] == [vocab.AS_NS + "Create"]
    [obj] = expanded[vocab.AS_NS + "object"]
    assert obj["https://ex.example/#colour"] == [{"@value": "red"}]


def test_loader_serves_an_empty_context_for_unknown_urls(no_network) -> None:
    loaded = jsonld.document_loader("https://unknown.example/ctx", {})
    assert loaded["document"] == {"@context": {}}
    assert jsonld.document_loader(jsonld.GOTOSOCIAL, {})["document"]["@context"]["gts"]


@pytest.mark.parametrize(
    "context",
    [
        [AS, {"type": "http://evil.example/t"}],
        [AS, {"type": None}],
        [AS, {"id": None}],
        [AS, {"id": "http://evil.example/id"}],
        [AS, {"type": {"@id": "@type", "@container": "@set"}}],
        [AS, {"kind": "@type"}],
        [AS, {"ident": {"@id": "@id"}}],
        [AS, {"thing": {"@id": "ex:t", "@context": {"type": "http://evil.example/t"}}}],
        [AS, "https://unknown.example/ns", {"@import": AS, "id": None}],
    ],
)
def test_context_redefining_id_or_type_is_refused(context) -> None:
    doc = create(context)
    result = check_context(doc)
    assert isinstance(result, Failure) and result.code == "jsonld.redefined_term", result
    assert "redefines" in result.detail or "alias" in result.detail
    assert isinstance(validate_activity(doc), Failure)


def test_embedded_object_context_redefining_type_is_refused() -> None:
    doc = create(AS)
    doc["object"]["@context"] = {"type": "http://evil.example/t"}
    result = check_context(doc)
    assert isinstance(result, Failure) and result.code == "jsonld.redefined_term"


def test_keyword_terms_restated_as_keywords_are_fine() -> None:
    ok = check_context(like([AS, {"id": "@id", "type": "@type"}]))
    assert isinstance(ok, jsonld.ContextOk) and ok.fast
