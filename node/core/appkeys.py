"""Typed keys under which create_app stores the node's services on the application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from node.core.db import Database
from node.core.settings import Settings

if TYPE_CHECKING:
    from node.core.identity import Identity

SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
DB: web.AppKey[Database] = web.AppKey("db", Database)
IDENTITY: web.AppKey[Identity] = web.AppKey("identity")
#: Services registered by feature packages (media store, federation engine, ...).
SERVICES: web.AppKey[dict[str, Any]] = web.AppKey("services", dict)
