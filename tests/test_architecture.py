"""The folders name the stages in the order data flows, and the imports follow that order (issue 15).

Every module of ``automation/`` is parsed with ``ast``; every import counts, at the top, inside a
function or under ``TYPE_CHECKING`` (a function-level import is a dependency all the same, only a
later one). A module may import its own stage, earlier stages and ``core/``, never a later stage;
nothing but the pipeline's dispatcher (``pipeline/run.py``) and the flood itself imports the flood's
speed machinery (``pipeline/flood/``); and no two modules import each other, however indirectly.
Each failure names the file, the line and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "automation"

# The stages in the order data flows; a module may import only its own stage and earlier ones.
STAGES = [
    "core",  # config, model, form specs, problems, texts, calendar, clock, file helpers
    "intake",  # bytes -> Submission
    "validate",  # Submission -> Report
    "feedback",  # Report -> what the rep reads
    "ledger",  # Report -> recorded, durably
    "templates",  # the forms reps fill (per-rep copies list the ledger's customers)
    "score",  # ledger frames -> figures
    "consolidate",  # figures -> the week's workbooks
    "mail",  # figures and workbooks -> email
    "pipeline",  # the stages in order, for one file, a flood and after a burst
    "watch",  # notices ready files and hands them to the pipeline
    "demo",  # a realistic company through all of it
    "cli",  # thin commands over the library
]
FLOOD = "automation.pipeline.flood"
FLOOD_USERS = {"automation.pipeline.run"}  # the dispatcher that picks one-file or flood


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = modules()


def resolve(name: str) -> str | None:
    """The module an imported dotted name lives in (``automation.ledger.Ledger`` -> ``automation.ledger``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str, path: Path) -> list[tuple[int, str, str]]:
    """``(line, imported module, as written)`` for every import of an ``automation`` module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("automation"):
                    target = resolve(alias.name)
                    if target:
                        out.append((node.lineno, target, f"import {alias.name}"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            if not base.startswith("automation"):
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                target = full if full in MODULES else resolve(base)
                if target:
                    out.append((node.lineno, target, f"from {base} import {alias.name}"))
    return [(line, target, text) for line, target, text in out if target != module]


EDGES = {m: imports(m, p) for m, p in MODULES.items()}


def stage(module: str) -> int | None:
    """The stage's place in :data:`STAGES`; None for the package root (its version only)."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    if parts[1] == "__main__":
        return STAGES.index("cli")
    return STAGES.index(parts[1])


def rel(module: str) -> str:
    return MODULES[module].relative_to(ROOT).as_posix()


def test_every_module_lives_in_a_stage_folder() -> None:
    loose = [rel(m) for m in MODULES if m.count(".") == 1 and m.split(".")[1] not in (*STAGES, "__main__")]
    assert not loose, f"modules outside the stage folders {STAGES}: {loose}"


def test_a_stage_imports_only_earlier_stages_and_core() -> None:
    breaches = []
    for module, found in EDGES.items():
        mine = stage(module)
        for line, target, text in found:
            theirs = stage(target)
            if mine is not None and theirs is not None and theirs > mine:
                breaches.append(f"{rel(module)}:{line}: {text} ({STAGES[theirs]} comes after {STAGES[mine]})")
    assert not breaches, "imports against the stage order:\n" + "\n".join(breaches)


def test_only_the_dispatcher_imports_the_flood() -> None:
    breaches = [
        f"{rel(module)}:{line}: {text} (only pipeline/run.py picks the flood)"
        for module, found in EDGES.items()
        if not module.startswith(FLOOD) and module not in FLOOD_USERS
        for line, target, text in found
        if target.startswith(FLOOD)
    ]
    assert not breaches, "\n".join(breaches)


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    graph = {m: sorted({t for _, t, _ in found}) for m, found in EDGES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_no_import_cycles() -> None:
    lines = []
    for component in cycles():
        members = set(component)
        for module in component:
            for line, target, text in EDGES[module]:
                if target in members:
                    lines.append(f"{rel(module)}:{line}: {text}")
    assert not lines, "modules that import each other:\n" + "\n".join(lines)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from automation.ledger import open_ledger\n", "automation.ledger"),
        ("def f():\n    from automation.score.week import compute_week\n", "automation.score.week"),
        ("from . import names\n", "automation.core.names"),
        ("import automation.pipeline.flood.batch\n", "automation.pipeline.flood.batch"),
    ],
)
def test_the_import_reader_sees_every_kind_of_import(tmp_path: Path, source: str, expected: str) -> None:
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    assert [t for _, t, _ in imports("automation.core.probe", path)] == [expected]
