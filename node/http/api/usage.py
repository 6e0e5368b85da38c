"""Usage report API: the figures as JSON or CSV, the coordinator's report and overview."""

from __future__ import annotations

from aiohttp import web

from node.core.errors import ValidationFailed
from node.http.api import openapi
from node.http.api.auth import require_scope
from node.http.api.jsonbody import read_json_object
from node.http.api.openapi import INT, JSON, STRING, op, query, ref, responses
from node.services import usage, usage_network

routes = web.RouteTableDef()
CSV = "text/csv"


def _wants_csv(request: web.Request) -> bool:
    if request.path.endswith(".csv"):
        return True
    accept = request.headers.get("Accept", "")
    best = accept.split(",")[0].split(";")[0].strip().lower()
    return best == CSV


@routes.get("/api/v1/usage")
@routes.get("/api/v1/usage.csv")
@require_scope("read")
async def get_usage(request: web.Request) -> web.Response:
    report = await usage.usage_report(
        request.app, request.query.get("period"), request.query.get("at")
    )
    if _wants_csv(request):
        name = f"usage-{report['at']}.csv"
        return web.Response(
            text=usage.report_csv(report),
            content_type=CSV,
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Vary": "Accept"},
        )
    return web.json_response(report, headers={"Vary": "Accept"})


@routes.post("/api/v1/usage/send")
@require_scope("admin")
async def send_usage(request: web.Request) -> web.Response:
    body = await read_json_object(request) if request.can_read_body else {}
    at = body.get("at")
    if at is not None and not isinstance(at, str):
        raise ValidationFailed("at: a month like 2026-11", field="at")
    return web.json_response(await usage_network.send_report(request.app, at))


@routes.get("/api/v1/usage/network")
@require_scope("admin")
async def network_overview(request: web.Request) -> web.Response:
    return web.json_response(
        await usage_network.network_overview(request.app, request.query.get("at"))
    )


@routes.put("/api/v1/usage/participants")
@require_scope("admin")
async def set_kind(request: web.Request) -> web.Response:
    body = await read_json_object(request)
    actor, kind = body.get("actor"), body.get("kind")
    if not isinstance(actor, str) or not actor:
        raise ValidationFailed("actor: the participant's actor URL", field="actor")
    await usage_network.set_participant_kind(request.app, actor, kind)
    return web.json_response({"actor": actor, "kind": kind})


_COUNTS = {
    "type": "object",
    "properties": {name: {"type": "integer", "minimum": 0} for name in usage.FIGURES},
    "required": list(usage.FIGURES),
    "additionalProperties": False,
}
_PERIOD_PARAMS = [
    query("period", {"enum": list(usage.PERIODS)}, "month (default), quarter or year"),
    query(
        "at",
        STRING,
        "which period: 2026-11 (month), 2026-Q4 (quarter), 2026 (year); default the current"
        " one; periods in Europe/Amsterdam time; a future period is refused",
    ),
]
SCHEMAS = {
    "UsageFigures": _COUNTS,
    "UsageReport": {
        "type": "object",
        "required": ["organisation", "period", "at", "start", "end", "figures", "buckets"],
        "properties": {
            "organisation": {"type": "object"},
            "period": {"enum": list(usage.PERIODS)},
            "at": STRING,
            "start": openapi.TIMESTAMP,
            "end": openapi.TIMESTAMP,
            "timezone": STRING,
            "complete": {"type": "boolean"},
            "figures": ref("UsageFigures"),
            "buckets": {"type": "array", "items": STRING},
            "series": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": INT},
            },
        },
        "additionalProperties": False,
    },
}


def _usage_get(summary: str) -> dict:
    out = responses("200", ref("UsageReport"), 422)
    out["200"]["content"][CSV] = {
        "schema": {
            "type": "string",
            "description": "header row period,at,start,end,<figures>; one row per day"
            " (month) or month, then the period's total row",
        }
    }
    return op(summary, "read", out, params=_PERIOD_PARAMS)


PATHS = {
    "/api/v1/usage": {
        "get": _usage_get(
            "Usage report of a month, quarter or year: counts from this node's own records"
            " (JSON, or CSV with Accept: text/csv)"
        )
    },
    "/api/v1/usage.csv": {"get": _usage_get("The usage report as CSV")},
    "/api/v1/usage/send": {
        "post": op(
            "Send a finished month's report to the coordinator now (counts only); sends"
            " nothing unless usage_coordinator and usage_report_opt_in are set",
            "admin",
            responses("200", {"type": "object"}, 409, 422),
            body={JSON: {"schema": {"type": "object", "properties": {"at": STRING}}}},
        )
    },
    "/api/v1/usage/network": {
        "get": op(
            "Coordinator: one row per participant for a month, with its kind",
            "admin",
            responses("200", {"type": "object"}, 422),
            params=[query("at", STRING, "month, e.g. 2026-11; default last month")],
        )
    },
    "/api/v1/usage/participants": {
        "put": op(
            "Coordinator: set a participant's kind (community, commercial or unknown)",
            "admin",
            responses("200", {"type": "object"}, 404, 422),
            body={
                JSON: {
                    "schema": {
                        "type": "object",
                        "required": ["actor", "kind"],
                        "properties": {
                            "actor": STRING,
                            "kind": {"enum": list(usage_network.KINDS)},
                        },
                    }
                }
            },
        )
    },
}


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
    openapi.register(PATHS, SCHEMAS)
