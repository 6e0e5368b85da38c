"""Test media made on the spot: Pillow images, ffmpeg clips, PDF/ZIP bytes, a PNG bomb.

Nothing is downloaded; every file is generated locally so the tests say exactly
what is in it (an EXIF orientation, GPS tags, a known size).
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image

needs_ffmpeg = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("ffprobe")), reason="ffmpeg not installed"
)


def jpeg(size: tuple[int, int] = (640, 480), colour: str = "navy", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=90, **save)
    return buffer.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (10, 200, 10, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def rotated_jpeg_with_gps() -> bytes:
    """600×300 stored landscape, left half red, right half blue; EXIF orientation 6 (display
    rotated 90° clockwise: 300×600 with red on top) and GPS coordinates of The Hague."""
    image = Image.new("RGB", (600, 300), "blue")
    image.paste(Image.new("RGB", (300, 300), "red"), (0, 0))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "TestCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 4.0, 48.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 18.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def png_bomb(side: int = 20000) -> bytes:
    """A 1-bit greyscale PNG of side×side pixels, all black: tens of KB, gigapixels decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "persbericht " * 100)
        archive.writestr("data/cijfers.csv", "a,b\n1,2\n")
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def ffmpeg_file(tmp: Path, name: str, *args: str) -> bytes:
    out = tmp / name
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", *args, str(out)], check=True, timeout=60
    )
    return out.read_bytes()


def mp4(tmp: Path) -> bytes:
    return ffmpeg_file(
        tmp,
        "clip.mp4",
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=2:size=320x240:rate=10",
        "-pix_fmt",
        "yuv420p",
    )


def audio(tmp: Path) -> bytes:
    return ffmpeg_file(
        tmp, "tone.ogg", "-f", "lavfi", "-i", "sine=frequency=440:duration=1.5", "-c:a", "libvorbis"
    )


def wav(tmp: Path) -> bytes:
    return ffmpeg_file(tmp, "tone.wav", "-f", "lavfi", "-i", "sine=duration=1")


async def new_item(node, http, kind: str = "photo") -> str:
    """An item made through the items API, as a client would."""
    async with http.post(
        node.url("/api/v1/items"),
        headers=node.auth("write"),
        json={"kind": kind, "title": "Raadsvergadering"},
    ) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["id"]


def media_rows(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT COUNT(*) FROM media").fetchone()[0]
    finally:
        conn.close()


def blobs(media_dir: Path) -> list[Path]:
    """Every file in the store except the temp directory."""
    return [
        p
        for p in media_dir.rglob("*")
        if p.is_file() and p.relative_to(media_dir).parts[0] != "tmp"
    ]


def leftovers(media_dir: Path) -> list[Path]:
    tmp = media_dir / "tmp"
    return list(tmp.iterdir()) if tmp.exists() else []
