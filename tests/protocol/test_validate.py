"""Inbound validation: limits, shapes per type, origin consistency, contexts, real payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import activities, jsonld, vocab
from protocol.result import Failure
from protocol.validate import (
    Activity,
    ObjectDoc,
    check_context,
    depth_of,
    host_of,
    parse_json,
    validate_activity,
    validate_document,
    validate_object,
)
from tests.protocol.conftest import VECTORS

ACTOR = "https://stad.example/actor"
FEDIVERSE = sorted((VECTORS / "fediverse").glob("*.json"))


def code(result) -> str:
    assert isinstance(result, Failure), result
    return result.code


def note(**extra) -> dict:
    return {
        "id": "https://stad.example/items/1",
        "type": "Note",
        "content": "<p>hoi</p>",
        "attributedTo": ACTOR,
        **extra,
    }


def test_real_world_payloads_are_present() -> None:
    assert len(FEDIVERSE) >= 15
    assert (VECTORS / "fediverse" / "LICENSE.bovine").exists()


@pytest.mark.parametrize("path", FEDIVERSE, ids=lambda p: p.stem)
def test_real_world_payloads_validate(path: Path) -> None:
    doc = parse_json(path.read_bytes())
    assert isinstance(doc, dict)
    result = validate_document(doc)
    assert isinstance(result, Activity | ObjectDoc), result
    if isinstance(result, Activity):
        assert host_of(result.id) == host_of(result.actor)
        assert result.object_id


def test_peertube_video_is_an_object() -> None:
    doc = json.loads((VECTORS / "fediverse" / "peertube_create_video_1.json").read_text())
    result = validate_object(doc)
    assert isinstance(result, ObjectDoc)
    assert result.type == "Video"
    assert vocab.AS_PUBLIC in result.to


# --- parse_json ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"not json", "json.invalid"),
        (b"\xff\xfe", "json.invalid"),
        (b"[1, 2]", "json.not_object"),
        (b'"text"', "json.not_object"),
        (b"{" * 5 + b"}" * 5, "json.invalid"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "json.too_deep"),
        (b"[" * 600_000 + b"]" * 600_000, "json.too_large"),
        (None, "json.invalid"),
    ],
)
def test_parse_json_refusals(body, expected) -> None:
    assert code(parse_json(body)) == expected


def test_parse_json_limits_are_parameters() -> None:
    assert code(parse_json(b'{"a": "' + b"x" * 100 + b'"}', max_bytes=50)) == "json.too_large"
    assert code(parse_json(b'{"a": [[1]]}', max_depth=2)) == "json.too_deep"
    assert parse_json(b'{"a": [[1]]}', max_depth=3) == {"a": [[1]]}


def test_extreme_nesting_never_raises() -> None:
    body = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert code(parse_json(body, max_bytes=10_000_000)) == "json.too_deep"
    deep: list = []
    node = deep
    for _ in range(50_000):
        node.append([])
        node = node[0]
    assert depth_of({"a": deep}, limit=100) > 100


# --- contexts ------------------------------------------------------------------------


def test_known_contexts_take_the_fast_path() -> None:
    doc = activities.like("https://stad.example/likes/1", ACTOR, "https://omroep.example/i/1", [])
    ok = check_context(doc)
    assert ok and ok.fast


def test_remapped_core_term_goes_through_pyld() -> None:
    doc = {
        "@context": [
            vocab.AS2_CONTEXT,
            {
                "doer": {"@id": "as:actor", "@type": "@id"},
                "actor": "ex:somethingElse",
                "ex": "https://example.org/",
            },
        ],
        "id": "https://stad.example/a/1",
        "type": "Like",
        "doer": ACTOR,
        "actor": "https://evil.example/actor",
        "object": "https://omroep.example/i/1",
    }
    ok = check_context(doc)
    assert ok and not ok.fast
    result = validate_activity(doc)
    assert isinstance(result, Activity)
    assert result.actor == ACTOR


def test_our_context_expands_offline() -> None:
    doc = activities.create(
        "https://stad.example/a/1",
        ACTOR,
        {**note(), "credit": "ANP", "derivedFrom": "https://x.example/1"},
        [vocab.AS_PUBLIC],
    )
    expanded = jsonld.expand(doc)
    assert isinstance(expanded, list)
    text = json.dumps(expanded)
    assert vocab.MK_NS + "credit" in text and vocab.MK_NS + "derivedFrom" in text


# --- activity shapes -----------------------------------------------------------------


def test_embedded_foreign_object_is_reduced_to_its_id() -> None:
    doc = activities.create(
        "https://stad.example/a/1",
        ACTOR,
        note(id="https://evil.example/items/9"),
        [vocab.AS_PUBLIC],
    )
    result = validate_activity(doc)
    assert isinstance(result, Activity)
    assert result.object == "https://evil.example/items/9"
    assert result.object_trusted is False


def test_accept_of_our_follow_is_untrusted_reference() -> None:
    follow = activities.follow(
        "https://omroep.example/follows/1", "https://omroep.example/actor", ACTOR
    )
    doc = activities.accept(
        "https://stad.example/accepts/1", ACTOR, follow, ["https://omroep.example/actor"]
    )
    result = validate_activity(doc)
    assert isinstance(result, Activity)
    assert result.object_id == "https://omroep.example/follows/1"
    assert result.object_type == "Follow" and result.object_trusted is False


def test_activity_host_must_match_actor_host() -> None:
    doc = activities.like("https://evil.example/likes/1", ACTOR, "https://omroep.example/i/1", [])
    assert code(validate_activity(doc)) == "activity.origin"


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"type": "Like"}, "activity.missing_field"),
        ({"id": "https://stad.example/a", "actor": ACTOR, "object": "x"}, "activity.missing_field"),
        (
            {"id": "https://stad.example/a", "type": "Dance", "actor": ACTOR},
            "activity.unknown_type",
        ),
        (
            {"id": "https://stad.example/a", "type": "Like", "actor": ACTOR},
            "activity.missing_field",
        ),
        (
            {"id": "ftp://stad.example/a", "type": "Like", "actor": ACTOR, "object": "x"},
            "activity.missing_field",
        ),
        (
            {"id": "https://stad.example/a", "type": "Like", "actor": 7, "object": "x"},
            "activity.missing_field",
        ),
        (
            {"id": "https://stad.example/a", "type": "Add", "actor": ACTOR, "object": "x"},
            "activity.missing_field",
        ),
        (
            {
                "id": "https://stad.example/a",
                "type": "Create",
                "actor": ACTOR,
                "object": {"content": "no id"},
            },
            "activity.missing_field",
        ),
        (
            {"id": "https://stad.example/a", "type": "Like", "actor": ACTOR, "object": 5},
            "activity.bad_object",
        ),
        (
            {"id": "https://stad.example/a", "type": "Like", "actor": ACTOR, "object": {"id": 5}},
            "activity.bad_object",
        ),
    ],
)
def test_shape_refusals(doc, expected) -> None:
    assert code(validate_activity(doc)) == expected


def test_html_is_sanitised_but_raw_kept() -> None:
    evil = '<p>Hoi<script>alert(1)</script><a href="javascript:alert(2)">x</a></p>'
    doc = activities.create(
        "https://stad.example/a/1", ACTOR, note(content=evil, summary=evil), [vocab.AS_PUBLIC]
    )
    result = validate_activity(doc)
    assert isinstance(result, Activity)
    for field in ("content", "summary"):
        assert "script" not in result.object[field] and "javascript" not in result.object[field]
    assert result.raw["object"]["content"] == evil
    assert result.is_public


def test_flag_with_several_objects() -> None:
    doc = activities.flag(
        "https://stad.example/flags/1",
        ACTOR,
        ["https://omroep.example/actor", "https://omroep.example/items/2"],
        "spam",
        ["https://omroep.example/actor"],
    )
    result = validate_activity(doc)
    assert isinstance(result, Activity)
    assert result.objects == ("https://omroep.example/actor", "https://omroep.example/items/2")


def test_public_aliases_are_normalised() -> None:
    doc = activities.announce(
        "https://stad.example/a/1", ACTOR, "https://stad.example/i/1", ["as:Public"]
    )
    result = validate_activity(doc)
    assert isinstance(result, Activity)
    assert result.to == (vocab.AS_PUBLIC,)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Stad.Example/actor", "stad.example"),
        ("https://stad.example:443/x", "stad.example"),
        ("http://127.0.0.1:8080/x", "127.0.0.1:8080"),
        ("https://user@stad.example/x", ""),
        ("ftp://stad.example/x", ""),
        ("https://stad.example:99999/x", ""),
        (None, ""),
    ],
)
def test_host_of(url, host) -> None:
    assert host_of(url) == host


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "type",
                    "actor",
                    "object",
                    "to",
                    "cc",
                    "target",
                    "@context",
                    "content",
                    "attributedTo",
                    "x",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_validator_never_raises(value) -> None:
    for check in (validate_activity, validate_object, validate_document, check_context):
        result = check(value)
        assert result is not None
        if not result:
            assert isinstance(result, Failure) and result.code and result.detail


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_parse_json_never_raises(body) -> None:
    result = parse_json(body)
    assert isinstance(result, dict | Failure)


def test_host_of_fast_path_agrees_with_urlsplit():
    """host_of cuts plain URLs by hand; it must agree with the urlsplit way everywhere."""
    import random

    from protocol.validate import _host_of, host_of

    cases = ["https://a.example/x", "http://a.example:80/x", "https://a.example:443",
             "http://a.example:8080/x?y#z", "https://A.example/", "https://a.example:0/",
             "https://a.example:65536/", "https://a.example:080/", "https://u@a.example/",
             "https://[::1]:8/", "https://a.example:/", "https://-a.example/",
             "http://127.0.0.1:38741/inbox", "https://a.example?x", "https://a.example#f",
             "https://a.example\t/", "https://", "http:///x",
             "https://a.example:65535/"]  # fmt: skip
    alphabet = "ab.-:0123456789/?#@[]%A \t_"
    rng = random.Random(11)
    for _ in range(20_000):
        scheme = rng.choice(["http://", "https://"])
        cases.append(scheme + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))))
    assert [c for c in cases if host_of(c) != _host_of(c)] == []
    assert host_of("https://a.example:443/x") == "a.example"
    assert host_of("http://a.example:8080/x") == "a.example:8080"
