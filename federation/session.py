"""The outbound HTTP client, opened at start and handed to parts through a provider.

An ``aiohttp.ClientSession`` must be created inside a running event loop, so it
cannot exist when the engine is constructed.  Parts therefore receive this
provider and call it when they send; before ``open()`` (or after ``close()``)
that raises :class:`NotStarted` with a clear message instead of an
``AttributeError`` on ``None``.
"""

from __future__ import annotations

from collections.abc import Callable

import aiohttp


class NotStarted(RuntimeError):
    """Outbound HTTP was attempted before the federation engine was started."""


class SessionProvider:
    """``provider()`` → the open client session; ``open()`` / ``close()`` bound its life."""

    def __init__(self, factory: Callable[[], aiohttp.ClientSession]) -> None:
        self._factory = factory
        self._session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            raise NotStarted(
                "federation's HTTP client is not open: call Federation.start() (or run the app"
                " that Federation.setup() was given) before sending or fetching"
            )
        return self._session

    @property
    def is_open(self) -> bool:
        return self._session is not None and not self._session.closed

    def open(self) -> None:
        """Create the session (inside the running loop); a second call keeps the first."""
        if not self.is_open:
            self._session = self._factory()

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()
