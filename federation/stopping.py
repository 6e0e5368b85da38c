"""Stopping background tasks for certain, also on Python 3.11.

On 3.11 ``asyncio.wait_for`` can swallow a cancellation that arrives just as its own
timeout fires (fixed in 3.12).  A worker loop that waits with ``wait_for`` and suppresses
``TimeoutError`` then simply goes round again, and a shutdown that cancelled it once and
awaits it waits for ever.  So shutdown cancels again until the task has really ended.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


async def cancel_and_wait(tasks: Iterable[asyncio.Task], *, every: float = 0.5) -> None:
    """Cancel ``tasks`` and wait until every one is done, cancelling again each ``every``
    seconds for as long as one still runs (a cancellation that was swallowed)."""
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=every)
