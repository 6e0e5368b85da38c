"""Fixtures shared by the multi-node tests."""

from __future__ import annotations

import pytest

from tests.integration.network import api, make_partners


@pytest.fixture
async def trio(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    c = await node_factory("Gemeente Den Haag")
    await make_partners(http, a, b)
    await make_partners(http, a, c)
    for node in (a, b, c):
        await api(http, node, "POST", "/api/v1/notifications/all/read", expect=200)
    return a, b, c
