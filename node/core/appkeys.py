"""Typed keys for the node's core objects on the application.

The services (federation engine, distributor, ...) are one typed object under
:data:`node.sharing.services.SERVICES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from node.core.db import Database
from node.core.settings import Settings

if TYPE_CHECKING:
    from node.core.identity import Identity

SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
DB: web.AppKey[Database] = web.AppKey("db", Database)
IDENTITY: web.AppKey[Identity] = web.AppKey("identity")
