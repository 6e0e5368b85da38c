"""Signing our outbound requests: HTTP signatures as our organisation or as the instance actor.

Deliveries sign POSTs as the organisation.  Every GET whose URL a remote side can
choose (key and actor fetches, back-fill pages, media and thumbnails, ``lookup``)
is signed as the instance actor, with the instance actor's own key, so a remote
server never obtains the organisation's signature on a URL it picked
(FEDERATION.md §4, "The instance actor").  One small object holds the keys and the
clock, so parts get a signer instead of the whole local actor.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from federation.ports import Clock, LocalActor
from protocol.httpsig import sign_cavage
from protocol.vocab import AS2_MEDIA_TYPE


class Signer:
    """draft-cavage ``rsa-sha256`` signatures, with the organisation's or the instance key."""

    def __init__(self, actor: LocalActor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _get(self, url: str, key_id: str, key: Any) -> dict[str, str]:
        headers = sign_cavage("GET", url, {}, None, key_id, key, self._now())
        return {k: v for k, v in headers.items() if k in ("Host", "Date", "Signature")}

    def get_as_instance(self, url: str) -> dict[str, str]:
        """Headers for a GET signed with the instance actor's own key (its ``#main-key``)."""
        return self._get(url, self.actor.instance_key_id, self.actor.instance_rsa_private_key)

    def get_as_actor(self, url: str) -> dict[str, str]:
        """Headers for a GET signed by the organisation actor.

        Only for a known endpoint of a partner that authorises by organisation; nothing
        in this code base uses it for a URL a remote side supplied.
        """
        return self._get(url, self.actor.rsa_key_id, self.actor.rsa_private_key)

    def post(self, url: str, body: bytes) -> dict[str, str]:
        """Headers (Content-Type, Digest, Signature...) for POSTing ``body`` to ``url``."""
        return sign_cavage("POST", url, {"Content-Type": AS2_MEDIA_TYPE}, body,
                           self.actor.rsa_key_id, self.actor.rsa_private_key,
                           self._now())  # fmt: skip
