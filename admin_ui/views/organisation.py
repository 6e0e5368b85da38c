"""The organisation's profile (admins only): name, summary, avatar and header image.

What is saved here is what the header and page titles of the admin, the actor
document (``/actor``) and the public pages show; followers and partners get an
``Update`` of the actor.  A refusal keeps what was typed, says why in the admin's
language and changes nothing.
"""

from __future__ import annotations

from aiohttp import web

from admin_ui.i18n import N_, _
from admin_ui.keys import NODE
from admin_ui.render import render
from admin_ui.security import PREFIX, admin_only, redirect
from node import services
from node.core.errors import ProblemError

routes = web.RouteTableDef()

#: The node's refusal codes → (form field, reason in the admin's language).
REASONS = {
    "name-empty": ("name", N_("Vul de naam van de organisatie in.")),
    "name-too-long": (
        "name",
        N_("De naam mag hoogstens %(limit)s tekens hebben; maak hem korter."),
    ),
    "summary-too-long": (
        "summary",
        N_("De beschrijving mag hoogstens %(limit)s tekens hebben; maak haar korter."),
    ),
}
IMAGE_REASONS = {
    "profile-image-type": N_(
        "Dit bestand is geen PNG-, JPEG- of WebP-afbeelding."
        " Kies een foto of logo in een van die formaten."
    ),
    "profile-image-too-large": N_(
        "De afbeelding is groter dan %(megabytes)s MB. Kies een kleinere versie."
    ),
    "profile-image-corrupt": N_(
        "De afbeelding kon niet worden gelezen of is te groot in pixels. Kies een ander bestand."
    ),
}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


async def _page(
    request: web.Request,
    values: dict[str, str],
    errors: dict[str, str],
    notice: str = "",
    status: int = 200,
) -> web.Response:
    return render(
        request,
        "organisation.html",
        {
            "values": values,
            "errors": errors,
            "notice": notice,
            "max_name": services.MAX_NAME,
            "max_summary": services.MAX_SUMMARY,
            "max_image_mb": _megabytes(services.MAX_PROFILE_IMAGE_BYTES),
        },
        status=status,
    )


@routes.get("/organisation", name="organisation")
@admin_only
async def organisation_page(request: web.Request) -> web.Response:
    profile = services.current_profile(request.app[NODE])
    notice = _("Profiel opgeslagen.") if request.query.get("done") == "saved" else ""
    return await _page(request, {"name": profile.name, "summary": profile.summary}, {}, notice)


def _file(form, name: str) -> bytes | None:  # type: ignore[no-untyped-def]
    field = form.get(name)
    if isinstance(field, web.FileField) and field.filename:
        data = field.file.read(services.MAX_PROFILE_IMAGE_BYTES + 1)
        return data or None
    return None


@routes.post("/organisation")
@admin_only
async def save_organisation(request: web.Request) -> web.Response:
    form = await request.post()
    values = {"name": str(form.get("name", "")), "summary": str(form.get("summary", ""))}
    try:
        await services.update_profile(
            request.app[NODE],
            name=values["name"],
            summary=values["summary"],
            icon=_file(form, "icon"),
            image=_file(form, "image"),
            remove_icon=form.get("remove_icon") == "1",
            remove_image=form.get("remove_image") == "1",
        )
    except ProblemError as exc:
        errors = {}
        if exc.code in REASONS:
            field, reason = REASONS[exc.code]
            errors[field] = _(reason, limit=exc.extra.get("limit", ""))
        elif exc.code in IMAGE_REASONS:
            which = str(exc.extra.get("which", "icon"))
            errors[which] = _(
                IMAGE_REASONS[exc.code],
                megabytes=_megabytes(services.MAX_PROFILE_IMAGE_BYTES),
            )
        else:
            raise
        return await _page(
            request, values, errors, _("Niet opgeslagen: er is niets veranderd."), status=422
        )
    return redirect(f"{PREFIX}/organisation?done=saved")


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
