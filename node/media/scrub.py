"""Removing where a photographer was from the files a node publishes.

Phones write GPS positions into photos (EXIF, XMP) and videos (``©xyz``,
``location`` atoms).  Renditions are re-encoded from pixels and carry nothing,
but the original is published and shared too, so every uploaded image is stored
without location (source protection), and before an accepted citizen
contribution becomes item media its original is copied without location:

* JPEG: rewritten segment by segment, pixels untouched — the EXIF block is kept
  without its GPS directory (orientation and camera data stay), XMP is dropped;
* other images with GPS or XMP: re-saved by Pillow with the same EXIF minus GPS;
* video and audio: remuxed by ffmpeg with ``-map_metadata -1`` (no re-encode).
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import BinaryIO

from PIL import Image

GPS_IFD = 0x8825
_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_EXIF = b"Exif\x00\x00"
COPY_CHUNK = 1 << 20


def _exif_without_gps(payload: bytes) -> bytes | None:
    """The APP1 payload without GPS; None to drop the block when it cannot be parsed."""
    try:
        exif = Image.Exif()
        exif.load(payload)
        exif.pop(GPS_IFD, None)
        data = exif.tobytes()
    except Exception:  # unparseable EXIF is dropped whole, never kept
        return None
    return data if data.startswith(_EXIF) else _EXIF + data


def _read(fh: BinaryIO, n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise ValueError("truncated JPEG")
    return data


def scrub_jpeg(src: Path, dst: Path) -> None:
    """Copy a JPEG without GPS and XMP, streaming the image data unchanged."""
    with src.open("rb") as fin, dst.open("wb") as fout:
        if _read(fin, 2) != b"\xff\xd8":
            raise ValueError("not a JPEG")
        fout.write(b"\xff\xd8")
        while True:
            marker = _read(fin, 2)
            if marker[0] != 0xFF:
                raise ValueError("bad JPEG marker")
            if marker[1] in (0xDA, 0xD9):  # start of scan / end: the rest is image data
                fout.write(marker)
                shutil.copyfileobj(fin, fout, COPY_CHUNK)
                return
            length = int.from_bytes(_read(fin, 2), "big")
            payload = _read(fin, length - 2)
            if marker[1] == 0xE1 and payload.startswith(_XMP):
                continue
            if marker[1] == 0xE1 and payload.startswith(_EXIF):
                cleaned = _exif_without_gps(payload)
                if cleaned is None or len(cleaned) + 2 > 0xFFFF:
                    continue
                payload = cleaned
            fout.write(marker + (len(payload) + 2).to_bytes(2, "big") + payload)


def _has_location(image: Image.Image) -> bool:
    exif = image.getexif()
    return bool(exif.get(GPS_IFD)) or bool(image.info.get("xmp"))


def scrub_image(src: Path, dst: Path, media_type: str, max_pixels: int) -> bool:
    """Write a location-free copy to ``dst``; False when the original has nothing to remove."""
    if media_type == "image/jpeg":
        scrub_jpeg(src, dst)
        return True
    with Image.open(src) as image:
        if image.width * image.height > max_pixels or not _has_location(image):
            return False
        exif = image.getexif()
        exif.pop(GPS_IFD, None)
        image.info.pop("xmp", None)  # the HEIF and WebP writers would carry it over
        extra = {"quality": 95} if image.format in ("WEBP", "HEIF") else {}
        image.save(dst, format=image.format, exif=exif.tobytes(), **extra)
    return True


async def scrub_av(src: Path, dst: Path, container: str, seconds: float = 600.0) -> bool:
    """Remux without any metadata (``-c copy``); False when ffmpeg is missing or fails."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return False
    proc = await asyncio.create_subprocess_exec(
        ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(src), "-map", "0",
        "-map_metadata", "-1", "-c", "copy", "-f", container, str(dst),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await asyncio.wait_for(proc.communicate(), seconds)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return False
    if proc.returncode != 0:
        return False
    size = await asyncio.to_thread(lambda: dst.stat().st_size if dst.exists() else 0)
    return size > 0


#: ffmpeg muxer names for the containers phones produce.
CONTAINERS = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "audio/mp4": "ipod",
    "video/webm": "webm",
    "audio/webm": "webm",
    "video/x-matroska": "matroska",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
}
