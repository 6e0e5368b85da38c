"""Creating a node: data directory, settings file, database, keys, first admin."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from node.core import accounts
from node.core.db.database import connect
from node.core.errors import Conflict
from node.core.identity import create_identity
from node.core.settings import SETTINGS_FILE, write_settings_file
from node.core.storage import migrate


@dataclass(frozen=True)
class NewNode:
    data_dir: Path
    admin_username: str
    admin_password: str


def init_node(
    data_dir: Path,
    name: str,
    base_url: str,
    handle: str | None = None,
    admin_username: str = "admin",
    extra_settings: dict | None = None,
) -> NewNode:
    """Create a node in ``data_dir``; refuses to touch a directory that already holds one."""
    data_dir = Path(data_dir)
    db_path = data_dir / "mediakring.db"
    if db_path.exists():
        raise Conflict(f"{data_dir} already holds a node")
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "media").mkdir(exist_ok=True)
    if not (data_dir / SETTINGS_FILE).exists():
        write_settings_file(data_dir, {"base_url": base_url.rstrip("/"), **(extra_settings or {})})
    migrate(db_path)
    password = accounts.generate_password()
    db = connect(db_path)
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            create_identity(db, name, handle)
            accounts.add_user(db, admin_username, "admin", password)
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")
    finally:
        db.conn.close()
    return NewNode(data_dir, admin_username, password)
