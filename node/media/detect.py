"""What a file is, decided from its first bytes — never from its name or a header.

A client's declared type and file name are only used to *refuse* obvious lies (an
HTML page named ``photo.jpg``, a PDF sent as ``video/mp4``); what we store and serve
is what the content says.  Sniffing is deliberately our own short table: the accepted
set is small, and every entry here is something we can either decode (Pillow,
ffprobe) or serve safely as a download.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from node.core.errors import UnsupportedMediaType

#: How many leading bytes :func:`sniff` wants to see (fewer is fine for short files).
SNIFF_BYTES = 4096

CATEGORY: dict[str, str] = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/gif": "image",
    "image/webp": "image",
    "image/avif": "image",
    "image/tiff": "image",
    "image/heic": "image",  # decoded by pillow-heif (phones' default); JPEG renditions
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/webm": "video",
    "video/x-matroska": "video",
    "video/x-msvideo": "video",
    "video/ogg": "video",
    "audio/mpeg": "audio",
    "audio/aac": "audio",
    "audio/mp4": "audio",
    "audio/wav": "audio",
    "audio/ogg": "audio",
    "audio/flac": "audio",
    "audio/webm": "audio",
    "application/pdf": "document",
    "application/zip": "document",
    "application/vnd.ms-office": "document",
    "text/plain": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "document",
    "application/vnd.oasis.opendocument.text": "document",
    "application/vnd.oasis.opendocument.spreadsheet": "document",
    "application/vnd.oasis.opendocument.presentation": "document",
}
_NOT_DECODABLE: dict[str, str] = {}
_BMFF_BRANDS = {
    b"avif": "image/avif",
    b"avis": "image/avif",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heic",
    b"msf1": "image/heic",
    b"hevc": "image/heic",
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"qt  ": "video/quicktime",
}
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_MARKUP = re.compile(
    rb"^\s*(<!doctype\s+html|<html|<head|<body|<script|<iframe|<!--|<svg|<\?xml|<[a-z]+[\s>])",
    re.IGNORECASE,
)
_GENERIC = {
    "",
    "application/octet-stream",
    "binary/octet-stream",
    "application/unknown",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
}


@dataclass(frozen=True)
class Detected:
    media_type: str
    category: str


def _markup_type(head: bytes) -> str:
    lowered = head.lstrip(b"\xef\xbb\xbf").lstrip()[:256].lower()
    if b"<svg" in lowered:
        return "image/svg+xml"
    if lowered.startswith(b"<?xml"):
        return "application/xml"
    return "text/html"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # a multibyte character cut at the end is fine
            return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls == 0


def _sniff_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:4] == b"RIFF":
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(
            head[8:12]
        )
    if head[4:8] == b"ftyp":
        return _BMFF_BRANDS.get(head[8:12], "video/mp4")
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return "video/quicktime"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if head.startswith(b"OggS"):
        return "video/ogg" if b"\x80theora" in head[:512] else "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/aac" if (head[1] >> 1) & 3 == 0 else "audio/mpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        if head[30:38] == b"mimetype":
            odf = head[38:120].split(b"PK", 1)[0].decode("ascii", "replace")
            if odf in CATEGORY:
                return odf
        return "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/vnd.ms-office"
    return None


def sniff(head: bytes) -> Detected:
    """The media type and category of a file from its first bytes; 415 when not accepted."""
    if not head:
        raise UnsupportedMediaType("The file is empty.")
    media_type = _sniff_type(head)
    if media_type is None:
        if _MARKUP.match(head.lstrip(b"\xef\xbb\xbf")):
            media_type = _markup_type(head)
        elif _is_text(head):
            media_type = "text/plain"
        else:
            raise UnsupportedMediaType("The content is not a recognised media type.")
    if media_type not in CATEGORY:
        raise UnsupportedMediaType(
            f"content is {media_type}, not an accepted media type"
            + _NOT_DECODABLE.get(media_type, ""),
            detected=media_type,
        )
    return Detected(media_type, CATEGORY[media_type])


def refine_zip(path: Path, detected: Detected) -> Detected:
    """Tell OOXML documents (docx/xlsx/pptx) from plain ZIP by their entries (in a thread)."""
    if detected.media_type != "application/zip":
        return detected
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsupportedMediaType(f"The ZIP archive is corrupt: {exc}") from exc
    if "[Content_Types].xml" in names:
        for prefix, media_type in _OOXML.items():
            if any(n.startswith(prefix) for n in names):
                return Detected(media_type, "document")
    return detected


def _claimed_group(media_type: str) -> str | None:
    """Coarse group of a claimed type; audio and video count as one (an .m4a is an MP4)."""
    major = media_type.split("/", 1)[0]
    if major in ("audio", "video"):
        return "av"
    if major == "image":
        return "image"
    if media_type in CATEGORY or media_type.startswith("application/vnd.") or major == "text":
        return "document" if media_type in CATEGORY else media_type
    return None


def check_claims(detected: Detected, declared: str | None, filename: str | None) -> None:
    """Refuse (415) when the declared Content-Type or the name's extension contradicts the bytes."""
    actual = "av" if detected.category in ("audio", "video") else detected.category
    declared = (declared or "").split(";", 1)[0].strip().lower()
    if declared not in _GENERIC:
        group = _claimed_group(declared)
        if group is not None and group != actual:
            raise UnsupportedMediaType(
                f"content is {detected.media_type}, but it was declared as {declared}",
                detected=detected.media_type,
            )
    if filename:
        guessed = mimetypes.guess_type(filename, strict=False)[0]
        group = _claimed_group(guessed) if guessed else None
        if group is not None and group != actual:
            raise UnsupportedMediaType(
                f"content is {detected.media_type}, but the name {filename!r} says {guessed}",
                detected=detected.media_type,
            )


def clean_name(raw: str | None, fallback: str = "upload") -> str:
    """A display name only: the last path component, no control characters, at most 200 chars.

    It never reaches a file-system path (blobs are named by hash), but it ends up in
    Content-Disposition headers and admin pages, so it is cleaned all the same.
    """
    # some clients (aiohttp among them) percent-encode the name in form data: decode first,
    # so an encoded "..%2F..%2F" is split like a plain one
    name = unicodedata.normalize("NFC", unquote(raw or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.replace('"', "'").strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) <= 9 else name[:200]
    return name or fallback
