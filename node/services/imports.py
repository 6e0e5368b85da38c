"""Importing events and vacancies: one use case for the API, the admin UI and the CLI.

:func:`import_items` turns an uploaded file (iCalendar, or an HTML page with
schema.org JSON-LD) or a fetched page into drafts: the items are created through
the items service in ONE write, so a file whose 37th event is wrong stores none
of them.  Drafts have no audience: nothing is shared or public until an editor
reviews them and decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from aiohttp import web

from node.core.appkeys import DB, IDENTITY
from node.core.errors import ProblemError
from node.core.identity import Identity
from node.items import service as items
from node.items.imports import MAX_BYTES, ImportRefused, Parsed, parse_upload, too_large
from node.sharing.page_fetch import fetch_page
from node.sharing.services import SERVICES


@dataclass(frozen=True)
class ImportResult:
    """What one import created: the draft items, in the order of the source."""

    source: str
    items: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "count": len(self.items), "items": self.items}


async def read_capped(chunks: AsyncIterator[bytes]) -> bytes:
    """An upload in memory (at most the import limit), refused with 413 once it passes it."""
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > MAX_BYTES:
            raise too_large()
    return bytes(data)


async def import_items(
    app: web.Application,
    *,
    data: bytes | None = None,
    filename: str | None = None,
    url: str | None = None,
    author: str = "",
) -> ImportResult:
    """Import from ``data`` (an uploaded file) or ``url`` (a page fetched safely): all or none."""
    if (data is None) == (url is None):
        raise ImportRefused("no-source", "Give either a file or a URL to import from.")
    if url is not None:
        data, _media_type = await fetch_page(app[SERVICES].federation, url)
        filename = url.split("?", 1)[0]
    loop = asyncio.get_running_loop()
    parsed = await loop.run_in_executor(None, parse_upload, data, filename)
    identity = app[IDENTITY]
    created = await app[DB].write(lambda db: _store(db, identity, parsed, author))
    return ImportResult(source=url or filename or "upload", items=created)


def _store(
    db: sqlite_utils.Database, identity: Identity, parsed: list[Parsed], author: str
) -> list[dict[str, Any]]:
    """Create every item in the caller's transaction; the first refusal undoes them all."""
    out = []
    for index, entry in enumerate(parsed, start=1):
        try:
            item = items.create_item(db, identity, entry.payload, author=author)
        except ProblemError as exc:
            what = "Event" if entry.payload["kind"] == "event" else "Vacancy"
            raise ImportRefused(
                "invalid-item",
                f"{what} {index} ({entry.payload['title'][:80]}): {exc.detail.rstrip('.')}."
                " Nothing was imported.",
                status=exc.status,
                index=index,
                item_title=entry.payload["title"][:80],
                field=exc.extra.get("field"),
                problem=exc.detail,
            ) from exc
        out.append(
            {
                "id": item["id"],
                "kind": item["kind"],
                "title": item["title"],
                "notes": list(entry.notes),
            }
        )
    return out
