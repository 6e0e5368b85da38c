"""Fetches the node makes for others (media, pages to import) ask the outbound guard first.

A node that is not on a private test network refuses plain http and private addresses
before it connects; a refusal names the guard's reason.
"""

from __future__ import annotations

import pytest

from node.items.imports import ImportRefused
from node.sharing.media_fetch import MediaFetchFailed, fetch_media
from node.sharing.page_fetch import fetch_page
from node.sharing.services import SERVICES


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http://127.0.0.1:9/x", "plain http is refused"),
     ("https://127.0.0.1:9/x", "is not a public address"),
     ("https://[::1]:9/x", "is not a public address")],
)  # fmt: skip
async def test_public_node_refuses_before_connecting(node_factory, url, reason):
    node = await node_factory(allow_private_network=False)
    services = node.app[SERVICES]
    with pytest.raises(MediaFetchFailed, match=reason):
        await fetch_media(services.federation, services.media_store, url, None, 1000)
    with pytest.raises(ImportRefused, match=reason) as caught:
        await fetch_page(services.federation, url)
    assert caught.value.reason == "url-refused"
