"""The delivery retry policy: a pure function from one attempt's outcome to what next.

Kept free of I/O and clocks (the caller passes ``now`` and a random source) so
every rule can be unit-tested: 2xx delivered; 429/503 honour Retry-After;
410 from the recipient's own (personal) inbox means that actor is gone; 404,
and 410 from a shared inbox, end the delivery as failed (a shared inbox serves
many actors, so its answer says nothing about any one of them); other 4xx will
not improve by retrying; 5xx, network errors and timeouts back off
exponentially with jitter until the give-up horizon.
"""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from typing import Literal

Action = Literal["delivered", "retry", "failed", "gone"]

BASE_DELAY = 30.0  # seconds before the first retry
MAX_DELAY = 6 * 3600.0  # never wait longer than this between two attempts
MAX_RETRY_AFTER = 24 * 3600.0  # a Retry-After beyond a day is treated as a day


@dataclass(frozen=True)
class Decision:
    """What to do with a delivery after one attempt."""

    action: Action
    next_attempt_at: float | None = None
    reason: str = ""


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return min(max(0.0, moment.timestamp() - now), MAX_RETRY_AFTER)


def backoff(
    attempts: int,
    rng: random.Random | None = None,
    *,
    base: float = BASE_DELAY,
    cap: float = MAX_DELAY,
) -> float:
    """Exponential delay for the ``attempts``-th failure, with ±25 % jitter."""
    rng = rng or random.Random()
    delay = min(base * (2 ** max(0, attempts - 1)), cap)
    return delay * rng.uniform(0.75, 1.25)


def decide(
    status: int | None,
    *,
    attempts: int,
    created_at: float,
    now: float,
    give_up_hours: float,
    retry_after: str | None = None,
    error: str = "",
    rng: random.Random | None = None,
    personal: bool = False,
) -> Decision:
    """Classify one attempt. ``status`` is None for network errors and timeouts.

    ``attempts`` counts this attempt (1 after the first try).  ``personal`` is true when
    the inbox is the recipient's own inbox, not a shared one.
    """
    if status is not None and 200 <= status < 300:
        return Decision("delivered", None, f"HTTP {status}")
    if status == 410 and personal:
        return Decision("gone", None, "HTTP 410: the actor's own inbox is gone")
    if status in (404, 410):
        where = "the actor's inbox" if personal else "a shared inbox"
        return Decision("failed", None, f"HTTP {status} from {where}: not retried; "
                        "followers are kept")  # fmt: skip
    if status is not None and 400 <= status < 500 and status != 429:
        return Decision("failed", None, f"HTTP {status}: refused, retrying will not help")
    reason = f"HTTP {status}" if status is not None else (error or "network error")
    wait = None
    if status in (429, 503):
        wait = parse_retry_after(retry_after, now)
    if wait is None:
        wait = backoff(attempts, rng)
    deadline = created_at + give_up_hours * 3600.0
    if now + wait > deadline:
        return Decision("failed", None, f"{reason}; gave up after {attempts} attempts")
    return Decision("retry", now + wait, reason)
