"""``/contribute``: the public form (no account) and what it answers, in Dutch or English.

Refusals are pages with the right status and a reason in words (403 token,
413 size, 415 type, 422 fields, 429 hourly limit), never a stack of JSON.
The hourly limit is counted per client address, hashed with a node key so the
queue never holds an IP address; it is checked before the body is read.
"""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from node.channels.texts import choose_language
from node.contributions import form
from node.contributions import store as queue
from node.contributions.formtoken import form_key, make_token
from node.contributions.texts import t
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.media.queries import blob_in_use
from node.media.store import MediaStore
from node.public.html import CSP, e, layout
from node.sharing.services import SERVICES

routes = web.RouteTableDef()
# the form loads the one upload-progress script (the admin's too) from this node
FORM_CSP = CSP + "; script-src 'self'; connect-src 'self'"
_HEADERS = {
    "Content-Security-Policy": FORM_CSP,
    "Cache-Control": "no-store",
    "Vary": "Accept-Language",
}


def _key(app: web.Application) -> bytes:
    return form_key(app[IDENTITY].ed25519_private_pem)


def _client(request: web.Request) -> str:
    address = request.remote or "unknown"
    return hmac.new(_key(request.app), address.encode(), hashlib.sha256).hexdigest()[:32]


def _page(
    request: web.Request, lang: str, title: str, body: str, status: int = 200, script: bool = False
) -> web.Response:
    head = '<script src="/static/upload.js" defer></script>' if script else ""
    return web.Response(
        text=layout(
            lang,
            f"{title} – {request.app[IDENTITY].name}",
            f"<main><h1>{e(title)}</h1>{body}</main>",
            head=head,
            identity=request.app[IDENTITY],
        ),
        status=status,
        content_type="text/html",
        headers=_HEADERS,
    )


def form_page(request: web.Request, lang: str) -> web.Response:
    org = request.app[IDENTITY].name
    option = '<label><input type="radio" name="licence" value="{v}"{c}> {label}</label>'
    field = (
        '<label for="c-{name}">{label}</label>'
        '<input id="c-{name}" type="{kind}" name="{name}" required maxlength="{n}"'
        ' autocomplete="{auto}">'
    )
    messages = " ".join(
        f'data-msg-{key}="{e(t(lang, "upload_" + key))}"'
        for key in ("busy", "cancel", "done", "failed", "cancelled", "network")
    )
    body = (
        f"<p>{e(t(lang, 'intro', org=org))}</p>"
        '<form method="post" action="/contribute" enctype="multipart/form-data"'
        f' data-upload="contribution" {messages}>'
        f'<input type="hidden" name="form_token" value="{e(make_token(_key(request.app)))}">'
        f'<input type="hidden" name="lang" value="{e(lang)}">'
        + field.format(
            label=e(t(lang, "name")), kind="text", name="name", n=form.NAME_LIMIT, auto="name"
        )
        + field.format(
            label=e(t(lang, "contact")),
            kind="email",
            name="contact",
            n=form.CONTACT_LIMIT,
            auto="email",
        )
        + f'<label for="c-text">{e(t(lang, "text"))}</label><textarea id="c-text" name="text"'
        f' rows="5" maxlength="{form.TEXT_LIMIT}"></textarea>'
        f"<fieldset><legend>{e(t(lang, 'licence'))}</legend>"
        + option.format(v="CC-BY-4.0", c=" checked", label=e(t(lang, "licence_cc_by")))
        + option.format(v="all-rights-reserved", c="", label=e(t(lang, "licence_arr", org=org)))
        + "</fieldset>"
        f'<label for="c-files">{e(t(lang, "files"))}</label>'
        '<input id="c-files" type="file" name="files" multiple'
        ' accept="image/*,video/*,audio/*,application/pdf" aria-describedby="c-files-hint">'
        f'<p class="hint" id="c-files-hint">{e(t(lang, "files_hint"))}</p>'
        f'<ul class="uploads" aria-live="polite" aria-label="{e(t(lang, "upload_list"))}"></ul>'
        '<label class="consent"><input type="checkbox" name="consent" value="yes" required> '
        f"{e(t(lang, 'consent', org=org))}</label>"
        f'<p><button type="submit">{e(t(lang, "send"))}</button></p></form>'
    )
    return _page(request, lang, t(lang, "title"), body, script=True)


@routes.get("/contribute")
async def show_form(request: web.Request) -> web.Response:
    return form_page(request, choose_language(request, request.app[SETTINGS].default_language))


def _refused(request: web.Request, lang: str, refusal: form.Refused) -> web.Response:
    body = f'<p role="alert">{e(t(lang, refusal.key, **refusal.values))}</p>'
    body += f'<p><a href="/contribute?lang={e(lang)}">{e(t(lang, "back"))}</a></p>'
    response = _page(request, lang, t(lang, "refused_title"), body, refusal.status)
    if refusal.status == 429:
        response.headers["Retry-After"] = "3600"
    return response


@routes.post("/contribute")
async def submit(request: web.Request) -> web.Response:
    app, settings = request.app, request.app[SETTINGS]
    lang = choose_language(request, settings.default_language)
    limit, client = settings.contribution_max_per_hour, _client(request)
    try:
        if await app[DB].read(lambda d: queue.recent_count(d, client=client)) >= limit:
            raise form.Refused(429, "err_rate", n=limit)
        if not request.content_type.startswith("multipart/form-data"):
            raise form.Refused(400, "err_upload", detail="multipart/form-data")
        store: MediaStore = app[SERVICES].media_store
        got = await form.receive(request, _key(app), store, settings)
        lang = got.fields.get("lang") if got.fields.get("lang") in ("nl", "en") else lang
        try:
            clean = form.validate(got.fields, bool(got.files))
            contributions = app[SERVICES].contributions

            def store_and_announce(d) -> str:
                new_id = _store(d, store, got, clean, client, limit)
                contributions.announce_in(d, new_id)
                return new_id

            await app[DB].write(store_and_announce)
        finally:
            await form.discard(store, got)
    except form.Refused as refusal:
        return _refused(request, lang, refusal)
    app[SERVICES].contributions.wake()
    return _page(request, lang, t(lang, "thanks_title"), f"<p>{e(t(lang, 'thanks'))}</p>", 201)


def _store(d, store: MediaStore, got: form.Received, clean: dict, client: str, limit: int) -> str:
    """Writer thread: recount (two posts may race), place the blobs, insert the rows."""
    if queue.recent_count(d, client=client) >= limit:
        raise form.Refused(429, "err_rate", n=limit)
    placed: list[str] = []
    try:
        media = []
        for temp, name in got.files:
            if store.place(temp):
                placed.append(temp.sha256)
            media.append(
                queue.MediaEntry(
                    media_type=temp.detected.media_type,
                    original_name=name,
                    sha256=temp.sha256,
                    size=temp.size,
                )
            )
        new = queue.NewContribution(source="web", client=client, media=media, **clean)
        contribution_id = queue.insert(d, new)
        assert contribution_id is not None
        return contribution_id
    except BaseException:
        for sha in placed:
            if not blob_in_use(d, sha) and not queue.pending_blob(d, sha):
                store.remove(sha)
        raise
