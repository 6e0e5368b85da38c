"""Migration 23: a change sequence over items (for incremental sync) and the ``report`` scope.

``item_changes`` holds one row per item: the item's URI and the sequence number of its
latest change.  Triggers on ``items``, ``audience`` and ``media`` move an item to the end
of the sequence whenever it is created, edited, deleted, made public or not, or gets
media, so every entry point (API, admin UI, CLI, federation, scheduler) is covered
without any of them having to remember.  ``GET /api/v1/changes?since=<seq>`` reads it.

The ``api_tokens`` table is rebuilt so its CHECK admits the new ``report`` scope
(read plus reporting publications, for website plugins).

Only sqlite here: migrations must not import live code.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations

_BUMP = (
    "INSERT INTO item_changes (item_id, uri) VALUES ({id}, {uri})"
    " ON CONFLICT (item_id) DO UPDATE SET"
    " seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM item_changes), uri = excluded.uri"
)


def _bump(item_id: str, uri: str = "(SELECT uri FROM items WHERE id = {id})") -> str:
    return _BUMP.format(id=item_id, uri=uri.format(id=item_id))


@node_migrations(23, "item_changes_report_scope")
def _item_changes(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE item_changes (
            seq INTEGER UNIQUE, item_id TEXT PRIMARY KEY, uri TEXT NOT NULL)"""
    )
    # seq is max + 1 on insert (a trigger, because a DEFAULT cannot be a query).
    db.execute(
        """CREATE TRIGGER item_changes_seq AFTER INSERT ON item_changes
           WHEN NEW.seq IS NULL BEGIN
             UPDATE item_changes SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM item_changes)
             WHERE item_id = NEW.item_id;
           END"""
    )
    db.execute(
        f"""CREATE TRIGGER items_changed_insert AFTER INSERT ON items BEGIN
             {_bump("NEW.id", "NEW.uri")};
           END"""
    )
    db.execute(
        f"""CREATE TRIGGER items_changed_update AFTER UPDATE ON items BEGIN
             {_bump("NEW.id", "NEW.uri")};
           END"""
    )
    db.execute(
        f"""CREATE TRIGGER items_changed_delete AFTER DELETE ON items BEGIN
             {_bump("OLD.id", "OLD.uri")};
           END"""
    )
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        db.execute(
            f"""CREATE TRIGGER audience_changed_{event.lower()} AFTER {event} ON audience
               WHEN EXISTS (SELECT 1 FROM items WHERE id = {row}.item_id) BEGIN
                 {_bump(row + ".item_id")};
               END"""
        )
        db.execute(
            f"""CREATE TRIGGER media_changed_{event.lower()} AFTER {event} ON media
               WHEN EXISTS (SELECT 1 FROM items WHERE id = {row}.item_id) BEGIN
                 {_bump(row + ".item_id")};
               END"""
        )
    # Items that exist already are in the sequence, oldest change first.
    db.execute(
        "INSERT INTO item_changes (seq, item_id, uri)"
        " SELECT ROW_NUMBER() OVER (ORDER BY updated_at, id), id, uri FROM items"
    )
    db.execute(
        """CREATE TABLE api_tokens_new (
            id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,
            scope TEXT NOT NULL CHECK (scope IN ('read','report','write','admin')),
            label TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0)"""
    )
    db.execute(
        "INSERT INTO api_tokens_new (id, token_hash, scope, label, created_at, revoked)"
        " SELECT id, token_hash, scope, label, created_at, revoked FROM api_tokens"
    )
    db.execute("DROP TABLE api_tokens")
    db.execute("ALTER TABLE api_tokens_new RENAME TO api_tokens")
