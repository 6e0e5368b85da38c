"""What a photo said about itself when it was uploaded (EXIF/IPTC/XMP), per media.

Read before the location is stripped from the file: ``taken_at`` (canonical UTC text
or NULL) and ``embedded`` (JSON: creator, copyright, caption, and a latitude and
longitude the editor may take over as the item's location — the file itself never
keeps them).
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(18, "media_embedded_metadata")
def _media_embedded(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE media ADD COLUMN taken_at TEXT")
    db.execute("ALTER TABLE media ADD COLUMN embedded TEXT NOT NULL DEFAULT '{}'")
