"""Shared fixtures: real nodes in temporary data directories, served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from node.app import create_app
from node.app.bootstrap import init_node
from node.app.devnet import free_port
from node.core import accounts
from node.core.db.database import connect
from node.core.settings import Settings, load_settings
from node.http.access_log import access_log_options


@dataclass
class RunningNode:
    """One real node served on a loopback port, with API tokens of every scope."""

    settings: Settings
    app: web.Application
    runner: web.AppRunner
    admin_password: str
    tokens: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def url(self, path: str) -> str:
        return self.base_url + path

    def auth(self, scope: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[scope]}"}


def make_node_dir(tmp: Path, name: str, port: int, **extra) -> tuple[Settings, str]:
    base_url = f"http://127.0.0.1:{port}"
    new = init_node(tmp, name, base_url, extra_settings={"allow_private_network": True, **extra})
    return load_settings(tmp, env={}), new.admin_password


def create_tokens(settings: Settings) -> dict[str, str]:
    db = connect(settings.db_path)
    tokens = {}
    for scope in accounts.SCOPES:
        db.conn.execute("BEGIN")
        tokens[scope] = accounts.create_token(db, scope, label=f"test-{scope}")[1]
        db.conn.execute("COMMIT")
    db.conn.close()
    return tokens


async def start_node(tmp: Path, name: str, **extra) -> RunningNode:
    port = free_port()
    settings, password = make_node_dir(tmp, name, port, **extra)
    tokens = create_tokens(settings)
    app, runner = await serve(settings)
    return RunningNode(settings, app, runner, password, tokens)


async def serve(settings: Settings) -> tuple[web.Application, web.AppRunner]:
    """A node's app served on its base URL's port, as `mediakring run` serves it (the
    access log follows the setting); also to serve a stopped node again."""
    app = create_app(settings)
    runner = web.AppRunner(app, handle_signals=False, **access_log_options(settings.access_log))
    await runner.setup()
    port = int(settings.base_url.rsplit(":", 1)[1])
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return app, runner


@pytest.fixture
async def node_factory(tmp_path: Path) -> AsyncIterator[Callable]:
    """Start any number of real nodes; all are stopped at the end of the test."""
    started: list[RunningNode] = []

    async def factory(name: str = "Stadsomroep Den Haag", **extra) -> RunningNode:
        node = await start_node(tmp_path / f"node{len(started)}", name, **extra)
        started.append(node)
        return node

    yield factory
    for node in reversed(started):
        await node.runner.cleanup()


@pytest.fixture
async def node(node_factory) -> RunningNode:
    return await node_factory()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
