"""The storage port federation/ needs; node/ provides the implementation.

federation/ must not import node/, yet its queues are database rows.  It
therefore receives any object with async ``read`` and ``write`` that run a
function against a :class:`sqlite_utils.Database` (node's ``Database`` does),
and declares its own tables as a migration set that the node applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

import sqlite_utils

T = TypeVar("T")


class Store(Protocol):
    async def read(self, fn: Callable[[sqlite_utils.Database], T]) -> T: ...

    async def write(self, fn: Callable[[sqlite_utils.Database], T]) -> T: ...


#: One schema step: (number, name, function applying it).  federation/ lists its
#: steps in ``federation.schema.SCHEMA_STEPS``; node/ records and applies them.
SchemaStep = tuple[int, str, Callable[[sqlite_utils.Database], None]]
