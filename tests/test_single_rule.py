"""One rule for embargo and expiry: no comparison of them outside node/items/visibility.py.

A copy of the rule is how the embargo broke before (one copy compared the text
that came in, so ``…T06:00:00-05:00`` counted as earlier than ``…T10:00:00Z``).
This test reads every .py file of node/, admin_ui/ and federation/ and fails
on a line that compares an embargo or expiry against anything, or that
compares against "now" within a few lines of one.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("node", "admin_ui", "federation")
RULE_MODULE = "node/items/visibility.py"

#: Migrations rewrite stored values and must not import live code.
EXEMPT = re.compile(r"^node/core/db/schema[\w]*\.py$")

#: Lines that compare a column of the same name that is not an item's embargo/expiry.
NOT_THE_RULE = {
    ("federation/queries.py", "DELETE FROM seen_signatures WHERE expires_at < ?"),
    ("federation/inbox.py", "DO UPDATE SET expires_at = excluded.expires_at WHERE expires_at < ?"),
}


MENTION = re.compile(r"embargo|expir", re.IGNORECASE)
COMPARE = re.compile(r"(?<![-=<>!])\s(<|>|<=|>=)\s")
AGAINST_NOW = re.compile(r"(<|>|<=|>=)\s*(iso\(|utcnow\(|now\b|:now\b|clock\.)")
NEARBY = 3


def offending_lines(path: str, text: str) -> list[str]:
    """``path:line: code`` for each comparison of an embargo or expiry in ``text``."""
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines):
        code = line.split("#", 1)[0] if not line.lstrip().startswith(("'", '"')) else line
        near = "\n".join(lines[max(0, number - NEARBY) : number + 1])
        direct = MENTION.search(code) and COMPARE.search(code)
        indirect = AGAINST_NOW.search(code) and MENTION.search(near)
        if not (direct or indirect):
            continue
        if any(p == path and snippet in line for p, snippet in NOT_THE_RULE):
            continue
        found.append(f"{path}:{number + 1}: {line.strip()}")
    return found


def scan() -> list[str]:
    found = []
    for package in PACKAGES:
        for file in sorted((ROOT / package).rglob("*.py")):
            path = file.relative_to(ROOT).as_posix()
            if path == RULE_MODULE or EXEMPT.match(path):
                continue
            found += offending_lines(path, file.read_text(encoding="utf-8"))
    return found


def test_no_embargo_or_expiry_comparison_outside_the_rule_module() -> None:
    found = scan()
    assert not found, "Compare embargo/expiry only through node.items.visibility:\n" + "\n".join(
        found
    )


def test_the_scan_catches_the_copies_it_is_meant_to_catch() -> None:
    """The patterns the old code used are found (so the test above can fail)."""
    copies = [
        'return bool(item.get("embargo_until") and item["embargo_until"] > now)',
        "if expires and expires <= iso():",
        '" AND (embargo_until IS NULL OR embargo_until <= :now)"',
        '"SELECT id FROM listings WHERE expires_at IS NOT NULL AND expires_at <= ?", [now]',
        "UNION ALL SELECT 'embargoed', CASE WHEN embargo_until > ?2 THEN 'true' ELSE 'false' END",
        'embargo = obj.get("embargoUntil")\nif embargo and moment > iso():',
        'if doc["expiresAt"] >= stamp:',
    ]
    for copy in copies:
        assert offending_lines("node/example.py", copy), copy
    harmless = [
        "def expired(self, now: float | None = None) -> bool:",
        'counts["kind"][kind] += 1',
        "while hits and hits[0] <= now - 60:",
    ]
    for line in harmless:
        assert not offending_lines("node/example.py", line), line
