"""Hostile and oversized files are rejected before a parser can be hurt, within bounded memory.

Memory is measured in a fresh subprocess (its own peak RSS, ``VmHWM``), not wall time: the
bound that matters on a back-office PC is that a 30 KB file cannot take gigabytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from automation.intake import read_submission

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))
import make_fixtures as fx  # noqa: E402  (tests/data/make_fixtures.py builds the hostile files)

ROOT = Path(__file__).resolve().parents[1]
PEAK_LIMIT_MB = 200

# The child's own peak: /proc's VmHWM (this process image's high-water mark), not ru_maxrss, which
# Linux carries over from the parent at fork and exec (a test that once used memory in the pytest
# process would fail the next one's bound).
_CHILD = """
import json, resource, sys, time
def peak_kb():
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from automation.core.config import load_config
from automation.core.formspec import load_specs
from automation.intake import read_submission
cfg = load_config(sys.argv[2]); specs = load_specs(cfg)
base = peak_kb()
t = time.perf_counter()
sub = read_submission(sys.argv[1], cfg, specs)
took = time.perf_counter() - t
peak = peak_kb()
print(json.dumps({"codes": [i.code for i in sub.issues], "form": sub.form, "rows": len(sub.rows),
                  "base_mb": base / 1024, "peak_mb": peak / 1024, "seconds": took}))
"""


def read_in_child(path: Path) -> dict:
    """Read ``path`` in a fresh interpreter; its peak RSS includes Python and the libraries (~60 MB)."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(ROOT / "config.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, f"reader process died (exit {out.returncode}): {out.stderr[-2000:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_zip_bomb_is_rejected_unread_in_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "visit_report.xlsx"
    fx.make_zip_bomb(bomb, unpacked_mb=400)
    assert bomb.stat().st_size < 2 * 1024 * 1024  # a small file on disk ...
    res = read_in_child(bomb)  # ... that would unpack to 400 MB
    assert res["codes"] == ["file-too-large"]
    assert res["peak_mb"] < PEAK_LIMIT_MB
    assert res["peak_mb"] - res["base_mb"] < 50
    assert res["seconds"] < 1.0


def test_ratio_bomb_under_the_unpacked_cap_is_unsafe(tmp_path: Path, config, specs) -> None:
    bomb = tmp_path / "visit_report.xlsx"
    fx.make_zip_bomb(bomb, unpacked_mb=100)  # below max_unpacked_mb (150) but ~1000x compressed
    res = read_in_child(bomb)
    assert res["codes"] == ["unsafe-content"]
    assert res["peak_mb"] < PEAK_LIMIT_MB
    sub = read_submission(bomb, config, specs)
    assert "expands" in sub.issues[0].params["value"]


@pytest.mark.parametrize("name", ["billion_laughs.xlsx", "xxe.xlsx"])
def test_entity_payloads_are_unsafe_content(name: str) -> None:
    res = read_in_child(DATA / name)
    assert res["codes"] == ["unsafe-content"]
    assert res["form"] is None
    assert res["peak_mb"] < PEAK_LIMIT_MB
    assert res["seconds"] < 1.0


def test_entity_payload_names_the_part(config, specs) -> None:
    sub = read_submission(DATA / "xxe.xlsx", config, specs)
    assert sub.issues[0].params["value"].startswith("xl/workbook.xml")
    assert sub.issues[0].cell is None


def test_silly_dimension_tag_is_still_read_in_bounded_memory() -> None:
    assert b"XFD1048576" in fx.zipfile.ZipFile(DATA / "visit_report_silly_dimension.xlsx").read(
        "xl/worksheets/sheet1.xml"
    )
    res = read_in_child(DATA / "visit_report_silly_dimension.xlsx")
    assert res["codes"] == []
    assert res["form"] == "visit_report" and res["rows"] == 3
    assert res["peak_mb"] < PEAK_LIMIT_MB
    assert res["seconds"] < 1.0


def test_a_value_in_XFD1048576_does_not_abort_the_process_and_the_form_is_read() -> None:
    # calamine alone allocates 1048576 x 16384 cells for this sheet and aborts (Rust OOM)
    res = read_in_child(DATA / "visit_report_far_value.xlsx")
    assert res["form"] == "visit_report" and res["rows"] == 3
    assert res["codes"] == []
    assert res["peak_mb"] < PEAK_LIMIT_MB
    assert res["seconds"] < 1.0


def test_far_value_form_keeps_exact_cells(config, specs) -> None:
    sub = read_submission(DATA / "visit_report_far_value.xlsx", config, specs)
    assert sub.info["report_date"].ref == "E2"
    assert [r.number for r in sub.rows] == [6, 7, 8]
    assert sub.rows[0].cells["gross_margin"].ref == "H6"
    assert str(sub.rows[0].cells["gross_margin"].value) == "2500.50"


def test_file_over_the_size_cap_is_rejected_before_reading(tmp_path: Path, config, specs) -> None:
    big = tmp_path / "big.xlsx"
    fx.make_large_file(big, 3)
    config.intake.max_file_mb = 2
    sub = read_submission(big, config, specs)
    assert [i.code for i in sub.issues] == ["file-too-large"]
    assert sub.issues[0].params["limit"] == "2.0 MB"
    assert sub.size == big.stat().st_size and len(sub.sha256) == 64


def test_too_many_rows(tmp_path: Path, config, specs) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户", "拜访目的", "洽谈结果"])
    for i in range(30):
        ws.append([f"客户{i}", "服务", "成交"])
    path = tmp_path / "many.xlsx"
    wb.save(path)
    config.intake.max_rows = 20
    sub = read_submission(path, config, specs)
    assert [i.code for i in sub.issues] == ["too-many-rows"]
    assert sub.issues[0].params["value"] == 30 and sub.issues[0].params["limit"] == 20
    assert len(sub.rows) == 20


def test_corrupt_member_inside_a_valid_zip(tmp_path: Path, config, specs) -> None:
    """A zip whose sheet's deflate stream is damaged (a copy cut short and padded) is file-corrupt."""
    raw = bytearray((DATA / "visit_report_openpyxl_zh.xlsx").read_bytes())
    z = fx.zipfile.ZipFile(DATA / "visit_report_openpyxl_zh.xlsx")
    info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 10, start + info.compress_size - 5):
        raw[k] = 0xFF
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(raw))
    sub = read_submission(path, config, specs)
    assert [i.code for i in sub.issues] == ["file-corrupt"]


def test_xls_with_a_value_in_IV65536_is_read_sparse_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "far.xls"
    fx.make_far_value_xls(path)
    res = read_in_child(path)
    assert res["form"] == "visit_report" and res["rows"] == 1
    assert res["peak_mb"] < PEAK_LIMIT_MB
    assert res["peak_mb"] - res["base_mb"] < 60
    assert res["seconds"] < 1.0


def test_ods_repeated_value_bomb_is_rejected_unread(tmp_path: Path, config, specs) -> None:
    path = tmp_path / "visit_report.ods"
    fx.make_ods_repeat_bomb(path)
    assert path.stat().st_size < 64 * 1024
    res = read_in_child(path)
    assert res["codes"] == ["file-too-large"]
    assert res["peak_mb"] < PEAK_LIMIT_MB
    assert res["seconds"] < 1.0
    sub = read_submission(path, config, specs)
    assert sub.issues[0].params["limit"].endswith("cells")


def test_real_ods_with_16384_wide_empty_runs_is_read(config, specs) -> None:
    """LibreOffice pads every row with a 16384-column run of empty cells; that is not a bomb."""
    content = fx.zipfile.ZipFile(DATA / "visit_report_libreoffice.ods").read("content.xml")
    assert b'number-columns-repeated="16' in content
    sub = read_submission(DATA / "visit_report_libreoffice.ods", config, specs)
    assert sub.form == "visit_report" and not sub.issues


def test_far_value_behind_a_newline_before_the_attribute_is_still_seen(tmp_path: Path) -> None:
    """XML allows any blank before an attribute; the fast scan must not be evaded by a newline."""
    base = (DATA / "visit_report_openpyxl_zh.xlsx").read_bytes()
    cell = '<row\nr="1048576"><c\nr="XFD1048576" t="inlineStr"><is><t>z</t></is></c></row>'
    path = tmp_path / "evasive.xlsx"
    path.write_bytes(
        fx.rewrite_part(
            base, "xl/worksheets/sheet1.xml", lambda s: s.replace("</sheetData>", cell + "</sheetData>")
        )
    )
    res = read_in_child(path)
    assert res["form"] == "visit_report" and res["rows"] == 3
    assert res["peak_mb"] < PEAK_LIMIT_MB


_FUZZ_CHILD = """
import os, sys, tempfile
sys.path.insert(0, sys.argv[2])
import make_fixtures as fx
from automation.core.config import load_config
from automation.core.formspec import load_specs
from automation.intake import read_submission
cfg = load_config(sys.argv[3]); specs = load_specs(cfg)
folder = tempfile.mkdtemp()
for i, (name, data) in enumerate(fx.damaged_copies(int(sys.argv[1]), 80)):
    path = os.path.join(folder, f"{i}{os.path.splitext(name)[1]}")
    with open(path, "wb") as fh:
        fh.write(data)
    sub = read_submission(path, cfg, specs)
    assert sub.form is not None or [x.code for x in sub.issues if x.cell is None], (name, sub.issues)
print("OK")
"""


@pytest.mark.parametrize("seed", [1, 2, 6])
def test_damaged_files_never_raise_nor_abort(seed: int) -> None:
    """Flipped bytes and garbled XML give a readable form or a file-level issue; never an exception,
    and never a process abort (run in a child: a Rust allocation failure cannot be caught)."""
    out = subprocess.run(
        [sys.executable, "-c", _FUZZ_CHILD, str(seed), str(DATA), str(ROOT / "config.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("OK")
