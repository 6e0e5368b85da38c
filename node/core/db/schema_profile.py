"""The organisation's avatar and header image: the content hash of each JPEG rendition.

The blobs live in the media store like every other file; the identity row names them,
so an edit of the profile is one row update that commits with its ``Update`` activity.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(15, "profile_images")
def _profile_images(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE identity ADD COLUMN icon_sha256 TEXT")
    db.execute("ALTER TABLE identity ADD COLUMN image_sha256 TEXT")
