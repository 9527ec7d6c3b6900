"""What actually lands in the inbox: the forms as sent, with the mistakes real people make.

:func:`plan_drops` turns the simulated forms into a time-ordered list of :class:`Drop` (one file
each) and says what the product should do with it. Decisions:

- About one rep form in twenty is first sent with one mistake (a required value left blank, an
  impossible date, a customer name with a homophone typo, a misspelt choice, a bad phone, or the
  file saved into a colleague's folder) and is **rejected**; the same rep sends the fixed form 10-90
  minutes later (**accepted**). The first register of the day a rep goes live is never wrong: the
  morning's plan already names its customers, and a real back office loads it with the rep.
- About one form in a hundred is dropped again unchanged under another name (**duplicate**), and
  about one visit report in a hundred is resent with an edit (**accepted**, it supersedes).
- Lock and temp files (``~$x.xlsx``, ``.~lock.x.xlsx#``, ``~WRL0003.tmp``) appear beside about one
  form in thirty (**ignored**). Late and missing reports come from the simulation itself.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from automation.core.config import Config
from automation.demo import writers as wr
from automation.demo.world import Form, World

_HOMOPHONES = {"达": "大", "华": "化", "源": "元", "图": "途", "丰": "风", "泰": "太", "兴": "星", "宇": "雨",
               "远": "源", "通": "同", "信": "新", "明": "名", "盛": "胜", "天": "田", "东": "冬", "金": "今",
               "航": "行", "锐": "瑞", "鑫": "新", "博": "搏", "川": "穿", "辉": "挥", "程": "成", "润": "闰"}  # fmt: skip
_MISSPELT: dict[str, dict[str, tuple[str, ...]]] = {"outcome": {"zh": ("有意象", "成交了", "须跟进"), "en": ("intrested", "dael", "folow up")},
             "stage": {"zh": ("潜在客护", "销售机汇"), "en": ("prospekt", "oportunity")},
             "purpose": {"zh": ("订huo", "收歀"), "en": ("odrer", "colection")}}  # fmt: skip


@dataclass
class Drop:
    """One file as it will land in ``inbox/<folder>/``."""

    seq: int
    folder: str
    received: datetime
    expected: str  # accepted | rejected | duplicate | ignored
    form: Form | None = None
    style: wr.Style | None = None
    copy_of: int | None = None
    noise: bytes | None = None
    name_hint: str = ""
    mistake: str = ""
    relpath: str = ""
    beside: int | None = None  # lock/temp files: the form they belong to
    form_key: str | None = None
    person: str = ""
    period: str = ""

    def entry(self) -> dict[str, Any]:
        """The manifest line for this drop."""
        return {"path": self.relpath, "folder": self.folder, "received": self.received.isoformat(),
                "expected": self.expected, "form": self.form_key, "rep": self.person, "period": self.period,
                "mistake": self.mistake, "lang": self.form.lang if self.form else None,
                "format": self.style.fmt if self.style and self.noise is None else None}  # fmt: skip


def _bad_date(d: date) -> str:
    last = 30 if d.month in (4, 6, 9, 11) else 31
    return f"{d.year}-{d.month:02d}-{last + 1}" if d.month != 2 else f"{d.year}-02-30"


def _typo(name: str, taken: set[str]) -> str | None:
    for i, ch in enumerate(name):
        if i >= 2 and ch in _HOMOPHONES:
            cand = name[:i] + _HOMOPHONES[ch] + name[i + 1 :]
            if cand not in taken:
                return cand
    return None


def _break(
    form: Form, rng: random.Random, world: World, colleagues: list[str], nth: int
) -> tuple[Form, str, str] | None:
    """A copy of ``form`` with one mistake; returns (bad form, folder, what is wrong) or None.

    The kinds take turns per form type (``nth``), so even a small company shows every kind."""
    bad = copy.copy(form)
    bad.rows = [dict(r) for r in form.rows]
    bad.info = dict(form.info)
    kinds = {
        "visit_report": ("required", "bad_date", "unknown_customer", "choice", "wrong_folder"),
        "visit_plan": ("required", "bad_date", "unknown_customer", "wrong_folder"),
        "customer_register": ("bad_phone", "required", "choice", "wrong_folder"),
        "market_report": ("required",),
        "complaint": ("required",),
    }.get(form.form, ())
    if not kinds or not bad.rows:
        return None
    kind = kinds[nth % len(kinds)]
    row = rng.choice(bad.rows)
    folder = form.folder
    if kind == "required":
        key = {"visit_report": "outcome", "visit_plan": "purpose", "customer_register": "contact"}.get(
            form.form, "description"
        )
        row[key] = None
    elif kind == "bad_date":
        key = "report_date" if form.form == "visit_report" else "plan_date"
        bad.info[key] = wr.Raw(_bad_date(form.info[key]))
    elif kind == "unknown_customer":
        typo = _typo(row["customer"], world._names)
        if typo is None:
            return None
        row["customer"] = wr.Raw(typo)
    elif kind == "choice":
        key = "outcome" if form.form == "visit_report" else "stage"
        row[key] = wr.Raw(rng.choice(_MISSPELT[key][form.lang]))
    elif kind == "bad_phone":
        rows = [r for r in bad.rows if len(r["phone"]) == 11]
        if not rows:
            return None
        r = rng.choice(rows)
        r["phone"] = wr.Raw(r["phone"][:-1])
    elif kind == "wrong_folder":
        others = [c for c in colleagues if c != form.folder]
        if not others:
            return None
        folder = rng.choice(others)
    return bad, folder, kind


def _noise(rng: random.Random, name: str, person: str, when: datetime) -> tuple[str, bytes]:
    kind = rng.randrange(3)
    if kind == 0:  # Excel's owner file while the workbook is open
        user = person.encode()[:53]
        body = bytes([len(user)]) + user + b" " * (53 - len(user)) + bytes(108)
        return "~${name}", body[:162]
    if kind == 1:  # LibreOffice's lock file
        text = f"{person},{person.lower()},PC-{person},{when:%d.%m.%Y %H:%M},file:///home/{person.lower()}/.config/libreoffice/4;"
        return f".~lock.{name}#", text.encode()
    return f"~WRL{rng.randrange(1, 9999):04d}.tmp", rng.randbytes(2048)


def plan_drops(world: World, config: Config, seed: int, *, lo_allowed: bool, xls_allowed: bool) -> list[Drop]:
    """Every file to drop, in time order, with its expected outcome."""
    rng = random.Random(f"{seed}:drops")
    styles: dict[str, wr.Style] = {}
    by_region: dict[str, list[str]] = {}
    for r in config.reps:
        by_region.setdefault(r.region, []).append(r.id)
    region_of = {r.id: r.region for r in config.reps}
    first_register: set[str] = set()
    tried: dict[str, int] = {}
    drops: list[Drop] = []
    seq = 0

    def add(**kw: Any) -> Drop:
        nonlocal seq
        seq += 1
        d = Drop(seq=seq, **kw)
        drops.append(d)
        return d

    for form in world.forms:
        if form.person not in styles:
            st = wr.draw_style(random.Random(f"{seed}:style:{form.person}"), lo_allowed)
            if st.fmt == "xls" and not xls_allowed:
                st = wr.Style(**{**st.__dict__, "fmt": "xlsx"})
            styles[form.person] = st
        style = wr.vary(styles[form.person], rng, lo_allowed)
        if style.fmt == "xls" and not xls_allowed:
            style = wr.Style(**{**style.__dict__, "fmt": "xlsx"})
        meta = {"form_key": form.form, "person": form.person, "period": form.period}
        t = form.received
        is_first_register = form.form == "customer_register" and form.person not in first_register
        if form.form == "customer_register":
            first_register.add(form.person)
        if form.folder not in ("hq",) and not is_first_register and rng.random() < 0.05:
            nth = tried.get(form.form, 0)
            broken = _break(form, rng, world, by_region.get(region_of.get(form.person, ""), []), nth)
            tried[form.form] = nth + 1
            if broken is not None:
                bad, folder, kind = broken
                add(
                    folder=folder,
                    received=t,
                    expected="rejected",
                    form=bad,
                    style=style,
                    mistake=kind,
                    **meta,
                )
                t = min(t + timedelta(minutes=rng.randrange(10, 90)), t.replace(hour=23, minute=59, second=0))
        d = add(folder=form.folder, received=t, expected="accepted", form=form, style=style, **meta)
        roll = rng.random()
        if roll < 0.01:
            add(folder=form.folder, received=t + timedelta(minutes=rng.randrange(1, 30)), expected="duplicate",
                copy_of=d.seq, form=form, style=style, mistake="same file twice", **meta)  # fmt: skip
        elif roll < 0.02 and form.form == "visit_report" and form.rows:
            again = copy.copy(form)
            again.rows = [dict(x) for x in form.rows]
            again.rows[-1]["feedback"] = (
                "补充：客户要求下周再报价" if form.lang == "zh" else "added: wants a new quote next week"
            )
            when = min(t + timedelta(minutes=rng.randrange(30, 120)), t.replace(hour=23, minute=59, second=0))
            add(folder=form.folder, received=when, expected="accepted", form=again, style=style, mistake="resent with an edit", **meta)  # fmt: skip
        if rng.random() < 0.035:
            name, body = _noise(rng, "{name}", form.person, t)
            add(folder=form.folder, received=t + timedelta(seconds=rng.randrange(1, 50)), expected="ignored", noise=body,
                name_hint=name, mistake="lock or temp file", form_key=None, person=form.person, period="", beside=d.seq)  # fmt: skip
    drops.sort(key=lambda x: (x.received, x.seq))
    return drops
