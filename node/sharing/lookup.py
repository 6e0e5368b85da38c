"""Finding remote actors: WebFinger for name@host, signed fetches for URLs.

Used by the partners API (``POST /api/v1/partners {"handle": ...}``) and by
``mediakring lookup``, our federation debugging tool.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import aiohttp

from federation import netguard
from node.core.errors import ValidationFailed
from protocol.discovery import actor_link, parse_webfinger_resource
from protocol.result import Failure

JRD_MAX_BYTES = 64 * 1024


def _split_handle(handle: str) -> tuple[str, str] | None:
    """``name@host`` (with or without ``acct:`` or a leading ``@``) as (name, host)."""
    text = handle.removeprefix("acct:").lstrip("@")
    parsed = parse_webfinger_resource(f"acct:{text}")
    if isinstance(parsed, Failure):
        return None
    name, host = parsed[1].rsplit("@", 1)
    return name, host


async def _webfinger(fed, name: str, host: str) -> str:
    schemes = ["https", "http"] if fed.config.allow_private_network else ["https"]
    errors = []
    for scheme in schemes:
        url = f"{scheme}://{host}/.well-known/webfinger?resource=" + quote(
            f"acct:{name}@{host}", safe=":@"
        )
        failure = await netguard.check_url(
            url, allow_http=fed.config.allow_private_network, policy=fed.address_policy
        )
        if failure is not None:  # a Failure is falsy: `if failure:` never refused
            errors.append(failure.detail)
            continue
        try:
            timeout = aiohttp.ClientTimeout(total=fed.config.delivery_timeout_seconds)
            async with fed.session.get(
                url,
                headers={"Accept": "application/jrd+json"},
                allow_redirects=False,
                timeout=timeout,
            ) as resp:
                if resp.status != 200:
                    errors.append(f"{url}: HTTP {resp.status}")
                    continue
                body = await resp.content.read(JRD_MAX_BYTES + 1)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            errors.append(f"{url}: {exc}")
            continue
        if len(body) > JRD_MAX_BYTES:
            errors.append(f"{url}: WebFinger answer too large")
            continue
        try:
            jrd = json.loads(body)
        except ValueError:
            errors.append(f"{url}: not JSON")
            continue
        actor = actor_link(jrd)
        if isinstance(actor, Failure):
            errors.append(f"{url}: {actor.detail}")
            continue
        return actor
    raise ValidationFailed(f"Could not find {name}@{host}: {'; '.join(errors)}")


async def resolve_actor_url(fed, handle: str) -> str:
    """An actor URL from ``name@host`` (WebFinger) or an http(s) URL (taken as is)."""
    if handle.startswith(("https://", "http://")):
        return handle
    parts = _split_handle(handle)
    if parts is None:
        raise ValidationFailed("handle: give name@host or an actor URL")
    return await _webfinger(fed, *parts)
