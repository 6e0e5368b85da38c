"""The mediakring command as a newcomer uses it: every command helps, works and is documented."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from node.app.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "node.app.cli", *args], capture_output=True, text=True, timeout=120
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed: {result.stdout}\n{result.stderr}")
    return result


def command_paths(parser=None, prefix=()):
    parser = parser or build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in action.choices.items():
            path = (*prefix, name)
            if sub._subparsers:
                yield from command_paths(sub, path)
            else:
                yield path


ALL_COMMANDS = sorted(command_paths())


def test_every_command_is_documented():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [" ".join(c) for c in ALL_COMMANDS if f"mediakring {' '.join(c)}" not in doc]
    assert missing == []


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help(command):
    out = run(*command, "--help").stdout
    assert "usage: mediakring" in out and "--data" in out


@pytest.fixture
def data(tmp_path):
    out = run(
        "init",
        "--data",
        str(tmp_path / "d"),
        "--name",
        "Stadsomroep Den Haag",
        "--base-url",
        "http://127.0.0.1:8080/",
    ).stdout
    match = re.search(r"password: (\S+)", out)
    assert match, out
    return tmp_path / "d", match.group(1)


def test_init_creates_keys_admin_and_default_handle(data):
    path, _ = data
    db = sqlite3.connect(path / "mediakring.db")
    name, handle, rsa, ed = db.execute(
        "SELECT name, handle, rsa_private_pem, ed25519_private_pem FROM identity"
    ).fetchone()
    assert (name, handle) == ("Stadsomroep Den Haag", "stadsomroep-den-haag")
    assert "PRIVATE KEY" in rsa and "PRIVATE KEY" in ed
    assert db.execute("SELECT role FROM users WHERE username='admin'").fetchone() == ("admin",)
    assert 'base_url = "http://127.0.0.1:8080"' in (path / "mediakring.toml").read_text()


def test_init_twice_is_refused(data):
    path, _ = data
    result = run("init", "--data", str(path), "--name", "X", "--base-url", "http://x", check=False)
    assert result.returncode == 2 and "already holds a node" in result.stderr


def test_users_and_tokens(data, tmp_path):
    path, _ = data
    pw = tmp_path / "pw"
    pw.write_text("een-lang-wachtwoord\n")
    run("user", "add", "fleur", "--data", str(path), "--role", "editor", "--password-file", str(pw))
    assert "fleur\teditor\tactive" in run("user", "list", "--data", str(path)).stdout
    run("user", "disable", "fleur", "--data", str(path))
    assert "fleur\teditor\tdisabled" in run("user", "list", "--data", str(path)).stdout
    bad = run("user", "add", "x", "--data", str(path), "--role", "editor", check=False)
    assert bad.returncode == 2 and "username" in bad.stderr
    out = run("token", "create", "--data", str(path), "--scope", "read").stdout
    token = out.strip().splitlines()[-1]
    assert token.startswith("mk_") and len(token) > 40


def test_command_on_missing_node_says_so(tmp_path):
    result = run("user", "list", "--data", str(tmp_path / "nothing"), check=False)
    assert result.returncode != 0 and "mediakring init" in result.stderr


def test_backup_and_restore_round_trip(data, tmp_path):
    path, _ = data
    (path / "media" / "ab").mkdir(parents=True)
    (path / "media" / "ab" / "blob").write_bytes(b"media bytes")
    run("user", "add", "fleur", "--data", str(path), "--role", "editor")
    out = tmp_path / "backup.tar.gz"
    run("backup", "--data", str(path), "--out", str(out))
    restored = tmp_path / "restored"
    run("restore", "--data", str(restored), "--from", str(out))
    assert "fleur" in run("user", "list", "--data", str(restored)).stdout
    assert (restored / "media" / "ab" / "blob").read_bytes() == b"media bytes"
    again = run("restore", "--data", str(restored), "--from", str(out), check=False)
    assert again.returncode == 2 and "already holds a node" in again.stderr


def test_restore_refuses_a_hostile_archive(tmp_path):
    import io
    import tarfile

    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    result = run("restore", "--data", str(tmp_path / "r"), "--from", str(evil), check=False)
    assert result.returncode == 2 and "unsafe entry" in result.stderr
    assert not (tmp_path / "escape.txt").exists()


def test_import_creates_drafts_and_a_refusal_stores_nothing(data):
    path, _ = data
    vectors = ROOT / "tests" / "vectors" / "ical"
    bad = run("import", str(vectors / "floating.ics"), "--data", str(path), check=False)
    assert bad.returncode == 2 and "no time zone" in bad.stderr
    db = sqlite3.connect(path / "mediakring.db")
    assert db.execute("SELECT count(*) FROM items").fetchone() == (0,)
    out = run("import", str(vectors / "agenda.ics"), "--data", str(path)).stdout
    assert "4 item(s) imported as drafts" in out
    assert "only the first occurrence" in out
    assert db.execute("SELECT count(*) FROM items WHERE kind = 'event'").fetchone() == (4,)
    assert db.execute("SELECT count(*) FROM audience").fetchone() == (0,)
