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


CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Where Chinese words may be written: the text catalog, the problem catalog, the demo company.
TEXT_HOMES = ("automation/core/texts/", "automation/core/problems.py", "automation/demo/")
# Chinese literals elsewhere that are vocabulary the code *reads* from forms, data or file names,
# not text it shows: (module, literal) -> why it stays with the code that matches it.
VOCABULARY = {
    # bool words: the dropdown's two labels are also the first spellings accepted when reading
    ("automation/core/formspec.py", "是"): "yes, as typed in a form",
    ("automation/core/formspec.py", "否"): "no, as typed in a form",
    ("automation/core/formspec.py", "对"): "yes, as typed in a form",
    ("automation/core/formspec.py", "有"): "yes, as typed in a form",
    ("automation/core/formspec.py", "无"): "no, as typed in a form",
    ("automation/core/formspec.py", "没有"): "no, as typed in a form",
    ("automation/intake/values.py", "是"): "yes, read from a cell",
    ("automation/intake/values.py", "否"): "no, read from a cell",
    # sync clients' conflict-copy names, matched in file names
    ("automation/core/synccopy.py", r"^(?P<orig>.+?) - (?:副本|复制|Copy)(?: ?[(（]\d{1,3}[)）])?$"): "copy names",
    ("automation/core/synccopy.py", r"^(?P<orig>.+?) ?[(（][^()（）]*(?:冲突|conflict)[^()（）]*[)）]$"): "conflict names",
    # a total row under a table: matched to stop reading rows
    ("automation/intake/layout.py", "合计"): "total row",
    ("automation/intake/layout.py", "总计"): "total row",
    ("automation/intake/layout.py", "小计"): "subtotal row",
    # how reps write money, counts, dates, weeks and periods: matched when reading a cell
    ("automation/intake/values.py", r"(?i)(rmb|cny|人民币|元整|元|圆|¥|￥|\$|,|，|'|\s|\u3000|\u00a0|\u202f)"): "currency",
    ("automation/intake/values.py", "万"): "ten-thousand suffix of an amount",
    ("automation/intake/values.py", "(个|次|家|人)$"): "unit after a count",
    ("automation/intake/values.py", r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?"): "date",
    ("automation/intake/values.py", r"(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?"): "date without a year",
    ("automation/intake/values.py", r"(\d{4})\s*(?:-?\s*W|年\s*第?)\s*(\d{1,2})\s*周?"): "week",
    ("automation/intake/values.py", r"(\d{4})\s*(?:-?\s*Q|年\s*第?|年\s*Q)\s*([1-4])\s*(?:季度|季)?"): "quarter",
    ("automation/intake/values.py", r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?"): "month",
    ("automation/intake/values.py", r"(\d{4})\s*年?"): "year",
    # a landline's extension word (转), matched in a phone number
    ("automation/validate/fields.py", r"(?:\+?86)?(?:\(0\d{2,3}\)|0\d{2,3})-?[1-9]\d{6,7}(?:(?:-|转|ext\.?|x|#)\d{1,6})?"): "phone",
}  # fmt: skip


def _chinese_literals(source: str) -> list[tuple[int, str]]:
    """(line, literal) of every string constant holding a Chinese character, f-string parts
    included; docstrings (a module's, class's or function's first statement) and comments are not
    literals."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and CJK.search(node.value)
    ]


def test_chinese_literals_are_found_in_code_not_in_docstrings() -> None:
    """The scanner below sees an inline message, an f-string's words and a dict value, and skips
    docstrings and comments, so a new inline message fails it."""
    source = (
        '"""模块说明"""\n'
        "def f(n):\n"
        '    """函数说明"""\n'
        "    x = 1  # 注释\n"
        '    return f"有 {n} 处错误 / {n} problem(s)", {"zh": "未设置"}\n'
    )
    assert _chinese_literals(source) == [(5, "有 "), (5, " 处错误 / "), (5, "未设置")]


def test_user_facing_chinese_lives_in_the_text_catalog() -> None:
    """Every Chinese word the product shows is in ``automation/core/texts/`` (or the problem
    catalog, or the demo company's invented data): a Chinese literal anywhere else is an inline
    message to move there, unless it is vocabulary the code reads, named in ``VOCABULARY``."""
    found: set[tuple[str, str]] = set()
    inline = []
    for path in sorted((ROOT / "automation").rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        if module.startswith(TEXT_HOMES):
            continue
        for line, literal in _chinese_literals(path.read_text(encoding="utf-8")):
            if (module, literal) in VOCABULARY:
                found.add((module, literal))
            else:
                inline.append(f"{module}:{line} {literal!r}")
    assert not inline, "move these words to automation/core/texts/:\n" + "\n".join(inline)
    stale = sorted(set(VOCABULARY) - found)
    assert not stale, f"VOCABULARY names literals no longer in the code: {stale}"


# What the product prints or logs for a person: a call that shows its first argument. Debug logs are
# for developers and stay as they are; raised exceptions' texts are not shown through these calls.
SHOWN = {"info", "warning", "error", "critical", "exception", "echo", "secho"}
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def _inline_words(node: ast.expr) -> bool:
    """Whether ``node`` writes words of its own: a string, an f-string's literal parts, or either
    side of a ``+``; a placeholder-only f-string (``f"  #{id} {file}"``) holds none."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(ENGLISH.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_inline_words(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _inline_words(node.left) or _inline_words(node.right)
    return False


def _inline_lines(source: str) -> list[tuple[int, str]]:
    """(line, call) of every ``log.info/warning/error/critical/exception``, ``click.echo`` and
    ``lines.append`` given words written in place rather than taken from the catalog."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute)):
            continue
        name, owner = node.func.attr, node.func.value
        shown = name in SHOWN or (name == "append" and isinstance(owner, ast.Name) and owner.id == "lines")
        if shown and _inline_words(node.args[0]):
            found.append((node.lineno, ast.unparse(node.func)))
    return found


def test_inline_lines_are_found() -> None:
    """The scanner below sees inline English in a log line, an echo and a status line, and lets
    the catalog's lines, placeholder-only lines and debug logs through."""
    source = (
        'log.warning("heartbeat not written: %s", exc)\n'
        'click.echo(f"{n} file(s) written")\n'
        'lines.append(f"  also: {m}")\n'
        'lines.append("  " + both("status-also", message=m))\n'
        'log.warning(LOG["heartbeat-failed"], exc)\n'
        'lines.append(f"  #{i} {folder}/{file}")\n'
        'log.debug("raw event %s", e)\n'
    )
    assert _inline_lines(source) == [(1, "log.warning"), (2, "click.echo"), (3, "lines.append")]


def test_shown_lines_come_from_the_text_catalog() -> None:
    """Every line ``status`` shows, a command echoes or the watcher logs at INFO or above takes
    its words from ``automation/core/texts/`` (both languages), not an English literal in place.
    The demo (a text home for its invented company) still writes its closing report inline."""
    inline = [
        f"{path.relative_to(ROOT).as_posix()}:{line} {call}"
        for path in sorted((ROOT / "automation").rglob("*.py"))
        if not path.relative_to(ROOT).as_posix().startswith(TEXT_HOMES)
        for line, call in _inline_lines(path.read_text(encoding="utf-8"))
    ]
    assert not inline, "take these lines' words from automation/core/texts/:\n" + "\n".join(inline)
