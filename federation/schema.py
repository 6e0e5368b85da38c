"""Tables owned by federation/: its durable queues and caches.

Declared as plain schema steps (see ``federation.store.SchemaStep``) that the
node records and applies.  Filled in by the federation layer.
"""

from __future__ import annotations

from federation.store import SchemaStep

SCHEMA_STEPS: list[SchemaStep] = []
