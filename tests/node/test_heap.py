"""The server freezes its start-up heap, so full collections no longer pause the inbox."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import weakref

from aiohttp import web

from node.app import cli
from node.core.heap import freeze_on_startup, freeze_startup_heap


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_freezing_keeps_later_garbage_collectable() -> None:
    try:
        assert freeze_startup_heap() > 0
        assert gc.get_freeze_count() > 0
        cycle = _Cycle()
        alive = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert alive() is None  # made after the freeze: still collected
    finally:
        gc.unfreeze()


def test_run_freezes_after_every_other_start_up_step(tmp_path, monkeypatch) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "node.app.cli", "init", "--data", str(tmp_path / "d"),
         "--name", "Omroep", "--base-url", "http://127.0.0.1:8080/"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert re.search(r"password: \S+", out)
    started: list[web.Application] = []
    monkeypatch.setattr(web, "run_app", lambda app, **_: started.append(app))
    assert cli.main(["run", "--data", str(tmp_path / "d")]) == 0
    (app,) = started
    assert app.on_startup[-1] is freeze_on_startup
