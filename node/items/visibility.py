"""The one rule for embargo, expiry and public visibility, in Python and in SQL.

An item is *embargoed* while its ``embargo_until`` lies after now, *expired*
once its ``expires_at`` is at or before now, and *public* when its audience
says so, it is not deleted, its embargo has passed and it has not expired.
Every reader — use, feeds, walls, public pages, embeds, the mediatheek, the
scheduler, the API and the admin UI — asks this module; a comparison of these
columns anywhere else is a bug (``tests/test_single_rule.py`` looks for one).

Why it works as text in SQL: every stored value is written in one canonical
form (:func:`protocol.instants.format_instant`, UTC with a Z, to the
microsecond), in which text order equals time order.  Input is canonicalised
at every boundary: :func:`canonical_instant` for API and editor input,
``protocol.mapping.object_to_item`` for what partners send, and migration 10
for what was stored before.  The Python predicates parse what they are given,
so they are right even for a non-canonical value, and fail closed (embargoed,
expired) on a value that does not parse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from node.core.clock import iso
from node.core.errors import Conflict, ValidationFailed
from protocol.instants import canonical_instant as _canonical
from protocol.instants import format_instant, parse_instant
from protocol.result import Failure

EMBARGO = "embargo_until"
EXPIRY = "expires_at"


# -- input -----------------------------------------------------------------------------


def canonical_instant(value: Any, field: str = "timestamp") -> str | None:
    """API/editor input → canonical UTC text (None if empty); ValidationFailed names ``field``."""
    if value is None or value == "":
        return None
    result = _canonical(value)
    if isinstance(result, Failure):
        raise ValidationFailed(f"{field}: {result.detail}", field=field, reason=result.code)
    return result


def check_order(embargo_until: str | None, expires_at: str | None) -> None:
    """Expiry must come after the embargo ends (both canonical or None)."""
    if embargo_until and expires_at and _moment(expires_at) <= _moment(embargo_until):
        raise ValidationFailed(f"{EXPIRY}: must be later than {EMBARGO}", field=EXPIRY)


def expires_before_embargo(embargo_until: str | None, expires_at: str | None) -> bool:
    """True when both are set and the expiry is not after the embargo (for form messages)."""
    try:
        check_order(embargo_until, expires_at)
    except ValidationFailed:
        return True
    return False


# -- predicates ------------------------------------------------------------------------


def _moment(value: str) -> dt.datetime | None:
    moment = parse_instant(value)
    return None if isinstance(moment, Failure) else moment


def _now(now: dt.datetime | str | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if isinstance(now, dt.datetime):
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        return now.astimezone(dt.UTC)
    moment = _moment(now)
    if moment is None:
        raise ValueError(f"now is not an ISO 8601 timestamp with a zone: {now!r}")
    return moment


def now_moment(now: dt.datetime | str | None = None) -> dt.datetime:
    """``now`` as an aware UTC datetime (parse once, then test many rows with it)."""
    return _now(now)


def now_text(now: dt.datetime | str | None = None) -> str:
    """``now`` as the canonical text SQL fragments bind as ``:now``."""
    return format_instant(_now(now)) if now is not None else iso()


def is_embargoed(item: Mapping[str, Any], now: dt.datetime | str | None = None) -> bool:
    """Under embargo at ``now``; an unreadable embargo counts as one (fail closed)."""
    value = item.get(EMBARGO)
    if not value:
        return False
    moment = _moment(value)
    return moment is None or moment > _now(now)


def is_expired(item: Mapping[str, Any], now: dt.datetime | str | None = None) -> bool:
    """Expired at ``now``; an unreadable expiry counts as passed (fail closed)."""
    value = item.get(EXPIRY)
    if not value:
        return False
    moment = _moment(value)
    return moment is None or moment <= _now(now)


def is_public(item: Mapping[str, Any], public: bool, now: dt.datetime | str | None = None) -> bool:
    """The public may see it: audience public, not deleted, embargo passed, not expired."""
    return (
        bool(public)
        and not item.get("deleted")
        and not is_embargoed(item, now)
        and not is_expired(item, now)
    )


def check_usable(item: Mapping[str, Any], now: dt.datetime | str | None = None) -> None:
    """A partner may take the item now; else Conflict ``embargoed`` or ``expired``."""
    if is_embargoed(item, now):
        embargo = item[EMBARGO]
        raise Conflict(
            f"This item is under embargo until {embargo}; it cannot be used before then.",
            code="embargoed",
            embargo_until=embargo,
        )
    if is_expired(item, now):
        raise Conflict(
            "This item has expired at the origin; it can no longer be used.", code="expired"
        )


# -- SQL -------------------------------------------------------------------------------
#
# Fragments for WHERE clauses.  ``table`` qualifies the columns ("" for none);
# ``now`` is the placeholder the caller binds to :func:`now_text` (":now" by
# default, "?" for positional queries).


def _col(table: str, column: str) -> str:
    return f"{table}.{column}" if table else column


def embargo_passed_sql(table: str = "items", now: str = ":now") -> str:
    """No embargo, or it has passed."""
    col = _col(table, EMBARGO)
    return f"({col} IS NULL OR {col} <= {now})"


def embargoed_sql(table: str = "items", now: str = ":now") -> str:
    """Still under embargo."""
    col = _col(table, EMBARGO)
    return f"({col} IS NOT NULL AND {col} > {now})"


def not_expired_sql(table: str = "items", now: str = ":now") -> str:
    """No expiry, or it lies after now."""
    col = _col(table, EXPIRY)
    return f"({col} IS NULL OR {col} > {now})"


def expired_sql(table: str = "items", now: str = ":now") -> str:
    """Expired at or before now."""
    col = _col(table, EXPIRY)
    return f"({col} IS NOT NULL AND {col} <= {now})"


def _passed_at(col: str, now: str) -> str:
    return f"(CASE WHEN {col} <= {now} THEN {col} END)"


def embargo_lifted_at_sql(table: str = "items", now: str = ":now") -> str:
    """The embargo's end when it has passed, else NULL (for "last changed" maxima)."""
    return _passed_at(_col(table, EMBARGO), now)


def expired_at_sql(table: str = "items", now: str = ":now") -> str:
    """The expiry moment when it has passed, else NULL (for "last changed" maxima)."""
    return _passed_at(_col(table, EXPIRY), now)


def usable_sql(table: str = "items", now: str = ":now") -> str:
    """Embargo passed and not expired (deletion and audience are the caller's)."""
    return f"{embargo_passed_sql(table, now)} AND {not_expired_sql(table, now)}"


#: The public audience of ActivityStreams (also in protocol.vocab; the rule reads it here).
_AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def addressed_publicly_sql(table: str = "listings", document: str = "document") -> str:
    """The stored object of a listing is addressed to as:Public (``to`` or ``cc``).

    A mediatheek listing is for partners; only when its origin also made the item public
    does the origin's object say so (forms.item_document puts as:Public in ``cc``). Public
    pages of *another* node (the network agenda, the vacancy portal) may show a listing only
    then. Embargo and expiry are still the caller's (usable_sql).
    """
    col = _col(table, document)
    return (
        f"(EXISTS (SELECT 1 FROM json_each({col}, '$.to') WHERE value = '{_AS_PUBLIC}')"
        f" OR EXISTS (SELECT 1 FROM json_each({col}, '$.cc') WHERE value = '{_AS_PUBLIC}'))"
    )


PUBLIC_WHERE = f"items.deleted = 0 AND audience.public = 1 AND {usable_sql('items')}"


def public_items_sql(extra_where: str = "", order: str = "audience.published_at DESC") -> str:
    """SELECT items.* for public items; bind ``:now`` (canonical UTC) and any extra parameters."""
    where = PUBLIC_WHERE + (f" AND ({extra_where})" if extra_where else "")
    return (
        "SELECT items.*, audience.published_at AS published_at FROM items"
        f" JOIN audience ON audience.item_id = items.id WHERE {where} ORDER BY {order}"
    )


# -- integer keys (the mediatheek's search index) --------------------------------------
#
# The search index holds embargo and expiry as integers (microseconds since the epoch),
# so it can filter on them with range queries.  The rule is the same one: embargoed
# while the key lies after now's key, expired once it is at or before now's key, and an
# unreadable value fails closed (embargoed for ever, expired since the epoch).

KEY_MIN = -(2**63)
KEY_MAX = 2**63 - 1
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _key(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def now_key(now: dt.datetime | str | None = None) -> int:
    """``now`` as an index key."""
    return _key(_now(now))


def embargo_key(item: Mapping[str, Any]) -> int:
    """The index key of an item's embargo: KEY_MIN without one, KEY_MAX if unreadable."""
    value = item.get(EMBARGO)
    if not value:
        return KEY_MIN
    moment = _moment(value)
    return KEY_MAX if moment is None else _key(moment)


def expiry_key(item: Mapping[str, Any]) -> int:
    """The index key of an item's expiry: KEY_MAX without one, KEY_MIN if unreadable."""
    value = item.get(EXPIRY)
    if not value:
        return KEY_MAX
    moment = _moment(value)
    return KEY_MIN if moment is None else _key(moment)


def embargoed_keys(now: dt.datetime | str | None = None) -> tuple[int, int]:
    """Inclusive range of embargo keys under embargo at ``now``."""
    return now_key(now) + 1, KEY_MAX


def embargo_passed_keys(now: dt.datetime | str | None = None) -> tuple[int, int]:
    """Inclusive range of embargo keys whose embargo has passed (or never was) at ``now``."""
    return KEY_MIN, now_key(now)


def not_expired_keys(now: dt.datetime | str | None = None) -> tuple[int, int]:
    """Inclusive range of expiry keys not expired at ``now``."""
    return now_key(now) + 1, KEY_MAX


def expired_keys(now: dt.datetime | str | None = None) -> tuple[int, int]:
    """Inclusive range of expiry keys expired at ``now`` (an unreadable one among them)."""
    return KEY_MIN, now_key(now)
