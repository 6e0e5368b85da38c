"""Reading multipart parts without holding a file in memory: shared by every upload form."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from aiohttp import BodyPartReader, web

from node.core.errors import BadRequest

CHUNK = 1 << 20


async def form_parts(request: web.Request) -> AsyncIterator[BodyPartReader]:
    """The parts of a multipart/form-data body; malformed or nested bodies are a clear 400."""
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError, KeyError) as exc:
        raise BadRequest(f"Malformed multipart body: {exc}") from exc
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            raise BadRequest("Nested multipart bodies are not accepted.")
        yield part


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
