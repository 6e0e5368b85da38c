"""Accounts and API tokens: login, users, roles, tokens.

Async facades for front ends (see ``node.services``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.core import accounts
from node.core.accounts import User
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.settings import Settings


def settings(app: web.Application) -> Settings:
    return app[SETTINGS]


def organisation_name(app: web.Application) -> str:
    """The name of the organisation this node speaks for (the default organiser, employer)."""
    return app[IDENTITY].name


# -- accounts --------------------------------------------------------------------------


async def authenticate(app: web.Application, username: str, password: str) -> User | None:
    """The active user with this password, or None (same cost either way)."""
    return await app[DB].read(lambda db: accounts.authenticate(db, username, password))


async def get_user(app: web.Application, username: str) -> User:
    return await app[DB].read(lambda db: accounts.get_user(db, username))


async def list_users(app: web.Application) -> list[User]:
    return await app[DB].read(accounts.list_users)


async def add_user(app: web.Application, username: str, role: str, password: str) -> User:
    return await app[DB].write(lambda db: accounts.add_user(db, username, role, password))


async def set_user_disabled(app: web.Application, username: str, disabled: bool) -> User:
    return await app[DB].write(lambda db: accounts.set_disabled(db, username, disabled))


async def set_user_language(app: web.Application, username: str, language: str) -> None:
    await app[DB].write(lambda db: accounts.set_language(db, username, language))


async def create_token(app: web.Application, scope: str, label: str) -> tuple[str, str]:
    """(token id, secret token); the secret is not kept and can be shown only once."""
    return await app[DB].write(lambda db: accounts.create_token(db, scope, label))


async def list_tokens(app: web.Application) -> list[dict[str, Any]]:
    return await app[DB].read(accounts.list_tokens)


async def revoke_token(app: web.Application, token_id: str) -> None:
    await app[DB].write(lambda db: accounts.revoke_token(db, token_id))
