"""The demo generator: deterministic, realistic, and honest about the mistakes it plants."""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from automation.demo import company as co
from automation.demo.generator import build_world, counts, generate, read_manifest

END = date(2026, 11, 23)
MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-\d{7,8}")


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("small")
    res = generate(out, "small", seed=7, end=END)
    return res


def test_same_seed_same_manifest_and_bytes(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    again = generate(tmp_path / "again", "small", seed=7, end=END)
    assert again.manifest_path.read_bytes() == small.manifest_path.read_bytes()
    assert _digest(again.drops) == _digest(small.drops)


def test_other_seed_other_company(tmp_path: Path) -> None:
    _, w7 = build_world("small", 7, END)
    _, w8 = build_world("small", 8, END)
    assert [c.name for c in w7.customers[:50]] != [c.name for c in w8.customers[:50]]


def test_small_company_is_the_repo_config(small) -> None:  # type: ignore[no-untyped-def]
    from automation.core.config import load_config

    cfg = load_config(small.config_path)
    assert [r.id for r in cfg.regions] == ["east", "south", "north"]
    assert [r.id for r in cfg.reps] == [f"R{i:03d}" for i in range(1, 13)]
    assert [s.id for s in cfg.supervisors] == ["S01", "S02", "S03"]
    # go-live moved up to the first simulated day, never earlier than the configured one
    assert min(r.go_live for r in cfg.reps) == date(2026, 10, 27)
    assert cfg.rep("R008").go_live == date(2026, 11, 2)


def test_sizes_of_the_small_company(small) -> None:  # type: ignore[no-untyped-def]
    w = small.world
    assert 540 <= len(w.customers) <= 700
    assert len({c.name for c in w.customers}) == len(w.customers)  # names resolve to one customer
    visits = sum(len(d.visits) for d in w.days)
    assert 900 <= visits <= 1600
    days = {d.day for d in w.days}
    assert min(days) >= date(2026, 10, 27) and max(days) == END
    assert all(d.isoweekday() <= 5 for d in days)


def test_credit_codes_and_phones_valid(small) -> None:  # type: ignore[no-untyped-def]
    codes = [c.credit_code for c in small.world.customers if c.credit_code]
    assert len(codes) > 300
    assert all(co.credit_code_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)
    phones = [c.phone for c in small.world.customers]
    assert all(MOBILE.fullmatch(p) or LANDLINE.fullmatch(p) for p in phones)
    assert sum(bool(LANDLINE.fullmatch(p)) for p in phones) > 10


def test_credit_check_character_matches_real_codes() -> None:
    # published codes of real companies (Xiaomi, Tencent) and the GB 32100 example
    for code in ("91110108551385082Q", "91440300708461136T", "91350100M000100Y43"):
        assert co.credit_check_char(code[:17]) == code[17]
    assert not co.credit_code_valid("91110108551385082A")
    assert not co.credit_code_valid("9111010855138508")


def _kind(path: Path) -> str:
    head = path.read_bytes()[:8]
    if head.startswith(b"PK"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"\xef\xbb\xbf"):
        return "csv-utf8"
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return "csv-gbk"
    return "other"


def test_every_form_language_and_format_present(small) -> None:  # type: ignore[no-untyped-def]
    entries = small.entries
    forms = {e["form"] for e in entries if e["form"]}
    assert forms == {"customer_register", "visit_plan", "visit_report", "market_report", "complaint",
                     "weekly_report", "targets"}  # fmt: skip
    assert {e["lang"] for e in entries if e["lang"]} == {"zh", "en"}
    for form in ("visit_report", "visit_plan", "customer_register"):
        assert {e["lang"] for e in entries if e["form"] == form} == {"zh", "en"}
    kinds = Counter(_kind(small.drops / e["path"]) for e in entries if e["expected"] != "ignored")
    assert set(kinds) >= {"xlsx", "xls", "csv-utf8", "csv-gbk"}, kinds
    fmts = {e["format"] for e in entries if e["format"]}
    assert {"xlsx", "xlsx-openpyxl", "xls", "csv-utf8", "csv-gbk"} <= fmts


def test_received_time_is_mtime_and_manifest_in_time_order(small) -> None:  # type: ignore[no-untyped-def]
    entries = read_manifest(small.manifest_path)
    times = [datetime.fromisoformat(e["received"]) for e in entries]
    assert times == sorted(times)
    for e, t in zip(entries, times, strict=True):
        assert os.path.getmtime(small.drops / e["path"]) == pytest.approx(t.timestamp())
    late = [t for e, t in zip(entries, times, strict=True) if e["form"] == "visit_report" and t.hour >= 20]
    assert len(late) >= 5


def test_mistakes_present_with_expected_outcomes(small) -> None:  # type: ignore[no-untyped-def]
    entries = small.entries
    tally = counts(entries)
    assert sum(tally.values()) == len(entries)
    assert tally["rejected"] >= 10 and tally["duplicate"] >= 2 and tally["ignored"] >= 5
    kinds = {e["mistake"] for e in entries if e["expected"] == "rejected"}
    assert kinds >= {"required", "bad_date", "unknown_customer", "choice", "bad_phone", "wrong_folder"}
    for i, e in enumerate(entries):
        if e["expected"] == "rejected":  # a corrected form follows from the same person
            fix = [
                f for f in entries[i + 1 :]
                if f["expected"] == "accepted" and f["form"] == e["form"] and f["rep"] == e["rep"]
                and f["period"] == e["period"]
            ]  # fmt: skip
            assert fix, e
            if e["mistake"] == "wrong_folder":
                assert e["folder"] != e["rep"] and fix[0]["folder"] == e["rep"]
        if e["expected"] == "duplicate":
            same = [
                f
                for f in entries[:i]
                if (small.drops / f["path"]).read_bytes() == (small.drops / e["path"]).read_bytes()
            ]
            assert same and same[0]["expected"] == "accepted"
        if e["expected"] == "ignored":
            assert re.match(r"(~\$|\.~lock\.|~WRL\d{4}\.tmp)", Path(e["path"]).name), e
    # some days have no report at all
    assert sum(not d.reported for d in small.world.days) >= 1


def test_rejected_forms_really_are_wrong(small) -> None:  # type: ignore[no-untyped-def]
    """The intake sees what the manifest says: the planted mistake is in the file."""
    from automation.core.config import load_config
    from automation.core.formspec import load_specs
    from automation.intake import read_submission

    cfg = load_config(small.config_path)
    specs = load_specs(cfg)
    for e in small.entries:
        if e["mistake"] == "bad_date":
            sub = read_submission(small.drops / e["path"], cfg, specs, folder=e["folder"])
            key = "report_date" if e["form"] == "visit_report" else "plan_date"
            assert sub.info[key].issue == "invalid-date", e
        if e["mistake"] == "choice":
            sub = read_submission(small.drops / e["path"], cfg, specs, folder=e["folder"])
            assert any(c.issue == "invalid-choice" for r in sub.rows for c in r.cells.values()), e


def test_visit_rules_hold_in_the_facts(small) -> None:  # type: ignore[no-untyped-def]
    for day in small.world.days:
        for v in day.visits:
            if v["order_amount"]:
                assert v["outcome"] == "deal" and v["gross_margin"] <= v["order_amount"]
            if v["quoted"]:
                assert v["quote_amount"]
            if v["next_visit"]:
                assert v["next_visit"] > day.day
