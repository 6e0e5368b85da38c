"""An index for claiming deliveries host by host.

The delivery worker claims at most ``delivery_concurrency_per_host`` rows per host.
It used to read up to 2,000 due rows in time order and skip the hosts already at
their limit, so with 10,000 followers on one host every claim read 2,000 rows to
pick 8.  Now it walks the hosts that have pending rows (one index seek per host,
round-robin from where the last claim stopped) and takes each host's oldest due
rows from this index: the cost of a claim no longer grows with the queue.

Plain SQL only: a migration must not call live application code.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(21, "delivery_claim_per_host")
def _delivery_claim_per_host(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE INDEX IF NOT EXISTS deliveries_host_due"
        " ON deliveries (state, host, next_attempt_at)"
    )
