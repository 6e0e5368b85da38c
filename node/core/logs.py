"""Logging set-up: one line per event, with time, level and logger name.

The scheduler's own logger is held at WARNING (below DEBUG it would write a line for
every tick of the embargo/expiry job, every two seconds); ``log_level = "DEBUG"`` shows
it again.
"""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    numeric = getattr(logging, level.upper(), logging.INFO)
    logging.basicConfig(level=numeric, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet = logging.WARNING if numeric > logging.DEBUG else logging.NOTSET
    logging.getLogger("apscheduler").setLevel(quiet)
