from __future__ import annotations

import aiohttp
import pytest

from tests.federation.harness import FakeActors, start_node


@pytest.fixture
async def nodes(tmp_path):
    started = []

    async def factory(n: int = 0, **kw):
        node = await start_node(tmp_path / f"n{n}", n, **kw)
        started.append(node)
        return node

    yield factory
    for node in started:
        await node.stop()


@pytest.fixture
async def fake():
    server = await FakeActors().start()
    yield server
    await server.stop()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session
