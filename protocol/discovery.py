"""Discovery documents: WebFinger (RFC 7033) JRDs and NodeInfo 2.0/2.1.

The one place that builds and parses them: federation's routes serve what the
builders return, and a node looking up ``name@host`` reads the answer with
:func:`actor_link`.  Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from protocol.result import Failure
from protocol.vocab import AS2_MEDIA_TYPE

_ACCT = re.compile(r"^acct:([A-Za-z0-9._~!$&'()*+,;=%-]+)@([A-Za-z0-9.-]+(?::[0-9]{1,5})?)$")
_OTHER_URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):[^\s]+$")  # RFC 3986 scheme ":" rest
NODEINFO_SCHEMAS = {
    "2.0": "http://nodeinfo.diaspora.software/ns/schema/2.0",
    "2.1": "http://nodeinfo.diaspora.software/ns/schema/2.1",
}


def parse_webfinger_resource(resource: str) -> tuple[str, str] | Failure:
    """``acct:user@host[:port]`` → ("acct", "user@host"); http(s) URL → ("url", url).

    A well-formed URI with any other scheme (``mailto:``, ``xmpp:``) → ("other", scheme):
    RFC 7033 answers it with 404 (no such resource here), not 400.  A missing resource,
    a malformed ``acct:`` or http(s) URI, or text that is no URI at all is a Failure.
    """
    if not isinstance(resource, str) or not resource or len(resource) > 512:
        return Failure("webfinger.resource", "resource is missing or too long")
    if resource.startswith(("https://", "http://")):
        if any(c.isspace() for c in resource):
            return Failure("webfinger.resource", "URL contains whitespace")
        return ("url", resource)
    match = _ACCT.match(resource)
    if not match:
        other = _OTHER_URI.match(resource)
        if other and other.group(1).lower() not in ("acct", "http", "https"):
            return ("other", other.group(1).lower())
        return Failure("webfinger.resource", "expected acct:user@host or an http(s) URL")
    return ("acct", f"{match.group(1)}@{match.group(2).lower()}")


def webfinger_jrd(
    subject: str, actor_url: str, profile_url: str, aliases: Iterable[str] = ()
) -> dict[str, Any]:
    """The JRD pointing fediverse software at our actor (self) and its HTML profile."""
    return {
        "subject": subject,
        "aliases": list(dict.fromkeys([actor_url, profile_url, *aliases])),
        "links": [
            {"rel": "self", "type": AS2_MEDIA_TYPE, "href": actor_url},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": profile_url,
            },
        ],
    }


def actor_link(jrd: object) -> str | Failure:
    """The ActivityPub actor a WebFinger answer points at: its ``self`` link of an AS2 type.

    Both AS2 media types count (``application/activity+json`` and ``application/ld+json``
    with the ActivityStreams profile), as servers use either.
    """
    links = jrd.get("links") if isinstance(jrd, dict) else None
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict) or link.get("rel") != "self":
            continue
        href, kind = link.get("href"), str(link.get("type", ""))
        if isinstance(href, str) and ("activity+json" in kind or "ld+json" in kind):
            if href.startswith(("https://", "http://")) and not any(c.isspace() for c in href):
                return href
    return Failure("webfinger.no_actor", "the WebFinger answer has no ActivityPub actor link")


def nodeinfo_wellknown(base_url: str) -> dict[str, Any]:
    """``/.well-known/nodeinfo``: links to both schema versions we serve."""
    base = base_url.rstrip("/")
    return {
        "links": [
            {"rel": schema, "href": f"{base}/nodeinfo/{version}"}
            for version, schema in NODEINFO_SCHEMAS.items()
        ]
    }


def nodeinfo(
    version: str,
    software_name: str,
    software_version: str,
    users_total: int,
    local_posts: int,
    open_registrations: bool,
    metadata: dict,
) -> dict[str, Any]:
    """NodeInfo 2.0 or 2.1 (2.1 adds software repository/homepage, passed in metadata)."""
    if version not in NODEINFO_SCHEMAS:
        raise ValueError(f"unsupported NodeInfo version {version!r}")
    software: dict[str, Any] = {"name": software_name.lower(), "version": software_version}
    meta = dict(metadata)
    if version == "2.1":
        for key in ("repository", "homepage"):
            if key in meta:
                software[key] = meta.pop(key)
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": bool(open_registrations),
        "usage": {"users": {"total": users_total}, "localPosts": local_posts},
        "metadata": meta,
    }
