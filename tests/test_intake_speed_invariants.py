"""The shortcuts intake takes for speed give the answers of the plain code they replace.

Each test pins one shortcut against its reference: the CSV delimiter guess against ``csv.Sniffer``,
the one-pass header match against the per-form one, the bytes handed in by the caller against a
read of the file, the cached rep-id map against a change of the configured reps, the memoised
zip prologues against a fresh inflate, the content types read from the archive bytes against
``ZipFile.read``, and the sheet-extent bound against the exact scan.
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


# ----- content types read straight from the archive bytes (sniff) -------------------------------


def _reference_sniff_zip(data: bytes) -> tuple[str, str]:
    """sniff_zip as it was: every content type read through ``ZipFile.read``."""
    from automation.intake.sniff import _MAX_CONTENT_TYPES, ODS_MIME, _kind_of

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        return "file-corrupt", f"broken zip: {exc}"
    names = set(z.namelist())
    try:
        if "mimetype" in names and z.getinfo("mimetype").file_size <= 200:
            mime = z.read("mimetype").decode("ascii", "replace").strip()
            return ("ods", "") if mime in (ODS_MIME, ODS_MIME + "-template") else ("not-a-spreadsheet", mime)
        if "[Content_Types].xml" in names:
            if z.getinfo("[Content_Types].xml").file_size > _MAX_CONTENT_TYPES:
                return "unsafe-content", "oversized [Content_Types].xml"
            return _kind_of(z.read("[Content_Types].xml"))
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, NotImplementedError) as exc:
        return "file-corrupt", f"broken zip member: {exc}"
    except zlib.error as exc:
        return "file-corrupt", f"broken zip member: {exc}"
    return "not-a-spreadsheet", "zip archive without a workbook"


def _office_zip(content_types: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


_CT_XLSX = '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([_CT_XLSX, _CT_XLSX.replace("sheet.main", "sheet.binary"), "<Types/>"]),
    st.lists(st.tuples(st.integers(0, 400), st.integers(1, 255)), max_size=3),
)
def test_content_types_read_from_the_bytes_answer_as_zipfile_read(
    ct: str, flips: list[tuple[int, int]]
) -> None:
    """Damaged anywhere (local header, name, flags, compressed bytes, CRC, directory): the same answer."""
    from automation.intake.sniff import sniff_zip

    data = bytearray(_office_zip(ct))
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    raw = bytes(data)
    for _ in range(2):  # the second time from the memo
        got = sniff_zip(raw)
        assert (got.kind, got.detail) == _reference_sniff_zip(raw)


# ----- sheet extents: the bound for a sheet within row 999 / column ZZ ------------------------------

_REF_CELLS = st.tuples(
    st.sampled_from(["", "A", "Z", "AB", "ZZ", "AAA", "XFD"]),
    st.sampled_from(["1", "9", "42", "999", "1000", "0007", "1048576"]),
    st.sampled_from([" ", " ", " ", "\n", "\t"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_REF_CELLS, max_size=12))
def test_sheet_extent_bound_decides_as_the_exact_scan(refs: list[tuple[str, str, str]]) -> None:
    body = "".join(f'<c{blank}r="{col}{row}"><v>1</v></c>' for col, row, blank in refs)
    xml = f'<?xml version="1.0"?>\n<worksheet><sheetData><row r="1">{body}</row></sheetData></worksheet>'.encode()
    exact = sf._scan_stream(io.BytesIO(xml))
    fast = sf._scan_whole(xml)
    if fast[0] == sf.FITS:  # the bound stands for an extent within it
        (r, c), _ = exact
        assert r <= sf.FITS[0] and c <= sf.FITS[1] and fast[1] == exact[1]
        assert (r * c <= sf.MAX_DENSE_CELLS) == (sf.FITS[0] * sf.FITS[1] <= sf.MAX_DENSE_CELLS)
    else:
        assert fast == exact


def test_sheet_scan_of_a_zip_is_kept_by_its_compressed_bytes() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet><c r="B7"/><c r="XFD3"/></worksheet>')
        z.writestr("xl/worksheets/sheet2.xml", '<!DOCTYPE x [<!ENTITY e "x">]><worksheet/>')
    data = buf.getvalue()
    z = zipfile.ZipFile(io.BytesIO(data))
    first = [sf._scan_sheet(z, i, data) for i in z.infolist()]
    assert first[0] == ((7, 16384), None) and first[1][1] is not None
    assert [sf._scan_sheet(z, i, data) for i in z.infolist()] == first
    assert [sf._scan_sheet(z, i) for i in z.infolist()] == first  # streamed through zipfile
