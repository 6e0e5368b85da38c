"""``mediakring usage show`` and ``usage send`` on a node's data directory."""

from __future__ import annotations

import asyncio
import csv
import io

from node.app import cli
from node.services import usage
from node.sharing.services import SERVICES
from tests.integration.network import api, make_partners, wait_for

LAST_MONTH = usage.current_period("month").previous().label


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_usage_send_from_the_command_line_reaches_the_coordinator(node_factory, http, capsys):
    coordinator = await node_factory("Stadsomroep Den Haag", usage_collect_reports=True)
    participant = await node_factory(
        "WijkTV Den Haag", usage_coordinator=coordinator.url("/actor"), usage_report_opt_in=True
    )
    silent = await node_factory("Gemeente Den Haag")
    await make_partners(http, participant, coordinator)
    data, silent_data = str(participant.settings.data_dir), str(silent.settings.data_dir)
    await participant.runner.cleanup()  # the command runs while the node is stopped
    await silent.runner.cleanup()

    code, out, _ = await asyncio.to_thread(
        run_cli, capsys, "usage", "send", "--data", data, "--at", LAST_MONTH
    )
    assert code == 0 and f"usage report {LAST_MONTH} sent to" in out
    code, out, _ = await asyncio.to_thread(run_cli, capsys, "usage", "send", "--data", silent_data)
    assert code == 1 and "nothing sent: not opted in" in out

    async def stored():
        await coordinator.app[SERVICES].federation.drain()
        got = await api(http, coordinator, "GET", f"/api/v1/usage/network?at={LAST_MONTH}")
        return got["rows"]

    rows = await wait_for(stored, what="the report sent by the command")
    assert [r["name"] for r in rows] == ["WijkTV Den Haag"]

    code, out, _ = await asyncio.to_thread(
        run_cli, capsys, "usage", "show", "--data", data, "--csv"
    )
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert table[-1]["period"] == "month" and int(table[-1]["items_made"]) == 0
    code, _, err = await asyncio.to_thread(
        run_cli, capsys, "usage", "show", "--data", data, "--at", "2026-13"
    )
    assert code == 2 and "at: '2026-13' is not a month" in err
