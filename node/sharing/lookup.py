"""Finding remote actors: WebFinger for name@host, signed fetches for URLs.

Used by the partners API (``POST /api/v1/partners {"handle": ...}``) and by
``mediakring lookup``, our federation debugging tool.

Every refusal is a :class:`ValidationFailed` with ``field="handle"`` and a ``reason``
that says what went wrong in a word, so a user interface can say it in the user's
language and tell them what to do next:

* ``malformed``: not ``name@host`` and not an http(s) URL;
* ``refused-address``: the host is on a private or local network, or plain http,
  and this node only talks to the public internet;
* ``unknown-host``: the host's name does not resolve;
* ``unreachable``: the host did not answer (connection refused, timeout, TLS);
* ``not-found``: the host answered, but knows no such account (or no actor link).

The technical detail (URLs tried, HTTP statuses, library messages) is logged and kept in
``detail`` for API clients and the debugging tool; it is not meant for a page.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import aiohttp

from federation import netguard
from node.core.errors import ValidationFailed
from protocol.discovery import actor_link, parse_webfinger_resource
from protocol.result import Failure

JRD_MAX_BYTES = 64 * 1024
log = logging.getLogger("mediakring.lookup")

#: netguard's refusal codes → our reasons; the order of REASONS ranks them when several
#: schemes were tried (the most telling reason wins).
NETGUARD_REASONS = {
    "netguard.private": "refused-address",
    "netguard.scheme": "refused-address",
    "netguard.malformed": "malformed",
    "netguard.dns": "unknown-host",
}
REASONS = ("not-found", "unreachable", "refused-address", "unknown-host", "malformed")


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
    errors: list[str] = []
    reasons: list[str] = []
    for scheme in schemes:
        url = f"{scheme}://{host}/.well-known/webfinger?resource=" + quote(
            f"acct:{name}@{host}", safe=":@"
        )
        failure = await netguard.check_url(
            url, allow_http=fed.config.allow_private_network, policy=fed.address_policy
        )
        if failure is not None:  # a Failure is falsy: `if failure:` never refused
            errors.append(failure.detail)
            reasons.append(NETGUARD_REASONS.get(failure.code, "refused-address"))
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
                    reasons.append("not-found" if resp.status < 500 else "unreachable")
                    continue
                body = await resp.content.read(JRD_MAX_BYTES + 1)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            errors.append(f"{url}: {exc}")
            reasons.append("unreachable")
            continue
        if len(body) > JRD_MAX_BYTES:
            errors.append(f"{url}: WebFinger answer too large")
            reasons.append("not-found")
            continue
        try:
            jrd = json.loads(body)
        except ValueError:
            errors.append(f"{url}: not JSON")
            reasons.append("not-found")
            continue
        actor = actor_link(jrd)
        if isinstance(actor, Failure):
            errors.append(f"{url}: {actor.detail}")
            reasons.append("not-found")
            continue
        return actor
    reason = min(reasons or ["not-found"], key=REASONS.index)
    detail = f"Could not find {name}@{host}: {'; '.join(errors)}"
    log.info("partner lookup refused (%s): %s", reason, detail)
    raise ValidationFailed(detail, field="handle", reason=reason, handle=f"{name}@{host}")


async def resolve_actor_url(fed, handle: str) -> str:
    """An actor URL from ``name@host`` (WebFinger) or an http(s) URL (taken as is)."""
    if handle.startswith(("https://", "http://")):
        return handle
    parts = _split_handle(handle)
    if parts is None:
        raise ValidationFailed(
            "handle: give name@host or an actor URL", field="handle", reason="malformed"
        )
    return await _webfinger(fed, *parts)
