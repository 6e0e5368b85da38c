"""Reading multipart parts without holding a file in memory: shared by every upload form."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from aiohttp import BodyPartReader

from node.core.errors import BadRequest

CHUNK = 1 << 20


async def part_chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    """A file part in 1 MiB chunks; a malformed body becomes a clear 400."""
    try:
        while chunk := await part.read_chunk(CHUNK):
            yield chunk
    except ValueError as exc:
        raise BadRequest(f"Malformed multipart body: {exc}") from exc


async def read_text_part(
    part: BodyPartReader, limit: int, too_long: Callable[[], Exception]
) -> str:
    """A small text field, refused with ``too_long()`` as soon as it passes ``limit`` bytes."""
    data = bytearray()
    while chunk := await part.read_chunk(8192):
        data += chunk
        if len(data) > limit:
            raise too_long()
    return data.decode("utf-8", "replace")
