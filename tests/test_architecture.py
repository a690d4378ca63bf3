"""The layers hold: no import cycles, no SQL outside storage, core free of platforms and SQL.

Imports under `if TYPE_CHECKING:` are not followed (they never run); every other import,
at module level or inside a function, is an edge of the graph.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "cogs", "storage")
EXCLUDE = ("storage/migrations/versions",)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if any(str(rel).startswith(x) for x in EXCLUDE):
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, *, typing_too: bool = False) -> set[str]:
    """Every module name imported by a file (relative imports resolved)."""
    tree = ast.parse(path.read_text(), str(path))
    rel = path.relative_to(ROOT).with_suffix("")
    package = list(rel.parts[:-1])
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node) and not typing_too:
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def _graph() -> dict[str, set[str]]:
    """Edges between our own modules (a `from pkg import mod` counts as importing mod)."""
    graph = {}
    for name, path in MODULES.items():
        graph[name] = {imp for imp in _imports(path) if imp in MODULES and imp != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
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
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return out


def _third_party(name: str, root: str) -> bool:
    return name == root or name.startswith(root + ".")


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("banned", ["sqlalchemy", "sqlmodel", "discord", "nio", "aiohttp"])
def test_core_imports_no_platform_and_no_sql(banned: str) -> None:
    offenders = sorted(
        name
        for name, path in MODULES.items()
        if name.startswith("bot.core")
        for imp in _imports(path, typing_too=True)
        if _third_party(imp, banned)
    )
    assert offenders == []


def test_no_sql_outside_storage() -> None:
    offenders = sorted(
        name
        for name, path in MODULES.items()
        if not name.startswith("storage")
        for imp in _imports(path, typing_too=True)
        if _third_party(imp, "sqlalchemy") or _third_party(imp, "sqlmodel")
    )
    assert offenders == []


# Session calls that build or run queries; core and front-ends reach the database through
# storage.repositories only (core may add new rows to a transaction and commit it).
QUERY_CALL = re.compile(
    r"\.(execute|scalar|scalars|scalar_one|scalar_one_or_none|refresh|exec_driver_sql)\("
    r"|\bawait [a-z_]+\.(get|delete)\("
)


def test_no_queries_outside_storage() -> None:
    offenders = sorted(
        f"{name}:{number}"
        for name, path in MODULES.items()
        if not name.startswith("storage")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if QUERY_CALL.search(line)
    )
    assert offenders == []


def test_platforms_and_core_never_import_cogs() -> None:
    offenders = sorted(
        f"{name} -> {imp}"
        for name, path in MODULES.items()
        if name.startswith("bot.")
        for imp in _imports(path, typing_too=True)
        if _third_party(imp, "cogs")
    )
    assert offenders == []


def test_no_cog_imports_another_cog() -> None:
    offenders = sorted(
        f"{name} -> {imp}"
        for name, path in MODULES.items()
        if name.startswith("cogs.")
        for imp in _imports(path, typing_too=True)
        if _third_party(imp, "cogs")
    )
    assert offenders == []


def test_only_the_matrix_front_end_imports_nio() -> None:
    offenders = sorted(
        name
        for name, path in MODULES.items()
        if not name.startswith("bot.platforms.matrix")
        for imp in _imports(path, typing_too=True)
        if _third_party(imp, "nio")
    )
    assert offenders == []


def test_only_discord_front_end_and_cogs_import_discord() -> None:
    offenders = sorted(
        name
        for name, path in MODULES.items()
        if not name.startswith(("bot.platforms.discord", "cogs"))
        for imp in _imports(path, typing_too=True)
        if _third_party(imp, "discord")
    )
    assert offenders == []
