"""Parsing iCalendar files and schema.org JSON-LD pages into event and vacancy payloads.

Pure functions over the fixture files in tests/vectors/ical and tests/vectors/jsonld; the
stored side (one transaction, drafts, refusals leave nothing) is in test_imports_api.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from node.items.imports import MAX_BYTES, MAX_ITEMS, ImportRefused, parse_upload
from node.items.imports.ical import RECURRING_NOTE, parse_ical
from node.items.imports.jsonld import parse_page

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def ics(name: str) -> bytes:
    return (VECTORS / "ical" / name).read_bytes()


def refusal(fn, *args) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        fn(*args)
    return caught.value


def calendar(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//NL", *events, "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


def vevent(n: int) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{n}@x\r\nDTSTAMP:20261101T120000Z\r\n"
        f"DTSTART:20261205T190000Z\r\nDTEND:20261205T200000Z\r\nSUMMARY:Event {n}\r\n"
        "LOCATION:Paard\r\nEND:VEVENT"
    )


def test_agenda_file_becomes_four_events():
    parsed = parse_ical(ics("agenda.ics"))
    assert [p.payload["title"] for p in parsed] == [
        "Kerstconcert Haagse Jongerenkoren",
        "Open dagen Stadsomroep",
        "Podcast live (afgelast)",
        "Spreekuur burgerjournalisten",
    ]
    concert, open_days, podcast, consult = (p.payload for p in parsed)
    assert concert["kind"] == "event"
    assert concert["details"] == {
        "start": "2026-12-05T18:00:00Z",  # 19:00 in Amsterdam (CET) is 18:00 UTC
        "end": "2026-12-05T21:00:00Z",
        "all_day": False,
        "timezone": "Europe/Amsterdam",
        "place": {
            "name": "Paard",
            "address": "Prinsegracht 12, 2512 GA Den Haag",
            "latitude": 52.0767,
            "longitude": 4.3085,
        },
        "online_url": None,
        "ticket_url": "https://www.paard.nl/event/kerstconcert",
        "status": "scheduled",
        "price": "",
        "organiser": "Paard Den Haag",
    }
    assert concert["body"].startswith("<p>Drie koren zingen kerstliederen.<br>")
    # DTEND;VALUE=DATE is exclusive in iCalendar, our end date inclusive
    assert open_days["details"]["all_day"] is True
    assert (open_days["details"]["start"], open_days["details"]["end"]) == (
        "2026-12-12",
        "2026-12-13",
    )
    assert podcast["details"]["end"] == "2026-12-10T19:30:00Z"  # DURATION
    assert podcast["details"]["status"] == "cancelled"
    assert podcast["details"]["online_url"] == "https://live.stadsomroep.nl/podcast"
    assert parsed[3].notes == (RECURRING_NOTE,)
    assert consult["details"]["start"] == "2027-01-05T09:00:00Z"


def test_floating_time_is_refused_with_no_time_zone():
    err = refusal(parse_ical, ics("floating.ics"))
    assert err.reason == "no-time-zone" and err.status == 422
    assert "no time zone" in err.detail


def test_hostile_html_in_an_ics_description_is_sanitised():
    (parsed,) = parse_ical(ics("hostile.ics"))
    payload = parsed.payload
    assert payload["title"] == "Feest"
    for text in (payload["body"], payload["summary"], payload["title"]):
        assert "<script" not in text and "onerror" not in text and "steal" not in text


@pytest.mark.parametrize(
    ("name", "reason"),
    [("malformed.ics", "malformed-ics"), ("truncated.ics", "malformed-ics"),
     ("no-events.ics", "no-events")],
)  # fmt: skip
def test_bad_files_are_refused(name, reason):
    assert refusal(parse_ical, ics(name)).reason == reason


def test_too_large_file_is_refused_before_parsing():
    data = b"BEGIN:VCALENDAR\r\n" + b"X" * (5 * 1024 * 1024)
    err = refusal(parse_upload, data, "big.ics")
    assert (err.status, err.reason, err.params["limit"]) == (413, "too-large", MAX_BYTES)


def test_ten_thousand_events_are_refused_naming_count_and_limit():
    data = calendar(*(vevent(n) for n in range(10_000)))
    assert len(data) < MAX_BYTES
    err = refusal(parse_ical, data)
    assert err.reason == "too-many-events"
    assert (err.params["count"], err.params["limit"]) == (10_000, MAX_ITEMS)
    assert "10000" in err.detail and str(MAX_ITEMS) in err.detail


def test_exactly_the_limit_is_accepted():
    assert len(parse_ical(calendar(*(vevent(n) for n in range(MAX_ITEMS))))) == MAX_ITEMS


def test_event_without_end_is_refused():
    data = calendar(
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261205T190000Z\r\nSUMMARY:Open einde\r\nEND:VEVENT"
    )
    assert refusal(parse_ical, data).reason == "no-end"


def test_page_with_graph_and_list_gives_events_and_a_job_posting():
    page = (VECTORS / "jsonld" / "agenda-en-vacatures.html").read_bytes()
    festival, job, open_day = (p.payload for p in parse_page(page))
    assert festival["kind"] == "event"
    assert festival["details"]["start"] == "2026-12-18T19:00:00Z"
    assert festival["details"]["place"]["address"] == "Prinsegracht 12, 2512 GA Den Haag"
    assert festival["details"]["ticket_url"] == "https://mediahaven.example/tickets/podcastfestival"
    assert festival["details"]["price"] == "EUR 12.50"
    assert festival["body"] == "<p>Een avond vol <strong>podcasts</strong>.</p>"
    assert job["kind"] == "vacancy"
    assert job["details"] == {
        "employer": "Omroep West",
        "location": "Den Haag",
        "hours": "32-36 uur per week",
        "hours_min": 32,
        "hours_max": 36,
        "contract_type": "permanent",
        "salary": {"min": 3400, "max": 4800, "currency": "EUR", "unit": "MONTH"},
        "closing_date": "2027-01-15",
        "apply_url": "https://mediahaven.example/vacatures/eindredacteur",
        "apply_email": "vacatures@omroepwest.example",
        "education_level": "hbo",
    }
    assert open_day["details"]["all_day"] is True
    assert open_day["details"]["status"] == "postponed"
    assert open_day["details"]["online_url"] == "https://mediahaven.example/live"
    assert open_day["details"]["price"] == "gratis"


def test_page_without_json_ld_is_refused():
    err = refusal(parse_page, b"<html><body><script>var x = 1</script></body></html>")
    assert err.reason == "no-events"


def test_json_ld_time_without_offset_is_refused():
    page = (
        b'<script type="application/ld+json">{"@type": "Event", "name": "X",'
        b' "startDate": "2026-12-05T19:00", "location": "Paard"}</script>'
    )
    assert refusal(parse_page, page).reason == "no-time-zone"


def test_job_posting_without_closing_date_is_refused():
    page = b'<script type="application/ld+json">{"@type": "JobPosting", "title": "X"}</script>'
    assert refusal(parse_page, page).reason == "no-closing-date"


def test_deeply_nested_json_ld_is_refused():
    deep = b"[" * 200 + b"]" * 200
    page = b'<script type="application/ld+json">' + deep + b"</script>"
    assert refusal(parse_page, page).reason == "too-deep"
