"""The library's "Importeren" form: events and vacancies from an .ics file or a page URL.

The form posts here; the node's import use case creates drafts (nothing shared,
nothing public) and the editor is sent back to the library, which shows how many
drafts were made or, translated, why nothing was imported.  A URL form works
without JavaScript; a file upload is multipart, so a small script adds the CSRF
header (as the upload page does).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web

from admin_ui.i18n import N_, _
from admin_ui.keys import NODE, user_of
from admin_ui.refusals import log_refusal, status_text
from admin_ui.security import PREFIX, redirect
from node import services
from node.core.errors import ProblemError
from node.media.multipart import form_parts, part_chunks

routes = web.RouteTableDef()

#: The node's refusal reasons, in the editor's language.  %(…)s come from the refusal.
REASONS = {
    "too-large": N_("Het bestand is groter dan %(limit)s bytes."),
    "too-many-events": N_(
        "Het bestand bevat %(count)s evenementen; één import neemt er hoogstens %(limit)s."
    ),
    "malformed-ics": N_("Het bestand is geen leesbaar iCalendar-bestand."),
    "no-events": N_("Er staan geen evenementen of vacatures in (geen VEVENT of JSON-LD)."),
    "no-time-zone": N_("Evenement %(index)s heeft een tijd zonder tijdzone."),
    "no-end": N_("Evenement %(index)s heeft geen eindtijd."),
    "no-start": N_("Evenement %(index)s heeft geen begintijd."),
    "no-title": N_("Evenement %(index)s heeft geen titel."),
    "no-closing-date": N_("Vacature %(index)s heeft geen sluitingsdatum."),
    "bad-date": N_("Item %(index)s heeft een onleesbare datum."),
    "too-deep": N_("De JSON-LD op de pagina is te diep genest."),
    "too-many-blocks": N_("De pagina heeft te veel JSON-LD-blokken."),
    "invalid-item": N_(
        "Item %(index)s (%(item_title)s) is afgekeurd: het veld %(field)s klopt niet."
        " Verbeter het in de bron en importeer opnieuw."
    ),
    "url-refused": N_("Dit adres mag de node niet ophalen (alleen openbare http(s)-adressen)."),
    "fetch-failed": N_("De pagina kon niet worden opgehaald."),
    "no-source": N_("Kies een bestand of vul een adres in."),
}
PARAMS = ("index", "count", "limit", "item_title", "field")


def import_notice(query: Mapping[str, str]) -> tuple[str, str]:
    """The library's message after an import: (text, "info" | "error"), or ("", "")."""
    if "imported" in query:
        try:
            count = int(query["imported"])
        except ValueError:
            return "", ""
        if count == 1:
            return _("1 item geïmporteerd als concept: bekijk en deel het hieronder."), "info"
        return _(
            "%(count)s items geïmporteerd als concepten: bekijk en deel ze hieronder.",
            count=count,
        ), "info"
    reason = query.get("import_error")
    if not reason:
        return "", ""
    values = {name: query.get(name, "")[:300] for name in PARAMS}
    if reason == "refused" and query.get("status", "").isdigit():
        text = status_text(int(query["status"]))
    elif reason in REASONS:
        text = _(REASONS[reason], **values)
    else:
        text = _("Het importeren is mislukt.")
    return _("Niets geïmporteerd. %(reason)s", reason=text), "error"


async def _file(request: web.Request) -> tuple[bytes | None, str | None, str]:
    data = filename = None
    url = ""
    async for part in form_parts(request):  # a malformed body is a ProblemError (400)
        if part.name == "file" and part.filename:
            data, filename = await services.read_capped(part_chunks(part)), part.filename
        elif part.name == "url":
            url = (await part.text()).strip()[:2000]
        else:
            await part.release()
    return data, filename, url


@routes.post("/library/import", name="import_items")
async def import_items(request: web.Request) -> web.Response:
    node = request.app[NODE]
    author = user_of(request).username
    try:
        if request.content_type == "multipart/form-data":
            data, filename, url = await _file(request)
        else:
            form = await request.post()
            data, filename, url = None, None, str(form.get("url", "")).strip()[:2000]
        if data is not None:
            result = await services.import_items(node, data=data, filename=filename, author=author)
        elif url:
            result = await services.import_items(node, url=url, author=author)
        else:
            return redirect(f"{PREFIX}/library?" + urlencode({"import_error": "no-source"}))
    except ProblemError as exc:
        log_refusal(exc)  # the node's English detail goes to the log, not into the page
        params = {k: str(v) for k, v in exc.extra.items() if k in PARAMS}
        params.setdefault("field", "?")
        reason = str(exc.extra.get("reason") or "")
        if not reason:
            reason, params = "refused", {"status": str(exc.status)}
        return redirect(f"{PREFIX}/library?" + urlencode({"import_error": reason, **params}))
    return redirect(f"{PREFIX}/library?" + urlencode({"imported": len(result.items)}))


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
