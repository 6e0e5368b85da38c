"""Signing our outbound requests: HTTP signatures as our organisation or as the instance actor.

Deliveries sign POSTs as the organisation.  Every GET whose URL a remote side can
choose (key and actor fetches, back-fill pages, media and thumbnails, ``lookup``)
is signed as the instance actor, with the instance actor's own key, so a remote
server never obtains the organisation's signature on a URL it picked
(FEDERATION.md §4, "The instance actor").  One small object holds the keys and the
clock, so parts get a signer instead of the whole local actor.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from federation.ports import Clock, LocalActor
from protocol.httpsig import digest_header, sign_cavage
from protocol.vocab import AS2_MEDIA_TYPE


class Signer:
    """draft-cavage ``rsa-sha256`` signatures, with the organisation's or the instance key."""

    #: Bodies whose Digest is kept: a fan-out POSTs one body to every follower's inbox,
    #: so its SHA-256 is computed once, not once per inbox.
    DIGESTS_KEPT = 64

    def __init__(self, actor: LocalActor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock
        self._digests: OrderedDict[bytes, str] = OrderedDict()

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
                           self._now(), digest=self._digest(body))  # fmt: skip

    def _digest(self, body: bytes) -> str:
        """The Digest of ``body``, kept for the last bodies signed (keyed by the bytes
        themselves: the deliverer hands every inbox the same object, whose hash Python
        keeps, so a repeat costs one dictionary lookup)."""
        value = self._digests.get(body)
        if value is None:
            value = self._digests[body] = digest_header(body)
            if len(self._digests) > self.DIGESTS_KEPT:
                self._digests.popitem(last=False)
        else:
            self._digests.move_to_end(body)
        return value
