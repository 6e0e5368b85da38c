"""Usage periods in Europe/Amsterdam, and counting exactly at their boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from node.core.db.database import connect
from node.core.errors import ValidationFailed
from node.core.storage import migrate
from node.services import usage

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def test_periods_start_at_midnight_in_amsterdam_across_summer_time():
    march = usage.parse_period("month", "2026-03", NOW)
    assert march.start == dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC)  # CET
    assert march.end == dt.datetime(2026, 3, 31, 22, 0, tzinfo=dt.UTC)  # CEST
    q4 = usage.parse_period("quarter", "2025-Q4", NOW)
    assert (q4.first_day, q4.end_day) == (dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    assert q4.buckets() == ["2025-10", "2025-11", "2025-12"]
    assert len(usage.parse_period("month", "2026-02", NOW).buckets()) == 28
    assert usage.parse_period("year", "2025", NOW).previous().label == "2024"
    assert usage.current_period("quarter", NOW).label == "2026-Q4"
    # The current period may be asked for; the next one not.
    assert usage.parse_period("month", "2026-12", NOW).label == "2026-12"
    with pytest.raises(ValidationFailed, match=r"^at: '2027-01' is in the future"):
        usage.parse_period("month", "2027-01", NOW)


@pytest.mark.parametrize(
    ("kind", "at", "starts"),
    [
        ("week", None, "period:"),
        ("month", "2026-13", "at:"),
        ("month", "2026-00", "at:"),
        ("month", "garbage", "at:"),
        ("month", "2026-1", "at:"),
        ("quarter", "2026-11", "at:"),
        ("quarter", "2026-Q0", "at:"),
        ("year", "26", "at:"),
        ("year", "1999", "at:"),
    ],
)
def test_bad_periods_name_the_parameter(kind, at, starts):
    with pytest.raises(ValidationFailed) as caught:
        usage.parse_period(kind, at, NOW)
    assert caught.value.detail.startswith(starts)


def test_a_row_belongs_to_the_amsterdam_day_it_happened_on(tmp_path):
    path = tmp_path / "mediakring.db"
    migrate(path)
    db = connect(path)
    try:
        rows = [  # (id, created_at in UTC): 23:30Z on 31 October is 00:30 on 1 November
            ("a", "2026-10-31T22:59:59.999999Z"),
            ("b", "2026-10-31T23:00:00.000000Z"),
            ("c", "2026-11-30T22:59:59.999999Z"),
            ("d", "2026-11-30T23:00:00.000000Z"),
        ]
        for item_id, at in rows:
            db.execute(
                "INSERT INTO items (id, uri, kind, title, created_at, updated_at)"
                " VALUES (?, ?, 'article', 't', ?, ?)",
                [item_id, f"http://x/items/{item_id}", at, at],
            )
        db.execute(
            "INSERT INTO usage_counters (day, channel, n) VALUES ('2026-10-31', 'feed', 5),"
            " ('2026-11-01', 'feed', 2), ('2026-11-30', 'wall:s1', 3), ('2026-12-01', 'feed', 7)"
        )
        november = usage.parse_period("month", "2026-11", NOW)
        got = usage.figures(db, "http://x/actor", november)
    finally:
        db.conn.close()
    assert got["figures"]["items_made"] == 2  # b and c
    assert got["figures"]["feed_requests"] == 2
    assert got["figures"]["wall_requests"] == 3 and got["figures"]["wall_screens_active"] == 1
    assert got["series"]["items_made"][0] == 1 and got["series"]["items_made"][29] == 1
    assert got["series"]["wall_requests"][29] == 3


def _report(**changes):
    obj = {
        "id": "https://wijktv.example/usage/2026-10",
        "type": "UsageReport",
        "attributedTo": "https://wijktv.example/actor",
        "usagePeriod": "2026-10",
        "usageFigures": {name: 3 for name in usage.FIGURES},
        **changes,
    }
    return {"id": "https://wijktv.example/activities/1", "type": "Create", "object": obj}


def test_a_report_is_checked_before_anything_is_stored():
    from node.services.usage_network import check_report
    from node.sharing.incoming.common import Refused

    sender = "https://wijktv.example/actor"
    period, figures = check_report(sender, _report())
    assert period == "2026-10" and figures == {name: 3 for name in usage.FIGURES}
    refusals = {
        "attributedTo": _report(attributedTo="https://wijktv.example/other"),
        "its id": _report(id="https://elders.example/usage/2026-10"),
        "is not a month": _report(usagePeriod="oktober"),
        "must be an object": _report(usageFigures=[1, 2]),
        "non-negative": _report(usageFigures={"items_made": -2}),
        "UsageReport": {"id": "x", "type": "Create", "object": "https://wijktv.example/x"},
    }
    for reason, activity in refusals.items():
        with pytest.raises(Refused, match=reason):
            check_report(sender, activity)
