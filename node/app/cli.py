"""The ``mediakring`` command: set up, run and look after a node.

Every command takes ``--data DIR`` (the node's data directory) and has ``--help``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from node.core.accounts import SCOPES
from node.core.settings import Settings, load_settings

COMMANDS_DOC = "docs/cli.md"


def _data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", default="./data", type=Path, help="the node's data directory (default ./data)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mediakring", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create a node: database, keys and a first admin account")
    _data(p)
    p.add_argument("--name", required=True, help="the organisation's name")
    p.add_argument("--base-url", required=True, help="public URL, e.g. https://omroep.example")
    p.add_argument("--handle", help="WebFinger handle (default: a slug of the name)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("run", help="start the node's HTTP server")
    _data(p)
    p.add_argument("--host", help="listen address (default from settings)")
    p.add_argument("--port", type=int, help="listen port (default from settings)")
    p.set_defaults(func=cmd_run)

    user = sub.add_parser("user", help="manage editor and admin accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    p = user_sub.add_parser("add", help="add an account; prints a generated password")
    p.add_argument("username")
    _data(p)
    p.add_argument("--role", choices=["admin", "editor"], required=True)
    p.add_argument(
        "--password-file",
        type=Path,
        help="read the password from this file instead of generating one",
    )
    p.set_defaults(func=cmd_user_add)
    p = user_sub.add_parser("list", help="list accounts")
    _data(p)
    p.set_defaults(func=cmd_user_list)
    p = user_sub.add_parser("disable", help="disable an account (it can no longer log in)")
    p.add_argument("username")
    _data(p)
    p.set_defaults(func=cmd_user_disable)

    token = sub.add_parser("token", help="manage API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    p = token_sub.add_parser("create", help="create a bearer token; printed as the last line")
    _data(p)
    p.add_argument("--scope", choices=list(SCOPES), required=True)
    p.add_argument("--label", default="", help="what the token is for")
    p.set_defaults(func=cmd_token_create)

    p = sub.add_parser("backup", help="write a consistent online backup (database and media)")
    _data(p)
    p.add_argument("--out", required=True, type=Path, help="backup file to write (.tar.gz)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup into an empty data directory")
    _data(p)
    p.add_argument("--from", dest="source", required=True, type=Path, help="backup file")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("lookup", help="fetch a remote object or handle with a signed GET")
    p.add_argument("target", help="an object URL or name@host")
    _data(p)
    p.set_defaults(func=cmd_lookup)

    p = sub.add_parser(
        "import", help="import events and vacancies (drafts) from an .ics file or a page URL"
    )
    p.add_argument("source", help="an iCalendar file or saved HTML page, or an http(s) URL")
    _data(p)
    p.set_defaults(func=cmd_import)

    med = sub.add_parser("mediatheek", help="look after the mediatheek's search index")
    med_sub = med.add_subparsers(dest="mediatheek_command", required=True, metavar="ACTION")
    p = med_sub.add_parser(
        "reindex", help="rebuild the search index from the listings (the node may keep running)"
    )
    _data(p)
    p.set_defaults(func=cmd_mediatheek_reindex)

    use = sub.add_parser("usage", help="the usage report (counts only) and the coordinator")
    use_sub = use.add_subparsers(dest="usage_command", required=True, metavar="ACTION")
    p = use_sub.add_parser("show", help="print a period's usage figures (JSON or CSV)")
    _data(p)
    p.add_argument("--period", choices=["month", "quarter", "year"], default="month")
    p.add_argument("--at", help="2026-11, 2026-Q4 or 2026 (default: the current period)")
    p.add_argument("--csv", action="store_true", help="CSV instead of JSON")
    p.set_defaults(func=cmd_usage_show)
    p = use_sub.add_parser(
        "send", help="send a finished month's report to the coordinator (if opted in)"
    )
    _data(p)
    p.add_argument("--at", help="the month, e.g. 2026-11 (default: last month)")
    p.set_defaults(func=cmd_usage_send)
    return parser


def _open_sync(data: Path):
    from node.core.db.database import connect
    from node.core.storage import migrate

    db_path = data / "mediakring.db"
    if not db_path.exists():
        raise SystemExit(f"error: no node in {data}; run 'mediakring init --data {data}' first")
    migrate(db_path)
    return connect(db_path)


def _in_tx(db, fn):
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(db)
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")
    return result


def cmd_init(args: argparse.Namespace) -> int:
    from node.app.bootstrap import init_node

    new = init_node(args.data, args.name, args.base_url, args.handle)
    print(f"Node created in {new.data_dir}")
    print(f"Log in at {args.base_url.rstrip('/')}/admin/login")
    print(f"  username: {new.admin_username}")
    print(f"  password: {new.admin_password}   (shown once; store it now)")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from aiohttp import web

    from node.app import create_app
    from node.core.heap import freeze_on_startup
    from node.core.logs import configure_logging
    from node.http.access_log import access_log_options

    settings = load_settings(args.data, host=args.host, port=args.port)
    configure_logging(settings.log_level)
    print(
        f"Mediakring: {settings.base_url}/ (listening on {settings.host}:{settings.port})",
        flush=True,
    )
    app = create_app(settings)
    app.on_startup.append(freeze_on_startup)  # last: after every start-up step has loaded
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        print=None,
        **access_log_options(settings.access_log),
    )
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from node.core import accounts

    if args.password_file:
        password = args.password_file.read_text(encoding="utf-8").strip()
        generated = False
    else:
        password, generated = accounts.generate_password(), True
    db = _open_sync(args.data)
    user = _in_tx(db, lambda d: accounts.add_user(d, args.username, args.role, password))
    print(f"Added {user.role} {user.username}")
    if generated:
        print(f"password: {password}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from node.core import accounts

    for user in accounts.list_users(_open_sync(args.data)):
        state = "disabled" if user.disabled else "active"
        print(f"{user.username}\t{user.role}\t{state}")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    from node.core import accounts

    db = _open_sync(args.data)
    _in_tx(db, lambda d: accounts.set_disabled(d, args.username, True))
    print(f"Disabled {args.username}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from node.core import accounts

    db = _open_sync(args.data)
    token_id, token = _in_tx(db, lambda d: accounts.create_token(d, args.scope, args.label))
    print(f"Created token {token_id} with scope {args.scope}; it is shown only once:")
    print(token)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from node.app.backup import create_backup

    summary = create_backup(args.data, args.out)
    print(f"Backup written to {args.out}: {summary.media_files} media files, {summary.bytes} bytes")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from node.app.backup import restore_backup

    summary = restore_backup(args.source, args.data)
    print(f"Restored into {args.data}: {summary.media_files} media files")
    return 0


def cmd_mediatheek_reindex(args: argparse.Namespace) -> int:
    import time

    from node.mediatheek import textindex

    db = _open_sync(args.data)
    for attempt in range(30):  # a running node holds the index's writer only briefly
        try:
            n = textindex.rebuild(db)
            break
        except ValueError as exc:  # tantivy's lock: the node is applying changes right now
            if attempt == 29:
                print(f"error: the search index is busy ({exc}); try again", file=sys.stderr)
                return 1
            time.sleep(1)
    print(f"Rebuilt the mediatheek search index: {n} listings")
    return 0


async def lookup(settings: Settings, target: str) -> dict:
    """Fetch ``target`` with a signed GET as our instance actor."""
    from node.app import create_app
    from node.core.errors import ValidationFailed
    from node.sharing.lookup import resolve_actor_url
    from node.sharing.services import SERVICES
    from protocol.result import Failure

    app = create_app(settings)
    fed = app[SERVICES].federation
    await fed.start()
    try:
        url = await resolve_actor_url(fed, target)
        document = await fed.fetch(url, as_instance=True)
    finally:
        await fed.close()
    if isinstance(document, Failure):
        raise ValidationFailed(f"{target}: {document.detail}")
    return document


def cmd_lookup(args: argparse.Namespace) -> int:
    import asyncio

    settings = load_settings(args.data)
    document = asyncio.run(lookup(settings, args.target))
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0


def _read_import_file(source: str) -> tuple[bytes, str]:
    from node.core.errors import ValidationFailed
    from node.items.imports import MAX_BYTES, too_large

    path = Path(source)
    if not path.is_file():
        raise ValidationFailed(f"{source}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise too_large(path.stat().st_size)  # refused before the file is read
    return path.read_bytes(), path.name


async def import_source(
    settings: Settings, url: str | None = None, data: bytes | None = None, filename: str = ""
) -> dict:
    """Run the import use case on a node that is not serving (one write, then closed)."""
    from node.app import create_app
    from node.core.appkeys import DB
    from node.services import import_items
    from node.sharing.services import SERVICES

    app = create_app(settings)
    try:
        if url is not None:
            fed = app[SERVICES].federation
            await fed.start()
            try:
                result = await import_items(app, url=url)
            finally:
                await fed.close()
        else:
            result = await import_items(app, data=data, filename=filename)
    finally:
        app[DB].close()
    return result.to_json()


def cmd_import(args: argparse.Namespace) -> int:
    import asyncio

    settings = load_settings(args.data)
    if args.source.startswith(("http://", "https://")):
        result = asyncio.run(import_source(settings, url=args.source))
    else:
        data, filename = _read_import_file(args.source)
        result = asyncio.run(import_source(settings, data=data, filename=filename))
    for item in result["items"]:
        notes = f"  ({'; '.join(item['notes'])})" if item["notes"] else ""
        print(f"{item['id']}\t{item['kind']}\t{item['title']}{notes}")
    print(f"{result['count']} item(s) imported as drafts from {result['source']}")
    return 0


async def usage_command(settings: Settings, action: str, **kwargs) -> dict:
    """Run a usage use case on a node that is not serving; ``send`` also delivers."""
    from node.app import create_app
    from node.core.appkeys import DB
    from node.services import usage, usage_network
    from node.sharing.services import SERVICES

    app = create_app(settings)
    try:
        if action == "show":
            return await usage.usage_report(app, kwargs.get("period"), kwargs.get("at"))
        fed = app[SERVICES].federation
        await fed.start()
        try:
            result = await usage_network.send_report(app, kwargs.get("at"))
            if result["sent"]:
                await app[SERVICES].outbox.run_once()
                await fed.drain(rounds=20)
        finally:
            await fed.close()
        return result
    finally:
        app[DB].close()


def cmd_usage_show(args: argparse.Namespace) -> int:
    import asyncio

    from node.services.usage import report_csv

    settings = load_settings(args.data)
    report = asyncio.run(usage_command(settings, "show", period=args.period, at=args.at))
    print(report_csv(report) if args.csv else json.dumps(report, indent=2), end="\n")
    return 0


def cmd_usage_send(args: argparse.Namespace) -> int:
    import asyncio

    settings = load_settings(args.data)
    result = asyncio.run(usage_command(settings, "send", at=args.at))
    if not result["sent"]:
        print(f"nothing sent: {result['reason']}")
        return 1
    print(f"usage report {result['period']} sent to {result['coordinator']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from node.core.errors import ProblemError
    from node.core.settings import SettingsError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ProblemError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover - interactive
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
