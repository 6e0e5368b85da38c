"""Events and vacancies on the wire: our objects read back into the same details, and
Mobilizon's and Gancio's Events (and JobPosting terms) are understood; nothing is fetched."""

from __future__ import annotations

import copy

import pytest

from protocol import activities, jsonld, kinds, mapping, vocab
from protocol.result import Failure
from protocol.validate import Activity, validate_activity
from tests.protocol.test_documents import ACTOR, BASE, make_item

EVENT = {
    "start": "2026-12-05T18:00:00.000000Z",
    "end": "2026-12-05T21:00:00.000000Z",
    "all_day": False,
    "timezone": "Europe/Amsterdam",
    "place": {
        "name": "Paard",
        "address": "Prinsegracht 12, 2512 GA Den Haag",
        "latitude": 52.07,
        "longitude": 4.31,
    },
    "online_url": "https://live.example/open-dag",
    "organiser": "Stadsomroep Den Haag",
    "ticket_url": "https://tickets.example/1",
    "price": "gratis",
    "status": "scheduled",
}
VACANCY = {
    "employer": "Stadsomroep Den Haag",
    "location": "Den Haag",
    "hours": "32-36 uur per week",
    "hours_min": 32,
    "hours_max": 36,
    "contract_type": "temporary",
    "salary": {"min": 3200, "max": 4100, "currency": "EUR", "unit": "MONTH"},
    "closing_date": "2026-12-31",
    "apply_url": "https://omroep.example/vacatures/1",
    "apply_email": "vacatures@omroep.example",
    "education_level": "hbo",
}


def item(kind: str, details: dict) -> dict:
    return make_item(
        kind=kind, details=details, location=None, media=[], expires_at=None, embargo_until=None
    )


def round_trip(it: dict) -> dict:
    obj = mapping.item_to_object(it, actor_url=ACTOR, base_url=BASE)
    act = activities.create(f"{BASE}/a/1", ACTOR, obj, [vocab.AS_PUBLIC])
    assert isinstance(validate_activity(act), Activity)
    return mapping.object_to_item(obj)


@pytest.mark.parametrize("status", ["scheduled", "cancelled", "postponed"])
def test_event_round_trip(status) -> None:
    details = {**EVENT, "status": status}
    obj = mapping.item_to_object(item("event", details), actor_url=ACTOR, base_url=BASE)
    assert obj["type"] == "Event"
    assert (obj["startTime"], obj["endTime"]) == (
        "2026-12-05T19:00:00+01:00",
        "2026-12-05T22:00:00+01:00",
    )
    assert (
        obj["ical:status"]
        == {"scheduled": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}[status]
    )
    assert obj["location"]["type"] == "Place" and obj["timezone"] == "Europe/Amsterdam"
    assert {
        "type": "Link",
        "name": "online",
        "mediaType": "text/html",
        "href": EVENT["online_url"],
    } in obj["attachment"]
    back = round_trip(item("event", details))
    assert back["kind"] == "event" and back["details"] == details
    assert back["media"] == []  # the online link is no media file


def test_all_day_event_round_trip() -> None:
    details = {**EVENT, "all_day": True, "start": "2026-12-05", "end": "2026-12-06"}
    obj = mapping.item_to_object(item("event", details), actor_url=ACTOR, base_url=BASE)
    assert obj["startTime"] == "2026-12-05T00:00:00+01:00"
    assert obj["endTime"] == "2026-12-07T00:00:00+01:00"  # the end of the last day
    assert round_trip(item("event", details))["details"] == details


def test_vacancy_round_trip_and_schema_org_terms() -> None:
    it = item("vacancy", VACANCY)
    obj = mapping.item_to_object(it, actor_url=ACTOR, base_url=BASE)
    assert obj["type"] == "Page" and obj["title"] == obj["name"] == it["title"]
    assert obj["validThrough"] == "2026-12-31T22:59:59.999999Z"
    assert obj["employmentType"] == "TEMPORARY"
    assert obj["baseSalary"] == {
        "type": "MonetaryAmount",
        "currency": "EUR",
        "value": {
            "type": "QuantitativeValue",
            "unitText": "MONTH",
            "minValue": 3200,
            "maxValue": 4100,
        },
    }
    back = round_trip(it)
    assert back["kind"] == "vacancy" and back["details"] == VACANCY
    # the terms expand to schema.org IRIs with our bundled context, nothing fetched
    doc = {"@context": vocab.CONTEXT, **obj}
    expanded = jsonld.expand(doc)
    keys = set().union(*(set(node) for node in expanded))
    for term in (
        "hiringOrganization",
        "validThrough",
        "baseSalary",
        "employmentType",
        "educationRequirements",
        "workHours",
        "title",
        "jobLocation",
    ):
        assert f"http://schema.org#{term}" in keys, term


MOBILIZON_EVENT = {
    "@context": [
        "https://www.w3.org/ns/activitystreams",
        "https://litepub.social/context.jsonld",
        {
            "mz": "https://joinmobilizon.org/ns#",
            "sc": "http://schema.org#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
            "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
            "PostalAddress": "sc:PostalAddress",
            "streetAddress": "sc:streetAddress",
            "postalCode": "sc:postalCode",
            "addressLocality": "sc:addressLocality",
            "addressCountry": "sc:addressCountry",
            "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
        },
    ],
    "id": "https://mobilizon.example/events/abc",
    "type": "Event",
    "attributedTo": "https://mobilizon.example/@groep",
    "name": "Meet-up <b>podcasts</b>",
    "content": "<p>Welkom<script>x()</script></p>",
    "startTime": "2026-12-10T20:00:00+01:00",
    "endTime": "2026-12-10T22:30:00+01:00",
    "timezone": "Europe/Amsterdam",
    "ical:status": "CANCELLED",
    "location": {
        "type": "Place",
        "name": "Beeld en Geluid",
        "address": {
            "type": "PostalAddress",
            "streetAddress": "Zeestraat 82",
            "postalCode": "2518 AD",
            "addressLocality": "Den Haag",
            "addressCountry": "NL",
        },
        "latitude": 52.09,
        "longitude": 4.29,
    },
    "attachment": [
        {
            "type": "Link",
            "name": "Website",
            "mediaType": "text/html",
            "href": "https://stream.example/meetup",
        }
    ],
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
}


def test_mobilizon_event_is_read_through_validation() -> None:
    act = {
        "@context": MOBILIZON_EVENT["@context"],
        "id": "https://mobilizon.example/a/1",
        "type": "Create",
        "actor": "https://mobilizon.example/@groep",
        "object": {k: v for k, v in MOBILIZON_EVENT.items() if k != "@context"},
    }
    result = validate_activity(act)
    assert isinstance(result, Activity), result
    assert isinstance(result.object, dict)
    back = mapping.object_to_item(result.object)
    assert back["kind"] == "event" and "<script" not in back["body_html"]
    details = back["details"]
    assert details["start"] == "2026-12-10T19:00:00.000000Z"
    assert details["status"] == "cancelled"
    assert details["place"]["address"] == "Zeestraat 82, 2518 AD Den Haag, NL"
    assert details["online_url"] == "https://stream.example/meetup"
    assert back["media"] == []


def test_wire_refusals_and_fallbacks() -> None:
    obj = mapping.item_to_object(item("event", EVENT), actor_url=ACTOR, base_url=BASE)
    broken = copy.deepcopy(obj)
    broken["startTime"] = "2026-12-05T19:00:00"  # no zone
    assert isinstance(mapping.object_to_item(broken), Failure)
    backwards = {**obj, "endTime": "2026-12-05T10:00:00+01:00"}
    assert isinstance(mapping.object_to_item(backwards), Failure)
    hostile = {**obj, "organizer": "<script>x</script>Omroep", "price": "<b>gratis</b>"}
    details = mapping.object_to_item(hostile)["details"]
    assert "<" not in details["organiser"] and details["price"] == "gratis"
    plain_page = {"id": f"{BASE}/p/1", "type": "Page", "name": "Over ons"}
    assert mapping.object_to_item(plain_page)["kind"] == "article"
    assert kinds.closing_date_of(kinds.closing_instant("2026-06-30")) == "2026-06-30"
