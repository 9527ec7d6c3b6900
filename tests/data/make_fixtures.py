"""Regenerate the intake fixtures in this folder: ``python tests/data/make_fixtures.py``.

Each file is named after what it reproduces and is written by a real program: openpyxl, xlsxwriter,
LibreOffice (``soffice --convert-to``), msoffcrypto-tool (Excel's encryption), Python's codecs for
the GBK/BOM CSVs as Excel on Chinese Windows writes them. Hostile files (bombs) are built at test
time by the ``make_*`` functions below, so the repository does not carry them.

The labels are typed here as a rep sees them (not read from the specs), so a renamed label in the
specs breaks the tests instead of silently following along.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

VISIT_ZH = ["客户", "拜访目的", "洽谈结果", "见到决策人", "已报价", "报价金额", "订货金额", "毛利", "回款金额",
            "费用", "客诉", "竞争者信息", "客户意见", "下次拜访日期", "下一步"]  # fmt: skip
VISIT_EN = ["Customer", "Purpose", "Outcome", "Met decision maker", "Quoted", "Quote amount", "Order amount",
            "Gross margin", "Collected", "Expense", "Complaint", "Competitor news", "Customer feedback",
            "Next visit", "Next step"]  # fmt: skip

# Three visits as a rep types them: the reference values every format must read the same.
VISIT_ROWS: list[list[Any]] = [
    ["华东机械厂", "开发新客户", "成交", "是", "是", 12000, 10000, 2500.5, 0, 150, None, "竞品降价5%", "满意",
     date(2026, 11, 30), "送样"],
    ["C0007", "收款", "需跟进", "否", "否", None, None, None, 8000, 80.25, "NA", None, None, None, "催款"],
    ["上海精工", "服务", "有意向", "是", "是", 5600, None, None, None, None, None, None, "None", date(2026, 12, 2),
     None],
]  # fmt: skip
VISIT_ROWS_EN: list[list[Any]] = [
    ["East Machinery", "new customer", "deal", "Y", "Y", 12000, 10000, 2500.5, 0, 150, None, None, None,
     date(2026, 11, 30), "samples"],
    ["C0007", "collection", "follow-up", "N", "N", None, None, None, 8000, 80.25, None, None, None, None, None],
]  # fmt: skip


def _form_sheet(wb: Any, form: str, version: str, lang: str) -> None:
    ws = wb.create_sheet("_form")
    for r, (k, v) in enumerate((("form", form), ("version", version), ("language", lang)), start=1):
        ws.cell(r, 1, k)
        ws.cell(r, 2, v)
    ws.sheet_state = "hidden"


def visit_report_openpyxl_zh(path: Path) -> None:
    """The template layout: title, info block (label / value cells), header on row 5, _form sheet."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "每日销售报告表"
    ws["A1"] = "每日销售报告表"
    ws.merge_cells("A1:O1")
    ws["A2"], ws["B2"], ws["D2"], ws["E2"] = "销售员编号", "R001", "报告日期", date(2026, 11, 23)
    ws["A3"], ws["B3"], ws["D3"], ws["E3"] = "出勤", "出勤", "今日心得", "客户对新品兴趣大"
    for c, label in enumerate(VISIT_ZH, start=1):
        ws.cell(5, c, label)
    for r, row in enumerate(VISIT_ROWS, start=6):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    _form_sheet(wb, "visit_report", "1.0", "zh")
    wb.save(path)


def visit_report_xlsxwriter_en(path: Path) -> None:
    """English form by xlsxwriter: 'Rep ID: R004' in one cell, two pairs on a row, merged title."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet("Report")
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range("A1:F1", "Daily visit report")
    ws.write("A2", "Rep ID: R004")
    ws.write("C2", "Report date:")
    ws.write_datetime("D2", datetime(2026, 11, 23), datef)
    ws.write("A3", "Attendance：travelling")
    ws.write_row("A5", VISIT_EN)
    for r, row in enumerate(VISIT_ROWS_EN, start=5):
        for c, v in enumerate(row):
            if isinstance(v, date):
                ws.write_datetime(r, c, datetime(v.year, v.month, v.day), datef)
            elif v is not None:
                ws.write(r, c, v)
    wb.close()


def visit_report_title_rows_reordered(path: Path) -> None:
    """Rebuilt by hand: no _form sheet, renamed sheet, title + blank rows, reordered/extra/missing optional
    columns, merged header, a blank row inside the table, a total row, trailing styled empty rows."""
    import openpyxl
    from openpyxl.styles import PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["B2"] = "华信办公设备有限公司"
    ws["B3"] = "每日销售报告表（张伟）"
    ws.merge_cells("B3:H3")
    ws["B5"] = "销售员编号：R001"
    ws["E5"] = "报告日期:2026/11/23"
    header = ["备注", "洽谈结果", "客户", "订货金额（元）", "拜访目的*", "已报价", "报价金额", "下次拜访日期"]
    for c, label in enumerate(header, start=2):
        ws.cell(8, c, label)
    rows = [
        ["老客户", "成交", "华东机械厂", "¥10,000.00", "开发新客户", "是", "１２０００", "11/30"],
        [None, "需跟进", "C0007", None, "收款", "否", None, None],
        None,
        ["", "有意向", "上海精工", None, "服务", "√", "5,600", "12月2日"],
        ["合计", None, None, 10000, None, None, None, None],
    ]
    r = 9
    for row in rows:
        if row is not None:
            for c, v in enumerate(row, start=2):
                if v not in (None, ""):
                    ws.cell(r, c, v)
        r += 1
    red = PatternFill("solid", fgColor="FFFF00")
    for rr in range(r + 1, r + 40):
        for c in range(2, 10):
            ws.cell(rr, c).fill = red
    wb.save(path)


def visit_report_1904(path: Path) -> None:
    """A Mac workbook (1904 date system): a real date and a date typed as a serial number."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["销售员编号", "R001"])
    ws.append(["报告日期", date(2026, 11, 23)])
    ws.append([])
    ws.append(["客户", "拜访目的", "洽谈结果", "下次拜访日期"])
    ws.append(["华东机械厂", "服务", "成交", date(2026, 11, 30)])
    ws.append(["上海精工", "服务", "成交", 45000])  # serial 45000 in the 1904 system = 2027-03-16
    wb.save(path)


def customer_register_ids(path: Path) -> None:
    """Ids and codes as reps type them: leading zeros as text, a phone typed as a number, NA as text."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["销售员编号", "R002"])
    ws.append(["客户编号", "客户名称", "统一社会信用代码", "区域", "联系人", "电话", "客户阶段", "建档日期",
               "预计年采购额", "规模"])  # fmt: skip
    ws.append(["00123", "华东机械厂", "91350100M000100Y43", "华东", "王经理", 13812345678, "潜在客户",
               date(2026, 11, 2), "¥1,234.50", "50-199人"])  # fmt: skip
    ws.append([None, "NA", "NA", "east", "None", "021-12345678", "prospect", "2026年11月3日", "1 234", "<50"])
    ws.append([None, "新客户", None, "华北", "李", "13900000000", "lost", "2026-11-04", "-5", "many"])
    wb.save(path)


def weekly_and_targets(folder: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["周销售管理报告书"])
    ws.append(["区域", "华东", "周次", "2026年第48周", "主管签核", "马超"])
    ws.append([])
    ws.append(["销售员编号", "姓名", "本周拜访", "本周销售额", "下周目标拜访", "下周计划"])
    ws.append(["r001", "张伟", 12, 30000, "15", "拜访A类客户"])
    ws.append(["R002", "王芳", "十", 0, 10.5, None])
    wb.save(folder / "weekly_report_zh.xlsx")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Period", "Level", "Owner", "Sales target", "Visits target"])
    ws.append([2026, "company", None, 12000000, 3000])
    ws.append(["2026-Q4", "region", "east", "3,000,000", 600])
    ws.append([datetime(2026, 11, 1), "rep", "R001", 250000, 60])
    ws.append(["2026年12月", "销售员", "R002", 250000, 60])
    ws.append(["Q5", "rep", "R003", 1, 1])
    wb.save(folder / "targets_en.xlsx")


def csv_files(folder: Path) -> None:
    """CSV as Excel saves it: GBK on Chinese Windows (info block in the leading rows), UTF-8 with BOM."""
    lines = [
        ["销售员编号", "R001", "", ""],
        ["报告日期", "2026/11/23", "", ""],
        ["客户", "拜访目的", "洽谈结果", "订货金额", "下次拜访日期"],
        ["华东机械厂", "开发新客户", "成交", "10,000", "11/30"],
        ["上海精工", "服务", "有意向", "", "2026-12-02"],
    ]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(lines)  # quotes "10,000" as Excel does
    text = buf.getvalue()
    (folder / "visit_report_gbk.csv").write_bytes(text.encode("gbk"))
    (folder / "visit_report_utf8_bom.csv").write_bytes(text.encode("utf-8-sig"))
    tab = "\r\n".join("\t".join(row) for row in lines) + "\r\n"
    (folder / "visit_report_semicolon_utf8.csv").write_bytes(tab.replace("\t", ";").encode("utf-8"))
    (folder / "visit_report_unicode_text.txt").write_bytes(tab.encode("utf-16"))


def soffice_convert(src: Path, fmt: str, out_dir: Path) -> Path:
    """``soffice --headless --convert-to`` with a fresh profile (shared profiles collide in parallel)."""
    with tempfile.TemporaryDirectory() as prof:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{prof}", "--headless", "--convert-to", fmt,
             "--outdir", str(out_dir), str(src)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    ext = fmt.split(":")[0]
    out = out_dir / (src.stem + "." + ext)
    if not out.exists():
        raise RuntimeError(f"LibreOffice did not write {out}")
    return out


def libreoffice_files(folder: Path) -> None:
    src = folder / "visit_report_openpyxl_zh.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        for fmt, name in (
            ("xls", "visit_report_libreoffice.xls"),
            ("ods", "visit_report_libreoffice.ods"),
            ("xlsm:Calc MS Excel 2007 VBA XML", "visit_report_libreoffice.xlsm"),
        ):
            out = soffice_convert(src, fmt, t)
            shutil.move(out, folder / name)
        (t / "rt").mkdir()
        out = soffice_convert(src, "xlsx", t / "rt")
        shutil.move(out, folder / "visit_report_libreoffice_roundtrip.xlsx")


def password_protected(folder: Path) -> None:
    """Encrypted exactly as Excel's 'Encrypt with password' does (msoffcrypto-tool, agile encryption)."""
    import msoffcrypto.format.ooxml as ooxml

    plain = (folder / "visit_report_openpyxl_zh.xlsx").read_bytes()
    f = ooxml.OOXMLFile(io.BytesIO(plain))
    out = io.BytesIO()
    f.encrypt("secret", out)
    (folder / "password_protected.xlsx").write_bytes(out.getvalue())


def rewrite_part(src: bytes, part: str, edit: Any) -> bytes:
    """A copy of a zip with one member's text passed through ``edit``."""
    zin = zipfile.ZipFile(io.BytesIO(src))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info.filename, data)
    return buf.getvalue()


def hostile_xml(folder: Path) -> None:
    base = (folder / "visit_report_openpyxl_zh.xlsx").read_bytes()
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
        )
        + "]>"
    )
    (folder / "billion_laughs.xlsx").write_bytes(
        rewrite_part(base, "xl/sharedStrings.xml", lambda s: laughs + re.sub(r"^<\?xml[^>]*\?>", "", s))
        if "xl/sharedStrings.xml" in zipfile.ZipFile(io.BytesIO(base)).namelist()
        else rewrite_part(
            base, "xl/worksheets/sheet1.xml", lambda s: laughs + re.sub(r"^<\?xml[^>]*\?>", "", s)
        )
    )
    xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    (folder / "xxe.xlsx").write_bytes(
        rewrite_part(base, "xl/workbook.xml", lambda s: xxe + re.sub(r"^<\?xml[^>]*\?>", "", s))
    )


def silly_dimension(folder: Path) -> None:
    """A real form whose sheet declares <dimension ref="A1:XFD1048576"/> (some exporters write it)."""
    base = (folder / "visit_report_openpyxl_zh.xlsx").read_bytes()
    (folder / "visit_report_silly_dimension.xlsx").write_bytes(
        rewrite_part(
            base,
            "xl/worksheets/sheet1.xml",
            lambda s: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', s),
        )
    )


def far_value_form(folder: Path) -> None:
    """A real form plus one value typed in XFD1048576: calamine alone would allocate 512 GB and abort."""
    base = (folder / "visit_report_openpyxl_zh.xlsx").read_bytes()
    cell = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>z</t></is></c></row>'
    (folder / "visit_report_far_value.xlsx").write_bytes(
        rewrite_part(
            base, "xl/worksheets/sheet1.xml", lambda s: s.replace("</sheetData>", cell + "</sheetData>")
        )
    )


def simple_files(folder: Path) -> None:
    import openpyxl

    (folder / "empty.xlsx").write_bytes(b"")
    base = (folder / "visit_report_openpyxl_zh.xlsx").read_bytes()
    (folder / "truncated.xlsx").write_bytes(base[: len(base) // 2])
    (folder / "photo_renamed.xlsx").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "年龄", "爱好"])
    ws.append(["张三", 30, "篮球"])
    wb.save(folder / "unknown_form.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["销售员编号", "R001", "报告日期", "2026-11-23"])
    ws.append(["客户", "拜访目的", "见到决策人", "订货金额"])  # no 洽谈结果 (required)
    ws.append(["华东机械厂", "服务", "是", 100])
    wb.save(folder / "visit_report_missing_outcome_column.xlsx")


def uncached_formulas(folder: Path) -> None:
    """Forms whose amounts are formulas saved without a value, as a script writes them (issue 14):
    openpyxl (``<f>..</f><v />``), an xlsm and an ods edited the same way. Read as blank, the
    amounts would silently count as nothing."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "每日销售报告表"
    ws["A1"] = "每日销售报告表"
    ws["A2"], ws["B2"], ws["D2"], ws["E2"] = "销售员编号", "R001", "报告日期", "=DATE(2026,11,23)"
    ws["A3"], ws["B3"], ws["D3"], ws["E3"] = "出勤", "出勤", "今日心得", "客户对新品兴趣大"
    for c, label in enumerate(VISIT_ZH, start=1):
        ws.cell(5, c, label)
    for r, row in enumerate(VISIT_ROWS, start=6):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    ws["G6"] = "=F6*0.8"  # 订货金额 of the first visit: 9600 in Excel, nothing once read
    ws["H6"] = "=G6*0.25"  # 毛利
    ws["A9"], ws["G9"] = "合计", "=SUM(G6:G8)"  # a total row: not the form's data, not reported
    ws["Q6"] = "=G6-H6"  # a note beside the table: not reported either
    wb.save(folder / "visit_report_uncached_formulas_openpyxl.xlsx")

    xlsm = (folder / "visit_report_libreoffice.xlsm").read_bytes()
    (folder / "visit_report_uncached_formula.xlsm").write_bytes(
        rewrite_part(
            xlsm,
            "xl/worksheets/sheet1.xml",
            lambda x: x.replace('<c r="G6" s="0" t="n"><v>10000</v></c>', '<c r="G6" s="0"><f>F6*2</f></c>'),
        )
    )
    ods = (folder / "visit_report_libreoffice.ods").read_bytes()
    cell = (
        '<table:table-cell office:value-type="float" office:value="10000" calcext:value-type="float">'
        "<text:p>10000</text:p></table:table-cell>"
    )
    (folder / "visit_report_uncached_formula.ods").write_bytes(
        rewrite_part(
            ods,
            "content.xml",
            lambda x: x.replace(cell, '<table:table-cell table:formula="of:=[.F6]*2"/>', 1),
        )
    )


def xls_name_record(name: str, rgce: bytes) -> bytes:
    """A BIFF8 NAME record (0x0018): a workbook-wide defined name whose formula is ``rgce``."""
    import struct

    body = struct.pack("<HBBHHH4B", 0, 0, len(name), len(rgce), 0, 0, 0, 0, 0, 0)
    body += b"\x00" + name.encode("latin-1") + rgce  # the name, 8-bit (no length: cch above)
    return struct.pack("<HH", 0x0018, len(body)) + body


def xls_defined_name_AreaN(path: Path) -> None:
    """A legacy xls whose defined name holds a ``tAreaN`` token, which is valid only in shared
    formulas: xlrd raises its FormulaError at open, and ended ``salesflow check`` with a traceback,
    taking the command's other files with it (issue 14, found in a corpus of odd spreadsheets).

    xlwt writes no defined names, so the NAME record is added to the workbook globals after the
    links (where Excel puts NAME records); xlwt computes the sheet offsets after them, so the
    BOUNDSHEET offsets stay right.
    """
    import struct

    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("日报")
    for c, label in enumerate(VISIT_ZH[:3]):
        ws.write(0, c, label)
    for c, v in enumerate(["华东机械厂", "服务", "成交"]):
        ws.write(1, c, v)
    links = wb._Workbook__all_links_rec  # type: ignore[attr-defined]
    area_n = b"\x2d" + struct.pack("<4H", 0, 3, 0, 1)  # tAreaN (reference class): rows 1-4, cols A-B
    wb._Workbook__all_links_rec = lambda: links() + xls_name_record("Area_N", area_n)  # type: ignore[attr-defined]
    wb.save(str(path))


def xls_ole_sector_chain_loop(path: Path) -> None:
    """The LibreOffice xls with its OLE2 container damaged the way a fuzzed copy was (issue 14): the
    Workbook stream's directory entry says 64 bytes (so it lives in the mini stream) and the mini
    allocation table's first entry points at itself. xlrd's own container reader then loops for
    ever, appending to a list (an hour of CPU and all the memory, no exception to catch).

    CFB layout: 512-byte sectors, sector n at offset (n + 1) * 512; the header holds the first
    directory sector at 0x30 and the first mini-FAT sector at 0x3C; a 128-byte directory entry has
    its name in UTF-16LE, its start sector at 0x74 and its size at 0x78.
    """
    import struct

    raw = bytearray((HERE / "visit_report_libreoffice.xls").read_bytes())
    assert struct.unpack_from("<H", raw, 0x1E)[0] == 9, "512-byte sectors expected"
    directory = (struct.unpack_from("<I", raw, 0x30)[0] + 1) * 512
    minifat = (struct.unpack_from("<I", raw, 0x3C)[0] + 1) * 512
    entry = raw.find("Workbook".encode("utf-16-le"), directory, directory + 512)
    assert entry >= 0 and (entry - directory) % 128 == 0, "Workbook entry not in the first directory sector"
    struct.pack_into("<II", raw, entry + 0x74, 0, 64)  # start at mini sector 0, 64 bytes
    struct.pack_into("<I", raw, minifat, 0)  # mini sector 0 -> mini sector 0: a loop
    path.write_bytes(bytes(raw))


def ods_broken_table_end_tag(path: Path) -> None:
    """The LibreOffice ods with its last ``</table:table>`` turned into ``</table:tablex`` (one byte,
    found by fuzzing): calamine's ODS reader never returns from it (an endless loop in Rust, no
    exception, no way to interrupt it)."""

    def broken(xml: str) -> str:
        at = xml.rfind("</table:table>")
        return xml[:at] + "</table:tablex" + xml[at + len("</table:table>") :]

    path.write_bytes(
        rewrite_part((HERE / "visit_report_libreoffice.ods").read_bytes(), "content.xml", broken)
    )


def sql_text(rng: Any, chars: int) -> str:
    """SQL as a report tool pastes it into a sheet: clauses full of short parenthesised groups
    ("(a.id)", "(0)(1)(2)") and comment banners ("/****** totals ******/"): the shapes that made the
    old header search backtrack (a run of stars followed by text cost it 2^n steps)."""
    parts: list[str] = []
    n = 0
    while n < chars:
        k = rng.randrange(7)
        if k == 6:
            stars = "*" * rng.randrange(14, 22)
            parts.append(f"/{stars} section {rng.randrange(9999)} {stars}/\n")
            n += len(parts[-1])
            continue
        if k == 0:
            piece = f"SELECT t{rng.randrange(9)}.c{rng.randrange(99)}, SUM(t1.amount) AS s{rng.randrange(9)} "
        elif k == 1:
            piece = "".join(f"({rng.choice('abcxyz')}{i})" for i in range(rng.randrange(5, 60)))
        elif k == 2:
            piece = f"FROM (orders) o JOIN (customers) c ON (o.cid)=(c.id) WHERE (o.v{rng.randrange(9)}) "
        elif k == 3:
            piece = "AND (x) IN (" + ",".join(f"({i})" for i in range(rng.randrange(3, 30))) + ") "
        elif k == 4:
            piece = f"COALESCE((a{rng.randrange(9)}),(0))*(1.0)(rmb)(rmb)(yyyy-mm-dd) "
        else:
            piece = "GROUP BY (c.region)(c.rep)(o.day) ORDER BY (s) DESC;\n"
        parts.append(piece)
        n += len(piece)
    return "".join(parts)[:chars]


def make_sql_text_xls(path: Path, rows: int, cols: int, chars: int, distinct: int, seed: int = 14) -> None:
    """A legacy xls of ``rows`` x ``cols`` cells of ``chars``-character SQL-like text (``distinct``
    different texts: the file's shared-string table holds each once)."""
    import random

    import xlwt

    rng = random.Random(seed)
    texts = [sql_text(rng, chars) for _ in range(distinct)]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("SQL")
    for r in range(rows):
        for c in range(cols):
            ws.write(r, c, texts[(r * cols + c) % distinct])
    wb.save(str(path))


def xls_long_sql_text(path: Path) -> None:
    """The corpus file of issue 14 in small: an xls whose cells hold up to 24,509 characters of SQL
    full of short parenthesised groups; the header search took minutes over it."""
    make_sql_text_xls(path, rows=12, cols=6, chars=24509, distinct=3)


# ----- hostile files built at test time ---------------------------------------------------------------


def make_zip_bomb(path: Path, unpacked_mb: int = 300) -> None:
    """A workbook whose sheet inflates to ``unpacked_mb`` MB of blank space (~1000x compression)."""
    base = (HERE / "visit_report_openpyxl_zh.xlsx").read_bytes()
    zin = zipfile.ZipFile(io.BytesIO(base))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with zout.open(info.filename, "w", force_zip64=True) as fh:
                    fh.write(zin.read(info.filename)[:-12])
                    block = b" " * (1 << 20)
                    for _ in range(unpacked_mb):
                        fh.write(block)
                    fh.write(b"</worksheet>")
            else:
                zout.writestr(info.filename, zin.read(info.filename))


def make_far_value_xls(path: Path) -> None:
    """A legacy xls with a value in IV65536 (xlwt): calamine would hold 16.7 million cells (~1 GB)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("日报")
    for c, label in enumerate(["客户", "拜访目的", "洽谈结果"]):
        ws.write(0, c, label)
    ws.write(1, 0, "华东机械厂")
    ws.write(1, 1, "服务")
    ws.write(1, 2, "成交")
    ws.write(65535, 255, "far")
    wb.save(str(path))


def make_ods_repeat_bomb(path: Path, rows: int = 20000, cols: int = 1000) -> None:
    """An ODS whose one value cell is repeated rows x cols times (calamine would expand it: 2.4 GB)."""
    src = (HERE / "visit_report_libreoffice.ods").read_bytes()
    bomb = (
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell office:value-type="string" '
        f'table:number-columns-repeated="{cols}"><text:p>z</text:p></table:table-cell></table:table-row>'
    )
    path.write_bytes(
        rewrite_part(src, "content.xml", lambda s: s.replace("</table:table>", bomb + "</table:table>", 1))
    )


def make_xls_with_filepass(path: Path) -> None:
    """The LibreOffice xls with the record after BOF turned into FILEPASS (0x002F), the marker Excel
    97-2003 writes first in an encrypted workbook. Not real RC4 ciphertext: it tests the detection."""
    raw = bytearray((HERE / "visit_report_libreoffice.xls").read_bytes())
    at = raw.find(b"\x09\x08\x10\x00")
    assert at >= 0 and raw[at + 20 : at + 22] == b"\xe1\x00", "unexpected BIFF layout"
    raw[at + 20 : at + 22] = b"\x2f\x00"
    path.write_bytes(bytes(raw))


def damaged_copies(seed: int, n: int) -> list[tuple[str, bytes]]:
    """``n`` damaged copies of the real fixtures: random bytes flipped, or XML parts garbled inside a
    valid zip. A fuzzer's view of what a flaky USB stick or a half-synced share delivers."""
    import random

    rng = random.Random(seed)
    names = ["visit_report_openpyxl_zh.xlsx", "visit_report_libreoffice.xls", "visit_report_libreoffice.ods",
             "visit_report_xlsxwriter_en.xlsx", "visit_report_gbk.csv", "xls_defined_name_AreaN.xls",
             "visit_report_uncached_formulas_openpyxl.xlsx", "visit_report_uncached_formula.ods"]  # fmt: skip
    sources = {name: (HERE / name).read_bytes() for name in names}
    out = []
    for _ in range(n):
        name = rng.choice(names)
        base = sources[name]
        if name.endswith((".xlsx", ".ods")) and rng.random() < 0.6:
            part = rng.choice([m for m in zipfile.ZipFile(io.BytesIO(base)).namelist() if m.endswith(".xml")])

            def garble(text: str) -> str:
                chars = list(text)
                for _ in range(rng.randint(1, 5)):
                    chars[rng.randrange(len(chars))] = rng.choice(
                        ["<", ">", '"', "&", "x", "9", "/", " ", "一", ""]
                    )
                return "".join(chars)

            out.append((name, rewrite_part(base, part, garble)))
        else:
            raw = bytearray(base)
            for _ in range(rng.randint(1, 20)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
            out.append((name, bytes(raw)))
    return out


def make_large_file(path: Path, mb: float) -> None:
    """A file of ``mb`` MB (random-ish bytes after a zip header): the size cap must reject it unread."""
    with path.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(int(mb * 1048576))


def main() -> None:
    HERE.mkdir(exist_ok=True)
    visit_report_openpyxl_zh(HERE / "visit_report_openpyxl_zh.xlsx")
    visit_report_xlsxwriter_en(HERE / "visit_report_xlsxwriter_en.xlsx")
    visit_report_title_rows_reordered(HERE / "visit_report_title_rows_reordered.xlsx")
    visit_report_1904(HERE / "visit_report_1904_dates.xlsx")
    customer_register_ids(HERE / "customer_register_ids_and_codes.xlsx")
    weekly_and_targets(HERE)
    csv_files(HERE)
    simple_files(HERE)
    hostile_xml(HERE)
    silly_dimension(HERE)
    far_value_form(HERE)
    if "--no-soffice" not in sys.argv:
        libreoffice_files(HERE)
    uncached_formulas(HERE)
    xls_defined_name_AreaN(HERE / "xls_defined_name_AreaN.xls")
    xls_long_sql_text(HERE / "xls_long_sql_text.xls")
    xls_ole_sector_chain_loop(HERE / "xls_ole_sector_chain_loop.xls")
    ods_broken_table_end_tag(HERE / "ods_broken_table_end_tag.ods")
    try:
        password_protected(HERE)
    except ImportError:
        print("msoffcrypto-tool not installed: password_protected.xlsx kept as it is", file=sys.stderr)


if __name__ == "__main__":
    main()
