"""Video and audio analysis with ffprobe/ffmpeg as subprocesses (never on the event loop).

ffprobe gives duration and dimensions; ffmpeg cuts one poster frame from a video,
which then goes through the same Pillow path as an uploaded photo (thumbnail,
blurhash).  Both run with a time limit and are killed when it passes, so a hostile
file cannot hold a worker.  A file ffprobe cannot read is refused as corrupt.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from node.core.errors import ValidationFailed
from node.media.detect import Detected

PROBE_SECONDS = 30.0
POSTER_SECONDS = 60.0


@dataclass(frozen=True)
class AVInfo:
    duration: float | None
    width: int | None
    height: int | None
    has_video: bool


async def _run(args: list[str], seconds: float) -> tuple[int, bytes, bytes]:
    proc = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), seconds)
    except BaseException:  # timeout or cancellation: the child must not outlive us
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with contextlib.suppress(BaseException):
            await asyncio.shield(proc.wait())
        raise
    return proc.returncode or 0, out, err


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ValidationFailed(f"This node cannot analyse video or audio ({name} is missing).")
    return found


async def probe(path: Path, category: str) -> AVInfo:
    """Duration and (for video) dimensions; 422 'corrupt video/audio' when unreadable."""
    args = [
        _tool("ffprobe"),
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    ]
    try:
        code, out, err = await _run(args, PROBE_SECONDS)
    except TimeoutError as exc:
        raise ValidationFailed(f"corrupt {category}: analysis took too long") from exc
    try:
        data = json.loads(out or b"{}")
    except ValueError:
        data = {}
    streams = data.get("streams") or []
    if code != 0 or not streams:
        reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no streams"]
        raise ValidationFailed(f"corrupt {category}: {reason[0][:200]}", code=f"corrupt-{category}")
    video = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    if not video and not audio:
        raise ValidationFailed(
            f"corrupt {category}: no audio or video stream", code=f"corrupt-{category}"
        )
    duration = _float((data.get("format") or {}).get("duration"))
    if duration is None:
        duration = next((d for s in streams if (d := _float(s.get("duration")))), None)
    width = height = None
    if video:
        width, height = video[0].get("width"), video[0].get("height")
        rotation = _rotation(video[0])
        if rotation in (90, 270) and width and height:
            width, height = height, width
    return AVInfo(duration, width, height, bool(video))


def _float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return abs(int(side["rotation"])) % 360
    with contextlib.suppress(TypeError, ValueError):
        return abs(int((stream.get("tags") or {}).get("rotate", 0))) % 360
    return 0


def reclassify(detected: Detected, info: AVInfo) -> Detected:
    """An MP4/WebM/Ogg container without a picture stream is audio (an .m4a is an MP4)."""
    if detected.category == "video" and not info.has_video:
        audio_type = {
            "video/mp4": "audio/mp4",
            "video/quicktime": "audio/mp4",
            "video/webm": "audio/webm",
            "video/ogg": "audio/ogg",
        }
        return Detected(audio_type.get(detected.media_type, "audio/mp4"), "audio")
    return detected


async def poster_frame(path: Path, out: Path, duration: float | None) -> bool:
    """Write one JPEG frame (at 1 s, or the first for short clips) to ``out``; False if none.

    ffmpeg may exit 0 without writing a frame (no decodable frame at that time); the
    caller checks the file in a thread rather than on the event loop.
    """
    at = "1" if (duration or 0) > 1.5 else "0"
    args = [
        _tool("ffmpeg"),
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-ss",
        at,
        "-i",
        str(path),
        "-frames:v",
        "1",
        "-an",
        "-f",
        "image2",
        "-c:v",
        "mjpeg",
        "-q:v",
        "3",
        str(out),
    ]
    try:
        code, _, _ = await _run(args, POSTER_SECONDS)
    except TimeoutError:
        return False
    return code == 0
