"""Signed collection pages (FEDERATION.md §5.1), two-step page decoding and the canonical
instant fast path that back-fill relies on: bad input refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import instants, keys, pagejson
from protocol.httpsig import common
from protocol.httpsig import response as page_signature
from protocol.result import Failure

URL = "https://stadsomroep.example/actor/mediatheek?page=true&cursor=MTIz"
KEY_ID = "https://stadsomroep.example/actor#ed25519-key"
AS2 = "application/activity+json"
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
KEY = keys.generate_ed25519()
BODY = json.dumps({"id": URL, "orderedItems": [{"id": "x", "name": "Archief"}]}).encode()


def signed(body: bytes = BODY, url: str = URL, key=KEY, key_id: str = KEY_ID, when=NOW) -> dict:
    headers = {"content-type": AS2}
    made = page_signature.sign_page(200, AS2, body, url, key_id, key, when)
    headers.update({k.lower(): v for k, v in made.items()})
    return headers


def check(headers, body=BODY, url=URL, status=200, keys_=None, now=NOW):
    trusted = keys_ if keys_ is not None else {KEY_ID: KEY.public_key()}
    return page_signature.verify_page(status, headers, body, url, trusted, now)


def test_a_signed_page_verifies_and_names_its_key():
    headers = signed()
    assert page_signature.has_page_signature(headers)
    assert check(headers) == KEY_ID
    assert 'tag="mediakring-page"' in headers["signature-input"]
    assert headers["signature-input"].startswith(
        'page=("@status" "content-digest" "content-type" "@authority";req "@path";req "@query";req)'
    )


@pytest.mark.parametrize(
    "change, code",
    [
        (lambda h: {**h, "content-type": "application/json"}, "page_signature.invalid"),
        (
            lambda h: {**h, "content-digest": common.content_digest(b"{}")},
            "page_signature.digest",
        ),
        (
            lambda h: {k: v for k, v in h.items() if k != "content-digest"},
            "page_signature.digest",
        ),
        (lambda h: {k: v for k, v in h.items() if k != "signature"}, "page_signature.malformed"),
        (
            lambda h: {**h, "signature-input": h["signature-input"].replace("page=", "sig1=")},
            "page_signature.missing",
        ),
        (
            lambda h: {**h, "signature-input": h["signature-input"].replace(' "@query";req', "")},
            "page_signature.coverage",
        ),
        (
            lambda h: {
                **h,
                "signature-input": h["signature-input"].replace("mediakring-page", "x"),
            },
            "page_signature.malformed",
        ),
        (lambda h: {**h, "signature-input": "page=(((("}, "page_signature.malformed"),
    ],
)
def test_a_changed_page_signature_is_refused(change, code):
    result = check(change(signed()))
    assert isinstance(result, Failure) and result.code == code, result


def test_a_page_is_bound_to_its_bytes_url_status_key_and_time():
    headers = signed()
    assert check(headers, body=BODY.replace(b"Archief", b"Vervalst")).code == (
        "page_signature.digest"
    )
    assert check(headers, url=URL.replace("MTIz", "MTI0")).code == "page_signature.invalid"
    assert check(headers, url=URL.replace("stadsomroep", "ander")).code == (
        "page_signature.invalid"
    )
    assert check(headers, status=203).code == "page_signature.invalid"
    stranger = keys.generate_ed25519()
    assert check(headers, keys_={KEY_ID: stranger.public_key()}).code == "page_signature.invalid"
    assert check(headers, keys_={}).code == "page_signature.key"
    assert check(signed(key_id=KEY_ID + "-2", key=stranger)).code == "page_signature.key"
    assert check(headers, now=NOW + timedelta(hours=2)).code == "page_signature.expired"
    assert check(headers, now=NOW - timedelta(hours=1)).code == "page_signature.expired"


def test_a_page_keeps_each_item_as_the_bytes_it_arrived_as():
    items = [b'{"id": "a",  "name": "\\u00e9\xc3\xa9"}', b'{"id":"b"}']
    body = b'{"id": "p", "first": {"orderedItems": [' + b",".join(items) + b'], "next": "n"}}'
    page = pagejson.parse_page(body)
    assert page["id"] == "p" and page["first"]["next"] == "n"
    assert page["first"]["orderedItems"] == items
    assert pagejson.decode_item(items[0]) == {"id": "a", "name": "éé"}


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b"not json",
        b'{"orderedItems": 3}',
        b'{"a": NaN}',
        b'{"a": "\xff"}',
        b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
)
def test_a_bad_page_is_a_failure_with_a_reason(body):
    result = pagejson.parse_page(body)
    assert isinstance(result, Failure) and result.code == "page.json"


@pytest.mark.parametrize("raw", [b"3", b'"x"', b"{", b'{"a": [' + b"[" * 100_000 + b"]}"])
def test_a_bad_item_is_a_failure_on_its_own(raw):
    assert isinstance(pagejson.decode_item(raw), Failure)
    assert isinstance(pagejson.decode_listing(raw), Failure)


def test_a_listing_is_read_without_its_contexts():
    raw = json.dumps(
        {
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": "x",
            "proof": {"@context": ["big"], "cryptosuite": "eddsa-jcs-2022", "proofValue": "z1"},
        }
    ).encode()
    assert pagejson.decode_listing(raw) == {
        "id": "x",
        "proof": {"cryptosuite": "eddsa-jcs-2022", "proofValue": "z1"},
    }


@pytest.mark.parametrize(
    "listing",
    [
        {"id": "x", "name": "Zonder context", "tag": [{"type": "Hashtag", "name": "#raad"}],
         "proof": {"cryptosuite": "eddsa-jcs-2022", "proofValue": "z1"}},
        {"id": "x", "proof": "not an object"},
        {"id": "x", "n": [1, 2.5, None, True, {"a": "é"}]},
    ],
)  # fmt: skip
def test_a_listing_without_contexts_reads_as_its_full_decoding(listing):
    """What our own pages serve (no @context in a listing): decoded in one step, the same
    object as the full decoding."""
    raw = json.dumps(listing, ensure_ascii=False).encode()
    assert pagejson.decode_listing(raw) == pagejson.decode_item(raw) == listing


def test_a_context_spelled_with_an_escape_is_left_out_too():
    raw = (
        b'{"\\u0040context": ["big"], "id": "x",'
        b' "proof": {"\\u0040context": ["big"], "proofValue": "z1"}}'
    )
    assert pagejson.decode_listing(raw) == {"id": "x", "proof": {"proofValue": "z1"}}


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31)))
def test_a_canonical_instant_is_kept_as_it_is_and_equals_the_full_parse(moment):
    """The fast path for canonical text (what our nodes send) gives what parsing and
    formatting gives."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert instants.canonical_instant(text) == text
    assert instants.format_instant(instants.parse_instant(text)) == text


@pytest.mark.parametrize(
    "text",
    ["2026-13-01T00:00:00.000000Z", "1969-12-31T23:59:59.999999Z", "2026-02-30T00:00:00.000000Z"],
)
def test_a_canonical_looking_but_impossible_instant_is_refused(text):
    assert isinstance(instants.canonical_instant(text), Failure)
