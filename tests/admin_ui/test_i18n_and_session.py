"""Catalogues complete in both languages; session cookies cannot be read, forged or reused."""

from __future__ import annotations

import time

from cryptography.fernet import Fernet

from admin_ui import i18n
from admin_ui.ratelimit import LoginLimiter
from admin_ui.session import Session, SessionCodec


def test_every_message_has_an_english_translation_and_a_dutch_entry() -> None:
    used = i18n.extract_messages()
    assert len(used) > 100
    for language in i18n.LANGUAGES:
        catalogue = i18n.parse_po(i18n.po_path(language).read_text(encoding="utf-8"))
        missing = [m for m in used if not catalogue.get(m)]
        assert missing == [], f"{language}: run python -m admin_ui.i18n and translate"
        assert set(catalogue) <= set(used), f"{language}: stale entries"


def test_translation_follows_the_request_language() -> None:
    i18n.set_language("en")
    assert i18n._("Je sessie is verlopen. Log opnieuw in.") == (
        "Your session has expired. Please log in again."
    )
    assert i18n._("Te lang: maximaal %(max)s tekens, nu %(count)s.", max=3, count=4) == (
        "Too long: at most 3 characters, now 4."
    )
    i18n.set_language("xx")
    assert i18n.current_language() == "nl"


def test_po_parser_handles_escapes_continuations_and_fuzzy() -> None:
    text = (
        'msgid "a \\"b\\""\nmsgstr "c"\n\n'
        'msgid ""\n"lang"\n"e"\nmsgstr "long"\n\n'
        '#, fuzzy\nmsgid "f"\nmsgstr "not used"\n'
    )
    assert i18n.parse_po(text) == {'a "b"': "c", "lange": "long"}


def test_session_cookie_is_sealed() -> None:
    codec = SessionCodec(Fernet.generate_key())
    session = Session(username="admin")
    cookie = codec.seal(session)
    assert "admin" not in cookie and session.csrf not in cookie
    assert codec.open(cookie) == session
    assert codec.open(cookie[:-4] + "AAAA") is None
    assert SessionCodec(Fernet.generate_key()).open(cookie) is None
    codec.revoke(session)
    assert codec.open(cookie) is None


def test_new_login_gets_new_session_id_and_csrf_token() -> None:
    anonymous = Session(language="en")
    logged_in = anonymous.logged_in("admin")
    assert logged_in.sid != anonymous.sid and logged_in.csrf != anonymous.csrf
    assert logged_in.language == "en"
    assert Session(issued_at=time.time() - 13 * 3600).expired()


def test_login_limiter_counts_failures_per_address() -> None:
    limiter = LoginLimiter(2)
    limiter.failed("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") == 0
    limiter.failed("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") > 0
    assert limiter.retry_after("10.0.0.2") == 0
