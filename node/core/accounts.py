"""Editor and admin accounts, and API tokens.

Passwords are stored as scrypt hashes (slow by design, in the standard library);
API tokens are random and stored only as their SHA-256, so a leaked database
does not leak usable tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlite_utils

from node.core.clock import iso, new_id
from node.core.errors import Conflict, NotFound, ValidationFailed

ROLES = ("admin", "editor")
SCOPES = ("read", "report", "write", "admin")
_SCOPE_RANK = {s: i for i, s in enumerate(SCOPES)}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    b64 = base64.b64encode
    return f"scrypt$16384$8$1${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            dklen=len(expected),
            n=int(n),
            r=int(r),
            p=int(p),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class User:
    username: str
    role: str
    disabled: bool
    language: str


def _row_user(row: dict) -> User:
    return User(row["username"], row["role"], bool(row["disabled"]), row["language"])


def valid_username(username: str) -> bool:
    """2–32 characters: lowercase letters, digits, '.', '_' or '-', not starting with one
    of the last three (the one rule; forms check with it before they post)."""
    return bool(_USERNAME.match(username))


def add_user(db: sqlite_utils.Database, username: str, role: str, password: str) -> User:
    if not valid_username(username):
        raise ValidationFailed(
            "username must be 2–32 characters: lowercase letters, digits, '.', '_' or '-'"
        )
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise ValidationFailed("password must be at least 10 characters")
    if db["users"].count_where("username = ?", [username]):
        raise Conflict(f"user {username!r} already exists")
    db["users"].insert(
        {
            "username": username,
            "password_hash": hash_password(password),
            "role": role,
            "disabled": 0,
            "language": "nl",
            "created_at": iso(),
        }
    )
    return User(username, role, False, "nl")


def list_users(db: sqlite_utils.Database) -> list[User]:
    return [_row_user(r) for r in db["users"].rows_where(order_by="username")]


def get_user(db: sqlite_utils.Database, username: str) -> User:
    rows = list(db["users"].rows_where("username = ?", [username]))
    if not rows:
        raise NotFound(f"no user {username!r}")
    return _row_user(rows[0])


def set_disabled(db: sqlite_utils.Database, username: str, disabled: bool = True) -> User:
    get_user(db, username)
    db["users"].update(username, {"disabled": int(disabled)})
    return get_user(db, username)


def set_language(db: sqlite_utils.Database, username: str, language: str) -> None:
    if language not in ("nl", "en"):
        raise ValidationFailed("language must be nl or en")
    db["users"].update(username, {"language": language})


def authenticate(db: sqlite_utils.Database, username: str, password: str) -> User | None:
    """The user if the password is right and the account active; None otherwise."""
    rows = list(db["users"].rows_where("username = ?", [username]))
    if not rows or rows[0]["disabled"]:
        # Spend the same time as a real check so timing does not reveal accounts.
        verify_password(password, hash_password("x" * 10))
        return None
    if not verify_password(password, rows[0]["password_hash"]):
        return None
    return _row_user(rows[0])


# -- API tokens ---------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db: sqlite_utils.Database, scope: str, label: str = "") -> tuple[str, str]:
    """Create a token; returns (token id, the secret token shown once)."""
    if scope not in SCOPES:
        raise ValidationFailed(f"scope must be one of {', '.join(SCOPES)}")
    token = "mk_" + secrets.token_urlsafe(32)
    token_id = new_id()
    db["api_tokens"].insert(
        {
            "id": token_id,
            "token_hash": _token_hash(token),
            "scope": scope,
            "label": label,
            "created_at": iso(),
            "revoked": 0,
        }
    )
    return token_id, token


def token_scope(db: sqlite_utils.Database, token: str) -> str | None:
    row = db.execute(
        "SELECT scope FROM api_tokens WHERE token_hash = ? AND revoked = 0", [_token_hash(token)]
    ).fetchone()
    return row[0] if row else None


def list_tokens(db: sqlite_utils.Database) -> list[dict]:
    return list(
        db.query("SELECT id, scope, label, created_at, revoked FROM api_tokens ORDER BY created_at")
    )


def revoke_token(db: sqlite_utils.Database, token_id: str) -> None:
    if not db["api_tokens"].count_where("id = ?", [token_id]):
        raise NotFound(f"no token {token_id!r}")
    db["api_tokens"].update(token_id, {"revoked": 1})


def scope_allows(granted: str, needed: str) -> bool:
    """Scopes are ordered: admin ⊇ write ⊇ report ⊇ read.

    ``report`` is read plus reporting where a copy was published (a website plugin's
    token): it cannot create, edit, delete or share anything.
    """
    return _SCOPE_RANK[granted] >= _SCOPE_RANK[needed]
