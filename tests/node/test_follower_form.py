"""The follower-facing object: attachments carry only what was set."""

from __future__ import annotations

import pytest

from federation.ports import ActorProfile
from node.core.identity import Identity
from node.sharing.follower_form import adapt
from node.sharing.objects import item_object

BASE = "https://stad.example"
IDENTITY = Identity(ActorProfile("Stad"), "stad", BASE, "", "", "")


def media(media_id: str, media_type: str, alt, focal) -> dict:
    return {"id": media_id, "url": f"{BASE}/media/{media_id}", "media_type": media_type,
            "size": 10, "sha256": "ab" * 32, "width": 640, "height": 480, "duration": 3.0,
            "blurhash": None, "focal_point": focal, "alt": alt,
            "thumbnail_url": None}  # fmt: skip


def item(*files: dict) -> dict:
    return {"uri": f"{BASE}/items/1", "kind": "photo", "title": "Markt", "body_html": "",
            "created_at": "2026-01-01T00:00:00Z", "credit": "Anna", "licence": "CC-BY-4.0",
            "tags": [], "media": list(files)}  # fmt: skip


MEDIUM = {"m1": {"media_type": "image/jpeg", "width": 320, "height": 240, "size": 5,
                 "sha256": "cd" * 32}}  # fmt: skip


@pytest.mark.parametrize("alt", [None, ""])
def test_no_focal_point_or_empty_name_when_none_was_set(alt):
    it = item(media("m1", "image/jpeg", alt, None), media("m2", "video/mp4", alt, None))
    partner = item_object(IDENTITY, it, ["https://b.example/actor"])
    follower = adapt(item_object(IDENTITY, it, ["as:Public"]), it, IDENTITY, MEDIUM)
    for obj in (partner, follower):
        assert len(obj["attachment"]) == 2
        for att in obj["attachment"]:
            assert "focalPoint" not in att and "name" not in att, att
    assert follower["attachment"][0]["url"] == f"{BASE}/media/m1/medium"


def test_focal_point_and_alt_that_were_set_are_kept():
    it = item(media("m1", "image/jpeg", "Kramen", [0.25, -0.5]))
    follower = adapt(item_object(IDENTITY, it, ["as:Public"]), it, IDENTITY, MEDIUM)
    [att] = follower["attachment"]
    assert (att["name"], att["focalPoint"]) == ("Kramen", [0.25, -0.5])


def test_usage_terms_reach_partners_but_not_the_public():
    it = {**item(media("m1", "image/jpeg", None, None)), "usage_terms": "alleen online"}
    partner = item_object(IDENTITY, it, ["https://b.example/actor"])
    follower = adapt(item_object(IDENTITY, it, ["as:Public"]), it, IDENTITY, MEDIUM)
    assert partner["usageTerms"] == "alleen online"
    assert "usageTerms" not in follower and "alleen online" not in str(follower)
    assert follower["credit"] == "Anna"
