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


def _federation_import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module → federation modules it imports, counting every import statement in the file:
    top-level, under ``if TYPE_CHECKING:`` and inside functions alike."""
    modules = {path.stem for path in package_dir.glob("*.py") if path.stem != "__init__"}
    graph: dict[str, set[str]] = {}
    for name in sorted(modules):
        tree = ast.parse((package_dir / f"{name}.py").read_text(encoding="utf-8"))
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == "federation" and len(parts) > 1:
                        found.add(parts[1])
            elif isinstance(node, ast.ImportFrom):
                parts = (node.module or "").split(".") if node.module else []
                if node.level == 1:  # from . import x / from .x import y
                    parts = ["federation", *parts]
                if not parts or parts[0] != "federation":
                    continue
                if len(parts) > 1:
                    found.add(parts[1])
                else:  # from federation import engine, wire
                    found |= {alias.name for alias in node.names}
        graph[name] = (found & modules) - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_federation_modules_have_no_import_cycles():
    """Each part of federation/ gets narrow collaborators; none reaches back up to the
    engine (or to any module that imports it), not even for type hints."""
    graph = _federation_import_graph(ROOT / "federation")
    assert graph.get("engine"), "the graph must see the engine's imports"
    assert _cycles(graph) == []
    assert not [name for name, deps in graph.items() if "engine" in deps]


def test_federation_cycle_check_counts_type_only_and_local_imports(tmp_path):
    """The check above sees imports under ``if TYPE_CHECKING:`` and inside functions."""
    (tmp_path / "engine.py").write_text("from federation.parts import Part\n")
    (tmp_path / "parts.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from federation.engine import Federation\n"
    )
    (tmp_path / "late.py").write_text("def f():\n    from federation import engine\n")
    (tmp_path / "lower.py").write_text("from . import late\n")
    graph = _federation_import_graph(tmp_path)
    assert graph == {"engine": {"parts"}, "parts": {"engine"}, "late": {"engine"},
                     "lower": {"late"}}  # fmt: skip
    assert _cycles(graph) == [["engine", "parts"]]


# --- node/'s floors ----------------------------------------------------------------------
#: node's first-level parts, bottom first.  A module in part i may import parts <= i only,
#: counting ``if TYPE_CHECKING:`` imports and imports inside functions.
NODE_FLOORS = [
    "core",
    "media",
    "items",
    "mediatheek",
    "channels",
    "sharing",
    "public",
    "contributions",
    "services",
    "http",
    "app",
]


def node_part_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "node" and len(parts) > 1 else None


def node_imports(path: Path) -> set[str]:
    """Every ``node.*`` module or name that ``path`` imports, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("node.")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "node":
                found |= {f"node.{alias.name}" for alias in node.names}
            elif node.module.startswith("node."):
                found.add(node.module)
    return found


def node_part_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / "node").rglob("*.py")):
        rel = path.relative_to(ROOT / "node")
        if len(rel.parts) == 1 and rel.name == "__init__.py":
            continue
        part = rel.parts[0].removesuffix(".py")
        targets = graph.setdefault(part, set())
        for module in node_imports(path):
            target = node_part_of(module)
            if target and target != part:
                targets.add(target)
    return graph


def test_every_part_of_node_has_a_floor():
    assert sorted(node_part_graph()) == sorted(NODE_FLOORS)


def test_node_imports_point_down_its_floors():
    offenders = []
    for path in sorted((ROOT / "node").rglob("*.py")):
        rel = path.relative_to(ROOT / "node")
        part = rel.parts[0].removesuffix(".py")
        if part not in NODE_FLOORS:
            continue
        floor = NODE_FLOORS.index(part)
        for module in sorted(node_imports(path)):
            target = node_part_of(module)
            if target in NODE_FLOORS and NODE_FLOORS.index(target) > floor:
                offenders.append(f"node/{rel} ({part}) imports {module} ({target})")
    assert offenders == []


def test_no_import_cycles_among_node_parts():
    graph = node_part_graph()
    cycles = []

    def visit(part: str, trail: list[str]) -> None:
        for target in sorted(graph.get(part, ())):
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif len(trail) < len(graph):
                visit(target, [*trail, target])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []
