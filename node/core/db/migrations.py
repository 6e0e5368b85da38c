"""Numbered migrations, recorded in a table, applied in order at start-up.

Each package that owns tables (``federation`` and ``node``) declares its own
:class:`MigrationSet` under a scope name; the node applies them all.  Numbers are
per scope, so federation never needs to know node's numbering.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType

import sqlite_utils

log = logging.getLogger(__name__)

MigrationFn = Callable[[sqlite_utils.Database], None]


@dataclass(frozen=True)
class Migration:
    scope: str
    number: int
    name: str
    apply: MigrationFn


class MigrationSet:
    """An ordered list of migrations for one scope.

    Used as a decorator, ``@node_migrations(9, "outbox")`` only *marks* a
    function; :meth:`collect` builds the set from an explicit list of schema
    modules (``node.core.storage.NODE_SCHEMAS``), so nothing is registered by
    the side effect of an import.
    """

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self._items: dict[int, Migration] = {}

    def add(self, number: int, name: str, fn: MigrationFn) -> None:
        if number in self._items:
            raise ValueError(f"{self.scope}: migration {number} declared twice")
        self._items[number] = Migration(self.scope, number, name, fn)

    def __call__(self, number: int, name: str) -> Callable[[MigrationFn], MigrationFn]:
        def mark(fn: MigrationFn) -> MigrationFn:
            fn.__migration__ = (self.scope, number, name)  # type: ignore[attr-defined]
            return fn

        return mark

    def collect(self, modules: Iterable[ModuleType]) -> MigrationSet:
        """The migrations of this scope marked in ``modules`` (each function once)."""
        result = MigrationSet(self.scope)
        seen: set[int] = set()
        for module in modules:
            for fn in vars(module).values():
                mark = getattr(fn, "__migration__", None)
                if callable(fn) and mark and mark[0] == self.scope and id(fn) not in seen:
                    seen.add(id(fn))
                    result.add(mark[1], mark[2], fn)
        return result

    def __iter__(self):
        return iter(sorted(self._items.values(), key=lambda m: m.number))


def apply_migrations(db: sqlite_utils.Database, sets: Iterable[MigrationSet]) -> list[str]:
    """Apply every pending migration, each in its own transaction; return what ran."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS migrations (scope TEXT NOT NULL, number INTEGER NOT NULL,"
        " name TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (scope, number))"
    )
    done = {(r[0], r[1]) for r in db.execute("SELECT scope, number FROM migrations")}
    applied: list[str] = []
    for migration_set in sets:
        for m in migration_set:
            if (m.scope, m.number) in done:
                continue
            conn = db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                m.apply(db)
                conn.execute(
                    "INSERT INTO migrations (scope, number, name, applied_at) VALUES (?,?,?,?)",
                    (m.scope, m.number, m.name, dt.datetime.now(dt.UTC).isoformat()),
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            log.info("applied migration %s/%03d %s", m.scope, m.number, m.name)
            applied.append(f"{m.scope}/{m.number:03d}_{m.name}")
    return applied


def migration_set_from_steps(
    scope: str, steps: Iterable[tuple[int, str, MigrationFn]]
) -> MigrationSet:
    """Wrap another package's plain schema steps (see ``federation.store``)."""
    result = MigrationSet(scope)
    for number, name, fn in steps:
        result.add(number, name, fn)
    return result
