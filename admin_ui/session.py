"""Sessions kept in the browser, encrypted and signed with a key only this node has.

A session is a small JSON object sealed with Fernet (AES-128-CBC + HMAC-SHA256):
the browser can neither read nor forge it, so no session table is needed.  It
carries the CSRF synchronizer token, the user name after login, and the moment it
was issued; the server refuses it after :data:`SESSION_LIFETIME_SECONDS`.  Logging
out adds the session id to an in-memory revocation list (kept until the session
would have expired anyway; a restart forgets it — the lifetime bounds that).
The key lives in ``data_dir/session.key`` (mode 0600), created at first start.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

#: How long a login lasts.  A module constant so tests can shorten it.
SESSION_LIFETIME_SECONDS = 12 * 3600
COOKIE_NAME = "mk_session"
KEY_FILE = "session.key"


def _token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    """What the cookie holds.  ``username`` is empty before login."""

    sid: str = field(default_factory=_token)
    csrf: str = field(default_factory=_token)
    username: str = ""
    language: str = ""
    issued_at: float = field(default_factory=time.time)
    #: A secret to show once on the next page (a new API token), then dropped.
    once: str = ""

    def expired(self, now: float | None = None) -> bool:
        return (now or time.time()) - self.issued_at > SESSION_LIFETIME_SECONDS

    def logged_in(self, username: str) -> Session:
        """A fresh session for a login: new id and CSRF token, so nothing carries over."""
        return Session(username=username, language=self.language)

    def with_language(self, language: str) -> Session:
        return replace(self, language=language)

    def with_once(self, secret: str) -> Session:
        return replace(self, once=secret)


def load_key(data_dir: Path) -> bytes:
    """Read the node's session key, creating it (readable by the owner only) if missing."""
    path = Path(data_dir) / KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        key = Fernet.generate_key()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key


class SessionCodec:
    """Seal and open session cookies; remembers revoked session ids until they expire."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._revoked: dict[str, float] = {}

    def seal(self, session: Session) -> str:
        return self._fernet.encrypt(json.dumps(asdict(session)).encode()).decode()

    def open(self, cookie: str) -> Session | None:
        """The session in a cookie, or None when it was forged, damaged or revoked."""
        try:
            data = json.loads(self._fernet.decrypt(cookie.encode()))
            session = Session(**data)
        except (InvalidToken, ValueError, TypeError):
            return None
        if session.sid in self._revoked:
            return None
        return session

    def revoke(self, session: Session) -> None:
        now = time.time()
        self._revoked = {sid: until for sid, until in self._revoked.items() if until > now}
        self._revoked[session.sid] = session.issued_at + SESSION_LIFETIME_SECONDS
