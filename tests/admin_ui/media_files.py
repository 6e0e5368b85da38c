"""Real media files for upload tests, made on the spot (Pillow, ffmpeg)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from PIL import Image


def photo(path: Path, size: tuple[int, int] = (2400, 1600)) -> Path:
    """A JPEG with noise, so it stays a few megabytes and the upload shows progress."""
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path, quality=95)
    return path


def big_jpeg(path: Path, megabytes: int) -> Path:
    """A JPEG header followed by many bytes: sniffed as an image, big enough to cancel."""
    small = path.with_suffix(".small.jpg")
    Image.new("RGB", (8, 8), "red").save(small)
    with path.open("wb") as out:
        out.write(small.read_bytes()[:-2])
        for _ in range(megabytes):
            out.write(os.urandom(1 << 20))
    small.unlink()
    return path


def ffmpeg_available() -> bool:
    return shutil.which("ffmpeg") is not None


def video(path: Path) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=320x240:rate=10",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def audio(path: Path) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path
