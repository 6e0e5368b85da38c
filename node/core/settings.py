"""The node's typed settings: one object, every setting named, defaulted and explained.

Settings come from three layers, later ones winning: the defaults below, the
``mediakring.toml`` file in the data directory, and ``MEDIAKRING_*`` environment
variables.  Each field carries its help text in its metadata so that
``docs/settings.md`` can be checked against it by a test (and generated from it).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "MEDIAKRING_"
SETTINGS_FILE = "mediakring.toml"
MiB = 1024 * 1024


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything a node can be configured with."""

    data_dir: Path = _setting(Path("./data"), "Directory holding the database, keys and media.")
    base_url: str = _setting(
        "http://127.0.0.1:8080",
        "Public URL of this node; ActivityPub ids are built from it. Set by `mediakring init`.",
    )
    host: str = _setting("127.0.0.1", "Address the HTTP server listens on.")
    port: int = _setting(8080, "Port the HTTP server listens on.")
    allow_private_network: bool = _setting(
        False,
        "Federate with loopback/private addresses over plain http. Only for tests and the"
        " local demo; never in production.",
    )
    closed_network: bool = _setting(
        False,
        "Closed-network mode: only domains on the federation allowlist (admin page or"
        " PUT /api/v1/federation/policy/{domain}) may send to or receive from this node.",
    )
    log_level: str = _setting("INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.")
    access_log: str = _setting(
        "skip_inbox",
        "Access log (logger mediakring.access, at INFO): all (every request), skip_inbox"
        " (every request except POSTs to an inbox answered 202; refusals are still logged)"
        " or off.",
    )
    default_language: str = _setting("nl", "Language of user-facing text: nl or en.")
    max_image_bytes: int = _setting(50 * MiB, "Largest accepted image upload, in bytes.")
    max_video_bytes: int = _setting(
        4096 * MiB, "Largest accepted video upload, in bytes (also raw-footage archives)."
    )
    max_audio_bytes: int = _setting(1024 * MiB, "Largest accepted audio upload, in bytes.")
    max_document_bytes: int = _setting(
        2048 * MiB, "Largest accepted document upload (PDF, office, ZIP), in bytes."
    )
    max_image_pixels: int = _setting(
        80_000_000, "Largest image, in pixels, that is decoded; bigger is a decompression bomb."
    )
    max_json_bytes: int = _setting(1 * MiB, "Largest JSON request body the API accepts.")
    inbox_max_bytes: int = _setting(1 * MiB, "Largest activity the inbox accepts, in bytes.")
    inbox_rate_per_minute: int = _setting(
        6000, "Inbox requests accepted per verified remote host per minute before 429."
    )
    inbox_rate_per_address_per_minute: int = _setting(
        60_000,
        "Inbox requests accepted per client address per minute, checked before parsing;"
        " behind a proxy it counts the client named by the proxy (see trusted_proxies).",
    )
    trusted_proxies: str = _setting(
        "",
        "Comma-separated addresses or networks (CIDR) of reverse proxies in front of the"
        " node; for requests from them the client address (rate limits, logs) is read from"
        " X-Forwarded-For. Empty: the connecting address counts, X-Forwarded-For is ignored.",
    )
    inbox_verify_deadline_seconds: float = _setting(
        10.0, "Overall time for verifying one inbox request's signature, key fetch included."
    )
    delivery_concurrency_per_host: int = _setting(8, "Simultaneous deliveries to one remote host.")
    delivery_timeout_seconds: float = _setting(
        20.0, "Time limit for one outbound delivery or fetch, in seconds."
    )
    delivery_give_up_hours: float = _setting(
        96.0, "Stop retrying a delivery after this many hours (several days by default)."
    )
    remote_actor_max_bytes: int = _setting(
        256 * 1024, "Largest remote actor or object document fetched, in bytes."
    )
    db_readers: int = _setting(4, "Threads serving database reads off the event loop.")
    wal_checkpoint_seconds: int = _setting(
        60, "How often the write-ahead log is checkpointed and truncated, in seconds."
    )
    scheduler_interval_seconds: float = _setting(
        2.0,
        "How often due work (embargo lifting, expiry, back-fill resumption) is looked for;"
        " the state lives in the database, so a restart loses nothing.",
    )
    collection_page_max_bytes: int = _setting(
        8 * MiB, "Largest collection page fetched from a partner (mediatheek back-fill)."
    )
    sign_collection_pages: bool = _setting(
        True,
        "Sign the collection pages we serve (our mediatheek for a partner's back-fill) with"
        " the organisation's Ed25519 key, so a partner checks one signature per page instead"
        " of one proof per listing (FEDERATION.md §5.1). Off only to act as an older node.",
    )
    backfill_max_pages: int = _setting(
        10_000, "Most pages read from one partner's mediatheek in a back-fill (loop guard)."
    )
    session_cookie_secure: bool = _setting(
        False,
        "Mark admin session cookies Secure (set true behind https; plain http on loopback"
        " otherwise cannot log in).",
    )
    login_attempts_per_minute: int = _setting(
        10, "Failed admin logins allowed per address per minute."
    )
    contribution_max_per_hour: int = _setting(
        5, "Contributions accepted from one address per hour on the public form."
    )
    smtp_url: str = _setting(
        "", "SMTP server for e-mail to contributors (smtp://user:pass@host:port); empty = off."
    )
    contribution_mail_from: str = _setting(
        "",
        "Sender address of e-mail to contributors; empty = no-reply@ the host of base_url.",
    )
    contribution_max_files: int = _setting(
        10, "Most files in one contribution (form or fediverse post)."
    )
    usage_counter_flush_seconds: float = _setting(
        10.0,
        "How often the counts of feed, embed and wall requests are written to the database"
        " (batched, off the request path); also written when the node stops.",
    )
    usage_coordinator: str = _setting(
        "",
        "Actor URL of the partner that coordinates the core group's usage reports (e.g."
        " https://omroep.example/actor). Empty: no coordinator (the default).",
    )
    usage_report_opt_in: bool = _setting(
        False,
        "Send this node's monthly usage report (counts only, no content) to usage_coordinator"
        " as a signed activity. Off by default: nothing is sent.",
    )
    usage_collect_reports: bool = _setting(
        False,
        "This node is the coordinator: accept usage reports from its partners and show the"
        " network overview in the admin. Off by default: reports are refused.",
    )

    @property
    def db_path(self) -> Path:
        return self.data_dir / "mediakring.db"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    def max_bytes_for(self, kind: str) -> int:
        """Upload limit for an item kind (photo/article images use the image limit)."""
        return {
            "image": self.max_image_bytes,
            "video": self.max_video_bytes,
            "audio": self.max_audio_bytes,
        }.get(kind, self.max_document_bytes)


def setting_fields() -> list[dataclasses.Field]:
    """All settings, in declaration order (used by docs and the docs test)."""
    return list(dataclasses.fields(Settings))


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def _coerce(f: dataclasses.Field, raw: Any) -> Any:
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(f"not a boolean: {raw!r}")
        if kind == "int":
            if isinstance(raw, bool):
                raise ValueError("not an integer")
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {f.name}: {exc}") from exc


def load_settings(
    data_dir: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build settings from defaults, the data dir's TOML file, environment and overrides."""
    env = os.environ if env is None else env
    fields = {f.name: f for f in setting_fields()}
    values: dict[str, Any] = {}
    data = Path(data_dir or env.get(env_name("data_dir")) or "./data")
    toml_path = data / SETTINGS_FILE
    if toml_path.exists():
        with toml_path.open("rb") as fh:
            try:
                from_file = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"{toml_path}: {exc}") from exc
        for key, raw in from_file.items():
            if key not in fields:
                raise SettingsError(f"{toml_path}: unknown setting {key!r}")
            values[key] = _coerce(fields[key], raw)
    for name, f in fields.items():
        if env_name(name) in env:
            values[name] = _coerce(f, env[env_name(name)])
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _coerce(fields[name], raw)
    values["data_dir"] = data
    settings = Settings(**values)
    _check_trusted_proxies(settings.trusted_proxies)
    if settings.default_language not in {"nl", "en"}:
        raise SettingsError("setting default_language: must be nl or en")
    if settings.access_log not in {"all", "skip_inbox", "off"}:
        raise SettingsError("setting access_log: must be all, skip_inbox or off")
    settings = dataclasses.replace(settings, base_url=settings.base_url.rstrip("/"))
    return settings


def _check_trusted_proxies(text: str) -> None:
    from node.core.forwarded import parse_trusted_proxies

    try:
        parse_trusted_proxies(text)
    except ValueError as exc:
        raise SettingsError(f"setting trusted_proxies: {exc}") from None


def write_settings_file(data_dir: Path, values: Mapping[str, Any]) -> None:
    """Write the given settings into ``mediakring.toml`` (used by ``mediakring init``)."""
    lines = ["# Mediakring node settings; see docs/settings.md for every option."]
    for key, value in values.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            lines.append(f"{key} = {value}")
        else:
            escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{key} = "{escaped}"')
    (data_dir / SETTINGS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
