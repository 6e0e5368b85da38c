"""The engine composes its parts from narrow collaborators; nothing is ``None`` before start."""

from __future__ import annotations

import pytest

from federation.engine import Federation
from federation.session import NotStarted
from tests.federation.harness import config, local_actor


@pytest.fixture
def fed(tmp_path):
    from tests.federation.harness import _open_db

    db = _open_db(tmp_path, 0)
    yield Federation(db, local_actor("http://127.0.0.1:9"), config())
    db.close()


async def test_outbound_http_before_start_says_so_clearly(fed):
    # every part exists from construction on; only the HTTP session waits for start()
    assert fed.actors is not None and fed.fetcher is not None
    with pytest.raises(NotStarted, match=r"Federation\.start\(\)"):
        fed.session  # noqa: B018
    with pytest.raises(NotStarted):
        await fed.actors.get("http://127.0.0.1:9/users/nobody")
    await fed.start()
    try:
        assert not fed.session.closed
    finally:
        await fed.close()
    with pytest.raises(NotStarted):
        fed.session  # noqa: B018


async def test_parts_never_hold_the_engine(fed):
    parts = [fed.receiver, fed.receiver.writer, fed.inbox_worker, fed.deliverer, fed.follows,
             fed.outbox, fed.actors, fed.fetcher]  # fmt: skip
    for part in parts:
        held = [name for name, value in vars(part).items() if isinstance(value, Federation)]
        assert held == [], f"{type(part).__name__} holds the engine in {held}"
