"""The instance actor's own RSA key: a column beside the organisation's keys.

Until this migration the instance actor (``/instance-actor``) signed with the
organisation's key, so a fetch whose URL a remote side chose carried the
organisation's signature.  The column starts empty for an existing node; the node
fills it once at start-up (``node.core.identity.ensure_instance_key``), because a
migration is plain SQL and must not call live application code.  ``init`` fills it
for a new node.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(12, "instance_actor_key")
def _instance_actor_key(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE identity ADD COLUMN instance_rsa_private_pem TEXT")
