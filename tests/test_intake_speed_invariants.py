"""The shortcuts intake takes for speed give the answers of the plain code they replace.

Each test pins one shortcut against its reference: the CSV delimiter guess against ``csv.Sniffer``,
the one-pass header match against the per-form one, the bytes handed in by the caller against a
read of the file, the cached rep-id map against a change of the configured reps, and the memoised
zip prologues against a fresh inflate.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
import zlib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.config import Rep
from automation.intake import read_submission
from automation.intake import safety as sf
from automation.intake.layout import _label_index, _match_all, _match_row, labels_for
from automation.intake.readers import _Sniffer

DATA = Path(__file__).resolve().parent / "data"

_CSV_CHARS = st.sampled_from(list(",;\t \n\"'ab1.:|客\r"))


@settings(max_examples=400, deadline=None)
@given(st.text(_CSV_CHARS, max_size=400), st.sampled_from([",\t;", ",;", ";", None]))
def test_delimiter_guess_is_the_standard_sniffers(sample: str, delimiters: str | None) -> None:
    def guess(sniffer: csv.Sniffer) -> Any:
        try:
            return sniffer._guess_delimiter(sample, delimiters)  # type: ignore[attr-defined]
        except Exception as exc:  # the same failure counts as the same answer
            return repr(exc)

    assert guess(_Sniffer()) == guess(csv.Sniffer())


@settings(max_examples=200, deadline=None)
@given(st.text(_CSV_CHARS, min_size=1, max_size=400))
def test_sniffed_dialect_is_the_standard_sniffers(sample: str) -> None:
    def dialect(sniffer: csv.Sniffer) -> Any:
        try:
            d = sniffer.sniff(sample, delimiters=",\t;")
        except csv.Error as exc:
            return repr(exc)
        return (d.delimiter, d.quotechar, d.doublequote, d.skipinitialspace)

    assert dialect(_Sniffer()) == dialect(csv.Sniffer())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_pass_header_match_equals_matching_each_form(specs, data: st.DataObject) -> None:
    table = labels_for(specs)
    candidates = list(table.values())
    words = sorted({t for fl in candidates for f in fl.form.fields for t in f.labels()})
    cell = st.one_of(
        st.none(),
        st.floats(allow_nan=False),
        st.sampled_from(words),
        st.builds(lambda a, b: f"{a} / {b}", st.sampled_from(words), st.sampled_from(words)),
        st.builds(lambda a: f"{a}*", st.sampled_from(words)),
        st.text(max_size=6),
    )
    row = data.draw(st.lists(cell, max_size=20))
    together = _match_all(row, _label_index(table), len(candidates))
    assert together == [_match_row(row, fl) for fl in candidates]


def test_bytes_handed_in_read_like_the_file(config, specs) -> None:
    files = [
        "visit_report_openpyxl_zh.xlsx",
        "visit_report_libreoffice.xls",
        "visit_report_libreoffice.ods",
        "visit_report_gbk.csv",
        "truncated.xlsx",
        "xxe.xlsx",
        "photo_renamed.xlsx",
    ]
    for name in files:
        path = DATA / name
        raw = path.read_bytes()
        plain = read_submission(path, config, specs, folder="R004")
        handed = read_submission(path, config, specs, folder="R004", data=raw)
        assert handed == plain, name
        assert handed.sha256 == hashlib.sha256(raw).hexdigest() and handed.size == len(raw)
        given_sha = read_submission(path, config, specs, folder="R004", data=raw, sha256="ab" * 32)
        assert given_sha.sha256 == "ab" * 32


def _with_rep_id(tmp_path: Path, rep_id: str) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["销售员编号", rep_id])
    ws.append(["客户", "拜访目的", "洽谈结果"])
    ws.append(["华东机械", "新客户开发", "有意向"])
    out = tmp_path / "form.xlsx"
    wb.save(out)
    return out


def test_rep_id_map_follows_the_configured_reps(tmp_path: Path, config, specs) -> None:
    path = _with_rep_id(tmp_path, "ｚｘ９")  # full-width: matched after folding
    assert read_submission(path, config, specs).info["rep_id"].value == "ｚｘ９"  # not a rep yet
    template = config.reps[0]
    config.reps.append(template.model_copy(update={"id": "ZX9"}))  # the same list, one more rep
    assert read_submission(path, config, specs).info["rep_id"].value == "ZX9"
    config.reps[-1] = template.model_copy(update={"id": "zx9"})  # replaced in place
    assert read_submission(path, config, specs).info["rep_id"].value == "zx9"
    other = config.model_copy(deep=True)
    other.reps = [r for r in other.reps if r.id.lower() != "zx9"]
    assert read_submission(path, other, specs).info["rep_id"].value == "ｚｘ９"
    assert isinstance(template, Rep)


def test_memoised_prologues_are_the_inflated_bytes() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", '<?xml version="1.0"?>\n<root>' + "x" * 3000 + "</root>")
        z.writestr("b.xml", '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>')
    data = buf.getvalue()
    z = zipfile.ZipFile(io.BytesIO(data))
    for info in z.infolist():
        for n in (1024, sf.PROLOGUE_BYTES):
            want = zlib.decompressobj(-15).decompress(_raw(data, info), n)
            assert sf._peek(data, info, n) == want
            assert sf._peek(data, info, n) == want  # from the memo the second time
    first = sf.scan_zip(z, 50, data)
    assert first.problem == "unsafe-content" and "b.xml" in first.detail
    assert sf.scan_zip(z, 50, data) == first


def _raw(data: bytes, info: zipfile.ZipInfo) -> bytes:
    import struct

    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    return data[start : start + info.compress_size]
