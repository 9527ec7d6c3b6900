"""No dead functions in ``automation/`` (issue 15): every function and method is named somewhere.

Each function or method defined in the package must be referenced by name (a call, an attribute, an
import, a ``:meth:`` mention in a docstring, a string passed to ``getattr``) somewhere in the
package, its tests or its benchmarks. What a framework calls is exempt, and found without a list:
a decorated function (the decorator registers it: click commands, pydantic validators, SQLAlchemy
event listeners), a dunder, and a method that overrides one of a base class (watchdog's
``on_any_event``, logging's ``handleError``). Name-based, so a name used anywhere keeps every
function of that name: it misses some dead code but never accuses live code.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _names_used() -> Counter[str]:
    used: Counter[str] = Counter()
    for folder in ("automation", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Name):
                    used[node.id] += 1
                elif isinstance(node, ast.Attribute):
                    used[node.attr] += 1
                elif isinstance(node, ast.alias):
                    used[node.name.rpartition(".")[2]] += 1
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    used.update(WORDS.findall(node.value))
    return used


def _overrides(module: str, cls: str, name: str) -> bool:
    """Whether ``module.cls.name`` overrides a method of a base class (a framework calls it)."""
    owner = getattr(importlib.import_module(module), cls, None)
    return owner is not None and any(hasattr(base, name) for base in owner.__mro__[1:])


def test_every_function_is_used_somewhere() -> None:
    used = _names_used()
    dead = []
    for path in sorted((ROOT / "automation").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owners = {
            id(item): node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            for item in node.body
        }
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if node.decorator_list or node.name.startswith("__") or used[node.name]:
                continue  # registered by a decorator, a dunder, or named somewhere
            cls = owners.get(id(node))
            if cls and _overrides(_module_name(path), cls, node.name):
                continue
            dead.append(f"{path.relative_to(ROOT)}:{node.lineno} {cls + '.' if cls else ''}{node.name}")
    assert not dead, "functions nobody calls (remove them):\n" + "\n".join(dead)


def _calls(path: Path) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of every call in a module (``hashlib.sha256``, ``h.update`` ...)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            out.append((node.lineno, ast.unparse(node.func)))
    return out


def test_every_sha256_goes_through_one_helper() -> None:
    """A file's SHA-256 is computed in one place, ``core.content_store.sha256_of`` (chunked for a
    path or descriptor, direct for bytes already read): a second copy of the chunk loop is how the
    content store's key and the filed-original check could drift apart."""
    helper = ROOT / "automation" / "core" / "content_store.py"
    stray = []
    for path in sorted([*(ROOT / "automation").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]):
        if path == helper:
            continue
        for line, name in _calls(path):
            if name in {"hashlib.sha256", "hashlib.new", "hashlib.file_digest", "sha256"}:
                stray.append(f"{path.relative_to(ROOT)}:{line} {name}()")
    assert not stray, "hash through automation.core.content_store.sha256_of instead:\n" + "\n".join(stray)


def test_status_words_are_defined_once() -> None:
    """What became of a file (accepted, rejected, duplicate, superseded, ignored, failed) is spelt in
    ``core/outcomes.py`` alone: a tuple, list, set or dict of two or more of these words elsewhere is a
    copy that could drift (``("accepted", "superseded")`` where ``COUNTED`` is meant)."""
    from automation.core import outcomes

    words = {*outcomes.RECORDED, *outcomes.OUTCOMES}
    home = ROOT / "automation" / "core" / "outcomes.py"
    copies = []
    for path in sorted((ROOT / "automation").rglob("*.py")):
        if path == home:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                items = node.elts
            elif isinstance(node, ast.Dict):
                items = [k for k in node.keys if k is not None]
            else:
                continue
            spelt = {i.value for i in items if isinstance(i, ast.Constant) and i.value in words}
            if len(spelt) >= 2:
                copies.append(f"{path.relative_to(ROOT)}:{node.lineno} {sorted(spelt)}")
    assert not copies, "use automation.core.outcomes instead:\n" + "\n".join(copies)


def test_each_problem_carries_its_own_severity() -> None:
    """A problem's severity is in its catalog entry, not in a separate code -> severity table that
    an added code could miss: no dict literal in the catalog maps codes to severity words, and
    ``SEVERITY`` is what the entries say."""
    from automation.core import problems

    path = ROOT / "automation" / "core" / "problems.py"
    levels = {problems.ERROR, problems.WARNING, problems.NOTE}
    tables = [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Dict)
        and node.values
        and all(isinstance(v, ast.Constant) and v.value in levels for v in node.values)
    ]
    assert tables == [], f"severity tables in problems.py at lines {tables}"
    assert {p.code: p.severity for p in problems.CATALOG.values()} == problems.SEVERITY
    assert all(p.severity in levels for p in problems.CATALOG.values())
