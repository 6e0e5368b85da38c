"""Item storage: create, read, list with paging and filters, update with versions, delete.

These are synchronous functions over a ``sqlite_utils.Database`` so that one
call runs as one transaction on the writer (or a reader) thread; the API and
the admin UI call them through ``Database.write`` / ``Database.read``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import sqlite_utils

from node.core.clock import iso, new_id
from node.core.errors import NotFound, ValidationFailed
from node.core.identity import Identity
from node.items import kinds, states, visibility
from node.items.model import check_dates, clean_fields
from node.media.queries import media_for_items
from node.media.service import clean_alt

_JSON_COLUMNS = ("tags", "location", "provenance", "details")


def item_exists(db: sqlite_utils.Database, item_id: str) -> bool:
    return bool(
        db.execute("SELECT 1 FROM items WHERE id = ? AND deleted = 0", [item_id]).fetchone()
    )


def _row(db: sqlite_utils.Database, item_id: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM items WHERE id = ? AND deleted = 0", [item_id]))
    if not rows:
        raise NotFound(f"There is no item {item_id!r}.")
    return rows[0]


def _to_storage(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for column in _JSON_COLUMNS:
        if column in out and out[column] is not None:
            out[column] = json.dumps(out[column], ensure_ascii=False)
    if "sensitive" in out:
        out["sensitive"] = int(out["sensitive"])
    return out


def row_to_json(row: dict[str, Any], media: list[dict[str, Any]]) -> dict[str, Any]:
    """The API (and protocol mapping) shape of an item."""
    return {
        "id": row["id"],
        "uri": row["uri"],
        "kind": row["kind"],
        "title": row["title"],
        "summary": row["summary"],
        "body": row["body_html"],
        "body_html": row["body_html"],
        "tags": json.loads(row["tags"]),
        "language": row["language"],
        "location": json.loads(row["location"]) if row["location"] else None,
        "credit": row["credit"],
        "licence": row["licence"],
        "usage_terms": row["usage_terms"],
        "embargo_until": row["embargo_until"],
        "expires_at": row["expires_at"],
        "sensitive": bool(row["sensitive"]),
        "author": row["author"],
        "derived_from": row["derived_from"],
        "provenance": json.loads(row["provenance"]) if row["provenance"] else None,
        "details": json.loads(row.get("details") or "{}"),
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "media": media,
    }


def get_item(db: sqlite_utils.Database, identity: Identity, item_id: str) -> dict[str, Any]:
    row = _row(db, item_id)
    return row_to_json(row, media_for_items(db, identity, [item_id]).get(item_id, []))


def create_item(
    db: sqlite_utils.Database,
    identity: Identity,
    data: dict[str, Any],
    *,
    author: str = "",
    extra: dict[str, Any] | None = None,
    organisation: str | None = None,
) -> dict[str, Any]:
    """Validate and store a new item; ``extra`` carries server-set columns (provenance).

    ``organisation`` is the default organiser/employer of an event or vacancy: this
    organisation, or for a copy the origin's name.
    """
    values = clean_fields(data, creating=True)
    kinds.apply_details(values["kind"], values, None, organisation=organisation or identity.name)
    check_dates(values.get("embargo_until"), values.get("expires_at"))
    item_id = new_id()
    now = iso()
    values.setdefault("author", author)
    db["items"].insert(
        _to_storage(
            {
                **values,
                "id": item_id,
                "uri": identity.item_url(item_id),
                "created_at": now,
                "updated_at": now,
                "version": 1,
                **(extra or {}),
            }
        )
    )
    return get_item(db, identity, item_id)


def update_item(
    db: sqlite_utils.Database, identity: Identity, item_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Apply a partial update; the previous state is kept as a numbered version."""
    row = _row(db, item_id)
    alts = data.get("media_alt")
    if alts is not None and not (
        isinstance(alts, dict) and all(isinstance(v, str) for v in alts.values())
    ):
        raise ValidationFailed(
            "media_alt: give an object of media id → alt text.", field="media_alt"
        )
    fields = {k: v for k, v in data.items() if k != "media_alt"}
    values = clean_fields(fields, creating=False) if fields else {}
    if not values and not alts:
        raise ValidationFailed("Nothing to change: give at least one field.")
    current = json.loads(row.get("details") or "{}")
    kinds.apply_details(row["kind"], values, current, organisation=identity.name)
    merged_embargo = values.get("embargo_until", row["embargo_until"])
    merged_expiry = values.get("expires_at", row["expires_at"])
    check_dates(merged_embargo, merged_expiry)
    db["item_versions"].insert(
        {
            "item_id": item_id,
            "version": row["version"],
            "snapshot": json.dumps(row_to_json(row, []), ensure_ascii=False),
            "created_at": iso(),
        }
    )
    db["items"].update(
        item_id,
        _to_storage(
            {
                **values,
                "version": row["version"] + 1,
                "updated_at": iso(),
            }
        ),
    )
    for media_id, text in (alts or {}).items():  # alt text travels as the attachment's name
        db.execute(
            "UPDATE media SET alt = ? WHERE id = ? AND item_id = ?",
            [clean_alt(text), media_id, item_id],
        )
    return get_item(db, identity, item_id)


def list_versions(db: sqlite_utils.Database, item_id: str) -> list[dict[str, Any]]:
    _row(db, item_id)
    return [
        {"version": r["version"], "created_at": r["created_at"], "item": json.loads(r["snapshot"])}
        for r in db.query(
            "SELECT * FROM item_versions WHERE item_id = ? ORDER BY version DESC", [item_id]
        )
    ]


def delete_item(db: sqlite_utils.Database, item_id: str) -> dict[str, Any]:
    """Delete an item.

    An empty draft nobody else ever saw (no media, never in an audience) is removed
    entirely, so a cancelled upload leaves nothing behind.  Anything else is kept as a
    tombstone (``deleted = 1``) so federation can announce the deletion and insight
    keeps its history.
    """
    row = _row(db, item_id)
    seen = db.execute("SELECT 1 FROM audience WHERE item_id = ?", [item_id]).fetchone()
    holds = db.execute("SELECT 1 FROM media WHERE item_id = ?", [item_id]).fetchone()
    if not seen and not holds:
        db.execute("DELETE FROM items WHERE id = ?", [item_id])
    else:
        db["items"].update(item_id, {"deleted": 1, "updated_at": iso()})
    return row


# -- listing ---------------------------------------------------------------------

LIST_FILTERS = ("kind", "tag", "language", "q", "since", "until", "embargoed", "state")


def encode_cursor(created_at: str, item_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at}|{item_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, item_id = base64.urlsafe_b64decode(padded).decode().split("|", 1)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("cursor: not a cursor this API handed out") from exc
    return created_at, item_id


#: what the library's search box looks in: every word typed must occur in one of these
LIBRARY_SEARCH_COLUMNS = ("title", "summary", "body_html", "tags", "credit", "author")
MAX_SEARCH_WORDS = 8


def text_search_sql(q: str) -> tuple[str, list[str]]:
    """Every word of ``q`` as a substring (so the start of a word is enough: "kerm" finds
    "kermis") of a searchable column; ``%``, ``_`` and ``\\`` are plain characters."""
    words = q.split()[:MAX_SEARCH_WORDS]
    clauses, params = [], []
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(
            "(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in LIBRARY_SEARCH_COLUMNS) + ")"
        )
        params += [pattern] * len(LIBRARY_SEARCH_COLUMNS)
    return " AND ".join(clauses) or "1", params


def list_items(
    db: sqlite_utils.Database,
    identity: Identity,
    filters: dict[str, str],
    limit: int,
    cursor: str | None,
    now: str,
) -> tuple[list[dict], str | None]:
    """One page of items, newest first, plus the cursor of the next page (or None)."""
    where, params = ["deleted = 0"], []
    if filters.get("kind"):
        where.append("kind = ?")
        params.append(filters["kind"])
    if filters.get("language"):
        where.append("language = ?")
        params.append(filters["language"])
    if filters.get("tag"):
        where.append("EXISTS (SELECT 1 FROM json_each(items.tags) WHERE lower(value) = lower(?))")
        params.append(filters["tag"].lstrip("#"))
    if filters.get("q"):
        clause, values = text_search_sql(filters["q"])
        where.append(clause)
        params += values
    if filters.get("since"):
        where.append("created_at >= ?")
        params.append(filters["since"])
    if filters.get("until"):
        where.append("created_at < ?")
        params.append(filters["until"])
    if filters.get("embargoed") == "true":
        where.append(visibility.embargoed_sql("items", "?"))
        params.append(visibility.now_text(now))
    elif filters.get("embargoed") == "false":
        where.append(visibility.embargo_passed_sql("items", "?"))
        params.append(visibility.now_text(now))
    if filters.get("state"):
        sql, values = states.state_where(filters["state"], now)
        where.append(sql)
        params += values
    if cursor:
        created_at, item_id = decode_cursor(cursor)
        where.append("(created_at, id) < (?, ?)")
        params += [created_at, item_id]
    rows = list(
        db.query(
            f"SELECT * FROM items WHERE {' AND '.join(where)}"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            [*params, limit + 1],
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    media = media_for_items(db, identity, [r["id"] for r in rows])
    page = [row_to_json(r, media.get(r["id"], [])) for r in rows]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if has_more else None
    return page, next_cursor
