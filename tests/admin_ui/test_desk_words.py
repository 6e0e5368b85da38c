"""The regie panel's per-partner step, furthest first, in both languages (no browser needed).

The browser test (test_desk_state.py) sees "sent/delivered" and "published"; this one walks
every step, up to "removal confirmed", which needs an expired or withdrawn item.
"""

from __future__ import annotations

import pytest

from admin_ui.desk_state import badges, file_count, notification_title, partner_progress
from admin_ui.i18n import set_language

AT = "2026-12-01T08:00:00.000000Z"
DELIVERED = {"state": "delivered", "attempts": 1, "delivered_at": AT}
STEPS = [
    ({"state": "queued", "attempts": 0}, {}, "queued", "Verzonden", "Sent"),
    (DELIVERED, {}, "delivered", "Bezorgd", "Delivered"),
    (DELIVERED, {"used_at": AT}, "used", "Gebruikt · 1 december", "Used · 1 December"),
    (
        DELIVERED,
        {"used_at": AT, "published_on": [{"channel": "wall", "at": AT}]},
        "published",
        "Gepubliceerd op een muurkrant",
        "Published on a wall display",
    ),
    (
        DELIVERED,
        {"used_at": AT, "published_on": [], "removal_confirmed_at": AT},
        "removal_confirmed",
        "Verwijdering bevestigd · 1 december",
        "Removal confirmed · 1 December",
    ),
]


@pytest.mark.parametrize(("delivery", "insight", "state", "nl", "en"), STEPS)
def test_each_partner_step_in_both_languages(delivery, insight, state, nl, en) -> None:
    for lang, words in (("nl", nl), ("en", en)):
        set_language(lang)
        found, text = partner_progress(delivery, insight)
        assert found == state
        assert text.startswith(words), text
    set_language("nl")


def test_counts_badges_and_notifications_read_well() -> None:
    set_language("en")
    assert [file_count(1), file_count(3)] == ["1 file", "3 files"]
    shared = badges({"states": ["shared"], "shared_with": 2, "embargo_until": None})
    assert shared == [{"state": "shared", "text": "Shared with 2 partners"}]
    note = {
        "kind": "partner_published",
        "title": "Wijk-tv Noord publiceerde: Markt",
        "data": {"partner_name": "Wijk-tv Noord", "title": "Markt", "channels": ["public"]},
    }
    assert notification_title(note) == "Wijk-tv Noord published: Markt, on our public page"
    set_language("nl")
    assert [file_count(1), file_count(3)] == ["1 bestand", "3 bestanden"]
    assert notification_title(note) == "Wijk-tv Noord publiceerde: Markt, op onze openbare pagina"
    other = {"kind": "shared_with_us", "title": "Omroep West deelde: X", "data": {}}
    assert notification_title(other) == "Omroep West deelde: X"


def test_an_active_partnership_is_announced_in_the_readers_language():
    named = {
        "kind": "partner_active",
        "title": "Partnerschap met Wijk-tv Noord is actief",
        "data": {"actor": "https://wijk.example/actor", "partner_name": "Wijk-tv Noord"},
    }
    unnamed = {
        "kind": "partner_active",
        "title": "…",
        "data": {"actor": "https://wijk.example/actor"},
    }
    set_language("en")
    assert notification_title(named) == "Partnership with Wijk-tv Noord is active"
    assert notification_title(unnamed) == "Partnership with wijk.example is active"
    set_language("nl")
    assert notification_title(named) == "Partnerschap met Wijk-tv Noord is actief"
