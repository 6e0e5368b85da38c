"""The content-addressed media store: blobs at ``media_dir/ab/cd/<sha256>``, written by streaming.

A body is never held whole in memory: the socket's buffers are batched (~2 MiB, at
most 256 buffers) and handed to a worker thread that feeds each to the SHA-256
(hashlib releases the GIL on big buffers) and writes the batch with one ``writev``
to a temp file in ``media_dir/tmp`` — no joined copy — while the event loop reads
the next batch.  Only one batch is in flight, so memory stays at two batches.
The first bytes decide the type (:mod:`node.media.detect`) and so the
size limit, which is enforced as the bytes arrive.  Any failure — limit, refusal,
client gone, task cancelled — removes the temp file before the error propagates.

Placing a temp file into the store uses ``os.link`` so that it is atomic and never
overwrites: the same content uploaded twice is stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from node.core.errors import BadRequest, PayloadTooLarge
from node.media.detect import SNIFF_BYTES, Detected, sniff

BATCH_BYTES = 2 << 20
BATCH_BUFFERS = 256  # well under IOV_MAX (1024), the most buffers one writev takes
Limit = int | Callable[[Detected], int]
T = TypeVar("T")


@dataclass(frozen=True)
class TempBlob:
    """A fully received file still in ``tmp``; ``place`` it or ``discard`` it."""

    path: Path
    sha256: str
    size: int
    detected: Detected


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path
    media_type: str
    category: str


def too_large(size: int, limit: int, category: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The {category} is larger than this node accepts ({size} > {limit} bytes).",
        limit=limit,
    )


def _after(batch: list[bytes], skip: int) -> list[bytes]:
    """``batch`` without its first ``skip`` bytes (after a short ``writev``)."""
    out: list[bytes] = []
    for data in batch:
        if skip >= len(data):
            skip -= len(data)
            continue
        out.append(memoryview(data)[skip:] if skip else data)
        skip = 0
    return out


class _Sink:
    """A temp file plus hash, written by one worker thread at a time, in order."""

    def __init__(self, fh: BinaryIO, path: Path, executor: ThreadPoolExecutor) -> None:
        self.fh, self.path, self.executor = fh, path, executor
        self.hasher = hashlib.sha256()
        self.pending: Future | None = None

    def _write(self, batch: list[bytes]) -> None:
        # the socket's own buffers, hashed one by one and written with one writev: no
        # joined copy of the batch (hashlib drops the GIL for each buffer of 2 KiB or more)
        update = self.hasher.update
        for data in batch:
            update(data)
        fd, left = self.fh.fileno(), sum(map(len, batch))
        while left:
            written = os.writev(fd, batch)
            left -= written
            if left:  # a short write (rare): go on after the bytes that were taken
                batch = _after(batch, written)

    async def submit(self, batch: list[bytes]) -> None:
        """Wait for the previous batch, then start writing this one (one in flight)."""
        await self.wait()
        self.pending = self.executor.submit(self._write, batch)

    async def wait(self) -> None:
        if self.pending is not None:
            await asyncio.wrap_future(self.pending)

    def finish_sync(self) -> str:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        return self.hasher.hexdigest()

    def abort_sync(self) -> None:
        """Wait out a write still running in its thread, then close and remove the file."""
        if self.pending is not None and not self.pending.cancel():
            with contextlib.suppress(BaseException):
                self.pending.result()  # running: let it end before closing its file
        with contextlib.suppress(OSError):
            self.fh.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class MediaStore:
    """Blobs named by their SHA-256 under ``media_dir``; temp files under ``media_dir/tmp``."""

    def __init__(self, media_dir: Path, io_threads: int = 8) -> None:
        self.root = Path(media_dir)
        self.tmp_dir = self.root / "tmp"
        self._io_threads = io_threads
        self._executor: ThreadPoolExecutor | None = None

    @property
    def executor(self) -> ThreadPoolExecutor:
        """File I/O threads of this store, created on first use (nothing at import time)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._io_threads, thread_name_prefix="media-io")
        return self._executor

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """Run blocking file work on the store's threads."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _open_temp(self) -> tuple[BinaryIO, Path]:
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="up-")
        return os.fdopen(fd, "wb", buffering=0), Path(name)

    def new_temp_path(self) -> Path:
        """An empty file in ``tmp`` for a derived copy (e.g. an image without location)."""
        fh, path = self._open_temp()
        fh.close()
        return path

    async def receive(
        self, chunks: AsyncIterator[bytes], limit: Limit, *, expected_size: int | None = None
    ) -> TempBlob:
        """Stream ``chunks`` into a temp file; sniff, enforce the limit, hash on the way."""
        fh, path = await self.run(self._open_temp)
        sink = _Sink(fh, path, self.executor)
        batch: list[bytes] = []
        batched = size = 0
        detected: Detected | None = None
        cap = limit if isinstance(limit, int) else None
        try:
            async for chunk in chunks:
                if not chunk:
                    continue
                batch.append(chunk)
                batched += len(chunk)
                size += len(chunk)
                if detected is None and size >= SNIFF_BYTES:
                    detected, cap = self._check(b"".join(batch), limit, expected_size)
                if cap is not None and size > cap:
                    raise too_large(size, cap, detected.category if detected else "file")
                if batched >= BATCH_BYTES or len(batch) >= BATCH_BUFFERS:
                    await sink.submit(batch)
                    batch, batched = [], 0
            if detected is None:
                detected, cap = self._check(b"".join(batch), limit, expected_size)
                if size > cap:
                    raise too_large(size, cap, detected.category)
            if batch:
                await sink.submit(batch)
            await sink.wait()
            if expected_size is not None and size != expected_size:
                raise BadRequest(f"The body ended after {size} of {expected_size} bytes.")
            sha = await self.run(sink.finish_sync)
        except BaseException:
            # shielded: a second cancellation must not leave the temp file behind
            await asyncio.shield(self.run(sink.abort_sync))
            raise
        return TempBlob(path, sha, size, detected)

    @staticmethod
    def _check(head: bytes, limit: Limit, expected: int | None) -> tuple[Detected, int]:
        if not head:
            raise BadRequest("The upload is empty: send the file's bytes.")
        detected = sniff(head[:SNIFF_BYTES])
        cap = limit if isinstance(limit, int) else limit(detected)
        if expected is not None and expected > cap:
            raise too_large(expected, cap, detected.category)
        return detected, cap

    def place(self, temp: TempBlob) -> bool:
        """Move a temp file to its content address; False when the blob already existed.

        ``os.link`` fails rather than overwrite, so two uploads of the same content
        racing each other both end with one intact blob.
        """
        final = self.path_for(temp.sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(temp.path, final)
            created = True
        except FileExistsError:
            created = False
        temp.path.unlink(missing_ok=True)
        return created

    def discard(self, temp: TempBlob) -> None:
        temp.path.unlink(missing_ok=True)

    def remove(self, sha256: str) -> None:
        """Delete a blob (callers make sure no row refers to it any more)."""
        self.path_for(sha256).unlink(missing_ok=True)

    def write_temp(self, data: bytes, detected: Detected) -> TempBlob:
        """Synchronously write small generated bytes (a rendition) to a temp file."""
        fh, path = self._open_temp()
        try:
            with fh:
                fh.write(data)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return TempBlob(path, hashlib.sha256(data).hexdigest(), len(data), detected)

    async def ingest_stream(
        self, chunks: AsyncIterator[bytes], limit: Limit, *, expected_size: int | None = None
    ) -> StoredBlob:
        """Receive and place in one step (for fetched copies that need no further checks)."""
        temp = await self.receive(chunks, limit, expected_size=expected_size)
        await self.run(self.place, temp)
        return self._stored(temp)

    def _stored(self, temp: TempBlob) -> StoredBlob:
        return StoredBlob(
            temp.sha256,
            temp.size,
            self.path_for(temp.sha256),
            temp.detected.media_type,
            temp.detected.category,
        )
