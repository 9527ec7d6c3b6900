"""The summary's four native charts, each fed from ranges of the workbook's own sheets.

As in XlsxWriter's ``chart_*.py`` examples, a chart holds references, not numbers: sales against
target per rep reads the scorecard's week rows (per region in the company workbook), the trend,
Pareto curve and funnel read the tables of the trends sheet. Series names point at the header cells,
so a manager who restyles or extends a chart keeps its links. A chart whose rows are absent (no rep
in the scope) is left out rather than drawn empty.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.chart import Chart
from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book
from automation.consolidate.style import CHART_SERIES, MUTED
from automation.core.texts.workbooks import say

ROW_PX = 20  # a default row (15 pt)
LEFT_COLS = 6  # the left chart spans columns 0-5, the right one 6-11


def _px(width: float) -> int:
    return int(width * 7 + 5)


def _style(chart: Chart, book: Book, title: str, *, legend: bool = True, pct_y: bool = False) -> None:
    font = {"name": book.st.font, "size": 9, "color": MUTED}
    chart.set_title({"name": title, "name_font": {"name": book.st.font, "size": 11, "bold": True}})
    chart.set_x_axis({"num_font": font, "name_font": font, "major_gridlines": {"visible": False}})
    y: dict[str, Any] = {
        "num_font": font,
        "name_font": font,
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
    }
    if pct_y:
        y.update({"num_format": "0%", "min": 0, "max": 1})
    chart.set_y_axis(y)
    chart.set_legend({"position": "bottom", "font": font} if legend else {"none": True})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})


def _place(ws: Worksheet, chart: Chart, row: int, col: int, width_px: int, rows: int) -> None:
    chart.set_size({"width": width_px - 10, "height": rows * ROW_PX - 8})
    ws.insert_chart(row, col, chart, {"x_offset": 4, "y_offset": 4, "object_position": 2})


def sales_against_target(book: Book) -> Chart | None:
    """Clustered columns: each rep's (region's) sales and target this week, from the scorecard."""
    span = book.anchors.get("chart_rows")
    sc = book.placed.get("scorecard")
    if span is None or sc is None:
        return None
    r1, r2 = span
    chart = book.st.wb.add_chart({"type": "column"})
    cats = sc.ref("display", r1, r2)
    for i, key in enumerate(("sales", "sales_target")):
        chart.add_series({
            "name": [sc.sheet, sc.header_row, sc.cols[key]], "categories": cats, "values": sc.ref(key, r1, r2),
            "fill": {"color": CHART_SERIES[i * 2]}, "gap": 60,
        })  # fmt: skip
    key = "chart_sales_region" if book.region is None else "chart_sales_rep"
    _style(chart, book, say(key, book.lang))
    chart.set_y_axis({"num_format": "#,##0", "num_font": {"name": book.st.font, "size": 9, "color": MUTED},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})  # fmt: skip
    return chart


def trend(book: Book) -> Chart | None:
    """Columns of weekly sales with the weekly target as a line, over the last 8 weeks."""
    t = book.placed.get("trend")
    if t is None or t.rows == 0:
        return None
    chart = book.st.wb.add_chart({"type": "column"})
    chart.add_series({
        "name": [t.sheet, t.header_row, t.cols["sales"]], "categories": t.ref("week"), "values": t.ref("sales"),
        "fill": {"color": CHART_SERIES[0]}, "gap": 80,
    })  # fmt: skip
    line = book.st.wb.add_chart({"type": "line"})
    line.add_series({
        "name": [t.sheet, t.header_row, t.cols["sales_target"]], "categories": t.ref("week"),
        "values": t.ref("sales_target"), "line": {"color": CHART_SERIES[1], "width": 2.25},
        "marker": {"type": "circle", "size": 5, "fill": {"color": CHART_SERIES[1]}, "border": {"color": CHART_SERIES[1]}},
    })  # fmt: skip
    chart.combine(line)
    _style(chart, book, say("chart_trend", book.lang))
    chart.set_y_axis({"num_format": "#,##0", "num_font": {"name": book.st.font, "size": 9, "color": MUTED},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})  # fmt: skip
    return chart


def pareto(book: Book) -> Chart | None:
    """The Pareto curve (cumulative share of sales against share of customers, best first) over the
    even-spread diagonal."""
    p = book.placed.get("pareto")
    if p is None or p.rows == 0:
        return None
    chart = book.st.wb.add_chart({"type": "scatter", "subtype": "straight"})
    chart.add_series({
        "name": [p.sheet, p.header_row, p.cols["sales_share"]], "categories": p.ref("customer_share"),
        "values": p.ref("sales_share"), "line": {"color": CHART_SERIES[0], "width": 2.5}, "marker": {"type": "none"},
    })  # fmt: skip
    chart.add_series({
        "name": [p.sheet, p.header_row, p.cols["diagonal"]], "categories": p.ref("customer_share"),
        "values": p.ref("diagonal"), "line": {"color": CHART_SERIES[2], "width": 1, "dash_type": "dash"},
        "marker": {"type": "none"},
    })  # fmt: skip
    _style(chart, book, say("chart_pareto", book.lang), pct_y=True)
    font = {"name": book.st.font, "size": 9, "color": MUTED}
    chart.set_x_axis({"num_format": "0%", "min": 0, "max": 1, "num_font": font, "name": say("axis_customers", book.lang),
                      "name_font": font, "major_gridlines": {"visible": False}})  # fmt: skip
    return chart


def funnel(book: Book) -> Chart | None:
    """Customers per stage at the week's end, first stage on top (lost customers left out)."""
    f = book.placed.get("funnel")
    if f is None or f.rows < 5:
        return None
    r1 = f.header_row + 1
    r2 = r1 + 4  # unqualified .. active user
    chart = book.st.wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": [f.sheet, f.header_row, f.cols["at_end"]], "categories": f.ref("stage", r1, r2),
        "values": f.ref("at_end", r1, r2), "fill": {"color": CHART_SERIES[4]}, "gap": 40,
        "data_labels": {"value": True, "font": {"name": book.st.font, "size": 9}},
    })  # fmt: skip
    _style(chart, book, say("chart_funnel", book.lang), legend=False)
    font = {"name": book.st.font, "size": 9, "color": MUTED}
    chart.set_y_axis({"reverse": True, "num_font": font, "major_gridlines": {"visible": False}})
    chart.set_x_axis({"num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    return chart


def add_summary_charts(ws: Worksheet, book: Book, top: int, rows: int, widths: list[float]) -> None:
    """Two rows of two charts from row ``top``, each ``rows`` rows tall."""
    left = sum(_px(w) for w in widths[:LEFT_COLS])
    right = sum(_px(w) for w in widths[LEFT_COLS:])
    grid = [(sales_against_target, 0, 0), (trend, 0, 1), (pareto, 1, 0), (funnel, 1, 1)]
    for make, r, c in grid:
        chart = make(book)
        if chart is not None:
            _place(ws, chart, top + r * rows, c * LEFT_COLS, right if c else left, rows)
