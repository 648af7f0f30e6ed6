"""The package's shape, read from its imports (ast): layers, no cycles, libraries in their place.

docs/architecture.md explains the rules; this test keeps them. Every import counts, also
those inside functions (lazy imports are still dependencies); imports under
``if TYPE_CHECKING:`` count for the layers but not for cycles.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "stridebeat"
GROUND = {"units", "errors", "paths", "files", "tomlfile"}

# which groups each group may import (its own always included)
ALLOWED: dict[str, set[str]] = {
    "ground": set(),
    "engine": {"ground"},
    "cues": {"ground", "engine"},
    "music": {"ground", "engine"},
    "sinks": {"ground", "engine"},
    "controls": {"ground"},
    "runner": {"ground"},
    "training": {"ground", "engine", "runner"},
    "prepare": {"ground", "engine", "cues", "music"},
    "export": {"ground", "engine", "cues", "sinks", "prepare", "music"},
    "cli": {
        "ground",
        "engine",
        "cues",
        "music",
        "sinks",
        "controls",
        "runner",
        "training",
        "prepare",
        "export",
        "api",
    },  # fmt: skip
    "api": {
        "ground",
        "engine",
        "cues",
        "music",
        "sinks",
        "runner",
        "training",
        "prepare",
        "export",
    },
}
# third-party libraries that belong to one place only
ONLY_IN = {
    "click": lambda module: module.startswith("stridebeat.cli"),
    "sounddevice": lambda module: module == "stridebeat.sinks.devices",
    "pyttsx3": lambda module: module == "stridebeat.cues.speech_worker",
    "piper": lambda module: False,  # GPL-3.0: run as its own program (cues/speech_piper.py)
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # a stridebeat module, or a top-level third-party name
    names: tuple[str, ...]  # names taken with "from ... import"
    line: int
    type_only: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def group(module: str) -> str:
    parts = module.split(".")
    if module == "stridebeat":
        return "api"
    if len(parts) == 2:
        name = parts[1]
        if name in GROUND:
            return "ground"
        if name == "__main__":
            return "cli"
        return name
    return parts[1]


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_only)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(module, _resolve(alias.name), (), node.lineno, type_only))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node.module, node.level)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in MODULES else _resolve(base)
                names = () if submodule in MODULES else (alias.name,)
                found.append(Import(module, target, names, node.lineno, type_only))
        for child in ast.iter_child_nodes(node):
            visit(child, type_only)

    visit(tree, False)
    return found


def _absolute(module: str, is_package: bool, name: str | None, level: int) -> str:
    if level == 0:
        return name or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, name] if name else parts)


def _resolve(name: str) -> str:
    """A stridebeat module as imported, or the top-level name of another library."""
    if name.startswith("stridebeat"):
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        return name
    return name.split(".")[0]


ALL_IMPORTS = [i for module in MODULES for i in imports_of(module)]
INTERNAL = [i for i in ALL_IMPORTS if i.target in MODULES]


def where(i: Import) -> str:
    return f"{MODULES[i.source].relative_to(REPO)}:{i.line} imports {i.target}"


def test_the_reader_sees_the_package() -> None:
    assert {"stridebeat.engine.timeline", "stridebeat.cli.app", "stridebeat.files"} <= set(MODULES)
    assert any(i.target == "stridebeat.engine.session" for i in INTERNAL)
    assert any(i.type_only for i in INTERNAL)


def test_every_module_belongs_to_a_known_group() -> None:
    unknown = {m for m in MODULES if group(m) not in ALLOWED}
    assert not unknown, f"add these to a group in this test and docs/architecture.md: {unknown}"


def test_lower_layers_never_import_higher_ones() -> None:
    wrong = [
        where(i)
        for i in INTERNAL
        if group(i.target) != group(i.source)
        and group(i.target) not in ALLOWED[group(i.source)]
        and not (i.target == "stridebeat" and i.names == ("__version__",))
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in INTERNAL:
        if not i.type_only and i.target != i.source and i.target != "stridebeat":
            graph[i.source].add(i.target)
    cycle = _find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_cycle_finder_finds_a_cycle() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("library", sorted(ONLY_IN))
def test_libraries_stay_in_their_place(library: str) -> None:
    wrong = [
        where(i) for i in ALL_IMPORTS if i.target == library and not ONLY_IN[library](i.source)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_module_takes_another_modules_private_names() -> None:
    wrong = [
        f"{where(i)}: {name}"
        for i in INTERNAL
        for name in i.names
        if name.startswith("_") and not name.startswith("__") and i.target != i.source
    ]
    aliases_used = [
        f"{MODULES[m].relative_to(REPO)}:{line} uses {alias}.{attribute}"
        for m in MODULES
        for alias, attribute, line in _private_attributes(m)
    ]
    assert not wrong + aliases_used, "\n".join(wrong + aliases_used)


def _private_attributes(module: str) -> list[tuple[str, str, int]]:
    """``alias._name`` where ``alias`` is another stridebeat module imported by this one."""
    aliases = {}
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("stridebeat")
        ):
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES and alias.asname:
                    aliases[alias.asname] = alias.name
    return [
        (node.value.id, node.attr, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]


def test_no_package_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(REPO)): n
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long, long
