"""Writing listings: upsert, withdraw, delete, purge; reading one listing.

All functions are synchronous over a :class:`sqlite_utils.Database` so callers
run them inside ``Database.write`` / ``Database.read`` (one transaction each).
The triggers in :mod:`node.mediatheek.schema` keep FTS, tags and facet counts
in step, so these functions only ever touch ``listings``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

import sqlite_utils

from node.core import clock
from node.items import kinds as item_kinds
from node.items import visibility
from node.mediatheek.schema import KINDS
from protocol import instants

ID_SHIFT = 10  # 1024 listings may share one microsecond of published_at
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MIN = dt.datetime(1700, 1, 1, tzinfo=dt.UTC)  # the 64-bit id fits 1700..2255
_MAX = dt.datetime(2250, 1, 1, tzinfo=dt.UTC)
MAX_TAGS = 50
TEXT_FIELDS = (
    "origin_name",
    "title",
    "summary",
    "body_text",
    "language",
    "licence",
    "credit",
    "usage_terms",
)
COLUMNS = (
    "object_id",
    "origin_actor",
    *TEXT_FIELDS,
    "kind",
    "tags",
    "embargo_until",
    "expires_at",
    "published_at",
    "updated_at",
    "thumbnail_url",
    "document",
    "proof_ok",
    "local",
    "withdrawn",
    "details",
    "starts_at",
    "ends_at",
)


def parse_time(value: str | dt.datetime) -> dt.datetime:
    """Parse an ISO 8601 timestamp (offset required or UTC assumed) into aware UTC."""
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def iso(value: str | dt.datetime) -> str:
    """The node's one stored timestamp form (text order equals time order); naive input is
    taken as UTC, because remote documents do not always carry an offset.  Text already
    in that form (what ``protocol.instants`` gives every received timestamp) is only
    checked, not parsed and formatted again."""
    if isinstance(value, str):
        moment = instants.canonical_instant(value)  # canonical text: checked, kept as is
        if isinstance(moment, str):
            return moment
    return clock.iso(parse_time(value))


def id_base(published_at: str | dt.datetime) -> int:
    """Smallest listing id for this instant; ids sort like ``published_at``."""
    when = parse_time(published_at)
    if not _MIN <= when < _MAX:
        raise ValueError(f"published_at out of range: {when.isoformat()}")
    micros = (when - _EPOCH) // dt.timedelta(microseconds=1)
    return micros << ID_SHIFT


def id_range(since: str | None, until: str | None) -> tuple[int, int]:
    """Inclusive id bounds for a ``published_at`` range (either end open)."""
    low = id_base(max(parse_time(since), _MIN)) if since else -(2**63)
    high = (
        id_base(min(parse_time(until), _MAX - dt.timedelta(days=1))) | (2**ID_SHIFT - 1)
        if until
        else 2**63 - 1
    )
    return low, high


def normalise_tags(tags: Any) -> list[str]:
    """Lower-cased, '#'-less, de-duplicated tags, so facets and filters agree on spelling."""
    if isinstance(tags, str):
        tags = json.loads(tags)
    out: list[str] = []
    for tag in tags or []:
        text = str(tag).strip().lstrip("#").strip().lower()[:100]
        if text and text not in out:
            out.append(text)
    return out[:MAX_TAGS]


def _row_values(listing: dict[str, Any]) -> dict[str, Any]:
    for key in ("object_id", "origin_actor", "kind", "published_at"):
        if not listing.get(key):
            raise ValueError(f"listing needs {key}")
    if listing["kind"] not in KINDS:
        raise ValueError(f"unknown kind {listing['kind']!r}")
    doc = listing.get("document") or {}
    row: dict[str, Any] = {
        "object_id": str(listing["object_id"]),
        "origin_actor": str(listing["origin_actor"]),
        "kind": listing["kind"],
        "tags": json.dumps(normalise_tags(listing.get("tags"))),
        "published_at": iso(listing["published_at"]),
        "updated_at": iso(listing.get("updated_at") or listing["published_at"]),
        "thumbnail_url": listing.get("thumbnail_url"),
        "document": doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False),
        "proof_ok": int(bool(listing.get("proof_ok"))),
        "local": int(bool(listing.get("local"))),
        "withdrawn": int(bool(listing.get("withdrawn"))),
    }
    for key in TEXT_FIELDS:
        row[key] = str(listing.get(key) or "")
    for key in ("embargo_until", "expires_at"):
        row[key] = iso(listing[key]) if listing.get(key) else None
    row.update(_details_values(listing["kind"], listing.get("details")))
    return row


def _details_values(kind: str, details: Any) -> dict[str, Any]:
    """``details`` as JSON, and an event's window (all-day: whole days in its zone)."""
    if not details and isinstance(details, dict | str | None):  # most kinds have none
        return {"details": "{}", "starts_at": None, "ends_at": None}
    if isinstance(details, str):
        details = json.loads(details or "{}")
    if not isinstance(details, dict):
        raise ValueError("listing details must be an object")
    out: dict[str, Any] = {
        "details": json.dumps(details, ensure_ascii=False, sort_keys=True),
        "starts_at": None,
        "ends_at": None,
    }
    if kind == "event" and details:
        start, end = item_kinds.event_window(details)
        out["starts_at"], out["ends_at"] = iso(start), iso(end)
    return out


def _free_id(db: sqlite_utils.Database, published_at: str) -> int:
    return _free_from(db, id_base(published_at))


def _free_from(db: sqlite_utils.Database, base: int) -> int:
    top = db.execute(
        "SELECT max(id) FROM listings WHERE id BETWEEN ? AND ?", [base, base + 2**ID_SHIFT - 1]
    ).fetchone()[0]
    if top is None:
        return base
    if top - base >= 2**ID_SHIFT - 1:
        raise ValueError("too many listings published in the same microsecond")
    return top + 1


def _free_ids(db: sqlite_utils.Database, bases: set[int]) -> dict[int, int]:
    """:func:`_free_from` for many id bases in one statement (one index probe each)."""
    out: dict[int, int] = {}
    ordered = sorted(bases)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        for base, top in db.execute(
            "SELECT b.value, (SELECT max(id) FROM listings WHERE id BETWEEN b.value"
            f" AND b.value + {2**ID_SHIFT - 1}) FROM json_each(?) AS b",
            [json.dumps(chunk)],
        ):
            out[base] = base if top is None else top + 1
    return out


def prepare(listing: dict[str, Any]) -> dict[str, Any]:
    """The ``listings`` row of a listing, checked (``ValueError`` when it cannot be stored).

    Pure: a caller may run it off the database thread and hand the rows to
    :func:`upsert_rows`.
    """
    row = _row_values(listing)
    id_base(row["published_at"])  # out of the id range: refused here, not in the batch
    return row


def upsert_listing(db: sqlite_utils.Database, listing: dict[str, Any]) -> int:
    """Insert or update by ``object_id``; return the listing id.

    An update older than the stored one (``updated_at``) is ignored, because
    federation delivers out of order.  A changed ``published_at`` moves the row
    to a new id so that id order stays date order.
    """
    return _upsert_row(db, _row_values(listing))


def _upsert_row(db: sqlite_utils.Database, row: dict[str, Any]) -> int:
    old = db.execute(
        "SELECT id, published_at, updated_at FROM listings WHERE object_id = ?",
        [row["object_id"]],
    ).fetchone()
    if old is None:
        row["id"] = _free_id(db, row["published_at"])
        names = ", ".join(row)
        db.execute(
            f"INSERT INTO listings ({names}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        return row["id"]
    if row["updated_at"] < old[2]:
        return old[0]
    row["id"] = old[0] if old[1] == row["published_at"] else _free_id(db, row["published_at"])
    sets = ", ".join(f"{k} = ?" for k in row)
    db.execute(f"UPDATE listings SET {sets} WHERE id = ?", [*row.values(), old[0]])
    return row["id"]


def upsert_rows(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> int:
    """Many :func:`prepare`-d rows at once (a back-fill page); how many were handled.

    The same rules as :func:`upsert_listing`, with one lookup for the whole batch and
    multi-row INSERTs (:data:`ROWS_PER_INSERT` rows each) for the listings that are new;
    the outbox trigger enqueues every row for the search index, exactly as for single
    inserts.  Rows already stored, and a second row for the same ``object_id`` in the
    batch, take the single-row path (with its "older update is ignored" rule).
    """
    known: set[str] = set()
    ids = [row["object_id"] for row in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        known.update(
            r[0]
            for r in db.execute(
                f"SELECT object_id FROM listings WHERE object_id IN ({marks})", chunk
            )
        )
    fresh: dict[tuple[str, ...], list[list[Any]]] = {}
    others: list[dict[str, Any]] = []
    bases = [id_base(row["published_at"]) for row in rows]
    next_free = _free_ids(
        db, {base for row, base in zip(rows, bases, strict=True) if row["object_id"] not in known}
    )
    for row, base in zip(rows, bases, strict=True):
        if row["object_id"] in known:
            others.append(row)
            continue
        known.add(row["object_id"])
        free = next_free[base]
        if free - base > 2**ID_SHIFT - 1:
            raise ValueError("too many listings published in the same microsecond")
        next_free[base] = free + 1
        fresh.setdefault(("id", *row), []).append([free, *row.values()])
    for names, values in fresh.items():  # prepare() gives every row the same columns
        _insert_many(db.conn, names, values)
    for row in others:
        _upsert_row(db, dict(row))
    return sum(map(len, fresh.values())) + len(others)


#: Rows per INSERT statement in a batch.  Each statement of ``listings`` runs the outbox
#: trigger, so SQLite keeps a statement journal of every page it changes; row by row
#: (``executemany``) that journal is begun and copied to for each row, which cost a
#: back-fill's writer about 12% of its time at 20,000 listings.
ROWS_PER_INSERT = 100


def _insert_many(conn: sqlite3.Connection, names: tuple[str, ...], values: list[list[Any]]) -> None:
    """Insert ``values`` (rows of ``names``) into ``listings``, many rows per statement
    (within SQLite's limit on bound parameters)."""
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(ROWS_PER_INSERT, limit // len(names)))
    columns, marks = ", ".join(names), "(" + ", ".join("?" * len(names)) + ")"
    for start in range(0, len(values), per):
        part = values[start : start + per]
        conn.execute(
            f"INSERT INTO listings ({columns}) VALUES {', '.join([marks] * len(part))}",
            [value for row in part for value in row],
        )


def withdraw_listing(db: sqlite_utils.Database, object_id: str) -> bool:
    """Hide a listing (the origin withdrew it); True if it was visible before."""
    cur = db.execute(
        "UPDATE listings SET withdrawn = 1 WHERE object_id = ? AND withdrawn = 0", [object_id]
    )
    return cur.rowcount > 0


def delete_listing(db: sqlite_utils.Database, object_id: str) -> bool:
    """Forget a listing entirely (the origin deleted the item); True if it existed."""
    return db.execute("DELETE FROM listings WHERE object_id = ?", [object_id]).rowcount > 0


def purge_expired(db: sqlite_utils.Database, now: str) -> int:
    """Delete listings whose expiry has passed (scheduled job); search hides them anyway."""
    return db.execute(
        f"DELETE FROM listings WHERE {visibility.expired_sql('', '?')}", [iso(now)]
    ).rowcount


def row_to_listing(row: dict[str, Any]) -> dict[str, Any]:
    """Decode JSON columns and flags of a ``listings`` row."""
    return decode_listing(dict(row))


def decode_listing(out: dict[str, Any]) -> dict[str, Any]:
    """Decode the JSON columns and flags of a fresh ``listings`` row dict in place."""
    out.pop("filters", None)  # the generated column of synthetic FTS filter tokens
    if "tags" in out:
        out["tags"] = json.loads(out["tags"])
    if "document" in out:
        out["document"] = json.loads(out["document"])
    if "details" in out:
        details = out["details"]
        out["details"] = json.loads(details) if details and details != "{}" else {}
    for key in ("proof_ok", "local", "withdrawn"):
        if key in out:
            out[key] = bool(out[key])
    return out


def get_listing(db: sqlite_utils.Database, key: int | str) -> dict[str, Any] | None:
    """One listing by id (int) or object_id (str), withdrawn ones included, or None."""
    column = "id" if isinstance(key, int) else "object_id"
    cur = db.execute(f"SELECT * FROM listings WHERE {column} = ?", [key])
    row = cur.fetchone()
    if row is None:
        return None
    return row_to_listing(dict(zip([d[0] for d in cur.description], row, strict=True)))


def origin_name(db: sqlite_utils.Database, actor: str) -> str:
    """The organisation name listings of ``actor`` carry ('' if none), for a filter chip."""
    row = db.execute(
        "SELECT origin_name FROM listings WHERE origin_actor = ? AND origin_name != '' LIMIT 1",
        [actor],
    ).fetchone()
    return row[0] if row else ""
