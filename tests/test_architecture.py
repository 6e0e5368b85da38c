"""Imports point down: admin_ui → node → federation → protocol, never up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["protocol", "federation", "node", "admin_ui"]
FORBIDDEN = {
    "protocol": {"federation", "node", "admin_ui"},
    "federation": {"node", "admin_ui"},
    "node": {"admin_ui"},
    "admin_ui": set(),
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_point_down(layer):
    offenders = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        bad = imported_packages(path) & FORBIDDEN[layer]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_admin_ui_never_touches_database_or_federation_directly():
    offenders = []
    for path in sorted((ROOT / "admin_ui").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in ("import sqlite", "sqlite_utils", "from federation", "import federation"):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []
