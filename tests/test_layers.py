"""The layers of ARCHITECTURE.md, checked: imports point down, no layer is crossed, no circles.

Every import counts, including those inside functions and under TYPE_CHECKING: a circle a
reader has to untangle is one whether or not it runs at start-up.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "desktop_app"

# What each layer may not import (prefixes of module names).
FORBIDDEN = {
    "desktop_app.api": (
        "PySide6",
        "qasync",
        "shiboken6",
        "desktop_app.core",
        "desktop_app.ui",
        "desktop_app.app.startup",
        "desktop_app.cli",
        "desktop_app.simulator",
    ),
    "desktop_app.core": (
        "PySide6.QtWidgets",
        "desktop_app.ui",
        "desktop_app.app.startup",
        "desktop_app.cli",
    ),
    "desktop_app.ui": ("httpx", "sqlite3", "desktop_app.app.startup", "desktop_app.cli"),
    "desktop_app.simulator": (
        "PySide6",
        "desktop_app.core",
        "desktop_app.ui",
        "desktop_app.app.startup",
        "desktop_app.cli",
    ),
    "desktop_app.cli": ("PySide6", "qasync", "desktop_app.ui", "desktop_app.app.startup"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Every module `path` imports (absolute names), resolving relative imports."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            for alias in node.names:  # `from package import module`
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: imports_of(path, modules) for name, path in files.items()}


def test_imports_point_down_and_cross_no_layer():
    wrong = []
    for name, imported in graph().items():
        for layer, banned in FORBIDDEN.items():
            if name == layer or name.startswith(layer + "."):
                wrong += [f"{name} imports {i}" for i in imported if i.startswith(banned)]
    assert wrong == []


def test_no_import_circles_between_modules():
    edges = graph()
    own = {n: {i for i in deps if i in edges and i != n} for n, deps in edges.items()}
    # A package's __init__ re-exporting its modules is not a circle with them.
    for name in own:
        own[name] = {i for i in own[name] if not name.startswith(i + ".")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in own[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in sorted(own):
        if name not in index:
            visit(name)
    assert circles == []
