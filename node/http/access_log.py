"""The access log: one cheap line per request, and none for accepted inbox POSTs by default.

aiohttp's default access logger interprets a format string for every request and
formats the time with ``strftime``; on the inbox path that was 16% of the work.  This
logger hands the fields to :mod:`logging` unformatted (they are formatted only when a
handler actually writes the line) and follows the ``access_log`` setting:

* ``all`` — every request;
* ``skip_inbox`` (default) — every request except a POST to an inbox answered 202:
  at fediverse volume those are most lines and say nothing the delivery health does
  not; refusals are still logged, here and by the inbox with their reason;
* ``off`` — no access log at all.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

ACCESS_LOG_MODES = ("all", "skip_inbox", "off")
LOGGER = "mediakring.access"


class FastAccessLogger(AbstractAccessLogger):
    """``<client> "<METHOD> <path>" <status> <bytes> <ms>ms``, lazily formatted."""

    skip_inbox = False

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if (
            self.skip_inbox
            and response.status == 202
            and request.method == "POST"
            and request.path.endswith("inbox")
        ):
            return
        self.logger.info(
            '%s "%s %s" %s %s %.1fms',
            request.remote,
            request.method,
            request.path_qs,
            response.status,
            response.body_length,
            time * 1000,
        )


class _SkipInbox(FastAccessLogger):
    skip_inbox = True


def access_log_options(mode: str) -> dict:
    """Keyword arguments for ``web.run_app`` / ``web.AppRunner`` for an ``access_log`` mode."""
    if mode not in ACCESS_LOG_MODES:
        raise ValueError(f"access_log must be one of {', '.join(ACCESS_LOG_MODES)}, not {mode!r}")
    if mode == "off":
        return {"access_log": None}
    cls = _SkipInbox if mode == "skip_inbox" else FastAccessLogger
    return {"access_log": logging.getLogger(LOGGER), "access_log_class": cls}
