"""The shortcuts intake takes for speed give the answers of the plain code they replace.

Each test pins one shortcut against its reference: the CSV delimiter guess against ``csv.Sniffer``,
the one-pass header match against the per-form one, the bytes handed in by the caller against a
read of the file, the cached rep-id map against a change of the configured reps, the memoised
zip prologues against a fresh inflate, the content types read from the archive bytes against
``ZipFile.read``, the sheet-extent bound against the exact scan, the money, date and info-label
memos against their plain functions, the Cells made without ``__init__`` against ``Cell(...)``,
and the content store's descriptor-level copy against what it must keep.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.core.config import Rep
from automation.intake import read_submission
from automation.intake import safety as sf
from automation.intake.layout import _label_index, _match_all, _match_row, labels_for, strip_suffixes
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


# the suffix regex label matching used before issue 14 (it backtracked exponentially on "(元)(元)..."
# and on runs of "*" followed by text); its literal alternatives all fit [^()]{0,12}
_OLD_SUFFIX = re.compile(r"(\*+|:|\((必填|选填|required|optional|元|rmb|¥|yyyy-mm-dd|[^()]{0,12})\))+$")


def _old_strip(f: str) -> str:
    prev = None
    while prev != f:
        prev = f
        f = _OLD_SUFFIX.sub("", f)
    return f


# the labels it strips are folded (formspec.fold): no whitespace, so "$" never meets a final newline
_SUFFIX_TOKENS = st.sampled_from([*"()*:ab元", "(必填)", "(yyyy-mm-dd)", "(rmb)", "(a)"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_SUFFIX_TOKENS, max_size=14).map("".join))
def test_label_suffix_stripping_is_the_old_regexs(text: str) -> None:
    assert strip_suffixes(text) == _old_strip(text)


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
    if any(m.flag_bits & 0x1 for m in z.infolist()):  # (a bug of the old code: it raised)
        return "password-protected", "zip archive with encrypted members"
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
        (r, c), _, _ = exact
        assert r <= sf.FITS[0] and c <= sf.FITS[1] and fast[1:] == exact[1:]
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
    assert first[0] == ((7, 16384), None, []) and first[1][1] is not None
    assert [sf._scan_sheet(z, i, data) for i in z.infolist()] == first
    assert [sf._scan_sheet(z, i) for i in z.infolist()] == first  # streamed through zipfile


# ----- memos of values and labels --------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(["0", "-0", "1,234.50", "¥1.2万", "(12)", "abc", " 3 ", "1e3"]),
        st.text(alphabet="0123456789.,-万元¥ ", max_size=8),
    )
)
def test_money_memo_answers_as_the_plain_parse(raw: Any) -> None:
    from automation.intake import values as va

    def plain() -> Any:
        try:
            return va._parse_money(raw)
        except va.BadValue as exc:
            return exc.code

    def memo() -> Any:
        try:
            return va.parse_money(raw)
        except va.BadValue as exc:
            return exc.code

    want = plain()
    for _ in range(2):
        got = memo()
        assert repr(got) == repr(want)  # repr: -0.00 and 0.00 are equal but not the same value


def test_money_memo_keeps_the_sign_of_zero() -> None:
    from automation.intake.values import parse_money

    assert [repr(parse_money(v)) for v in (0.0, -0.0, 0.0, -0.0)] == [
        "Decimal('0.00')",
        "Decimal('-0.00')",
        "Decimal('0.00')",
        "Decimal('-0.00')",
    ]


def test_date_memo_is_kept_per_form_year() -> None:
    from automation.intake.values import ValueContext, parse_date

    assert parse_date("11/23", ValueContext(year=2026)).year == 2026
    assert parse_date("11/23", ValueContext(year=2025)).year == 2025
    assert parse_date("2026-11-23", ValueContext(year=2025)).year == 2026


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_info_label_memo_answers_as_the_plain_lookup(specs, data: st.DataObject) -> None:
    from automation.intake import layout as lay

    table = lay.labels_for(specs)
    labels = sorted({t for fl in table.values() for f in fl.form.info for t in f.labels()})
    v = data.draw(
        st.one_of(
            st.sampled_from(labels),
            st.builds(
                lambda a, b: f"{a}{b}", st.sampled_from(labels), st.sampled_from(["：R001", ": x", "*", ""])
            ),
            st.text(max_size=6),
            st.none(),
            st.floats(allow_nan=False),
        )
    )
    info = data.draw(st.sampled_from([fl.info for fl in table.values()]))
    want = lay._info_label_of(v, info) if isinstance(v, str) else (None, None, False)
    assert lay._info_label(v, info) == want
    assert lay._info_label(v, info) == want


def test_cells_made_without_init_are_the_cells_init_makes(config, specs) -> None:
    from automation.core.model import Cell

    for name in ("visit_report_openpyxl_zh.xlsx", "visit_report_libreoffice.xls", "visit_report_gbk.csv"):
        sub = read_submission(DATA / name, config, specs, folder="R004")
        assert sub.rows, name
        for row in sub.rows:
            for c in row.cells.values():
                made = Cell(c.raw, c.value, c.sheet, c.row, c.col, c.issue, c.resolved)
                assert c == made and vars(c) == vars(made) and list(vars(c)) == list(vars(made))


# ----- the content store's copy -----------------------------------------------------------------


def test_content_store_copy_keeps_the_bytes_and_leaves_nothing_behind(tmp_path: Path) -> None:
    from automation.core.content_store import ContentStore

    store = ContentStore(tmp_path / "content")
    src = tmp_path / "form.xlsx"
    src.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 300)
    for sync in (False, True):
        got = store.put(src, 1 << 20, sync=sync)
        assert got.data == src.read_bytes() and got.path is not None
        assert got.path.read_bytes() == got.data and got.sha256 == hashlib.sha256(got.data).hexdigest()
        assert got == store.put(src, sync=sync)  # streamed: the same answer
    assert list((tmp_path / "content" / "tmp").iterdir()) == []
    # the temporary folder is created again when it went away
    (tmp_path / "content" / "tmp").rmdir()
    other = tmp_path / "other.csv"
    other.write_bytes(b"a,b\n1,2\n")
    assert store.put(other, 1 << 20, sync=False).path.read_bytes() == b"a,b\n1,2\n"  # type: ignore[union-attr]
    # too large: hashed, not kept
    big = store.put(src, 100, sync=False)
    assert big.path is None and big.data is None and big.size == src.stat().st_size
    # a copy that cannot be placed leaves no temporary file
    third = tmp_path / "third.bin"
    third.write_bytes(b"third")
    digest = hashlib.sha256(b"third").hexdigest()
    (tmp_path / "content" / digest[:2]).write_bytes(b"a file where the folder should be")
    try:
        store.put(third, 1 << 20, sync=False)
    except OSError:
        pass
    else:
        raise AssertionError("placing under a file must fail")
    assert list((tmp_path / "content" / "tmp").iterdir()) == []


# ----- the zip directory read from the bytes ----------------------------------------------------


def _listing(infos: Any) -> list[tuple[Any, ...]]:
    return [
        (
            i.filename,
            i.orig_filename,
            i.file_size,
            i.compress_size,
            i.header_offset,
            i.flag_bits,
            i.compress_type,
            i.CRC,
        )
        for i in infos
    ]


def _sample_zip(comment: bytes = b"", prefix: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT_XLSX)
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet><c r="A1"/></worksheet>')
        z.writestr("docProps/名.xml", "<x/>")  # a UTF-8 name
        with warnings.catch_warnings():  # zipfile warns, as it should: the duplicate is the point
            warnings.simplefilter("ignore", UserWarning)
            z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")  # a name twice: the last one wins
        z.comment = comment
    return prefix + buf.getvalue()


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([b"", b"a comment"]),
    st.sampled_from([b"", b"MZ self-extracting stub"]),
    st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 255)), max_size=3),
)
def test_zip_directory_read_from_the_bytes_is_zipfiles(
    comment: bytes, prefix: bytes, flips: list[tuple[int, int]]
) -> None:
    """Listed as zipfile lists it, or left to zipfile (which then raises or lists it itself)."""
    from automation.intake.zipdir import Archive, _members, open_zip

    data = bytearray(_sample_zip(comment, prefix))
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    raw = bytes(data)
    try:
        want = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as exc:  # noqa: BLE001  (any failure: the fast reader must not list it)
        assert _members(raw) is None
        with pytest.raises(type(exc)):
            open_zip(raw)
        return
    got = open_zip(raw)
    assert _listing(got.infolist()) == _listing(want.infolist())
    assert {k: _listing([v]) for k, v in got.NameToInfo.items()} == {
        k: _listing([v]) for k, v in want.NameToInfo.items()
    }
    if isinstance(got, Archive):  # members read through zipfile, by position
        for m in got.infolist():
            try:
                expected: Any = want.read(
                    m.filename if m is got.NameToInfo[m.filename] else want.filelist[m.index]
                )
            except Exception as exc:  # noqa: BLE001
                expected = type(exc)
            try:
                with got.open(m) as fh:
                    read: Any = fh.read()
            except Exception as exc:  # noqa: BLE001
                read = type(exc)
            assert read == expected
    assert (_members(raw) is None) == (bool(comment) or not isinstance(got, Archive))
