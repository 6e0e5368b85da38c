"""Reading the public form: token first, files streamed to the temp area, then the checks.

The body is read part by part (never ``request.post()``): the token must come
before any file, so a forged post is refused before a byte of it is stored;
each file streams into the media store's temp area under the node's media
limits; the other fields are checked when the body is complete.  Any refusal
discards every temp file, so a refused post leaves nothing behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aiohttp import BodyPartReader, hdrs, web

from node.contributions.formtoken import check_token
from node.core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from node.core.settings import Settings
from node.items.licences import ALL_RIGHTS_RESERVED
from node.media.detect import check_claims, clean_name
from node.media.multipart import part_chunks, read_text_part
from node.media.store import MediaStore, TempBlob

LICENCES = ("CC-BY-4.0", ALL_RIGHTS_RESERVED)
MAX_FIELD_BYTES = 32 * 1024
NAME_LIMIT, CONTACT_LIMIT, TEXT_LIMIT = 100, 254, 5000
FIELDS = ("form_token", "name", "contact", "text", "licence", "consent", "lang")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


class Refused(Exception):
    """A refusal the contributor reads: HTTP status, text key and values for the text."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[TempBlob, str]] = field(default_factory=list)


async def receive(
    request: web.Request, key: bytes, store: MediaStore, settings: Settings
) -> Received:
    """Read the whole form; on any refusal the temp files made so far are discarded."""
    got = Received()
    try:
        try:
            reader = await request.multipart()
        except (ValueError, AssertionError, KeyError) as exc:
            raise Refused(400, "err_upload", detail=str(exc)) from exc
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                raise Refused(400, "err_field")
            if part.name == "files":
                if "form_token" not in got.fields:
                    raise Refused(403, "err_token")
                if not part.filename:  # a browser sends an empty part when no file was chosen
                    await part.release()
                    continue
                if len(got.files) >= settings.contribution_max_files:
                    raise Refused(413, "err_files", n=settings.contribution_max_files)
                temp = await store.receive(
                    part_chunks(part), lambda d: settings.max_bytes_for(d.category)
                )
                got.files.append((temp, clean_name(part.filename, fallback="bijdrage")))
                check_claims(temp.detected, part.headers.get(hdrs.CONTENT_TYPE), part.filename)
            elif part.name in FIELDS:
                got.fields[part.name] = await read_text_part(
                    part, MAX_FIELD_BYTES, lambda: Refused(413, "err_text", n=TEXT_LIMIT)
                )
                if part.name == "form_token" and check_token(key, got.fields["form_token"]):
                    raise Refused(403, "err_token")
            else:
                raise Refused(400, "err_field")
        if "form_token" not in got.fields:
            raise Refused(403, "err_token")
    except PayloadTooLarge as exc:
        await discard(store, got)
        raise Refused(413, "err_too_large", limit=exc.extra.get("limit", "?")) from exc
    except UnsupportedMediaType as exc:
        await discard(store, got)
        raise Refused(415, "err_type", detail=exc.detail) from exc
    except BadRequest as exc:
        await discard(store, got)
        raise Refused(400, "err_upload", detail=exc.detail) from exc
    except BaseException:
        await discard(store, got)
        raise
    return got


def validate(fields: dict[str, str], has_files: bool) -> dict[str, str | bool]:
    """The contribution's own fields, clean; Refused (422) naming what is wrong."""
    name = "".join(c for c in fields.get("name", "") if c >= " ").strip()
    if not name or len(name) > NAME_LIMIT:
        raise Refused(422, "err_name", n=NAME_LIMIT)
    contact = fields.get("contact", "").strip()
    if len(contact) > CONTACT_LIMIT or not _EMAIL.match(contact):
        raise Refused(422, "err_contact")
    text = fields.get("text", "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_LIMIT:
        raise Refused(422, "err_text", n=TEXT_LIMIT)
    if not text and not has_files:
        raise Refused(422, "err_empty")
    licence = fields.get("licence", "")
    if licence not in LICENCES:
        raise Refused(422, "err_licence")
    if fields.get("consent") not in ("yes", "on", "1", "true"):
        raise Refused(422, "err_consent")
    return {"name": name, "contact": contact, "text": text, "licence": licence, "consent": True}


async def discard(store: MediaStore, got: Received) -> None:
    for temp, _ in got.files:
        await store.run(store.discard, temp)
    got.files.clear()
