"""Migration 10: stored embargo and expiry moments rewritten into the one canonical form.

Before, a partner's ``embargoUntil`` was stored as the text that came in, and
SQL compared it as text, so ``2026-12-01T06:00:00-05:00`` sorted before
``2026-12-01T10:00:00Z`` although it is one hour later.  From now on every
stored value is ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC), where text order is time
order; this rewrites what was stored earlier.

Rules, all failing closed (an embargo never ends earlier, an expiry never
comes later than the value could have meant):

* a value with a zone or offset becomes that moment in UTC;
* a zone-less embargo is read as the latest moment it could mean (UTC−12:00),
  a zone-less expiry as the earliest (UTC+14:00);
* an unparseable value is left as it is: the Python rule treats it as
  embargoed/expired, and a share's document is re-read (and refused) at use.

The ``document`` column of incoming shares is the origin's own words and is
not touched; it is parsed through the same rule whenever it is read.

Only sqlite and the standard library here: migrations must not import live code.
"""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from node.core.db.schema import node_migrations

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_LATEST = dt.timezone(dt.timedelta(hours=-12))
_EARLIEST = dt.timezone(dt.timedelta(hours=14))
_TABLES = ("items", "incoming_shares", "listings")


def _canonical(value: str, zone_if_missing: dt.tzinfo) -> str | None:
    """The canonical text of ``value``; None when it cannot be read (left unchanged)."""
    text = value.strip()
    if text[-1:] in ("z", "Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone_if_missing)
    try:
        utc = moment.astimezone(dt.UTC)
    except OverflowError:
        return None
    if not 1970 <= utc.year <= 9999:
        return None
    return utc.strftime(_FORMAT)


def _table_columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


@node_migrations(10, "canonical_instants")
def _canonical_instants(db: sqlite_utils.Database) -> None:
    for table in _TABLES:
        columns = _table_columns(db, table)
        for column, zone in (("embargo_until", _LATEST), ("expires_at", _EARLIEST)):
            if column not in columns:
                continue
            rows = db.execute(
                f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL"
            ).fetchall()
            for rowid, value in rows:
                if not isinstance(value, str) or not value.strip():
                    db.execute(f"UPDATE {table} SET {column} = NULL WHERE rowid = ?", [rowid])
                    continue
                canonical = _canonical(value, zone)
                if canonical is not None and canonical != value:
                    db.execute(
                        f"UPDATE {table} SET {column} = ? WHERE rowid = ?", [canonical, rowid]
                    )
