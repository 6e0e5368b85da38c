"""Failed logins counted per address over a sliding minute, in memory.

Counting only failures means a colleague who logs in correctly is never
locked out by someone else guessing; an address that keeps guessing is refused
with 429 before its password is even checked, so guessing costs no scrypt time.
"""

from __future__ import annotations

import time
from collections import deque

WINDOW_SECONDS = 60.0


class LoginLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float]:
        stamps = self._failures.setdefault(address, deque())
        while stamps and stamps[0] <= now - WINDOW_SECONDS:
            stamps.popleft()
        return stamps

    def retry_after(self, address: str) -> int:
        """Seconds until this address may try again; 0 when it may try now."""
        now = time.monotonic()
        stamps = self._recent(address, now)
        if len(stamps) < self.per_minute:
            if not stamps:
                self._failures.pop(address, None)
            return 0
        return max(1, int(stamps[0] + WINDOW_SECONDS - now) + 1)

    def failed(self, address: str) -> None:
        self._recent(address, time.monotonic()).append(time.monotonic())
