"""protocol/ is pure: no I/O, no server code, no upward imports (design.md §3)."""

from __future__ import annotations

import ast
from pathlib import Path

PROTOCOL = Path(__file__).resolve().parents[2] / "protocol"
FORBIDDEN = {
    "node",
    "federation",
    "admin_ui",
    "aiohttp",
    "asyncio",
    "socket",
    "sqlite3",
    "sqlite_utils",
    "requests",
    "urllib.request",
    "http.client",
    "httpx",
    "subprocess",
}
FORBIDDEN_CALLS = {"open", "exec", "eval", "__import__"}


def _modules() -> list[Path]:
    return sorted(PROTOCOL.rglob("*.py"))


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            for bad in FORBIDDEN:
                if name == bad or name.startswith(bad + "."):
                    found.append(f"{path.name}:{node.lineno} imports {name}")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                found.append(f"{path.name}:{node.lineno} calls {func.id}()")
            if isinstance(func, ast.Attribute) and func.attr in (
                "open",
                "write_text",
                "write_bytes",
            ):
                if not (isinstance(func.value, ast.Call) and _is_resources_files(func.value)):
                    found.append(f"{path.name}:{node.lineno} calls .{func.attr}()")
    return found


def _is_resources_files(call: ast.Call) -> bool:
    """``resources.files(...).joinpath(...)`` reads our own package data; that is allowed."""
    return isinstance(call.func, ast.Attribute) and call.func.attr in ("joinpath", "files")


def test_protocol_modules_exist() -> None:
    assert len(_modules()) >= 10


def test_no_forbidden_imports_or_file_io() -> None:
    problems = [v for path in _modules() for v in _violations(path)]
    assert problems == []


def test_the_checker_catches_violations(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import asyncio\nfrom node.app import x\nimport urllib.request\n"
        "from federation import y\nopen('f')\n"
    )
    flagged_lines = {int(v.split(":")[1].split()[0]) for v in _violations(bad)}
    assert flagged_lines == {1, 2, 3, 4, 5}
