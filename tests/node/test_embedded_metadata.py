"""A photo's own metadata (EXIF, IPTC-IIM, XMP) read with Pillow before it is stripped, the
suggestions made from it, HEIC without location, and the media proxy's Range rule."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from node.media import images  # noqa: F401  (registers the HEIF opener)
from node.media.embedded import read_embedded, suggestions
from node.media.scrub import GPS_IFD, scrub_image
from node.sharing.media_fetch import single_range

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
    b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    b' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
    b' xmlns:exif="http://ns.adobe.com/exif/1.0/"'
    b' photoshop:DateCreated="2026-04-30T10:15:00" exif:GPSLatitude="52,4.2N">'
    b"<dc:creator><rdf:Seq><rdf:li>Fatima el Amrani</rdf:li></rdf:Seq></dc:creator>"
    b'<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">CC BY 4.0 Wijk-tv</rdf:li></rdf:Alt>'
    b"</dc:rights>"
    b'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Opening van de Binckhorst'
    b"</rdf:li></rdf:Alt></dc:description>"
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = "Herman Coster"
    exif[0x8298] = "(c) 2026 Omroep West"
    exif[0x010E] = "Kermis op het Malieveld"
    exif.get_ifd(0x8769)[0x9003] = "2026:05:01 14:30:00"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[3] = "N", "W"
    gps[2] = (IFDRational(52), IFDRational(4), IFDRational(12))
    gps[4] = (IFDRational(4), IFDRational(18), IFDRational(0))
    return exif


def _iptc_jpeg(path: Path) -> Path:
    """A JPEG with an IPTC-IIM block (APP13, Photoshop resource 0x0404), as newsrooms send."""
    datasets = b""
    for number, value in ((80, "Herman Coster"), (116, "ANP"), (120, "Raadsvergadering")):
        data = value.encode()
        datasets += b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(data)) + data
    if len(datasets) % 2:
        datasets += b"\x00"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(datasets))
    payload = b"Photoshop 3.0\x00" + resource + datasets
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), "olive").save(buf, "JPEG")
    jpeg = buf.getvalue()
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    path.write_bytes(jpeg[:2] + segment + jpeg[2:])
    return path


def test_exif_gives_creator_copyright_caption_date_and_location(tmp_path) -> None:
    path = tmp_path / "exif.jpg"
    Image.new("RGB", (32, 24), "teal").save(path, exif=_exif().tobytes())
    assert read_embedded(path) == {
        "creator": "Herman Coster",
        "copyright": "(c) 2026 Omroep West",
        "caption": "Kermis op het Malieveld",
        "taken_at": "2026-05-01T14:30:00",
        "latitude": 52.07,
        "longitude": -4.3,  # "W" is west
    }


def test_xmp_is_read_when_there_is_no_exif(tmp_path) -> None:
    path = tmp_path / "xmp.jpg"
    Image.new("RGB", (32, 24), "teal").save(path, xmp=XMP)
    found = read_embedded(path)
    assert found["creator"] == "Fatima el Amrani"
    assert found["copyright"] == "CC BY 4.0 Wijk-tv"
    assert found["caption"] == "Opening van de Binckhorst"
    assert found["taken_at"] == "2026-04-30T10:15:00"


def test_iptc_is_read(tmp_path) -> None:
    found = read_embedded(_iptc_jpeg(tmp_path / "iptc.jpg"))
    assert found == {"creator": "Herman Coster", "copyright": "ANP", "caption": "Raadsvergadering"}


def test_camera_placeholder_is_no_caption_and_garbage_is_nothing(tmp_path) -> None:
    exif = Image.Exif()
    exif[0x010E] = "OLYMPUS DIGITAL CAMERA"
    path = tmp_path / "cam.jpg"
    Image.new("RGB", (32, 24)).save(path, exif=exif.tobytes())
    assert read_embedded(path) == {}
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0garbage")
    assert read_embedded(junk) == {}


def test_suggestions_fill_only_empty_fields_and_the_title_only_when_asked() -> None:
    found = {"creator": "Herman Coster", "copyright": "ANP", "caption": "Kermis\nDe draaimolen"}
    empty = {"credit": "", "usage_terms": "", "summary": "", "title": "Nieuwe foto"}
    assert suggestions(empty, found, title=True) == {
        "credit": "Herman Coster",
        "usage_terms": "ANP",
        "summary": "Kermis\nDe draaimolen",
        "title": "Kermis",
    }
    assert "title" not in suggestions(empty, found, title=False)
    filled = {"credit": "Eigen", "usage_terms": "Eigen", "summary": "Eigen", "title": "Eigen"}
    assert suggestions(filled, found, title=False) == {}


def test_a_heic_copy_keeps_neither_gps_nor_xmp(tmp_path) -> None:
    src, dst = tmp_path / "a.heic", tmp_path / "b.heic"
    Image.new("RGB", (64, 48), "teal").save(src, "HEIF", exif=_exif().tobytes(), xmp=XMP)
    with Image.open(src) as image:
        assert image.getexif().get_ifd(GPS_IFD) and image.info.get("xmp")
    assert scrub_image(src, dst, "image/heic", 10**8)
    with Image.open(dst) as image:
        assert not image.getexif().get_ifd(GPS_IFD)
        assert not image.info.get("xmp")
        assert image.getexif()[0x013B] == "Herman Coster"  # the credit stays


@pytest.mark.parametrize(
    ("header", "forwarded"),
    [
        ("bytes=0-99", "bytes=0-99"),
        ("bytes=100-", "bytes=100-"),
        ("bytes=-10", "bytes=-10"),
        ("bytes=999999999-", "bytes=999999999-"),  # the origin answers 416
        ("bytes=abc", None),
        ("bytes=5-1", None),
        ("bytes=0-1,5-9", None),
        ("items=0-1", None),
        ("", None),
        (None, None),
    ],
)
def test_only_one_well_formed_range_is_passed_on(header, forwarded) -> None:
    assert single_range(header) == forwarded
