"""Two-stage limits and the key-fetch budget: junk cannot spend a partner's allowance,
and unknown key ids cannot make this node fetch without bound or wait without end."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from tests.federation.harness import post_signed, rsa_key, signed_headers
from tests.federation.test_inbox_refusals import note, stored


async def test_flood_naming_a_partner_does_not_delay_it(nodes, fake, http):
    # The per-host limit is small, so on the old order the junk would have spent it.
    a = await nodes(0, inbox_rate_per_minute=20)
    url = a.base_url + "/inbox"
    john = fake.key_id("/users/john")
    assert (await post_signed(http, url, note(fake, n=1), john, fake.key)).status == 202
    fetched = len(fake.fetches)
    junk_body = json.dumps(note(fake, n=2)).encode()
    junk_headers = signed_headers(url, junk_body, john, rsa_key(9))  # forged: another key
    codes: list[int] = []

    async def junk(count: int) -> None:
        for _ in range(count):
            async with http.post(url, data=junk_body, headers=junk_headers) as resp:
                codes.append(resp.status)

    flood = [asyncio.create_task(junk(50)) for _ in range(40)]  # 2,000 forged POSTs
    await asyncio.sleep(0.2)
    genuine = await post_signed(http, url, note(fake, n=3), john, fake.key)
    await asyncio.gather(*flood)
    assert genuine.status == 202
    assert len(codes) == 2000 and set(codes) == {401}
    assert (await post_signed(http, url, note(fake, n=4), john, fake.key)).status == 202
    assert len(fake.fetches) - fetched <= 1  # at most one refetch for key rotation
    assert await stored(a) == 3


async def test_per_address_limit_comes_first(nodes, fake, http):
    a = await nodes(0, inbox_rate_per_address_per_minute=3)
    codes = []
    for _ in range(4):
        async with http.post(a.base_url + "/inbox", data=b"junk") as resp:
            codes.append((resp.status, (await resp.json(content_type=None))["title"]))
    assert [status for status, _ in codes[:3]] != [429] * 3  # refused on their merits
    assert 429 not in [status for status, _ in codes[:3]]
    assert codes[3] == (429, "inbox.rate")  # the fourth is not even parsed


async def test_one_fetch_for_64_concurrent_requests_of_a_new_actor(nodes, fake, http):
    a = await nodes(0)
    url = a.base_url + "/inbox"
    key = fake.key_id("/users/newcomer")
    results = await asyncio.gather(*[
        post_signed(http, url, note(fake, "/users/newcomer", n=n), key, fake.key)
        for n in range(64)
    ])  # fmt: skip
    assert [r.status for r in results] == [202] * 64
    assert fake.fetches.count("/users/newcomer") == 1


async def test_failed_key_is_remembered_and_not_refetched(nodes, fake, http):
    a = await nodes(0)

    async def gone(request):
        return web.Response(status=404)

    fake.overrides["/users/ghost"] = gone
    for n in range(5):
        resp = await post_signed(http, a.base_url + "/inbox", note(fake, "/users/ghost", n=n),
                                 fake.key_id("/users/ghost"), fake.key)  # fmt: skip
        assert resp.status == 401
    assert fake.fetches.count("/users/ghost") == 1


async def test_ten_thousand_unknown_key_ids_cause_bounded_fetches(nodes, fake, http):
    a = await nodes(0)
    actors = a.fed.actors
    outcomes: list[str] = []
    for start in range(0, 10_000, 500):
        batch = await asyncio.gather(*[
            actors.by_key_id(fake.key_id(f"/users/u{i}")) for i in range(start, start + 500)
        ])  # fmt: skip
        outcomes += [getattr(r, "code", "ok") for r in batch]
    assert len(fake.fetches) <= actors.fetches_per_host_per_minute
    assert outcomes.count("ok") == len(fake.fetches)
    assert outcomes.count("key.budget") == 10_000 - len(fake.fetches)
    # Through the inbox the spent budget is a 429 with a reason, not a fetch.
    before = len(fake.fetches)
    resp = await post_signed(http, a.base_url + "/inbox", note(fake, "/users/late"),
                             fake.key_id("/users/late"), fake.key)  # fmt: skip
    assert resp.status == 429
    assert len(fake.fetches) == before


async def test_slow_key_host_meets_the_deadline(nodes, fake, http):
    a = await nodes(0, inbox_verify_deadline_seconds=1.0, delivery_timeout_seconds=60.0)

    async def slow(request):
        await asyncio.sleep(30)
        return web.Response(status=404)

    fake.overrides["/users/slow"] = slow
    status, text = await _post(http, a, fake, "/users/slow", n=1)
    assert status == 401 and json.loads(text)["title"] == "signature.timeout"
    # A second request for the same key joins the fetch under way and meets its deadline too.
    status, text = await _post(http, a, fake, "/users/slow", n=2)
    assert status == 401 and json.loads(text)["title"] == "signature.timeout"
    assert fake.fetches.count("/users/slow") == 1


async def _post(http, a, fake, path, n) -> tuple[int, str]:
    url = a.base_url + "/inbox"
    data = json.dumps(note(fake, path, n=n)).encode()
    headers = signed_headers(url, data, fake.key_id(path), fake.key)
    async with http.post(url, data=data, headers=headers) as r:
        return r.status, await r.text()


async def test_refusal_names_no_internal_address(nodes, fake, http):
    """The key fetch is refused by the address guard; the reason is logged, not shown."""
    a = await nodes(0, allow_private_network=False)
    status, text = await _post(http, a, fake, "/users/john", n=1)
    assert status == 401
    assert json.loads(text)["title"] == "signature.unknown_key"
    assert "127.0.0.1" not in text and "address" not in text and "resol" not in text
