"""Migration 16: the usage report's own records.

- ``usage_counters``: requests to the reach channels (feeds, embeds, wall screens), one
  row per local day (Europe/Amsterdam) and channel; the node adds batched increments,
  never one write per request.
- ``usage_sent``: on a participant, which monthly report went to which coordinator.
- ``usage_reports``: on the coordinator, the latest report per participant and period.
- ``usage_participants``: on the coordinator, the kind of each participant.

Plain SQL only: a migration must not call live application code.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(16, "usage")
def _usage(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE usage_counters (
            day TEXT NOT NULL, channel TEXT NOT NULL, n INTEGER NOT NULL CHECK (n >= 0),
            PRIMARY KEY (day, channel)) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE usage_sent (
            period TEXT NOT NULL, coordinator TEXT NOT NULL, activity_id TEXT NOT NULL,
            figures TEXT NOT NULL, sent_at TEXT NOT NULL,
            PRIMARY KEY (period, coordinator))"""
    )
    db.execute(
        """CREATE TABLE usage_reports (
            sender TEXT NOT NULL, period TEXT NOT NULL, figures TEXT NOT NULL,
            activity_id TEXT NOT NULL UNIQUE, received_at TEXT NOT NULL,
            PRIMARY KEY (sender, period))"""
    )
    db.execute(
        """CREATE TABLE usage_participants (
            actor TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('community', 'commercial', 'unknown')),
            updated_at TEXT NOT NULL)"""
    )
