"""Sanitising, item ⇄ object mapping, activity builders, discovery documents, keys, vocab."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import activities, discovery, keys, mapping, vocab
from protocol.result import Failure
from protocol.sanitize import plain_text, sanitize_html
from protocol.validate import Activity, validate_activity

ACTOR = "https://stad.example/actor"
BASE = "https://stad.example"


def code(result) -> str:
    assert isinstance(result, Failure), result
    return result.code


# --- sanitising ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<img src=x onerror="alert(1)">',
        '<p onclick="alert(1)">x</p>',
        "<style>body{}</style>",
        '<iframe src="https://evil.example"></iframe>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_sanitize_removes_scripts_and_js_links(evil) -> None:
    clean = sanitize_html(f"<p>ok</p>{evil}")
    lowered = clean.lower()
    for bad in ("<script", "javascript:", "onerror", "onclick", "<style", "<iframe", "data:"):
        assert bad not in lowered
    assert "<p>ok</p>" in clean


def test_sanitize_keeps_allowed_markup() -> None:
    html = (
        '<p>Zie <a href="https://stad.example/x" class="mention">@stad</a> '
        "<strong>vet</strong><br><em>schuin</em></p><ul><li>een</li></ul>"
    )
    clean = sanitize_html(html)
    assert 'href="https://stad.example/x"' in clean and 'class="mention"' in clean
    assert "<strong>vet</strong>" in clean and "<li>een</li>" in clean
    assert 'rel="nofollow noopener noreferrer"' in clean


def test_plain_text() -> None:
    assert plain_text("<p>Brand &amp; rook</p><p>twee<br>drie</p><script>x</script>") == (
        "Brand & rook\ntwee\ndrie"
    )
    assert plain_text("") == "" and sanitize_html("") == ""


# --- mapping -------------------------------------------------------------------------


def make_item(**extra) -> dict:
    item = {
        "id": "it1",
        "uri": f"{BASE}/items/it1",
        "kind": "photo",
        "title": "Brand & rook",
        "summary": "Let op: <heftig>",
        "body_html": "<p>Tekst</p>",
        "tags": ["brand", "haven"],
        "language": "nl",
        "location": {"name": "Haven", "latitude": 51.9, "longitude": 4.4},
        "credit": "Foto: Jan",
        "licence": "CC BY 4.0",
        "usage_terms": "alleen online",
        "embargo_until": "2026-03-01T10:00:00.000000Z",
        "expires_at": "2027-03-01T10:00:00.000000Z",
        "created_at": "2026-02-01T10:00:00.000000Z",
        "updated_at": "2026-02-01T11:00:00.000000Z",
        "author": "Jan",
        "sensitive": True,
        "derived_from": None,
        "details": {},
        "media": [
            {
                "id": "m1",
                "url": f"{BASE}/api/v1/media/m1",
                "media_type": "image/jpeg",
                "size": 1234,
                "sha256": "ab" * 32,
                "width": 100,
                "height": 80,
                "duration": None,
                "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                "focal_point": [0.5, -0.25],
                "alt": "rook boven de haven",
                "thumbnail_url": f"{BASE}/api/v1/media/m1/thumb",
            },
            {
                "id": "m2",
                "url": f"{BASE}/api/v1/media/m2",
                "media_type": "video/mp4",
                "size": 99,
                "sha256": "cd" * 32,
                "width": 1920,
                "height": 1080,
                "duration": 12.5,
                "blurhash": None,
                "focal_point": None,
                "alt": None,
                "thumbnail_url": None,
            },
        ],
    }
    item.update(extra)
    return item


def without_local_ids(item: dict) -> dict:
    return {**item, "id": None, "media": [{**m, "id": None} for m in item["media"]]}


def test_item_to_object_shape() -> None:
    obj = mapping.item_to_object(make_item(), actor_url=ACTOR, base_url=BASE)
    assert obj["type"] == "Image" and obj["attributedTo"] == ACTOR
    assert obj["credit"] == "Foto: Jan" and obj["usageTerms"] == "alleen online"
    first, second = obj["attachment"]
    assert first["digestMultibase"].startswith("zQm")
    assert first["name"] == "rook boven de haven" and first["focalPoint"] == [0.5, -0.25]
    assert first["icon"]["url"].endswith("/thumb") and obj["icon"]["url"].endswith("/thumb")
    assert second["type"] == "Video" and second["duration"] == "PT12.5S"
    assert obj["contentMap"] == {"nl": "<p>Tekst</p>"}
    assert obj["tag"][0] == {"type": "Hashtag", "name": "#brand", "href": f"{BASE}/tags/brand"}


@pytest.mark.parametrize("alt", [None, ""])
def test_attachment_without_alt_or_focal_point_leaves_them_out(alt) -> None:
    item = make_item()
    item["media"][0].update(alt=alt, focal_point=None)
    obj = mapping.item_to_object(item, actor_url=ACTOR, base_url=BASE)
    for att in obj["attachment"]:
        assert "name" not in att and "focalPoint" not in att, att
    item["media"][0].update(alt="haven", focal_point=[0.0, 0.0])  # set, even at the centre
    first = mapping.item_to_object(item, actor_url=ACTOR, base_url=BASE)["attachment"][0]
    assert (first["name"], first["focalPoint"]) == ("haven", [0.0, 0.0])


PLAIN_KINDS = [k for k in mapping.KIND_TO_TYPE if k not in ("event", "vacancy")]


@pytest.mark.parametrize(("kind", "kind_type"), [(k, mapping.KIND_TO_TYPE[k]) for k in PLAIN_KINDS])
def test_kinds(kind, kind_type) -> None:
    obj = mapping.item_to_object(make_item(kind=kind), actor_url=ACTOR, base_url=BASE)
    assert obj["type"] == kind_type
    assert mapping.object_to_item(obj)["kind"] == kind


def test_round_trip_fixed_item() -> None:
    item = make_item()
    back = mapping.object_to_item(mapping.item_to_object(item, actor_url=ACTOR, base_url=BASE))
    assert back == without_local_ids(item)


text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40
).map(str.strip)
maybe_text = st.one_of(st.none(), text.filter(bool))
iso = st.datetimes(
    min_value=__import__("datetime").datetime(1970, 1, 1),
    max_value=__import__("datetime").datetime(9999, 12, 31),
    timezones=st.just(__import__("datetime").UTC),
).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))  # the one canonical form
media = st.fixed_dictionaries(
    {
        "id": st.just("m"),
        "url": st.from_regex(r"https://[a-z]{1,8}\.example/m/[a-z0-9]{1,8}", fullmatch=True),
        "media_type": st.sampled_from(["image/jpeg", "video/mp4", "audio/mpeg", "application/pdf"]),
        "size": st.one_of(st.none(), st.integers(0, 2**40)),
        "sha256": st.one_of(st.none(), st.binary(min_size=32, max_size=32).map(bytes.hex)),
        "width": st.one_of(st.none(), st.integers(1, 10_000)),
        "height": st.one_of(st.none(), st.integers(1, 10_000)),
        "duration": st.one_of(st.none(), st.integers(0, 10**7).map(lambda ms: ms / 1000)),
        "blurhash": maybe_text,
        "focal_point": st.one_of(
            st.none(), st.tuples(st.floats(-1, 1), st.floats(-1, 1)).map(list)
        ),
        "alt": maybe_text,
        "thumbnail_url": st.one_of(st.none(), st.just("https://stad.example/thumb.jpg")),
    }
)
items = st.fixed_dictionaries(
    {
        "id": st.just("it"),
        "uri": st.from_regex(r"https://stad\.example/items/[a-z0-9]{1,10}", fullmatch=True),
        "kind": st.sampled_from(PLAIN_KINDS),  # events and vacancies: tests/protocol/test_kinds
        "title": text,
        "summary": maybe_text,
        "body_html": st.sampled_from(["", "<p>Tekst</p>", "<p>a <em>b</em></p>"]),
        "tags": st.lists(st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True), max_size=4),
        "language": st.one_of(st.none(), st.sampled_from(["nl", "en", "fy"])),
        "location": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "name": maybe_text,
                    "latitude": st.floats(-90, 90),
                    "longitude": st.floats(-180, 180),
                }
            ),
        ),
        "credit": maybe_text,
        "licence": maybe_text,
        "usage_terms": maybe_text,
        "embargo_until": st.one_of(st.none(), iso),
        "expires_at": st.one_of(st.none(), iso),
        "created_at": iso,
        "updated_at": iso,
        "author": maybe_text,
        "sensitive": st.booleans(),
        "derived_from": st.one_of(st.none(), st.just("https://omroep.example/items/9")),
        "media": st.lists(media, max_size=3),
        "details": st.just({}),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    items.filter(
        lambda i: (
            not (i["embargo_until"] and i["expires_at"]) or i["expires_at"] > i["embargo_until"]
        )
    )
)
def test_property_round_trip(item) -> None:
    obj = mapping.item_to_object(item, actor_url=ACTOR, base_url=BASE)
    back = mapping.object_to_item(obj)
    assert back == without_local_ids(item)
    # and the object survives our own inbound validation inside a Create
    act = activities.create(f"{BASE}/a/1", ACTOR, obj, [vocab.AS_PUBLIC])
    assert isinstance(validate_activity(act), Activity)


def test_digest_helpers() -> None:
    digest = mapping.sha256_to_digest_multibase("00" * 32)
    assert digest.startswith("zQm")
    assert mapping.digest_multibase_to_sha256(digest) == "00" * 32
    assert code(mapping.digest_multibase_to_sha256("zabc")) == "media.digest"
    assert code(mapping.digest_multibase_to_sha256("mAAAA")) == "multibase.unsupported"


def test_object_to_item_refusals() -> None:
    assert (
        code(mapping.object_to_item({"type": "Person", "id": ACTOR})) == "object.unsupported_type"
    )
    assert code(mapping.object_to_item({"type": "Note"})) == "object.missing_field"
    assert code(mapping.object_to_item([])) == "object.not_object"
    bad_media = {"type": "Image", "id": f"{BASE}/i/1", "attachment": [{"url": "javascript:x"}]}
    assert code(mapping.object_to_item(bad_media)) == "media.url"
    bad_digest = {
        "type": "Image",
        "id": f"{BASE}/i/1",
        "attachment": [{"url": f"{BASE}/m", "digestMultibase": "zQm"}],
    }
    assert code(mapping.object_to_item(bad_digest)) == "media.digest"


def test_object_to_item_sanitises_and_reads_mastodon_and_peertube() -> None:
    import json

    from tests.protocol.conftest import VECTORS

    note = json.loads((VECTORS / "fediverse" / "mastodon_flow_1_create_note.json").read_text())
    item = mapping.object_to_item(note["object"])
    assert isinstance(item, dict) and item["kind"] == "article"
    video = json.loads((VECTORS / "fediverse" / "peertube_create_video_1.json").read_text())
    item = mapping.object_to_item(video)
    assert item["kind"] == "video" and item["licence"] == "Attribution"
    assert "<p>" in item["body_html"] and item["language"] == "en"
    evil = {"type": "Note", "id": f"{BASE}/n/1", "content": "<p>x<script>alert(1)</script></p>"}
    assert "script" not in mapping.object_to_item(evil)["body_html"]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("PT2679S", 2679.0),
        ("PT1H2M3.5S", 3723.5),
        ("P1D", 86400.0),
        (12, 12.0),
        ("PT", None),
        ("soon", None),
        (None, None),
    ],
)
def test_durations(value, seconds) -> None:
    assert mapping.duration_to_seconds(value) == seconds


# --- activities ----------------------------------------------------------------------


def test_builders_cover_every_type_and_validate() -> None:
    obj = mapping.item_to_object(make_item(), actor_url=ACTOR, base_url=BASE)
    partner = "https://omroep.example/actor"
    built = [
        activities.create(f"{BASE}/a/1", ACTOR, obj, [vocab.AS_PUBLIC], [f"{BASE}/followers"]),
        activities.update(f"{BASE}/a/2", ACTOR, obj, [partner]),
        activities.delete(f"{BASE}/a/3", ACTOR, obj["id"], [partner]),
        activities.offer(f"{BASE}/a/4", ACTOR, obj, [partner]),
        activities.add(f"{BASE}/a/5", ACTOR, obj, f"{BASE}/mediatheek", [f"{BASE}/partners"]),
        activities.remove(
            f"{BASE}/a/6", ACTOR, obj["id"], f"{BASE}/mediatheek", [f"{BASE}/partners"]
        ),
        activities.follow(f"{BASE}/a/7", ACTOR, "https://omroep.example/mediatheek", [partner]),
        activities.accept(f"{BASE}/a/8", ACTOR, "https://omroep.example/follows/1", [partner]),
        activities.reject(f"{BASE}/a/9", ACTOR, "https://omroep.example/follows/1", [partner]),
        activities.undo(f"{BASE}/a/10", ACTOR, f"{BASE}/a/7", [partner]),
        activities.announce(f"{BASE}/a/11", ACTOR, obj["id"], [vocab.AS_PUBLIC]),
        activities.like(f"{BASE}/a/12", ACTOR, "https://omroep.example/items/1", [partner]),
        activities.flag(f"{BASE}/a/13", ACTOR, [partner], "spam", [partner]),
    ]
    assert {a["type"] for a in built} == vocab.ACTIVITY_TYPES
    for act in built:
        assert act["@context"] == vocab.CONTEXT
        result = validate_activity(act)
        assert isinstance(result, Activity), (act["type"], result)
    assert built[2]["object"] == {"id": obj["id"], "type": "Tombstone"}
    assert built[4]["target"] == f"{BASE}/mediatheek"
    assert "cc" not in built[3] and built[3]["to"] == [partner]


def test_embedded_activity_loses_its_context() -> None:
    inner = activities.follow(f"{BASE}/a/7", ACTOR, "https://omroep.example/actor")
    outer = activities.undo(f"{BASE}/a/8", ACTOR, inner, ["https://omroep.example/actor"])
    assert "@context" not in outer["object"] and "to" not in inner


# --- discovery -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("acct:redactie@Stad.Example", ("acct", "redactie@stad.example")),
        ("acct:redactie@127.0.0.1:8080", ("acct", "redactie@127.0.0.1:8080")),
        ("https://stad.example/actor", ("url", "https://stad.example/actor")),
        ("mailto:x@y", ("other", "mailto")),
        ("XMPP:redactie@stad.example", ("other", "xmpp")),
    ],
)
def test_webfinger_resources(resource, expected) -> None:
    assert discovery.parse_webfinger_resource(resource) == expected


@pytest.mark.parametrize(
    "resource",
    [
        "",
        "redactie@stad.example",
        "acct:@stad.example",
        "acct:a@b@c",
        "http:stad.example",
        "mailto:x y",
        "https://a b",
        "x" * 600,
    ],
)
def test_webfinger_bad_resources(resource) -> None:
    assert code(discovery.parse_webfinger_resource(resource)) == "webfinger.resource"


def test_webfinger_jrd() -> None:
    jrd = discovery.webfinger_jrd("acct:redactie@stad.example", ACTOR, f"{BASE}/", [ACTOR])
    assert jrd["aliases"] == [ACTOR, f"{BASE}/"]
    assert jrd["links"][0] == {"rel": "self", "type": vocab.AS2_MEDIA_TYPE, "href": ACTOR}


def test_actor_link_reads_what_the_builder_writes() -> None:
    jrd = discovery.webfinger_jrd("acct:redactie@stad.example", ACTOR, f"{BASE}/")
    assert discovery.actor_link(jrd) == ACTOR
    ld_type = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    ld = {"links": [{"rel": "self", "type": ld_type, "href": ACTOR}]}
    assert discovery.actor_link(ld) == ACTOR


@pytest.mark.parametrize(
    "jrd",
    [
        None,
        [],
        {"links": "nope"},
        {"links": [{"rel": "http://webfinger.net/rel/profile-page", "href": ACTOR}]},
        {"links": [{"rel": "self", "type": "text/html", "href": ACTOR}]},
        {"links": [{"rel": "self", "type": vocab.AS2_MEDIA_TYPE, "href": 42}]},
        {"links": [{"rel": "self", "type": vocab.AS2_MEDIA_TYPE, "href": "javascript:x"}]},
    ],
)
def test_actor_link_refuses_answers_without_an_actor(jrd) -> None:
    assert code(discovery.actor_link(jrd)) == "webfinger.no_actor"


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo(version) -> None:
    doc = discovery.nodeinfo(
        version,
        "Mediakring",
        "0.1.0",
        3,
        10,
        False,
        {"nodeName": "Stad", "repository": "https://code.example/mk"},
    )
    assert doc["version"] == version and doc["protocols"] == ["activitypub"]
    assert doc["usage"] == {"users": {"total": 3}, "localPosts": 10}
    assert ("repository" in doc["software"]) == (version == "2.1")
    links = discovery.nodeinfo_wellknown(BASE + "/")["links"]
    assert [link["href"] for link in links] == [f"{BASE}/nodeinfo/2.0", f"{BASE}/nodeinfo/2.1"]
    with pytest.raises(ValueError):
        discovery.nodeinfo("3.0", "m", "1", 0, 0, False, {})


# --- keys and vocabulary -------------------------------------------------------------


def test_key_pem_round_trips(rsa_key, ed_key) -> None:
    for key in (rsa_key, ed_key):
        loaded = keys.load_private_pem(keys.private_pem(key))
        assert keys.public_pem(loaded) == keys.public_pem(key)
        public = keys.load_public_pem(keys.public_pem(key))
        assert keys.public_pem(public) == keys.public_pem(key)
    assert keys.load_public_pem(keys.public_pem(rsa_key)) is keys.load_public_pem(
        keys.public_pem(rsa_key)
    )


@pytest.mark.parametrize(
    "pem", ["", "garbage", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "é"]
)
def test_bad_pems(pem) -> None:
    assert code(keys.load_public_pem(pem)) == "key.malformed"
    assert code(keys.load_private_pem(pem)) == "key.malformed"


def test_unsupported_and_weak_keys() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    ec_key = ec.generate_private_key(ec.SECP256R1())
    assert code(keys.load_public_pem(_spki(ec_key.public_key()))) == "key.unsupported"
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    assert code(keys.load_public_pem(_spki(weak.public_key()))) == "key.weak"


def _spki(public) -> str:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/activity+json", True),
        ("application/activity+json; charset=utf-8", True),
        ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', True),
        ('Application/LD+JSON;profile="https://www.w3.org/ns/activitystreams"', True),
        ("application/ld+json", False),
        ("application/json", False),
        ("text/html", False),
        (None, False),
    ],
)
def test_media_types(content_type, expected) -> None:
    assert vocab.is_as2_media_type(content_type) is expected
    assert vocab.AS2_MEDIA_TYPE in vocab.AS2_ACCEPT and "ld+json" in vocab.AS2_ACCEPT


def test_context_shape() -> None:
    inline = vocab.CONTEXT[-1]
    assert vocab.CONTEXT[:4] == [
        vocab.AS2_CONTEXT,
        vocab.SECURITY_V1,
        vocab.DATA_INTEGRITY_V1,  # FEP-8b32 and Fedify use v1 (Fedify bundles no v2)
        vocab.MULTIKEY_V1,
    ]
    assert inline["mk"] == vocab.MK_NS == "https://mediakring.nl/ns#"
    for term in (
        "credit",
        "licence",
        "usageTerms",
        "embargoUntil",
        "expiresAt",
        "size",
        "mediatheek",
        "partners",
        "derivedFrom",
        "channel",
        "blurhash",
        "focalPoint",
        "Hashtag",
        "sensitive",
    ):
        assert term in inline
