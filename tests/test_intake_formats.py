"""Every accepted format, told apart by its bytes, reads to the same submission with exact cells."""

from __future__ import annotations

import hashlib
import shutil
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from automation.intake import read_submission
from automation.intake.sniff import sniff

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))
import make_fixtures as fx  # noqa: E402

# the same form saved by four programs in four formats
SAME_FORM = [
    ("visit_report_openpyxl_zh.xlsx", "xlsx"),
    ("visit_report_libreoffice_roundtrip.xlsx", "xlsx"),
    ("visit_report_libreoffice.xls", "xls"),
    ("visit_report_libreoffice.ods", "ods"),
    ("visit_report_libreoffice.xlsm", "xlsm"),
]


def _values(sub):  # type: ignore[no-untyped-def]
    return [
        (r.number, {k: (c.value, c.ref) for k, c in r.cells.items() if c.value is not None}) for r in sub.rows
    ]


@pytest.mark.parametrize(("name", "fmt"), SAME_FORM)
def test_same_form_in_every_format_reads_the_same(name: str, fmt: str, config, specs) -> None:
    sub = read_submission(DATA / name, config, specs, folder="R001")
    assert sub.file_format == fmt
    assert sub.form == "visit_report" and sub.version == "1.0" and sub.language == "zh"
    assert sub.sheet == "每日销售报告表" and sub.header_row == 5
    assert sub.issues == []
    assert sub.info["rep_id"].value == "R001" and sub.info["rep_id"].ref == "B2"
    assert sub.info["report_date"].value == date(2026, 11, 23) and sub.info["report_date"].ref == "E2"
    assert sub.info["attendance"].value == "present"
    reference = read_submission(DATA / "visit_report_openpyxl_zh.xlsx", config, specs)
    assert _values(sub) == _values(reference)
    first = sub.rows[0].cells
    assert (first["customer"].value, first["customer"].ref) == ("华东机械厂", "A6")
    assert first["gross_margin"].value == Decimal("2500.50") and first["gross_margin"].ref == "H6"
    assert first["next_visit"].value == date(2026, 11, 30) and first["next_visit"].ref == "N6"
    assert sub.rows[1].cells["complaint"].value == "NA"  # "NA" stays text
    assert sub.rows[2].cells["feedback"].value == "None"


def test_reference_form_rows_match_what_was_typed(config, specs) -> None:
    sub = read_submission(DATA / "visit_report_openpyxl_zh.xlsx", config, specs)
    assert [r.number for r in sub.rows] == [6, 7, 8]
    assert [r.value("outcome") for r in sub.rows] == ["deal", "follow_up", "interested"]
    assert [r.value("met_decision_maker") for r in sub.rows] == [True, False, True]
    assert sub.rows[1].cells["expense"].value == Decimal("80.25")
    assert sub.columns["next_step"] == 15 and sub.extra_columns == []


def test_sha256_and_size_are_of_the_original_bytes(config, specs) -> None:
    path = DATA / "visit_report_libreoffice.xls"
    sub = read_submission(path, config, specs)
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sub.size == path.stat().st_size


def test_xlsxwriter_english_form(config, specs) -> None:
    sub = read_submission(DATA / "visit_report_xlsxwriter_en.xlsx", config, specs)
    assert (sub.form, sub.language, sub.version, sub.sheet) == ("visit_report", "en", None, "Report")
    assert sub.info["rep_id"].value == "R004" and sub.info["rep_id"].ref == "A2"  # "Rep ID: R004"
    assert sub.info["report_date"].ref == "D2"  # "Report date:" then the value
    assert sub.info["attendance"].value == "travelling"  # full-width colon
    assert [r.value("purpose") for r in sub.rows] == ["new_customer", "collection"]


@pytest.mark.parametrize(
    "name", ["visit_report_gbk.csv", "visit_report_utf8_bom.csv", "visit_report_semicolon_utf8.csv",
             "visit_report_unicode_text.txt"]
)  # fmt: skip
def test_csv_in_every_encoding_and_delimiter(name: str, config, specs) -> None:
    sub = read_submission(DATA / name, config, specs)
    assert sub.file_format == "csv" and sub.form == "visit_report" and sub.language == "zh"
    assert sub.issues == []
    assert sub.info["rep_id"].value == "R001" and sub.info["rep_id"].ref == "B1"
    assert sub.info["report_date"].value == date(2026, 11, 23)
    assert sub.header_row == 3
    assert [r.number for r in sub.rows] == [4, 5]
    row = sub.rows[0].cells
    assert row["order_amount"].value == Decimal("10000.00") and row["order_amount"].ref == "D4"
    assert row["next_visit"].value == date(2026, 11, 30)  # "11/30" in the form's year


def test_gbk_csv_is_really_gbk() -> None:
    raw = (DATA / "visit_report_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gbk").startswith("销售员编号")


def test_format_comes_from_bytes_not_extension(tmp_path: Path, config, specs) -> None:
    xlsx_as_csv = tmp_path / "report.csv"
    shutil.copy(DATA / "visit_report_openpyxl_zh.xlsx", xlsx_as_csv)
    csv_as_xls = tmp_path / "report.xls"
    shutil.copy(DATA / "visit_report_gbk.csv", csv_as_xls)
    ods_as_xlsx = tmp_path / "report.xlsx"
    shutil.copy(DATA / "visit_report_libreoffice.ods", ods_as_xlsx)
    assert read_submission(xlsx_as_csv, config, specs).file_format == "xlsx"
    assert read_submission(csv_as_xls, config, specs).file_format == "csv"
    sub = read_submission(ods_as_xlsx, config, specs)
    assert sub.file_format == "ods" and sub.form == "visit_report"


def test_1904_date_system(config, specs) -> None:
    sub = read_submission(DATA / "visit_report_1904_dates.xlsx", config, specs)
    assert sub.info["report_date"].value == date(2026, 11, 23)
    assert sub.rows[0].cells["next_visit"].value == date(2026, 11, 30)
    # a serial number typed in a date column counts from 1904-01-01 in a 1904 workbook
    assert sub.rows[1].cells["next_visit"].value == date(2027, 3, 16)


def test_cell_coordinates_when_the_sheet_starts_far_from_A1(tmp_path: Path, config, specs) -> None:
    """calamine's to_python() starts at the first used cell; our coordinates must not."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["D7"], ws["E7"], ws["F7"] = "客户", "拜访目的", "洽谈结果"
    ws["D8"], ws["E8"], ws["F8"] = "上海精工", "服务", "成交"
    ws["C4"] = "销售员编号：R003"
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    sub = read_submission(path, config, specs)
    assert sub.header_row == 7 and sub.columns == {"customer": 4, "purpose": 5, "outcome": 6}
    assert sub.rows[0].cells["outcome"].ref == "F8"
    assert sub.info["rep_id"].ref == "C4"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("empty.xlsx", "file-empty"),
        ("truncated.xlsx", "file-corrupt"),
        ("photo_renamed.xlsx", "not-a-spreadsheet"),
        ("password_protected.xlsx", "password-protected"),
        ("unknown_form.xlsx", "unknown-form"),
    ],
)
def test_file_level_rejections(name: str, code: str, config, specs) -> None:
    sub = read_submission(DATA / name, config, specs, folder="R001")
    assert [i.code for i in sub.issues] == [code]
    issue = sub.issues[0]
    assert issue.cell is None and issue.severity == "error" and issue.params["file"] == name
    assert sub.form is None and sub.rows == []
    assert len(sub.sha256) == 64


def test_password_protected_file_is_an_encrypted_ole2_package() -> None:
    raw = (DATA / "password_protected.xlsx").read_bytes()
    assert raw.startswith(b"\xd0\xcf\x11\xe0")
    assert sniff(raw).kind == "password-protected"


def test_word_document_and_pdf_are_not_spreadsheets(tmp_path: Path, config, specs) -> None:
    docx = tmp_path / "report.xlsx"
    with fx.zipfile.ZipFile(docx, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("word/document.xml", "<w:document/>")
    pdf = tmp_path / "scan.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    for path in (docx, pdf):
        assert [i.code for i in read_submission(path, config, specs).issues] == ["not-a-spreadsheet"]


def test_csv_in_an_unreadable_encoding(tmp_path: Path, config, specs) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes("客戶,拜訪目的,洽談結果\n上海,服務,成交\n".encode("big5"))
    sub = read_submission(path, config, specs)
    assert [i.code for i in sub.issues] == ["csv-encoding"]
    assert sub.file_format == "csv"


def test_only_whitespace_is_an_empty_file(tmp_path: Path, config, specs) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\xef\xbb\xbf \r\n\r\n")
    assert [i.code for i in read_submission(path, config, specs).issues] == ["file-empty"]


def test_encrypted_legacy_xls_is_password_protected(tmp_path: Path, config, specs) -> None:
    path = tmp_path / "report.xls"
    fx.make_xls_with_filepass(path)
    sub = read_submission(path, config, specs)
    assert [i.code for i in sub.issues] == ["password-protected"]
    assert sub.file_format == "xls"


def test_a_zip_with_encrypted_members_is_password_protected_not_a_fault(
    tmp_path: Path, config, specs
) -> None:
    """A password-protected zip renamed .xlsx (WinRAR, 7-Zip): zipfile cannot read a member and
    raised RuntimeError, which intake let through as a fault of ours. It is the rep's to fix."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(buf.getvalue())
    for magic, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # the encryption bit, everywhere
        at = data.find(magic)
        while at >= 0:
            data[at + flags] |= 1
            at = data.find(magic, at + 4)
    path = tmp_path / "日报.xlsx"
    path.write_bytes(bytes(data))
    sub = read_submission(path, config, specs)
    assert [i.code for i in sub.issues] == ["password-protected"]
    assert sniff(bytes(data)).kind == "password-protected"


def test_unreadable_file_speaks_the_language_of_the_folders_owner(config, specs) -> None:
    assert config.rep("R004").language == "en"
    assert read_submission(DATA / "truncated.xlsx", config, specs, folder="R004").language == "en"
    assert read_submission(DATA / "truncated.xlsx", config, specs, folder="R001").language == "zh"
    assert read_submission(DATA / "truncated.xlsx", config, specs).language == config.language
