"""Online backup and restore of a node: database snapshot, settings and media.

The database is copied with SQLite's online backup API, which gives a
consistent snapshot while the node keeps running; media files are immutable
(content-addressed), so copying them after the snapshot is safe: every file the
snapshot refers to already exists.
"""

from __future__ import annotations

import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from node.core.errors import Conflict, ValidationFailed
from node.core.settings import SETTINGS_FILE

DB_NAME = "mediakring.db"


@dataclass(frozen=True)
class BackupSummary:
    media_files: int
    bytes: int


def create_backup(data_dir: Path, out: Path) -> BackupSummary:
    data_dir = Path(data_dir)
    db_path = data_dir / DB_NAME
    if not db_path.exists():
        raise ValidationFailed(f"no node database in {data_dir}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    media_files = 0
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / DB_NAME
        source = sqlite3.connect(str(db_path))
        target = sqlite3.connect(str(snapshot))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(snapshot, arcname=DB_NAME)
            settings_file = data_dir / SETTINGS_FILE
            if settings_file.exists():
                tar.add(settings_file, arcname=SETTINGS_FILE)
            media = data_dir / "media"
            if media.exists():
                for path in sorted(media.rglob("*")):
                    if path.is_file() and "tmp" not in path.relative_to(media).parts[:1]:
                        tar.add(
                            path,
                            arcname=str(PurePosixPath("media", *path.relative_to(media).parts)),
                        )
                        media_files += 1
        partial.replace(out)
    return BackupSummary(media_files, out.stat().st_size)


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        parts = PurePosixPath(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise ValidationFailed(f"backup contains an unsafe entry: {member.name!r}")
        if parts[0] not in (DB_NAME, SETTINGS_FILE, "media"):
            raise ValidationFailed(f"backup contains an unexpected entry: {member.name!r}")
        members.append(member)
    return members


def restore_backup(source: Path, data_dir: Path) -> BackupSummary:
    """Unpack a backup into an empty data directory and check the database's integrity."""
    data_dir = Path(data_dir)
    if (data_dir / DB_NAME).exists():
        raise Conflict(f"{data_dir} already holds a node; restore into an empty directory")
    try:
        tar = tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise ValidationFailed(f"{source} is not a Mediakring backup: {exc}") from exc
    with tar:
        members = _safe_members(tar)
        if DB_NAME not in {m.name for m in members}:
            raise ValidationFailed(f"{source} has no {DB_NAME}")
        data_dir.mkdir(parents=True, exist_ok=True)
        tar.extractall(data_dir, members=members, filter="data")
    conn = sqlite3.connect(str(data_dir / DB_NAME))
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if result != "ok":
        raise ValidationFailed(f"restored database failed its integrity check: {result}")
    media = [m for m in members if m.isfile() and m.name.startswith("media/")]
    return BackupSummary(len(media), sum(m.size for m in media))
