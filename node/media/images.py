"""Image analysis with Pillow, run in a worker thread: size, orientation, renditions, blurhash.

Remote and uploaded images are hostile until decoded: the pixel count is checked
from the header *before* any pixel is decoded (a 20000×20000 PNG of one colour is a
few kilobytes compressed and gigabytes decoded), truncated or garbage data is refused,
and renditions are re-encoded from pixels only — no EXIF, so GPS positions in the
original never leak into the thumbnails and previews that are shown and federated.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from blurhash._functions import ffi as _bh_ffi
from blurhash._functions import lib as _bh_lib
from PIL import Image, ImageOps, UnidentifiedImageError

from node.core.errors import ValidationFailed
from node.media.detect import Detected
from node.media.store import MediaStore, TempBlob

# HEIC/HEIF (what iPhones send by default) opens like any other image; renditions are JPEG.
pillow_heif.register_heif_opener()

#: Rendition name → longest side in pixels.
SIZES = {"thumbnail": 400, "medium": 1280}
JPEG = Detected("image/jpeg", "image")


@dataclass(frozen=True)
class Rendition:
    name: str
    temp: TempBlob
    width: int
    height: int


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    blurhash: str | None
    renditions: list[Rendition]


def blurhash_of(image: Image.Image) -> str:
    """Blurhash (4×3 components) of a small RGB copy.

    Calls the blurhash C function directly with raw pixels: the module's ``encode``
    goes through ``Image.getdata``, deprecated in Pillow 12, and builds a Python list.
    """
    small = image.convert("RGB")
    small.thumbnail((32, 32))
    width, height = small.size
    pixels = _bh_ffi.new("uint8_t[]", small.tobytes())
    out = _bh_ffi.new("char[]", 2 + 4 + (9 * 9 - 1) * 2 + 1)
    result = _bh_lib.create_hash_from_pixels(4, 3, width, height, pixels, width * 3, out)
    return _bh_ffi.string(result).decode() if result != _bh_ffi.NULL else ""


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency over white, palettes and CMYK converted."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def encode_jpeg(image: Image.Image, longest: int) -> tuple[bytes, int, int]:
    """A JPEG no larger than ``longest`` on either side, without any metadata."""
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # no exif= and no icc_profile beyond sRGB pixels: nothing of the original's metadata
    copy.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue(), copy.width, copy.height


def open_checked(path: Path, max_pixels: int) -> Image.Image:
    """Open and fully decode an image, refusing bombs and corrupt data with a reason."""
    try:
        image = Image.open(path)  # reads the header only
        width, height = image.size
        if width * height > max_pixels:  # our own check: per node, and before decoding
            image.close()
            raise ValidationFailed(
                f"The image is {width}×{height} = {width * height} pixels, more than the"
                f" {max_pixels} this node decodes (decompression bomb protection).",
                code="decompression-bomb",
            )
        image.load()
    except Image.DecompressionBombError as exc:
        raise ValidationFailed(
            f"The image is too large to decode safely: {exc}", code="decompression-bomb"
        ) from exc
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationFailed(f"corrupt image: {exc}", code="corrupt-image") from exc
    return image


def analyse_image(
    path: Path, max_pixels: int, store: MediaStore, *, renditions: bool = True
) -> ImageInfo:
    """Decode, orient by EXIF, measure; write renditions as temp files (blocking: thread)."""
    image = open_checked(path, max_pixels)
    made: list[Rendition] = []
    try:
        with image:
            oriented = ImageOps.exif_transpose(image) or image
            flat = _flatten(oriented)
            width, height = flat.size
            hash_ = blurhash_of(flat)
            if renditions:
                for name, longest in SIZES.items():
                    data, w, h = encode_jpeg(flat, longest)
                    made.append(Rendition(name, store.write_temp(data, JPEG), w, h))
    except ValidationFailed:
        raise
    except (OSError, ValueError, SyntaxError) as exc:
        for r in made:
            store.discard(r.temp)
        raise ValidationFailed(f"corrupt image: {exc}", code="corrupt-image") from exc
    except BaseException:
        for r in made:
            store.discard(r.temp)
        raise
    return ImageInfo(width, height, hash_, made)


#: What an organisation's avatar or header image may be uploaded as.
PROFILE_TYPES = ("image/png", "image/jpeg", "image/webp")


def profile_rendition(path: Path, max_pixels: int, longest: int) -> bytes:
    """The avatar or header image as a metadata-free JPEG (blocking: thread).

    Only the pixels survive: the upload is decoded (bombs and corrupt files refused),
    turned upright by its EXIF orientation and re-encoded, so no GPS or device data
    of the original reaches the actor document or the public pages.
    """
    image = open_checked(path, max_pixels)
    try:
        with image:
            oriented = ImageOps.exif_transpose(image) or image
            data, _w, _h = encode_jpeg(_flatten(oriented), longest)
    except (OSError, ValueError, SyntaxError) as exc:
        raise ValidationFailed(f"corrupt image: {exc}", code="corrupt-image") from exc
    return data
