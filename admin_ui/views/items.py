"""Creating and editing items: every metadata field, a preview, and players for the media."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from admin_ui.desk_state import (
    CHANNEL_LABELS,
    CHANNEL_REFUSALS,
    badges,
    channel_text,
    file_count,
    is_address,
    partner_label,
    partner_progress,
)
from admin_ui.forms import (
    KIND_LABELS,
    LABELS,
    LOCAL_TIME,
    changed_fields,
    form_values,
    language_options,
    licence_options,
    node_error,
    parse_item_form,
)
from admin_ui.i18n import _
from admin_ui.keys import NODE, user_of
from admin_ui.kinds_form import (
    CONTRACT_TYPES,
    DETAIL_KINDS,
    DETAIL_LABELS,
    EVENT_STATUSES,
    SALARY_UNITS,
    TIMEZONES,
    details_changed,
    details_values,
    node_refusal,
    parse_details_form,
)
from admin_ui.refusals import refusal_text
from admin_ui.render import render
from admin_ui.security import PREFIX, redirect
from admin_ui.sharing_text import EVENT_LABELS, local_time, problem_text
from admin_ui.views.agenda import MONTHS
from node import services
from node.core.errors import ProblemError, ValidationFailed
from node.items.model import FIELD_LIMITS, KINDS

routes = web.RouteTableDef()


def admin_media(media: dict[str, Any]) -> dict[str, Any]:
    """A media entry with URLs served by the admin UI (the API's need a token)."""
    base = f"{PREFIX}/media/{media['id']}"
    has_thumb = bool(media.get("thumbnail_url"))
    kind = media["media_type"].split("/")[0]
    return {
        **media,
        "kind": kind,
        "src": base,
        "thumb": f"{base}/renditions/thumbnail" if has_thumb else None,
        "poster": f"{base}/renditions/poster" if has_thumb and kind == "video" else None,
        "preview": f"{base}/renditions/medium" if has_thumb and kind == "image" else base,
    }


def kind_context() -> dict[str, Any]:
    """What the kind-specific fieldsets (kind_details.html) need besides values and errors."""
    return {
        "detail_labels": DETAIL_LABELS,
        "event_statuses": EVENT_STATUSES,
        "contract_types": CONTRACT_TYPES,
        "salary_units": SALARY_UNITS,
        "timezones": TIMEZONES,
    }


def refusal(exc: ValidationFailed) -> dict[str, str]:
    """A node refusal next to its input: details fields translated by rule, others as before."""
    return node_refusal(str(exc.extra.get("field") or "")) or node_error(exc)


def _new_form(
    request: web.Request, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> web.Response:
    return render(
        request,
        "item_new.html",
        {
            "values": values,
            "errors": errors,
            "kinds": KINDS,
            "kind_labels": KIND_LABELS,
            "limits": FIELD_LIMITS,
            "detail_kinds": [k for k in DETAIL_KINDS if k in KINDS],
            **kind_context(),
        },
        status=status,
    )


def _defaults(kind: str) -> dict[str, str]:
    return {k: v for kind_ in DETAIL_KINDS for k, v in details_values(kind_, None).items()}


@routes.get("/items/new", name="new_item")
async def new_item_page(request: web.Request) -> web.Response:
    kind = request.query.get("kind", "article")
    kind = kind if kind in KINDS else "article"
    return _new_form(request, {**_defaults(kind), "kind": kind, "title": ""}, {})


@routes.post("/items/new")
async def create_item(request: web.Request) -> web.Response:
    form = {k: str(v) for k, v in (await request.post()).items() if k != "csrf"}
    values = {**_defaults(""), **form}
    values.setdefault("kind", "")
    values.setdefault("title", "")
    details, errors = parse_details_form(values["kind"], form)
    if values["kind"] not in KINDS:
        errors["kind"] = _("Kies een soort.")
    if not values["title"].strip():
        errors["title"] = _("Vul een titel in.")
    elif len(values["title"]) > FIELD_LIMITS["title"]:
        errors["title"] = _(
            "Te lang: maximaal %(max)s tekens, nu %(count)s.",
            max=FIELD_LIMITS["title"],
            count=len(values["title"]),
        )
    if not errors:
        data: dict[str, Any] = {"kind": values["kind"], "title": values["title"]}
        if details is not None:
            data["details"] = details
        try:
            item = await services.create_item(
                request.app[NODE], data, author=user_of(request).username
            )
        except ValidationFailed as exc:
            errors = refusal(exc)
        else:
            return redirect(f"{PREFIX}/items/{item['id']}?created=1")
    return _new_form(request, values, errors, status=422)


def _values(item: dict[str, Any]) -> dict[str, str]:
    """The editor's input values: the common fields and the kind's details."""
    return {**form_values(item), **details_values(item["kind"], item.get("details"))}


async def _partner_rows(request: web.Request, audience: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per active partner, and per partner still in the audience."""
    node = request.app[NODE]
    partners = await services.active_partners(node)
    names = await services.partner_names(node)
    known = {p["actor_url"] for p in partners}
    # A partner that is no longer active but still in the audience can still be unticked.
    rows = [
        {"actor": p["actor_url"], "name": names[p["actor_url"]], "active": True} for p in partners
    ] + [
        {"actor": actor, "name": names.get(actor) or partner_label(actor), "active": False}
        for actor in audience["partners"]
        if actor not in known
    ]
    return rows


async def regie_context(
    request: web.Request, item_id: str, chosen: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the regie fieldset and the insight section of the editor show.

    ``chosen`` are the ticks of a form that was not saved: they are shown as ticked.
    """
    node = request.app[NODE]
    audience = await services.describe_audience(node, item_id)
    rows = await _partner_rows(request, audience)
    ticks = dict(audience)
    if chosen is not None:
        ticks = {**audience, **chosen}
    insight = await services.item_insight(node, item_id)
    per_partner = {entry["actor"]: entry for entry in insight["partners"]}
    for row in rows:
        shared = row["actor"] in audience["partners"]
        row["ticked"] = row["actor"] in ticks["partners"]
        delivery = audience["deliveries"].get(row["actor"])
        row["delivery"] = delivery if shared else None
        state, text = partner_progress(delivery if shared else None, per_partner.get(row["actor"]))
        if not shared and state not in ("used", "published", "removal_confirmed"):
            state, text = "", ""
        row["progress"], row["delivery_text"] = state, text
    names = await services.partner_names(node)
    for entry in insight["partners"]:
        entry["name"] = names.get(entry["actor"]) or partner_label(entry["actor"])
        for pub in entry["published_on"]:
            pub["text"] = channel_text(pub["channel"])
            pub["link"] = is_address(pub["channel"])
    for event in insight["events"]:
        if event["partner"]:
            event["partner_name"] = names.get(event["partner"]) or partner_label(event["partner"])
        event["channel_text"] = channel_text(event["channel"])
    return {"audience": audience, "ticks": ticks, "regie_partners": rows, "insight": insight}


async def _editor(
    request: web.Request,
    item: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    notice: str = "",
    status: int = 200,
    regie_error: str = "",
    chosen: dict[str, Any] | None = None,
    report: dict[str, str] | None = None,
) -> web.Response:
    regie = await regie_context(request, item["id"], chosen)
    states = (await services.item_states(request.app[NODE], [item]))[item["id"]]
    copy = bool(item.get("derived_from"))
    embedded = {e["id"]: e for e in await services.embedded_metadata(request.app[NODE], item["id"])}
    return render(
        request,
        "item_edit.html",
        {
            "item": item,
            "values": values,
            "errors": errors,
            "labels": LABELS,
            "kind_label": _(KIND_LABELS.get(item["kind"], item["kind"])),
            "media": [
                {**admin_media(m), "embedded": embedded.get(m["id"], {})} for m in item["media"]
            ],
            "limits": FIELD_LIMITS,
            "licence_options": licence_options(values.get("licence", "")),
            "language_options": language_options(values.get("language", "")),
            "notice": notice,
            "regie_error": regie_error,
            "event_labels": EVENT_LABELS,
            "local_time": local_time,
            "state_badges": badges(states.to_json()),
            "files": file_count(len(item["media"])) if item["media"] else "",
            "is_copy": copy,
            "origin_name": (item.get("provenance") or {}).get("origin_name") or "",
            "report_channels": CHANNEL_LABELS,
            "report": report or {},
            **kind_context(),
            **regie,
        },
        status=status,
    )


@routes.get("/items/{id}", name="edit_item")
async def edit_item_page(request: web.Request) -> web.Response:
    item = await services.get_item(request.app[NODE], request.match_info["id"])
    notice = ""
    if request.query.get("saved") == "1":
        notice = _("Opgeslagen.")
    elif request.query.get("created") == "1":
        notice = _("Item aangemaakt. Vul de gegevens aan en voeg bestanden toe.")
    elif request.query.get("unchanged") == "1":
        notice = _("Niets gewijzigd.")
    elif request.query.get("used") == "1":
        notice = _(
            "Opgenomen in je bibliotheek, met de herkomst. Je kunt het nu bewerken en publiceren."
        )
    elif request.query.get("used") == "already":
        notice = _("Dit item stond al in je bibliotheek; dit is je kopie.")
    elif request.query.get("reported") == "1":
        notice = _("Gemeld: de bron hoort waar je het item publiceerde.")
    elif request.query.get("contribution") == "1":
        notice = _("Bijdrage geaccepteerd: dit is nu een concept-item, met de inzender als credit.")
    return await _editor(request, item, _values(item), {}, notice)


def _audience_input(form: Any) -> dict[str, Any]:
    """The regie ticks of the item form: partners, mediatheek, public."""
    return {
        "partners": [str(v) for v in form.getall("partner", [])],
        "mediatheek": form.get("mediatheek") == "on",
        "public": form.get("public") == "on",
    }


def _embargo_phrase(value: str | None) -> str:
    """A future embargo for people: "3 december 09:00" (Dutch time), or "" for none."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment <= dt.datetime.now(dt.UTC):
        return ""
    local = moment.astimezone(LOCAL_TIME)
    year = f" {local.year}" if local.year != dt.datetime.now(LOCAL_TIME).year else ""
    return f"{local.day} {_(MONTHS[local.month - 1])}{year} {local:%H:%M}"


def _confirmation(
    request: web.Request,
    item: dict[str, Any],
    form: Any,
    added: list[str],
    embargo: str | None,
    rows: list[dict[str, Any]],
) -> web.Response:
    """Before a first share: who gets the item, with which embargo; nothing sent yet."""
    names = {p["actor"]: p["name"] for p in rows}
    who = ", ".join(names.get(a, a) for a in added)
    phrase = _embargo_phrase(embargo)
    if phrase:
        summary = _("%(who)s krijgt dit item, met embargo tot %(when)s.", who=who, when=phrase)
    else:
        summary = _("%(who)s krijgt dit item, zonder embargo.", who=who)
    hidden = [(k, str(v)) for k, v in form.items() if k not in ("csrf", "confirm", "cancel")]
    return render(
        request,
        "item_confirm.html",
        {"item": item, "summary": summary, "hidden": hidden, "values": dict(form)},
    )


@routes.post("/items/{id}")
async def save_item(request: web.Request) -> web.Response:
    """The editor's one save: metadata and regie together, through one service call."""
    node = request.app[NODE]
    item = await services.get_item(node, request.match_info["id"])
    posted = await request.post()
    form = {k: str(v) for k, v in posted.items() if k not in ("csrf", "partner")}
    chosen = _audience_input(posted)
    data, errors = parse_item_form(form)
    details, detail_errors = parse_details_form(item["kind"], form)
    errors.update(detail_errors)
    if item["kind"] == "vacancy":
        data.pop("expires_at", None)  # follows the closing date, set by the node
    notice = _("Niet opgeslagen: verbeter de gemarkeerde velden.")
    regie_error = ""
    status = 422
    if "cancel" in posted:
        errors, status = {}, 200
        notice = _("Niets verzonden of opgeslagen; je invoer staat er nog.")
    elif not errors:
        changes = changed_fields(item, data)
        alts = {
            m["id"]: form[f"alt-{m['id']}"].strip()
            for m in item["media"]
            if f"alt-{m['id']}" in form and form[f"alt-{m['id']}"].strip() != (m["alt"] or "")
        }
        if alts:
            changes["media_alt"] = alts
        if details is not None and details_changed(item["kind"], item.get("details"), form):
            changes["details"] = details
        before = await services.describe_audience(node, item["id"])
        same_audience = (
            sorted(chosen["partners"]) == sorted(before["partners"])
            and chosen["mediatheek"] == before["mediatheek"]
            and chosen["public"] == before["public"]
        )
        added = [a for a in chosen["partners"] if a not in before["partners"]]
        if not changes and same_audience:
            return redirect(f"{PREFIX}/items/{item['id']}?unchanged=1")
        if added and posted.get("confirm") != "1":
            rows = await _partner_rows(request, before)
            return _confirmation(request, item, posted, added, data.get("embargo_until"), rows)
        try:
            await services.save_item(node, item["id"], changes, None if same_audience else chosen)
        except ValidationFailed as exc:
            if exc.extra.get("field") == "partners":
                regie_error, notice = problem_text(exc), ""
            else:
                errors = refusal(exc)
        except ProblemError as exc:
            regie_error, notice = problem_text(exc), ""
            status = exc.status if exc.status < 500 else 502
        else:
            return redirect(f"{PREFIX}/items/{item['id']}?saved=1")
    return await _editor(
        request,
        item,
        {**_values(item), **form},
        errors,
        notice,
        status=status,
        regie_error=regie_error,
        chosen=chosen,
    )


@routes.post("/items/{id}/published", name="report_published")
async def report_published(request: web.Request) -> web.Response:
    """ "Gepubliceerd melden" on a copy: where we published it goes to the item's origin."""
    node = request.app[NODE]
    item = await services.get_item(node, request.match_info["id"])
    form = await request.post()
    where = str(form.get("where") or "")
    url = str(form.get("url") or "").strip()
    channel = url if where == "url" else where if where in CHANNEL_LABELS else ""
    try:
        await services.report_publication(node, item["id"], channel)
    except ValidationFailed as exc:
        reason = str(exc.extra.get("reason") or "")
        if where == "url" and not url:
            reason = "channel-missing"
        message = CHANNEL_REFUSALS.get(reason)
        error = _(message) if message else refusal_text(exc)
        return await _editor(
            request,
            item,
            _values(item),
            {},
            status=422,
            report={"error": error, "where": where, "url": url},
        )
    return redirect(f"{PREFIX}/items/{item['id']}?reported=1#report")


@routes.post("/items/{id}/delete", name="delete_item")
async def delete_item(request: web.Request) -> web.Response:
    """Delete an item; scripts (a cancelled upload's draft) get 204 instead of a redirect."""
    await services.delete_item(request.app[NODE], request.match_info["id"])
    if request.headers.get("X-CSRF-Token"):
        return web.Response(status=204)
    return redirect(f"{PREFIX}/library?deleted=1")


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
