"""Times for people: Amsterdam's clock, the page's language, ISO only for machines."""

from __future__ import annotations

import datetime as dt

from node.core import human_time


def test_winter_time_is_utc_plus_one_in_both_languages():
    value = "2026-12-01T07:51:45.008782Z"
    assert human_time.when(value, "nl") == "1 december 2026, 08:51"
    assert human_time.when(value, "en") == "1 December 2026, 08:51"
    assert human_time.when(value, "nl", zone=True) == "1 december 2026, 08:51 (CET)"


def test_summer_time_is_utc_plus_two_and_named_cest():
    value = "2026-07-15T12:00:00Z"
    assert human_time.when(value, "nl") == "15 juli 2026, 14:00"
    assert human_time.when(value, "en", zone=True) == "15 July 2026, 14:00 (CEST)"


def test_midnight_edge_moves_the_date_in_amsterdam():
    # 23:30 UTC on new year's eve is already next year in Amsterdam (winter, +1).
    assert human_time.when("2026-12-31T23:30:00Z", "nl") == "1 januari 2027, 00:30"
    assert human_time.day("2026-12-31T23:30:00Z", "en") == "1 January 2027"
    # 22:00 UTC in summer is exactly midnight (+2).
    assert human_time.when("2026-06-30T22:00:00Z", "en") == "1 July 2026, 00:00"
    assert human_time.day("2026-06-30T21:59:59Z", "nl") == "30 juni 2026"


def test_daylight_saving_switch_days():
    # 29 March 2026: 01:59 UTC is 03:59 CEST; 00:59 UTC was 01:59 CET.
    assert human_time.when("2026-03-29T00:59:00Z", "nl", zone=True).endswith("01:59 (CET)")
    assert human_time.when("2026-03-29T01:00:00Z", "nl", zone=True).endswith("03:00 (CEST)")


def test_offsets_datetimes_and_zoneless_values():
    assert human_time.when("2026-12-01T09:51:00+02:00", "nl") == "1 december 2026, 08:51"
    aware = dt.datetime(2026, 12, 1, 7, 51, tzinfo=dt.UTC)
    assert human_time.when(aware, "en") == "1 December 2026, 08:51"
    assert human_time.when("2026-12-01T07:51:00", "nl") == "1 december 2026, 08:51"


def test_empty_and_unreadable_values_never_raise():
    assert human_time.when(None, "nl") == ""
    assert human_time.when("", "en") == ""
    assert human_time.when("binnenkort", "nl") == "binnenkort"
    assert human_time.when("2026-12-01T07:51:00Z", "fr") == "1 december 2026, 08:51"


def test_machines_keep_utc_iso():
    assert human_time.machine("2026-12-01T08:51:45.008782+01:00") == "2026-12-01T07:51:45Z"
    assert human_time.machine(None) == ""


def test_weekday_words():
    assert human_time.date_words(dt.date(2026, 12, 1), "nl", weekday=True) == (
        "dinsdag 1 december 2026"
    )
    assert human_time.date_words(dt.date(2026, 12, 1), "en", weekday=True) == (
        "Tuesday 1 December 2026"
    )
