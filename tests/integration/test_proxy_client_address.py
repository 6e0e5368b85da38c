"""Behind nginx, the per-address inbox limit counts real clients, not the proxy.

Clients connect from distinct loopback addresses (127.0.0.2, 127.0.0.3) to a real
TLS-terminating nginx; the node sees every connection from nginx (127.0.0.1). With
``trusted_proxies`` naming nginx, one client's flood is limited while another client
goes on; a client's own X-Forwarded-For is never believed.
"""

from __future__ import annotations

import json

import aiohttp
import pytest

from protocol.vocab import AS2_MEDIA_TYPE, CONTEXT
from tests.integration.tls_proxy import NodeBehindProxy, node_behind_proxy

pytestmark = pytest.mark.slow

LIMIT = 5
FAR = "https://far.example"
BODY = json.dumps({"@context": CONTEXT, "id": FAR + "/a/1", "type": "Create",
                   "actor": FAR + "/users/x",
                   "object": {"id": FAR + "/n/1", "type": "Note"}}).encode()  # fmt: skip


async def post_from(behind: NodeBehindProxy, source: str, extra: dict | None = None) -> str:
    """POST an unsigned activity from loopback address ``source``; the refusal's title."""
    connector = aiohttp.TCPConnector(ssl=behind.proxy.ssl_context(), local_addr=(source, 0))
    headers = {"Content-Type": AS2_MEDIA_TYPE, **(extra or {})}
    async with aiohttp.ClientSession(connector=connector) as session:
        url = behind.proxy.base_url + "/actor/inbox"
        async with session.post(url, data=BODY, headers=headers) as resp:
            return f"{resp.status} {(await resp.json(content_type=None))['title']}"


async def test_a_flood_from_one_client_does_not_limit_another(tmp_path):
    settings = {"inbox_rate_per_address_per_minute": LIMIT, "trusted_proxies": "127.0.0.1"}
    async with node_behind_proxy(tmp_path, "Omroep Achter Nginx", settings) as behind:
        flood = [await post_from(behind, "127.0.0.2") for _ in range(LIMIT + 3)]
        assert flood[:LIMIT] == ["401 signature.missing"] * LIMIT
        assert flood[LIMIT:] == ["429 inbox.rate"] * 3
        # The flooder cannot escape by naming another client itself: nginx appends the
        # address it saw, and that rightmost untrusted entry is the one that counts.
        forged = await post_from(behind, "127.0.0.2", {"X-Forwarded-For": "127.0.0.9"})
        assert forged == "429 inbox.rate"
        assert await post_from(behind, "127.0.0.3") == "401 signature.missing"


async def test_without_trusted_proxies_everyone_is_the_proxy(tmp_path):
    """The counter-case: unconfigured, nginx's address is the client and all share a limit."""
    settings = {"inbox_rate_per_address_per_minute": LIMIT}
    async with node_behind_proxy(tmp_path, "Omroep Zonder Vertrouwen", settings) as behind:
        for _ in range(LIMIT):
            assert await post_from(behind, "127.0.0.2") == "401 signature.missing"
        assert await post_from(behind, "127.0.0.3") == "429 inbox.rate"
