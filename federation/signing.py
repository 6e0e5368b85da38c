"""Signing our outbound requests: HTTP signatures as our organisation or as the instance actor.

Deliveries sign POSTs, the actor cache signs GETs as the instance actor (so a
server that requires signed fetches answers before it knows us), media and
object fetches sign GETs as the organisation.  One small object holds the key
and the clock, so parts get a signer instead of the whole local actor.
"""

from __future__ import annotations

from datetime import UTC, datetime

from federation.ports import Clock, LocalActor
from protocol.httpsig import sign_cavage
from protocol.vocab import AS2_MEDIA_TYPE


class Signer:
    """draft-cavage ``rsa-sha256`` signatures with the organisation's RSA key."""

    def __init__(self, actor: LocalActor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _get(self, url: str, key_id: str) -> dict[str, str]:
        headers = sign_cavage("GET", url, {}, None, key_id, self.actor.rsa_private_key, self._now())
        return {k: v for k, v in headers.items() if k in ("Host", "Date", "Signature")}

    def get_as_instance(self, url: str) -> dict[str, str]:
        """Headers for a GET signed by the instance actor (``/instance-actor#main-key``)."""
        return self._get(url, self.actor.instance_actor_url + "#main-key")

    def get_as_actor(self, url: str) -> dict[str, str]:
        """Headers for a GET signed by the organisation actor."""
        return self._get(url, self.actor.rsa_key_id)

    def post(self, url: str, body: bytes) -> dict[str, str]:
        """Headers (Content-Type, Digest, Signature...) for POSTing ``body`` to ``url``."""
        return sign_cavage("POST", url, {"Content-Type": AS2_MEDIA_TYPE}, body,
                           self.actor.rsa_key_id, self.actor.rsa_private_key,
                           self._now())  # fmt: skip
