"""The ``access_log`` setting: what `mediakring run` writes to the mediakring.access logger."""

from __future__ import annotations

import logging

import pytest

from node.core.logs import configure_logging
from node.core.settings import SettingsError, load_settings
from tests.integration.fake_fediverse import FakeFediverse, follow


def access_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mediakring.access"]


async def requests(node, http, fake) -> None:
    await follow(http, fake, 0, node.base_url + "/actor")  # signed, answered 202
    as2 = {"Content-Type": "application/activity+json"}
    async with http.post(node.url("/actor/inbox"), data=b"{}", headers=as2) as resp:
        assert resp.status == 400  # not an activity: refused
    async with http.get(node.url("/actor"), headers={"Accept": "application/activity+json"}):
        pass


@pytest.fixture
async def fake():
    server = FakeFediverse(1)
    await server.start()
    yield server
    await server.stop()


async def test_default_skips_accepted_inbox_posts_but_logs_refusals(node_factory, http, fake,
                                                                    caplog):  # fmt: skip
    caplog.set_level(logging.INFO, logger="mediakring.access")
    node = await node_factory()
    assert node.settings.access_log == "skip_inbox"
    await requests(node, http, fake)
    lines = access_lines(caplog)
    assert any('"POST /actor/inbox" 400' in line for line in lines), lines
    assert any('"GET /actor" 200' in line for line in lines), lines
    assert not any(" 202 " in line for line in lines), lines


async def test_all_logs_every_request(node_factory, http, fake, caplog):
    caplog.set_level(logging.INFO, logger="mediakring.access")
    node = await node_factory(access_log="all")
    await requests(node, http, fake)
    lines = access_lines(caplog)
    assert any('"POST /actor/inbox" 202' in line for line in lines), lines
    assert any('"POST /actor/inbox" 400' in line for line in lines), lines


async def test_off_logs_nothing(node_factory, http, fake, caplog):
    caplog.set_level(logging.INFO, logger="mediakring.access")
    node = await node_factory(access_log="off")
    await requests(node, http, fake)
    assert access_lines(caplog) == []


def test_an_unknown_mode_is_refused_with_its_name(tmp_path):
    with pytest.raises(SettingsError, match="access_log: must be all, skip_inbox or off"):
        load_settings(tmp_path, env={"MEDIAKRING_ACCESS_LOG": "verbose"})


def test_scheduler_ticks_are_not_logged_at_info():
    configure_logging("INFO")
    assert logging.getLogger("apscheduler").level == logging.WARNING
    assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
    configure_logging("DEBUG")
    assert logging.getLogger("apscheduler").level == logging.NOTSET
    logging.getLogger("apscheduler").setLevel(logging.NOTSET)
